/**
 * Redis-backed shared state for Spool tasks: the {@code multiprocessing.Manager} and {@code Lock}
 * of a distributed system. Stands alone: it depends on Jedis and Jackson, not on the rest of Spool.
 *
 * <pre>{@code
 * try (SharedState state = SharedStateConfig.builder()
 *     .redisUri("redis://localhost:6379/0").namespace("app").build().connect()) {
 *   SharedDict<String, Long> counts = state.dict("counts", String.class, Long.class);
 *   counts.increment("apples", 3);
 *   try (LockLease lease = state.lock("ledger").acquire(Duration.ofSeconds(5), Duration.ofSeconds(30))) {
 *     counts.put("total", 42L, lease); // refused if the lease was lost meanwhile
 *   }
 * }
 * }</pre>
 *
 * <p>Keys: {@code <namespace>:dict:<name>}, {@code :list:}, {@code :counter:}, {@code :value:},
 * {@code :lock:<name>} (and {@code :lock:<name>:fence}); lock releases are announced on the channel
 * {@code <namespace>:lock-released}. Every exception is a {@link dev.spool.SharedStateException}.
 */
package dev.spool.state;
