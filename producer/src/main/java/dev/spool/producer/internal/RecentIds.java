package dev.spool.producer.internal;

/**
 * The last {@code capacity} distinct ids added, kept as 64-bit fingerprints: about 24 bytes an id
 * where a map of the strings took about 140. For a quarter of a million ids that is two arrays of 2
 * and 4 MB (13.8 MB of heap with G1's 4 MB regions, which round up such large arrays) where the map
 * held 37 MB. Two ids share a fingerprint with a chance of about 2^-64 a pair; such a pair can only
 * make a stray result count as a duplicate. Thread-safe.
 *
 * <p>A ring of fingerprints in the order added, oldest evicted first, and an open-addressing table
 * (linear probing, backward-shift deletion; 0 marks a free slot) to find them. Both start small and
 * double until the ring holds {@code capacity}, so a short-lived pool does not pay for the full
 * size.
 */
final class RecentIds {
  private static final int FIRST = 1024;

  private final int capacity;
  private long[] ring;
  private long[] table;
  private int mask;
  private int next; // the ring's slot written next
  private int size; // fingerprints held, at most ring.length

  RecentIds(int capacity) {
    if (capacity < 1) throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    this.capacity = capacity;
    allocate(Math.min(FIRST, capacity));
  }

  /** A ring of {@code length} and a table of at least twice as many slots (load at most 1/2). */
  private void allocate(int length) {
    ring = new long[length];
    int slots = Integer.highestOneBit(Math.max(2, length - 1)) << 2;
    table = new long[slots];
    mask = slots - 1;
  }

  /** Adds {@code id}; the oldest goes when full. An id held already keeps its place. */
  synchronized void add(String id) {
    long f = fingerprint(id);
    if (find(f) >= 0) return;
    if (size == ring.length && size < capacity) grow();
    if (size == ring.length) {
      delete(ring[next]);
    } else {
      size++;
    }
    ring[next] = f;
    next = next + 1 == ring.length ? 0 : next + 1;
    insert(f);
  }

  /** Doubles the ring (to at most {@code capacity}) and the table; nothing was evicted yet. */
  private void grow() {
    long[] held = ring; // in the order added: before the first eviction, next == size
    allocate(Math.min(capacity, held.length * 2));
    System.arraycopy(held, 0, ring, 0, size);
    for (int k = 0; k < size; k++) insert(held[k]);
    next = size;
  }

  private void insert(long f) {
    int i = slot(f);
    while (table[i] != 0) i = (i + 1) & mask;
    table[i] = f;
  }

  /** Whether {@code id} is among the last ids added. */
  synchronized boolean contains(String id) {
    return find(fingerprint(id)) >= 0;
  }

  synchronized int size() {
    return size;
  }

  private int find(long f) {
    for (int i = slot(f); table[i] != 0; i = (i + 1) & mask) {
      if (table[i] == f) return i;
    }
    return -1;
  }

  /** Removes {@code f}, moving back the entries after it that could not sit in their own slot. */
  private void delete(long f) {
    int hole = find(f);
    if (hole < 0) return;
    int i = hole;
    while (true) {
      i = (i + 1) & mask;
      long g = table[i];
      if (g == 0) break;
      int home = slot(g);
      // g may fill the hole unless its home lies cyclically in (hole, i]
      boolean homeAfterHole = hole <= i ? hole < home && home <= i : hole < home || home <= i;
      if (!homeAfterHole) {
        table[hole] = g;
        hole = i;
      }
    }
    table[hole] = 0;
  }

  private int slot(long f) {
    return (int) (f ^ (f >>> 32)) & mask;
  }

  /** A 64-bit FNV-1a hash of the id's characters, mixed (SplitMix64's finalizer); never 0. */
  static long fingerprint(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h = (h ^ id.charAt(i)) * 0x100000001b3L;
    }
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return h == 0 ? 1 : h;
  }
}
