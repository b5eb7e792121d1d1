package com.example.app;

import dev.spool.producer.Spool;
import dev.spool.core.SpoolConfig;
import dev.spool.producer.TaskPool;
import java.util.List;

public final class App {
  record Resize(String file, int width) {}

  public static void main(String[] args) {
    SpoolConfig config = SpoolConfig.fromEnvironment(System.getenv());
    try (Spool spool = Spool.connect(config);
        TaskPool pool = spool.pool()) {
      long words = pool.apply("count", "to be or not to be", Long.class);
      List<String> sizes =
          pool.map("resize", List.of(new Resize("a.png", 64), new Resize("b.png", 64)), String.class);
      System.out.println(words + " " + sizes); // 6 [a.png@64, b.png@64]
    }
  }
}
