package dev.spool.producer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spool.testing.SpoolServicesExtension;
import dev.spool.testing.SpoolTestEnv;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own jar of task handlers, compiled here against the built consumer jar as a user would
 * compile it, then loaded by a consumer process: from {@code --tasks DIR} (a plain run) and from
 * {@code SPOOL_TASKS_PATH} (what the image and the compose file set).
 */
@ExtendWith(SpoolServicesExtension.class)
final class TaskJarsIT {
  private static final String SOURCE =
      """
      package example;

      import dev.spool.HandlerRegistry;
      import dev.spool.TaskContext;
      import dev.spool.TaskHandlerProvider;

      public final class GreetTasks implements TaskHandlerProvider {
        @Override
        public void registerTasks(HandlerRegistry registry) {
          registry.register("greet", String.class, (String name, TaskContext c) -> "hello " + name);
        }
      }
      """;

  private SpoolProcesses procs;

  @AfterEach
  void killLeftovers() throws Exception {
    if (procs != null) procs.close();
  }

  @Test
  void tasksFlag_directoryOfJars_consumerRunsTheUsersTask(
      SpoolTestEnv env, TestInfo info, @TempDir Path dir) throws Exception {
    buildJar(dir);
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, false, "--tasks", dir.toString());
    try (TaskPool pool = TestSpools.pool(env.config())) {
      assertEquals("hello Ada", pool.apply("greet", "Ada", String.class));
      assertEquals(
          List.of("hello a", "hello b"), pool.map("greet", List.of("a", "b"), String.class));
    }
    assertTrue(procs.read("consumer-0.err").contains("greet"), "the startup log lists greet");
  }

  @Test
  void aJarListingItsProvidersUnderTheOldName_isNamedInAWarning(
      SpoolTestEnv env, TestInfo info, @TempDir Path dir) throws Exception {
    buildJar(dir, "META-INF/services/dev.spool.consumer.TaskHandlerProvider");
    procs = SpoolProcesses.forTest(env, info);
    procs.startConsumers(1, false, "--tasks", dir.toString());
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> procs.read("consumer-0.err").contains("under the old name"));
    String err = procs.read("consumer-0.err");
    assertTrue(
        err.contains("greet-tasks.jar") && err.contains("dev.spool.TaskHandlerProvider"), err);
  }

  @Test
  void tasksPathVariable_asInTheImage_consumerRunsTheUsersTask(
      SpoolTestEnv env, TestInfo info, @TempDir Path dir) throws Exception {
    Path jar = buildJar(dir);
    procs = SpoolProcesses.forTest(env, info);
    Process consumer =
        procs.startConsumer("consumer-env", false, Map.of("SPOOL_TASKS_PATH", jar.toString()));
    try (TaskPool pool = TestSpools.pool(env.config())) {
      assertEquals("hello Grace", pool.apply("greet", "Grace", String.class));
    }
    assertTrue(consumer.isAlive());
  }

  @Test
  void tasksFlag_missingPath_failsAtStartNamingIt(
      SpoolTestEnv env, TestInfo info, @TempDir Path dir) throws Exception {
    procs = SpoolProcesses.forTest(env, info);
    Process consumer =
        procs.start(procs.consumer("--tasks", dir.resolve("nope.jar").toString()), "consumer-bad");
    assertTrue(consumer.waitFor(30, TimeUnit.SECONDS));
    assertEquals(2, consumer.exitValue());
    String err = procs.read("consumer-bad.err");
    assertTrue(err.contains("nope.jar") && err.contains("--tasks"), err);
  }

  /**
   * Compiles {@link #SOURCE} against the spool-api jar alone, as a handler author's build does, and
   * jars it with its service file.
   */
  private static Path buildJar(Path dir) throws Exception {
    return buildJar(dir, "META-INF/services/dev.spool.TaskHandlerProvider");
  }

  private static Path buildJar(Path dir, String serviceFile) throws Exception {
    Path src = dir.resolve("src/example/GreetTasks.java");
    Path classes = dir.resolve("classes");
    Files.createDirectories(src.getParent());
    Files.createDirectories(classes);
    Files.writeString(src, SOURCE);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc =
        javac.run(
            null,
            null,
            null,
            "-d",
            classes.toString(),
            "-cp",
            System.getProperty("spool.api.jar"),
            src.toString());
    assertEquals(0, rc, "the user's task compiles against spool-api alone");
    Path jar = dir.resolve("greet-tasks.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      add(
          out,
          "example/GreetTasks.class",
          Files.readAllBytes(classes.resolve("example/GreetTasks.class")));
      add(out, serviceFile, "example.GreetTasks\n".getBytes(StandardCharsets.UTF_8));
    }
    return jar;
  }

  private static void add(JarOutputStream out, String name, byte[] bytes) throws Exception {
    out.putNextEntry(new JarEntry(name));
    OutputStream o = out;
    o.write(bytes);
    out.closeEntry();
  }
}
