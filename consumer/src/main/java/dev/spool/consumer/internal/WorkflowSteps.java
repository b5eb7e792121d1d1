package dev.spool.consumer.internal;

import dev.spool.SharedStateException;
import dev.spool.core.RemoteError;
import dev.spool.core.wire.FlowSteps;
import dev.spool.core.wire.ParkedTask;
import dev.spool.state.internal.Workflows;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a workflow's step: its workflow advanced in Redis and the next steps sent, or the
 * workflow failed. Settled through the consumer's {@link Outcomes}.
 */
final class WorkflowSteps {
  private static final Logger log = LoggerFactory.getLogger(WorkflowSteps.class);

  private final Outcomes outcomes;

  WorkflowSteps(Outcomes outcomes) {
    this.outcomes = outcomes;
  }

  /**
   * A workflow's step succeeded: the workflow is advanced in Redis (the step counted once), the
   * steps that come next are sent, and the delivery is acked once the broker has them all. When
   * Redis cannot take it, the step comes back later; a step redelivered after it was counted sends
   * again what its end sent (its consumer may have died before sending it).
   */
  void succeeded(Delivery d, Delivery.Flow flow, byte[] json) {
    Workflows.Completion c;
    try {
      c =
          outcomes
              .state()
              .workflows()
              .complete(
                  flow.id(),
                  flow.node(),
                  new String(json, StandardCharsets.UTF_8),
                  d.redelivered() || d.deliveryCount() > 0,
                  flow.keep());
    } catch (SharedStateException e) {
      outcomes.requeueLater(d, e);
      return;
    }
    outcomes.counters().succeeded(d.taskName());
    outcomes.releaseUnique(d);
    if (!c.counted() && c.next().isEmpty()) {
      log.debug("step {} of workflow {} was counted before", flow.node(), flow.id());
    }
    AtomicInteger left = new AtomicInteger(c.next().size() + 1);
    Runnable settle =
        () -> {
          if (left.decrementAndGet() == 0) outcomes.acks().ack(d.tag());
        };
    for (Workflows.Step step : c.next()) {
      FlowSteps.StepOptions options;
      try {
        options = FlowSteps.StepOptions.parse(step.optionsJson());
      } catch (RuntimeException e) { // stored by a submitter that checked them: not expected
        log.warn("step {} of workflow {}: {}; sent without them", step.node(), flow.id(), e);
        options = FlowSteps.StepOptions.NONE;
      }
      var props =
          outcomes.traced(
              FlowSteps.properties(
                  flow.id(), step.node(), step.name(), flow.keep(), outcomes.workerId(), options));
      var body = FlowSteps.body(step.inputJson());
      if (options.delay() != null) {
        if (!park(d, props, body, options)) return; // put back: its redelivery parks it again
        continue;
      }
      String lane = options.priority() > 0 ? outcomes.urgentQueue() : outcomes.workQueue();
      if (!outcomes.publish(d, "step", lane, props, body, settle)) {
        return; // put back: its redelivery sends them again
      }
    }
    settle.run();
  }

  /**
   * A step with a delay waits in Redis with the delayed tasks (by its id, so a redelivery parks it
   * once); false, with the delivery put back, when Redis cannot take it.
   */
  private boolean park(
      Delivery d,
      com.rabbitmq.client.AMQP.BasicProperties props,
      byte[] body,
      FlowSteps.StepOptions options) {
    ParkedTask parked = ParkedTask.of(props, body);
    try {
      outcomes.delayed().addIn(parked.id(), parked.toJson(), options.delay());
      return true;
    } catch (SharedStateException e) {
      outcomes.requeueLater(d, e);
      return false;
    }
  }

  /** A workflow's step ended without success: the workflow fails now, with its error. */
  void failed(Delivery d, RemoteError error) {
    Delivery.Flow flow = d.flow();
    if (flow == null) return;
    // The workflow's error names the step that failed it: a reader of the workflow's record sees
    // which member to look at (its id, its task) without the dead letters.
    RemoteError named =
        new RemoteError(
            error.type(),
            "step "
                + flow.id()
                + "."
                + flow.node()
                + " ('"
                + d.taskName()
                + "') failed: "
                + error.messageOrEmpty(),
            error.stack(),
            error.worker(),
            error.element(),
            error.attempts(),
            error.deadLetter());
    try {
      if (outcomes
          .state()
          .workflows()
          .fail(
              flow.id(),
              flow.node(),
              new String(outcomes.codec().encode(named), StandardCharsets.UTF_8),
              flow.keep())) {
        log.info("workflow {} failed at step {} ({})", flow.id(), flow.node(), d.taskName());
      }
    } catch (SharedStateException e) {
      log.warn(
          "cannot record that workflow {} failed ({}); it stays running until it expires",
          flow.id(),
          e.getMessage());
    }
  }
}
