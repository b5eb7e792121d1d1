package dev.spool.consumer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code consumer/jit-directives.json}, which the consumer's launchers give the JVM with {@code
 * SPOOL_JIT=split} (and {@code auto} on 2 CPUs or fewer): Spool's own packages and its clients'
 * stay on C1, a handler's code reaches C2. Checked on a real JVM: a class in each package, each
 * with the same hot method, run with {@code -Xbatch} (compilations happen when asked, so the levels
 * reached do not depend on how busy the machine is) and {@code -XX:+PrintCompilation}.
 */
final class JitDirectivesTest {
  private static final Path ROOT = DeploymentFilesTest.root();

  /** The JDK running the tests (21 or newer, a JDK: the build needs javac). */
  private static final Path JAVA = Path.of(ProcessHandle.current().info().command().orElseThrow());

  /** Packages whose code the directives keep off C2. */
  private static final List<String> KEPT_ON_C1 =
      List.of(
          "dev.spool.core",
          "dev.spool.core.wire",
          "dev.spool.consumer.internal",
          "dev.spool.producer",
          "dev.spool.state.internal",
          "com.rabbitmq.client.impl",
          "redis.clients.jedis",
          "io.micrometer.core",
          "ch.qos.logback.classic",
          "org.slf4j");

  /** Packages of handlers' code (users', the examples', the API's), which C2 may compile. */
  private static final List<String> HANDLERS =
      List.of("com.example.tasks", "dev.spool.examples", "dev.spool", "dev.spool.bench");

  @TempDir Path tmp;

  @Test
  void directives_keepSpoolAndItsClientsOnC1_andLetHandlersReachC2() throws Exception {
    Path classes = compileProbes();
    Levels with =
        run(
            classes,
            "-XX:+UnlockDiagnosticVMOptions",
            "-XX:CompilerDirectivesFile=" + ROOT.resolve("consumer/jit-directives.json"));
    for (String p : KEPT_ON_C1) {
      assertTrue(with.reached(p, 1), p + " compiled by C1 without profiling: " + with);
      assertTrue(!with.reached(p, 4), p + " must not reach C2: " + with);
    }
    for (String p : HANDLERS) assertTrue(with.reached(p, 4), p + " reaches C2: " + with);

    // Without the directives the same run takes every probe to C2: the workload is hot enough.
    Levels without = run(classes);
    for (String p : KEPT_ON_C1) assertTrue(without.reached(p, 4), p + ": " + without);
  }

  @Test
  void launchers_passTheDirectives_andTheImageCarriesThem() throws IOException {
    String bin = Files.readString(ROOT.resolve("bin/spool-consumer"));
    assertTrue(
        bin.contains("-XX:CompilerDirectivesFile=$root/consumer/jit-directives.json"), "bin/");
    String image = Files.readString(ROOT.resolve("compose/image/spool-consumer"));
    assertTrue(
        image.contains("-XX:CompilerDirectivesFile=/opt/spool/lib/spool-consumer.jit.json"),
        "the image's command");
    assertTrue(image.contains(". /usr/local/bin/spool-jit.sh"), "the same choice as bin/'s");
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    assertTrue(
        dockerfile.contains("consumer/jit-directives.json /opt/spool/lib/spool-consumer.jit.json"),
        "the image holds the file its command names");
    assertTrue(dockerfile.contains("bin/spool-jit.sh"), "and the script that chooses");
  }

  /** The highest level each probe's method was compiled at, by package. */
  private record Levels(java.util.Map<String, Set<Integer>> byPackage) {
    boolean reached(String pkg, int level) {
      return byPackage.getOrDefault(pkg, Set.of()).contains(level);
    }

    @Override
    public String toString() {
      return byPackage.toString();
    }
  }

  private Levels run(Path classes, String... options) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(JAVA.toString());
    cmd.addAll(List.of(options));
    cmd.addAll(List.of("-Xbatch", "-XX:+PrintCompilation", "-cp", classes.toString(), "Probes"));
    Path out = tmp.resolve("out-" + options.length + ".txt");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertTrue(p.waitFor(2, TimeUnit.MINUTES), "the probe JVM ended");
    String text = Files.readString(out);
    assertEquals(0, p.exitValue(), text);
    // "   1234  567   !   4       com.example.tasks.Probe::work (20 bytes)": time, id, flags,
    // level; not the lines that say a level was excluded ("made not compilable on level 4 ...").
    Matcher m =
        Pattern.compile("(?m)^\\s*\\d+\\s+\\d+\\s+[%sbn! ]*([0-4])\\s+([\\w.]+)\\.Probe::work \\(")
            .matcher(text);
    java.util.Map<String, Set<Integer>> levels = new java.util.TreeMap<>();
    while (m.find()) {
      levels.computeIfAbsent(m.group(2), k -> new TreeSet<>()).add(Integer.parseInt(m.group(1)));
    }
    return new Levels(levels);
  }

  /** A class {@code Probe} with a hot method in each package, and a main that runs them all. */
  private Path compileProbes() throws Exception {
    Path src = tmp.resolve("src");
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    List<String> files = new ArrayList<>();
    StringBuilder main =
        new StringBuilder(
            "public class Probes { public static void main(String[] a) { long s = 0;\n"
                + "  for (int i = 0; i < 60_000; i++) {\n");
    List<String> all = new ArrayList<>(KEPT_ON_C1);
    all.addAll(HANDLERS);
    for (String pkg : all) {
      Path dir = Files.createDirectories(src.resolve(pkg.replace('.', '/')));
      Path file = dir.resolve("Probe.java");
      Files.writeString(
          file,
          "package "
              + pkg
              + ";\npublic final class Probe {\n"
              + "  public static long work(long x) { long y = x; for (int i = 0; i < 8; i++)"
              + " y = y * 31 + i; return y; }\n}\n");
      files.add(file.toString());
      main.append("    s += ").append(pkg).append(".Probe.work(i);\n");
    }
    main.append("  }\n  System.out.println(s);\n} }\n");
    Path mainFile = src.resolve("Probes.java");
    Files.writeString(mainFile, main.toString());
    files.add(mainFile.toString());
    List<String> javac = new ArrayList<>(List.of(JAVA.resolveSibling("javac").toString()));
    javac.addAll(List.of("-d", classes.toString()));
    javac.addAll(files);
    Process p = new ProcessBuilder(javac).redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "the probes compile: " + said);
    return classes;
  }
}
