package dev.spool.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.HandlerRegistry;
import dev.spool.LockLease;
import dev.spool.consumer.ConsumerConfig;
import dev.spool.consumer.SpoolConsumer;
import dev.spool.producer.AsyncResult;
import dev.spool.producer.Spool;
import dev.spool.producer.TaskOptions;
import dev.spool.producer.TaskPool;
import dev.spool.producer.TaskPoolConfig;
import dev.spool.producer.TaskState;
import dev.spool.producer.Workflow;
import dev.spool.producer.status.ManagementApi;
import dev.spool.state.internal.RedisState;
import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;

/**
 * The dashboard in headless Chromium against real RabbitMQ, Redis and consumers: log in, see a
 * running task on its worker, find a task by id, see a lock while held, replay a dead letter and
 * see it succeed; a read-only login cannot replay. Each page's screenshot is saved for
 * docs/operate.md.
 */
@ExtendWith(SpoolServicesExtension.class)
final class DashboardBrowserIT {
  private static final Duration KEEP = Duration.ofMinutes(10);
  private static final String ADMIN = "admin-password";
  private static final String VIEWER = "viewer-password";

  @Test
  void dashboard_adminSeesAndReplays_viewerCannotReplay(SpoolTestEnv env) throws Exception {
    DashboardConfig settings =
        new DashboardConfig(
            "127.0.0.1",
            0,
            ADMIN,
            VIEWER,
            Set.of("secret"),
            Duration.ofHours(1),
            2000,
            List.of(),
            Set.of(),
            "http://jaeger.example:16686/trace/{traceId}");
    ManagementApi api =
        ManagementApi.forConfig(
            env.config(), Map.of("SPOOL_MANAGEMENT_URI", env.managementUri().toString()), null);
    try (DashboardData data = new DashboardData(env.config(), api, settings, Clock.systemUTC());
        Dashboard dashboard = Dashboard.start(settings, data, Clock.systemUTC());
        Spool spool = Spool.connect(env.config());
        TaskPool pool = spool.pool();
        RedisState state = env.sharedState();
        Browser browser = Browser.start()) {
      String base = "http://127.0.0.1:" + dashboard.port();

      // A dead letter: the first consumer does not know task 'double'.
      String deadId;
      try (SpoolConsumer first =
          spool.consumer(ConsumerConfig.builder().build(), registry(false))) {
        deadId = pool.submit("double", 21L, TaskOptions.defaults().withKeepResult(KEEP));
        await().atMost(Browser.WAIT).until(() -> data.dead("tasks").size() == 1);
      }

      try (SpoolConsumer second =
          spool.consumer(ConsumerConfig.builder().concurrency(4).build(), registry(true))) {
        // The read-only login sees the dead letter, has no replay button, and the API refuses
        // a replay even with the session's CSRF token.
        browser.login(base, "viewer", VIEWER);
        browser.go(base + "/#dead");
        browser.waitFor("tr[data-task='" + deadId + "']");
        assertFalse(browser.present("#replay-selected"), "no replay button for a viewer");
        Object refused =
            browser
                .driver()
                .executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                        + "fetch('/api/me').then(r => r.json()).then(me => fetch('/api/dead/replay',"
                        + " {method: 'POST', headers: {'X-CSRF-Token': me.csrf,"
                        + " 'Content-Type': 'application/json'},"
                        + " body: JSON.stringify({queue: 'tasks', all: true})}))"
                        + ".then(r => done(r.status));");
        assertEquals(403L, refused);
        browser.logout();

        // The admin: the overview counts the worker.
        browser.login(base, "admin", ADMIN);
        browser.waitForText("#card-workers b", "1");
        browser.waitForText("#card-dead b", "1");

        // A running task, on its worker.
        String slowId = pool.submit("sleep", 8000L, TaskOptions.defaults().withKeepResult(KEEP));
        browser.go(base + "/#workers");
        String row = browser.text("#active tr[data-task='" + slowId + "']");
        assertTrue(row.contains("sleep") && row.contains(second.id()), row);
        browser.screenshot("workers");

        // Found by id.
        browser.go(base + "/#tasks/" + slowId);
        browser.waitForText("td[data-field='State']", "started");
        assertEquals(second.id(), browser.text("td[data-field='Worker']"));
        browser.screenshot("task");

        // A lock, while held.
        pool.submit("hold-lock", 8000L, TaskOptions.defaults());
        browser.go(base + "/#state");
        String lock = browser.text("#locks tr[data-lock='report']");
        assertTrue(lock.contains(second.id()), "holder shown: " + lock);
        browser.screenshot("locks");

        // Replay the dead letter: select it, replay, confirm; it succeeds on the second consumer.
        browser.go(base + "/#dead");
        var box = browser.waitFor("tr[data-task='" + deadId + "'] input[type=checkbox]");
        box.click();
        assertTrue(box.isSelected(), "the dead letter is selected");
        browser.screenshot("dead-letters");
        browser.driver().findElement(By.id("replay-selected")).click();
        browser.acceptDialog();
        browser.waitForText("#notice", "replayed 1");
        await()
            .atMost(Browser.WAIT)
            .until(() -> AsyncResult.of(state, deadId).state() == TaskState.SUCCEEDED);
        assertEquals(42L, AsyncResult.of(state, deadId).get(Long.class, Duration.ZERO));
        browser.go(base + "/#tasks/" + deadId);
        browser.waitForText("td[data-field='State']", "succeeded");
        browser.screenshot("task-replayed");

        // The list of recent tasks, filtered by name and state.
        browser.go(base + "/#tasks");
        browser.waitFor("#filter-name").sendKeys("double");
        browser
            .driver()
            .findElement(By.cssSelector("#filter-state option[value='succeeded']"))
            .click();
        browser.driver().findElement(By.cssSelector("#filter button")).click();
        // The unfiltered list shows the replayed task too, until the filtered one replaces it:
        // wait for the list to hold it alone (the running 'sleep' and 'hold-lock' are filtered
        // out), which times out if the filter does not filter.
        browser.until(
            "the list filtered to the one succeeded 'double'",
            () -> {
              var rows = browser.driver().findElements(By.cssSelector("#recent tr[data-task]"));
              return rows.size() == 1 && deadId.equals(rows.get(0).getAttribute("data-task"));
            });
        browser.screenshot("tasks-recent");
        browser.go(base + "/#dead");
        browser.waitForText("#dead-tasks td", "none"); // replayed: none left

        // The overview once tasks have run: the history counts them, no dead letter is left.
        List<Long> squares =
            pool.map("square", LongStream.range(0, 300).boxed().toList(), Long.class);
        assertEquals(299L * 299L, squares.get(299));
        browser.go(base + "/#overview");
        browser.waitForText("#card-dead b", "0");
        browser.until(
            "the history to count the tasks that succeeded",
            () -> browser.text("#history figcaption").matches("[1-9][0-9]* succeeded.*"));
        browser.screenshot("overview");

        // Every task is listed, kept or not: the map's squares, with their input and run time.
        browser.go(base + "/#tasks");
        var filterName = browser.waitFor("#filter-name");
        filterName.clear();
        filterName.sendKeys("square");
        browser.driver().findElement(By.cssSelector("#filter-state option[value='']")).click();
        browser.driver().findElement(By.cssSelector("#filter button")).click();
        browser.until(
            "the map's squares to be listed",
            () ->
                browser.driver().findElements(By.cssSelector("#recent tr[data-task]")).size() > 1);
        String squareRow = browser.text("#recent tr[data-task]");
        assertTrue(squareRow.contains("square") && squareRow.contains("succeeded"), squareRow);
        browser.screenshot("tasks-all");

        // A traced task links to its trace.
        var otel =
            io.opentelemetry.sdk.OpenTelemetrySdk.builder()
                .setTracerProvider(
                    // With no processor at all the SDK makes no spans: a processor that keeps none.
                    io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
                        .addSpanProcessor(new DiscardSpans())
                        .build())
                .setPropagators(
                    io.opentelemetry.context.propagation.ContextPropagators.create(
                        io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator
                            .getInstance()))
                .build();
        try (TaskPool traced = spool.pool(TaskPoolConfig.builder().openTelemetry(otel).build())) {
          String tracedId =
              traced.submit("square", 7L, TaskOptions.defaults().withKeepResult(KEEP));
          assertEquals(49L, spool.result(tracedId).get(Long.class, Browser.WAIT));
          browser.go(base + "/#tasks/" + tracedId);
          browser.until(
              "the trace link",
              () ->
                  !browser.driver().findElements(By.id("trace-link")).isEmpty()
                      && browser
                          .driver()
                          .findElement(By.id("trace-link"))
                          .getAttribute("href")
                          .matches("http://jaeger\\.example:16686/trace/[0-9a-f]{32}"));
          assertEquals("7", browser.text("td[data-field='Input']"));
        }

        // A workflow, drawn while it runs, refreshed until it ends.
        String chord =
            pool.submit(
                Workflow.chord(
                    Workflow.group(
                        Workflow.task("square", 2L),
                        Workflow.task("sleep", 1500L),
                        Workflow.task("square", 3L)),
                    Workflow.task("count")),
                TaskOptions.defaults());
        browser.go(base + "/#workflows/" + chord);
        browser.waitFor("#graph .step");
        browser.waitForText("#workflow-state", "succeeded"); // by the page's own refresh
        assertEquals(
            4, browser.driver().findElements(By.cssSelector("#graph .step.succeeded")).size());
        assertEquals("3", browser.text("#workflow-result"));
        browser.screenshot("workflow");

        // A chord whose member fails: the page names it, its dead letter leads to it.
        String failing =
            pool.submit(
                Workflow.chord(
                    Workflow.group(Workflow.task("square", 1L), Workflow.task("refuse", 2L)),
                    Workflow.task("count")),
                TaskOptions.defaults());
        await().atMost(Browser.WAIT).until(() -> spool.result(failing).state() == TaskState.FAILED);
        browser.go(base + "/#workflows/" + failing);
        browser.waitForText("#workflow-state", "failed");
        assertEquals(failing + ".3", browser.text("#failed-step a"));
        assertTrue(
            browser.text("#workflow-error").contains("step " + failing + ".3 ('refuse') failed"),
            browser.text("#workflow-error"));
        assertEquals(
            1, browser.driver().findElements(By.cssSelector("#graph .step.failed")).size());
        assertEquals(
            1, browser.driver().findElements(By.cssSelector("#graph .step.not-run")).size());
        browser.screenshot("workflow-failed");
        browser.go(base + "/#dead");
        browser.waitFor("tr[data-task='" + failing + ".3'] a").click();
        browser.waitForText("#workflow-link", failing); // the member's page resolves
        assertEquals("failed", browser.text("td[data-field='State']"));
        browser.screenshot("task-step");

        // A workflow cancelled from its page: its waiting steps never run.
        String slow =
            pool.submit(
                Workflow.chain(Workflow.task("sleep", 3000L), Workflow.task("square")),
                TaskOptions.defaults());
        browser.go(base + "/#workflows/" + slow);
        browser.waitFor("#cancel-workflow").click();
        browser.acceptDialog();
        browser.waitForText("#workflow-state", "cancelled");
        assertEquals(TaskState.CANCELLED, spool.result(slow).state());
        browser.screenshot("workflow-cancelled");

        // A workflow too big to draw is counted instead, without a Redis read per step.
        List<Workflow> many = new java.util.ArrayList<>();
        for (long i = 0; i < 600; i++) many.add(Workflow.task("square", i));
        String big =
            pool.submit(
                Workflow.chord(Workflow.group(many), Workflow.task("count")),
                TaskOptions.defaults());
        assertEquals(600L, spool.result(big).get(Long.class, Browser.WAIT));
        browser.go(base + "/#workflows/" + big);
        browser.waitForText("#graph-summary", "601 steps, too many to draw: 601 succeeded");

        // The favicon is served, not a 404.
        assertEquals(
            200,
            java.net.http.HttpClient.newHttpClient()
                .send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/favicon.ico"))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode());

        // A phone-sized screen.
        browser.size(390, 844);
        browser.go(base + "/#workers");
        browser.waitFor("#workers tr[data-worker]");
        browser.screenshot("workers-phone");
        browser.go(base + "/#overview");
        browser.waitFor("#history");
        assertTrue(Files.size(browser.screenshot("overview-phone")) > 0);
        browser.go(base + "/#tasks");
        browser.waitFor("#recent tr[data-task]");
        assertFalse(
            (Boolean)
                browser
                    .driver()
                    .executeScript(
                        "return document.documentElement.scrollWidth > window.innerWidth;"),
            "no table wider than a phone's screen");
        browser.screenshot("tasks-phone");
        browser.go(base + "/#workflows/" + failing);
        browser.waitFor("#graph .step");
        browser.screenshot("workflow-phone");
      }
    }
  }

  private static HandlerRegistry registry(boolean withDouble) {
    HandlerRegistry r = HandlerRegistry.withProviders(DashboardBrowserIT.class.getClassLoader());
    r.register(
        "hold-lock",
        Long.class,
        (ms, ctx) -> {
          try (LockLease lease =
              ctx.state().lock("report").acquire(Duration.ofSeconds(10), Duration.ofSeconds(30))) {
            Thread.sleep(ms);
          }
          return ms;
        });
    if (withDouble) r.register("double", Long.class, (x, ctx) -> x * 2);
    r.register(
        "refuse",
        Long.class,
        (Long x, dev.spool.TaskContext ctx) -> {
          throw new dev.spool.NotRetryableException("refused " + x);
        });
    r.register("count", long[].class, (long[] xs, dev.spool.TaskContext ctx) -> (long) xs.length);
    return r;
  }

  /** Spans made and let go: the SDK traces (and propagates) only with a processor. */
  private static final class DiscardSpans implements io.opentelemetry.sdk.trace.SpanProcessor {
    @Override
    public void onStart(
        io.opentelemetry.context.Context parent, io.opentelemetry.sdk.trace.ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan span) {}

    @Override
    public boolean isEndRequired() {
      return false;
    }
  }
}
