/**
 * The producer side of Spool: {@link dev.spool.producer.TaskPool}, the counterpart of {@code
 * multiprocessing.Pool}, fans tasks out to consumer processes through RabbitMQ and collects their
 * results.
 */
package dev.spool.producer;
