/**
 * Spool's shared vocabulary: configuration ({@link dev.spool.core.SpoolConfig}), the exception
 * hierarchy rooted at {@link dev.spool.core.SpoolException}, and the remote error carried back from
 * a failed task ({@link dev.spool.core.RemoteError}).
 *
 * <p>The wire format (task and result messages, the JSON codec, queue names) lives in {@link
 * dev.spool.core.wire}.
 */
package dev.spool.core;
