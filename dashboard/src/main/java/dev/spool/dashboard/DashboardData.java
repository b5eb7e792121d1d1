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
import dev.spool.state.internal.TaskIndex;
import dev.spool.state.internal.TaskRecords;
import dev.spool.state.internal.Workflows;
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

  /**
   * Task {@code id} as the task page shows it: its kept record (state UNKNOWN when it has none),
   * its latest run from the task index (input, worker, run time, trace), and the workflow it is a
   * step of, when it is one.
   */
  TaskView task(String id) {
    TaskRecords.requireId(id);
    RedisState state = RedisState.of(spool.state());
    TaskStatus record = spool.result(id).status();
    TaskIndex.Entry run = state.taskIndex().read(id).map(this::masked).orElse(null);
    String workflow = null;
    int dot = id.lastIndexOf('.');
    if (dot > 0 && id.substring(dot + 1).matches("\\d{1,6}")) {
      String flow = id.substring(0, dot);
      if (state.workflows().exists(flow)) workflow = flow;
    }
    if ("workflow".equals(record.name())) workflow = id;
    return new TaskView(record, run, workflow, traceUrl(run));
  }

  /**
   * What the task page shows.
   *
   * @param record the kept record, state UNKNOWN when none
   * @param run the latest run from the task index, or null
   * @param workflow the workflow it is a step of (or is), or null
   * @param traceUrl a link to its run's trace, when the dashboard knows where traces are
   */
  record TaskView(TaskStatus record, TaskIndex.Entry run, String workflow, String traceUrl) {}

  private String traceUrl(TaskIndex.Entry run) {
    if (run == null || run.traceId() == null || settings.traceUrl() == null) return null;
    return settings.traceUrl().replace("{traceId}", run.traceId());
  }

  private TaskIndex.Entry masked(TaskIndex.Entry e) {
    String input = e.input();
    if (e.name() != null && settings.maskedTasks().contains(e.name())) input = "(masked)";
    else if (input != null && input.length() > settings.argumentsShown()) {
      input = input.substring(0, settings.argumentsShown()) + "…";
    }
    return new TaskIndex.Entry(
        e.id(),
        e.name(),
        e.queue(),
        e.state(),
        input,
        e.worker(),
        e.attempt(),
        e.queued(),
        e.started(),
        e.finished(),
        e.runMs(),
        e.traceId());
  }

  /**
   * A task as the list shows it: from the task index (every task a consumer started) or from its
   * kept record (tasks kept and not started yet, or started before the index had them).
   */
  record RecentTask(
      String id,
      String name,
      String state,
      String input,
      String worker,
      int attempts,
      Instant queued,
      Instant started,
      Instant finished,
      Long runMs) {
    Instant latest() {
      return finished != null ? finished : started != null ? started : queued;
    }
  }

  /** States the list filters by: a kept record's, and the index's. */
  static final Set<String> STATES =
      Set.of(
          TaskRecords.PENDING,
          TaskRecords.SCHEDULED,
          TaskRecords.STARTED,
          TaskRecords.RETRYING,
          TaskRecords.SUCCEEDED,
          TaskRecords.FAILED,
          TaskRecords.CANCELLED,
          TaskRecords.DEAD);

  /** The most records read to list kept tasks (Redis keeps no index of them by time). */
  static final int RECENT_BUDGET = 2000;

  /**
   * Up to 100 tasks, the most recent first, of {@code name} and {@code state} when given: every
   * task a consumer started (the task index), and the kept tasks not started yet.
   */
  List<RecentTask> recent(String name, String state) {
    if (state != null && !STATES.contains(state)) {
      throw new IllegalArgumentException("no task state '" + state + "'; one of " + STATES);
    }
    RedisState redis = RedisState.of(spool.state());
    Map<String, RecentTask> byId = new java.util.LinkedHashMap<>();
    for (TaskIndex.Entry e : redis.taskIndex().recent(name, state, 100)) {
      TaskIndex.Entry m = masked(e);
      byId.put(
          e.id(),
          new RecentTask(
              e.id(),
              e.name(),
              e.state(),
              m.input(),
              e.worker(),
              e.attempt(),
              e.queued(),
              e.started(),
              e.finished(),
              e.runMs()));
    }
    for (TaskRecords.Record r : redis.taskRecords().recent(name, state, 100, RECENT_BUDGET)) {
      if (byId.containsKey(r.id())) continue;
      byId.put(
          r.id(),
          new RecentTask(
              r.id(),
              r.name(),
              r.state(),
              null,
              r.worker(),
              r.attempts(),
              r.submitted(),
              r.started(),
              r.finished(),
              r.started() != null && r.finished() != null
                  ? java.time.Duration.between(r.started(), r.finished()).toMillis()
                  : null));
    }
    return byId.values().stream()
        .sorted(
            java.util.Comparator.comparing(
                    RecentTask::latest,
                    java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder()))
                .reversed())
        .limit(100)
        .toList();
  }

  /** Whether workflow {@code id} is stored (never submitted, or expired, when not). */
  boolean workflowExists(String id) {
    TaskRecords.requireId(id);
    return RedisState.of(spool.state()).workflows().exists(id);
  }

  /** Workflow {@code id} as its page draws it, or empty when unknown. */
  java.util.Optional<WorkflowView> workflow(String id) {
    TaskRecords.requireId(id);
    RedisState redis = RedisState.of(spool.state());
    var view = redis.workflows().read(id);
    if (view.isEmpty()) return java.util.Optional.empty();
    TaskStatus record = spool.result(id).status();
    List<WorkflowNode> nodes = new ArrayList<>();
    // A step's run (started? on which worker, for how long) is one Redis read: for the graph of
    // a workflow a page can draw, not for a chord of 100,000.
    boolean runs = view.get().nodes().size() <= GRAPH_NODES;
    for (var n : view.get().nodes()) {
      if (!n.kind().equals("task")) {
        nodes.add(new WorkflowNode(n.node(), n.kind(), null, null, null, n.children(), null));
        continue;
      }
      String stepId = view.get().stepId(n.node());
      String stepState = Workflows.stepState(view.get(), n);
      TaskIndex.Entry run = runs ? redis.taskIndex().read(stepId).orElse(null) : null;
      if (run != null && "pending".equals(stepState) && "started".equals(run.state())) {
        stepState = "started";
      }
      nodes.add(new WorkflowNode(n.node(), "task", n.name(), stepId, stepState, n.children(), run));
    }
    Map<String, Long> counts = new java.util.TreeMap<>();
    for (WorkflowNode n : nodes) if (n.state() != null) counts.merge(n.state(), 1L, Long::sum);
    return java.util.Optional.of(
        new WorkflowView(
            id,
            record.state().toString(),
            view.get().failedNode() < 0 ? null : view.get().stepId(view.get().failedNode()),
            record,
            runs ? nodes : List.of(), // too many to draw: the counts say it
            counts));
  }

  /** The most nodes of a workflow whose steps' runs are read and whose graph is drawn. */
  static final int GRAPH_NODES = 500;

  /**
   * A node of a workflow's graph: a task (its step id, state and latest run) or a chain or group
   * (its children, by node number).
   */
  record WorkflowNode(
      int node,
      String kind,
      String task,
      String id,
      String state,
      List<Integer> children,
      TaskIndex.Entry run) {}

  /** A workflow's page: its state, the step that failed it, its record and its nodes. */
  record WorkflowView(
      String id,
      String state,
      String failedStep,
      TaskStatus record,
      List<WorkflowNode> nodes,
      Map<String, Long> steps) {}

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
