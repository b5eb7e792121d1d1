package dev.spool.state;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The shared objects of a namespace: how many of each kind, and the first few.
 *
 * @param counts objects per kind ({@code dict}, {@code list}, {@code counter}, {@code value})
 * @param entries up to the limit asked for, sorted by kind and name
 */
public record SharedObjects(Map<String, Long> counts, List<Entry> entries) {
  public SharedObjects {
    counts = Map.copyOf(counts);
    entries = List.copyOf(entries);
  }

  /**
   * One shared object.
   *
   * @param kind dict, list, counter or value
   * @param name its name
   * @param size entries of a dict, items of a list, bytes of a counter or value
   * @param ttl time to live, null for none
   */
  public record Entry(String kind, String name, long size, Duration ttl) {}
}
