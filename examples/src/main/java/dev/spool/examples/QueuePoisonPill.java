package dev.spool.examples;

import dev.spool.producer.Spool;
import dev.spool.producer.SpoolProcess;
import dev.spool.producer.SpoolQueue;
import java.util.List;

/**
 * Example 3, {@code Queue} with a poison pill: a producer process puts 0..4 and then a pill; a
 * consumer process prints what it gets until the pill.
 *
 * <pre>
 * def producer(q): [q.put(i) for i in range(5)]; q.put(None)
 * def consumer(q):
 *     while (item := q.get()) is not None: print(f"got {item}")
 * </pre>
 */
public final class QueuePoisonPill {
  public static void main(String[] args) {
    String role = args.length > 0 ? args[0] : "parent";
    switch (role) {
      case "producer" -> {
        try (Spool spool = Spool.connect(Examples.config());
            SpoolQueue<Integer> q = spool.queue("example-3", Integer.class)) {
          for (int i = 0; i < 5; i++) q.put(i);
          q.close(1); // one pill: one reader stops
        }
      }
      case "consumer" -> {
        try (Spool spool = Spool.connect(Examples.config());
            SpoolQueue<Integer> q = spool.queue("example-3", Integer.class)) {
          for (Integer item : q.items()) Examples.say("got %d", item);
          Examples.say("consumer: poison pill, stopping");
        }
      }
      default -> {
        try (Spool spool = Spool.connect(Examples.config())) {
          SpoolProcess consumer = spool.process(QueuePoisonPill.class, "consumer");
          SpoolProcess producer = spool.process(QueuePoisonPill.class, "producer");
          Examples.joinAll(List.of(producer, consumer));
          try (SpoolQueue<Integer> q = spool.queue("example-3", Integer.class)) {
            q.delete();
            q.disconnect();
          }
        }
      }
    }
  }
}
