package dev.spool.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Java sample in the README, the changelog, the pages under docs/ and the javadoc of the main
 * sources compiles against the current API. A sample that declares a type is compiled as a file of
 * its own; any other is compiled as the body of a method of a class that declares the names samples
 * use without introducing them ({@code config}, {@code pool}, {@code registry}, {@code inputs}...).
 */
final class CodeSamplesTest {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  private static final Pattern README_SAMPLE =
      Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern JAVADOC_SAMPLE =
      Pattern.compile("<pre>\\{@code\\n(.*?)\\n\\s*\\*\\s*}</pre>", Pattern.DOTALL);
  private static final Pattern OWN_PACKAGE = Pattern.compile("\\Apackage [\\w.]+;\\n");
  private static final Pattern DECLARES_TYPE =
      Pattern.compile(
          "^(?:import .*\\n|\\s*\\n)*(?:@\\w+\\s+)*(?:public\\s+)?(?:final\\s+|abstract\\s+)*"
              + "(?:class|record|interface|enum)\\s+(\\w+)",
          Pattern.MULTILINE);

  private static final String IMPORTS =
      """
      import dev.spool.*;
      import dev.spool.consumer.*;
      import dev.spool.core.PipeTakenException;
      import dev.spool.core.QueueClosedException;
      import dev.spool.core.QueueEmptyException;
      import dev.spool.core.SpoolConfig;
      import dev.spool.core.SpoolConnectionException;
      import dev.spool.SpoolException;
      import dev.spool.SpoolTimeoutException;
      import dev.spool.core.TaskFailedException;
      import dev.spool.core.TaskTimeoutException;
      import dev.spool.core.DeadLetter;
      import dev.spool.producer.DeadLetters;
      import dev.spool.producer.JoinableQueue;
      import dev.spool.producer.Pipe;
      import dev.spool.producer.Spool;
      import dev.spool.producer.SpoolProcess;
      import dev.spool.producer.SpoolQueue;
      import dev.spool.core.metrics.MetricsServer;
      import dev.spool.producer.*;
      import dev.spool.producer.status.*;
      import dev.spool.state.*;
      import io.opentelemetry.api.*;
      import io.micrometer.core.instrument.MeterRegistry;
      import java.time.Duration;
      import java.time.Instant;
      import java.util.*;
      import java.util.concurrent.*;
      """;

  /** Names samples use without declaring them, and the types they stand for. */
  private static final String CONTEXT =
"""
      package samples;

      %s

      public abstract class SampleContext {
        protected SpoolConfig config;
        protected Spool spool;
        protected SharedState state;
%s        protected TaskPool pool;
        protected HandlerRegistry registry;
        protected MeterRegistry meters;
        protected SpoolConsumer consumer;
        protected ClassLoader loader;
        protected List<Long> inputs;
        protected Iterable<Long> hugeIterable;
        protected Duration wait;
        protected Duration lease;
        protected long limit;
        protected Object request;
        protected DistributedLock lock;
        protected SharedDict<String, Long> dict;
        protected Long v;
        protected io.micrometer.core.instrument.Timer waits;
        protected io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus;

        protected static void process(Object job) {}

        protected static long sum(List<Long> xs) {
          return 0;
        }
      }
      """;

  /** Types samples name as a user's own. */
  private static final List<String> STUBS =
      List.of(
          "package samples; public final class ResizeRequest {}",
          "package samples; public final class Images {"
              + " public static byte[] resize(ResizeRequest r) { return new byte[0]; } }",
          "package samples; public final class Config {}",
          "package samples; public final class Report {}",
          "package samples; public final class Worker { public static void main(String[] a) {} }");

  /**
   * A sample, and whether users meet it (the README, docs/, the javadoc of an exported package):
   * those compile as a module of their own on the module path, against what Spool's modules export
   * and nothing else; the javadoc of internal packages compiles on the class path.
   */
  record Sample(String where, String code, boolean exported) {}

  @Test
  void everySample_inReadmeAndJavadoc_compiles(@TempDir Path dir) throws IOException {
    List<Sample> samples = new ArrayList<>();
    samples.addAll(readme());
    samples.addAll(javadoc());
    assertTrue(samples.size() >= 30, "found only " + samples.size() + " samples: " + samples);
    List<Sample> users = samples.stream().filter(Sample::exported).toList();
    assertTrue(users.size() >= 20, "found only " + users.size() + " samples users meet");
    String failures = check(dir.resolve("module"), users, true);
    failures +=
        check(
            dir.resolve("classpath"), samples.stream().filter(s -> !s.exported()).toList(), false);
    if (!failures.isEmpty()) fail(failures);
  }

  /** Compiles {@code samples} in one javac run; what failed, with javac's errors, or "". */
  private static String check(Path dir, List<Sample> samples, boolean modular) throws IOException {
    if (samples.isEmpty()) return "";
    String imports =
        modular ? IMPORTS.replace("import dev.spool.producer.status.*;\n", "") : IMPORTS;
    List<Path> files = new ArrayList<>();
    Files.createDirectories(dir.resolve("samples"));
    // Spool's internal samples (on the class path) name Redis's client itself.
    String internal = modular ? "" : "  protected dev.spool.state.internal.RedisState redis;\n";
    files.add(
        write(dir.resolve("samples/SampleContext.java"), CONTEXT.formatted(imports, internal)));
    for (int i = 0; i < STUBS.size(); i++) {
      String stub = STUBS.get(i);
      String name = stub.replaceAll("(?s).*public final class (\\w+).*", "$1");
      files.add(write(dir.resolve("samples/" + name + ".java"), stub));
    }
    List<Path> sampleFiles = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      sampleFiles.add(source(dir, i, samples.get(i), imports));
    }
    files.addAll(sampleFiles);
    if (modular) files.add(write(dir.resolve("module-info.java"), MODULE));
    String errors = compile(dir, files, modular); // one javac run for all: errors name their file
    if (errors.isEmpty()) return "";
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      if (errors.contains(sampleFiles.get(i).getParent().toString() + "/")) {
        failures.add(samples.get(i).where() + ":\n" + samples.get(i).code());
      }
    }
    return failures.size()
        + " sample(s) do not compile"
        + (modular ? " as a module against Spool's exported packages" : "")
        + ":\n\n"
        + String.join("\n\n", failures)
        + "\n\n--- javac says:\n"
        + errors;
  }

  /** What a user's module reads: Spool's modules (and what they require transitively). */
  private static final String MODULE =
      """
      module samples {
        requires dev.spool.producer;
        requires dev.spool.consumer;
      }
      """;

  /**
   * The README's first handler and producer are the files of examples/first-project, which
   * bin/spool-first-project builds against the installed artifacts and runs against a consumer.
   */
  @Test
  void readmesFirstHandlerAndProducer_areTheFirstProjectsFiles() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Matcher m = README_SAMPLE.matcher(readme);
    int whole = 0;
    while (m.find()) {
      Matcher own = OWN_PACKAGE.matcher(m.group(1));
      if (!own.find()) continue;
      whole++;
      String pkg = own.group().replaceAll("package |;\\n", "");
      Matcher type = DECLARES_TYPE.matcher(m.group(1).substring(own.end()));
      assertTrue(type.find(), m.group(1));
      String file = pkg.replace('.', '/') + "/" + type.group(1) + ".java";
      Path project = ROOT.resolve("examples/first-project");
      List<Path> found;
      try (Stream<Path> files = Files.walk(project)) {
        found = files.filter(p -> p.toString().endsWith("src/main/java/" + file)).toList();
      }
      assertEquals(1, found.size(), file + " in " + project);
      assertEquals(Files.readString(found.get(0)), m.group(1), "README's " + file);
    }
    assertEquals(2, whole, "the README prints a handler and a producer as whole files");
    String poms =
        Files.readString(ROOT.resolve("examples/first-project/tasks/pom.xml"))
            + Files.readString(ROOT.resolve("examples/first-project/app/pom.xml"));
    Matcher xml = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    assertTrue(xml.find(), "the README prints the <dependency> snippet");
    for (String line : xml.group(1).strip().split("\\n")) {
      if (!line.contains("${")) {
        String bare = line.strip().replace("0.1.0-SNAPSHOT", "${spool.version}");
        assertTrue(poms.contains(bare), "examples/first-project's poms hold: " + bare);
      }
    }
  }

  private static Path source(Path dir, int i, Sample s, String imports) throws IOException {
    String pkg = "samples.s" + i;
    Path folder = dir.resolve("samples/s" + i);
    Files.createDirectories(folder);
    Matcher own = OWN_PACKAGE.matcher(s.code());
    if (own.find()) { // a whole file of a user's project: compiled as printed, its imports only
      Matcher type = DECLARES_TYPE.matcher(s.code().substring(own.end()));
      if (!type.find()) throw new AssertionError(s.where() + " declares no type");
      return write(folder.resolve(type.group(1) + ".java"), s.code());
    }
    Matcher type = DECLARES_TYPE.matcher(s.code());
    if (type.find() && type.start() == 0) {
      return write(
          folder.resolve(type.group(1) + ".java"),
          "package " + pkg + ";\n" + imports + "import samples.*;\n" + s.code());
    }
    String code = s.code().strip();
    if (!code.endsWith(";") && !code.endsWith("}")) code += ";";
    return write(
        folder.resolve("Sample.java"),
        "package "
            + pkg
            + ";\n"
            + imports
            + "import samples.*;\n"
            + "class Sample extends SampleContext {\n  void run() throws Exception {\n"
            + code
            + "\n  }\n}\n");
  }

  private static String compile(Path dir, List<Path> sources, boolean modular) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "-d",
            dir.resolve("out").toString(),
            modular ? "--module-path" : "-cp",
            modular ? modulePath() : System.getProperty("java.class.path"),
            "-proc:none",
            "-Xlint:none",
            "-nowarn"));
    sources.forEach(p -> args.add(p.toString()));
    StringWriter out = new StringWriter();
    var err = new java.io.PrintWriter(out);
    int rc =
        javac.run(
            null,
            new java.io.OutputStream() {
              @Override
              public void write(int b) {}
            },
            new java.io.OutputStream() {
              @Override
              public void write(int b) {
                err.write(b);
              }
            },
            args.toArray(String[]::new));
    err.flush();
    return rc == 0 ? "" : out.toString();
  }

  /** The Markdown pages users read: the README, the changelog and every page under docs/. */
  static List<Path> pages() throws IOException {
    List<Path> pages =
        new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("CHANGELOG.md")));
    try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    return pages;
  }

  /**
   * A user's module path: this module's runtime dependencies (Spool's modules and what they
   * require), as Maven wrote them, and nothing of the tests'.
   */
  private static String modulePath() {
    try {
      return Files.readString(Path.of(System.getProperty("spool.runtime.classpath"))).strip();
    } catch (IOException | NullPointerException e) {
      throw new AssertionError(
          "the runtime class path Maven writes (spool.runtime.classpath) is missing: " + e, e);
    }
  }

  /** The packages a module's module-info exports to everyone. */
  private static List<String> exportedPackages(String module) throws IOException {
    Path info = ROOT.resolve(module).resolve("src/main/java/module-info.java");
    Matcher m = Pattern.compile("(?m)^\\s*exports ([\\w.]+);").matcher(Files.readString(info));
    List<String> out = new ArrayList<>();
    while (m.find()) out.add(m.group(1));
    return out;
  }

  private static List<Sample> readme() throws IOException {
    List<Sample> out = new ArrayList<>();
    for (Path page : pages()) {
      String text = Files.readString(page);
      Matcher m = README_SAMPLE.matcher(text);
      while (m.find()) {
        int line = (int) text.substring(0, m.start()).lines().count() + 1;
        out.add(new Sample(ROOT.relativize(page) + ":" + line, m.group(1), true));
      }
    }
    return out;
  }

  private static List<Sample> javadoc() throws IOException {
    List<Sample> out = new ArrayList<>();
    for (String module : List.of("api", "core", "shared-state", "producer", "consumer")) {
      List<String> exported = exportedPackages(module);
      Path src = ROOT.resolve(module).resolve("src/main/java");
      try (Stream<Path> files = Files.walk(src)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
          String text = Files.readString(f);
          Matcher m = JAVADOC_SAMPLE.matcher(text);
          while (m.find()) {
            int line = (int) text.substring(0, m.start()).lines().count() + 1;
            String code =
                m.group(1)
                    .lines()
                    .map(l -> l.replaceFirst("^\\s*\\* ?", ""))
                    .reduce((a, b) -> a + "\n" + b)
                    .orElse("")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&")
                    .replace("{@literal @}", "@");
            String pkg = src.relativize(f.getParent()).toString().replace('/', '.');
            out.add(new Sample(ROOT.relativize(f) + ":" + line, code, exported.contains(pkg)));
          }
        }
      }
    }
    return out;
  }

  private static Path write(Path file, String text) throws IOException {
    Files.writeString(file, text);
    return file;
  }
}
