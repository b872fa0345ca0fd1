package org.beammlops.transforms.alerts;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.beammlops.schemas.Alert;
import org.beammlops.schemas.MetricWindow;
import org.beammlops.schemas.Severity;
import org.beammlops.schemas.usecase.AlertRule;
import org.beammlops.transforms.feedback.WindowedMetrics;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.joda.time.Instant;

/**
 * The use case's alert rules on the ON_TIME metric windows: an {@link Alert} FIRING when a rule's
 * metric has breached its threshold in {@code forWindows} windows in a row, and one RESOLVED at the
 * first window after that which does not breach; nothing while the state stays the same. A rule
 * reads the all-versions window, or each version's (per version). Windows arrive in any order
 * within a bundle, so each key's windows are buffered and evaluated in order of their end once the
 * watermark has passed it (an event-time timer); a window older than one already evaluated is
 * ignored and counted.
 */
public final class EvaluateAlerts
    extends PTransform<PCollection<MetricWindow>, PCollection<Alert>> {
  public static final String FIRING = "FIRING";
  public static final String RESOLVED = "RESOLVED";
  public static final String KIND = "METRIC_THRESHOLD";
  public static final String ALERTS = "alerts";
  public static final String OUT_OF_ORDER = "alertWindowsOutOfOrder";

  private final List<AlertRule> rules;

  private EvaluateAlerts(List<AlertRule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** Evaluates {@code rules} (all on the windows' task). */
  public static EvaluateAlerts of(List<AlertRule> rules) {
    return new EvaluateAlerts(rules);
  }

  @Override
  public PCollection<Alert> expand(PCollection<MetricWindow> windows) {
    return windows
        .apply("ByRuleAndVersion", ParDo.of(new ByRule(rules)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), AvroCoder.of(MetricWindow.class)))
        .apply("EvaluateInOrder", ParDo.of(new EvaluateFn(rules)))
        .setCoder(AvroCoder.of(Alert.class));
  }

  /** Each ON_TIME window under {@code <rule>/<version>} for every rule that reads it. */
  static final class ByRule extends DoFn<MetricWindow, KV<String, MetricWindow>> {
    private final List<AlertRule> rules;

    ByRule(List<AlertRule> rules) {
      this.rules = rules;
    }

    @ProcessElement
    public void process(@Element MetricWindow w, OutputReceiver<KV<String, MetricWindow>> out) {
      if (!w.getTiming().equals("ON_TIME")) {
        return;
      }
      boolean all = w.getModelVersion().equals(WindowedMetrics.ALL_VERSIONS);
      for (AlertRule rule : rules) {
        if (rule.task().equals(w.getTask())
            && rule.perVersion() != all
            && kindOf(rule).equals(w.getKind())) {
          out.output(KV.of(rule.name() + "/" + w.getModelVersion(), w));
        }
      }
    }
  }

  /**
   * The kind of window a rule reads: estimated for a rule on an {@code estimated_*} metric (an
   * alert before labels), drift for one on a drift metric, else realized.
   */
  static String kindOf(AlertRule rule) {
    return WindowedMetrics.kindOf(rule.metric());
  }

  /** Where a rule stands for one key. */
  static final class RuleState implements Serializable {
    private static final long serialVersionUID = 1L;
    int breaches;
    boolean firing;
    long lastEnd = Long.MIN_VALUE;
  }

  static final class EvaluateFn extends DoFn<KV<String, MetricWindow>, Alert> {
    private final Map<String, AlertRule> rules = new LinkedHashMap<>();

    @StateId("pending")
    private final StateSpec<BagState<MetricWindow>> pendingSpec =
        StateSpecs.bag(AvroCoder.of(MetricWindow.class));

    @StateId("timerAt")
    private final StateSpec<ValueState<Long>> timerAtSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("rule")
    private final StateSpec<ValueState<RuleState>> ruleSpec =
        StateSpecs.value(SerializableCoder.of(RuleState.class));

    @TimerId("evaluate")
    private final TimerSpec evaluateSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    EvaluateFn(List<AlertRule> rules) {
      rules.forEach(r -> this.rules.put(r.name(), r));
    }

    @ProcessElement
    public void process(
        @Element KV<String, MetricWindow> element,
        @Timestamp Instant timestamp,
        @StateId("pending") BagState<MetricWindow> pending,
        @StateId("timerAt") ValueState<Long> timerAt,
        @TimerId("evaluate") Timer timer) {
      pending.add(element.getValue());
      Long at = timerAt.read();
      if (at == null || timestamp.getMillis() < at) {
        timer.set(timestamp);
        timerAt.write(timestamp.getMillis());
      }
    }

    @OnTimer("evaluate")
    public void evaluate(
        @Key String key,
        @Timestamp Instant firedAt,
        @StateId("pending") BagState<MetricWindow> pending,
        @StateId("timerAt") ValueState<Long> timerAt,
        @StateId("rule") ValueState<RuleState> ruleState,
        @TimerId("evaluate") Timer timer,
        OutputReceiver<Alert> out) {
      List<MetricWindow> due = new ArrayList<>();
      List<MetricWindow> later = new ArrayList<>();
      for (MetricWindow w : pending.read()) {
        (w.getWindowEnd().toEpochMilli() - 1 <= firedAt.getMillis() ? due : later).add(w);
      }
      due.sort(Comparator.comparing(MetricWindow::getWindowEnd));
      AlertRule rule = rules.get(key.substring(0, key.lastIndexOf('/')));
      RuleState state = ruleState.read();
      if (state == null) {
        state = new RuleState();
      }
      for (MetricWindow w : due) {
        Alert alert = step(rule, state, w);
        if (alert != null) {
          PipelineCounters.counter(ALERTS).inc();
          PipelineCounters.counter(ALERTS + "." + alert.getAttributes().get("state")).inc();
          out.output(alert);
        }
      }
      ruleState.write(state);
      pending.clear();
      timerAt.clear();
      if (!later.isEmpty()) {
        long next = Long.MAX_VALUE;
        for (MetricWindow w : later) {
          pending.add(w);
          next = Math.min(next, w.getWindowEnd().toEpochMilli() - 1);
        }
        timer.set(new Instant(next));
        timerAt.write(next);
      }
    }
  }

  /** Moves {@code state} by one window; the alert this window raises, if any. */
  static Alert step(AlertRule rule, RuleState state, MetricWindow w) {
    long end = w.getWindowEnd().toEpochMilli();
    if (end <= state.lastEnd) {
      PipelineCounters.counter(OUT_OF_ORDER).inc();
      return null;
    }
    state.lastEnd = end;
    // the rows behind the value: labelled predictions, or every prediction of an estimate
    Double labelled = w.getMetrics().get(WindowedMetrics.supportOf(w.getKind()));
    Double value = w.getMetrics().get(rule.metric());
    if (value == null || labelled == null || labelled < rule.minCount()) {
      return null;
    }
    if (rule.breachedBy(value)) {
      state.breaches++;
      if (!state.firing && state.breaches >= rule.forWindows()) {
        state.firing = true;
        return alert(rule, w, value, FIRING, state.breaches);
      }
      return null;
    }
    state.breaches = 0;
    if (state.firing) {
      state.firing = false;
      return alert(rule, w, value, RESOLVED, 0);
    }
    return null;
  }

  static Alert alert(AlertRule rule, MetricWindow w, double value, String state, int windows) {
    String version =
        w.getModelVersion().equals(WindowedMetrics.ALL_VERSIONS)
            ? "all versions"
            : "v" + w.getModelVersion();
    String message =
        (state.equals(FIRING) ? "[FIRING] " : "[RESOLVED] ")
            + rule.name()
            + ": "
            + w.getModelName()
            + " ("
            + version
            + ") "
            + rule.metric()
            + " = "
            + String.format(java.util.Locale.ROOT, "%.4f", value)
            + (state.equals(FIRING)
                ? ", " + rule.condition()
                : ", back on the right side of "
                    + rule.comparison().symbol()
                    + " "
                    + rule.threshold())
            + " (window "
            + w.getWindowStart()
            + " to "
            + w.getWindowEnd()
            + ")";
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("state", state);
    attributes.put("rule", rule.name());
    attributes.put("task", w.getTask());
    attributes.put("modelName", w.getModelName());
    attributes.put("modelVersion", w.getModelVersion());
    attributes.put("metric", rule.metric());
    attributes.put("value", Double.toString(value));
    attributes.put("comparison", rule.comparison().symbol());
    attributes.put("threshold", Double.toString(rule.threshold()));
    attributes.put("windowStart", w.getWindowStart().toString());
    attributes.put("windowEnd", w.getWindowEnd().toString());
    attributes.put("breachingWindows", Integer.toString(windows));
    return Alert.newBuilder()
        .setUseCase(w.getUseCase())
        .setSource("metrics")
        .setSeverity(Severity.valueOf(rule.severity()))
        .setKind(KIND)
        .setMessage(message)
        .setAt(w.getWindowEnd())
        .setAttributes(attributes)
        .build();
  }
}
