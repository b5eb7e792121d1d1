/**
 * What both sides of Spool use: the entry point {@link dev.spool.core.Spool} (one connection for
 * everything made from it); the primitives a writer and a reader share, {@link
 * dev.spool.core.SpoolQueue}, {@link dev.spool.core.JoinableQueue} and {@link dev.spool.core.Pipe};
 * {@link dev.spool.core.SpoolProcess} for child JVMs; {@link dev.spool.core.DeadLetters};
 * configuration ({@link dev.spool.core.SpoolConfig}); and the exception hierarchy rooted at {@link
 * dev.spool.SpoolException}.
 *
 * <p>Pools that send tasks are in {@code dev.spool.producer} ({@code TaskPool.create(spool)}); the
 * handlers that run them in {@code dev.spool.consumer}. The wire format (task and result messages,
 * the JSON codec, queue names) lives in {@code dev.spool.core.wire}, exported only to those
 * modules.
 */
package dev.spool.core;
