package dev.spool.dashboard;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium driven through chromedriver: Debian's {@code chromium} and {@code
 * chromium-driver} packages, or the binaries named by {@code SPOOL_TEST_CHROMIUM} and {@code
 * SPOOL_TEST_CHROMEDRIVER}. Nothing is downloaded. Fails, never skips, when they are missing.
 */
final class Browser implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  private final ChromeDriver driver;
  private final Path screenshots;

  private Browser(ChromeDriver driver, Path screenshots) {
    this.driver = driver;
    this.screenshots = screenshots;
  }

  static Browser start() throws IOException {
    String chromium = binary("SPOOL_TEST_CHROMIUM", "/usr/bin/chromium");
    String chromedriver = binary("SPOOL_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900");
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(Path.of(chromedriver).toFile())
            .build();
    Path dir = Path.of(System.getProperty("spool.screenshots", "target/screenshots"));
    Files.createDirectories(dir);
    return new Browser(new ChromeDriver(service, options), dir);
  }

  private static String binary(String env, String fallback) {
    String path = System.getenv().getOrDefault(env, fallback);
    if (!Files.isExecutable(Path.of(path))) {
      throw new AssertionError(
          path
              + " is missing: the dashboard's browser tests need headless Chromium; install"
              + " Debian's chromium and chromium-driver (apt-get install chromium"
              + " chromium-driver), or set "
              + env);
    }
    return path;
  }

  ChromeDriver driver() {
    return driver;
  }

  void login(String base, String user, String password) {
    driver.get(base + "/login");
    WebElement u = driver.findElement(By.id("user"));
    u.clear();
    u.sendKeys(user);
    driver.findElement(By.id("password")).sendKeys(password);
    driver.findElement(By.id("submit")).click();
    try {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  !driver.findElements(By.id("who")).isEmpty()
                      && driver.findElement(By.id("who")).getText().startsWith(user + " ("));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "not logged in as "
              + user
              + "; at "
              + driver.getCurrentUrl()
              + ":\n"
              + driver.getPageSource(),
          e);
    }
  }

  void logout() {
    driver.findElement(By.id("logout")).click();
    await().atMost(WAIT).until(() -> driver.getCurrentUrl().endsWith("/login"));
  }

  void go(String url) {
    driver.get(url);
  }

  /** Waits until {@code css} matches at least one element, and returns the first. */
  WebElement waitFor(String css) {
    until(css, () -> !driver.findElements(By.cssSelector(css)).isEmpty());
    return driver.findElement(By.cssSelector(css));
  }

  /** Waits for {@code condition}; on a timeout, fails with what the page shows and a screenshot. */
  void until(String what, java.util.concurrent.Callable<Boolean> condition) {
    try {
      // Polled pages are redrawn every 2 s: an element read a moment ago may be gone.
      await()
          .atMost(WAIT)
          .ignoreException(org.openqa.selenium.StaleElementReferenceException.class)
          .until(condition);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      String shown;
      try {
        screenshot("failure");
        shown = driver.findElement(By.tagName("body")).getText();
      } catch (IOException | RuntimeException ex) {
        shown = "(cannot read the page: " + ex + ")";
      }
      throw new AssertionError(
          "waited "
              + WAIT
              + " for "
              + what
              + " at "
              + driver.getCurrentUrl()
              + "; the page shows:\n"
              + shown,
          e);
    }
  }

  /** Waits until {@code css}'s first element's text is {@code text}. */
  void waitForText(String css, String text) {
    until(
        css + " to read '" + text + "'",
        () -> {
          List<WebElement> found = driver.findElements(By.cssSelector(css));
          return !found.isEmpty() && found.getFirst().getText().equals(text);
        });
  }

  /** Waits for a confirm() dialog and accepts it. */
  void acceptDialog() {
    until(
        "a dialog",
        () -> {
          try {
            driver.switchTo().alert();
            return true;
          } catch (org.openqa.selenium.NoAlertPresentException e) {
            return false;
          }
        });
    driver.switchTo().alert().accept();
  }

  /** The text of {@code css}'s first element, once there, read again if redrawn meanwhile. */
  String text(String css) {
    String[] text = new String[1];
    until(
        css,
        () -> {
          List<WebElement> found = driver.findElements(By.cssSelector(css));
          if (found.isEmpty()) return false;
          text[0] = found.getFirst().getText();
          return true;
        });
    return text[0];
  }

  boolean present(String css) {
    return !driver.findElements(By.cssSelector(css)).isEmpty();
  }

  void size(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** Saves the window as {@code name}.png in the screenshots directory. */
  Path screenshot(String name) throws IOException {
    Path file = screenshots.resolve(name + ".png");
    Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    return file;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
