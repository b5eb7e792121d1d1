package dev.spool.producer;

import dev.spool.core.SpoolConfig;
import java.time.Duration;

/**
 * A reader process for QueueIT: gets one item from a joinable queue and then hangs without marking
 * it done, until it is killed. Args: amqp-uri redis-uri namespace queue.
 */
public final class QueueReaderMain {
  public static void main(String[] args) throws InterruptedException {
    SpoolConfig config =
        SpoolConfig.builder().amqpUri(args[0]).redisUri(args[1]).namespace(args[2]).build();
    JoinableQueue<String> q = Spool.connect(config).joinableQueue(args[3], String.class);
    System.out.println("got " + q.get(Duration.ofMinutes(1)));
    Thread.currentThread().join(); // never marks it done
  }
}
