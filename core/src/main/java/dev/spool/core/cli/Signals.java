package dev.spool.core.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop cleanly: {@code action} runs (on a signal thread), the
 * JVM does not begin its shutdown, and the command drains, closes what it holds and returns its own
 * exit code: 0 for a stop that was asked for, as a supervisor (docker stop, systemd, Kubernetes)
 * expects. A shutdown hook instead would end the process with 143.
 */
public final class Signals {
  private Signals() {}

  /** Runs {@code action} on SIGTERM or SIGINT, each time one arrives. */
  public static void onStop(Runnable action) {
    Signal.handle(new Signal("TERM"), s -> action.run());
    Signal.handle(new Signal("INT"), s -> action.run());
  }
}
