package dev.spool.consumer;

/**
 * What a consumer has done since it started.
 *
 * @param received task deliveries taken from the queue
 * @param succeeded tasks whose handler returned and whose result was confirmed
 * @param failed tasks whose handler threw (an error result was sent)
 * @param rejected deliveries rejected as bad input: not a task, undecodable, unknown task name
 * @param handedBack prefetched deliveries returned to the queue, unstarted, when stopping
 * @param expired tasks dropped because their producer's deadline had passed
 * @param stalePills poison pills dropped because they were issued before this consumer started
 */
public record ConsumerStats(
    long received,
    long succeeded,
    long failed,
    long rejected,
    long handedBack,
    long expired,
    long stalePills) {}
