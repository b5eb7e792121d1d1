package dev.spool.producer.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spool.SpoolException;
import dev.spool.core.SpoolConfig;
import dev.spool.core.TaskTimeoutException;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.core.wire.JsonCodec;
import dev.spool.producer.AsyncResult;
import dev.spool.producer.CancelResult;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskOptions;
import dev.spool.producer.TaskPool;
import dev.spool.producer.TaskState;
import dev.spool.producer.TaskStatus;
import dev.spool.producer.Workflow;
import dev.spool.state.internal.RedisState;
import dev.spool.state.internal.Workflows;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool-producer workflow submit|status|cancel}: chains, groups and chords by hand. */
@Command(
    name = "workflow",
    mixinStandardHelpOptions = true,
    description = {
      "Workflows from the command line: submit one described in JSON, follow its steps, cancel"
          + " it. See docs/guides/workflows.md for the file's form."
    },
    subcommands = {
      WorkflowCommand.Submit.class,
      WorkflowCommand.Status.class,
      WorkflowCommand.Cancel.class
    })
final class WorkflowCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "name a command: submit, status or cancel");
  }

  @Command(
      name = "submit",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Submits the workflow FILE describes (- for stdin) and prints its id. Each step is"
            + " {\"task\": NAME, \"input\": VALUE, \"priority\": 1-9, \"rateKey\": KEY,"
            + " \"delay\": DURATION} (a task without \"input\" takes the previous result),"
            + " {\"chain\": [steps]}, {\"group\": [steps]} or {\"chord\": [steps], \"then\": step}.",
        "With --wait, waits for it to end and prints its result as spool-producer result does"
            + " (exit 0; 1 when it failed or was cancelled, with the failing step's id; 3 when it"
            + " had not ended by then).",
        "Example: spool-producer workflow submit flow.json --wait 5m"
      })
  static final class Submit implements Callable<Integer> {
    @Parameters(
        index = "0",
        paramLabel = "FILE",
        description = "The workflow, in JSON; - reads stdin.")
    String file;

    @Option(
        names = "--id",
        paramLabel = "ID",
        description = "The workflow's id (default: a new UUID); its steps are ID.<n>.")
    String id;

    @Option(
        names = "--keep-result",
        paramLabel = "DURATION",
        defaultValue = "1d",
        description = "How long its record and result are kept after it ends (default: 1d).")
    Duration keep;

    @Option(
        names = "--wait",
        paramLabel = "DURATION",
        description = "Wait up to this long for it to end, and print its result.")
    Duration wait;

    @Mixin PoolOptions pool = new PoolOptions();

    @Override
    public Integer call() throws IOException {
      Workflow flow = WorkflowFile.parse(read(file));
      TaskOptions options = TaskOptions.defaults().withKeepResult(keep);
      if (id != null) options = options.withId(dev.spool.Names.taskId(id));
      try (Spool spool = pool.connect();
          TaskPool p = spool.pool(pool.settings())) {
        String submitted = p.submit(flow, options);
        if (wait == null) {
          System.out.println(submitted);
          return 0;
        }
        System.err.println("workflow " + submitted + " submitted; waiting up to " + wait);
        AsyncResult r = spool.result(submitted);
        TaskStatus s;
        try {
          s = r.await(wait);
        } catch (TaskTimeoutException e) {
          s = r.status();
        }
        return report(s);
      }
    }

    private static String read(String file) throws IOException {
      if (file.equals("-")) {
        try (InputStream in = System.in) {
          return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
      Path p = Path.of(file);
      if (!Files.isRegularFile(p)) {
        throw new IllegalArgumentException("FILE: no such file: " + file);
      }
      return Files.readString(p);
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Prints workflow ID's state and each step's: its task, its id (ID.<n>) and whether it"
            + " succeeded, failed, was cancelled, is pending (sent or waiting for the steps"
            + " before it) or was not run (the workflow ended first). Needs only Redis.",
        "Exits 0 when the workflow succeeded, 1 when it failed, was cancelled or is unknown, 3"
            + " while it runs.",
        "Example: spool-producer workflow status 4d2d1b32-ba8c-4215-9c1d-2a9c340a5e68 --json"
      })
  static final class Status implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The workflow's id.")
    String id;

    @Option(names = "--json", description = "Print it as one JSON object, steps included.")
    boolean json;

    @Mixin ConnectionOptions connection = new ConnectionOptions();

    @Override
    public Integer call() {
      dev.spool.Names.taskId(id);
      SpoolConfig config = connection.toConfig(System.getenv());
      try (RedisState state = RedisState.connect(config.stateConfig())) {
        Optional<Workflows.View> view = state.workflows().read(id);
        TaskStatus s = AsyncResult.of(state, id).status();
        if (view.isEmpty()) {
          throw new SpoolException(
              "no workflow "
                  + id
                  + " in namespace "
                  + config.namespace()
                  + ": it was never submitted, or its record expired");
        }
        if (json) {
          System.out.println(json(view.get(), s));
        } else {
          System.out.println(
              "workflow " + id + ": " + s.state() + ", " + summary(view.get()) + " succeeded");
          print(view.get(), 0, 0);
          if (s.error() != null) {
            System.out.println("error: " + s.error().type() + ": " + s.error().messageOrEmpty());
          } else if (s.resultJson() != null) {
            System.out.println("result: " + s.resultJson());
          }
        }
        return exitCode(s);
      }
    }

    private static String summary(Workflows.View v) {
      long steps = v.nodes().stream().filter(n -> n.kind().equals("task")).count();
      long done = v.nodes().stream().filter(Workflows.NodeView::done).count();
      return done + " of " + steps + " steps";
    }

    private static void print(Workflows.View v, int node, int depth) {
      Workflows.NodeView n = v.nodes().get(node);
      String indent = "  ".repeat(depth);
      if (n.kind().equals("task")) {
        System.out.println(
            indent
                + n.name()
                + "  "
                + v.stepId(node)
                + "  "
                + Workflows.stepState(v, n)
                + (n.options() == null ? "" : "  " + n.options()));
      } else {
        System.out.println(indent + n.kind());
        for (int child : n.children()) print(v, child, depth + 1);
      }
    }

    private static String json(Workflows.View v, TaskStatus s) {
      JsonCodec codec = new JsonCodec();
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("id", v.id());
      o.put("state", s.state().toString());
      if (s.submitted() != null) o.put("submitted", s.submitted().toString());
      if (s.finished() != null) o.put("finished", s.finished().toString());
      if (s.resultJson() != null) {
        o.set("result", codec.tree(s.resultJson().getBytes(StandardCharsets.UTF_8)));
      }
      if (s.error() != null) o.set("error", codec.tree(codec.encode(s.error())));
      if (v.failedNode() >= 0) o.put("failedStep", v.stepId(v.failedNode()));
      ArrayNode nodes = o.putArray("nodes");
      for (Workflows.NodeView n : v.nodes()) {
        ObjectNode j = nodes.addObject();
        j.put("node", n.node());
        j.put("kind", n.kind());
        if (n.parent() >= 0) j.put("parent", n.parent());
        if (n.kind().equals("task")) {
          j.put("task", n.name());
          j.put("id", v.stepId(n.node()));
          j.put("state", Workflows.stepState(v, n));
          if (n.options() != null) {
            j.set("options", codec.tree(n.options().getBytes(StandardCharsets.UTF_8)));
          }
        } else {
          ArrayNode kids = j.putArray("children");
          n.children().forEach(kids::add);
        }
      }
      return o.toString();
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Cancels workflow ID: it advances no further, its record reads cancelled, and each of"
            + " its steps not yet ended is cancelled by id, as spool-producer cancel does (a"
            + " queued step never runs, a running one is interrupted). The cancel is kept for"
            + " --keep, so consumers started later honour it too.",
        "Exits 0 when it was cancelled, 1 when it had ended already or is unknown.",
        "Example: spool-producer workflow cancel 4d2d1b32-ba8c-4215-9c1d-2a9c340a5e68"
      })
  static final class Cancel implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ID", description = "The workflow's id.")
    String id;

    @Option(
        names = "--keep",
        paramLabel = "DURATION",
        defaultValue = "1d",
        description =
            "How long the steps' cancels are kept (default: ${DEFAULT-VALUE}, at most 90d).")
    Duration keep;

    @Mixin PoolOptions pool = new PoolOptions();

    @Override
    public Integer call() {
      dev.spool.Names.taskId(id);
      if (keep.isZero() || keep.isNegative() || keep.compareTo(Duration.ofDays(90)) > 0) {
        throw new IllegalArgumentException("--keep must be from 1ms to 90d, was " + keep);
      }
      try (Spool spool = pool.connect();
          TaskPool p = spool.pool(pool.settings())) {
        TaskStatus before = spool.result(id).status();
        if (before.state() == TaskState.UNKNOWN || !"workflow".equals(before.name())) {
          throw new SpoolException(
              "no workflow "
                  + id
                  + (before.state() == TaskState.UNKNOWN
                      ? ": it was never submitted, or its record expired"
                      : ": it is a task ("
                          + before.name()
                          + "); spool-producer cancel cancels it"));
        }
        CancelResult r = p.admin().cancelEach(List.of(id), keep).get(id);
        if (r == CancelResult.ENDED) {
          System.out.println(
              id + " already ended (" + spool.result(id).status().state() + "), not cancelled");
          return 1;
        }
        System.out.println(id + " cancelled, with its steps not yet ended");
        return 0;
      }
    }
  }

  /** Prints what a workflow that ended, or not, came to; the exit code says which. */
  private static int report(TaskStatus s) {
    switch (s.state()) {
      case SUCCEEDED -> System.out.println(s.resultJson());
      case FAILED, CANCELLED, DEAD ->
          System.err.println(
              "workflow "
                  + s.id()
                  + " "
                  + s.state()
                  + (s.error() == null
                      ? ""
                      : ": " + s.error().type() + ": " + s.error().messageOrEmpty()));
      default -> System.out.println(s.id() + " " + s.state() + " (not ended yet)");
    }
    return exitCode(s);
  }

  private static int exitCode(TaskStatus s) {
    if (s.state() == TaskState.SUCCEEDED) return 0;
    return s.state().ended() || s.state() == TaskState.UNKNOWN ? 1 : ResultCommand.EXIT_NOT_ENDED;
  }
}
