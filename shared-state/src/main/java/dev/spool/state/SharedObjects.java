package dev.spool.state;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The shared objects of a namespace: how many of each kind, and the first few.
 *
 * @param counts objects per kind ({@code dict}, {@code list}, {@code counter}, {@code value}; and
 *     {@code task} for kept task records, {@code flow} for workflows, {@code unique} for uniqueness
 *     keys, when there are any)
 * @param entries up to the limit asked for, sorted by kind and name (not task records and
 *     uniqueness keys: there can be millions, each expiring on its own)
 * @param bytes about how much Redis memory the task records, workflows and uniqueness keys hold, by
 *     kind (the average of a sample of up to 50 keys times their count)
 */
public record SharedObjects(
    Map<String, Long> counts, List<Entry> entries, Map<String, Long> bytes) {
  public SharedObjects {
    counts = Map.copyOf(counts);
    entries = List.copyOf(entries);
    bytes = Map.copyOf(bytes == null ? Map.of() : bytes);
  }

  public SharedObjects(Map<String, Long> counts, List<Entry> entries) {
    this(counts, entries, Map.of());
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
