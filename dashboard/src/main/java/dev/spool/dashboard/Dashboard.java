package dev.spool.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.spool.SharedStateException;
import dev.spool.SpoolException;
import dev.spool.core.wire.JsonCodec;
import dev.spool.producer.CancelResult;
import dev.spool.producer.status.StatusJson;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP server (Javalin on Jetty): the pages, served from the jar, and the JSON API
 * they poll. Every page and API call needs a login; every change (replay, purge, cancel, logout)
 * needs a POST with the session's CSRF token in {@code X-CSRF-Token}, and the admin role for all
 * but logout. Nothing secret travels in a URL. {@link DashboardMain} starts one and closes it on
 * SIGTERM.
 *
 * <p>{@link #close()} is idempotent.
 */
public final class Dashboard implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Dashboard.class);

  static final String COOKIE = "spool_session";
  static final String CSRF_HEADER = "X-CSRF-Token";

  /** Failed logins a minute per user and address (or device) before that minute refuses more. */
  static final int LOGIN_ATTEMPTS = LoginGuard.ATTEMPTS;

  private static final String WEB = "/dev/spool/dashboard/web/";

  private final DashboardConfig settings;
  private final DashboardData data;
  private final Sessions sessions;
  private final Credentials credentials;
  private final Clock clock;
  private final JsonCodec codec = new JsonCodec();
  private final LoginGuard guard;
  private final Network network;
  private final QuietLog loginLog;
  private final Javalin app;
  private boolean closed;

  private Dashboard(DashboardConfig settings, DashboardData data, Clock clock) {
    this.settings = settings;
    this.data = data;
    this.clock = clock;
    this.sessions = new Sessions(clock, settings.sessionTtl());
    this.credentials = new Credentials(settings.adminPassword(), settings.viewerPassword());
    this.guard = new LoginGuard(clock, settings.adminPassword());
    this.network = new Network(settings.trustedProxies(), settings.allowedHosts());
    this.loginLog = new QuietLog(clock, Duration.ofMinutes(1));
    this.app =
        Javalin.create(
            config -> {
              config.jetty.host = settings.bind();
              config.jetty.port = settings.port();
              config.startup.showJavalinBanner = false;
              config.routes.before(this::secure);
              config.routes.get("/login", ctx -> page(ctx, "login.html"));
              config.routes.post("/login", this::login);
              config.routes.post("/logout", this::logout);
              config.routes.get("/", ctx -> page(ctx, "index.html"));
              config.routes.get("/assets/{file}", this::asset);
              // Browsers ask for it whatever the page says: the same icon, not a 404.
              config.routes.get(
                  "/favicon.ico",
                  ctx ->
                      ctx.header("Cache-Control", "private, max-age=86400")
                          .contentType("image/svg+xml")
                          .result(resource("assets/favicon.svg")));
              config.routes.get("/api/me", this::me);
              config.routes.get("/api/overview", ctx -> json(ctx, overview()));
              config.routes.get("/api/workers", ctx -> json(ctx, data.workers()));
              config.routes.get("/api/tasks", this::recent);
              config.routes.get(
                  "/api/tasks/{id}", ctx -> json(ctx, data.task(ctx.pathParam("id"))));
              config.routes.post("/api/tasks/{id}/cancel", this::cancel);
              config.routes.get("/api/workflows/{id}", this::workflow);
              config.routes.post("/api/workflows/{id}/cancel", this::cancelWorkflow);
              config.routes.get("/api/dead", this::dead);
              config.routes.post("/api/dead/replay", this::replay);
              config.routes.post("/api/dead/purge", this::purge);
              // The image's healthcheck (spool-healthcheck) asks /health, as of a consumer.
              config.routes.get("/health", ctx -> json(ctx, Map.of("status", "UP")));
              config.routes.exception(
                  IllegalArgumentException.class, (e, ctx) -> error(ctx, 400, e));
              config.routes.exception(SharedStateException.class, (e, ctx) -> error(ctx, 503, e));
              config.routes.exception(SpoolException.class, (e, ctx) -> error(ctx, 503, e));
            });
  }

  /**
   * Starts serving.
   *
   * @throws SpoolException when the address cannot be bound
   */
  public static Dashboard start(DashboardConfig settings, DashboardData data, Clock clock) {
    Dashboard d = new Dashboard(settings, data, clock);
    try {
      d.app.start();
    } catch (RuntimeException e) {
      throw new SpoolException(
          "cannot serve the dashboard on "
              + settings.bind()
              + ":"
              + settings.port()
              + " ("
              + e.getMessage()
              + "); is the port taken? set SPOOL_DASHBOARD_UI_PORT",
          e);
    }
    return d;
  }

  /** The port served on (the one chosen, when 0 was asked for). */
  public int port() {
    return app.port();
  }

  // --- security -------------------------------------------------------------------------------

  /** Headers on every answer; a login for everything but the login page and the assets. */
  private void secure(Context ctx) {
    ctx.header(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("X-Frame-Options", "DENY");
    // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on a form POST.
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("Cache-Control", "no-store");
    String path = ctx.path();
    if (!path.equals("/health") && !network.hostAllowed(ctx.header("Host"))) {
      // A name that points here but is not this dashboard's: a DNS rebinding, or a proxy that
      // passes on a name it was not told about.
      deny(
          ctx,
          421,
          "this dashboard does not answer to host '"
              + String.valueOf(ctx.header("Host"))
              + "'; add the name to SPOOL_DASHBOARD_ALLOWED_HOSTS");
      return;
    }
    boolean post = ctx.method().name().equals("POST");
    if (post && !sameOrigin(ctx)) {
      deny(ctx, 403, "cross-origin request refused");
      return;
    }
    if (path.equals("/login")
        || path.startsWith("/assets/")
        || path.equals("/health")
        || path.equals("/favicon.ico")) {
      return;
    }
    Optional<Sessions.Session> s = sessions.find(ctx.cookie(COOKIE));
    if (s.isEmpty()) {
      if (path.startsWith("/api/")) {
        deny(ctx, 401, "log in first");
      } else {
        ctx.redirect("/login", HttpStatus.SEE_OTHER);
        ctx.skipRemainingHandlers();
      }
      return;
    }
    ctx.attribute("session", s.get());
    if (post && !csrfMatches(ctx, s.get())) {
      deny(ctx, 403, "missing or wrong " + CSRF_HEADER + "; reload the page");
    }
  }

  /** An Origin header, when the browser sends one, must be this server's. */
  private static boolean sameOrigin(Context ctx) {
    String origin = ctx.header("Origin");
    if (origin == null) return true; // not a browser (curl, a script): browsers send it on a POST
    String host = ctx.header("Host");
    return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
  }

  private static boolean csrfMatches(Context ctx, Sessions.Session s) {
    String given = ctx.header(CSRF_HEADER);
    return given != null
        && MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8));
  }

  private static Sessions.Session session(Context ctx) {
    return ctx.attribute("session");
  }

  private static boolean requireAdmin(Context ctx) {
    if (session(ctx).role() == Sessions.Role.ADMIN) return true;
    deny(ctx, 403, "read-only login: replay, purge and cancel need the admin login");
    return false;
  }

  private static void deny(Context ctx, int status, String why) {
    ctx.status(status)
        .contentType("application/json")
        .result(StatusJson.write(Map.of("error", why)));
    ctx.skipRemainingHandlers();
  }

  /** The client's address: the peer's, or a trusted proxy's {@code X-Forwarded-For}. */
  private String client(Context ctx) {
    return network.client(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For"));
  }

  private void login(Context ctx) {
    String address = client(ctx);
    String user = ctx.formParam("user");
    String who = guard.who(user, address, ctx.cookie(LoginGuard.DEVICE_COOKIE));
    if (!guard.allowed(who)) {
      ctx.status(429);
      page(ctx, "login.html", "Too many failed logins as this user from here; wait a minute.");
      return;
    }
    Optional<Sessions.Role> role = credentials.check(user, ctx.formParam("password"));
    String shown = user == null ? "" : user.length() > 40 ? user.substring(0, 40) + "..." : user;
    if (role.isEmpty()) {
      guard.failed(who);
      loginLog.info(
          log, "failed " + who, "dashboard: failed login as '{}' from {}", shown, address);
      ctx.status(401);
      page(ctx, "login.html", "Wrong user or password.");
      return;
    }
    guard.succeeded(who);
    String token = sessions.open(user, role.get());
    String secure = ctx.scheme().equals("https") ? "; Secure" : "";
    ctx.res()
        .addHeader(
            "Set-Cookie", COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" + secure);
    if (guard.device(ctx.cookie(LoginGuard.DEVICE_COOKIE)).isEmpty()) {
      // This browser knows the password: its own attempts are counted apart from now on.
      ctx.res()
          .addHeader(
              "Set-Cookie",
              LoginGuard.DEVICE_COOKIE
                  + "="
                  + guard.newDevice(user)
                  + "; Path=/login; Max-Age=31536000; HttpOnly; SameSite=Strict"
                  + secure);
    }
    loginLog.info(
        log, "ok " + user + " " + address, "dashboard: {} logged in from {}", user, address);
    ctx.redirect("/", HttpStatus.SEE_OTHER);
  }

  private void logout(Context ctx) {
    sessions.close(ctx.cookie(COOKIE));
    ctx.header("Set-Cookie", COOKIE + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    json(ctx, Map.of("loggedOut", true));
  }

  private void me(Context ctx) {
    Sessions.Session s = session(ctx);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user", s.user());
    m.put("role", s.role().name().toLowerCase(java.util.Locale.ROOT));
    m.put("csrf", s.csrf());
    m.put("namespace", data.namespace());
    json(ctx, m);
  }

  // --- pages and data -------------------------------------------------------------------------

  private void page(Context ctx, String file) {
    page(ctx, file, null);
  }

  private void page(Context ctx, String file, String message) {
    String html = resource(file);
    html = html.replace("{{message}}", message == null ? "" : escape(message));
    ctx.contentType("text/html; charset=utf-8").result(html);
  }

  private void asset(Context ctx) {
    String file = ctx.pathParam("file");
    if (!file.matches("[a-z0-9-]+\\.(js|css|svg)")) {
      ctx.status(404);
      return;
    }
    InputStream in = Dashboard.class.getResourceAsStream(WEB + "assets/" + file);
    if (in == null) {
      ctx.status(404);
      return;
    }
    String type =
        file.endsWith(".js")
            ? "text/javascript; charset=utf-8"
            : file.endsWith(".css") ? "text/css; charset=utf-8" : "image/svg+xml";
    ctx.header("Cache-Control", "private, max-age=300");
    ctx.contentType(type).result(in);
  }

  private static String resource(String file) {
    try (InputStream in = Dashboard.class.getResourceAsStream(WEB + file)) {
      if (in == null) throw new IllegalStateException("the jar lacks " + WEB + file);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + WEB + file, e);
    }
  }

  private Map<String, Object> overview() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", data.status());
    List<dev.spool.producer.status.WorkerReport> workers = data.workers();
    m.put("workers", workers.size());
    m.put("running", workers.stream().mapToInt(w -> w.active().size()).sum());
    m.put("history", data.history());
    return m;
  }

  private void recent(Context ctx) {
    String name = ctx.queryParam("name");
    String state = ctx.queryParam("state");
    json(
        ctx,
        data.recent(
            name == null || name.isBlank() ? null : name.trim(),
            state == null || state.isBlank() ? null : state));
  }

  private void workflow(Context ctx) {
    String id = ctx.pathParam("id");
    var view = data.workflow(id);
    if (view.isEmpty()) {
      ctx.status(404);
      json(ctx, Map.of("error", "no workflow " + id + ": never submitted, or its record expired"));
      return;
    }
    json(ctx, view.get());
  }

  private void cancelWorkflow(Context ctx) {
    if (!requireAdmin(ctx)) return;
    String id = ctx.pathParam("id");
    if (!data.workflowExists(id)) {
      ctx.status(404);
      json(ctx, Map.of("error", "no workflow " + id));
      return;
    }
    CancelResult result = data.cancel(id);
    log.info("dashboard: {} cancelled workflow {}: {}", session(ctx).user(), id, result);
    if (result == CancelResult.ENDED) {
      ctx.status(409);
      json(ctx, Map.of("error", "workflow " + id + " has ended already; nothing was cancelled"));
      return;
    }
    json(ctx, Map.of("cancelled", id));
  }

  private void dead(Context ctx) {
    Map<String, Object> byQueue = new LinkedHashMap<>();
    String only = ctx.queryParam("queue");
    for (String q : data.workQueues()) {
      if (only == null || only.equals(q)) byQueue.put(q, data.dead(q));
    }
    json(ctx, byQueue);
  }

  private void replay(Context ctx) {
    if (!requireAdmin(ctx)) return;
    JsonNode body = body(ctx);
    String queue = queue(body);
    Set<String> ids = null;
    if (!body.path("all").asBoolean(false)) {
      ids = new HashSet<>();
      for (JsonNode id : body.path("ids")) ids.add(id.asText());
      if (ids.isEmpty()) throw new IllegalArgumentException("name the ids to replay, or all: true");
    }
    int n = data.replay(queue, ids);
    log.info("dashboard: {} replayed {} dead letter(s) of {}", session(ctx).user(), n, queue);
    json(ctx, Map.of("replayed", n));
  }

  private void purge(Context ctx) {
    if (!requireAdmin(ctx)) return;
    JsonNode body = body(ctx);
    String queue = queue(body);
    if (!queue.equals(body.path("confirm").asText())) {
      throw new IllegalArgumentException("to purge, confirm with the queue's name: " + queue);
    }
    long n = data.purge(queue);
    log.info("dashboard: {} purged {} dead letter(s) of {}", session(ctx).user(), n, queue);
    json(ctx, Map.of("purged", n));
  }

  private void cancel(Context ctx) {
    if (!requireAdmin(ctx)) return;
    String id = ctx.pathParam("id");
    CancelResult result = data.cancel(id);
    log.info("dashboard: {} cancelled task {}: {}", session(ctx).user(), id, result);
    if (result == CancelResult.ENDED) {
      ctx.status(409);
      json(ctx, Map.of("error", "task " + id + " has ended already; nothing was cancelled"));
      return;
    }
    json(
        ctx,
        Map.of(
            "cancelled",
            id,
            "delayedRemoved",
            result == CancelResult.DELAYED_REMOVED,
            "result",
            result.name().toLowerCase(java.util.Locale.ROOT)));
  }

  private String queue(JsonNode body) {
    String queue = body.path("queue").asText("");
    List<String> known = data.workQueues();
    if (!known.contains(queue)) {
      throw new IllegalArgumentException("no work queue '" + queue + "'; known: " + known);
    }
    return queue;
  }

  private JsonNode body(Context ctx) {
    byte[] raw = ctx.bodyAsBytes();
    if (raw.length > 1 << 20) throw new IllegalArgumentException("request body over 1 MiB");
    try {
      return codec.tree(raw);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("the request body is not JSON");
    }
  }

  private static void json(Context ctx, Object value) {
    ctx.contentType("application/json").result(StatusJson.write(value));
  }

  private static void error(Context ctx, int status, Exception e) {
    ctx.status(status).contentType("application/json");
    ctx.result(StatusJson.write(Map.of("error", String.valueOf(e.getMessage()))));
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    app.stop();
  }
}
