package dev.spool.producer.cli;

import picocli.CommandLine.Option;

/** {@code --progress}: how {@code map} and {@code demo} show a long run on stderr. */
final class ProgressOptions {
  @Option(
      names = "--progress",
      paramLabel = "MODE",
      defaultValue = "auto",
      description =
          "auto (a bar on a terminal, else a line every 5 s), bar, lines or none; on stderr"
              + " (default ${DEFAULT-VALUE}).")
  Progress.Mode mode;

  /** A progress display for {@code total} items, labelled {@code label}. */
  Progress start(String label, long total) {
    return Progress.onStderr(label, total, mode);
  }
}
