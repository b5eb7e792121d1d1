/** The pool's machinery: waiting tasks, the reply listener, result decoding, map iteration. */
package dev.spool.producer.internal;
