package dev.spool.testing;

import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test real RabbitMQ and Redis and a namespace of its own. Register it with
 * {@code @ExtendWith(SpoolServicesExtension.class)} and take a {@link SpoolTestEnv} parameter:
 *
 * <pre>{@code
 * @ExtendWith(SpoolServicesExtension.class)
 * final class SomethingIT {
 *   @Test
 *   void map_squares_returnsInOrder(SpoolTestEnv env) {
 *     try (TaskPool pool = TaskPool.create(env.config())) { ... }
 *   }
 * }
 * }</pre>
 *
 * <p>Services are located once per JVM ({@link ServiceLocator}); when none can be found the test
 * fails with a message saying how to provide them. After each test the namespace's queues and Redis
 * keys are deleted.
 */
public final class SpoolServicesExtension implements ParameterResolver, AfterEachCallback {
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(SpoolServicesExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == SpoolTestEnv.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext.Store store = context.getStore(STORE);
    return store.getOrComputeIfAbsent(
        "env", k -> new SpoolTestEnv(endpoints(context), newNamespace()), SpoolTestEnv.class);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    SpoolTestEnv env = context.getStore(STORE).remove("env", SpoolTestEnv.class);
    if (env != null) {
      env.cleanup();
    }
  }

  private static ServiceEndpoints endpoints(ExtensionContext context) {
    ExtensionContext.Store root = context.getRoot().getStore(STORE);
    Located located = root.getOrComputeIfAbsent("services", k -> Located.find(), Located.class);
    if (located.error != null) {
      throw new ParameterResolutionException(located.error.getMessage(), located.error);
    }
    return located.endpoints;
  }

  static String newNamespace() {
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
