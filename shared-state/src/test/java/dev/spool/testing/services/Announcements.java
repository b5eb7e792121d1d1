package dev.spool.testing.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.spool.state.internal.ChannelNotifier;
import java.time.Duration;

/** For tests of what is announced on a namespace's channels. */
public final class Announcements {
  private Announcements() {}

  /**
   * Waits, at most 30 s, until {@code interest} has seen {@code expected} announcements, and
   * asserts it saw exactly that many.
   */
  public static void awaitGeneration(ChannelNotifier.Interest interest, long expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long g;
    while ((g = interest.generation()) < expected && System.nanoTime() < deadline) {
      interest.await(g, 1000);
    }
    assertEquals(expected, interest.generation(), "announcements seen");
  }
}
