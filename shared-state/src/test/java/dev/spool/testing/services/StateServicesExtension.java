package dev.spool.testing.services;

/**
 * Gives a test Redis and a namespace of its own: {@code @ExtendWith(StateServicesExtension.class)}
 * and a {@link StateTestEnv} parameter. The namespace's keys are deleted after each test.
 */
public final class StateServicesExtension extends ServicesExtension<StateTestEnv> {
  public StateServicesExtension() {
    super(StateTestEnv.class);
  }

  @Override
  protected StateTestEnv create(ServiceEndpoints endpoints, String namespace) {
    return new StateTestEnv(endpoints, namespace);
  }

  @Override
  protected void cleanup(StateTestEnv env) {
    env.deleteKeys();
  }
}
