package dev.spool.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** spool-dashboard as its users run it: a process from the built jar, stopped by SIGTERM. */
@ExtendWith(SpoolServicesExtension.class)
final class DashboardProcessIT {
  @Test
  void sigterm_stopsItCleanly_exitZero(SpoolTestEnv env) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = Files.createTempFile("spool-dashboard", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                System.getProperty("spool.dashboard.jar"),
                "--port",
                Integer.toString(port))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("SPOOL_AMQP_URI", env.config().amqpUri().toString());
    pb.environment().put("SPOOL_REDIS_URI", env.config().redisUri().toString());
    pb.environment().put("SPOOL_NAMESPACE", env.namespace());
    pb.environment().put("SPOOL_DASHBOARD_PASSWORD", "dashboard-test-password");
    pb.environment().put("SPOOL_MANAGEMENT_URI", env.managementUri().toString());
    Process p = pb.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI health = URI.create("http://127.0.0.1:" + port + "/health");
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () ->
                  http.send(
                              HttpRequest.newBuilder(health).build(),
                              HttpResponse.BodyHandlers.ofString())
                          .statusCode()
                      == 200);
      new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped on SIGTERM");
      assertEquals(0, p.exitValue(), Files.readString(log));
      assertTrue(Files.readString(log).contains("stopping"), Files.readString(log));
    } finally {
      p.destroyForcibly();
    }
  }
}
