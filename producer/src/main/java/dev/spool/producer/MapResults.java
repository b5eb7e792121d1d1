package dev.spool.producer;

import java.util.Iterator;

/**
 * The results of an {@code imap} or {@code imapUnordered}, read as they come. Close it to stop
 * early: publishing stops, and results still to come are dropped (tasks already published still
 * run; {@link #cancel()} cancels them too). Closing twice is harmless; a closed stream has no next
 * element.
 *
 * <pre>{@code
 * try (MapResults<Long> results = pool.imap("square", inputs, Long.class)) {
 *   while (results.hasNext()) {
 *     if (results.next() > limit) break; // close() stops the rest
 *   }
 * }
 * }</pre>
 *
 * <p>Memory: results already returned are forgotten, and publishing stays at most 10,000 messages
 * ahead of the reader, so an endless input read slowly holds at most that many results. One thread
 * reads.
 *
 * @param <R> the result type
 */
public interface MapResults<R> extends Iterator<R>, AutoCloseable {
  /** Inputs whose results have been returned so far. */
  long returned();

  /** Stops publishing and drops the results still to come. */
  @Override
  void close();

  /**
   * Stops publishing, cancels every task published and not finished (queued ones never run, running
   * ones are interrupted; see {@code QueueAdmin.cancel}) and closes. Returns how many tasks it
   * cancelled (chunks count as one).
   *
   * @throws dev.spool.core.SpoolConnectionException when Redis cannot be reached
   */
  long cancel();
}
