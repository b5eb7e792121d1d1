package dev.spool.consumer.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.HandlerRegistry;
import dev.spool.LockLease;
import dev.spool.SharedDict;
import dev.spool.SharedValue;
import dev.spool.TaskContext;
import dev.spool.TaskHandlerProvider;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Built-in tasks that use shared state:
 *
 * <ul>
 *   <li>{@code wordcount}: a text (or {@code {"text", "dict", "ttlSeconds"}}) counted word by word
 *       into a shared dict ({@code wordcount} by default) with atomic increments; returns the
 *       number of words;
 *   <li>{@code wordcount-top}: {@code {"dict", "n"}} (or just n) to the n most frequent words;
 *   <li>{@code locked-increment}: under lock {@code locked-increment}, reads the shared value of
 *       the same name (0 when absent), sleeps 1 ms, writes the value plus one (fenced by the lease)
 *       and returns it. With {@code {"record": true}} it also appends its hold interval to the list
 *       {@code locked-increment-intervals}, so tests can check that holds never overlap.
 * </ul>
 */
public final class StateTasks implements TaskHandlerProvider {
  static final String LOCKED_INCREMENT = "locked-increment";
  static final Duration LOCK_WAIT = Duration.ofSeconds(60);
  static final Duration LOCK_LEASE = Duration.ofSeconds(10);
  private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}']+");

  /** One word and how often it was seen. */
  public record WordFrequency(String word, long count) {}

  /** When a {@code locked-increment} held its lock. Times in microseconds since the epoch. */
  public record HoldInterval(long fencingToken, long startMicros, long endMicros, String worker) {}

  @Override
  public void registerTasks(HandlerRegistry registry) {
    registry.register("wordcount", JsonNode.class, StateTasks::wordcount);
    registry.register("wordcount-top", JsonNode.class, StateTasks::top);
    registry.register(LOCKED_INCREMENT, JsonNode.class, StateTasks::lockedIncrement);
  }

  static long wordcount(JsonNode input, TaskContext ctx) {
    String text = input.isTextual() ? input.asText() : required(input, "text").asText();
    String dictName = input.path("dict").asText("wordcount");
    Map<String, Long> counts = new HashMap<>();
    long words = 0;
    for (String w : NON_WORD.split(text.toLowerCase(Locale.ROOT))) {
      String word = w.replaceAll("^'+|'+$", "");
      if (word.isEmpty()) continue;
      counts.merge(word, 1L, Long::sum);
      words++;
    }
    SharedDict<String, Long> dict = ctx.state().dict(dictName, String.class, Long.class);
    counts.forEach(dict::increment);
    long ttl = input.path("ttlSeconds").asLong(0);
    if (ttl > 0) dict.expireAfter(Duration.ofSeconds(ttl));
    return words;
  }

  static List<WordFrequency> top(JsonNode input, TaskContext ctx) {
    int n = input.isNumber() ? input.asInt() : input.path("n").asInt(10);
    if (n < 1) throw new IllegalArgumentException("wordcount-top needs n >= 1, got " + n);
    String dictName = input.path("dict").asText("wordcount");
    return ctx.state().dict(dictName, String.class, Long.class).entries().entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(n)
        .map(e -> new WordFrequency(e.getKey(), e.getValue()))
        .toList();
  }

  static long lockedIncrement(JsonNode input, TaskContext ctx) throws InterruptedException {
    boolean record = input != null && input.path("record").asBoolean(false);
    SharedValue<Long> value = ctx.state().value(LOCKED_INCREMENT, Long.class);
    try (LockLease lease = ctx.state().lock(LOCKED_INCREMENT).acquire(LOCK_WAIT, LOCK_LEASE)) {
      long start = micros();
      long next = value.get().orElse(0L) + 1;
      Thread.sleep(1);
      value.set(next, lease);
      if (record) {
        ctx.state()
            .list(LOCKED_INCREMENT + "-intervals", HoldInterval.class)
            .append(new HoldInterval(lease.fencingToken(), start, micros(), ctx.workerId()), lease);
      }
      return next;
    }
  }

  private static long micros() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }

  private static JsonNode required(JsonNode input, String field) {
    JsonNode v = input.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("input needs a '" + field + "' field: " + input);
    }
    return v;
  }
}
