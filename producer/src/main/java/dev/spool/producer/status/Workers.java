package dev.spool.producer.status;

import dev.spool.core.SpoolCodecException;
import dev.spool.core.wire.JsonCodec;
import dev.spool.state.internal.RedisState;
import dev.spool.state.internal.WorkerRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live consumers, from their heartbeats in Redis; and pings, which each live consumer answers
 * within about 200 ms with a fresh report. Thread-safe.
 *
 * <pre>{@code
 * Workers workers = new Workers(redis);
 * for (WorkerReport w : workers.alive()) System.out.println(w.id() + " " + w.state());
 * Workers.Pong pong = workers.ping(Duration.ofSeconds(2));
 * }</pre>
 */
public final class Workers {
  private static final Logger log = LoggerFactory.getLogger(Workers.class);

  private final WorkerRegistry registry;
  private final JsonCodec codec = new JsonCodec();
  private final LongSupplier nanos;

  public Workers(RedisState state) {
    this(state, System::nanoTime);
  }

  Workers(RedisState state, LongSupplier nanos) {
    this.registry = state.workers();
    this.nanos = nanos;
  }

  /**
   * The consumers whose heartbeat is alive, by id. A consumer that died is listed for at most 10 s
   * after its last beat.
   *
   * @throws dev.spool.StateConnectionException when Redis cannot be reached
   */
  public List<WorkerReport> alive() {
    return parse(registry.alive()).values().stream().toList();
  }

  /**
   * The answer to a ping.
   *
   * @param answered the workers that answered, with a report made when they did, by id
   * @param latencyMs how long each took to answer, by id (to within about 20 ms)
   * @param silent workers listed alive when the ping was sent that did not answer within the wait
   */
  public record Pong(List<WorkerReport> answered, Map<String, Long> latencyMs, Set<String> silent) {
    /** Whether at least one worker answered and every worker listed alive did. */
    public boolean allAnswered() {
      return !answered.isEmpty() && silent.isEmpty();
    }
  }

  /**
   * Pings every live consumer and waits at most {@code wait} for their answers: until every worker
   * listed alive has answered, or the wait is over.
   *
   * @throws dev.spool.StateConnectionException when Redis cannot be reached
   */
  public Pong ping(Duration wait) throws InterruptedException {
    Set<String> expected = new TreeSet<>(registry.ids()); // who must answer; reports not needed
    long start = nanos.getAsLong();
    String nonce = registry.ping(wait.plusSeconds(1));
    Map<String, Long> latency = new LinkedHashMap<>();
    Map<String, String> answers = Map.of();
    try {
      while (true) {
        answers = registry.answers(nonce);
        long elapsedMs = (nanos.getAsLong() - start) / 1_000_000;
        for (String id : answers.keySet()) latency.putIfAbsent(id, elapsedMs);
        boolean all = !expected.isEmpty() && answers.keySet().containsAll(expected);
        if (all || elapsedMs >= wait.toMillis()) break;
        Thread.sleep(20);
      }
    } finally {
      registry.forget(nonce);
    }
    Set<String> silent = new TreeSet<>(expected);
    silent.removeAll(answers.keySet());
    List<WorkerReport> answered = new ArrayList<>(parse(answers).values());
    return new Pong(answered, latency, silent);
  }

  private Map<String, WorkerReport> parse(Map<String, String> reports) {
    Map<String, WorkerReport> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : reports.entrySet()) {
      try {
        out.put(e.getKey(), WorkerReport.parse(e.getValue(), codec));
      } catch (SpoolCodecException ex) {
        log.warn(
            "workers: the report of {} is not JSON ({}); not listed", e.getKey(), ex.getMessage());
      }
    }
    return out;
  }
}
