package dev.spool.bench;

import dev.spool.HandlerRegistry;
import dev.spool.TaskHandlerProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's own tasks, on the bench consumers' classpath.
 *
 * <ul>
 *   <li>{@code crunch} is a handler that computes, as handlers that parse, count and sort do: from
 *       its seed it makes 3,000 words, counts them in a map, sorts the counts with a comparator and
 *       builds a summary string; it returns the summary's hash. It runs Java code only (no native
 *       stub or intrinsic does the work), so the JIT's code is what it measures.
 * </ul>
 */
public final class BenchTasks implements TaskHandlerProvider {
  @Override
  public void registerTasks(HandlerRegistry registry) {
    registry.register("crunch", Long.class, (Long seed, dev.spool.TaskContext ctx) -> crunch(seed));
  }

  /** The work of {@code crunch}, deterministic in its seed. */
  static long crunch(long seed) {
    long x = seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    Map<String, Integer> counts = new HashMap<>();
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
      word.setLength(0);
      int length = 2 + (int) ((x >>> 60) & 3);
      for (int c = 0; c < length; c++) word.append((char) ('a' + ((x >>> (c * 5)) & 7)));
      counts.merge(word.toString(), 1, Integer::sum);
    }
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
    entries.sort(
        Map.Entry.<String, Integer>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    StringBuilder summary = new StringBuilder();
    for (Map.Entry<String, Integer> e : entries) {
      summary.append(e.getKey()).append('=').append(e.getValue()).append(',');
    }
    return summary.toString().hashCode();
  }
}
