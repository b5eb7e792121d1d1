package dev.spool.producer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.SpoolException;
import dev.spool.producer.MapOptions;
import dev.spool.producer.TaskPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;

/**
 * The demo's shared-state part, run entirely through tasks so that the producer needs no Redis
 * access: a word count into a shared dict (top words read back by a task), then locked increments
 * whose results must be consecutive, without a repeat (a lost update repeats one).
 */
final class SharedStateDemo {
  private static final List<String> TEXTS =
      List.of("two-cities.txt", "pride-and-prejudice.txt", "moby-dick.txt");

  private final TaskPool pool;
  private final Duration timeout;
  private final PrintStream out;

  SharedStateDemo(TaskPool pool, Duration timeout, PrintStream out) {
    this.pool = pool;
    this.timeout = timeout;
    this.out = out;
  }

  void run(int increments) {
    wordcount();
    if (increments > 0) lockedIncrements(increments);
  }

  private void wordcount() {
    String dict = "demo-words-" + dev.spool.state.internal.Ids.random().substring(0, 8);
    List<Map<String, Object>> inputs = new ArrayList<>();
    for (String line : lines()) {
      inputs.add(Map.of("text", line, "dict", dict, "ttlSeconds", 3600));
    }
    long t0 = System.nanoTime();
    List<Long> words = pool.map("wordcount", inputs, Long.class, new MapOptions(1, timeout));
    double s = (System.nanoTime() - t0) / 1e9;
    long total = words.stream().mapToLong(Long::longValue).sum();
    JsonNode top =
        pool.apply("wordcount-top", Map.of("dict", dict, "n", 5), JsonNode.class, timeout);
    StringBuilder b = new StringBuilder();
    for (JsonNode w : top) {
      if (!b.isEmpty()) b.append(", ");
      b.append(w.get("word").asText()).append(' ').append(w.get("count").asLong());
    }
    out.printf(
        "wordcount: %d words in %d lines of %d texts in %.2f s; top words in shared dict %s: %s%n",
        total, inputs.size(), TEXTS.size(), s, dict, b);
  }

  private void lockedIncrements(int n) {
    long t0 = System.nanoTime();
    List<Long> values =
        pool.map(
            "locked-increment",
            Collections.nCopies(n, Map.of()),
            Long.class,
            new MapOptions(1, timeout));
    double s = (System.nanoTime() - t0) / 1e9;
    long min = Collections.min(values);
    long max = Collections.max(values);
    if (new HashSet<>(values).size() != n || max - min + 1 != n) {
      throw new SpoolException(
          "locked-increment: "
              + n
              + " calls returned "
              + new HashSet<>(values).size()
              + " distinct values from "
              + min
              + " to "
              + max
              + ": an update was lost");
    }
    out.printf(
        "locked-increment: %d calls under one lock in %.2f s, values %d..%d, final value %d:"
            + " no update lost%n",
        n, s, min, max, max);
  }

  private static List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (String name : TEXTS) {
      try (InputStream in = SharedStateDemo.class.getResourceAsStream("texts/" + name)) {
        if (in == null) throw new IllegalStateException("demo text missing from the jar: " + name);
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          if (!line.isBlank()) lines.add(line.strip());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return lines;
  }
}
