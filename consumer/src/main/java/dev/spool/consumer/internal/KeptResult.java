package dev.spool.consumer.internal;

/**
 * The two writes of a kept result, its reply and its record, made at once: the delivery is settled
 * once, when both have answered. Both stored: acked. The reply failed: back to its queue (a later
 * run finds the record and sends the result again). Only the record failed: the result reached its
 * caller, and the task comes back later, when Redis may take its record.
 */
final class KeptResult {
  private final Outcomes outcomes;
  private final Acks acks;
  private final Delivery d;
  private int waiting = 2; // guarded by this
  private boolean replyFailed; // guarded by this
  private Throwable recordError; // guarded by this

  KeptResult(Outcomes outcomes, Delivery d) {
    this.outcomes = outcomes;
    this.acks = outcomes.acks();
    this.d = d;
  }

  void replyConfirmed() {
    arrived(false, null);
  }

  void replyFailed(Exception e) {
    arrived(true, null);
  }

  void recordWritten() {
    arrived(false, null);
  }

  void recordFailed(Throwable e) {
    arrived(false, e);
  }

  private void arrived(boolean failedReply, Throwable failedRecord) {
    boolean reply;
    Throwable record;
    synchronized (this) {
      replyFailed |= failedReply;
      if (failedRecord != null) recordError = failedRecord;
      if (--waiting > 0) return;
      reply = replyFailed;
      record = recordError;
    }
    if (reply) acks.reject(d.tag(), true);
    else if (record != null) outcomes.requeueLater(d, record);
    else acks.ack(d.tag());
  }
}
