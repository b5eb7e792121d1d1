/**
 * Spool's producer side: {@code TaskPool} and its map results and options. The pool's machinery
 * ({@code internal}), the status collector and the command line ({@code spool-producer}) are not
 * exported. The entry point, queues and pipes are in {@code dev.spool.core}.
 */
module dev.spool.producer {
  requires transitive dev.spool.core;
  requires transitive dev.spool.state;
  requires org.slf4j;
  requires java.net.http;
  requires com.cronutils;

  exports dev.spool.producer;

  opens dev.spool.producer.cli to
      info.picocli;
  opens dev.spool.producer.status to
      com.fasterxml.jackson.databind;
}
