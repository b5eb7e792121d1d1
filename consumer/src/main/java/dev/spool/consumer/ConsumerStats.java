package dev.spool.consumer;

/**
 * What a consumer has done since it started.
 *
 * @param received task deliveries taken from the queue
 * @param succeeded tasks whose handler returned and whose result was confirmed
 * @param failed handler runs that threw (each is retried or dead-lettered)
 * @param rejected deliveries that were bad input: not a task, undecodable, unknown, too large
 * @param handedBack prefetched deliveries returned to the queue, unstarted: when stopping, pausing,
 *     or narrowing the prefetch window
 * @param expired tasks dropped because their producer's deadline had passed
 * @param stalePills poison pills dropped because they were issued before this consumer started
 * @param retried failed tasks sent to a delay queue for another attempt
 * @param deadLettered tasks sent to the dead-letter queue
 * @param timedOut handler runs interrupted at their time limit
 * @param requeued tasks put back for later because a service they needed (Redis) failed
 * @param idempotentSkips tasks not run because their idempotency key had already succeeded
 * @param abandoned tasks skipped because nobody could receive their result any more (their
 *     producer's reply queue was gone or had no consumer)
 * @param cancelled tasks cancelled by id: skipped before they started, or interrupted running
 */
public record ConsumerStats(
    long received,
    long succeeded,
    long failed,
    long rejected,
    long handedBack,
    long expired,
    long stalePills,
    long retried,
    long deadLettered,
    long timedOut,
    long requeued,
    long idempotentSkips,
    long abandoned,
    long cancelled) {}
