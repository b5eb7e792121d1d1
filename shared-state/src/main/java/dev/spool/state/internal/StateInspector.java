package dev.spool.state.internal;

import dev.spool.state.HeldLock;
import dev.spool.state.SharedObjects;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Reads what a namespace holds in Redis now, for {@code spool-producer status}; deletes it all for
 * the project's tools that work in a namespace of their own.
 */
final class StateInspector {
  private final Redis redis;
  private final String namespace;

  StateInspector(Redis redis, String namespace) {
    this.redis = redis;
    this.namespace = namespace;
  }

  List<HeldLock> locksHeld(Instant now) {
    String prefix = namespace + ":lock:";
    List<HeldLock> out = new ArrayList<>();
    for (String key : scan(prefix + "*")) {
      if (key.endsWith(":fence")) continue;
      String[] valueAndTtl =
          redis.call(
              "lock.inspect",
              "reading lock " + key,
              j -> new String[] {j.get(key), Long.toString(j.pttl(key))});
      if (valueAndTtl[0] == null) continue; // released since the scan
      String value = valueAndTtl[0];
      long pttl = Long.parseLong(valueAndTtl[1]);
      out.add(
          new HeldLock(
              key.substring(prefix.length()),
              LockEngine.holderOf(value),
              acquiredAt(value),
              pttl < 0 ? null : Duration.ofMillis(pttl),
              now));
    }
    out.sort(java.util.Comparator.comparing(HeldLock::name));
    return out;
  }

  /** {@code holder#nonce@millis}; null for a value without the time (an older Spool). */
  static Instant acquiredAt(String value) {
    int at = value.lastIndexOf('@');
    if (at < value.lastIndexOf('#')) return null;
    try {
      return Instant.ofEpochMilli(Long.parseLong(value.substring(at + 1)));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Keys of a kind whose memory is measured to estimate the whole kind's. */
  private static final int SAMPLE = 50;

  SharedObjects objects(int limit) {
    Map<String, Long> counts = new TreeMap<>();
    List<SharedObjects.Entry> shown = new ArrayList<>();
    Map<String, List<String>> keysByKind = new java.util.LinkedHashMap<>();
    for (String kind : List.of("dict", "list", "counter", "value")) {
      String prefix = namespace + ":" + kind + ":";
      List<String> kindKeys = scan(prefix + "*");
      keysByKind.put(kind, kindKeys);
      for (String key : kindKeys) {
        counts.merge(kind, 1L, Long::sum);
        if (shown.size() >= limit) continue;
        long[] sizeAndTtl =
            redis.call(
                "inspect", "inspecting " + key, j -> new long[] {size(j, kind, key), j.pttl(key)});
        if (sizeAndTtl[1] == -2) continue; // deleted since the scan
        shown.add(
            new SharedObjects.Entry(
                kind,
                key.substring(prefix.length()),
                sizeAndTtl[0],
                sizeAndTtl[1] < 0 ? null : Duration.ofMillis(sizeAndTtl[1])));
      }
    }
    shown.sort(
        java.util.Comparator.comparing(SharedObjects.Entry::kind)
            .thenComparing(SharedObjects.Entry::name));
    Map<String, Long> bytes = new TreeMap<>();
    for (String kind : List.of("task", "flow", "unique")) {
      keysByKind.put(kind, scan(namespace + ":" + kind + ":*"));
    }
    for (Map.Entry<String, List<String>> byKind : keysByKind.entrySet()) {
      String kind = byKind.getKey();
      List<String> keys = byKind.getValue();
      if (keys.isEmpty()) continue;
      counts.put(kind, (long) keys.size());
      long sampled = 0;
      int n = 0;
      for (String key : keys.subList(0, Math.min(SAMPLE, keys.size()))) {
        Long used = redis.call("inspect", "inspecting " + key, j -> j.memoryUsage(key));
        if (used == null) continue; // expired since the scan
        sampled += used;
        n++;
      }
      if (n > 0) bytes.put(kind, sampled * keys.size() / n);
    }
    return new SharedObjects(counts, shown, bytes);
  }

  private static long size(UnifiedJedis j, String kind, String key) {
    return switch (kind) {
      case "dict" -> j.hlen(key);
      case "list" -> j.llen(key);
      default -> j.strlen(key);
    };
  }

  /** Unlinks every key of the namespace, a thousand at a time; returns how many there were. */
  long deleteAll() {
    List<String> keys = scan(namespace + ":*");
    for (int from = 0; from < keys.size(); from += 1000) {
      String[] batch =
          keys.subList(from, Math.min(keys.size(), from + 1000)).toArray(String[]::new);
      redis.call("UNLINK", "deleting namespace " + namespace, j -> j.unlink(batch));
    }
    return keys.size();
  }

  private List<String> scan(String pattern) {
    List<String> keys = new ArrayList<>();
    ScanParams params = new ScanParams().match(pattern).count(1000);
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      String c = cursor;
      ScanResult<String> r = redis.call("SCAN", "scanning " + pattern, j -> j.scan(c, params));
      keys.addAll(r.getResult());
      cursor = r.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return keys;
  }
}
