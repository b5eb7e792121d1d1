package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BlockedListener;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import dev.spool.core.SpoolBrokerBlockedException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher against a fake channel whose broker confirms in random multiple-acks on its own
 * thread, as RabbitMQ does: concurrent publishers each wait for their own message only.
 */
final class ConfirmingPublisherTest {
  private final ScheduledExecutorService broker = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService writers = Executors.newFixedThreadPool(8);

  @AfterEach
  void stop() {
    broker.shutdownNow();
    writers.shutdownNow();
  }

  /** A channel in confirm mode that confirms what was published, a few at a time, every 1 ms. */
  private static final class FakeBroker {
    final AtomicLong nextSeq = new AtomicLong(1);
    final ConcurrentLinkedQueue<Long> unconfirmed = new ConcurrentLinkedQueue<>();
    final List<ConfirmListener> confirms = new ArrayList<>();
    final List<BlockedListener> blocked = new ArrayList<>();
    final AtomicLong published = new AtomicLong();
    volatile boolean confirming = true;

    Channel channel() {
      Connection connection =
          (Connection)
              Proxy.newProxyInstance(
                  getClass().getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (proxy, method, args) -> {
                    if (method.getName().equals("addBlockedListener")) {
                      blocked.add((BlockedListener) args[0]);
                    }
                    return null;
                  });
      return (Channel)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {Channel.class},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "getConnection" -> connection;
                    case "addConfirmListener" -> {
                      confirms.add((ConfirmListener) args[0]);
                      yield null;
                    }
                    case "getNextPublishSeqNo" -> nextSeq.get();
                    case "basicPublish" -> {
                      // Called under the publisher's lock, as the real channel serialises them.
                      unconfirmed.add(nextSeq.getAndIncrement());
                      published.incrementAndGet();
                      yield null;
                    }
                    case "isOpen" -> true;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                  });
    }

    /** Confirms everything published so far with one multiple ack, as the broker often does. */
    void confirmSome() throws Exception {
      if (!confirming) return;
      Long last = null;
      Long s;
      int n = 0;
      while (n < 7 && (s = unconfirmed.poll()) != null) {
        last = s;
        n++;
      }
      if (last != null) {
        for (ConfirmListener l : confirms) l.handleAck(last, true);
      }
    }
  }

  @Test
  void publishConfirmed_eightConcurrentWriters_eachReturnsOnceItsOwnMessageIsConfirmed()
      throws Exception {
    FakeBroker fake = new FakeBroker();
    ConfirmingPublisher publisher = new ConfirmingPublisher(fake.channel(), 10_000);
    broker.scheduleWithFixedDelay(
        () -> {
          try {
            fake.confirmSome();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        },
        0,
        200,
        TimeUnit.MICROSECONDS);
    List<Future<?>> done = new ArrayList<>();
    byte[] body = "1".getBytes(StandardCharsets.UTF_8);
    for (int w = 0; w < 8; w++) {
      done.add(
          writers.submit(
              () -> {
                for (int i = 0; i < 500; i++) {
                  publisher.publishConfirmed(
                      "q", new AMQP.BasicProperties(), body, Duration.ofSeconds(20), "a put");
                }
                return null;
              }));
    }
    for (Future<?> f : done) f.get(60, TimeUnit.SECONDS); // any false failure is thrown here
    assertEquals(4000, fake.published.get());
    assertEquals(4000, publisher.confirmed());
    assertEquals(0, publisher.unconfirmed());
  }

  @Test
  void publishConfirmed_brokerBlocksTheConnection_failsSoonNamingTheAlarm() throws Exception {
    FakeBroker fake = new FakeBroker();
    fake.confirming = false;
    ConfirmingPublisher publisher = new ConfirmingPublisher(fake.channel(), 10);
    publisher.blockedPatience(Duration.ofMillis(300));
    fake.blocked.forEach(
        l -> {
          try {
            l.handleBlocked("low on memory");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    long start = System.nanoTime();
    SpoolBrokerBlockedException e =
        assertThrows(
            SpoolBrokerBlockedException.class,
            () ->
                publisher.publishConfirmed(
                    "q", new AMQP.BasicProperties(), new byte[0], Duration.ofMinutes(5), "a pill"));
    assertTrue(System.nanoTime() - start < Duration.ofMinutes(1).toNanos());
    assertEquals("low on memory", e.alarm());
    assertTrue(e.getMessage().contains("low on memory"), e.getMessage());
    assertTrue(e.getMessage().contains("alarm"), e.getMessage());
  }

  @Test
  void publishConfirmed_noConfirmAndNoAlarm_failsAfterTheTimeoutWithoutBlamingAnAlarm()
      throws Exception {
    FakeBroker fake = new FakeBroker();
    fake.confirming = false;
    ConfirmingPublisher publisher = new ConfirmingPublisher(fake.channel(), 10);
    var e =
        assertThrows(
            dev.spool.SpoolException.class,
            () ->
                publisher.publishConfirmed(
                    "q", new AMQP.BasicProperties(), new byte[0], Duration.ofMillis(300), "a put"));
    assertTrue(e.getMessage().contains("within PT0.3S"), e.getMessage());
    assertEquals(null, publisher.blockedReason());
  }

  /**
   * A channel whose broker numbers only the messages it receives, as RabbitMQ does; the client's
   * own counter (getNextPublishSeqNo) moves on every basicPublish, as the real client's does, even
   * when encoding then fails. The test confirms by the broker's numbers.
   */
  private static final class NumberingBroker {
    long clientSeq = 1;
    final List<String> received = new ArrayList<>(); // index i holds broker seq i + 1
    final List<ConfirmListener> confirms = new ArrayList<>();
    final List<String> publishedOn = new ArrayList<>(); // thread names
    boolean encodeFails; // the next basicPublish fails while encoding, as the client's does

    Channel channel() {
      return (Channel)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {Channel.class},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "addConfirmListener" -> {
                      confirms.add((ConfirmListener) args[0]);
                      yield null;
                    }
                    case "getNextPublishSeqNo" -> clientSeq;
                    case "basicPublish" -> {
                      clientSeq++;
                      publishedOn.add(Thread.currentThread().getName());
                      if (encodeFails) {
                        encodeFails = false;
                        throw new IllegalArgumentException("Short string too long");
                      }
                      AMQP.BasicProperties p = (AMQP.BasicProperties) args[3];
                      received.add(p.getMessageId());
                      yield null;
                    }
                    case "isOpen" -> true;
                    default -> null;
                  });
    }

    void ack(long brokerSeq) throws Exception {
      for (ConfirmListener l : confirms) l.handleAck(brokerSeq, false);
    }

    void nack(long brokerSeq) throws Exception {
      for (ConfirmListener l : confirms) l.handleNack(brokerSeq, false);
    }
  }

  private static AMQP.BasicProperties message(String id, String type) {
    return new AMQP.BasicProperties.Builder().messageId(id).type(type).build();
  }

  @Test
  void publish_aTaskNameAmqpCannotCarry_isRefusedBeforeTheChannel_andLaterConfirmsStayRight()
      throws Exception {
    NumberingBroker fake = new NumberingBroker();
    ConfirmingPublisher publisher = new ConfirmingPublisher(fake.channel(), 2, Runnable::run);
    List<String> confirmed = new ArrayList<>();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> publisher.publish("q", message("t0", "x".repeat(256)), new byte[0], () -> {}));
    assertTrue(e.getMessage().contains("type (the task name) is 256 bytes"), e.getMessage());
    assertEquals(List.of(), fake.publishedOn, "the channel never saw it");
    assertEquals(0, publisher.unconfirmed(), "nothing held for a recovery that cannot help");
    // The window (2) was given back: two more go out without waiting.
    publisher.publish("q", message("t1", "square"), new byte[0], () -> confirmed.add("t1"));
    publisher.publish("q", message("t2", "square"), new byte[0], () -> confirmed.add("t2"));
    fake.ack(1);
    assertEquals(List.of("t1"), confirmed);
    fake.ack(2);
    assertEquals(List.of("t1", "t2"), confirmed);
  }

  @Test
  void publish_theClientFailsWhileEncoding_laterConfirmsStillGoToTheirOwnMessages()
      throws Exception {
    NumberingBroker fake = new NumberingBroker();
    ConfirmingPublisher publisher = new ConfirmingPublisher(fake.channel(), 100, Runnable::run);
    List<String> confirmed = new ArrayList<>();
    publisher.publish("q", message("a", "square"), new byte[0], () -> confirmed.add("a"));
    fake.encodeFails = true; // a value the checks let through and the client refuses
    assertThrows(
        IllegalArgumentException.class,
        () -> publisher.publish("q", message("bad", "square"), new byte[0], () -> {}));
    publisher.publish("q", message("b", "square"), new byte[0], () -> confirmed.add("b"));
    publisher.publish("q", message("c", "square"), new byte[0], () -> confirmed.add("c"));
    assertEquals(List.of("a", "b", "c"), fake.received, "the broker got three, numbered 1 to 3");
    fake.ack(2); // the broker confirms its second: "b", not the message the client refused
    assertEquals(List.of("b"), confirmed);
    fake.ack(3);
    fake.ack(1);
    assertEquals(List.of("b", "c", "a"), confirmed);
    assertEquals(0, publisher.unconfirmed());
  }

  @Test
  void handleNack_publishesAgainOnTheResender_notOnTheReaderThreadThatDeliveredIt()
      throws Exception {
    NumberingBroker fake = new NumberingBroker();
    List<Runnable> resends = new ArrayList<>();
    ConfirmingPublisher publisher = new ConfirmingPublisher(fake.channel(), 100, resends::add);
    List<String> confirmed = new ArrayList<>();
    publisher.publish("q", message("a", "square"), new byte[0], () -> confirmed.add("a"));
    fake.nack(1);
    assertEquals(1, fake.received.size(), "nothing published on the thread that got the nack");
    assertEquals(1, resends.size());
    assertEquals(1, publisher.unconfirmed(), "the nacked message still counts as unconfirmed");
    resends.getFirst().run();
    assertEquals(List.of("a", "a"), fake.received, "published again by the resender");
    fake.ack(2);
    assertEquals(List.of("a"), confirmed);
  }

  @Test
  void oldestUnconfirmed_growsWhileAMessageWaits_andIsZeroOnceConfirmed() throws Exception {
    NumberingBroker fake = new NumberingBroker();
    ConfirmingPublisher publisher = new ConfirmingPublisher(fake.channel(), 100, Runnable::run);
    long now = System.nanoTime();
    assertEquals(Duration.ZERO, publisher.oldestUnconfirmed(now));
    publisher.publish("q", message("a", "square"), new byte[0], () -> {});
    Duration later =
        publisher.oldestUnconfirmed(System.nanoTime() + Duration.ofMinutes(3).toNanos());
    assertTrue(later.compareTo(Duration.ofMinutes(3)) >= 0, later.toString());
    fake.ack(1);
    assertEquals(Duration.ZERO, publisher.oldestUnconfirmed(System.nanoTime()));
  }
}
