package dev.spool.consumer.internal;

import dev.spool.SharedStateException;
import dev.spool.state.internal.CrashRecords;
import java.util.Collection;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a task that kills its consumer from the tasks that were only beside it when the consumer
 * died. A task that comes back unacked (delivered again: its consumer died, or lost its connection)
 * is a suspect, unless a consumer that stopped or paused handed it back unstarted. A suspect runs
 * alone ({@link AloneGate}), and each lone start is counted in Redis ({@link CrashRecords}) and
 * forgotten when the task ends: a count that is still there when it comes back says its consumer
 * died while it ran alone. At {@link #CRASHES_ALONE} such deaths it is the culprit, dead-lettered
 * with that reason; the tasks that were only queued beside it run. Without Redis a suspect still
 * runs alone, uncounted: the work queue's delivery limit ends a culprit then.
 */
final class Suspects {
  private static final Logger log = LoggerFactory.getLogger(Suspects.class);

  /** Deaths of a consumer while a task ran alone on it that make the task the culprit. */
  static final int CRASHES_ALONE = 2;

  /** What a delivery is, for running it. */
  enum Verdict {
    /** Delivered for the first time, or handed back unstarted: runs beside the others. */
    INNOCENT,
    /** Came back unacked: runs alone, its start counted. */
    SUSPECT,
    /** Its consumer died {@link #CRASHES_ALONE} times while it ran alone: dead-lettered. */
    CULPRIT
  }

  /** The verdict on a delivery and how many times its consumer died while it ran alone. */
  record Check(Verdict verdict, long crashesAlone) {}

  private final Supplier<CrashRecords> records;

  Suspects(Supplier<CrashRecords> records) {
    this.records = records;
  }

  /** Judges a delivery: one round trip to Redis for one that came back, none for the others. */
  Check check(Delivery d) {
    if (!d.returned() || d.taskId() == null) return new Check(Verdict.INNOCENT, 0);
    try {
      CrashRecords.Returned r = records.get().check(d.taskId());
      if (r.handedBack()) return new Check(Verdict.INNOCENT, r.startedAlone());
      if (r.startedAlone() >= CRASHES_ALONE) return new Check(Verdict.CULPRIT, r.startedAlone());
      return new Check(Verdict.SUSPECT, r.startedAlone());
    } catch (SharedStateException e) {
      log.warn(
          "task {} came back unacked and Redis cannot say why ({}); it runs alone, uncounted",
          d.taskId(),
          e.getMessage());
      return new Check(Verdict.SUSPECT, 0);
    }
  }

  /** The suspect starts alone now: counted, so that a death from here on is its own. */
  void startAlone(Delivery d) {
    try {
      long n = records.get().startAlone(d.taskId());
      log.info(
          "task {} ({}) came back unacked (a consumer died or lost its connection holding it,"
              + " or it was on its way when one changed its prefetch window); running it alone"
              + " (lone start {} of at most {})",
          d.taskId(),
          d.taskName(),
          n,
          CRASHES_ALONE);
    } catch (SharedStateException e) {
      log.warn("cannot count the lone start of task {} ({})", d.taskId(), e.getMessage());
    }
  }

  /** A task that came back ended, however: its record goes. */
  void ended(Delivery d) {
    if (!d.returned() || d.taskId() == null) return;
    try {
      records.get().ended(d.taskId());
    } catch (SharedStateException e) {
      log.debug("cannot drop the returns record of task {}: {}", d.taskId(), e.getMessage());
    }
  }

  /**
   * Tasks about to be handed back unstarted (a stop, a pause): marked first, so that their next
   * delivery runs as innocent. Without Redis they run alone once instead, which is only slower.
   */
  void handedBack(Collection<String> ids) {
    try {
      records.get().handedBack(ids);
    } catch (SharedStateException e) {
      log.info("cannot mark {} task(s) as handed back ({})", ids.size(), e.getMessage());
    }
  }
}
