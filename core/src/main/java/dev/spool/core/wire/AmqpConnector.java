package dev.spool.core.wire;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import dev.spool.core.SpoolConfig;
import dev.spool.core.SpoolConnectionException;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * Opens AMQP connections from a {@link SpoolConfig}, with a client-provided name so that each
 * process is recognisable in the RabbitMQ dashboard, automatic recovery on, and errors that say
 * what failed, where, and which setting to change.
 */
public final class AmqpConnector {
  /** How long a channel RPC (declare, purge, cancel...) may take before it fails. */
  public static final Duration RPC_TIMEOUT = Duration.ofSeconds(30);

  private final SpoolConfig config;
  private final Duration connectTimeout;

  public AmqpConnector(SpoolConfig config) {
    this(config, Duration.ofSeconds(10));
  }

  public AmqpConnector(SpoolConfig config, Duration connectTimeout) {
    this.config = config;
    this.connectTimeout = connectTimeout;
  }

  /**
   * Opens a connection named {@code connectionName}.
   *
   * @throws SpoolConnectionException when RabbitMQ cannot be reached or refuses the credentials
   */
  public Connection open(String connectionName) {
    return open(connectionName, null);
  }

  /**
   * Opens a connection named {@code connectionName}; {@code recoveryFailed}, when not null, is told
   * (with what failed) when the connection came back but a consumer or queue on it could not be
   * restored: the process is connected and would otherwise receive nothing more.
   *
   * @throws SpoolConnectionException when RabbitMQ cannot be reached or refuses the credentials
   */
  public Connection open(
      String connectionName, java.util.function.Consumer<String> recoveryFailed) {
    ConnectionFactory factory = factory();
    if (recoveryFailed != null) {
      factory.setExceptionHandler(
          new com.rabbitmq.client.impl.ForgivingExceptionHandler() {
            @Override
            public void handleTopologyRecoveryException(
                Connection conn,
                com.rabbitmq.client.Channel ch,
                com.rabbitmq.client.TopologyRecoveryException e) {
              super.handleTopologyRecoveryException(conn, ch, e);
              recoveryFailed.accept(
                  "the connection recovered but a queue or subscription on it was not restored ("
                      + reason(e)
                      + ")");
            }
          });
    }
    try {
      if (config.amqpAddresses().size() > 1) {
        // Every node, in random order, so that processes spread over the cluster; recovery
        // tries them all again.
        // host:port each, checked by SpoolConfig; read by the client's own parser.
        List<Address> nodes = new ArrayList<>();
        for (String node : config.amqpAddresses()) nodes.add(Address.parseAddress(node));
        Collections.shuffle(nodes);
        return factory.newConnection(nodes, connectionName);
      }
      return factory.newConnection(connectionName);
    } catch (PossibleAuthenticationFailureException e) {
      throw new SpoolConnectionException(
          "RabbitMQ at "
              + config.amqpUriRedacted()
              + " refused user '"
              + factory.getUsername()
              + "' (wrong user, password or vhost?); set "
              + SpoolConfig.AMQP_URI,
          e);
    } catch (IOException | TimeoutException e) {
      String refused = refusal(e);
      if (refused != null) {
        throw new SpoolConnectionException(
            "RabbitMQ at "
                + config.amqpUriRedacted()
                + " refused the connection: "
                + refused
                + "; set "
                + SpoolConfig.AMQP_URI,
            e);
      }
      throw new SpoolConnectionException(
          "cannot reach RabbitMQ at "
              + config.amqpUriRedacted()
              + " ("
              + reason(e)
              + "); is it running? set "
              + SpoolConfig.AMQP_URI,
          e);
    }
  }

  /**
   * The broker's own refusal, said plainly, when it answered and refused (a missing vhost, a user
   * without access to it); null when it did not answer.
   */
  private String refusal(Exception e) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof ShutdownSignalException s
          && s.getReason() instanceof com.rabbitmq.client.AMQP.Connection.Close close) {
        String text = close.getReplyText() == null ? "" : close.getReplyText();
        if (close.getReplyCode() == 530 && text.contains("vhost")) {
          String vhost = vhostOf(config.amqpUri());
          return "its virtual host '"
              + vhost
              + "' does not exist or the user may not use it (create it with 'rabbitmqctl"
              + " add_vhost "
              + vhost
              + "' and grant access with 'rabbitmqctl set_permissions', or fix the path of the"
              + " URI)";
        }
        return text + " (AMQP reply code " + close.getReplyCode() + ")";
      }
    }
    return null;
  }

  private static String vhostOf(URI uri) {
    String path = uri.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) return "/";
    return java.net.URLDecoder.decode(path.substring(1), java.nio.charset.StandardCharsets.UTF_8);
  }

  ConnectionFactory factory() {
    ConnectionFactory f =
        new ConnectionFactory() {
          @Override // so that a thread's WriteBatch can hold the client's flushes
          protected synchronized com.rabbitmq.client.impl.FrameHandlerFactory
              createFrameHandlerFactory() throws IOException {
            return WriteBatch.frameHandlers(super.createFrameHandlerFactory());
          }
        };
    URI uri = config.amqpUri();
    try {
      f.setUri(uri);
      if ("amqps".equals(uri.getScheme())) {
        // setUri would trust every certificate; verify against the JVM's trust store instead.
        f.useSslProtocol(SSLContext.getDefault());
        f.enableHostnameVerification();
      }
    } catch (NoSuchAlgorithmException e) {
      throw new SpoolConnectionException("no TLS support in this JVM for " + uri.getScheme(), e);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          SpoolConfig.AMQP_URI + ": '" + config.amqpUriRedacted() + "' is invalid: " + e, e);
    }
    f.setConnectionTimeout(Math.toIntExact(connectTimeout.toMillis()));
    f.setAutomaticRecoveryEnabled(true);
    f.setTopologyRecoveryEnabled(true);
    f.setNetworkRecoveryInterval(2000);
    f.setRequestedHeartbeat(30);
    // The client waits 10 minutes for a channel RPC by default: a command would hang that long.
    f.setChannelRpcTimeout(Math.toIntExact(RPC_TIMEOUT.toMillis()));
    return f;
  }

  /** Closes {@code connection}, aborting it when a clean close fails; harmless when closed. */
  public static void closeQuietly(Connection connection) {
    try {
      if (connection.isOpen()) connection.close(5000);
    } catch (IOException | RuntimeException e) {
      connection.abort(1000);
    }
  }

  /** Closes {@code channel}, aborting it when a clean close fails; harmless when closed. */
  public static void closeQuietly(com.rabbitmq.client.Channel channel) {
    try {
      if (channel.isOpen()) channel.close();
    } catch (IOException | TimeoutException | RuntimeException e) {
      try {
        channel.abort();
      } catch (IOException | RuntimeException ignored) {
        // the channel or its connection is gone already
      }
    }
  }

  /** The innermost useful message of an AMQP failure, for one-line errors. */
  public static String reason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    if (t instanceof ShutdownSignalException s && s.getReason() != null) {
      return s.getReason().toString();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }
}
