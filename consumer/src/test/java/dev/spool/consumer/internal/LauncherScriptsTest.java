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
   * {@code bin/spool-consumer}'s JIT setting, run in a checkout whose path has a space, with a JDK
   * whose {@code java} prints its arguments one a line and an {@code nproc} that says how many CPUs
   * there are: {@code split} passes the consumer's directives file (Spool's code on C1), one
   * argument however the path is spelled; {@code c2} passes none; {@code auto}, the default, splits
   * on 2 CPUs and not on 4, nor under a cgroup quota of more than 2; anything else is refused
   * before a JVM starts.
   */
  @Test
  void consumerLauncher_splitsTheJitOnTwoCpus_orAsSpoolJitSays() throws Exception {
    Path root = fakeCheckout("exit 1\n"); // the jars are fresh: no build
    Path spaced = Files.move(root, tmp.resolve("a checkout"));
    Files.createDirectories(spaced.resolve("bin"));
    for (String script :
        List.of(
            "spool-consumer",
            "java-env.sh",
            "spool-build-if-needed.sh",
            "spool-aot.sh",
            "spool-jit.sh")) {
      Files.copy(ROOT.resolve("bin/" + script), spaced.resolve("bin/" + script));
    }
    Path jdk = fakeJdk("jdk22", "JAVA_VERSION=\"22\"\n");
    Files.writeString(jdk.resolve("bin/java"), "#!/bin/sh\nfor a; do echo \"$a\"; done\n");
    String directives =
        "-XX:CompilerDirectivesFile=" + spaced.resolve("consumer/jit-directives.json");

    Path noQuota = Files.createDirectories(tmp.resolve("cgroup-none"));
    for (String jit : List.of("split", "c2", "", "auto")) {
      for (int cpus : List.of(2, 4)) {
        String out = consumerLaunch(spaced, jdk, jit, cpus, noQuota);
        boolean split = jit.equals("split") || (!jit.equals("c2") && cpus <= 2);
        String said = "SPOOL_JIT='" + jit + "', " + cpus + " CPUs: " + out;
        assertEquals(split, out.lines().anyMatch(directives::equals), said);
        assertEquals(split, out.lines().anyMatch("-XX:+UnlockDiagnosticVMOptions"::equals), said);
        assertTrue(out.endsWith("ConsumerMain\n--concurrency\n2"), said);
      }
    }
    // A cgroup's CPU quota (a container's --cpus) counts, rounded up, where it is below nproc's.
    Map<String, Boolean> quotas =
        Map.of(
            "cpu.max=150000 100000", true, // 1.5 CPUs: 2
            "cpu.max=max 100000", false,
            "cpu/cpu.cfs_quota_us=300000|cpu/cpu.cfs_period_us=100000", false, // v1, 3 CPUs
            "cpu/cpu.cfs_quota_us=100000|cpu/cpu.cfs_period_us=100000", true,
            "cpu/cpu.cfs_quota_us=-1|cpu/cpu.cfs_period_us=100000", false);
    int k = 0;
    for (var quota : quotas.entrySet()) {
      Path cgroup = Files.createDirectories(tmp.resolve("cgroup-" + k++));
      for (String file : quota.getKey().split("\\|")) {
        String[] kv = file.split("=", 2);
        Files.createDirectories(cgroup.resolve(kv[0]).getParent());
        Files.writeString(cgroup.resolve(kv[0]), kv[1] + "\n");
      }
      String out = consumerLaunch(spaced, jdk, "", 4, cgroup);
      assertEquals(quota.getValue(), out.lines().anyMatch(directives::equals), quota + ": " + out);
    }

    String wrong = consumerLaunch(spaced, jdk, "c1", 2, noQuota);
    assertTrue(wrong.contains("SPOOL_JIT must be auto, split or c2, was 'c1'"), wrong);
    assertTrue(wrong.endsWith("rc=2"), wrong);
  }

  /**
   * What {@code bin/spool-consumer --concurrency 2} passes java, then its exit code if not 0, with
   * {@code nproc} saying {@code cpus} and the cgroup files under {@code cgroup}.
   */
  private String consumerLaunch(Path root, Path jdk, String jit, int cpus, Path cgroup)
      throws Exception {
    Path fakes = Files.createDirectories(tmp.resolve("cpus-" + cpus));
    Path nproc = fakes.resolve("nproc");
    Files.writeString(nproc, "#!/bin/sh\necho " + cpus + "\n");
    Files.setPosixFilePermissions(nproc, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = new java.util.HashMap<>();
    env.put("JAVA_HOME", jdk.toString());
    env.put("PATH", fakes + ":" + System.getenv("PATH"));
    env.put("SPOOL_CGROUP_ROOT", cgroup.toString());
    if (!jit.isEmpty()) env.put("SPOOL_JIT", jit);
    return bash(
        env, "\"$1/bin/spool-consumer\" --concurrency 2 || echo \"rc=$?\"", root.toString());
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

  /**
   * A rebuild beside a running consumer: the build's last step (core/src/build/ReplaceFile.java,
   * run as the pom runs it) puts the new runnable jar in place while the old one is open, as a
   * running JVM holds it, and the open one still reads whole. The pom must write the jar beside and
   * run that step: the shade plugin truncated the open jar in place, and every task a running
   * consumer ran next failed with NoClassDefFoundError.
   */
  @Test
  void build_replacesTheRunnableJar_aJarHeldOpenStillReads() throws Exception {
    Path jar = tmp.resolve("spool-consumer.jar");
    Path fresh = tmp.resolve("spool-consumer-new.jar");
    writeJar(jar, "Old.class", "the old jar's class");
    writeJar(fresh, "New.class", "the new jar's class");
    try (java.util.zip.ZipFile running = new java.util.zip.ZipFile(jar.toFile())) {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  ROOT.resolve("core/src/build/ReplaceFile.java").toString(),
                  fresh.toString(),
                  jar.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.waitFor(), out);
      try (var in = running.getInputStream(running.getEntry("Old.class"))) {
        assertEquals("the old jar's class", new String(in.readAllBytes()));
      }
    }
    try (java.util.zip.ZipFile started = new java.util.zip.ZipFile(jar.toFile())) {
      assertTrue(started.getEntry("New.class") != null, "a process started now gets the new jar");
    }
    assertTrue(Files.notExists(fresh));

    String pom = Files.readString(ROOT.resolve("pom.xml"));
    assertTrue(
        pom.contains("<outputFile>${project.build.directory}/${spool.runnableJar}-new.jar"),
        "the shade plugin writes beside the runnable jar, not over it");
    assertTrue(
        pom.indexOf("<id>replace-runnable-jar</id>") > pom.indexOf("<id>upgrade-class-files</id>")
            && pom.indexOf("<id>upgrade-class-files</id>") > 0,
        "the new jar is renamed into place last, after its class files are upgraded");
  }

  private static void writeJar(Path jar, String entry, String content) throws IOException {
    try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new java.util.zip.ZipEntry(entry));
      out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      out.closeEntry();
    }
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
