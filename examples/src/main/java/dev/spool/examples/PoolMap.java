package dev.spool.examples;

import dev.spool.consumer.cli.ConsumerMain;
import dev.spool.producer.Spool;
import dev.spool.producer.SpoolProcess;
import dev.spool.producer.TaskPool;
import java.util.List;
import java.util.stream.LongStream;

/**
 * Example 2, {@code Pool.map}: two consumer processes square 0..9; the results come back in order.
 *
 * <pre>
 * with Pool(2) as pool: print(pool.map(square, range(10)))
 * </pre>
 */
public final class PoolMap {
  public static void main(String[] args) {
    try (Spool spool = Spool.connect(Examples.config());
        TaskPool pool = spool.pool()) {
      List<SpoolProcess> consumers =
          List.of(spool.process(ConsumerMain.class), spool.process(ConsumerMain.class));
      // Like Pool(2): start once both workers are up. A pill is only for consumers started
      // before it, so a consumer still starting when the pills go out would never stop.
      while (pool.admin().consumerCount() < consumers.size()) Examples.sleep(100);
      System.out.println(pool.map("square", LongStream.range(0, 10).boxed().toList(), Long.class));
      pool.admin().stopConsumers(consumers.size()); // a poison pill each, behind the work
      Examples.joinAll(consumers);
    }
  }
}
