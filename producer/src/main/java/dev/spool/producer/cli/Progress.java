package dev.spool.producer.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Shows how a long map is going on stderr, so that stdout stays clean for results: on a terminal a
 * bar redrawn in place ({@code done of total, rate, time left}); otherwise (a pipe, a file, a CI
 * log) a plain line every few seconds. Either way a last line when it ends. Thread-safe: the thread
 * that collects results updates it, and {@link #tickEverySecond()} redraws it meanwhile.
 */
final class Progress {
  /** How the progress is shown. */
  enum Mode {
    /** A bar on a terminal, else lines. */
    auto,
    bar,
    lines,
    none
  }

  private static final int BAR_WIDTH = 28;
  private static final long REDRAW_NANOS = Duration.ofMillis(200).toNanos();

  private final String label;
  private final long total;
  private final PrintStream out;
  private final boolean bar;
  private final boolean quiet;
  private final long every;
  private final LongSupplier nanos;
  private final long start;
  private long lastPrint;
  private long lastDone;
  private boolean drawn;

  Progress(
      String label, long total, PrintStream out, Mode mode, Duration every, LongSupplier nanos) {
    this.label = label;
    this.total = total;
    this.out = out;
    this.quiet = mode == Mode.none;
    this.bar = mode == Mode.bar;
    this.every = (bar ? Duration.ofNanos(REDRAW_NANOS) : every).toNanos();
    this.nanos = nanos;
    this.start = nanos.getAsLong();
    this.lastPrint = start;
  }

  /** Progress on stderr in {@code mode}, {@code auto} resolved against this process's terminal. */
  static Progress onStderr(String label, long total, Mode mode) {
    Mode m = mode == Mode.auto ? (stderrIsTerminal(System.getenv()) ? Mode.bar : Mode.lines) : mode;
    return new Progress(label, total, System.err, m, Duration.ofSeconds(5), System::nanoTime);
  }

  /** Whether stderr is a terminal: {@link #isTerminal} with the launcher's SPOOL_STDERR_TTY. */
  static boolean stderrIsTerminal(Map<String, String> env) {
    return isTerminal(env, "SPOOL_STDERR_TTY");
  }

  /**
   * Java cannot ask whether stdout or stderr is a terminal, so bin/spool-producer tells it ({@code
   * [ -t 1 ]}, {@code [ -t 2 ]}) in {@code hint} (SPOOL_STDOUT_TTY, SPOOL_STDERR_TTY); without the
   * launcher, a console on stdin and stdout counts. TERM=dumb never does.
   */
  static boolean isTerminal(Map<String, String> env, String hintVariable) {
    if ("dumb".equals(env.get("TERM"))) return false;
    String hint = env.get(hintVariable);
    if (hint != null) return hint.equals("1");
    java.io.Console console = System.console();
    if (console == null) return false;
    try { // Console.isTerminal() exists from Java 22; before it, a console is a terminal
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  /** Stops redrawing; closing twice is harmless. */
  interface Ticker extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Redraws every second with the last count, so that a line still comes when no result does (no
   * consumer attached, long tasks). Close it when the results are in.
   */
  Ticker tickEverySecond() {
    java.util.concurrent.ScheduledExecutorService ticker =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("spool-progress").unstarted(r));
    ticker.scheduleAtFixedRate(
        () -> update(lastDone()), 1, 1, java.util.concurrent.TimeUnit.SECONDS);
    return ticker::shutdownNow;
  }

  private synchronized long lastDone() {
    return lastDone;
  }

  /** Call after each result with the count so far; draws when it is time. */
  synchronized void update(long done) {
    lastDone = done;
    if (quiet) return;
    long now = nanos.getAsLong();
    if (now - lastPrint < every) return;
    lastPrint = now;
    if (bar) {
      out.print("\r" + render(done, now) + "\u001b[K");
      drawn = true;
    } else {
      out.println(render(done, now));
    }
    out.flush();
  }

  /** Call once at the end: the final figures on their own line. */
  synchronized void finish(long done) {
    if (quiet) return;
    long now = nanos.getAsLong();
    double seconds = (now - start) / 1e9;
    String line =
        String.format(
            Locale.ROOT,
            "%s: %,d of %,d in %.1f s (%,.0f/s)",
            label,
            done,
            total,
            seconds,
            done / Math.max(seconds, 1e-9));
    out.println(drawn ? "\r" + line + "\u001b[K" : line);
    out.flush();
  }

  /** {@code label [#####-----] done/total pct rate left}, or the line form without the bar. */
  String render(long done, long now) {
    double seconds = (now - start) / 1e9;
    double rate = done / Math.max(seconds, 1e-9);
    double fraction = total == 0 ? 1 : Math.min(1.0, (double) done / total);
    String left = done == 0 ? "?" : clock(Math.round((total - done) / rate));
    String figures =
        String.format(
            Locale.ROOT,
            "%,d of %,d (%.0f%%), %,.0f/s, %s left",
            done,
            total,
            100 * fraction,
            rate,
            left);
    if (!bar) return label + ": " + figures;
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    return label + " [" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + figures;
  }

  /** Seconds as {@code m:ss}, or {@code h:mm:ss} past an hour. */
  static String clock(long seconds) {
    long h = seconds / 3600;
    long m = seconds / 60 % 60;
    long s = seconds % 60;
    return h > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s)
        : String.format(Locale.ROOT, "%d:%02d", m, s);
  }
}
