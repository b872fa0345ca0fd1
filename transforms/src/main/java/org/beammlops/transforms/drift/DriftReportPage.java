package org.beammlops.transforms.drift;

import static org.apache.datasketches.quantilescommon.QuantileSearchCriteria.INCLUSIVE;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.beammlops.schemas.DatasetProfile;
import org.beammlops.schemas.DriftReport;
import org.beammlops.schemas.FeatureDrift;
import org.beammlops.schemas.FeatureProfile;
import org.beammlops.schemas.HistogramBin;
import org.beammlops.schemas.usecase.UseCase;
import org.beammlops.transforms.html.Html;

/**
 * A drift report as one self-contained HTML page: the verdict on top, then a row per feature with
 * its reference and current distributions drawn as SVG, the test, statistic, threshold, PSI and
 * verdict; drifted rows first, and any column sorts on a click. Drawn from the two profiles, not
 * from rows, so a report of 3 million rows is as small as one of a thousand; it needs no network
 * (no script or style from elsewhere).
 */
public final class DriftReportPage {
  private static final int CHART_W = 260;
  private static final int CHART_H = 64;
  private static final int MAX_CATEGORIES = 12;
  private static final String REFERENCE_COLOR = "#4c78a8";
  private static final String CURRENT_COLOR = "#f58518";

  private DriftReportPage() {}

  /** The page of {@code report}, whose distributions are read from the two profiles it compared. */
  public static String render(
      DriftReport report, DatasetProfile reference, DatasetProfile current) {
    Map<String, FeatureProfile> ref = byName(reference);
    Map<String, FeatureProfile> cur = byName(current);
    StringBuilder html = new StringBuilder(16_384);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<title>Drift report: ")
        .append(Html.escape(report.getUseCase()))
        .append("</title>\n<style>")
        .append(STYLE)
        .append("</style></head><body>\n");
    verdict(html, report);
    html.append("<table id=\"features\"><thead><tr>");
    String[][] columns = {
      {"Feature", "text"},
      {"Role", "text"},
      {"Kind", "text"},
      {"Test", "text"},
      {"Statistic", "number"},
      {"p-value", "number"},
      {"Threshold", "number"},
      {"Drift", "text"},
      {"PSI", "number"},
      {"Reference vs current", "none"},
      {"Note", "text"}
    };
    for (int c = 0; c < columns.length; c++) {
      html.append("<th data-type=\"").append(columns[c][1]).append("\"");
      if (!columns[c][1].equals("none")) {
        html.append(" onclick=\"sortBy(").append(c).append(")\" title=\"sort\"");
      }
      html.append(">").append(columns[c][0]).append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    List<FeatureDrift> rows = new ArrayList<>(report.getFeatures());
    rows.sort(
        Comparator.comparing((FeatureDrift d) -> !d.getDrifted())
            .thenComparing(d -> d.getTest().equals("none"))
            .thenComparing(FeatureDrift::getFeature));
    for (FeatureDrift d : rows) {
      row(html, d, ref.get(d.getFeature()), cur.get(d.getFeature()));
    }
    html.append("</tbody></table>\n");
    html.append("<p class=\"legend\"><span class=\"swatch\" style=\"background:")
        .append(REFERENCE_COLOR)
        .append("\"></span> reference <span class=\"swatch\" style=\"background:")
        .append(CURRENT_COLOR)
        .append(
            "\"></span> current; bars are shares of each side's present values. Numeric"
                + " features are drawn over the reference's equal-mass bins; categorical ones show"
                + " their most frequent values. Tests and thresholds: docs/drift.md.</p>\n");
    html.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
    return html.toString();
  }

  private static void verdict(StringBuilder html, DriftReport r) {
    String css =
        r.getVerdict().equals("DRIFT")
            ? "drift"
            : r.getVerdict().equals("NO_DATA") ? "nodata" : "ok";
    String headline =
        switch (r.getVerdict()) {
          case "DRIFT" -> "Dataset drift";
          case "NO_DATA" -> "No data in the current range";
          default -> "No dataset drift";
        };
    html.append("<header class=\"verdict ")
        .append(css)
        .append("\" id=\"verdict\" data-verdict=\"")
        .append(r.getVerdict())
        .append("\"><h1>")
        .append(headline)
        .append("</h1><p>")
        .append(r.getDriftedFeatures())
        .append(" of ")
        .append(r.getTestedFeatures())
        .append(" tested features drifted (")
        .append(percent(r.getDriftShare()))
        .append("); the dataset drifts at ")
        .append(percent(r.getDatasetDriftShare()))
        .append(".</p></header>\n<dl class=\"sides\"><dt>Use case</dt><dd>")
        .append(Html.escape(r.getUseCase()))
        .append("</dd><dt>Reference</dt><dd>")
        .append(Html.escape(r.getReference()))
        .append(" (")
        .append(String.format(Locale.ROOT, "%,d", r.getReferenceRows()))
        .append(" rows)</dd><dt>Current</dt><dd>")
        .append(Html.escape(r.getCurrent()))
        .append(" (")
        .append(String.format(Locale.ROOT, "%,d", r.getRowCount()))
        .append(" rows)</dd><dt>Created</dt><dd>")
        .append(r.getCreatedAt())
        .append("</dd></dl>\n");
  }

  private static void row(
      StringBuilder html, FeatureDrift d, FeatureProfile ref, FeatureProfile cur) {
    html.append("<tr class=\"")
        .append(d.getDrifted() ? "drifted" : d.getTest().equals("none") ? "untested" : "stable")
        .append("\" data-feature=\"")
        .append(Html.escape(d.getFeature()))
        .append("\">");
    String name =
        d.getFeature().equals(UseCase.PREDICTION_FIELD)
            ? "(the model's prediction)"
            : d.getFeature();
    cell(html, name, name);
    cell(html, d.getRole(), d.getRole());
    cell(html, d.getKind(), d.getKind());
    cell(html, d.getTest(), d.getTest());
    number(html, d.getStatistic(), d.getStatisticErrorBound());
    number(html, d.getPValue(), null);
    number(html, d.getTest().equals("none") ? null : d.getThreshold(), null);
    String verdict = d.getTest().equals("none") ? "not tested" : d.getDrifted() ? "DRIFT" : "no";
    html.append("<td class=\"verdict-cell\" data-sort=\"")
        .append(verdict)
        .append("\">")
        .append(verdict)
        .append("</td>");
    html.append("<td data-sort=\"")
        .append(d.getPsi() == null ? "" : d.getPsi())
        .append("\">")
        .append(
            d.getPsi() == null ? "" : format(d.getPsi()) + " <small>" + d.getPsiBand() + "</small>")
        .append("</td><td>");
    if (ref != null && cur != null && ref.getCount() + cur.getCount() > 0) {
      html.append(chart(d.getFeature(), ref, cur));
    }
    html.append("</td>");
    cell(html, d.getNote(), d.getNote());
    html.append("</tr>\n");
  }

  private static void cell(StringBuilder html, String text, String sort) {
    html.append("<td data-sort=\"")
        .append(Html.escape(sort))
        .append("\">")
        .append(Html.escape(text))
        .append("</td>");
  }

  private static void number(StringBuilder html, Double value, Double bound) {
    html.append("<td data-sort=\"").append(value == null ? "" : value).append("\">");
    if (value != null) {
      html.append(format(value));
      if (bound != null && bound > 0) {
        html.append(" <small>± ").append(format(bound)).append("</small>");
      }
    }
    html.append("</td>");
  }

  /** Reference and current shares over the same bins, as paired bars. */
  static String chart(String feature, FeatureProfile ref, FeatureProfile cur) {
    FeatureDistribution r = FeatureDistribution.of(ref);
    FeatureDistribution c = FeatureDistribution.of(cur);
    List<String> labels = new ArrayList<>();
    List<double[]> shares = new ArrayList<>();
    if (r.numeric() && !ref.getHistogram().isEmpty()) {
      List<HistogramBin> bins = ref.getHistogram();
      double refTotal = bins.stream().mapToLong(HistogramBin::getCount).sum();
      double below = 0;
      for (int i = 0; i < bins.size(); i++) {
        HistogramBin b = bins.get(i);
        boolean last = i == bins.size() - 1;
        double rank =
            last || c.count() == 0
                ? (c.count() == 0 ? 0 : 1)
                : c.sketch().getRank(b.getUpper(), INCLUSIVE);
        labels.add(format(b.getLower()) + " to " + format(b.getUpper()));
        shares.add(new double[] {b.getCount() / refTotal, Math.max(0, rank - below)});
        below = rank;
      }
    } else {
      Map<String, double[]> byValue = new LinkedHashMap<>();
      double rt = Math.max(1, r.counts().values().stream().mapToLong(Long::longValue).sum());
      double ct = Math.max(1, c.counts().values().stream().mapToLong(Long::longValue).sum());
      r.counts().forEach((k, v) -> byValue.computeIfAbsent(k, x -> new double[2])[0] = v / rt);
      c.counts().forEach((k, v) -> byValue.computeIfAbsent(k, x -> new double[2])[1] = v / ct);
      List<Map.Entry<String, double[]>> sorted = new ArrayList<>(byValue.entrySet());
      sorted.sort(
          Comparator.comparingDouble(
              (Map.Entry<String, double[]> e) -> -Math.max(e.getValue()[0], e.getValue()[1])));
      double[] other = new double[2];
      for (int i = 0; i < sorted.size(); i++) {
        if (i < MAX_CATEGORIES) {
          labels.add(sorted.get(i).getKey());
          shares.add(sorted.get(i).getValue());
        } else {
          other[0] += sorted.get(i).getValue()[0];
          other[1] += sorted.get(i).getValue()[1];
        }
      }
      if (sorted.size() > MAX_CATEGORIES) {
        labels.add("other " + (sorted.size() - MAX_CATEGORIES));
        shares.add(other);
      }
    }
    double max = shares.stream().mapToDouble(s -> Math.max(s[0], s[1])).max().orElse(1);
    max = max <= 0 ? 1 : max;
    int n = Math.max(1, shares.size());
    double slot = (CHART_W - 2.0) / n;
    StringBuilder svg =
        new StringBuilder()
            .append("<svg class=\"dist\" width=\"")
            .append(CHART_W)
            .append("\" height=\"")
            .append(CHART_H)
            .append("\" viewBox=\"0 0 ")
            .append(CHART_W)
            .append(' ')
            .append(CHART_H)
            .append("\" role=\"img\" aria-label=\"")
            .append(Html.escape(feature))
            .append(": reference vs current\">");
    for (int i = 0; i < shares.size(); i++) {
      double x = 1 + i * slot;
      double w = Math.max(1, slot / 2 - 0.5);
      for (int side = 0; side < 2; side++) {
        double h = (CHART_H - 4) * shares.get(i)[side] / max;
        svg.append("<rect x=\"")
            .append(format(x + side * w))
            .append("\" y=\"")
            .append(format(CHART_H - 2 - h))
            .append("\" width=\"")
            .append(format(w))
            .append("\" height=\"")
            .append(format(h))
            .append("\" fill=\"")
            .append(side == 0 ? REFERENCE_COLOR : CURRENT_COLOR)
            .append("\"><title>")
            .append(Html.escape(labels.get(i)))
            .append(side == 0 ? " reference " : " current ")
            .append(percent(shares.get(i)[side]))
            .append("</title></rect>");
      }
    }
    svg.append("<line x1=\"0\" y1=\"")
        .append(CHART_H - 2)
        .append("\" x2=\"")
        .append(CHART_W)
        .append("\" y2=\"")
        .append(CHART_H - 2)
        .append("\" stroke=\"#999\"/></svg>");
    return svg.toString();
  }

  private static Map<String, FeatureProfile> byName(DatasetProfile p) {
    Map<String, FeatureProfile> out = new LinkedHashMap<>();
    p.getFeatures().forEach(f -> out.put(f.getName(), f));
    return out;
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e9) {
      return Long.toString((long) v);
    }
    double a = Math.abs(v);
    return a >= 100
        ? String.format(Locale.ROOT, "%.1f", v)
        : a >= 0.001
            ? String.format(Locale.ROOT, "%.4f", v)
            : String.format(Locale.ROOT, "%.2e", v);
  }

  private static final String STYLE =
      "body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;"
          + "color:#222}"
          + ".verdict{padding:12px 18px;border-radius:6px;margin-bottom:12px}"
          + ".verdict h1{margin:0 0 4px;font-size:26px}.verdict p{margin:0;font-size:15px}"
          + ".verdict.drift{background:#fde2e1;border-left:8px solid #d62728}"
          + ".verdict.ok{background:#e3f4e1;border-left:8px solid #2ca02c}"
          + ".verdict.nodata{background:#eee;border-left:8px solid #888}"
          + ".sides{display:grid;grid-template-columns:max-content auto;gap:2px 12px;"
          + "font-size:14px;margin:0 0 16px}.sides dt{font-weight:600}.sides dd{margin:0}"
          + "table{border-collapse:collapse;font-size:13px}"
          + "th{background:#f3f3f3;text-align:left;padding:6px 8px;cursor:pointer;"
          + "border-bottom:2px solid #ccc;white-space:nowrap}"
          + "td{padding:4px 8px;border-bottom:1px solid #e5e5e5;vertical-align:middle}"
          + "tr.drifted td.verdict-cell{color:#d62728;font-weight:700}"
          + "tr.drifted{background:#fff6f5}tr.untested{color:#888}"
          + "small{color:#666}.legend{font-size:12px;color:#555}"
          + ".swatch{display:inline-block;width:10px;height:10px;margin:0 3px 0 8px}";

  private static final String SCRIPT =
      "var dir={};function sortBy(c){var t=document.getElementById('features');"
          + "var b=t.tBodies[0];var rows=Array.prototype.slice.call(b.rows);"
          + "var num=t.tHead.rows[0].cells[c].getAttribute('data-type')==='number';"
          + "dir[c]=!dir[c];rows.sort(function(x,y){var a=x.cells[c].getAttribute('data-sort'),"
          + "z=y.cells[c].getAttribute('data-sort');if(num){a=a===''?Infinity:parseFloat(a);"
          + "z=z===''?Infinity:parseFloat(z);return dir[c]?a-z:z-a;}"
          + "return dir[c]?a.localeCompare(z):z.localeCompare(a);});"
          + "rows.forEach(function(r){b.appendChild(r);});}";
}
