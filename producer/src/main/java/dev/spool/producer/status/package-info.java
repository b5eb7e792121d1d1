/**
 * Spool's status as a program can read it: queues, consumers, dead letters, locks and shared
 * objects of a namespace ({@link dev.spool.producer.status.StatusCollector}), behind {@code
 * spool-producer status}.
 */
package dev.spool.producer.status;
