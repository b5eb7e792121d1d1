package dev.spool.core;

import java.net.InetAddress;
import java.net.UnknownHostException;
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
    return new ProcessIdentity(role, hostName(), ProcessHandle.current().pid());
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) return env;
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
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
