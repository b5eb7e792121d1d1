/**
 * The client side of Spool. {@link dev.spool.producer.Spool} is the front door: one connection and
 * one Redis client, and every handle made from them. {@link dev.spool.producer.TaskPool}, the
 * counterpart of {@code multiprocessing.Pool}, fans tasks out to consumer processes through
 * RabbitMQ and collects their results; {@link dev.spool.producer.SpoolQueue}, {@link
 * dev.spool.producer.JoinableQueue} and {@link dev.spool.producer.Pipe} are {@code
 * multiprocessing}'s queues and pipes, {@link dev.spool.producer.SpoolProcess} its {@code Process}.
 */
package dev.spool.producer;
