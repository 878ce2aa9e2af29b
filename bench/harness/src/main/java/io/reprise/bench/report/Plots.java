package io.reprise.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's PNG charts, drawn with XChart. */
final class Plots {

    /** One line on a chart: its points in x order, and a short label for each point (or none). */
    record Line(String name, List<Double> x, List<Double> y, boolean dashed, List<String> labels) {

        Line(String name, List<Double> x, List<Double> y, boolean dashed) {
            this(name, x, y, dashed, List.of());
        }
    }

    private static final Color[] COLORS = {
            new Color(0x33, 0x33, 0x33), new Color(0x1f, 0x77, 0xb4), new Color(0x2c, 0xa0, 0x2c),
            new Color(0x9e, 0x6b, 0xd6), new Color(0xd6, 0x27, 0x28), new Color(0xff, 0x7f, 0x0e),
            new Color(0x8c, 0x56, 0x4b), new Color(0x17, 0xbe, 0xcf)};

    private Plots() {
    }

    /** Log-log chart of lines, saved as {@code file} (PNG). */
    static void draw(Path file, String title, String xTitle, String yTitle, boolean logX, boolean logY, List<Line> lines)
            throws IOException {
        XYChart chart = new XYChartBuilder().width(1200).height(680).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        Styler.ChartTheme theme = Styler.ChartTheme.XChart;
        chart.getStyler().setTheme(theme.newInstance(theme));
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setXAxisDecimalPattern("#,##0.###");
        chart.getStyler().setYAxisDecimalPattern("#,##0.###");
        chart.getStyler().setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        chart.getStyler().setAnnotationTextFontColor(new Color(0x55, 0x55, 0x55));
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisLogarithmic(logY);
        // Ticks between decades on the y axis, whose ranges here span only one or two; on x they would overlap.
        chart.getStyler().setYAxisLogarithmicDecadeOnly(false);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridLinesColor(new Color(0xdd, 0xdd, 0xdd));
        chart.getStyler().setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        chart.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        chart.getStyler().setMarkerSize(9);
        int i = 0;
        for (Line line : lines) {
            if (line.x().isEmpty()) {
                continue;
            }
            XYSeries s = chart.addSeries(line.name(), line.x(), line.y());
            Color c = COLORS[i++ % COLORS.length];
            s.setLineColor(c);
            s.setMarkerColor(c);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineStyle(line.dashed()
                    ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
                    : new BasicStroke(2.2f));
            for (int p = 0; p < line.labels().size() && p < line.x().size(); p++) {
                // Just above the point: on a log axis a constant factor is a constant distance on screen.
                double y = logY ? line.y().get(p) * 1.13 : line.y().get(p);
                chart.addAnnotation(new AnnotationText(line.labels().get(p), line.x().get(p), y, false));
            }
        }
        // Room above the highest point for its label, which would otherwise run into the title.
        double top = lines.stream().flatMap(l -> l.y().stream()).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        if (!Double.isNaN(top) && top > 0) {
            chart.getStyler().setYAxisMax(logY ? top * 1.5 : top * 1.1);
        }
        // On a log x axis only decades are labelled: start at the decade below the smallest point so one shows.
        double left = lines.stream().flatMap(l -> l.x().stream()).mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        if (logX && !Double.isNaN(left) && left > 0) {
            chart.getStyler().setXAxisMin(Math.pow(10, Math.floor(Math.log10(left))));
        }
        Files.createDirectories(file.getParent());
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
