package dev.spool.consumer.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The threads that run handlers: {@code concurrency} of them, platform or virtual. Tasks wait in an
 * unbounded queue, which the prefetch limit bounds in practice, so that the ones not started can be
 * handed back to the broker on stop. The queue orders them by priority, highest first, and in
 * arrival order within a priority: a task with a priority starts as soon as a thread is free, ahead
 * of the ones of priority 0 already waiting here.
 */
public final class WorkerPool implements Executor {
  private final ThreadPoolExecutor executor;
  private final int maxAbandoned;
  private final Consumer<String> tooManyStuck;
  private volatile int abandoned;
  private final AtomicInteger unfinished = new AtomicInteger();
  private volatile boolean holding;
  private final java.util.concurrent.atomic.AtomicLong arrivals =
      new java.util.concurrent.atomic.AtomicLong();
  private final AloneGate gate = new AloneGate(ALONE_PATIENCE);

  /**
   * How long a suspect waits to run alone before it runs beside the others: a running handler that
   * waits for a task this consumer would run next never ends while the suspect holds the others.
   */
  static final Duration ALONE_PATIENCE = Duration.ofSeconds(60);

  /** A pool with no bound on threads abandoned to handlers that ignore interrupts (tests). */
  public WorkerPool(int concurrency, boolean virtualThreads) {
    this(concurrency, virtualThreads, Integer.MAX_VALUE, why -> {});
  }

  /**
   * @param maxAbandoned most threads left stuck in handlers that ignored their interrupt; one more
   *     is not replaced, and {@code tooManyStuck} is told, so the process can exit and be replaced
   *     (as Celery replaces a worker past its hard time limit) instead of growing without bound
   */
  public WorkerPool(
      int concurrency, boolean virtualThreads, int maxAbandoned, Consumer<String> tooManyStuck) {
    this.maxAbandoned = maxAbandoned;
    this.tooManyStuck = tooManyStuck;
    this.executor =
        new ThreadPoolExecutor(
            concurrency,
            concurrency,
            0,
            TimeUnit.MILLISECONDS,
            new PriorityBlockingQueue<>(16, WorkerPool::compare),
            threads(virtualThreads)) {
          @Override
          protected void afterExecute(Runnable r, Throwable t) {
            unfinished.decrementAndGet();
          }
        };
  }

  /** Work with a priority, 0 (the default, lowest) to 9. */
  interface Prioritized {
    int priority();

    /**
     * Whether it goes ahead of the others of its priority: its start slot under a rate limit was
     * booked and has come.
     */
    default boolean booked() {
      return false;
    }
  }

  /**
   * Highest priority first (a booked task just above the others of its priority); within that,
   * first come first served.
   */
  private static int compare(Runnable a, Runnable b) {
    int byPriority = Integer.compare(priorityOf(b), priorityOf(a));
    return byPriority != 0 ? byPriority : Long.compare(arrivalOf(a), arrivalOf(b));
  }

  private static int priorityOf(Runnable r) {
    return r instanceof Queued q ? q.rank : 0;
  }

  private static long arrivalOf(Runnable r) {
    return r instanceof Queued q ? q.arrival : Long.MAX_VALUE;
  }

  /** A task as it waits for a thread: its rank (from its priority) and arrival number beside it. */
  private record Queued(Runnable task, int rank, long arrival) implements Runnable {
    @Override
    public void run() {
      task.run();
    }
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
    unfinished.incrementAndGet(); // until afterExecute, or until handed back
    int rank = task instanceof Prioritized t ? 2 * t.priority() + (t.booked() ? 1 : 0) : 0;
    try {
      executor.execute(new Queued(task, rank, arrivals.getAndIncrement()));
    } catch (RejectedExecutionException e) {
      unfinished.decrementAndGet();
      throw e;
    }
  }

  /**
   * While holding (the queue is paused), tasks not yet started are handed back when their turn
   * comes instead of running; running ones finish.
   */
  public void hold(boolean holding) {
    this.holding = holding;
  }

  boolean holding() {
    return holding;
  }

  /** Tasks submitted and not ended (or handed back): queued, running, or stuck. */
  int unfinished() {
    return unfinished.get();
  }

  /**
   * Removes every task not yet started and gives its delivery tag to {@code handBack}; stops taking
   * new ones. Returns how many.
   */
  public int handBack(LongConsumer handBack) {
    List<Runnable> waiting = drainWaiting();
    for (Runnable r : waiting) {
      if (r instanceof TaskExecution t) handBack.accept(t.deliveryTag());
    }
    return waiting.size();
  }

  /**
   * Removes every task not yet started and hands them back to their queue through {@code
   * dispatcher}, marked as handed back unstarted (so that their next delivery runs as innocent);
   * stops taking new ones. Returns how many.
   */
  public int handBack(DeliveryDispatcher dispatcher) {
    List<Runnable> waiting = drainWaiting();
    List<Delivery> deliveries = new ArrayList<>();
    for (Runnable r : waiting) {
      if (r instanceof TaskExecution t) deliveries.add(t.delivery());
    }
    dispatcher.handBack(deliveries);
    return waiting.size();
  }

  /**
   * Hands back, through {@code dispatcher}, the tasks waiting here that can go back unstarted; the
   * pool goes on running the rest. Kept are the ones delivered before (each hand-back counts toward
   * a quorum queue's delivery limit, so a task goes back this way at most once) and the ones whose
   * start slot under a rate limit is booked. Returns how many went back.
   */
  int handBackUnstarted(DeliveryDispatcher dispatcher) {
    List<Delivery> back = new ArrayList<>();
    for (Object o : executor.getQueue().toArray()) {
      if (o instanceof Queued q
          && q.task() instanceof TaskExecution t
          && !t.delivery().returned()
          && !t.booked()
          && executor.getQueue().remove(q)) { // else a worker took it meanwhile
        unfinished.decrementAndGet();
        if (t.settle()) back.add(t.delivery());
      }
    }
    dispatcher.handBack(back);
    return back.size();
  }

  /** Stops taking tasks and takes out those not started: the tasks themselves, unwrapped. */
  private List<Runnable> drainWaiting() {
    executor.shutdown();
    List<Runnable> queued = new ArrayList<>();
    executor.getQueue().drainTo(queued);
    List<Runnable> tasks = new ArrayList<>(queued.size());
    for (Runnable r : queued) {
      unfinished.decrementAndGet();
      tasks.add(r instanceof Queued q ? q.task() : r);
    }
    return tasks;
  }

  /** Where suspects wait to run alone, and the others run beside each other. */
  AloneGate gate() {
    return gate;
  }

  /**
   * Waits for running tasks; after {@code timeout} interrupts them and waits 5 s more. False when
   * the timeout passed.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    executor.shutdown();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (executor.awaitTermination(50, TimeUnit.MILLISECONDS)) return true;
      // Threads abandoned in a handler that ignored its time limit hold no delivery: skip them.
      // Counted from submission to end, not the executor's approximate active count, so a task
      // between the queue and its thread is never taken for idleness.
      if (unfinished.get() <= abandoned) return true;
    }
    executor.shutdownNow();
    executor.awaitTermination(5, TimeUnit.SECONDS);
    return false;
  }

  /**
   * One more thread, standing in for one stuck in a handler that ignored its interrupt; past the
   * bound, no thread is added and the pool asks for the process to be replaced.
   */
  void addReplacement() {
    String over = null;
    synchronized (this) {
      abandoned++;
      if (abandoned <= maxAbandoned) {
        executor.setMaximumPoolSize(executor.getMaximumPoolSize() + 1);
        executor.setCorePoolSize(executor.getCorePoolSize() + 1);
      } else {
        over =
            abandoned
                + " worker threads are stuck in handlers that ignored their time limit's interrupt"
                + " (at most "
                + maxAbandoned
                + " are replaced); exiting so that a fresh process takes over";
      }
    }
    if (over != null) tooManyStuck.accept(over);
  }

  /** The stuck thread came back: the pool shrinks to its size again. */
  synchronized void releaseReplacement() {
    if (abandoned-- <= maxAbandoned) {
      executor.setCorePoolSize(executor.getCorePoolSize() - 1);
      executor.setMaximumPoolSize(executor.getMaximumPoolSize() - 1);
    }
  }

  /** Threads left stuck in handlers that ignored their interrupt, now. */
  public int abandoned() {
    return abandoned;
  }

  /** Threads the pool may run now, replacements included. */
  public int threads() {
    return executor.getMaximumPoolSize();
  }

  public void shutdownNow() {
    executor.shutdownNow();
  }
}
