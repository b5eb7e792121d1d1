package dev.spool.examples;

import dev.spool.LockLease;
import dev.spool.LockTimeoutException;
import dev.spool.MultiLease;
import dev.spool.SharedState;
import dev.spool.producer.Spool;
import dev.spool.producer.SpoolProcess;
import java.time.Duration;
import java.util.List;

/**
 * Example 6b, the deadlock the multiprocessing docs warn about: two processes take locks a and b in
 * opposite orders. With a multi-lock ({@code state.locks("a", "b")}, taken in one canonical order)
 * both finish. With plain nested locks each holds one and waits for the other: instead of hanging,
 * the wait times out with an error naming the holder.
 *
 * <pre>
 * def p1(): with a: time.sleep(0.5); with b: ...
 * def p2(): with b: time.sleep(0.5); with a: ...   # deadlock
 * </pre>
 */
public final class Deadlock {
  private static final Duration WAIT = Duration.ofSeconds(3);
  private static final Duration LEASE = Duration.ofSeconds(10);

  public static void main(String[] args) {
    if (args.length == 3) {
      worker(args[0], args[1], args[2]);
      return;
    }
    try (Spool spool = Spool.connect(Examples.config())) {
      Examples.say("multi-lock, opposite orders:");
      Examples.joinAll(
          List.of(
              spool.process(Deadlock.class, "multi", "P1", "a,b"),
              spool.process(Deadlock.class, "multi", "P2", "b,a")));
      Examples.say("multi-lock: clean run");
      Examples.say("plain nested locks, opposite orders:");
      SpoolProcess p1 = spool.process(Deadlock.class, "nested", "P1", "a,b");
      SpoolProcess p2 = spool.process(Deadlock.class, "nested", "P2", "b,a");
      int c1 = p1.join(Duration.ofMinutes(1));
      int c2 = p2.join(Duration.ofMinutes(1));
      if (c1 == 3 || c2 == 3) {
        Examples.say("nested locks: the deadlock ended in a lock timeout, not a hang");
      } else {
        throw new IllegalStateException("expected a lock timeout, exits were " + c1 + " and " + c2);
      }
    }
  }

  private static void worker(String mode, String name, String order) {
    String[] locks = order.split(",");
    try (SharedState state = Examples.state()) {
      if (mode.equals("multi")) {
        try (MultiLease both = state.locks(locks).acquire(WAIT, LEASE)) {
          Examples.say("%s holds a and b (asked in the order %s)", name, order);
          Examples.sleep(300);
        }
        return;
      }
      try (LockLease first = state.lock(locks[0]).acquire(WAIT, LEASE)) {
        Examples.sleep(500); // the other process takes its first lock meanwhile
        try (LockLease second = state.lock(locks[1]).acquire(WAIT, LEASE)) {
          Examples.say("%s holds %s and %s", name, locks[0], locks[1]);
        }
      } catch (LockTimeoutException e) {
        Examples.say("%s: %s", name, e.getMessage());
        timedOut = true; // exit once the first lock is released, by the try above
      }
    }
    if (timedOut) System.exit(3);
  }

  private static boolean timedOut;
}
