package dev.spool.core.wire;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Java Flight Recorder events that place a task's round trip: when the producer handed the task's
 * message to the client (its JSON encoded, its result awaited, its publish called); when the
 * consumer's reader thread took its delivery and handed it on, when a worker took it, when its
 * handler started and ended, when its result was handed to the broker; and when the producer's
 * reader thread took the result. Each moment is a {@link System#nanoTime()} reading, which on one
 * machine every JVM reads from the same clock, so that the stages of a call can be lined up across
 * processes ({@code bin/spool-bench --only apply} does).
 *
 * <p>Off unless a recording enables them (for example {@code jcmd <pid> JFR.start settings=none
 * +dev.spool.TaskStages#enabled=true}); off, an event costs a check the JIT folds away. In a JVM
 * where no recording was ever started the event classes are not even loaded: loading the first one
 * sets up JFR's metadata, 50 ms of CPU on a task's path.
 */
public final class StageEvents {
  private StageEvents() {}

  /** A task's way through a consumer, committed once its result was handed to the broker. */
  @Name("dev.spool.TaskStages")
  @Label("Spool task stages")
  @Category("Spool")
  @Description("A task's way through a consumer, as System.nanoTime() readings")
  @Enabled(false)
  @StackTrace(false)
  public static final class Task extends Event {
    @Label("Task id")
    public String taskId;

    @Label("Delivered")
    @Description("The consumer's reader thread took the delivery")
    public long delivered;

    @Label("Dispatched")
    @Description("The reader thread decoded and checked it and handed it to the worker pool")
    public long dispatched;

    @Label("Picked")
    @Description("A worker thread took it")
    public long picked;

    @Label("Handler started")
    @Description("The worker's checks passed and the handler began")
    public long started;

    @Label("Handler ended")
    public long ended;

    @Label("Result published")
    @Description("The result's message was handed to the broker (not yet confirmed)")
    public long published;
  }

  /** A task's message as the producer handed it to the client, on the caller's thread. */
  @Name("dev.spool.TaskSent")
  @Label("Spool task sent")
  @Category("Spool")
  @Description(
      "A task's message was handed to the client (encoded, awaited, published; not yet"
          + " confirmed), as System.nanoTime() readings")
  @Enabled(false)
  @StackTrace(false)
  public static final class Sent extends Event {
    @Label("Task id")
    public String taskId;

    @Label("Begun")
    @Description("The producer began making the message")
    public long begun;

    @Label("Sent")
    @Description("The client's publish returned")
    public long sent;
  }

  /** A result as it reached the producer's reader thread. */
  @Name("dev.spool.ResultArrived")
  @Label("Spool result arrived")
  @Category("Spool")
  @Description("A result reached the producer's reader thread, as a System.nanoTime() reading")
  @Enabled(false)
  @StackTrace(false)
  public static final class Result extends Event {
    @Label("Task id")
    public String taskId;

    @Label("Arrived")
    public long arrived;
  }

  /**
   * Records a task's stages when a recording wants them; cheap when none does.
   *
   * <p>The moments: the reader thread took its delivery, handed it to the worker pool; a worker
   * took it; its handler started and ended; its result was handed to the broker.
   */
  public static void task(
      String taskId,
      long delivered,
      long dispatched,
      long picked,
      long started,
      long ended,
      long published) {
    if (!FlightRecorder.isInitialized()) return; // no recording: JFR left unloaded
    Task e = new Task();
    if (!e.isEnabled()) return;
    e.taskId = taskId;
    e.delivered = delivered;
    e.dispatched = dispatched;
    e.picked = picked;
    e.started = started;
    e.ended = ended;
    e.published = published;
    e.commit();
  }

  /** Records a task's sending when a recording wants it; cheap when none does. */
  public static void sent(String taskId, long begun, long sent) {
    if (!FlightRecorder.isInitialized()) return; // no recording: JFR left unloaded
    Sent e = new Sent();
    if (!e.isEnabled()) return;
    e.taskId = taskId;
    e.begun = begun;
    e.sent = sent;
    e.commit();
  }

  /** Records a result's arrival when a recording wants it; cheap when none does. */
  public static void result(String taskId, long arrived) {
    if (!FlightRecorder.isInitialized()) return; // no recording: JFR left unloaded
    Result e = new Result();
    if (!e.isEnabled()) return;
    e.taskId = taskId;
    e.arrived = arrived;
    e.commit();
  }
}
