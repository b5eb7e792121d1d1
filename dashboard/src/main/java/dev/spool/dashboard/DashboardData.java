package dev.spool.dashboard;

import dev.spool.core.DeadLetter;
import dev.spool.core.SpoolConfig;
import dev.spool.producer.CancelResult;
import dev.spool.producer.DeadLetters;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskPool;
import dev.spool.producer.TaskPoolConfig;
import dev.spool.producer.TaskStatus;
import dev.spool.producer.status.ManagementApi;
import dev.spool.producer.status.SpoolStatus;
import dev.spool.producer.status.StatusCollector;
import dev.spool.producer.status.WorkerReport;
import dev.spool.producer.status.Workers;
import dev.spool.state.internal.RedisState;
import dev.spool.state.internal.TaskHistory;
import dev.spool.state.internal.TaskRecords;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the dashboard reads and does, on one {@link Spool} (one AMQP connection, one Redis pool).
 * The status is read at most once a second whoever asks. Thread-safe.
 */
final class DashboardData implements AutoCloseable {
  /** The most dead letters listed per queue. */
  static final int DEAD_LISTED = 100;

  private static final Duration STATUS_FRESH = Duration.ofSeconds(1);

  private final Spool spool;
  private final SpoolConfig config;
  private final StatusCollector collector;
  private final Workers workers;
  private final Clock clock;
  private final DashboardConfig settings;
  private SpoolStatus status; // guarded by this
  private Instant statusAt = Instant.MIN;
  private TaskPool pool; // for cancels; opened on the first

  DashboardData(SpoolConfig config, ManagementApi api, DashboardConfig settings, Clock clock) {
    this.config = config;
    this.settings = settings;
    this.clock = clock;
    this.spool = Spool.connect(config);
    this.collector =
        new StatusCollector(
            api,
            RedisState.of(spool.state()),
            ManagementApi.vhost(config.amqpUri()),
            config.namespace(),
            50,
            clock);
    this.workers = new Workers(RedisState.of(spool.state()));
  }

  String namespace() {
    return config.namespace();
  }

  /** The status, read again when older than a second. */
  synchronized SpoolStatus status() {
    Instant now = clock.instant();
    if (status == null || Duration.between(statusAt, now).compareTo(STATUS_FRESH) >= 0) {
      status = collector.collect();
      statusAt = now;
    }
    return status;
  }

  List<WorkerReport> workers() {
    return workers.alive();
  }

  Workers.Pong ping(Duration wait) throws InterruptedException {
    return workers.ping(wait);
  }

  /**
   * Tasks succeeded and failed per minute over the last hour, as every consumer adds them to Redis:
   * full from the moment the dashboard starts.
   */
  List<TaskHistory.Minute> history() {
    return RedisState.of(spool.state()).history().last(clock.instant(), 60);
  }

  TaskStatus task(String id) {
    TaskRecords.requireId(id);
    return spool.result(id).status();
  }

  /** The most records read to list recent tasks (Redis keeps no index of them by time). */
  static final int RECENT_BUDGET = 2000;

  /** A kept task as the list of recent tasks shows it. */
  record RecentTask(
      String id,
      String name,
      String state,
      Instant submitted,
      Instant started,
      Instant finished,
      int attempts,
      String worker) {}

  private static final Set<String> STATES =
      Set.of(
          TaskRecords.PENDING,
          TaskRecords.SCHEDULED,
          TaskRecords.STARTED,
          TaskRecords.RETRYING,
          TaskRecords.SUCCEEDED,
          TaskRecords.FAILED,
          TaskRecords.CANCELLED,
          TaskRecords.DEAD);

  /** Up to 100 kept tasks, the most recent first, of {@code name} and {@code state} when given. */
  List<RecentTask> recent(String name, String state) {
    if (state != null && !STATES.contains(state)) {
      throw new IllegalArgumentException("no task state '" + state + "'; one of " + STATES);
    }
    return RedisState.of(spool.state())
        .taskRecords()
        .recent(name, state, 100, RECENT_BUDGET)
        .stream()
        .map(
            r ->
                new RecentTask(
                    r.id(),
                    r.name(),
                    r.state(),
                    r.submitted(),
                    r.started(),
                    r.finished(),
                    r.attempts(),
                    r.worker()))
        .toList();
  }

  /** A dead letter as the page shows it: its arguments cut short, or masked. */
  record DeadView(
      String taskId,
      String taskName,
      String reason,
      String errorType,
      String errorMessage,
      List<String> stack,
      int attempts,
      String worker,
      Instant at,
      String arguments) {}

  List<DeadView> dead(String queue) {
    try (DeadLetters d = spool.deadLetters(queue)) {
      List<DeadView> out = new ArrayList<>();
      for (DeadLetter l : d.list(DEAD_LISTED)) {
        out.add(
            new DeadView(
                l.taskId(),
                l.taskName(),
                String.valueOf(l.reason()),
                l.error() == null ? null : l.error().type(),
                l.error() == null ? null : l.error().message(),
                l.error() == null ? List.of() : l.error().stack(),
                l.attempts(),
                l.worker(),
                l.at(),
                arguments(l)));
      }
      return out;
    }
  }

  private String arguments(DeadLetter l) {
    if (l.taskName() != null && settings.maskedTasks().contains(l.taskName())) return "(masked)";
    return l.bodyPreview(settings.argumentsShown());
  }

  /** Replays the dead letters of {@code queue} with these ids, or all when {@code ids} is null. */
  int replay(String queue, Set<String> ids) {
    try (DeadLetters d = spool.deadLetters(queue)) {
      return d.replay(l -> ids == null || ids.contains(l.taskId()));
    }
  }

  long purge(String queue) {
    try (DeadLetters d = spool.deadLetters(queue)) {
      return d.purge();
    }
  }

  /** Cancels task {@code id}, unless its record says it has ended; says what it found. */
  synchronized CancelResult cancel(String id) {
    dev.spool.Names.taskId(id);
    if (pool == null) pool = spool.pool(TaskPoolConfig.builder().build());
    return pool.admin().cancelEach(List.of(id), Duration.ofDays(7)).get(id);
  }

  /** The work queues' short names, from the status. */
  List<String> workQueues() {
    String prefix = config.namespace() + ".work.";
    List<String> out = new ArrayList<>();
    for (SpoolStatus.QueueStatus q : status().queues()) {
      if (q.role().equals("work") && q.name().startsWith(prefix)) {
        String name = q.name().substring(prefix.length());
        out.add(name);
      }
    }
    return out;
  }

  Map<String, Object> redisInfo() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("objects", status().objects());
    return m;
  }

  @Override
  public synchronized void close() {
    if (pool != null) pool.close();
    spool.close();
  }
}
