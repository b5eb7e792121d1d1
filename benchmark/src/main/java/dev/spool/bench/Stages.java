package dev.spool.bench;

import dev.spool.core.wire.StageEvents;
import dev.spool.producer.TaskPool;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a round trip's time goes, stage by stage: {@code apply} beside the bare client's round trip
 * ({@link RawRoundTrip}), with and without a hand-off to a worker thread. Spool's moments come from
 * its Flight Recorder events ({@link StageEvents}): the bench starts a recording of them in each
 * consumer process ({@code jcmd <pid> JFR.start}) and in its own JVM, and lines each event up with
 * the call it belongs to by time, the calls running one at a time. Every moment is a {@link
 * System#nanoTime()} reading, one clock for every process of a Linux machine.
 */
final class Stages {
  /** A call's moments, in this order, each the index of a {@code long[]} of a call. */
  static final int CALLED = 0;

  static final int SENT = 1;
  static final int DELIVERED = 2;
  static final int DISPATCHED = 3;
  static final int PICKED = 4;
  static final int STARTED = 5;
  static final int ENDED = 6;
  static final int PUBLISHED = 7;
  static final int ARRIVED = 8;
  static final int RETURNED = 9;

  /** The stage between moment {@code i} and {@code i + 1}. */
  static final List<String> NAMES =
      List.of(
          "the caller: encode, register, publish",
          "broker, to the consumer's client thread",
          "the client thread: decode, checks",
          "the hand-off to a worker thread",
          "the worker: checks before the handler",
          "the handler",
          "the result to the broker: encode, publish",
          "broker, to the caller's client thread",
          "the caller's wake-up: decode, complete");

  private static final String RECORDING = "spool-stages";

  private Stages() {}

  /** A garbage collection's pause in {@code where} ("consumer" or "caller"), in nanoTime. */
  record Pause(String where, long from, long to) {}

  /** Each kind's calls' moments, and the collections' pauses while they ran. */
  record Measured(Map<String, long[][]> kinds, List<Pause> pauses) {}

  /**
   * {@code n} calls of each kind, in interleaved blocks of {@code block}: {@code apply("square")}
   * through {@code pool} (the consumers {@code consumerPids} taking them), the bare client's trip
   * and the bare client's with a hand-off. Returns each kind's calls' moments and the pauses of the
   * consumers' and this JVM's garbage collections meanwhile; the Flight Recorder files are left in
   * {@code logs}.
   */
  static Measured measure(
      TaskPool pool,
      List<Long> consumerPids,
      RawRoundTrip bare,
      RawRoundTrip handOff,
      int n,
      int block,
      Path logs)
      throws Exception {
    for (int i = 0; i < 500; i++) { // warm-up
      pool.apply("square", (long) i, Long.class);
      bare.stages(i);
      handOff.stages(i);
    }
    for (long pid : consumerPids) {
      jcmd(
          pid,
          "JFR.start",
          "name=" + RECORDING,
          "settings=none",
          "+dev.spool.TaskStages#enabled=true",
          "+jdk.GarbageCollection#enabled=true");
    }
    long[][] spool = new long[n][];
    long[][] plain = new long[n][];
    long[][] handed = new long[n][];
    Path here = logs.resolve("stages-caller.jfr");
    try (Recording caller = new Recording()) {
      caller.enable(StageEvents.Sent.class);
      caller.enable(StageEvents.Result.class);
      caller.enable("jdk.GarbageCollection");
      caller.start();
      for (int b = 0; b * block < n; b++) {
        int from = b * block;
        int to = Math.min(n, from + block);
        for (int k = 0; k < 3; k++) {
          switch ((b + k) % 3) {
            case 0 -> {
              for (int i = from; i < to; i++) {
                long t0 = System.nanoTime();
                pool.apply("square", (long) i, Long.class);
                spool[i] = new long[RETURNED + 1];
                spool[i][CALLED] = t0;
                spool[i][RETURNED] = System.nanoTime();
              }
            }
            case 1 -> {
              for (int i = from; i < to; i++) plain[i] = bare.stages(i);
            }
            default -> {
              for (int i = from; i < to; i++) handed[i] = handOff.stages(i);
            }
          }
        }
      }
      caller.stop();
      caller.dump(here);
    }
    List<RecordedEvent> tasks = new ArrayList<>();
    for (long pid : consumerPids) {
      Path file = logs.resolve("stages-consumer-" + pid + ".jfr");
      jcmd(pid, "JFR.stop", "name=" + RECORDING, "filename=" + file.toAbsolutePath());
      tasks.addAll(RecordingFile.readAllEvents(file));
    }
    long offset = wallMinusNano();
    List<Pause> pauses = new ArrayList<>();
    Map<String, Long> sent = new HashMap<>();
    Map<String, Long> arrived = new HashMap<>();
    for (RecordedEvent e : RecordingFile.readAllEvents(here)) {
      switch (e.getEventType().getName()) {
        case "jdk.GarbageCollection" -> pauses.add(pause("caller", e, offset));
        case "dev.spool.TaskSent" -> sent.put(e.getString("taskId"), e.getLong("sent"));
        default -> arrived.put(e.getString("taskId"), e.getLong("arrived"));
      }
    }
    List<RecordedEvent> stages = new ArrayList<>();
    for (RecordedEvent e : tasks) {
      if (e.getEventType().getName().equals("jdk.GarbageCollection")) {
        pauses.add(pause("consumer", e, offset));
      } else {
        stages.add(e);
      }
    }
    fill(spool, stages, sent, arrived);
    Map<String, long[][]> out = new java.util.LinkedHashMap<>();
    out.put("apply", spool);
    out.put("bare client", plain);
    out.put("bare client, hand-off", handed);
    return new Measured(out, pauses);
  }

  /**
   * A collection's pauses, from its start to its start plus the sum of its pauses (they are most of
   * a young collection's time), as nanoTime: the Flight Recorder's times are wall-clock instants.
   */
  private static Pause pause(String where, RecordedEvent e, long wallMinusNano) {
    long from = epochNanos(e.getStartTime()) - wallMinusNano;
    return new Pause(where, from, from + e.getDuration("sumOfPauses").toNanos());
  }

  private static long epochNanos(java.time.Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** The wall clock minus {@link System#nanoTime()}, the closest of a few readings. */
  private static long wallMinusNano() {
    long best = Long.MAX_VALUE;
    long offset = 0;
    for (int i = 0; i < 20; i++) {
      long n0 = System.nanoTime();
      long wall = epochNanos(java.time.Instant.now());
      long n1 = System.nanoTime();
      if (n1 - n0 < best) {
        best = n1 - n0;
        offset = wall - (n0 + (n1 - n0) / 2);
      }
    }
    return offset;
  }

  /** Puts each call's consumer and caller moments in, matched by time; fails if one is missing. */
  private static void fill(
      long[][] calls,
      List<RecordedEvent> tasks,
      Map<String, Long> sent,
      Map<String, Long> arrived) {
    tasks.sort(Comparator.comparingLong(e -> e.getLong("delivered")));
    int next = 0;
    int missing = 0;
    for (long[] call : calls) {
      while (next < tasks.size() && tasks.get(next).getLong("delivered") < call[CALLED]) next++;
      if (next == tasks.size() || tasks.get(next).getLong("delivered") > call[RETURNED]) {
        missing++;
        continue;
      }
      RecordedEvent e = tasks.get(next++);
      Long out = sent.get(e.getString("taskId"));
      Long back = arrived.get(e.getString("taskId"));
      if (out == null || back == null) {
        missing++;
        continue;
      }
      call[SENT] = out;
      call[DELIVERED] = e.getLong("delivered");
      call[DISPATCHED] = e.getLong("dispatched");
      call[PICKED] = e.getLong("picked");
      call[STARTED] = e.getLong("started");
      call[ENDED] = e.getLong("ended");
      call[PUBLISHED] = e.getLong("published");
      call[ARRIVED] = back;
    }
    if (missing > 0) {
      throw new IllegalStateException(
          missing + " of " + calls.length + " calls have no stage events; is the consumer older?");
    }
  }

  /**
   * Lines of a table: for each stage, each kind's median and p99 (each stage's own), and its mean
   * over the kind's slowest 1 % of calls (by the whole trip): the share of the tail.
   */
  static List<String> table(Measured measured) {
    Map<String, long[][]> kinds = measured.kinds();
    List<String> lines = new ArrayList<>();
    List<String> names = new ArrayList<>(kinds.keySet());
    lines.add(
        String.format(
            "  %-55s %s",
            "stage: p50 / p99 / mean of the slowest 1 % (ms)", String.join(" | ", names)));
    for (int s = 0; s < NAMES.size(); s++) {
      List<String> cells = new ArrayList<>();
      for (long[][] calls : kinds.values()) cells.add(cell(calls, s, s + 1));
      lines.add(String.format("  %-55s %s", NAMES.get(s), String.join(" | ", cells)));
    }
    List<String> whole = new ArrayList<>();
    for (long[][] calls : kinds.values()) whole.add(cell(calls, CALLED, RETURNED));
    lines.add(String.format("  %-55s %s", "the whole round trip", String.join(" | ", whole)));
    List<String> touched = new ArrayList<>();
    for (long[][] calls : kinds.values()) touched.add(touchedByPauses(calls, measured.pauses()));
    lines.add(
        String.format(
            "  %-55s %s",
            "slowest 1 % during a GC pause: consumer's, caller's", String.join(" | ", touched)));
    for (String where : List.of("consumer", "caller")) {
      List<Pause> ps = measured.pauses().stream().filter(p -> p.where().equals(where)).toList();
      long longest = ps.stream().mapToLong(p -> p.to() - p.from()).max().orElse(0);
      long total = ps.stream().mapToLong(p -> p.to() - p.from()).sum();
      lines.add(
          String.format(
              "  GC pauses meanwhile, %s%s: %d, %.1f ms in all, the longest %.1f ms",
              where,
              where.equals("consumer") ? "s" : " (this JVM, the bare client's too)",
              ps.size(),
              total / 1e6,
              longest / 1e6));
    }
    return lines;
  }

  /**
   * Of the slowest 1 % of {@code calls}, how many a consumer's and the caller's pause overlapped.
   */
  private static String touchedByPauses(long[][] calls, List<Pause> pauses) {
    long[][] byTrip = calls.clone();
    Arrays.sort(byTrip, Comparator.comparingLong(c -> c[RETURNED] - c[CALLED]));
    int tail = Math.max(1, calls.length / 100);
    int consumer = 0;
    int caller = 0;
    for (int i = calls.length - tail; i < calls.length; i++) {
      long[] c = byTrip[i];
      for (Pause p : pauses) {
        if (p.from() < c[RETURNED] && p.to() > c[CALLED]) {
          if (p.where().equals("consumer")) consumer++;
          else caller++;
        }
      }
    }
    return String.format("%d, %d of %d", consumer, caller, tail);
  }

  private static String cell(long[][] calls, int from, int to) {
    long[] spans = new long[calls.length];
    for (int i = 0; i < calls.length; i++) spans[i] = calls[i][to] - calls[i][from];
    Arrays.sort(spans);
    long[][] byTrip = calls.clone();
    Arrays.sort(byTrip, Comparator.comparingLong(c -> c[RETURNED] - c[CALLED]));
    int tail = Math.max(1, calls.length / 100);
    double sum = 0;
    for (int i = calls.length - tail; i < calls.length; i++) {
      sum += byTrip[i][to] - byTrip[i][from];
    }
    return String.format(
        "%.2f / %.2f / %.2f",
        spans[spans.length / 2] / 1e6,
        spans[(int) Math.ceil(spans.length * 0.99) - 1] / 1e6,
        sum / tail / 1e6);
  }

  /** Runs {@code jcmd pid command args...}; fails with its output when it does not succeed. */
  private static void jcmd(long pid, String command, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(Long.toString(pid));
    cmd.add(command);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || output.contains("Exception")) {
      throw new IllegalStateException("jcmd " + pid + " " + command + " failed: " + output);
    }
  }
}
