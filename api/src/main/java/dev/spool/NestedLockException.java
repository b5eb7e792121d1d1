package dev.spool;

/**
 * In strict mode, a thread took a lock while holding another outside a multi-lock: nested locks
 * taken in different orders by different holders deadlock. Take them together with {@link
 * SharedState#locks(String...)}.
 */
public class NestedLockException extends SharedStateException {
  public NestedLockException(String message) {
    super(message);
  }
}
