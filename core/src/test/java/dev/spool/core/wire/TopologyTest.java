package dev.spool.core.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

final class TopologyTest {
  @Test
  void names_areNamespaced() {
    Topology t = new Topology("app");
    assertEquals("app.work.tasks", t.workQueue("tasks"));
    assertEquals("app.reply.p-1", t.replyQueue("p-1"));
  }

  @Test
  void workQueue_badName_isRejectedWithTheName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Topology("app").workQueue("A.B"));
    assertTrue(e.getMessage().contains("'A.B'"), e.getMessage());
  }

  /** The arguments a reply queue is declared with, through a channel that records them. */
  @SuppressWarnings("unchecked")
  private static java.util.Map<String, Object> replyQueueArgs(dev.spool.core.SpoolConfig config) {
    java.util.List<Object> seen = new java.util.ArrayList<>();
    com.rabbitmq.client.Channel channel =
        (com.rabbitmq.client.Channel)
            java.lang.reflect.Proxy.newProxyInstance(
                TopologyTest.class.getClassLoader(),
                new Class<?>[] {com.rabbitmq.client.Channel.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("queueDeclare") && args != null) seen.add(args[4]);
                  return null;
                });
    new Topology(config).declareReplyQueue(channel, "p-1");
    return (java.util.Map<String, Object>) seen.getFirst();
  }

  @Test
  void replyQueue_oneBrokerNode_classic_severalNodes_quorum_bothExpire() {
    var one = dev.spool.core.SpoolConfig.builder().amqpUri("amqp://u:p@h1/v").build();
    var three = dev.spool.core.SpoolConfig.builder().amqpUri("amqp://u:p@h1,h2,h3/v").build();
    assertEquals("classic", replyQueueArgs(one).get("x-queue-type"));
    assertEquals("quorum", replyQueueArgs(three).get("x-queue-type"));
    assertEquals(Topology.REPLY_QUEUE_EXPIRY.toMillis(), replyQueueArgs(three).get("x-expires"));
  }
}
