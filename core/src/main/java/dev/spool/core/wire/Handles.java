package dev.spool.core.wire;

import dev.spool.core.Spool;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How Spool's producer module makes a handle on a {@link Spool}'s connection ({@code
 * TaskPool.create (spool)}) without a public method on {@code Spool} that users could call with the
 * wrong session: {@code Spool} installs the maker when its class is initialised, and this package
 * is exported only to Spool's own modules.
 */
public final class Handles {
  private static volatile BiFunction<
          Spool, Function<Session, ? extends AutoCloseable>, AutoCloseable>
      maker;

  private Handles() {}

  /** Called once, by {@code Spool}'s class initialiser. */
  public static void install(
      BiFunction<Spool, Function<Session, ? extends AutoCloseable>, AutoCloseable> spoolMaker) {
    if (maker != null) throw new IllegalStateException("already installed");
    maker = spoolMaker;
  }

  /**
   * A handle made by {@code make} on a session sharing {@code spool}'s connection, closed with the
   * spool.
   *
   * @throws IllegalStateException when the spool is closed
   */
  @SuppressWarnings("unchecked") // the maker returns what make made
  public static <H extends AutoCloseable> H make(Spool spool, Function<Session, H> make) {
    return (H) maker.apply(spool, make); // a Spool exists, so its class installed the maker
  }
}
