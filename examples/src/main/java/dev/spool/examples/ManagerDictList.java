package dev.spool.examples;

import dev.spool.SharedDict;
import dev.spool.SharedList;
import dev.spool.SharedState;
import dev.spool.producer.Spool;
import dev.spool.producer.SpoolProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Example 5, {@code Manager().dict()} and {@code .list()}: four processes each write their square
 * into a shared dict and append their name to a shared list; the parent prints both.
 *
 * <pre>
 * def f(d, l, i): d[i] = i * i; l.append(i)
 * with Manager() as m: d, l = m.dict(), m.list(); ...4 processes...; print(d, sorted(l))
 * </pre>
 */
public final class ManagerDictList {
  public static void main(String[] args) {
    try (SharedState state = Examples.state()) {
      SharedDict<Integer, Integer> d = state.dict("example-5", Integer.class, Integer.class);
      SharedList<Integer> l = state.list("example-5", Integer.class);
      if (args.length == 2 && args[0].equals("worker")) {
        int i = Integer.parseInt(args[1]);
        d.put(i, i * i);
        l.append(i);
        return;
      }
      d.clear();
      l.clear();
      List<SpoolProcess> workers = new ArrayList<>();
      try (Spool spool = Spool.connect(Examples.config())) {
        for (int i = 0; i < 4; i++) {
          workers.add(spool.process(ManagerDictList.class, "worker", "" + i));
        }
        Examples.joinAll(workers);
      }
      Examples.say("dict %s", new TreeMap<>(d.entries()));
      Examples.say("list %s", l.range(0, l.size()).stream().sorted().toList());
      d.clear();
      l.clear();
    }
  }
}
