package dev.spool.testing;

import dev.spool.testing.services.ServiceEndpoints;
import dev.spool.testing.services.ServicesExtension;

/**
 * Gives a test real RabbitMQ and Redis and a namespace of its own. Register it with
 * {@code @ExtendWith(SpoolServicesExtension.class)} and take a {@link SpoolTestEnv} parameter:
 *
 * <pre>{@code
 * @ExtendWith(SpoolServicesExtension.class)
 * final class SomethingIT {
 *   @Test
 *   void map_squares_returnsInOrder(SpoolTestEnv env) {
 *     try (Spool spool = Spool.connect(env.config()); TaskPool pool = spool.pool()) { ... }
 *   }
 * }
 * }</pre>
 *
 * <p>Services are located once per JVM ({@link ServiceLocator}, in shared-state's test-jar); when
 * none can be found the test fails with a message saying how to provide them. After each test the
 * namespace's queues and Redis keys are deleted.
 */
public final class SpoolServicesExtension extends ServicesExtension<SpoolTestEnv> {
  public SpoolServicesExtension() {
    super(SpoolTestEnv.class);
  }

  @Override
  protected SpoolTestEnv create(ServiceEndpoints endpoints, String namespace) {
    return new SpoolTestEnv(endpoints, namespace);
  }

  @Override
  protected void cleanup(SpoolTestEnv env) throws Exception {
    env.cleanup();
  }
}
