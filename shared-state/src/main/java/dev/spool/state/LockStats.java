package dev.spool.state;

import java.time.Duration;

/**
 * Wait and hold times of one lock in this process, for metrics.
 *
 * @param name the lock
 * @param acquired grants
 * @param timeouts waits that ran out
 * @param lost leases found lost (at a fenced write, a renewal or the release)
 * @param totalWait summed wait before grants
 * @param maxWait longest wait before a grant
 * @param totalHold summed hold time of released leases
 * @param maxHold longest hold
 */
public record LockStats(
    String name,
    long acquired,
    long timeouts,
    long lost,
    Duration totalWait,
    Duration maxWait,
    Duration totalHold,
    Duration maxHold) {}
