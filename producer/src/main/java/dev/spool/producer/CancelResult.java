package dev.spool.producer;

/** What cancelling one task id found ({@link QueueAdmin#cancelEach}). */
public enum CancelResult {
  /** A delayed task not yet due: removed from Redis, it never runs. */
  DELAYED_REMOVED,
  /** Its record says it waits or runs: it never runs, or is interrupted and ends as cancelled. */
  CANCELLED,
  /**
   * No record says whether it exists (only tasks whose result is kept have one): the cancel is
   * kept, so it never runs if it is queued, and is interrupted if it runs.
   */
  NO_RECORD,
  /** Its record says it has ended already: nothing was cancelled. */
  ENDED
}
