package dev.spool.producer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.core.wire.JsonCodec;
import dev.spool.producer.Schedule;
import dev.spool.producer.Schedules;
import dev.spool.state.internal.RedisState;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spool-producer schedule add|list|remove|pause|resume}: periodic schedules in Redis. */
@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Manages periodic schedules, kept in Redis: a task on a cron expression or every fixed"
          + " period. A running spool-scheduler (any number may run; one fires) publishes each"
          + " occurrence to the schedule's work queue; consumers run it as any task.",
      "Examples: spool-producer schedule add nightly --task report --cron '0 2 * * *'"
          + " --zone Europe/Paris",
      "          spool-producer schedule add heartbeat --task ping --every 5m",
      "          spool-producer schedule list"
    },
    subcommands = {
      ScheduleCommand.Add.class,
      ScheduleCommand.ListCommand.class,
      ScheduleCommand.Remove.class,
      ScheduleCommand.Pause.class,
      ScheduleCommand.Resume.class
    })
final class ScheduleCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "name a command: add, list, remove, pause or resume");
  }

  /** Redis alone: schedules need no broker. */
  static final class Store {
    @Mixin ConnectionOptions connection = new ConnectionOptions();

    RedisState open() {
      return RedisState.connect(connection.toConfig(System.getenv()).stateConfig());
    }
  }

  static final class When {
    @Option(
        names = "--cron",
        paramLabel = "EXPR",
        required = true,
        description =
            "Five-field cron expression: minute hour day-of-month month day-of-week, e.g."
                + " '0 2 * * *' (02:00 every day), '*/15 * * * 1-5'.")
    String cron;

    @Option(
        names = "--every",
        paramLabel = "DURATION",
        required = true,
        description =
            "A fixed period, 1s to 366d, falling on multiples of it since 1970-01-01T00:00Z"
                + " (--every 1h: on the hour).")
    Duration every;
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Adds schedule NAME, or replaces the one of that name (adding an equal one changes"
            + " nothing). Prints what it will run and when it next falls due."
      })
  static final class Add implements Callable<Integer> {
    @Parameters(
        index = "0",
        paramLabel = "NAME",
        description = "1 to 128 letters, digits, '.', '-', '_'.")
    String name;

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "Task name.")
    String task;

    @Option(
        names = "--input",
        paramLabel = "JSON",
        defaultValue = "null",
        description = "The task's input as JSON (default ${DEFAULT-VALUE}).")
    String input;

    @ArgGroup(exclusive = true, multiplicity = "1")
    When when;

    @Option(
        names = "--zone",
        paramLabel = "ZONE",
        description =
            "Time zone the cron expression is read in, e.g. Europe/Paris (default UTC)."
                + " Daylight saving: a time that does not exist that day is skipped; one that"
                + " happens twice fires once.")
    String zone;

    @Option(
        names = "--missed",
        paramLabel = "once|skip",
        defaultValue = "once",
        description =
            "Occurrences missed by more than a minute while no scheduler ran: once fires one"
                + " for all of them, skip fires none (default ${DEFAULT-VALUE}).")
    Schedule.Missed missed;

    @Option(names = "--paused", description = "Add it paused.")
    boolean paused;

    @Mixin QueueOption queue = new QueueOption();

    @Mixin Store store = new Store();

    @Override
    public Integer call() {
      JsonNode value = ApplyCommand.input(new JsonCodec(), input);
      Schedule s =
          when.cron != null
              ? Schedule.cron(name, when.cron, task, value)
              : Schedule.every(name, when.every, task, value);
      if (zone != null) {
        if (when.cron == null) throw new IllegalArgumentException("--zone goes with --cron");
        try {
          s = s.withZone(ZoneId.of(zone));
        } catch (DateTimeException e) {
          throw new IllegalArgumentException(
              "--zone: '" + zone + "' is not a time zone (e.g. Europe/Paris, UTC)", e);
        }
      }
      s = s.withQueue(queue.queue).withMissed(missed).withPaused(paused);
      try (RedisState state = store.open()) {
        Schedules schedules = Schedules.of(state);
        boolean changed = schedules.add(s);
        Schedules.Entry e = schedules.get(name).orElseThrow();
        System.out.println(
            "schedule "
                + name
                + (changed ? " added" : " unchanged")
                + ": "
                + s.describe()
                + ", task "
                + s.task()
                + " on "
                + s.queue()
                + (s.paused() ? ", paused" : "")
                + ", next at "
                + (e.nextDue() == null ? "never" : e.nextDue()));
        if (schedules.leader().isEmpty()) {
          System.err.println(
              "spool-producer: no spool-scheduler is running: nothing fires until one starts");
        }
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Lists the schedules: name, when, task, queue, next due, last fired, state; and which"
            + " scheduler fires them."
      })
  static final class ListCommand implements Callable<Integer> {
    @Option(names = "--json", description = "One JSON object, for scripts.")
    boolean json;

    @Mixin Store store = new Store();

    @Override
    public Integer call() {
      try (RedisState state = store.open()) {
        Schedules schedules = Schedules.of(state);
        List<Schedules.Entry> all = schedules.list();
        String leader = schedules.leader().orElse(null);
        if (json) {
          ObjectNode o = JsonNodeFactory.instance.objectNode();
          o.put("scheduler", leader);
          ArrayNode a = o.putArray("schedules");
          for (Schedules.Entry e : all) {
            Schedule s = e.schedule();
            ObjectNode n = a.addObject();
            n.put("name", s.name());
            n.put("task", s.task());
            n.set("input", s.input());
            n.put("cron", s.cron());
            n.put("every", s.every() == null ? null : dev.spool.Durations.format(s.every()));
            n.put("zone", s.zone().getId());
            n.put("queue", s.queue());
            n.put("missed", s.missed().name().toLowerCase(java.util.Locale.ROOT));
            n.put("paused", s.paused());
            n.put("nextDue", e.nextDue() == null ? null : e.nextDue().toString());
            n.put("lastFired", e.lastFired() == null ? null : e.lastFired().toString());
          }
          System.out.println(o);
          return 0;
        }
        System.out.println(
            leader == null
                ? "scheduler: none running (schedules do not fire until spool-scheduler starts)"
                : "scheduler: " + leader);
        if (all.isEmpty()) {
          System.out.println("no schedules");
          return 0;
        }
        String fmt = "%-20s %-28s %-16s %-10s %-22s %-22s %s%n";
        System.out.printf(fmt, "NAME", "WHEN", "TASK", "QUEUE", "NEXT", "LAST", "STATE");
        for (Schedules.Entry e : all) {
          Schedule s = e.schedule();
          System.out.printf(
              fmt,
              s.name(),
              s.describe(),
              s.task(),
              s.queue(),
              e.nextDue() == null ? "-" : e.nextDue().toString(),
              e.lastFired() == null ? "-" : e.lastFired().toString(),
              s.paused() ? "paused" : "active");
        }
      }
      return 0;
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = {"Removes schedules. Occurrences already fired still run."})
  static final class Remove implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "NAME")
    List<String> names;

    @Mixin Store store = new Store();

    @Override
    public Integer call() {
      int missing = 0;
      try (RedisState state = store.open()) {
        Schedules schedules = Schedules.of(state);
        for (String n : names) {
          boolean removed = schedules.remove(n);
          if (!removed) missing++;
          System.out.println("schedule " + n + (removed ? " removed" : ": no such schedule"));
        }
      }
      return missing == 0 ? 0 : 1;
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = {"Pauses a schedule: its occurrences are skipped until resumed."})
  static final class Pause implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Mixin Store store = new Store();

    @Override
    public Integer call() {
      try (RedisState state = store.open()) {
        boolean done = Schedules.of(state).pause(name);
        System.out.println("schedule " + name + (done ? " paused" : " already paused"));
      }
      return 0;
    }
  }

  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = {
        "Resumes a paused schedule from its next occurrence; none skipped while paused fires."
      })
  static final class Resume implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Mixin Store store = new Store();

    @Override
    public Integer call() {
      try (RedisState state = store.open()) {
        Schedules schedules = Schedules.of(state);
        boolean done = schedules.resume(name);
        Instant next = schedules.get(name).map(Schedules.Entry::nextDue).orElse(null);
        System.out.println(
            "schedule "
                + name
                + (done ? " resumed, next at " + (next == null ? "never" : next) : " not paused"));
      }
      return 0;
    }
  }
}
