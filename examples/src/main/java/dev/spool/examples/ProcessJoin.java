package dev.spool.examples;

import dev.spool.producer.Spool;
import dev.spool.producer.SpoolProcess;
import java.util.ArrayList;
import java.util.List;

/**
 * Example 1, {@code Process} and {@code join}: three worker processes each log their start, sleep 2
 * s, log their end; the parent joins them.
 *
 * <pre>
 * def worker(n): print(f"worker {n} start"); time.sleep(2); print(f"worker {n} end")
 * ps = [Process(target=worker, args=(n,)) for n in range(3)]; [p.start() for p in ps]; [p.join() for p in ps]
 * </pre>
 */
public final class ProcessJoin {
  public static void main(String[] args) {
    if (args.length == 2 && args[0].equals("worker")) {
      Examples.say("worker %s start (pid %d)", args[1], ProcessHandle.current().pid());
      Examples.sleep(2000);
      Examples.say("worker %s end", args[1]);
      return;
    }
    List<SpoolProcess> workers = new ArrayList<>();
    try (Spool spool = Spool.connect(Examples.config())) {
      for (int n = 0; n < 3; n++) workers.add(spool.process(ProcessJoin.class, "worker", "" + n));
      Examples.joinAll(workers);
    }
    Examples.say("joined all 3 workers");
  }
}
