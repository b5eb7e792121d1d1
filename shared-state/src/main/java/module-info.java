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
}
