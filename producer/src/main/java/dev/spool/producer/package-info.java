/**
 * The producer side of Spool: {@link dev.spool.producer.TaskPool}, the counterpart of {@code
 * multiprocessing.Pool}, fans tasks out to consumer processes through RabbitMQ and collects their
 * results; {@code TaskPool.create(spool)} makes one on a {@link dev.spool.core.Spool}'s connection.
 */
package dev.spool.producer;
