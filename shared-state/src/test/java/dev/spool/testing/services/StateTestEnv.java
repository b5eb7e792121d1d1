package dev.spool.testing.services;

import java.net.URI;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * One test's view of Redis: a fresh namespace, the Redis URI, and deletion of the namespace's keys
 * afterwards. Given to shared-state's tests by {@link StateServicesExtension}; core's {@code
 * SpoolTestEnv} builds on it.
 */
public final class StateTestEnv {
  private final ServiceEndpoints endpoints;
  private final String namespace;

  public StateTestEnv(ServiceEndpoints endpoints, String namespace) {
    this.endpoints = endpoints;
    this.namespace = namespace;
  }

  public String namespace() {
    return namespace;
  }

  public URI redisUri() {
    return endpoints.redisUri();
  }

  /** Fault injection on this test's services (chaos suite). */
  public Faults faults() {
    return endpoints.faults();
  }

  /** A new Redis client for this test's services; the caller closes it. */
  public Jedis jedis() {
    return new Jedis(endpoints.redisUri());
  }

  /** Deletes the namespace's Redis keys; returns how many it deleted. */
  public long deleteKeys() {
    long deleted = 0;
    try (Jedis jedis = jedis()) {
      ScanParams match = new ScanParams().match(namespace + ":*").count(500);
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = jedis.scan(cursor, match);
        if (!page.getResult().isEmpty()) {
          deleted += jedis.del(page.getResult().toArray(String[]::new));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }
    return deleted;
  }
}
