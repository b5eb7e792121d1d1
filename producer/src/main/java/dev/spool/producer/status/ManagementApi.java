package dev.spool.producer.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.SpoolException;
import dev.spool.core.SpoolConfig;
import dev.spool.core.SpoolConnectionException;
import dev.spool.core.wire.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A read-only client of RabbitMQ's management HTTP API (the plugin {@code rabbitmq_management}):
 * queues and consumers of one vhost whose names start with a prefix. Thread-safe.
 */
public final class ManagementApi {
  private final URI base;
  private final String authorization;
  private final String user;
  private final JsonCodec codec = new JsonCodec();

  /**
   * @param base e.g. {@code http://localhost:15672}, without credentials
   */
  public ManagementApi(URI base, String user, String password) {
    this.base = base;
    this.user = user;
    this.authorization =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** Queues a page of the management API lists. */
  static final int PAGE_SIZE = 500;

  /**
   * The queues of {@code vhost} whose names start with {@code prefix}, sorted by name. The broker
   * filters them (a regular expression on the name) and sends them {@value #PAGE_SIZE} at a time: a
   * broker shared with other applications may hold thousands of queues, and all of them came here
   * to be filtered.
   */
  public List<JsonNode> queues(String vhost, String prefix) {
    return queues(vhost, prefix, PAGE_SIZE);
  }

  List<JsonNode> queues(String vhost, String prefix, int pageSize) {
    String query =
        "/api/queues/"
            + encode(vhost)
            + "?use_regex=true&name="
            + encode("^" + quote(prefix))
            + "&page_size="
            + pageSize
            + "&page=";
    List<JsonNode> out = new ArrayList<>();
    for (int page = 1; ; page++) {
      JsonNode body = json(query + page);
      JsonNode items = body.path("items");
      if (!items.isArray()) {
        throw new SpoolException("the RabbitMQ management API sent no page of queues");
      }
      for (JsonNode q : items) {
        if (q.path("name").asText().startsWith(prefix)) out.add(q);
      }
      if (page >= body.path("page_count").asInt(0)) break;
    }
    out.sort(java.util.Comparator.comparing(q -> q.path("name").asText()));
    return out;
  }

  /** {@code text} as a regular expression that matches it alone: ASCII punctuation escaped. */
  static String quote(String text) {
    StringBuilder b = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c < 128 && !Character.isLetterOrDigit(c)) b.append('\\');
      b.append(c);
    }
    return b.toString();
  }

  /** The consumers of {@code vhost} on queues whose names start with {@code prefix}. */
  public List<JsonNode> consumers(String vhost, String prefix) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode c : get("/api/consumers/" + encode(vhost))) {
      if (c.path("queue").path("name").asText().startsWith(prefix)) out.add(c);
    }
    return out;
  }

  /**
   * Connection names of {@code vhost}: the broker's name ({@code host:port -> host:port}) to the
   * name the client gave ({@code user_provided_name}; Spool's is {@code spool-consumer host/pid}).
   */
  public java.util.Map<String, String> connectionNames(String vhost) {
    java.util.Map<String, String> names = new java.util.HashMap<>();
    for (JsonNode c : get("/api/vhosts/" + encode(vhost) + "/connections")) {
      String given = c.path("user_provided_name").asText("");
      if (given.isEmpty()) given = c.path("client_properties").path("connection_name").asText("");
      if (!given.isEmpty()) names.put(c.path("name").asText(), given);
    }
    return names;
  }

  /** The list at {@code path}. */
  private JsonNode get(String path) {
    JsonNode node = json(path);
    if (!node.isArray()) {
      throw new SpoolException("the RabbitMQ management API sent no list for " + path);
    }
    return node;
  }

  private JsonNode json(String path) {
    // HttpURLConnection, not java.net.http.HttpClient: a new JVM's first request through the
    // HttpClient took 410 ms here (its SSL context, selector thread and classes), this one 50 ms,
    // and `spool-producer status` runs in a new JVM each time.
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) base.resolve(path).toURL().openConnection(Proxy.NO_PROXY);
      c.setConnectTimeout(CONNECT_TIMEOUT_MS);
      c.setReadTimeout(READ_TIMEOUT_MS);
      c.setInstanceFollowRedirects(false);
      c.setRequestProperty("Authorization", authorization);
      c.setRequestProperty("Accept", "application/json");
      int status = c.getResponseCode();
      if (status != 200) throw refused(status, path);
      try (InputStream in = c.getInputStream()) {
        return codec.tree(in.readAllBytes());
      }
    } catch (IOException e) {
      throw new SpoolConnectionException(
          "cannot reach the RabbitMQ management API at "
              + base
              + " ("
              + describe(e)
              + "); enable it with 'rabbitmq-plugins enable rabbitmq_management', or set"
              + " SPOOL_MANAGEMENT_URI",
          e);
    } finally {
      if (c != null) drain(c);
    }
  }

  private static final int CONNECT_TIMEOUT_MS = 5_000;
  private static final int READ_TIMEOUT_MS = 10_000;

  private SpoolException refused(int status, String path) {
    if (status == 401) {
      return new SpoolException(
          "the RabbitMQ management API at "
              + base
              + " refused user '"
              + user
              + "' (401): a wrong user or password, or a user without the 'management' or"
              + " 'monitoring' tag; set SPOOL_MANAGEMENT_USER and SPOOL_MANAGEMENT_PASSWORD (or"
              + " _FILE)");
    }
    if (status == 404) {
      return new SpoolException(
          "the RabbitMQ management API has no " + path + " (404); check the vhost");
    }
    return new SpoolException("the RabbitMQ management API answered " + status + " for " + path);
  }

  /** Reads what an error left unread, so that the connection can be kept for the next request. */
  private static void drain(HttpURLConnection c) {
    try (InputStream err = c.getErrorStream()) {
      if (err != null) err.readAllBytes();
    } catch (IOException ignored) {
      c.disconnect(); // not reusable: close it
    }
  }

  private static String describe(Throwable e) {
    if (e instanceof java.net.ConnectException) return "connection refused";
    if (e instanceof java.net.SocketTimeoutException) return "timed out";
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) t = t.getCause();
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  private static String encode(String vhost) {
    return URLEncoder.encode(vhost, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * The management API for {@code config}: {@code managementUri} when given (a CLI's {@code
   * --management-uri}), else {@code SPOOL_MANAGEMENT_URI}, else the AMQP host on port 15672.
   * Credentials: {@code SPOOL_MANAGEMENT_USER} and {@code SPOOL_MANAGEMENT_PASSWORD} (or {@code
   * _FILE}), else those of the AMQP URI.
   *
   * @throws IllegalArgumentException naming the setting, when a URI is malformed or carries
   *     credentials on a command line
   */
  public static ManagementApi forConfig(
      SpoolConfig config, Map<String, String> env, String managementUri) {
    String raw = managementUri;
    if (raw == null) raw = SpoolConfig.setting(env, "SPOOL_MANAGEMENT_URI");
    URI uri;
    try {
      uri =
          raw != null
              ? new URI(raw.trim())
              : new URI("http", null, config.amqpUri().getHost(), 15672, null, null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--management-uri: '" + raw + "' is not a URI", e);
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException(
          "--management-uri: must start with http:// or https://, was '" + raw + "'");
    }
    String[] credentials = credentials(env, uri, config.amqpUri(), managementUri != null);
    URI base;
    try {
      base = new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), "/", null, null);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("--management-uri: '" + raw + "' is not a URI", e);
    }
    return new ManagementApi(base, credentials[0], credentials[1]);
  }

  private static String[] credentials(
      Map<String, String> env, URI management, URI amqp, boolean fromCommandLine) {
    String user = SpoolConfig.setting(env, "SPOOL_MANAGEMENT_USER");
    String password = SpoolConfig.setting(env, "SPOOL_MANAGEMENT_PASSWORD");
    if (user != null) return new String[] {user, password == null ? "" : password};
    if (fromCommandLine && management.getUserInfo() != null) {
      throw new IllegalArgumentException(
          "--management-uri carries credentials, which every user of this machine can read"
              + " through ps; set SPOOL_MANAGEMENT_USER and SPOOL_MANAGEMENT_PASSWORD instead");
    }
    String info = management.getUserInfo() != null ? management.getUserInfo() : amqp.getUserInfo();
    if (info == null) return new String[] {"guest", "guest"};
    int colon = info.indexOf(':');
    return colon < 0
        ? new String[] {info, ""}
        : new String[] {info.substring(0, colon), info.substring(colon + 1)};
  }

  /** The vhost of an AMQP URI: its path without the leading slash, decoded; "/" when empty. */
  public static String vhost(URI amqp) {
    String path = amqp.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) return "/";
    return java.net.URLDecoder.decode(path.substring(1), java.nio.charset.StandardCharsets.UTF_8);
  }
}
