package dev.spool.testing.services;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of the tests' own: a second node beside the machine's, started from the same
 * installation as a child process, on free ports (AMQP, distribution, management), with its own
 * node name, data and log directories, config file, enabled-plugins file and Erlang cookie (a HOME
 * of its own). Fault tests restart it, alarm it and cut its connections; the machine's broker is
 * never touched. {@link #rabbitmqctl} drives this node only ({@code -n} and its own cookie).
 *
 * <p>Needs the RabbitMQ server scripts: Debian's {@code /usr/lib/rabbitmq/bin}, {@code
 * $RABBITMQ_HOME/sbin}, or {@code rabbitmq-server} on the PATH.
 */
final class RabbitNodeProcess implements AutoCloseable {
  private static final Duration START_WAIT = Duration.ofSeconds(90);

  private final Path dir;
  private final Path bin;
  private final String node;
  private final int amqpPort;
  private final int managementPort;
  private final Map<String, String> env;
  private final Process process;

  private RabbitNodeProcess(
      Path dir,
      Path bin,
      String node,
      int amqpPort,
      int managementPort,
      Map<String, String> env,
      Process process) {
    this.dir = dir;
    this.bin = bin;
    this.node = node;
    this.amqpPort = amqpPort;
    this.managementPort = managementPort;
    this.env = env;
    this.process = process;
  }

  /**
   * Starts a node under {@code parent} and waits until it has booted.
   *
   * @throws IllegalStateException when no RabbitMQ installation is found or the node does not boot
   */
  static RabbitNodeProcess start(Path parent) throws IOException {
    Path bin = scripts();
    int amqp = freePort();
    int dist = freePort();
    int management = freePort();
    String node = "spooltest" + amqp + "@localhost";
    Path dir = parent.resolve("rabbit-" + amqp).toAbsolutePath();
    Path home = dir.resolve("home");
    Files.createDirectories(home);
    Files.createDirectories(dir.resolve("log"));
    Files.createDirectories(dir.resolve("mnesia"));
    Path cookie = home.resolve(".erlang.cookie");
    Files.writeString(cookie, "SPOOLTEST" + UUID.randomUUID().toString().replace("-", ""));
    Files.setPosixFilePermissions(cookie, PosixFilePermissions.fromString("r--------"));
    Files.writeString(dir.resolve("env.conf"), "# the tests' own node: nothing from /etc\n");
    Files.writeString(dir.resolve("enabled_plugins"), "[rabbitmq_management].\n");
    Files.writeString(
        dir.resolve("rabbitmq.conf"),
        String.join(
            "\n",
            "listeners.tcp.default = 127.0.0.1:" + amqp,
            "management.tcp.port = " + management,
            "management.tcp.ip = 127.0.0.1",
            "loopback_users = none",
            ""));
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("env.conf").toString());
    env.put("RABBITMQ_NODENAME", node);
    env.put("RABBITMQ_USE_LONGNAME", "false");
    env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
    env.put("RABBITMQ_NODE_PORT", Integer.toString(amqp));
    env.put("RABBITMQ_DIST_PORT", Integer.toString(dist));
    env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
    env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
    env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
    env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
    env.put("RABBITMQ_PID_FILE", dir.resolve("node.pid").toString());
    env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
    killLeftovers(parent);
    ProcessBuilder pb =
        new ProcessBuilder(bin.resolve("rabbitmq-server").toString())
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("console.log").toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    RabbitNodeProcess r = new RabbitNodeProcess(dir, bin, node, amqp, management, env, p);
    try {
      r.awaitBooted();
    } catch (RuntimeException e) {
      r.close();
      throw e;
    }
    return r;
  }

  private void awaitBooted() {
    long deadline = System.nanoTime() + START_WAIT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the tests' own RabbitMQ node "
                + node
                + " exited "
                + process.exitValue()
                + " while starting; see "
                + dir);
      }
      Result r = ctl(Duration.ofSeconds(30), "-q", "await_startup", "--timeout", "20");
      if (r.exit() == 0) return;
      last = r.output();
      sleep(500);
    }
    throw new IllegalStateException(
        "the tests' own RabbitMQ node " + node + " did not boot in " + START_WAIT + ": " + last);
  }

  /** {@code amqp://guest:guest@127.0.0.1:<port>/%2F} */
  URI amqpUri() {
    return URI.create("amqp://guest:guest@127.0.0.1:" + amqpPort + "/%2F");
  }

  /** The node's management API. */
  URI managementUri() {
    return URI.create("http://127.0.0.1:" + managementPort);
  }

  String node() {
    return node;
  }

  /** Runs {@code rabbitmqctl -n <node> args...} on this node; returns its output. */
  String rabbitmqctl(List<String> args) {
    Result r = ctl(Duration.ofMinutes(3), args.toArray(String[]::new));
    if (r.exit() != 0) {
      throw new IllegalStateException(
          "rabbitmqctl -n "
              + node
              + " "
              + String.join(" ", args)
              + " exited "
              + r.exit()
              + ": "
              + r.output().strip());
    }
    return r.output();
  }

  private record Result(int exit, String output) {}

  private Result ctl(Duration wait, String... args) {
    List<String> cmd = new ArrayList<>(List.of(bin.resolve("rabbitmqctl").toString(), "-n", node));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out after " + wait);
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running rabbitmqctl", e);
    }
  }

  /** Stops the node (its data directory is left in target/ for reading). */
  @Override
  public void close() {
    if (process.isAlive()) {
      ctl(Duration.ofSeconds(60), "-q", "stop");
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  /**
   * Kills nodes that an earlier test JVM started under {@code parent} and could not stop (it was
   * killed itself): their pid files say which.
   */
  private static void killLeftovers(Path parent) throws IOException {
    if (!Files.isDirectory(parent)) return;
    try (var dirs = Files.list(parent)) {
      for (Path d : dirs.filter(x -> x.getFileName().toString().startsWith("rabbit-")).toList()) {
        Path pid = d.resolve("node.pid");
        if (!Files.isRegularFile(pid)) continue;
        String text = Files.readString(pid).strip();
        if (!text.matches("[0-9]{1,10}")) continue;
        ProcessHandle.of(Long.parseLong(text))
            .filter(h -> h.info().commandLine().orElse("").contains("spooltest"))
            .ifPresent(ProcessHandle::destroyForcibly);
        Files.delete(pid);
      }
    }
  }

  /** Where the server scripts are; fails saying how to install them. */
  static Path scripts() {
    List<Path> candidates = new ArrayList<>();
    candidates.add(Path.of("/usr/lib/rabbitmq/bin"));
    String home = System.getenv("RABBITMQ_HOME");
    if (home != null && !home.isBlank()) candidates.add(Path.of(home, "sbin"));
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!d.isBlank()) candidates.add(Path.of(d));
    }
    for (Path c : candidates) {
      Path server = c.resolve("rabbitmq-server");
      Path ctl = c.resolve("rabbitmqctl");
      // Debian's /usr/sbin/rabbitmq-server is a wrapper that switches to the rabbitmq user and its
      // HOME; the real scripts are in /usr/lib/rabbitmq/bin, listed first.
      if (Files.isExecutable(server) && Files.isExecutable(ctl) && !isSuWrapper(server)) return c;
    }
    throw new IllegalStateException(
        "fault tests start a RabbitMQ node of their own and found no RabbitMQ installation"
            + " (looked in /usr/lib/rabbitmq/bin, $RABBITMQ_HOME/sbin and the PATH): install"
            + " rabbitmq-server (Debian: apt-get install rabbitmq-server; it need not run), or run"
            + " the tests with a Docker engine and images (see docs/contributing.md, 'Tests')");
  }

  private static boolean isSuWrapper(Path script) {
    try {
      return Files.readString(Path.of(script.toRealPath().toString()), StandardCharsets.ISO_8859_1)
          .contains("su rabbitmq");
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting RabbitMQ", e);
    }
  }
}
