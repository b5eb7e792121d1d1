package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.SpoolException;
import dev.spool.core.QueueClosedException;
import dev.spool.core.QueueEmptyException;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpoolServicesExtension.class)
final class QueueIT {
  private static <T> SpoolQueue<T> queue(SpoolTestEnv env, String name, Class<T> type) {
    SpoolQueue<T> q = TestSpools.connect(env).queue(name, type);
    env.track(q.queueName());
    return q;
  }

  private static <T> JoinableQueue<T> joinable(SpoolTestEnv env, String name, Class<T> type) {
    JoinableQueue<T> q = TestSpools.connect(env).joinableQueue(name, type);
    env.track(q.queueName());
    return q;
  }

  @Test
  void putThenGet_keepsEachWritersOrder_andSizeCountsWhatWaits(SpoolTestEnv env) {
    try (SpoolQueue<Integer> writer = queue(env, "numbers", Integer.class);
        SpoolQueue<Integer> reader = queue(env, "numbers", Integer.class)) {
      for (int i = 0; i < 100; i++) writer.put(i);
      assertEquals(100, writer.size());
      List<Integer> got = new ArrayList<>();
      for (int i = 0; i < 100; i++) got.add(reader.get(Duration.ofSeconds(10)));
      assertEquals(IntStream.range(0, 100).boxed().toList(), got);
      assertEquals(0, writer.size());
      writer.disconnect(); // no pills: nothing was meant to stop
    }
  }

  @Test
  void closeWithPills_stopsEveryReader_afterTheItemsPutBefore(SpoolTestEnv env) throws Exception {
    int readers = 3;
    List<CompletableFuture<List<String>>> reads = new ArrayList<>();
    List<SpoolQueue<String>> handles = new ArrayList<>();
    var threads = java.util.concurrent.Executors.newFixedThreadPool(readers);
    for (int r = 0; r < readers; r++) {
      SpoolQueue<String> q = queue(env, "words", String.class);
      handles.add(q);
      reads.add(
          CompletableFuture.supplyAsync(
              () -> {
                List<String> mine = new ArrayList<>();
                for (String s : q.items()) mine.add(s);
                return mine;
              },
              threads));
    }
    try (SpoolQueue<String> writer = queue(env, "words", String.class)) {
      for (int i = 0; i < 30; i++) writer.put("w" + i);
      await().atMost(Duration.ofSeconds(10)).until(() -> writer.readers() == readers);
      writer.close(); // one pill per reader subscribed now: 3
    }
    List<String> all = new ArrayList<>();
    for (CompletableFuture<List<String>> f : reads) all.addAll(f.get(30, TimeUnit.SECONDS));
    Collections.sort(all, (a, b) -> Integer.compare(num(a), num(b)));
    assertEquals(IntStream.range(0, 30).mapToObj(i -> "w" + i).toList(), all, "each item once");
    threads.shutdown();
    for (SpoolQueue<String> q : handles) {
      assertThrows(QueueClosedException.class, () -> q.get(Duration.ofMillis(10)));
      q.disconnect();
    }
  }

  @Test
  void get_onAnEmptyQueue_timesOut_andGetNowaitThrowsAtOnce(SpoolTestEnv env) {
    try (SpoolQueue<String> q = queue(env, "empty", String.class)) {
      long t0 = System.nanoTime();
      QueueEmptyException e =
          assertThrows(QueueEmptyException.class, () -> q.get(Duration.ofMillis(300)));
      assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(300).toNanos());
      assertTrue(e.getMessage().contains(q.queueName()), e.getMessage());
      assertThrows(QueueEmptyException.class, q::getNowait);
      q.put("here");
      await().atMost(Duration.ofSeconds(5)).until(() -> nowait(q) != null);
    }
  }

  @Test
  void joinable_itemNotMarkedDone_goesBackWhenItsReaderDies(SpoolTestEnv env) {
    try (JoinableQueue<String> writer = joinable(env, "jobs", String.class);
        JoinableQueue<String> second = joinable(env, "jobs", String.class)) {
      writer.put("only job");
      JoinableQueue<String> first = joinable(env, "jobs", String.class);
      assertEquals("only job", first.get(Duration.ofSeconds(10)));
      first.disconnect(); // dies between get and taskDone
      assertEquals("only job", second.get(Duration.ofSeconds(10)), "not lost");
      assertEquals(1, writer.unfinished());
      second.taskDone();
      writer.join(Duration.ofSeconds(5));
      assertEquals(0, writer.unfinished());
      assertThrows(IllegalStateException.class, second::taskDone);
      writer.disconnect();
    }
  }

  @Test
  void joinable_readerProcessKilledBeforeTaskDone_itsItemGoesToAnotherReader(SpoolTestEnv env) {
    try (JoinableQueue<String> writer = joinable(env, "crash", String.class)) {
      writer.put("survives");
      SpoolProcess reader =
          TestSpools.connect(env)
              .process(
                  QueueReaderMain.class,
                  env.config().amqpUri().toString(),
                  env.config().redisUri().toString(),
                  env.namespace(),
                  "crash");
      try {
        // the reader process holds the item: none waits in the queue, one is unfinished
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> writer.size() == 0 && writer.readers() == 1);
        assertEquals(1, writer.unfinished());
      } finally {
        reader.kill(); // SIGKILL between get and taskDone
      }
      reader.join(Duration.ofSeconds(30));
      try (JoinableQueue<String> next = joinable(env, "crash", String.class)) {
        assertEquals("survives", next.get(Duration.ofSeconds(30)));
        next.taskDone();
        writer.join(Duration.ofSeconds(5));
        next.disconnect();
      }
      writer.disconnect();
    }
  }

  @Test
  void joinable_joinReturnsOnlyOnceEveryItemIsDone(SpoolTestEnv env) throws Exception {
    try (JoinableQueue<Integer> writer = joinable(env, "batch", Integer.class);
        JoinableQueue<Integer> reader =
            TestSpools.connect(env).joinableQueue("batch", Integer.class, 3)) {
      for (int i = 0; i < 3; i++) writer.put(i);
      CompletableFuture<Void> joined = CompletableFuture.runAsync(writer::join);
      for (int i = 0; i < 3; i++) assertEquals(i, reader.get(Duration.ofSeconds(10)));
      reader.taskDone();
      reader.taskDone();
      SpoolException notYet =
          assertThrows(SpoolException.class, () -> writer.join(Duration.ofMillis(300)));
      assertTrue(notYet.getMessage().contains("1 item(s)"), notYet.getMessage());
      assertFalse(joined.isDone(), "join returned with an item unfinished");
      reader.taskDone();
      joined.get(10, TimeUnit.SECONDS);
      writer.disconnect();
    }
  }

  @Test
  void joinable_delete_takesItsCountInRedisWithIt(SpoolTestEnv env) {
    String counter = env.namespace() + ":counter:queue.gone.unfinished";
    try (JoinableQueue<Integer> q = joinable(env, "gone", Integer.class);
        var jedis = env.jedis()) {
      q.put(1);
      assertTrue(jedis.exists(counter), "an unfinished item is counted in Redis");
      q.delete();
      assertFalse(jedis.exists(counter), "a deleted queue leaves no counter listed forever");
    }
  }

  private static String nowait(SpoolQueue<String> q) {
    try {
      return q.getNowait();
    } catch (QueueEmptyException e) {
      return null;
    }
  }

  private static int num(String w) {
    return Integer.parseInt(w.substring(1));
  }
}
