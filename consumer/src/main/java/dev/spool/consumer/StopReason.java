package dev.spool.consumer;

/**
 * Why a consumer stopped.
 *
 * @param reason what asked it to stop, e.g. {@code poison pill ...} or {@code SIGTERM}
 * @param failure true when it stopped because something went wrong (the process exits non-zero)
 */
public record StopReason(String reason, boolean failure) {}
