/** The consumer's machinery: delivery dispatch, task execution, confirmed result publishing. */
package dev.spool.consumer.internal;
