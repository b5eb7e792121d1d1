package dev.spool;

/**
 * Redis lost the namespace's shared state since this client (or another) first took a lock in it: a
 * restart without persistence, or a failover to a replica that had not received it. Values written
 * under locks may have gone back, so no lock is granted in the namespace until an operator accepts
 * the loss ({@link SharedState#acceptStateLoss()}, {@code spool-producer state accept-loss}).
 */
public class StateLostException extends SharedStateException {
  public StateLostException(String message) {
    super(message);
  }
}
