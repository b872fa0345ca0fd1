package org.beammlops.pipelines.drift;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionView;
import org.beammlops.schemas.Alert;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.DeadLetter;
import org.beammlops.schemas.DriftReport;
import org.beammlops.schemas.FeatureDrift;
import org.beammlops.schemas.Prediction;
import org.beammlops.schemas.Severity;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.alerts.AlertDelivery;
import org.beammlops.transforms.alerts.AlertJson;
import org.beammlops.transforms.alerts.DeliverAlerts;
import org.beammlops.transforms.deadletter.WriteDeadLetters;
import org.beammlops.transforms.drift.DatasetDrift;
import org.beammlops.transforms.drift.DriftReportJson;
import org.beammlops.transforms.drift.DriftReportPage;
import org.beammlops.transforms.drift.PredictionsAsRecords;
import org.beammlops.transforms.kafka.PublishMessages;
import org.beammlops.transforms.lake.EventDateRange;
import org.beammlops.transforms.lake.Lake;
import org.beammlops.transforms.lake.ReadLake;
import org.beammlops.transforms.metrics.PipelineCounters;
import org.beammlops.transforms.parse.Format;
import org.beammlops.transforms.parse.ParseAndValidate;
import org.beammlops.transforms.parse.ParseResult;
import org.beammlops.transforms.profile.DatasetProfiles;
import org.beammlops.transforms.profile.ProfileDataset;
import org.beammlops.transforms.tracking.MetricPoint;
import org.beammlops.transforms.tracking.RunHandle;
import org.beammlops.transforms.tracking.RunStatus;
import org.beammlops.transforms.tracking.TrackingClient;
import org.beammlops.transforms.tracking.TrackingSettings;

/**
 * The graph of {@code ./mlops drift} ({@link DriftCommand} runs it).
 *
 * <pre>
 * prediction log | lake events | files ─ KeepDateRange ─ ProfileCurrent ─┐
 * model's reference profile | a reference range ─ ProfileReference ─────┴─ ReportDrift ─┬─ report.json, report.html, profiles
 *                                                                                       ├─ TrackDrift ─ a drift run (metrics, artifacts)
 *                                                                                       └─ DriftAlert ─ PublishAlert ─ &lt;uc&gt;.alerts, DeliverAlert ─ webhook, email
 * unreadable input rows ─ WriteDeadLetters ─ lake
 * </pre>
 */
public final class DriftPipeline {
  static final String NAME = "drift";
  static final String REPORTS = "driftReports";
  static final String TRACKED = "driftRunsLogged";
  static final String TRACKING_FAILED = "driftRunsFailed";

  private DriftPipeline() {}

  /** Where a run writes, and what it compares. */
  record Plan(
      String reportDir,
      String htmlPath,
      DatasetProfile referenceProfile,
      DatasetDrift.Sides sides,
      LocalDate from,
      LocalDate to,
      LocalDate referenceFrom,
      LocalDate referenceTo,
      String experiment,
      AlertDelivery alertDelivery)
      implements java.io.Serializable {}

  static Pipeline build(
      DriftOptions options, UseCase useCase, TrackingSettings tracking, Plan plan) {
    Pipeline pipeline = Pipeline.create(options);
    Lake lake = Lake.at(options.getLake(), useCase.name());
    List<PCollection<DeadLetter>> deadLetters = new ArrayList<>();
    PCollection<DatasetProfile> current =
        records(pipeline, "Current", options, useCase, lake, plan.from(), plan.to(), deadLetters)
            .apply("ProfileCurrent", profile(useCase, options));
    PCollection<DatasetProfile> reference =
        plan.referenceProfile() != null
            ? pipeline.apply(
                "ReferenceProfile",
                Create.of(plan.referenceProfile()).withCoder(DatasetProfiles.coder()))
            : records(
                    pipeline,
                    "Reference",
                    options,
                    useCase,
                    lake,
                    plan.referenceFrom(),
                    plan.referenceTo(),
                    deadLetters)
                .apply("ProfileReference", profile(useCase, options));
    PCollectionView<DatasetProfile> referenceView =
        reference.apply("ReferenceView", View.asSingleton());
    PCollection<DriftReport> reports =
        current
            .apply(
                "ReportDrift",
                ParDo.of(new ReportDriftFn(useCase, plan, referenceView))
                    .withSideInputs(referenceView))
            .setCoder(AvroCoder.of(DriftReport.class));
    if (options.getTrackDrift()) {
      reports.apply("TrackDrift", ParDo.of(new TrackDriftFn(tracking, plan)));
    }
    if (options.getPublishAlerts()) {
      PCollection<Alert> alerts =
          reports
              .apply("DriftAlert", ParDo.of(new DriftAlertFn(plan)))
              .setCoder(AvroCoder.of(Alert.class));
      deadLetters.addAll(alertSinks(alerts, options, useCase, plan.alertDelivery()));
    }
    if (!deadLetters.isEmpty()) {
      PCollectionList.of(deadLetters)
          .apply("AllDeadLetters", Flatten.pCollections())
          .apply("WriteDeadLetters", WriteDeadLetters.toLake(lake, options.getRunId()));
    }
    return pipeline;
  }

  /** The alert sinks of the metrics job: {@code <uc>.alerts}, then webhook and email. */
  private static List<PCollection<DeadLetter>> alertSinks(
      PCollection<Alert> alerts, DriftOptions options, UseCase useCase, AlertDelivery delivery) {
    return List.of(
        alerts.apply(
            "PublishAlert",
            PublishMessages.<Alert>to(options.getBootstrapServers(), useCase.topics().alerts())
                .encodedBy(a -> KV.of(AlertJson.key(a), AlertJson.json(a)))
                .rejectsAs(useCase.name(), NAME, "PublishAlert")
                .build()),
        alerts.apply("DeliverAlert", DeliverAlerts.with(delivery, useCase.name(), NAME)));
  }

  /**
   * A job that only sends {@code alerts} through the same sinks (undeliverable ones to the lake's
   * dead letters): what the launcher raises after the report, such as a retraining's outcome.
   */
  static Pipeline sendAlerts(
      DriftOptions options, UseCase useCase, AlertDelivery delivery, List<Alert> alerts) {
    Pipeline pipeline = Pipeline.create(options);
    PCollection<Alert> created =
        pipeline.apply("Alerts", Create.of(alerts).withCoder(AvroCoder.of(Alert.class)));
    PCollectionList.of(alertSinks(created, options, useCase, delivery))
        .apply("AllDeadLetters", Flatten.pCollections())
        .apply(
            "WriteDeadLetters",
            WriteDeadLetters.toLake(
                Lake.at(options.getLake(), useCase.name()), options.getRunId()));
    return pipeline;
  }

  /** Features, labels and the task's predictions (where the records have them). */
  private static ProfileDataset profile(UseCase useCase, DriftOptions options) {
    return ProfileDataset.of(useCase).withPredictions(useCase.task(options.getTask()));
  }

  /** The records of one side: files, or the lake's events or prediction log in a date range. */
  private static PCollection<GenericRecord> records(
      Pipeline pipeline,
      String side,
      DriftOptions options,
      UseCase useCase,
      Lake lake,
      LocalDate from,
      LocalDate to,
      List<PCollection<DeadLetter>> deadLetters) {
    PCollection<GenericRecord> records;
    if (options.getInput() != null) {
      ParseResult parsed =
          pipeline
              .apply(
                  side + "Files",
                  FileIO.match()
                      .filepattern(options.getInput())
                      .withEmptyMatchTreatment(EmptyMatchTreatment.ALLOW))
              .apply(side + "Open", FileIO.readMatches())
              .apply(side + "Parse", ParseAndValidate.files(useCase, Format.auto, NAME));
      deadLetters.add(parsed.deadLetters());
      return parsed.records().apply(side + "KeepDateRange", EventDateRange.keep(useCase, from, to));
    }
    if (options.getSource() == DriftOptions.Source.events) {
      records =
          pipeline.apply(
              side + "Events", ReadLake.of(lake, useCase.lakeSchema()).between(from, to));
    } else {
      records =
          pipeline
              // partitioned by the day a request was scored, not by its event time: every
              // file is read, and the range is applied to the records
              .apply(
                  side + "PredictionLog",
                  ReadLake.files(lake.predictionsGlob(), Prediction.getClassSchema()))
              .apply(side + "AsRecords", PredictionsAsRecords.of(useCase, options.getTask()));
    }
    return records.apply(side + "KeepDateRange", EventDateRange.keep(useCase, from, to));
  }

  /** Compares the current profile with the reference and writes the report's files. */
  static final class ReportDriftFn extends DoFn<DatasetProfile, DriftReport> {
    private final UseCase useCase;
    private final Plan plan;
    private final PCollectionView<DatasetProfile> reference;

    ReportDriftFn(UseCase useCase, Plan plan, PCollectionView<DatasetProfile> reference) {
      this.useCase = useCase;
      this.plan = plan;
      this.reference = reference;
    }

    @ProcessElement
    public void process(ProcessContext c) throws IOException {
      DatasetProfile ref = c.sideInput(reference);
      DatasetProfile cur = c.element();
      if (plan.from() != null || plan.to() != null) {
        cur =
            DatasetProfile.newBuilder(cur)
                .setWindowStart(plan.from() == null ? null : start(plan.from()))
                .setWindowEnd(plan.to() == null ? null : start(plan.to().plusDays(1)))
                .build();
      }
      DriftReport report = DatasetDrift.compare(useCase, ref, cur, plan.sides());
      write(plan.reportDir() + "/report.json", DriftReportJson.json(report));
      write(plan.reportDir() + "/reference_profile.json", utf8(DatasetProfiles.toJson(ref)));
      write(plan.reportDir() + "/current_profile.json", utf8(DatasetProfiles.toJson(cur)));
      byte[] page = utf8(DriftReportPage.render(report, ref, cur));
      write(plan.htmlPath(), page);
      if (!plan.htmlPath().equals(plan.reportDir() + "/report.html")) {
        write(plan.reportDir() + "/report.html", page); // where the monitor finds it
      }
      PipelineCounters.counter(REPORTS).inc();
      c.output(report);
    }

    private static Instant start(LocalDate d) {
      return d.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
    }

    private static byte[] utf8(String s) {
      return s.getBytes(StandardCharsets.UTF_8);
    }

    static void write(String path, byte[] bytes) throws IOException {
      ResourceId file = FileSystems.matchNewResource(path, false);
      try (WritableByteChannel ch = FileSystems.create(file, "application/octet-stream");
          var out = Channels.newOutputStream(ch)) {
        out.write(bytes);
      }
    }
  }

  /**
   * A drift run per report: the dataset verdict and per-feature statistics as metrics, the report
   * and both profiles as artifacts. A tracking server that cannot be reached is logged and counted;
   * the report is written either way.
   */
  static final class TrackDriftFn extends DoFn<DriftReport, Void> {
    private final TrackingSettings tracking;
    private final Plan plan;

    TrackDriftFn(TrackingSettings tracking, Plan plan) {
      this.tracking = tracking;
      this.plan = plan;
    }

    @ProcessElement
    public void process(@Element DriftReport r) {
      try (TrackingClient client = TrackingClient.create(tracking.config())) {
        String experiment = client.getOrCreateExperiment(plan.experiment());
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("mlops.kind", "drift");
        tags.put("mlops.use_case", r.getUseCase());
        tags.put("mlops.drift.verdict", r.getVerdict());
        tags.put("mlops.drift.reference", r.getReference());
        tags.put("mlops.drift.current", r.getCurrent());
        if (r.getModelVersion() != null) {
          tags.put("mlops.model_version", r.getModelVersion());
        }
        try (RunHandle run = client.startRun(experiment, "drift " + r.getCurrent(), tags)) {
          long now = System.currentTimeMillis();
          List<MetricPoint> points = new ArrayList<>();
          points.add(new MetricPoint("drift_share", r.getDriftShare(), now, 0));
          points.add(new MetricPoint("drifted_features", r.getDriftedFeatures(), now, 0));
          points.add(new MetricPoint("dataset_drift", r.getDrifted() ? 1 : 0, now, 0));
          points.add(new MetricPoint("rows", r.getRowCount(), now, 0));
          for (FeatureDrift f : r.getFeatures()) {
            String prefix = "drift_" + f.getFeature() + "_";
            if (f.getStatistic() != null && Double.isFinite(f.getStatistic())) {
              points.add(new MetricPoint(prefix + f.getTest(), f.getStatistic(), now, 0));
            }
            if (f.getPValue() != null) {
              points.add(new MetricPoint(prefix + "p_value", f.getPValue(), now, 0));
            }
            if (f.getPsi() != null) {
              points.add(new MetricPoint(prefix + "psi", f.getPsi(), now, 0));
            }
            points.add(new MetricPoint(prefix + "drifted", f.getDrifted() ? 1 : 0, now, 0));
          }
          client.logBatch(run.runId(), Map.of(), points, Map.of());
          for (String file :
              List.of(
                  plan.htmlPath(),
                  plan.reportDir() + "/report.json",
                  plan.reportDir() + "/reference_profile.json",
                  plan.reportDir() + "/current_profile.json")) {
            java.nio.file.Path local = java.nio.file.Path.of(file);
            if (java.nio.file.Files.exists(local)) {
              client.logArtifact(run.runId(), local, "drift");
            }
          }
          run.end(RunStatus.FINISHED);
        }
        PipelineCounters.counter(TRACKED).inc();
      } catch (RuntimeException e) {
        PipelineCounters.counter(TRACKING_FAILED).inc();
        org.slf4j.LoggerFactory.getLogger(DriftPipeline.class)
            .warn("could not log the drift report to {}: {}", tracking.trackingUri(), e.toString());
      }
    }
  }

  /** An alert when the dataset drifts (nothing otherwise). */
  static final class DriftAlertFn extends DoFn<DriftReport, Alert> {
    private final Plan plan;

    DriftAlertFn(Plan plan) {
      this.plan = plan;
    }

    @ProcessElement
    public void process(@Element DriftReport r, OutputReceiver<Alert> out) {
      if (!r.getDrifted()) {
        return;
      }
      List<String> drifted = new ArrayList<>();
      r.getFeatures().stream()
          .filter(f -> f.getDrifted() && f.getRole().equals("feature"))
          .forEach(f -> drifted.add(f.getFeature()));
      Map<String, String> attributes = new LinkedHashMap<>();
      attributes.put("rule", "dataset-drift");
      attributes.put("state", "FIRING");
      attributes.put("driftShare", Double.toString(r.getDriftShare()));
      attributes.put("features", String.join(",", drifted));
      attributes.put("report", plan.htmlPath());
      if (r.getModelVersion() != null) {
        attributes.put("modelVersion", r.getModelVersion());
      }
      out.output(
          Alert.newBuilder()
              .setUseCase(r.getUseCase())
              .setSource(NAME)
              .setSeverity(Severity.WARNING)
              .setKind("DRIFT")
              .setMessage(
                  "dataset drift: "
                      + r.getDriftedFeatures()
                      + " of "
                      + r.getTestedFeatures()
                      + " features drifted ("
                      + String.join(", ", drifted)
                      + ") in "
                      + r.getCurrent()
                      + " against "
                      + r.getReference()
                      + "; report "
                      + plan.htmlPath())
              .setAt(Instant.now())
              .setAttributes(attributes)
              .build());
    }
  }
}
