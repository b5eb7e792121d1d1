package dev.spool.state;

import java.time.Duration;
import java.time.Instant;

/**
 * A lock held now, as Redis has it.
 *
 * @param name the lock's name
 * @param holder {@code host/pid thread} of the holder
 * @param acquiredAt when it was granted, by the holder's clock; null if unknown
 * @param expiresIn time left on its lease; null for none
 * @param readAt when this was read, by the reader's clock
 */
public record HeldLock(
    String name, String holder, Instant acquiredAt, Duration expiresIn, Instant readAt) {
  /** How long it has been held, or null if unknown (clocks of holder and reader may differ). */
  public Duration age() {
    if (acquiredAt == null) return null;
    Duration d = Duration.between(acquiredAt, readAt);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
