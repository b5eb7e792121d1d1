package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@code bin/} command sources before it starts a JVM: {@code bin/java-env.sh} (which
 * JDK) and {@code bin/spool-build-if-needed.sh} (whether the jars are stale), run by bash against
 * made-up JDKs and a made-up checkout.
 */
final class LauncherScriptsTest {
  private static final Path ROOT = root();

  @TempDir Path tmp;

  @Test
  void javaEnv_keepsAJavaHomeOf21OrNewer_readingItsReleaseFile() throws Exception {
    Path jdk = fakeJdk("jdk22", "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"22.0.1\""); // no last newline
    assertEquals(jdk + " 22", javaEnv(jdk));
  }

  @Test
  void javaEnv_asksTheJavaOfAHomeWithoutReleaseFile() throws Exception {
    Path jdk = fakeJdk("norelease", null);
    Files.writeString(
        jdk.resolve("bin/java"),
        "#!/bin/sh\necho '    java.specification.version = 23' >&2\n"); // as -XshowSettings does
    assertEquals(jdk + " 23", javaEnv(jdk));
  }

  @Test
  void javaEnv_followsAHomeWhoseJavaIsALinkIntoAJdk() throws Exception {
    Path jdk = fakeJdk("jdk24", "JAVA_VERSION=\"24\"\n");
    Path usr = Files.createDirectories(tmp.resolve("usr/bin"));
    Files.createSymbolicLink(usr.resolve("java"), jdk.resolve("bin/java"));
    assertEquals(tmp.resolve("usr") + " 24", javaEnv(tmp.resolve("usr")));
  }

  @Test
  void javaEnv_passesOverAJavaHomeOlderThan21() throws Exception {
    Path jdk = fakeJdk("jdk17", "JAVA_VERSION=\"17.0.2\"\n");
    // Another JDK is found (this machine builds with one) or none, and the script says so.
    String out = javaEnv(jdk);
    assertTrue(!out.startsWith(jdk.toString()), out);
  }

  @Test
  void buildIfNeeded_buildsOnlyWhenAJarIsMissingOrASourceIsNewer() throws Exception {
    Path root = fakeCheckout("echo built >> \"$(dirname \"$0\")/builds\"\n");
    List<Path> jars = jars(root);

    buildIfNeeded(root);
    assertEquals(0, builds(root), "jars newer than every source: no build");

    // A source newer than one jar only (the oldest) is enough, in the API module as well.
    Instant oldest = Files.getLastModifiedTime(jars.get(0)).toInstant();
    Instant sources = Files.getLastModifiedTime(root.resolve("pom.xml")).toInstant();
    Files.setLastModifiedTime(root.resolve("api/src/A.java"), FileTime.from(oldest.plusSeconds(1)));
    buildIfNeeded(root);
    assertEquals(1, builds(root), "an API source newer than the consumer's jar");

    Files.setLastModifiedTime(root.resolve("api/src/A.java"), FileTime.from(sources));
    Files.delete(jars.get(2));
    buildIfNeeded(root);
    assertEquals(2, builds(root), "the dashboard's jar is missing");
  }

  @Test
  void buildIfNeeded_twoCommandsStartedTogether_buildOnce() throws Exception {
    // The build makes the jars once the test says go, which it does when the second command
    // has said what it does meanwhile: nothing here depends on how fast the machine is.
    Path root =
        fakeCheckout(
            "d=\"$(dirname \"$0\")\"\necho start >> \"$d/builds\"\n"
                + "for _ in $(seq 1 1200); do [ -f \"$d/go\" ] && break; sleep 0.05; done\n"
                + "touch \"$d/consumer/target/spool-consumer.jar\" "
                + "\"$d/producer/target/spool-producer.jar\" "
                + "\"$d/dashboard/target/spool-dashboard.jar\"\necho end >> \"$d/builds\"\n");
    Files.delete(jars(root).get(0));
    Process first = buildIfNeededStarted(root);
    org.awaitility.Awaitility.await("the first command started its build")
        .atMost(java.time.Duration.ofMinutes(1))
        .until(() -> builds(root) == 1);
    Process second = buildIfNeededStarted(root);
    String secondSaid;
    try (var out =
        new java.io.BufferedReader(new java.io.InputStreamReader(second.getInputStream()))) {
      secondSaid = String.valueOf(out.readLine()); // while the first one's build holds
      Files.writeString(root.resolve("go"), "");
      assertEquals(0, second.waitFor(), secondSaid);
    }
    assertEquals(0, first.waitFor());

    assertTrue(secondSaid.contains("waiting for another command"), secondSaid);
    assertEquals(
        List.of("start", "end"),
        Files.readAllLines(root.resolve("builds")),
        "one build, the second command waiting for it");
  }

  /**
   * A checkout whose sources are an hour old, its jars newer (the consumer's the oldest), and a
   * {@code mvnw} that runs {@code build}.
   */
  private Path fakeCheckout(String build) throws IOException {
    Path root = tmp.resolve("checkout");
    Files.createDirectories(root);
    Files.writeString(root.resolve("pom.xml"), "<project/>");
    for (String module : List.of("api", "core", "shared-state", "consumer", "producer")) {
      Files.writeString(
          Files.createDirectories(root.resolve(module + "/src")).resolve("A.java"), "class A {}");
    }
    Files.createDirectories(root.resolve("dashboard/src"));
    Path mvnw = root.resolve("mvnw");
    Files.writeString(mvnw, "#!/bin/sh\n" + build);
    Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
    Instant sources = Instant.now().minusSeconds(3600);
    try (var files = Files.walk(root)) {
      for (Path p : files.toList()) Files.setLastModifiedTime(p, FileTime.from(sources));
    }
    List<Path> jars = jars(root);
    for (int i = 0; i < jars.size(); i++) {
      Files.createDirectories(jars.get(i).getParent());
      Files.writeString(jars.get(i), "jar");
      Files.setLastModifiedTime(jars.get(i), FileTime.from(sources.plusSeconds(60 + i)));
    }
    return root;
  }

  private static List<Path> jars(Path root) {
    return List.of(
        root.resolve("consumer/target/spool-consumer.jar"),
        root.resolve("producer/target/spool-producer.jar"),
        root.resolve("dashboard/target/spool-dashboard.jar"));
  }

  private Path fakeJdk(String name, String release) throws IOException {
    Path home = Files.createDirectories(tmp.resolve(name + "/bin"));
    for (String tool : List.of("java", "javac")) {
      Path p = home.resolve(tool);
      Files.writeString(p, "#!/bin/sh\nexit 0\n");
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    if (release != null) Files.writeString(home.getParent().resolve("release"), release);
    return home.getParent();
  }

  /** {@code JAVA_HOME SPOOL_JAVA_MAJOR} after sourcing java-env.sh, or its error. */
  private String javaEnv(Path javaHome) throws Exception {
    return bash(
        Map.of("JAVA_HOME", javaHome.toString()),
        ". \"$1/bin/java-env.sh\" && echo \"$JAVA_HOME $SPOOL_JAVA_MAJOR\"",
        ROOT.toString());
  }

  private void buildIfNeeded(Path root) throws Exception {
    bash(
        Map.of(),
        ". \"$1/bin/spool-build-if-needed.sh\" && spool_build_if_needed \"$2\"",
        ROOT.toString(),
        root.toString());
  }

  private Process buildIfNeededStarted(Path root) throws IOException {
    return new ProcessBuilder(
            "bash",
            "-c",
            ". \"$1/bin/spool-build-if-needed.sh\" && spool_build_if_needed \"$2\"",
            "bash",
            ROOT.toString(),
            root.toString())
        .redirectErrorStream(true)
        .start();
  }

  private static int builds(Path root) throws IOException {
    Path log = root.resolve("builds");
    return Files.exists(log) ? Files.readAllLines(log).size() : 0;
  }

  private static String bash(Map<String, String> env, String script, String... args)
      throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("bash", "-c", script, "bash"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    p.waitFor();
    return out;
  }

  private static Path root() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("bin/java-env.sh"))) return p;
    }
    throw new IllegalStateException("no bin/java-env.sh above " + Path.of("").toAbsolutePath());
  }
}
