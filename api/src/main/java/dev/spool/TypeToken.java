package dev.spool;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;

/**
 * Names a generic type, which a {@code Class} cannot: make an anonymous subclass, and its type
 * argument is kept.
 *
 * <pre>{@code
 * registry.register("total", new TypeToken<List<Long>>() {}, (xs, ctx) -> sum(xs));
 * }</pre>
 *
 * @param <T> the type named
 */
public abstract class TypeToken<T> {
  private final Type type;

  /**
   * Reads the type argument of the anonymous subclass.
   *
   * @throws IllegalStateException when made without a type argument ({@code new TypeToken() {}})
   */
  protected TypeToken() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType p)) {
      throw new IllegalStateException(
          "a TypeToken needs its type argument: new TypeToken<List<Long>>() {}");
    }
    this.type = p.getActualTypeArguments()[0];
  }

  /** The type named, e.g. {@code java.util.List<java.lang.Long>}. */
  public final Type type() {
    return type;
  }

  @Override
  public String toString() {
    return "TypeToken<" + type.getTypeName() + ">";
  }
}
