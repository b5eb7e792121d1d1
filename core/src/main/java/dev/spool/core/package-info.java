/**
 * What both sides of Spool share: configuration ({@link dev.spool.core.SpoolConfig}), the
 * exceptions under {@link dev.spool.SpoolException}, {@link dev.spool.core.DeadLetter} and {@link
 * dev.spool.core.RemoteError}.
 *
 * <p>The front door, {@code dev.spool.producer.Spool}, and every handle it makes (pools, queues,
 * pipes, dead letters, processes, embedded consumers) are in the client artifact, {@code
 * spool-producer}; the handlers that run tasks in {@code dev.spool.consumer}. The wire format (task
 * and result messages, the JSON codec, queue names) lives in {@code dev.spool.core.wire}, exported
 * only to those modules.
 */
package dev.spool.core;
