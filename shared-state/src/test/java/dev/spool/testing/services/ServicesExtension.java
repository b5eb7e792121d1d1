package dev.spool.testing.services;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test real services and a namespace of its own, as a parameter of type {@code E}; cleans
 * the namespace up after the test. The services are located once per JVM ({@link ServiceLocator})
 * and shared by every subclass; when none can be found the test fails with a message saying how to
 * provide them.
 *
 * <p>Subclasses: {@link StateServicesExtension} (Redis, for shared-state's own tests) and, in
 * core's test-jar, {@code SpoolServicesExtension} (RabbitMQ and Redis).
 *
 * @param <E> the environment a test receives
 */
public abstract class ServicesExtension<E> implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(ServicesExtension.class);

  private final Class<E> type;

  protected ServicesExtension(Class<E> type) {
    this.type = type;
  }

  /** The environment for one test in namespace {@code namespace}. */
  protected abstract E create(ServiceEndpoints endpoints, String namespace);

  /** Deletes what the test created under its namespace. */
  protected abstract void cleanup(E env) throws Exception;

  @Override
  public final boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == type;
  }

  @Override
  public final Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getStore(STORE)
        .getOrComputeIfAbsent(type, k -> create(endpoints(context), newNamespace()), type);
  }

  @Override
  public final void afterEach(ExtensionContext context) throws Exception {
    E env = context.getStore(STORE).remove(type, type);
    if (env != null) {
      cleanup(env);
    }
  }

  private static ServiceEndpoints endpoints(ExtensionContext context) {
    ExtensionContext.Store root = context.getRoot().getStore(STORE);
    Located located = root.getOrComputeIfAbsent("services", k -> Located.find(), Located.class);
    if (located.error != null) {
      throw new ParameterResolutionException(located.error.getMessage(), located.error);
    }
    if (!wantsOwn(context)) return located.endpoints;
    Own own =
        root.getOrComputeIfAbsent("own-services", k -> Own.start(located.endpoints), Own.class);
    if (own.error != null) {
      throw new ParameterResolutionException(own.error.getMessage(), own.error);
    }
    return own.endpoints;
  }

  /** Whether the test method or its class (or an enclosing one) is marked {@link OwnServices}. */
  private static boolean wantsOwn(ExtensionContext context) {
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      if (c.getElement().map(e -> e.isAnnotationPresent(OwnServices.class)).orElse(false)) {
        return true;
      }
    }
    return false;
  }

  /** Services of the fault tests' own ({@link OwnServices}); closing stops what was started. */
  private static final class Own implements AutoCloseable {
    private final ServiceEndpoints endpoints;
    private final RuntimeException error;
    private final AutoCloseable started;

    private Own(ServiceEndpoints endpoints, RuntimeException error, AutoCloseable started) {
      this.endpoints = endpoints;
      this.error = error;
      this.started = started;
    }

    static Own start(ServiceEndpoints shared) {
      if (shared.source().equals(ServiceLocator.TESTCONTAINERS)) {
        return new Own(shared, null, () -> {}); // the suite's own containers already
      }
      try {
        OwnProcesses p = OwnProcesses.start(Path.of("target", "own-services"));
        return new Own(p.endpoints(), null, p);
      } catch (RuntimeException e) {
        return new Own(null, e, () -> {});
      } catch (java.io.IOException e) {
        return new Own(
            null,
            new IllegalStateException("cannot start the fault tests' own services: " + e, e),
            () -> {});
      }
    }

    @Override
    public void close() throws Exception {
      started.close();
    }
  }

  /** A namespace no other test uses: {@code spooltest-} and 12 random hex digits. */
  public static String newNamespace() {
    return "spooltest-" + UUID.randomUUID().toString().substring(0, 12);
  }

  /** The located services, or why there are none; closing stops any containers started. */
  private static final class Located implements AutoCloseable {
    private final ServiceLocator locator;
    private final ServiceEndpoints endpoints;
    private final RuntimeException error;

    private Located(ServiceLocator locator, ServiceEndpoints endpoints, RuntimeException error) {
      this.locator = locator;
      this.endpoints = endpoints;
      this.error = error;
    }

    static Located find() {
      ServiceLocator locator = new ServiceLocator(System.getenv());
      try {
        return new Located(locator, locator.locate(), null);
      } catch (RuntimeException e) {
        return new Located(locator, null, e);
      }
    }

    @Override
    public void close() {
      locator.close();
    }
  }
}
