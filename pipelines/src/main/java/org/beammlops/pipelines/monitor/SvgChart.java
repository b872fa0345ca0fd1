package org.beammlops.pipelines.monitor;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.beammlops.transforms.html.Html;

/**
 * A line chart as inline SVG, drawn on the server so the dashboard needs no script library: one
 * polyline per series with a legend, four value ticks and the time range on the x axis.
 */
final class SvgChart {
  /** One point of a curve: a window's end and its value. */
  record Point(Instant at, double value) {}

  private static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"
  };
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final int W = 460;
  private static final int H = 220;
  private static final int LEFT = 52;
  private static final int RIGHT = 12;
  private static final int TOP = 26;
  private static final int BOTTOM = 40;

  private SvgChart() {}

  /** The chart of {@code series} (name to points in time order), titled {@code title}. */
  static String render(String title, Map<String, List<Point>> series) {
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg class=\"chart\" data-title=\"%s\" xmlns=\"http://www.w3.org/2000/svg\""
                + " width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
            Html.escape(title),
            W,
            H,
            W,
            H));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>");
    svg.append(text(LEFT, 16, Html.escape(title), "start", "13px", "bold"));
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    for (List<Point> points : series.values()) {
      for (Point p : points) {
        min = Math.min(min, p.value());
        max = Math.max(max, p.value());
        first = Math.min(first, p.at().toEpochMilli());
        last = Math.max(last, p.at().toEpochMilli());
      }
    }
    if (first == Long.MAX_VALUE) {
      svg.append(text(W / 2, H / 2, "no complete window yet", "middle", "12px", "normal"));
      return svg.append("</svg>").toString();
    }
    if (max - min < 1e-12) {
      min -= 0.5;
      max += 0.5;
    } else {
      double pad = (max - min) * 0.08;
      min -= pad;
      max += pad;
    }
    long span = Math.max(1, last - first);
    int plotW = W - LEFT - RIGHT;
    int plotH = H - TOP - BOTTOM;
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>",
            LEFT,
            TOP,
            plotW,
            plotH));
    for (int i = 0; i <= 4; i++) {
      double v = min + (max - min) * i / 4;
      double y = TOP + plotH - plotH * i / 4.0;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>",
              LEFT,
              y,
              LEFT + plotW,
              y));
      svg.append(text(LEFT - 4, (int) y + 4, format(v), "end", "10px", "normal"));
    }
    svg.append(
        text(
            LEFT,
            H - BOTTOM + 14,
            TIME.format(Instant.ofEpochMilli(first)),
            "start",
            "10px",
            "normal"));
    svg.append(
        text(
            LEFT + plotW,
            H - BOTTOM + 14,
            TIME.format(Instant.ofEpochMilli(last)),
            "end",
            "10px",
            "normal"));
    int i = 0;
    int legendX = LEFT;
    for (Map.Entry<String, List<Point>> e : series.entrySet()) {
      String color = COLORS[i++ % COLORS.length];
      StringBuilder points = new StringBuilder();
      for (Point p : e.getValue()) {
        double x = LEFT + plotW * (double) (p.at().toEpochMilli() - first) / span;
        double y = TOP + plotH - plotH * (p.value() - min) / (max - min);
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
      }
      svg.append(
          String.format(
              "<polyline class=\"series\" data-series=\"%s\" fill=\"none\" stroke=\"%s\""
                  + " stroke-width=\"1.6\" points=\"%s\"/>",
              Html.escape(e.getKey()), color, points.toString().trim()));
      if (e.getValue().size() == 1) {
        String[] xy = points.toString().trim().split(",");
        svg.append(
            String.format(
                "<circle cx=\"%s\" cy=\"%s\" r=\"3\" fill=\"%s\"/>", xy[0], xy[1], color));
      }
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>",
              legendX,
              H - 16,
              color));
      svg.append(text(legendX + 14, H - 7, Html.escape(e.getKey()), "start", "11px", "normal"));
      legendX += 20 + 7 * e.getKey().length() + 10;
    }
    return svg.append("</svg>").toString();
  }

  private static String text(int x, int y, String s, String anchor, String size, String weight) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\" font-family=\"sans-serif\" font-size=\"%s\""
            + " font-weight=\"%s\" fill=\"#333\">%s</text>",
        x,
        y,
        anchor,
        size,
        weight,
        s);
  }

  static String format(double v) {
    double a = Math.abs(v);
    if (a != 0 && (a < 0.01 || a >= 10000)) {
      return String.format(Locale.ROOT, "%.2e", v);
    }
    return String.format(Locale.ROOT, a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.3f", v);
  }
}
