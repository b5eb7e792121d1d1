package dev.spool;

/** A lock could not be taken within the wait given. Names the lock and, when known, its holder. */
public class LockTimeoutException extends SpoolTimeoutException {
  private final String lockName;
  private final String holder;

  public LockTimeoutException(String lockName, String holder, java.time.Duration waited) {
    super(
        "timed out after "
            + waited
            + " waiting for lock '"
            + lockName
            + "'"
            + (holder == null ? "" : " held by " + holder));
    this.lockName = lockName;
    this.holder = holder;
  }

  public String lockName() {
    return lockName;
  }

  /** Who held the lock when the wait ended, or null when it was free by then. */
  public String holder() {
    return holder;
  }
}
