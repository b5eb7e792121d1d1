package dev.spool;

/**
 * A lease is no longer held: it expired (its holder was paused or slow past the lease) and possibly
 * another holder has the lock now. Writes fenced by the lease are refused with this exception, and
 * closing such a lease throws it, leaving the next holder's lock alone.
 */
public class LockLostException extends SharedStateException {
  public LockLostException(String message) {
    super(message);
  }
}
