package dev.spool.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.core.PipeTakenException;
import dev.spool.core.QueueEmptyException;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SpoolServicesExtension.class)
final class PipeIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static Pipe<String> open(SpoolTestEnv env, String name) {
    env.track(env.topology().pipeQueue(name, "a"));
    env.track(env.topology().pipeQueue(name, "b"));
    return TestSpools.connect(env).pipe(name, String.class); // a connection each, as two processes
  }

  @Test
  void bothDirections_inOrder(SpoolTestEnv env) {
    try (Pipe<String> a = open(env, "duplex");
        Pipe<String> b = open(env, "duplex")) {
      assertEquals(Pipe.End.A, a.end());
      assertEquals(Pipe.End.B, b.end());
      a.send("one");
      a.send("two");
      b.send("back");
      assertEquals("one", b.recv(WAIT));
      assertEquals("two", b.recv(WAIT));
      assertEquals("back", a.recv(WAIT));
    }
  }

  @Test
  void recvAndPoll_timeOut_pollDoesNotTake(SpoolTestEnv env) {
    try (Pipe<String> a = open(env, "quiet");
        Pipe<String> b = open(env, "quiet")) {
      assertFalse(b.poll(Duration.ofMillis(200)));
      assertThrows(QueueEmptyException.class, () -> b.recv(Duration.ofMillis(200)));
      a.send("now");
      assertTrue(b.poll(WAIT));
      assertTrue(b.poll(Duration.ZERO), "still there: poll does not take it");
      assertEquals("now", b.recv(Duration.ZERO));
      assertFalse(b.poll(Duration.ofMillis(100)));
    }
  }

  @Test
  void messagesWait_whileTheOtherEndRestarts(SpoolTestEnv env) {
    try (Pipe<String> a = open(env, "restart")) {
      Pipe<String> b = open(env, "restart");
      a.send("before");
      assertEquals("before", b.recv(WAIT));
      b.close(); // the process at end b stops
      a.send("while down 1");
      a.send("while down 2");
      try (Pipe<String> b2 = open(env, "restart")) {
        assertEquals(Pipe.End.B, b2.end(), "the freed end is taken again");
        assertEquals("while down 1", b2.recv(WAIT));
        assertEquals("while down 2", b2.recv(WAIT));
        b2.send("back again");
        assertEquals("back again", a.recv(WAIT));
      }
    }
  }

  @Test
  void aThirdOpener_isRefusedWithAClearError_andGetsInOnceAnEndIsFree(SpoolTestEnv env) {
    try (Pipe<String> a = open(env, "pair")) {
      Pipe<String> b = open(env, "pair");
      PipeTakenException e = assertThrows(PipeTakenException.class, () -> open(env, "pair"));
      assertTrue(e.getMessage().contains("both ends of pipe 'pair'"), e.getMessage());
      assertThrows(
          PipeTakenException.class,
          () -> TestSpools.connect(env).pipe("pair", Pipe.End.A, String.class));
      b.close();
      try (Pipe<String> third = open(env, "pair")) {
        assertEquals(Pipe.End.B, third.end());
      }
    }
  }
}
