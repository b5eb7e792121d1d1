package dev.spool.testing.services;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Starts the {@link MachineServicesWatch} when a test run has integration tests ({@code *IT}) and
 * stops it at the end, writing {@code target/machine-services-watch.txt}. Registered through {@code
 * META-INF/services} in shared-state's test-jar, so every module's run has it.
 */
public final class WatchListener implements TestExecutionListener {
  private MachineServicesWatch watch;

  @Override
  public void testPlanExecutionStarted(TestPlan plan) {
    if (hasIntegrationTests(plan)) watch = MachineServicesWatch.start();
  }

  @Override
  public void testPlanExecutionFinished(TestPlan plan) {
    if (watch != null) watch.close();
  }

  private static boolean hasIntegrationTests(TestPlan plan) {
    for (TestIdentifier root : plan.getRoots()) {
      for (TestIdentifier child : plan.getChildren(root)) {
        if (child.getLegacyReportingName().endsWith("IT")) return true;
      }
    }
    return false;
  }
}
