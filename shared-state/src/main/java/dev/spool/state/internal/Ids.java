package dev.spool.state.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Random ids (task ids, lock tokens, nonces): version 4 UUIDs, as {@link UUID#randomUUID()} makes
 * them, from the kernel's random source read directly.
 *
 * <p>{@link UUID#randomUUID()} goes through {@link java.security.SecureRandom}, whose first use
 * sets up the security providers: 15 to 35 ms of every process's start here (a command, a
 * consumer), for bytes that come from {@code /dev/urandom} in the end (mixed with a SHA1PRNG of its
 * own). This reads {@code /dev/urandom} 4 KB at a time; where there is none (not Unix), it is
 * {@link UUID#randomUUID()}.
 */
public final class Ids {
  private static final Path SOURCE = Path.of("/dev/urandom");
  private static final int BUFFER = 4096;

  private static final Ids SHARED = new Ids(SOURCE);

  private final Path source;
  private final byte[] bytes = new byte[BUFFER];
  private int next = BUFFER; // guarded by this; BUFFER: the buffer is used up
  private InputStream in; // guarded by this; opened on first use
  private boolean failed; // guarded by this: the source could not be read, use SecureRandom

  Ids(Path source) {
    this.source = source;
  }

  /** A new random version 4 UUID, as text. */
  public static String random() {
    return SHARED.next().toString();
  }

  /** A new random version 4 UUID. */
  UUID next() {
    long msb, lsb;
    synchronized (this) {
      if (failed || (next == BUFFER && !refill())) return UUID.randomUUID();
      msb = longAt(next);
      lsb = longAt(next + 8);
      next += 16;
    }
    msb = (msb & ~0xF000L) | 0x4000L; // version 4
    lsb = (lsb & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(msb, lsb);
  }

  private boolean refill() {
    try {
      if (in == null) in = Files.newInputStream(source);
      if (in.readNBytes(bytes, 0, BUFFER) == BUFFER) {
        next = 0;
        return true;
      }
    } catch (IOException | RuntimeException e) {
      // no such source here: SecureRandom from now on
    }
    failed = true;
    return false;
  }

  private long longAt(int i) {
    long v = 0;
    for (int k = 0; k < 8; k++) v = (v << 8) | (bytes[i + k] & 0xFF);
    return v;
  }
}
