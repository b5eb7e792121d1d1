/**
 * Spool's consumer: the handler API ({@code TaskHandler}, {@code HandlerRegistry}, {@code
 * TaskContext}) and {@code SpoolConsumer}, which runs handlers on tasks from the work queue. The
 * worker's machinery ({@code internal}) and the command line ({@code cli}) are not exported.
 */
module dev.spool.consumer {
  requires transitive dev.spool.core;
  requires transitive dev.spool.state;
  requires org.slf4j;
  requires jdk.unsupported; // sun.misc.Signal: SIGTERM drains like a poison pill
  requires java.management; // the JVM's uptime, for the "ready" line

  exports dev.spool.consumer;
  exports dev.spool.consumer.internal to
      dev.spool.producer;

  opens dev.spool.consumer.cli to
      info.picocli;

  uses dev.spool.TaskHandlerProvider;

  provides dev.spool.TaskHandlerProvider with
      dev.spool.consumer.internal.BuiltinTasks,
      dev.spool.consumer.internal.StateTasks;
}
