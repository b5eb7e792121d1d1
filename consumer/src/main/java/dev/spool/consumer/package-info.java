/**
 * The consumer side of Spool: where users plug in their tasks and where the worker runs.
 *
 * <p>A task is a {@link dev.spool.TaskHandler} registered by name in a {@link
 * dev.spool.HandlerRegistry}. Jars of user tasks contribute a {@link
 * dev.spool.TaskHandlerProvider}, found with {@link java.util.ServiceLoader}. A {@link
 * dev.spool.consumer.SpoolConsumer} consumes a work queue with manual acks and a prefetch limit,
 * runs handlers on a pool of workers, sends results with publisher confirms, and acks a task only
 * once its result is confirmed.
 */
package dev.spool.consumer;
