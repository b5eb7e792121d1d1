package dev.spool.producer;

import java.util.Map;

/**
 * What a pool has done since it was created.
 *
 * @param tasksPublished task messages published (a chunk counts once)
 * @param publishesConfirmed messages the broker confirmed, pills included
 * @param resultsReceived results matched to a waiting task
 * @param resultsUnmatched results for no waiting task: late arrivals after a timeout, or results of
 *     another pool's tasks
 * @param resultsDuplicate further results for a task whose first result was already kept (it ran
 *     again after a redelivery); dropped
 * @param inputsByWorker inputs computed per consumer ({@code host/pid}), from the results
 * @param waiting tasks published whose result this pool still waits for now
 */
public record PoolStats(
    long tasksPublished,
    long publishesConfirmed,
    long resultsReceived,
    long resultsUnmatched,
    long resultsDuplicate,
    Map<String, Long> inputsByWorker,
    int waiting) {}
