package dev.spool.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The dashboard's settings.
 *
 * @param bind the address to listen on; {@code 127.0.0.1} unless told otherwise
 * @param port the port, 0 for any free one
 * @param adminPassword the password of the {@code admin} login (acts: replay, purge, cancel)
 * @param viewerPassword the password of the read-only {@code viewer} login, or null for none
 * @param maskedTasks task names whose arguments are never shown
 * @param sessionTtl how long a login lasts without use
 * @param argumentsShown the most characters of a task's arguments shown
 * @param trustedProxies reverse proxies (addresses or CIDR ranges) whose {@code X-Forwarded-For}
 *     names the client
 * @param allowedHosts host names the dashboard answers to besides {@code localhost} and IP
 *     addresses (the names users reach it by, behind a proxy)
 * @param traceUrl where a run's trace is, with {@code {traceId}} in its place (e.g. {@code
 *     http://jaeger:16686/trace/{traceId}}), or null for no trace links
 */
public record DashboardConfig(
    String bind,
    int port,
    String adminPassword,
    String viewerPassword,
    Set<String> maskedTasks,
    Duration sessionTtl,
    int argumentsShown,
    List<String> trustedProxies,
    Set<String> allowedHosts,
    String traceUrl) {

  /** The shortest password accepted. */
  public static final int MIN_PASSWORD = 8;

  public DashboardConfig {
    Objects.requireNonNull(bind, "bind");
    if (bind.isBlank()) throw new IllegalArgumentException("--bind must not be empty");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0 to 65535, was " + port);
    }
    requirePassword("SPOOL_DASHBOARD_PASSWORD", adminPassword);
    if (viewerPassword != null) {
      requirePassword("SPOOL_DASHBOARD_READONLY_PASSWORD", viewerPassword);
      if (viewerPassword.equals(adminPassword)) {
        throw new IllegalArgumentException(
            "SPOOL_DASHBOARD_READONLY_PASSWORD must differ from SPOOL_DASHBOARD_PASSWORD");
      }
    }
    maskedTasks = Set.copyOf(maskedTasks);
    if (sessionTtl.isNegative() || sessionTtl.isZero()) {
      throw new IllegalArgumentException("session ttl must be positive, was " + sessionTtl);
    }
    if (argumentsShown < 0) {
      throw new IllegalArgumentException("argumentsShown must be >= 0, was " + argumentsShown);
    }
    trustedProxies = List.copyOf(trustedProxies);
    allowedHosts = Set.copyOf(allowedHosts);
    new Network(trustedProxies, allowedHosts); // checks both, naming the setting
    if (traceUrl != null && traceUrl.isBlank()) traceUrl = null;
    if (traceUrl != null
        && (!traceUrl.contains("{traceId}")
            || !(traceUrl.startsWith("http://") || traceUrl.startsWith("https://")))) {
      throw new IllegalArgumentException(
          "SPOOL_DASHBOARD_TRACE_URL must be an http(s) URL with {traceId} in it, e.g."
              + " http://jaeger:16686/trace/{traceId}; was '"
              + traceUrl
              + "'");
    }
  }

  /** Without proxies or extra host names: reached directly, by localhost or an IP address. */
  public DashboardConfig(
      String bind,
      int port,
      String adminPassword,
      String viewerPassword,
      Set<String> maskedTasks,
      Duration sessionTtl,
      int argumentsShown) {
    this(
        bind,
        port,
        adminPassword,
        viewerPassword,
        maskedTasks,
        sessionTtl,
        argumentsShown,
        List.of(),
        Set.of(),
        null);
  }

  private static void requirePassword(String setting, String password) {
    if (password == null || password.length() < MIN_PASSWORD) {
      throw new IllegalArgumentException(
          setting + " must be at least " + MIN_PASSWORD + " characters");
    }
  }

  @Override
  public String toString() {
    return "DashboardConfig[bind="
        + bind
        + ", port="
        + port
        + ", viewer login="
        + (viewerPassword != null)
        + ", masked tasks="
        + maskedTasks
        + ", session ttl="
        + sessionTtl
        + ", trusted proxies="
        + trustedProxies
        + ", allowed hosts="
        + (allowedHosts.isEmpty() ? "localhost and IP addresses" : allowedHosts)
        + ", trace links="
        + (traceUrl == null ? "off" : traceUrl)
        + "]";
  }
}
