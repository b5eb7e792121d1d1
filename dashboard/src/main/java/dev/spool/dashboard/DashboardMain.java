package dev.spool.dashboard;

import dev.spool.core.SpoolConfig;
import dev.spool.core.cli.ConnectionOptions;
import dev.spool.core.cli.LogOptions;
import dev.spool.core.cli.Signals;
import dev.spool.core.cli.SpoolCli;
import dev.spool.producer.status.ManagementApi;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code spool-dashboard}: the web dashboard for tasks, workers, dead letters and locks. */
@Command(
    name = "spool-dashboard",
    mixinStandardHelpOptions = true,
    versionProvider = DashboardMain.Version.class,
    sortOptions = false,
    description = {
      "Serves a web dashboard of one Spool namespace: queues and throughput, live workers and the"
          + " tasks they run, a task by id, dead letters (replay, purge), locks, shared objects"
          + " and schedules. Pages update every 2 s.",
      "Login: user 'admin' with SPOOL_DASHBOARD_PASSWORD (or _FILE), who may replay, purge and"
          + " cancel; user 'viewer' with SPOOL_DASHBOARD_READONLY_PASSWORD (or _FILE), who may"
          + " only look. Without SPOOL_DASHBOARD_PASSWORD a random admin password is made and"
          + " printed once in the log.",
      "Listens on 127.0.0.1 unless --bind says otherwise. Stops on SIGTERM or Ctrl-C."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped by SIGTERM or Ctrl-C",
      "1:could not connect to RabbitMQ or Redis, or could not bind the port",
      "2:bad arguments or configuration"
    })
public final class DashboardMain implements Callable<Integer> {
  @Mixin ConnectionOptions connection = new ConnectionOptions();
  @Mixin LogOptions logging = new LogOptions();

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      description =
          "Address to listen on (env SPOOL_DASHBOARD_BIND; default 127.0.0.1). 0.0.0.0 serves"
              + " every network this host is on: put it behind TLS.")
  String bind;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port to listen on (env SPOOL_DASHBOARD_UI_PORT; default 8080).")
  Integer port;

  @Option(
      names = "--management-uri",
      paramLabel = "URI",
      description =
          "The RabbitMQ management API (env SPOOL_MANAGEMENT_URI; default: the AMQP host on port"
              + " 15672).")
  String managementUri;

  @Option(
      names = "--mask",
      paramLabel = "TASK",
      split = ",",
      description =
          "Task names whose arguments are never shown (env SPOOL_DASHBOARD_MASK, comma-separated).")
  List<String> masked = List.of();

  @Option(
      names = "--trusted-proxy",
      paramLabel = "ADDRESS",
      split = ",",
      description =
          "A reverse proxy (an address or a CIDR range) whose X-Forwarded-For names the client, for"
              + " the login throttle and the logs (env SPOOL_DASHBOARD_TRUSTED_PROXIES,"
              + " comma-separated; default: none, the peer is the client).")
  List<String> trustedProxies = List.of();

  @Option(
      names = "--allowed-host",
      paramLabel = "NAME",
      split = ",",
      description =
          "A host name users reach the dashboard by, besides localhost and IP addresses (env"
              + " SPOOL_DASHBOARD_ALLOWED_HOSTS, comma-separated): requests naming another host are"
              + " refused, against DNS rebinding.")
  List<String> allowedHosts = List.of();

  @Option(
      names = "--trace-url",
      paramLabel = "URL",
      description =
          "Where a task run's trace is, with {traceId} in its place, e.g."
              + " http://jaeger:16686/trace/{traceId} (env SPOOL_DASHBOARD_TRACE_URL): task and"
              + " workflow pages link each traced run to it.")
  String traceUrl;

  public static void main(String[] args) {
    if (!LogOptions.prepare("spool-dashboard", System.getenv(), System.err)) {
      System.exit(SpoolCli.EXIT_USAGE);
    }
    SpoolCli.identify("dashboard@" + ProcessHandle.current().pid());
    System.exit(
        SpoolCli.execute("spool-dashboard", SpoolCli.commandLine(new DashboardMain()), args));
  }

  @Override
  public Integer call() throws InterruptedException {
    Logger log = LoggerFactory.getLogger(DashboardMain.class);
    Map<String, String> env = System.getenv();
    SpoolConfig config = connection.toConfig(env);
    DashboardConfig settings = settings(env, log);
    ManagementApi api = ManagementApi.forConfig(config, env, managementUri);
    CountDownLatch stop = new CountDownLatch(1);
    try (DashboardData data = new DashboardData(config, api, settings, Clock.systemUTC());
        Dashboard dashboard = Dashboard.start(settings, data, Clock.systemUTC())) {
      log.info(
          "dashboard of namespace {} on http://{}:{}/ ({}; {})",
          config.namespace(),
          settings.bind(),
          dashboard.port(),
          config,
          settings);
      Signals.onStop(stop::countDown);
      stop.await();
      log.info("stopping");
    }
    return 0;
  }

  private DashboardConfig settings(Map<String, String> env, Logger log) {
    String admin = SpoolConfig.setting(env, "SPOOL_DASHBOARD_PASSWORD");
    if (admin == null) {
      admin = Sessions.random().substring(0, 20);
      log.warn(
          "SPOOL_DASHBOARD_PASSWORD is not set; log in as admin with this password, made for this"
              + " run only: {}",
          admin);
    }
    String b = bind != null ? bind : env.getOrDefault("SPOOL_DASHBOARD_BIND", "127.0.0.1");
    int p = port != null ? port : port(env.get("SPOOL_DASHBOARD_UI_PORT"));
    Set<String> mask = new LinkedHashSet<>(masked);
    String maskEnv = env.get("SPOOL_DASHBOARD_MASK");
    if (maskEnv != null) {
      Arrays.stream(maskEnv.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .forEach(mask::add);
    }
    List<String> proxies = new ArrayList<>(trustedProxies);
    proxies.addAll(list(env.get("SPOOL_DASHBOARD_TRUSTED_PROXIES")));
    Set<String> hosts = new LinkedHashSet<>();
    allowedHosts.forEach(h -> hosts.add(h.trim().toLowerCase(java.util.Locale.ROOT)));
    list(env.get("SPOOL_DASHBOARD_ALLOWED_HOSTS"))
        .forEach(h -> hosts.add(h.toLowerCase(java.util.Locale.ROOT)));
    return new DashboardConfig(
        b,
        p,
        admin,
        SpoolConfig.setting(env, "SPOOL_DASHBOARD_READONLY_PASSWORD"),
        mask,
        Duration.ofHours(8),
        2000,
        proxies,
        hosts,
        traceUrl != null ? traceUrl : SpoolConfig.setting(env, "SPOOL_DASHBOARD_TRACE_URL"));
  }

  private static List<String> list(String commaSeparated) {
    if (commaSeparated == null) return List.of();
    return Arrays.stream(commaSeparated.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  private static int port(String raw) {
    if (raw == null || raw.isBlank()) return 8080;
    try {
      return Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "SPOOL_DASHBOARD_UI_PORT must be a port number, was '" + raw + "'");
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = DashboardMain.class.getPackage().getImplementationVersion();
      return new String[] {"spool-dashboard " + (v == null ? "(development build)" : v)};
    }
  }
}
