/**
 * Spool's client side: {@code Spool} (the entry point), {@code TaskPool}, {@code SpoolQueue},
 * {@code JoinableQueue}, {@code Pipe}, {@code DeadLetters} and {@code SpoolProcess}. The pool's
 * machinery ({@code internal}), the status collector and the command line are not exported.
 */
module dev.spool.producer {
  requires transitive dev.spool.core;
  requires transitive dev.spool.state;
  requires org.slf4j;
  requires java.net.http;

  exports dev.spool.producer;

  opens dev.spool.producer.cli to
      info.picocli;
  opens dev.spool.producer.status to
      com.fasterxml.jackson.databind;
}
