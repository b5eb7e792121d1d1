package dev.spool.producer.internal;

import dev.spool.core.SpoolConfig;
import dev.spool.core.wire.AmqpConnector;
import dev.spool.core.wire.Topology;
import dev.spool.state.internal.RedisState;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes what a namespace that a tool made for itself left behind: the default queue's work,
 * urgent, dead and delay queues, and every Redis key of the namespace (the task index and history
 * that consumers keep a day). For the project's own tools that run in a namespace of their own
 * ({@code bin/spool-aot}'s training run, the benchmark), never for a namespace users work in.
 * {@code main} takes the namespace from {@code SPOOL_NAMESPACE} and the services from the other
 * {@code SPOOL_*} variables.
 */
public final class NamespaceCleanup {
  private NamespaceCleanup() {}

  /**
   * Deletes the namespace's default queues and Redis keys; {@code extraQueues} too. Returns what
   * could not be deleted, one line each (empty when all went).
   */
  public static List<String> delete(SpoolConfig config, List<String> extraQueues) {
    List<String> failed = new ArrayList<>();
    try (var connection = new AmqpConnector(config).open("spool namespace cleanup");
        var ch = connection.createChannel()) {
      List<String> queues = new ArrayList<>(new Topology(config).queuesOf(Topology.DEFAULT_QUEUE));
      queues.addAll(extraQueues);
      for (String q : queues) ch.queueDelete(q);
    } catch (Exception e) {
      failed.add("the queues of namespace " + config.namespace() + ": " + e);
    }
    // Through the shared state's own client: a Sentinel URI reaches the primary.
    try (RedisState state = RedisState.connect(config.stateConfig())) {
      state.deleteNamespace();
    } catch (Exception e) {
      failed.add(
          "the Redis keys of namespace "
              + config.namespace()
              + " (they expire within a day): "
              + e);
    }
    return failed;
  }

  /** Deletes the namespace of {@code SPOOL_NAMESPACE}; exits 1 if something stayed. */
  public static void main(String[] args) {
    if (!dev.spool.core.cli.LogOptions.prepare(
        "NamespaceCleanup", System.getenv(), System.err, "WARN")) {
      System.exit(2);
    }
    if (System.getenv(SpoolConfig.NAMESPACE) == null) {
      System.err.println("NamespaceCleanup: set " + SpoolConfig.NAMESPACE + " to the namespace");
      System.exit(2);
    }
    List<String> failed =
        delete(SpoolConfig.builderFromEnvironment(System.getenv()).build(), List.of());
    for (String f : failed) System.err.println("could not delete " + f);
    System.exit(failed.isEmpty() ? 0 : 1);
  }
}
