package dev.spool.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.producer.status.ManagementApi;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboard's defences, over plain HTTP: nothing without a login, wrong passwords refused and
 * throttled, changes only by POST with the session's CSRF token from the same origin, and only by
 * the admin.
 */
@ExtendWith(SpoolServicesExtension.class)
final class DashboardSecurityIT {
  private static final Pattern COOKIE = Pattern.compile("spool_session=([A-Za-z0-9_-]+)");
  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  static {
    // The JDK's client refuses to set a Host header of its own unless told it may.
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
  }

  private final HttpClient hostClient =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  @Test
  void everyRouteNeedsLogin_changesNeedAdminAndCsrf_wrongPasswordsAreThrottled(SpoolTestEnv env)
      throws Exception {
    DashboardConfig settings =
        new DashboardConfig(
            "127.0.0.1",
            0,
            "admin-password",
            "viewer-password",
            Set.of(),
            Duration.ofHours(1),
            100);
    ManagementApi api =
        ManagementApi.forConfig(
            env.config(), Map.of("SPOOL_MANAGEMENT_URI", env.managementUri().toString()), null);
    try (DashboardData data = new DashboardData(env.config(), api, settings, Clock.systemUTC());
        Dashboard dashboard = Dashboard.start(settings, data, Clock.systemUTC())) {
      String base = "http://127.0.0.1:" + dashboard.port();

      HttpResponse<String> page = get(base + "/", null);
      assertEquals(303, page.statusCode(), "a page without a login sends to the login");
      assertEquals("/login", page.headers().firstValue("Location").orElse(""));
      assertEquals(401, get(base + "/api/overview", null).statusCode());
      assertEquals(401, get(base + "/api/workers", null).statusCode());
      HttpResponse<String> login = get(base + "/login", null);
      assertEquals(200, login.statusCode());
      assertTrue(
          login
              .headers()
              .firstValue("Content-Security-Policy")
              .orElse("")
              .contains("default-src 'self'"));
      assertEquals("DENY", login.headers().firstValue("X-Frame-Options").orElse(""));

      assertEquals(401, login(base, "admin", "wrong-password").statusCode());
      assertEquals(401, login(base, "viewer", "admin-password").statusCode());
      String admin = session(login(base, "admin", "admin-password"));
      String viewer = session(login(base, "viewer", "viewer-password"));
      assertEquals(200, get(base + "/api/overview", admin).statusCode());
      assertEquals(200, get(base + "/", viewer).statusCode());
      String adminCsrf = csrf(get(base + "/api/me", admin).body());
      String viewerCsrf = csrf(get(base + "/api/me", viewer).body());
      assertTrue(get(base + "/api/me", viewer).body().contains("\"role\":\"viewer\""));

      String purge = "{\"queue\":\"tasks\",\"confirm\":\"tasks\"}";
      assertEquals(
          403,
          post(base + "/api/dead/purge", admin, null, purge, null).statusCode(),
          "no CSRF token");
      assertEquals(
          403,
          post(base + "/api/dead/purge", admin, "forged", purge, null).statusCode(),
          "wrong token");
      assertEquals(
          403,
          post(base + "/api/dead/purge", admin, adminCsrf, purge, "http://evil.example")
              .statusCode(),
          "another origin");
      assertEquals(
          403,
          post(base + "/api/dead/purge", viewer, viewerCsrf, purge, null).statusCode(),
          "a viewer may not purge");
      assertEquals(
          403,
          post(base + "/api/tasks/some-id/cancel", viewer, viewerCsrf, "{}", null).statusCode(),
          "a viewer may not cancel");
      HttpResponse<String> unconfirmed =
          post(base + "/api/dead/purge", admin, adminCsrf, "{\"queue\":\"tasks\"}", null);
      assertEquals(400, unconfirmed.statusCode(), unconfirmed.body());

      // Logged out: the session is gone.
      assertEquals(200, post(base + "/logout", viewer, viewerCsrf, "{}", null).statusCode());
      assertEquals(401, get(base + "/api/me", viewer).statusCode());

      // Wrong passwords: after 10 in a minute from one address, that user is refused there for
      // that minute, even with the right password, unless its browser logged in before.
      HttpResponse<String> first = login(base, "admin", "admin-password");
      String device = device(first);
      for (int i = 0; i < Dashboard.LOGIN_ATTEMPTS; i++) {
        assertEquals(401, login(base, "admin", "guess-" + i).statusCode());
      }
      assertEquals(429, login(base, "admin", "admin-password").statusCode());
      assertEquals(
          429,
          login(base, "admin", "admin-password", null, "10.9.9.9").statusCode(),
          "X-Forwarded-For from a proxy nobody trusts changes nothing");
      assertEquals(
          303,
          login(base, "admin", "admin-password", device, null).statusCode(),
          "the admin's own browser is never locked out by another client's guesses");
      assertEquals(303, login(base, "viewer", "viewer-password").statusCode(), "another user");
      assertEquals(200, get(base + "/api/me", admin).statusCode(), "open sessions stay open");
      assertFalse(get(base + "/api/me", admin).body().contains("password"));

      // A viewer logging in again and again ends only its own oldest sessions.
      for (int i = 0; i < Sessions.MAX_PER_USER * 3; i++) {
        assertEquals(303, login(base, "viewer", "viewer-password").statusCode());
      }
      assertEquals(200, get(base + "/api/me", admin).statusCode(), "the admin's session stays");

      // Only the names this dashboard answers to: no DNS rebinding.
      assertEquals(
          421, get(base + "/api/me", admin, "attacker.example:" + dashboard.port()).statusCode());
      assertEquals(421, get(base + "/login", null, "attacker.example").statusCode());
      assertEquals(200, get(base + "/api/me", admin, "localhost:" + dashboard.port()).statusCode());
      assertEquals(200, get(base + "/health", null, "anything.example").statusCode());
    }
  }

  @Test
  void behindATrustedProxy_eachClientIsThrottledByItsOwnAddress(SpoolTestEnv env) throws Exception {
    DashboardConfig settings =
        new DashboardConfig(
            "127.0.0.1",
            0,
            "admin-password",
            null,
            Set.of(),
            Duration.ofHours(1),
            100,
            java.util.List.of("127.0.0.1", "::1"),
            Set.of("spool.example.com"),
            null);
    ManagementApi api =
        ManagementApi.forConfig(
            env.config(), Map.of("SPOOL_MANAGEMENT_URI", env.managementUri().toString()), null);
    try (DashboardData data = new DashboardData(env.config(), api, settings, Clock.systemUTC());
        Dashboard dashboard = Dashboard.start(settings, data, Clock.systemUTC())) {
      String base = "http://127.0.0.1:" + dashboard.port();
      for (int i = 0; i <= Dashboard.LOGIN_ATTEMPTS; i++) {
        login(base, "admin", "guess-" + i, null, "203.0.113.66");
      }
      assertEquals(429, login(base, "admin", "admin-password", null, "203.0.113.66").statusCode());
      assertEquals(
          303,
          login(base, "admin", "admin-password", null, "203.0.113.7").statusCode(),
          "the same user from another client behind the proxy");
      String admin = session(login(base, "admin", "admin-password", null, "203.0.113.8"));
      assertEquals(200, get(base + "/api/me", admin, "spool.example.com").statusCode());
    }
  }

  private HttpResponse<String> get(String url, String session) throws Exception {
    return get(url, session, null);
  }

  private HttpResponse<String> get(String url, String session, String host) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (session != null) b.header("Cookie", "spool_session=" + session);
    if (host != null) b.header("Host", host);
    return hostClient.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(
      String url, String session, String csrf, String body, String origin) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .header("Cookie", "spool_session=" + session);
    if (csrf != null) b.header(Dashboard.CSRF_HEADER, csrf);
    if (origin != null) b.header("Origin", origin);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> login(String base, String user, String password) throws Exception {
    return login(base, user, password, null, null);
  }

  private HttpResponse<String> login(
      String base, String user, String password, String device, String forwardedFor)
      throws Exception {
    String form = "user=" + user + "&password=" + password;
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/login"))
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .header("Content-Type", "application/x-www-form-urlencoded");
    if (device != null) b.header("Cookie", LoginGuard.DEVICE_COOKIE + "=" + device);
    if (forwardedFor != null) b.header("X-Forwarded-For", forwardedFor);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String device(HttpResponse<String> login) {
    for (String c : login.headers().allValues("Set-Cookie")) {
      Matcher m = Pattern.compile(LoginGuard.DEVICE_COOKIE + "=([^;]+)").matcher(c);
      if (m.find()) return m.group(1);
    }
    throw new AssertionError("no device cookie: " + login.headers());
  }

  private static String session(HttpResponse<String> login) {
    assertEquals(303, login.statusCode(), login.body());
    for (String c : login.headers().allValues("Set-Cookie")) {
      Matcher m = COOKIE.matcher(c);
      if (m.find()) {
        assertTrue(c.contains("HttpOnly"), c);
        return m.group(1);
      }
    }
    throw new AssertionError("no session cookie: " + login.headers());
  }

  private static String csrf(String me) {
    Matcher m = Pattern.compile("\"csrf\":\"([^\"]+)\"").matcher(me);
    assertTrue(m.find(), me);
    return m.group(1);
  }
}
