/**
 * Spool's wire format and topology, shared by producers and consumers.
 *
 * <p>A task is a persistent AMQP message: task id in {@code message_id}, task name in {@code type},
 * the reply queue in {@code reply_to}, and {@code spool-*} headers for the kind, attempt, position
 * and deadline ({@link dev.spool.core.wire.Headers}). The body is the JSON argument alone ({@link
 * dev.spool.core.wire.TaskMessage}). A result carries the task id as {@code correlation_id} and a
 * status ({@link dev.spool.core.wire.TaskResult}). Queue names come from {@link
 * dev.spool.core.wire.Topology}; connections from {@link dev.spool.core.wire.AmqpConnector}.
 */
package dev.spool.core.wire;
