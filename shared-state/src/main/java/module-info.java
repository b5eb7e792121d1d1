/**
 * Spool's shared state: dicts, lists, counters, values and timeout-based locks in Redis. Stands
 * alone on Jedis and Jackson; one package, its implementation package-private.
 */
module dev.spool.state {
  requires transitive dev.spool.api;
  requires transitive com.fasterxml.jackson.databind;
  requires redis.clients.jedis;
  requires org.apache.commons.pool2;
  requires org.slf4j;

  exports dev.spool.state;
  // The shared state on Redis and the queue's bookkeeping there (task records, workflows,
  // workers, unique keys, schedules): Spool's own, out of a handler's and a caller's reach.
  exports dev.spool.state.internal to
      dev.spool.core,
      dev.spool.producer,
      dev.spool.consumer;
}
