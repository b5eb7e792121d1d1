package dev.spool.consumer.internal;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Lets a suspect task run alone on this consumer: a task that came back after a consumer died may
 * be the one that killed it, so it runs with nothing beside it, and if this consumer dies too, the
 * task alone is to blame. Other tasks run {@link #enterShared shared}, any number at once; a task
 * {@link #enterAlone alone} waits until none runs, and while it waits or runs, none starts (a
 * waiting suspect goes first, so a busy consumer cannot starve it).
 *
 * <p>A wait to run alone is bounded ({@code patience}): a running task that waits for work this
 * consumer would run next (a handler that submits a task and waits for it) would otherwise never
 * end. Past it the suspect runs shared, and says so. Every hold is a {@link Hold} released once,
 * whoever releases it: its thread when the task ends, or the watchdog when it abandons a thread
 * stuck in a handler. Thread-safe; a lock and a condition, no {@code synchronized}, for virtual
 * threads.
 */
final class AloneGate {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Duration patience;
  private int shared; // guarded by lock
  private int waitingAlone; // guarded by lock
  private boolean alone; // guarded by lock

  AloneGate(Duration patience) {
    this.patience = patience;
  }

  /** A place in the gate, released once. */
  final class Hold implements AutoCloseable {
    private final boolean isAlone;
    private boolean released; // guarded by lock

    private Hold(boolean isAlone) {
      this.isAlone = isAlone;
    }

    /** Whether this task runs alone (false when its wait ran out and it runs shared). */
    boolean alone() {
      return isAlone;
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (released) return;
        released = true;
        if (isAlone) alone = false;
        else shared--;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** Waits while a task runs alone or waits to, then runs beside the others. */
  Hold enterShared() throws InterruptedException {
    lock.lock();
    try {
      while (alone || waitingAlone > 0) changed.await();
      shared++;
      return new Hold(false);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits until no other task runs, then runs alone; after {@code patience} without that, runs
   * shared instead ({@link Hold#alone()} false).
   */
  Hold enterAlone() throws InterruptedException {
    lock.lock();
    try {
      waitingAlone++;
      try {
        long left = patience.toNanos();
        while ((alone || shared > 0) && left > 0) left = changed.awaitNanos(left);
        if (!alone && shared == 0) {
          alone = true;
          return new Hold(true);
        }
      } finally {
        waitingAlone--;
        changed.signalAll();
      }
      while (alone) changed.await(); // a patient suspect ahead of us runs: not beside it
      shared++;
      return new Hold(false);
    } finally {
      lock.unlock();
    }
  }

  /** Tasks running shared now (for tests and the log). */
  int shared() {
    lock.lock();
    try {
      return shared;
    } finally {
      lock.unlock();
    }
  }

  /** How long a suspect waits to run alone before it runs shared. */
  Duration patience() {
    return patience;
  }
}
