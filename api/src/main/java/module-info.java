/**
 * Spool's API for task handlers: {@code TaskHandler}, {@code TaskContext}, {@code HandlerRegistry}
 * and {@code TaskHandlerProvider}; the shared state a handler reaches through {@code
 * TaskContext.state()} (dicts, lists, counters, values, fenced locks); and Spool's exceptions, all
 * under {@code SpoolException}. Depends on nothing but the JDK.
 */
module dev.spool.api {
  exports dev.spool;

  uses dev.spool.TaskHandlerProvider;
}
