package dev.spool.producer;

import dev.spool.SpoolException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a class's {@code main}, like {@code multiprocessing.Process}: {@link
 * Spool#process} then {@link #join}. The child gets this JVM's java, classpath and environment (so
 * the same SPOOL_* settings), and writes to this process's stdout and stderr.
 *
 * <pre>{@code
 * List<SpoolProcess> workers = new ArrayList<>();
 * for (int i = 0; i < 3; i++) workers.add(spool.process(Worker.class, "worker-" + i));
 * for (SpoolProcess w : workers) w.join();
 * }</pre>
 */
public final class SpoolProcess {
  private final Process process;
  private final String name;

  private SpoolProcess(Process process, String name) {
    this.process = process;
    this.name = name;
  }

  /**
   * Starts {@code main.main(args)} in a new JVM.
   *
   * @throws SpoolException when the JVM cannot be started
   */
  static SpoolProcess start(Class<?> main, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      return new SpoolProcess(p, main.getSimpleName() + " " + String.join(" ", args));
    } catch (IOException e) {
      throw new SpoolException("cannot start " + main.getName() + ": " + e, e);
    }
  }

  /** The child's process id. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits for the child to end and returns its exit code. */
  public int join() {
    return join(Duration.ofDays(36_500));
  }

  /**
   * Waits up to {@code timeout} for the child to end and returns its exit code.
   *
   * @throws SpoolException when it is still running after {@code timeout}
   */
  public int join(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new SpoolException(name + " (pid " + pid() + ") still running after " + timeout);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SpoolException("interrupted while joining " + name, e);
    }
  }

  /** Kills the child (SIGKILL). */
  public void kill() {
    process.destroyForcibly();
  }

  @Override
  public String toString() {
    return name + " (pid " + pid() + ")";
  }
}
