package dev.spool.bench;

import java.util.Locale;

/**
 * One line of the benchmark's table: a Spool figure beside its reference and the target ratio.
 *
 * @param name what was measured
 * @param unit its unit
 * @param spool Spool's figure
 * @param reference the reference figure measured in the same run (NaN for an absolute target)
 * @param referenceName what the reference is
 * @param target the target, on the ratio when there is a reference, else on the figure; NaN for a
 *     figure that informs a decision and has no target
 * @param higherIsBetter whether the figure must be at least (true) or at most (false) the target
 */
record Figure(
    String name,
    String unit,
    double spool,
    double reference,
    String referenceName,
    double target,
    boolean higherIsBetter) {

  /** Spool's figure over the reference, or NaN without one. */
  double ratio() {
    return Double.isNaN(reference) ? Double.NaN : spool / reference;
  }

  /** The figure the target applies to: the ratio, or Spool's figure itself. */
  double judged() {
    return Double.isNaN(reference) ? spool : ratio();
  }

  boolean hasTarget() {
    return !Double.isNaN(target);
  }

  /** Whether the target was met; a figure without one is never a miss. */
  boolean met() {
    if (!hasTarget()) return true;
    return higherIsBetter ? judged() >= target : judged() <= target;
  }

  String targetText() {
    if (!hasTarget()) return "none";
    return (higherIsBetter ? ">= " : "<= ")
        + format(target)
        + (Double.isNaN(reference) ? " " + unit : " x");
  }

  static String format(double v) {
    if (Double.isNaN(v)) return "-";
    if (Math.abs(v) >= 100) return String.format(Locale.ROOT, "%,.0f", v);
    return String.format(Locale.ROOT, "%.2f", v);
  }

  String json() {
    return String.format(
        Locale.ROOT,
        "{\"name\":\"%s\",\"unit\":\"%s\",\"spool\":%s,\"reference\":%s,\"referenceName\":\"%s\","
            + "\"ratio\":%s,\"target\":\"%s\",\"met\":%s}",
        name,
        unit,
        number(spool),
        number(reference),
        referenceName,
        number(ratio()),
        targetText(),
        met());
  }

  private static String number(double v) {
    return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
  }
}
