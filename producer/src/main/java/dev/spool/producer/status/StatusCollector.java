package dev.spool.producer.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.state.internal.RedisState;
import java.time.Clock;
import java.util.List;

/** Reads a {@link SpoolStatus} from the management API and Redis. Thread-safe. */
public final class StatusCollector {
  private final ManagementApi api;
  private final RedisState state;
  private final String vhost;
  private final String namespace;
  private final int objectLimit;
  private final Clock clock;

  /**
   * @param objectLimit most shared objects listed by name (all are counted)
   */
  public StatusCollector(
      ManagementApi api,
      RedisState state,
      String vhost,
      String namespace,
      int objectLimit,
      Clock clock) {
    this.api = api;
    this.state = state;
    this.vhost = vhost;
    this.namespace = namespace;
    this.objectLimit = objectLimit;
    this.clock = clock;
  }

  /**
   * Reads everything once.
   *
   * @throws dev.spool.SpoolException when the management API cannot be read
   * @throws dev.spool.StateConnectionException when Redis cannot be reached
   */
  public SpoolStatus collect() {
    String prefix = namespace + ".";
    List<SpoolStatus.QueueStatus> queues =
        api.queues(vhost, prefix).stream()
            .map(q -> queue(q, prefix))
            // Retries leave delay queues behind for a while; empty ones only clutter the view.
            .filter(q -> !(q.role().equals("delay") && q.ready() == 0 && q.unacked() == 0))
            .toList();
    java.util.Map<String, String> names = api.connectionNames(vhost);
    List<SpoolStatus.ConsumerStatus> consumers =
        api.consumers(vhost, prefix).stream()
            .map(c -> consumer(c, names))
            .sorted(
                java.util.Comparator.comparing(SpoolStatus.ConsumerStatus::queue)
                    .thenComparing(SpoolStatus.ConsumerStatus::connection))
            .toList();
    try {
      return new SpoolStatus(
          clock.instant(),
          namespace,
          vhost,
          queues,
          consumers,
          state.locksHeld(),
          state.objects(objectLimit),
          delayed(queues, prefix),
          paused(queues, prefix),
          schedules(),
          dev.spool.producer.Schedules.of(state).leader().orElse(null),
          progress(),
          state.stateLost(),
          state.history().last(clock.instant(), 60).stream()
              .map(m -> new SpoolStatus.Minute(m.at(), m.succeeded(), m.failed()))
              .toList());
    } catch (dev.spool.SharedStateException e) {
      throw new dev.spool.core.SpoolConnectionException(
          e.getMessage() + "; status reads locks and shared objects from Redis", e);
    }
  }

  /** The most tasks listed as in progress. */
  static final int PROGRESS_LISTED = 20;

  /** Running kept tasks that reported progress, the latest report first. */
  private List<SpoolStatus.ProgressStatus> progress() {
    dev.spool.core.wire.JsonCodec codec = new dev.spool.core.wire.JsonCodec();
    List<SpoolStatus.ProgressStatus> out = new java.util.ArrayList<>();
    for (dev.spool.state.internal.TaskRecords.Record r :
        state.taskRecords().inProgress(PROGRESS_LISTED)) {
      try {
        var p = codec.tree(r.progress().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.add(
            new SpoolStatus.ProgressStatus(
                r.id(),
                r.name(),
                r.worker(),
                r.started(),
                p.path("done").asLong(),
                p.path("total").asLong(),
                p.hasNonNull("message") ? p.get("message").asText() : null));
      } catch (dev.spool.core.SpoolCodecException e) {
        // an unreadable report is not listed
      }
    }
    return out;
  }

  /** Delayed tasks in Redis for each work queue listed. */
  private List<SpoolStatus.DelayedStatus> delayed(
      List<SpoolStatus.QueueStatus> queues, String prefix) {
    List<SpoolStatus.DelayedStatus> out = new java.util.ArrayList<>();
    for (SpoolStatus.QueueStatus q : queues) {
      if (!q.role().equals("work")) continue;
      String name = q.name().substring((prefix + "work.").length());
      dev.spool.state.internal.SharedSchedule s =
          state.schedule(dev.spool.core.wire.Topology.delayedSchedule(name));
      long waiting = s.waiting();
      long moving = s.claimed();
      dev.spool.state.internal.SharedSchedule limited =
          state.schedule(dev.spool.core.wire.Topology.rateLimitedSchedule(name));
      long rateLimited = limited.waiting() + limited.claimed();
      if (waiting + moving + rateLimited > 0) {
        out.add(
            new SpoolStatus.DelayedStatus(
                name, waiting, moving, s.nextDue().orElse(null), rateLimited));
      }
    }
    return out;
  }

  /** The periodic schedules kept in Redis. */
  private List<SpoolStatus.ScheduledStatus> schedules() {
    return dev.spool.producer.Schedules.of(state).list().stream()
        .map(
            e ->
                new SpoolStatus.ScheduledStatus(
                    e.schedule().name(),
                    e.schedule().describe(),
                    e.schedule().task(),
                    e.schedule().queue(),
                    e.nextDue(),
                    e.lastFired(),
                    e.schedule().paused()))
        .toList();
  }

  /** Work queues listed whose pause flag is set in Redis. */
  private List<SpoolStatus.PausedStatus> paused(
      List<SpoolStatus.QueueStatus> queues, String prefix) {
    List<SpoolStatus.PausedStatus> out = new java.util.ArrayList<>();
    for (SpoolStatus.QueueStatus q : queues) {
      if (!q.role().equals("work")) continue;
      String name = q.name().substring((prefix + "work.").length());
      state
          .value(dev.spool.core.wire.Topology.pauseFlag(name), String.class)
          .get()
          .ifPresent(by -> out.add(new SpoolStatus.PausedStatus(name, by)));
    }
    return out;
  }

  private static SpoolStatus.QueueStatus queue(JsonNode q, String prefix) {
    String name = q.path("name").asText();
    String rest = name.substring(prefix.length());
    int dot = rest.indexOf('.');
    String role = dot < 0 ? "other" : rest.substring(0, dot);
    if (!List.of("work", "urgent", "dead", "delay", "reply").contains(role)) role = "other";
    JsonNode stats = q.path("message_stats");
    return new SpoolStatus.QueueStatus(
        name,
        role,
        q.path("type").asText("classic"),
        q.path("messages_ready").asLong(),
        q.path("messages_unacknowledged").asLong(),
        q.path("consumers").asInt(),
        stats.path("publish_details").path("rate").asDouble(),
        stats.path("deliver_get_details").path("rate").asDouble(),
        stats.path("ack_details").path("rate").asDouble());
  }

  private static SpoolStatus.ConsumerStatus consumer(
      JsonNode c, java.util.Map<String, String> names) {
    JsonNode ch = c.path("channel_details");
    String connection = ch.path("connection_name").asText();
    return new SpoolStatus.ConsumerStatus(
        c.path("queue").path("name").asText(),
        names.getOrDefault(connection, connection),
        c.path("consumer_tag").asText(),
        c.path("prefetch_count").asInt(),
        ch.path("peer_host").asText() + ":" + ch.path("peer_port").asText());
  }
}
