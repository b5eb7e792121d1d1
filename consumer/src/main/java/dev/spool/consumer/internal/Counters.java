package dev.spool.consumer.internal;

import dev.spool.consumer.ConsumerStats;
import java.util.concurrent.atomic.LongAdder;

/** What a consumer did, counted as it happens. Thread-safe. */
public final class Counters {
  final LongAdder received = new LongAdder();
  final LongAdder succeeded = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder handedBack = new LongAdder();
  final LongAdder expired = new LongAdder();
  final LongAdder stalePills = new LongAdder();
  final LongAdder retried = new LongAdder();
  final LongAdder deadLettered = new LongAdder();
  final LongAdder timedOut = new LongAdder();
  final LongAdder requeued = new LongAdder();
  final LongAdder idempotentSkips = new LongAdder();

  public ConsumerStats snapshot() {
    return new ConsumerStats(
        received.sum(),
        succeeded.sum(),
        failed.sum(),
        rejected.sum(),
        handedBack.sum(),
        expired.sum(),
        stalePills.sum(),
        retried.sum(),
        deadLettered.sum(),
        timedOut.sum(),
        requeued.sum(),
        idempotentSkips.sum());
  }
}
