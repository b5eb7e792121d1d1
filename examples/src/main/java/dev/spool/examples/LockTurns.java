package dev.spool.examples;

import dev.spool.LockLease;
import dev.spool.SharedList;
import dev.spool.SharedState;
import dev.spool.producer.Spool;
import java.time.Duration;
import java.util.List;

/**
 * Example 6a, {@code Lock} with {@code with lock:}: two processes take one lock in turn, three
 * times each, and record when they are in and out; the turns never overlap.
 *
 * <pre>
 * def f(lock, name):
 *     for _ in range(3):
 *         with lock: print(f"{name} in"); time.sleep(0.1); print(f"{name} out")
 * </pre>
 */
public final class LockTurns {
  public static void main(String[] args) {
    try (SharedState state = Examples.state()) {
      SharedList<String> log = state.list("example-6a", String.class);
      if (args.length == 2 && args[0].equals("worker")) {
        for (int turn = 0; turn < 3; turn++) {
          try (LockLease lease =
              state.lock("example-6a").acquire(Duration.ofSeconds(10), Duration.ofSeconds(5))) {
            log.append(args[1] + " in");
            Examples.sleep(100);
            log.append(args[1] + " out");
          }
        }
        return;
      }
      log.clear();
      try (Spool spool = Spool.connect(Examples.config())) {
        Examples.joinAll(
            List.of(
                spool.process(LockTurns.class, "worker", "A"),
                spool.process(LockTurns.class, "worker", "B")));
      }
      List<String> turns = log.range(0, log.size());
      turns.forEach(t -> Examples.say("%s", t));
      for (int i = 0; i < turns.size(); i += 2) {
        String who = turns.get(i).split(" ")[0];
        if (!turns.get(i + 1).equals(who + " out")) {
          throw new IllegalStateException("turns overlapped: " + turns);
        }
      }
      Examples.say("%d turns, none overlapped", turns.size() / 2);
      log.clear();
    }
  }
}
