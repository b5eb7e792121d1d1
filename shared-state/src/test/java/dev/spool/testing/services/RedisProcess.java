package dev.spool.testing.services;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;

/**
 * A redis-server process of a test's own, on 127.0.0.1 and a free port, keeping nothing on disk (as
 * the machine's own Redis is run): for tests that kill, stop or restart Redis without touching the
 * Redis other tests share. Logs in {@code dir/redis-<port>.log}.
 */
public final class RedisProcess implements AutoCloseable {
  private final int port;
  private final Process process;

  private RedisProcess(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  /** Starts one on a free port; {@code more} are further redis-server arguments. */
  public static RedisProcess start(Path dir, String... more) throws IOException {
    return start(freePort(), dir, more);
  }

  /** Starts one on {@code port} (to restart one in place) and waits until it answers. */
  public static RedisProcess start(int port, Path dir, String... more) throws IOException {
    Files.createDirectories(dir);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString()));
    cmd.addAll(List.of(more));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
            .start();
    RedisProcess r = new RedisProcess(port, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!r.answers()) {
      if (System.nanoTime() > deadline || !p.isAlive()) {
        r.close();
        throw new IllegalStateException(
            "redis-server on port " + port + " did not answer; see " + dir);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting redis-server", e);
      }
    }
    return r;
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>/0} */
  public String uri() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** Sends a signal by name ({@code STOP}, {@code CONT}) with kill(1). */
  public void signal(String sig) throws IOException, InterruptedException {
    if (process.isAlive()) {
      new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid()))
          .inheritIO()
          .start()
          .waitFor();
    }
  }

  /** {@code kill -9}: whatever it held in memory is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws IOException {
    try {
      signal("CONT");
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean answers() {
    try (Jedis j = new Jedis("127.0.0.1", port)) {
      return "PONG".equals(j.ping());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The redis-server binary on the PATH. */
  public static String binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File f = new File(dir, "redis-server");
      if (f.canExecute()) return f.getPath();
    }
    throw new AssertionError(
        "this test runs Redis processes of its own with redis-server, which is not on the PATH"
            + " (Debian: apt-get install redis-server)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
