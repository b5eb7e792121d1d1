package com.example.tasks;

import dev.spool.HandlerRegistry;
import dev.spool.TaskHandlerProvider;

public final class ImageTasks implements TaskHandlerProvider {
  public record Resize(String file, int width) {}

  @Override
  public void registerTasks(HandlerRegistry registry) {
    registry.register("resize", Resize.class, (req, ctx) -> req.file() + "@" + req.width());
    registry.register("count", String.class, (text, ctx) -> (long) text.split("\\s+").length);
  }
}
