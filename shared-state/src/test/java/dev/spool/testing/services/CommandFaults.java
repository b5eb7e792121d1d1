package dev.spool.testing.services;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Faults through commands: {@code rabbitmqctl} run by {@code exec} (on this machine, or inside the
 * broker's container), and Redis frozen by {@code pause}/{@code resume} actions.
 */
final class CommandFaults implements Faults {
  private final Function<List<String>, String> exec;
  private final Runnable pause;
  private final Runnable resume;
  private final String vhost;

  CommandFaults(Function<List<String>, String> exec, Runnable pause, Runnable resume, URI amqpUri) {
    this.exec = exec;
    this.pause = pause;
    this.resume = resume;
    String path = amqpUri.getPath();
    this.vhost = path == null || path.length() <= 1 ? "/" : path.substring(1).replace("%2F", "/");
  }

  /**
   * The machine's own services: only their listings, through rabbitmqctl on the PATH; every fault
   * fails ({@link Faults#readOnly}).
   */
  static Faults local(URI amqpUri) {
    Runnable no =
        () -> {
          throw new IllegalStateException("never on the machine's own Redis");
        };
    return Faults.readOnly(
        new CommandFaults(CommandFaults::run, no, no, amqpUri),
        "these are the machine's own RabbitMQ and Redis, which other programs may use");
  }

  /** A node and a redis-server the tests started: rabbitmqctl -n for it, SIGSTOP for Redis. */
  static CommandFaults own(RabbitNodeProcess node, RedisProcess redis) {
    return new CommandFaults(
        cmd -> node.rabbitmqctl(cmd.subList(1, cmd.size())),
        () -> signal(redis, "STOP"),
        () -> signal(redis, "CONT"),
        node.amqpUri());
  }

  private static void signal(RedisProcess redis, String sig) {
    try {
      redis.signal(sig);
    } catch (IOException e) {
      throw new IllegalStateException("cannot signal redis-server: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted signalling redis-server", e);
    }
  }

  @Override
  public void closeAllConnections() {
    exec.apply(List.of("rabbitmqctl", "-q", "close_all_connections", "spool chaos test"));
  }

  @Override
  public void restartBroker() {
    exec.apply(List.of("rabbitmqctl", "-q", "stop_app"));
    exec.apply(List.of("rabbitmqctl", "-q", "start_app"));
    exec.apply(List.of("rabbitmqctl", "-q", "await_startup"));
  }

  private volatile String watermark = "0.4";

  @Override
  public void raiseMemoryAlarm() {
    String was =
        exec.apply(
                List.of(
                    "rabbitmqctl",
                    "-q",
                    "eval",
                    "vm_memory_monitor:get_vm_memory_high_watermark()."))
            .strip();
    if (was.matches("[0-9.]+")) watermark = was;
    exec.apply(List.of("rabbitmqctl", "-q", "set_vm_memory_high_watermark", "0.0000001"));
  }

  @Override
  public void clearMemoryAlarm() {
    exec.apply(List.of("rabbitmqctl", "-q", "set_vm_memory_high_watermark", watermark));
  }

  @Override
  public void pauseRedis() {
    pause.run();
  }

  @Override
  public void resumeRedis() {
    resume.run();
  }

  @Override
  public Map<String, long[]> queueCounts(String prefix) {
    String out = list("list_queues", "name", "messages_ready", "messages_unacknowledged");
    Map<String, long[]> counts = new TreeMap<>();
    for (String line : out.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3 && f[0].startsWith(prefix)) {
        counts.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
      }
    }
    return counts;
  }

  private static final java.util.regex.Pattern CONNECTION_NAME =
      java.util.regex.Pattern.compile("\\{\"connection_name\",\"([^\"]*)\"\\}");

  @Override
  public List<String> connectionNames() {
    String out = list("list_connections", "client_properties");
    List<String> names = new java.util.ArrayList<>();
    var m = CONNECTION_NAME.matcher(out);
    while (m.find()) names.add(m.group(1));
    return names;
  }

  /** {@code rabbitmqctl <listing> -p <vhost> <columns>}, without headers. */
  private String list(String listing, String... columns) {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of("rabbitmqctl", "-q", "--no-table-headers", listing, "-p", vhost));
    cmd.addAll(List.of(columns));
    return exec.apply(cmd);
  }

  static String run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(3, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 3 minutes");
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", cmd) + " exited " + p.exitValue() + ": " + text.strip());
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd.getFirst() + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + cmd, e);
    }
  }
}
