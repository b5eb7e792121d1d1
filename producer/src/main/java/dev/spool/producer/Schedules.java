package dev.spool.producer;

import dev.spool.SharedState;
import dev.spool.StateConnectionException;
import dev.spool.core.SpoolConnectionException;
import dev.spool.state.internal.RedisState;
import dev.spool.state.internal.SharedTimetable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The periodic schedules of a namespace, kept in Redis: add, list, pause, resume and remove them
 * from any process. A running {@link Scheduler} (any number may run; one fires) publishes each
 * occurrence.
 *
 * <pre>{@code
 * Schedules schedules = spool.schedules();
 * schedules.add(Schedule.cron("nightly-report", "0 2 * * *", "report", null));
 * schedules.pause("nightly-report");
 * }</pre>
 *
 * <p>Thread-safe. Redis errors surface as {@link SpoolConnectionException}.
 */
public final class Schedules {
  /** The name of the timetable (in the namespace) the schedules are kept in. */
  static final String TIMETABLE = "schedules";

  /** The lock whose holder fires the schedules. */
  static final String LOCK = "scheduler";

  private final RedisState state;
  private final SharedTimetable table;

  private Schedules(RedisState state) {
    this.state = state;
    this.table = state.timetable(TIMETABLE);
  }

  /**
   * The schedules of the namespace {@code state} works in, for a process that needs only Redis; a
   * program with a {@link Spool} uses {@link Spool#schedules()}.
   */
  public static Schedules of(SharedState state) {
    return new Schedules(RedisState.of(state));
  }

  /**
   * A stored schedule, when it next falls due and when it last fired.
   *
   * @param nextDue null when it will not fire again (a cron expression with no later time)
   * @param lastFired null until it first fires
   */
  public record Entry(Schedule schedule, Instant nextDue, Instant lastFired) {}

  /**
   * Adds {@code schedule}, or replaces the one of the same name. Adding one equal to the one stored
   * changes nothing, so an application may add its schedules at every start.
   *
   * @return true when it was new or changed
   */
  public boolean add(Schedule schedule) {
    String def = schedule.toJson();
    return call(
        "add schedule " + schedule.name(),
        () -> {
          Optional<String> old = table.definition(schedule.name());
          if (old.isPresent() && old.get().equals(def)) return false;
          table.put(schedule.name(), def, schedule.nextAfter(Instant.now()));
          return true;
        });
  }

  /** Removes schedule {@code name}; false when there was none. Occurrences fired still run. */
  public boolean remove(String name) {
    return call("remove schedule " + name, () -> table.remove(name));
  }

  public Optional<Entry> get(String name) {
    return call("read schedule " + name, () -> table.get(name).map(Schedules::entry));
  }

  /** Every schedule, by name. */
  public List<Entry> list() {
    return call(
        "read the schedules",
        () -> {
          List<Entry> out = new ArrayList<>();
          for (Map.Entry<String, SharedTimetable.Entry> e : table.all().entrySet()) {
            out.add(entry(e.getValue()));
          }
          return out;
        });
  }

  /**
   * Pauses schedule {@code name}: its occurrences are skipped until {@link #resume}.
   *
   * @return false when it was paused already
   * @throws IllegalArgumentException when there is no such schedule
   */
  public boolean pause(String name) {
    Schedule s = require(name);
    if (s.paused()) return false;
    call("pause schedule " + name, () -> table.redefine(name, s.withPaused(true).toJson()));
    return true;
  }

  /**
   * Resumes schedule {@code name} from its next occurrence after now; none skipped while paused is
   * fired late.
   *
   * @return false when it was not paused
   * @throws IllegalArgumentException when there is no such schedule
   */
  public boolean resume(String name) {
    Schedule s = require(name);
    if (!s.paused()) return false;
    Schedule r = s.withPaused(false);
    call(
        "resume schedule " + name,
        () -> {
          table.put(name, r.toJson(), r.nextAfter(Instant.now()));
          return null;
        });
    return true;
  }

  /** Who fires the schedules now ({@code host/pid thread}), if a scheduler runs. */
  public Optional<String> leader() {
    return call("read the scheduler lock", () -> state.lock(LOCK).holder());
  }

  private Schedule require(String name) {
    return get(name)
        .map(Entry::schedule)
        .orElseThrow(() -> new IllegalArgumentException("there is no schedule '" + name + "'"));
  }

  private static Entry entry(SharedTimetable.Entry e) {
    return new Entry(Schedule.fromJson(e.name(), e.definition()), e.nextDue(), e.lastFired());
  }

  private static <T> T call(String what, Supplier<T> op) {
    try {
      return op.get();
    } catch (StateConnectionException e) {
      throw new SpoolConnectionException("cannot " + what + " in Redis: " + e.getMessage(), e);
    }
  }
}
