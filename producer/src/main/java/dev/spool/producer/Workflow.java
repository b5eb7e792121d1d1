package dev.spool.producer;

import dev.spool.core.wire.FlowSteps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A workflow of tasks, run by the consumers: {@link #chain} (one after another, each result the
 * next one's input), {@link #group} (side by side; the group's result is the list of its members'
 * results, in order) and {@link #chord} (a group, then a task on the list of its results), nested
 * as deep as needed. Submitted in one call ({@link TaskPool#submit(Workflow, TaskOptions)}), so the
 * process that submits it may exit; its state and result are read by its id with {@link
 * AsyncResult}. A step that fails for good fails the workflow at once, with that step's error.
 *
 * <pre>{@code
 * String id = pool.submit(
 *     Workflow.chord(
 *         Workflow.group(List.of(Workflow.task("square", 1), Workflow.task("square", 2))),
 *         Workflow.task("add")),
 *     TaskOptions.defaults());
 * long sum = spool.result(id).get(Long.class, Duration.ofMinutes(1)); // 5
 * }</pre>
 *
 * Immutable.
 */
public final class Workflow {
  /** The most steps (tasks) one workflow may have. */
  public static final int MAX_STEPS = 100_000;

  private final String kind; // task, chain or group
  private final String name;
  private final Object input;
  private final boolean hasInput;
  private final List<Workflow> children;
  private final FlowSteps.StepOptions options; // a task's own

  private Workflow(
      String kind, String name, Object input, boolean hasInput, List<Workflow> children) {
    this(kind, name, input, hasInput, children, FlowSteps.StepOptions.NONE);
  }

  private Workflow(
      String kind,
      String name,
      Object input,
      boolean hasInput,
      List<Workflow> children,
      FlowSteps.StepOptions options) {
    this.kind = kind;
    this.name = name;
    this.input = input;
    this.hasInput = hasInput;
    this.children = List.copyOf(children);
    this.options = options;
  }

  /** Task {@code name} on {@code input}. */
  public static Workflow task(String name, Object input) {
    return new Workflow("task", requireName(name), input, true, List.of());
  }

  /**
   * Task {@code name} on what comes before it: the previous step's result in a chain, the list of
   * the group's results as a chord's callback.
   */
  public static Workflow task(String name) {
    return new Workflow("task", requireName(name), null, false, List.of());
  }

  /**
   * {@code steps} one after another: the first with its own input, each next one on the result of
   * the one before; the chain's result is the last one's.
   *
   * @throws IllegalArgumentException when empty, or when a step after the first has an input of its
   *     own (it takes the previous result)
   */
  public static Workflow chain(Workflow... steps) {
    return chain(Arrays.asList(steps));
  }

  /** As {@link #chain(Workflow...)}. */
  public static Workflow chain(List<Workflow> steps) {
    if (steps.isEmpty()) throw new IllegalArgumentException("a chain needs at least one step");
    for (int i = 1; i < steps.size(); i++) {
      if (Objects.requireNonNull(steps.get(i), "step").hasOwnInput()) {
        throw new IllegalArgumentException(
            "step "
                + (i + 1)
                + " of a chain has an input of its own; a step after the first takes the"
                + " previous step's result: use Workflow.task(name) without an input");
      }
    }
    return new Workflow("chain", null, null, false, steps);
  }

  /**
   * {@code members} side by side; the group's result is the list of their results, in order.
   *
   * @throws IllegalArgumentException when empty
   */
  public static Workflow group(List<Workflow> members) {
    if (members.isEmpty()) throw new IllegalArgumentException("a group needs at least one member");
    members.forEach(m -> Objects.requireNonNull(m, "member"));
    return new Workflow("group", null, null, false, members);
  }

  /** As {@link #group(List)}. */
  public static Workflow group(Workflow... members) {
    return group(Arrays.asList(members));
  }

  /**
   * {@code group}, then {@code callback} once on the list of its results: run once every member
   * succeeded, never if one failed (the chord fails at once with that member's error).
   */
  public static Workflow chord(Workflow group, Workflow callback) {
    if (!Objects.requireNonNull(group, "group").kind.equals("group")) {
      throw new IllegalArgumentException("a chord's first part must be a group");
    }
    return chain(group, callback);
  }

  /**
   * This task sent with priority {@code priority} (1 to 9, on the urgent lane; 0 for none), as
   * {@link TaskOptions#withPriority} does for a task of its own.
   *
   * @throws IllegalArgumentException for a priority out of range, or on a chain or a group
   */
  public Workflow withPriority(int priority) {
    return withOptions(
        new FlowSteps.StepOptions(priority, options.rateKey(), options.delay()), "a priority");
  }

  /**
   * This task sent with rate key {@code key}: consumers' per-key rate limits apply to it, as {@link
   * TaskOptions#withRateKey} does for a task of its own.
   *
   * @throws IllegalArgumentException on a chain or a group, or for a key that is not 1 to 200
   *     characters without control characters
   */
  public Workflow withRateKey(String key) {
    dev.spool.Names.key("rate key", Objects.requireNonNull(key, "key"));
    return withOptions(
        new FlowSteps.StepOptions(options.priority(), key, options.delay()), "a rate key");
  }

  /**
   * This task sent {@code delay} after its turn comes (it waits in Redis meanwhile, as a delayed
   * task): a pause between two steps of a chain.
   *
   * @throws IllegalArgumentException on a chain or a group, or for a delay out of 0 to 366 days
   */
  public Workflow withDelay(Duration delay) {
    return withOptions(
        new FlowSteps.StepOptions(options.priority(), options.rateKey(), delay), "a delay");
  }

  private Workflow withOptions(FlowSteps.StepOptions changed, String what) {
    if (!kind.equals("task")) {
      throw new IllegalArgumentException(
          what + " is a task's own; give it to the tasks of a " + kind + ", not to the " + kind);
    }
    return new Workflow(kind, name, input, hasInput, children, changed);
  }

  /** Whether a task in it, where an input would come from before it, has one of its own. */
  private boolean hasOwnInput() {
    return switch (kind) {
      case "task" -> hasInput;
      case "chain" -> children.getFirst().hasOwnInput();
      default -> children.stream().anyMatch(Workflow::hasOwnInput);
    };
  }

  private static String requireName(String name) {
    return dev.spool.Names.taskName(name);
  }

  /** A node of the flattened tree, the root first: what the store keeps. */
  record Flat(
      String kind,
      String name,
      Object input,
      boolean hasInput,
      int parent,
      int index,
      List<Integer> children,
      String optionsJson) {}

  /** The tree as a list, the root first, each node knowing its parent and children. */
  List<Flat> flatten() {
    List<Flat> out = new ArrayList<>();
    flatten(-1, 0, out);
    long steps = out.stream().filter(f -> f.kind().equals("task")).count();
    if (steps > MAX_STEPS) {
      throw new IllegalArgumentException(
          "a workflow has at most " + MAX_STEPS + " tasks, this one " + steps);
    }
    return out;
  }

  private int flatten(int parent, int index, List<Flat> out) {
    int me = out.size();
    out.add(null); // its place, filled once its children have theirs
    List<Integer> kids = new ArrayList<>();
    for (int i = 0; i < children.size(); i++) kids.add(children.get(i).flatten(me, i, out));
    out.set(me, new Flat(kind, name, input, hasInput, parent, index, kids, options.toJson()));
    return me;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case "task" ->
          name
              + (hasInput ? "(" + input + ")" : "()")
              + (options.equals(FlowSteps.StepOptions.NONE) ? "" : options.toJson());
      default -> kind + children;
    };
  }
}
