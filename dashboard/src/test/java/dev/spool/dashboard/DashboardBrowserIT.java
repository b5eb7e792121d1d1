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
import dev.spool.producer.TaskState;
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
            "127.0.0.1", 0, ADMIN, VIEWER, Set.of("secret"), Duration.ofHours(1), 2000);
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
        browser.waitForText("td[data-field='State']", "STARTED");
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
        browser.waitForText("td[data-field='State']", "SUCCEEDED");
        browser.screenshot("task-replayed");

        // The list of recent tasks, filtered by name and state.
        browser.go(base + "/#tasks");
        browser.waitFor("#filter-name").sendKeys("double");
        browser
            .driver()
            .findElement(By.cssSelector("#filter-state option[value='succeeded']"))
            .click();
        browser.driver().findElement(By.cssSelector("#filter button")).click();
        browser.waitFor("#recent tr[data-task='" + deadId + "']");
        assertEquals(
            1, browser.driver().findElements(By.cssSelector("#recent tr[data-task]")).size());
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

        // A phone-sized screen.
        browser.size(390, 844);
        browser.go(base + "/#workers");
        browser.waitFor("#workers tr[data-worker]");
        browser.screenshot("workers-phone");
        browser.go(base + "/#overview");
        browser.waitFor("#history");
        assertTrue(Files.size(browser.screenshot("overview-phone")) > 0);
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
    return r;
  }
}
