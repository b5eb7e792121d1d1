package dev.spool.core;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Who a process is, for logs, results and the connection name shown in the RabbitMQ dashboard:
 * {@code consumer@host/pid}.
 *
 * @param role {@code consumer} or {@code producer}
 * @param host the host name
 * @param pid the OS process id
 */
public record ProcessIdentity(String role, String host, long pid) {
  public ProcessIdentity {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(host, "host");
  }

  /** The identity of this JVM in {@code role}. */
  public static ProcessIdentity current(String role) {
    return new ProcessIdentity(role, HostName.NAME, ProcessHandle.current().pid());
  }

  /**
   * This machine's name as the kernel has it, read once: {@code HOSTNAME} when exported (as in a
   * container), else the kernel's file on Linux, else {@link InetAddress#getLocalHost()}, which
   * also resolves the name: 20 ms at every command's start here, and seconds where the name is in
   * neither the hosts file nor DNS.
   */
  static String hostName(Map<String, String> env, Path kernelHostName) {
    String name = env.get("HOSTNAME");
    if (name != null && !name.isBlank()) return name.trim();
    try {
      name = Files.readString(kernelHostName).trim();
      if (!name.isEmpty()) return name;
    } catch (IOException | RuntimeException e) {
      // not Linux, or no procfs: ask the resolver
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }

  private static final class HostName {
    static final String NAME = hostName(System.getenv(), Path.of("/proc/sys/kernel/hostname"));
  }

  /** {@code host/pid}, the short form used in logs and results. */
  public String id() {
    return host + "/" + pid;
  }

  /** The AMQP client-provided connection name, e.g. {@code spool-consumer host/1234}. */
  public String connectionName() {
    return "spool-" + role + " " + id();
  }

  @Override
  public String toString() {
    return role + "@" + id();
  }
}
