package dev.spool.consumer.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * The threads that run handlers: {@code concurrency} of them, platform or virtual. Tasks wait in an
 * unbounded queue, which the prefetch limit bounds in practice, so that the ones not started can be
 * handed back to the broker on stop.
 */
public final class WorkerPool implements Executor {
  private final ThreadPoolExecutor executor;

  public WorkerPool(int concurrency, boolean virtualThreads) {
    this.executor =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            threads(virtualThreads));
  }

  private static ThreadFactory threads(boolean virtual) {
    if (virtual) {
      return Thread.ofVirtual().name("spool-worker-", 1).factory();
    }
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "spool-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * @throws RejectedExecutionException once the pool is stopping
   */
  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  /**
   * Removes every task not yet started and gives its delivery tag to {@code handBack}; stops taking
   * new ones. Returns how many.
   */
  public int handBack(LongConsumer handBack) {
    executor.shutdown();
    List<Runnable> waiting = new ArrayList<>();
    executor.getQueue().drainTo(waiting);
    for (Runnable r : waiting) {
      handBack.accept(((TaskExecution) r).deliveryTag());
    }
    return waiting.size();
  }

  /**
   * Waits for running tasks; after {@code timeout} interrupts them and waits 5 s more. False when
   * the timeout passed.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    executor.shutdown();
    if (executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return true;
    }
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
    return false;
  }

  public void shutdownNow() {
    executor.shutdownNow();
  }
}
