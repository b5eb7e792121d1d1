package dev.spool.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

final class RemoteErrorTest {
  @Test
  void of_deepStackWithCause_isTrimmedAndNamesTheCause() {
    RuntimeException e = recurse(60);
    RemoteError r = RemoteError.of(new IllegalStateException("outer", e), "w/1", 3);
    assertEquals("java.lang.IllegalStateException", r.type());
    assertEquals("outer", r.message());
    assertEquals(3, r.element());
    assertTrue(r.stack().size() <= RemoteError.MAX_FRAMES + 2, "stack " + r.stack().size());
    assertTrue(r.stack().getLast().startsWith("Caused by: java.lang.RuntimeException: deep"));
  }

  @Test
  void taskFailedException_message_carriesRemoteTypeAndMessage() {
    RemoteError r =
        new RemoteError("x.Boom", "it broke", java.util.List.of("a.b(C.java:1)"), "h/9", null);
    TaskFailedException e = new TaskFailedException("fail", "id-1", r);
    assertTrue(e.getMessage().contains("x.Boom: it broke"), e.getMessage());
    assertTrue(e.getMessage().contains("h/9"), e.getMessage());
    assertEquals("a.b(C.java:1)", e.getSuppressed()[0].getStackTrace()[0].getMethodName());
  }

  private static RuntimeException recurse(int n) {
    return n == 0 ? new RuntimeException("deep") : recurse(n - 1);
  }
}
