/**
 * Spool's client: the front door ({@code Spool}) and every handle it makes: {@code TaskPool},
 * queues, pipes, dead letters, results, schedules, processes, and consumers embedded in a program
 * (from {@code dev.spool.consumer}, which this module brings in). The status collector and the
 * command line ({@code spool-producer}) are not exported.
 */
module dev.spool.producer {
  requires transitive dev.spool.core;
  requires transitive dev.spool.state;
  requires transitive dev.spool.consumer;
  requires org.slf4j;
  requires java.net.http;
  requires com.cronutils;

  exports dev.spool.producer;

  opens dev.spool.producer.cli to
      info.picocli;
  opens dev.spool.producer.status to
      com.fasterxml.jackson.databind;
}
