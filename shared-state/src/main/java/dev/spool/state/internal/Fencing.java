package dev.spool.state.internal;

import dev.spool.LockLease;
import dev.spool.LockLostException;
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
    String what = op + " " + target + " under lock '" + l.name() + "'";
    Redis.Acked acked =
        redis.acknowledged("fenced." + op, what, Scripts.FENCED, List.of(l.key(), target), argv);
    List<?> r = (List<?>) acked.result();
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
    redis.requireAcknowledged(acked, "the write " + what);
    return (Long) r.get(1);
  }
}
