package dev.spool.consumer.cli;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The user's task jars ({@code --tasks}, env {@code SPOOL_TASKS_PATH}): each entry a jar, or a
 * directory whose {@code *.jar} files are all taken. Their {@code TaskHandlerProvider}s join the
 * built-in tasks.
 */
final class TaskJars {
  private TaskJars() {}

  /**
   * The jars named by {@code entries} (paths separated by the platform's path separator), sorted
   * within each directory.
   *
   * @throws IllegalArgumentException when an entry does not exist, or is not a jar or directory
   */
  static List<Path> resolve(List<String> entries) {
    List<Path> jars = new ArrayList<>();
    for (String entry : entries) {
      for (String part : entry.split(java.io.File.pathSeparator)) {
        if (part.isBlank()) continue;
        Path p = Path.of(part.trim());
        if (Files.isDirectory(p)) {
          try (Stream<Path> files = Files.list(p)) {
            files.filter(f -> f.toString().endsWith(".jar")).sorted().forEach(jars::add);
          } catch (IOException e) {
            throw new IllegalArgumentException("--tasks: cannot list " + p + ": " + e, e);
          }
        } else if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
          jars.add(p);
        } else {
          throw new IllegalArgumentException(
              "--tasks: '" + part + "' is neither a .jar file nor a directory (SPOOL_TASKS_PATH)");
        }
      }
    }
    return jars;
  }

  /** A class loader over {@code jars}, with {@code parent} (Spool's own classes) first. */
  static ClassLoader loader(List<Path> jars, ClassLoader parent) {
    if (jars.isEmpty()) return parent;
    URL[] urls = new URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = jars.get(i).toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException("--tasks: bad path " + jars.get(i), e);
      }
    }
    return new URLClassLoader("spool-tasks", urls, parent);
  }

  /** Where handler jars listed their providers before the API had a module of its own. */
  private static final String OLD_SERVICE_FILE =
      "META-INF/services/dev.spool.consumer.TaskHandlerProvider";

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TaskJars.class);

  /**
   * A jar that lists its providers under the old interface name loads no task at all, in silence:
   * says which jar, and what to rename the file to.
   */
  static void warnAboutOldServiceFiles(ClassLoader loader) {
    try {
      java.util.Enumeration<java.net.URL> old = loader.getResources(OLD_SERVICE_FILE);
      while (old.hasMoreElements()) {
        log.warn(
            "{} lists task providers under the old name; its tasks are not loaded: rename it"
                + " to META-INF/services/dev.spool.TaskHandlerProvider and compile against"
                + " spool-api (package dev.spool)",
            old.nextElement());
      }
    } catch (java.io.IOException e) {
      // nothing to warn about that can be read
    }
  }
}
