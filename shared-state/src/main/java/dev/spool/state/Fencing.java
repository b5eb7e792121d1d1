package dev.spool.state;

import java.util.ArrayList;
import java.util.List;

/**
 * Writes applied only while a lease still holds, checked inside Redis by {@link Scripts#FENCED}.
 */
final class Fencing {
  private Fencing() {}

  /** Returns the write's result; throws {@link LockLostException} when the lease is gone. */
  static long write(Redis redis, LockLease lease, String target, String op, String... args) {
    DefaultLease l = DefaultLease.of(lease);
    List<String> argv = new ArrayList<>(args.length + 2);
    argv.add(l.value());
    argv.add(op);
    argv.addAll(List.of(args));
    List<?> r =
        (List<?>)
            redis.call(
                "fenced." + op,
                op + " " + target + " under lock '" + l.name() + "'",
                j -> Scripts.FENCED.run(j, List.of(l.key(), target), argv));
    long status = (Long) r.getFirst();
    if (status == 0) {
      l.markLost();
      throw new LockLostException(
          "write to '"
              + target
              + "' refused: the lease on lock '"
              + l.name()
              + "' (fencing token "
              + l.fencingToken()
              + ") is no longer held");
    }
    if (status == 2) {
      throw new IndexOutOfBoundsException(
          "index " + args[0] + " out of range for list '" + target + "' of size " + r.get(1));
    }
    return (Long) r.get(1);
  }
}
