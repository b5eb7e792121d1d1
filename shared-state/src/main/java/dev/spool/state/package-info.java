/**
 * Redis-backed shared state for Spool tasks: the {@code multiprocessing.Manager} and {@code Lock}
 * of a distributed system. Stands alone: it depends on Jedis and Jackson, not on the rest of Spool.
 */
package dev.spool.state;
