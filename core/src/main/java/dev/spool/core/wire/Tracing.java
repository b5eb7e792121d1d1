package dev.spool.core.wire;

import com.rabbitmq.client.AMQP;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * Spool's spans, and the W3C trace context in task headers ({@code traceparent}, {@code
 * tracestate}). A task is one trace across processes: {@code publish <task>} in the producer, then
 * in the consumer {@code wait <task>} (from publishing to the start of its run), {@code process
 * <task>} (the handler's run; current on the worker thread, so that a task submitted from a handler
 * is its child) and {@code result <task>} (its result, retry or dead letter, until the broker
 * confirmed it).
 *
 * <p>{@link #OFF} does nothing: a caller checks {@link #on()} once per message and skips the rest,
 * which is what "free when off" means here ({@code bin/spool-bench --only tracing} measures it).
 * Thread-safe.
 */
public final class Tracing {
  /** Tracing turned off: no header written or read, no span. */
  public static final Tracing OFF = new Tracing(null, null);

  /** On a traced task: epoch microseconds when it was published, where its wait span starts. */
  public static final String SENT_AT = "spool-sent-at";

  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> DESTINATION =
      AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<String> TASK = AttributeKey.stringKey("spool.task.name");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("spool.task.attempt");
  static final AttributeKey<Long> INPUTS = AttributeKey.longKey("spool.task.inputs");
  static final AttributeKey<String> WORKER = AttributeKey.stringKey("spool.worker");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("spool.outcome");

  private static final String SCOPE = "dev.spool";

  private final Tracer tracer;
  private final TextMapPropagator propagator;

  private Tracing(Tracer tracer, TextMapPropagator propagator) {
    this.tracer = tracer;
    this.propagator = propagator;
  }

  /**
   * Tracing through {@code otel}; {@link #OFF} for null or the no-op instance.
   *
   * @param otel the application's OpenTelemetry, or null
   */
  public static Tracing of(OpenTelemetry otel) {
    if (otel == null || otel == OpenTelemetry.noop()) return OFF;
    String version = Tracing.class.getPackage().getImplementationVersion();
    return new Tracing(
        otel.tracerBuilder(SCOPE)
            .setInstrumentationVersion(version == null ? "dev" : version)
            .build(),
        otel.getPropagators().getTextMapPropagator());
  }

  /**
   * {@code otel} when given, else the global OpenTelemetry when one was set (by Spool's commands
   * from the {@code OTEL_*} variables, by the OpenTelemetry Java agent, or by the application);
   * else {@link #OFF}.
   */
  public static Tracing ofOrGlobal(OpenTelemetry otel) {
    if (otel != null) return of(otel);
    return GlobalOpenTelemetry.isSet() ? of(GlobalOpenTelemetry.get()) : OFF;
  }

  /** False for {@link #OFF}: every other method may then be skipped. */
  public boolean on() {
    return tracer != null;
  }

  /**
   * Starts the span of publishing task {@code id} to {@code queue}, a child of the current context
   * (a handler's run, a request of the application), and writes its trace context and the time into
   * {@code headers}. The caller ends it when the broker has the message (or when publishing failed,
   * with {@link #failed}). An invalid span when off.
   *
   * @param inputs how many inputs the message carries (a chunk's size, else 1)
   */
  public Span publish(
      String task, String id, String queue, int inputs, Map<String, Object> headers) {
    if (tracer == null) return Span.getInvalid();
    Instant now = Instant.now();
    Span span =
        tracer
            .spanBuilder("publish " + task)
            .setSpanKind(SpanKind.PRODUCER)
            .setStartTimestamp(now)
            .setAttribute(SYSTEM, "rabbitmq")
            .setAttribute(OPERATION, "send")
            .setAttribute(DESTINATION, queue)
            .setAttribute(MESSAGE_ID, id)
            .setAttribute(TASK, task)
            .setAttribute(INPUTS, (long) inputs)
            .startSpan();
    write(Context.current().with(span), now, headers);
    return span;
  }

  /**
   * Continues the trace of a delivered task: records its wait span (from its {@link #SENT_AT} to
   * now) and starts its {@code process} span, current on this thread until {@link Run#close()}.
   * {@link Run#NONE} when off.
   */
  public Run process(
      AMQP.BasicProperties props,
      String task,
      String id,
      String queue,
      int attempt,
      String worker) {
    if (tracer == null) return Run.NONE;
    Map<String, Object> headers = props.getHeaders();
    Context parent = propagator.extract(Context.root(), headers, GETTER);
    Instant now = Instant.now();
    Long sentAt = Headers.numberOrNull(headers, SENT_AT);
    if (sentAt != null) {
      Instant sent = Instant.EPOCH.plus(sentAt, ChronoUnit.MICROS);
      if (sent.isAfter(now)) sent = now; // another host's clock ahead of ours
      tracer
          .spanBuilder("wait " + task)
          .setParent(parent)
          .setStartTimestamp(sent)
          .setAttribute(DESTINATION, queue)
          .setAttribute(MESSAGE_ID, id)
          .setAttribute(ATTEMPT, (long) attempt)
          .startSpan()
          .end(now);
    }
    Span span =
        tracer
            .spanBuilder("process " + task)
            .setSpanKind(SpanKind.CONSUMER)
            .setParent(parent)
            .setStartTimestamp(now)
            .setAttribute(SYSTEM, "rabbitmq")
            .setAttribute(OPERATION, "process")
            .setAttribute(DESTINATION, queue)
            .setAttribute(MESSAGE_ID, id)
            .setAttribute(TASK, task)
            .setAttribute(ATTEMPT, (long) attempt)
            .setAttribute(WORKER, worker)
            .startSpan();
    return new Run(span, span.makeCurrent());
  }

  /**
   * Starts the span of settling a task ({@code what}: result, retry, dead-letter, step), a child of
   * the current context, to be ended once the broker confirmed what was published. An invalid span
   * when off.
   */
  public Span settle(String what, String task, String id, String destination) {
    if (tracer == null) return Span.getInvalid();
    return tracer
        .spanBuilder("result " + task)
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute(SYSTEM, "rabbitmq")
        .setAttribute(OPERATION, "send")
        .setAttribute(DESTINATION, destination == null ? "" : destination)
        .setAttribute(MESSAGE_ID, id == null ? "" : id)
        .setAttribute(TASK, task == null ? "" : task)
        .setAttribute(OUTCOME, what)
        .startSpan();
  }

  /**
   * Writes the current context into {@code headers}, for a message published on a task's behalf (a
   * workflow's next step): it joins the trace of the task being run. Does nothing when off.
   */
  public void inject(Map<String, Object> headers) {
    if (tracer == null) return;
    write(Context.current(), Instant.now(), headers);
  }

  /** Writes {@code context} (W3C headers) and the send time {@code now} into {@code headers}. */
  private void write(Context context, Instant now, Map<String, Object> headers) {
    propagator.inject(context, headers, SETTER);
    headers.put(SENT_AT, ChronoUnit.MICROS.between(Instant.EPOCH, now));
  }

  /** Marks {@code span} failed with {@code error} and ends it. */
  public static void failed(Span span, Throwable error) {
    if (!span.getSpanContext().isValid()) return;
    markFailed(span, error);
    span.end();
  }

  private static void markFailed(Span span, Throwable error) {
    span.recordException(error);
    span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
  }

  /** A task's {@code process} span, current on the thread that started it until closed. */
  public static final class Run implements AutoCloseable {
    /** Nothing traced. */
    public static final Run NONE = new Run(null, null);

    private final Span span;
    private final Scope scope;
    private boolean closed;

    private Run(Span span, Scope scope) {
      this.span = span;
      this.scope = scope;
    }

    /** Ends the span with how the run ended ({@code success}, {@code failure}, ...). */
    public void outcome(String outcome, Throwable error) {
      if (span == null) return;
      if (outcome != null) span.setAttribute(OUTCOME, outcome);
      if (error != null) markFailed(span, error);
    }

    /** Leaves the span's scope and ends it; a second call does nothing. Call on its thread. */
    @Override
    public void close() {
      if (span == null || closed) return;
      closed = true;
      scope.close();
      span.end();
    }
  }

  private static final TextMapSetter<Map<String, Object>> SETTER =
      (carrier, key, value) -> {
        if (carrier != null) carrier.put(key, value);
      };

  private static final TextMapGetter<Map<String, Object>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, Object> carrier) {
          return carrier == null ? java.util.List.of() : carrier.keySet();
        }

        @Override
        public String get(Map<String, Object> carrier, String key) {
          return Headers.string(carrier, key);
        }
      };
}
