//! SVG charts drawn by `plotters` (its SVG backend only, no system fonts): a line chart of daily
//! series and a bar chart of labelled counts. They are drawn in placeholder colours that the
//! stylesheet maps to the page theme (`[stroke="#..."]` rules under `.chart`), so light and dark
//! mode restyle the same inline SVG; every label is text the library escapes.

use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("drawing the `{title}` chart failed")]
pub(crate) struct ChartError {
    title: String,
    #[source]
    source: DrawingAreaErrorKind<std::io::Error>,
}

/// Axis and label colour (the page's text colour).
const FOREGROUND: RGBColor = RGBColor(0x01, 0x02, 0x03);
/// Grid colour.
const GRID: RGBColor = RGBColor(0x04, 0x05, 0x06);
/// Series colours, in order (`--series-1`...).
const SERIES: [RGBColor; 6] = [
    RGBColor(0x10, 0x20, 0x31),
    RGBColor(0x10, 0x20, 0x32),
    RGBColor(0x10, 0x20, 0x33),
    RGBColor(0x10, 0x20, 0x34),
    RGBColor(0x10, 0x20, 0x35),
    RGBColor(0x10, 0x20, 0x36),
];
const WIDTH: u32 = 640;
const FONT: &str = "sans-serif";

fn font<'a>(size: i32) -> TextStyle<'a> {
    (FONT, size).into_font().color(&FOREGROUND)
}

/// The colour of series `index`.
fn series_color(index: usize) -> RGBColor {
    SERIES[index % SERIES.len()]
}

/// The y range's top: a little above `max`, at least 1.
fn headroom(max: i64, factor: f64) -> i64 {
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        reason = "an axis bound"
    )]
    let top = (max.max(1) as f64 * factor).ceil() as i64;
    top.max(max + 1)
}

fn draw<F>(title: &str, height: u32, paint: F) -> Result<String, ChartError>
where
    F: FnOnce(
        &DrawingArea<SVGBackend<'_>, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<std::io::Error>>,
{
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        paint(&root)
            .and_then(|()| root.present())
            .map_err(|source| ChartError {
                title: title.to_owned(),
                source,
            })?;
    }
    Ok(svg)
}

/// Lines over `x_labels` (one point per label), one per `(legend, values)` series; the legend
/// names each series with its total.
pub(crate) fn line_chart(
    title: &str,
    x_labels: &[String],
    series: &[(String, Vec<i64>)],
) -> Result<String, ChartError> {
    let points = i32::try_from(x_labels.len().max(2)).unwrap_or(i32::MAX);
    let max = series
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .max()
        .unwrap_or(0);
    let label_of = |x: &i32| {
        usize::try_from(*x)
            .ok()
            .and_then(|x| x_labels.get(x))
            .cloned()
            .unwrap_or_default()
    };
    draw(title, 340, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(0..points - 1, 0..headroom(max, 1.15))?;
        chart
            .configure_mesh()
            .x_labels(7)
            .y_labels(6)
            .x_label_formatter(&label_of)
            .label_style(font(13))
            .axis_style(FOREGROUND)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .draw()?;
        for (index, (legend, values)) in series.iter().enumerate() {
            let color = series_color(index);
            chart
                .draw_series(LineSeries::new(
                    values
                        .iter()
                        .enumerate()
                        .map(|(x, y)| (i32::try_from(x).unwrap_or(i32::MAX), *y)),
                    color.stroke_width(2),
                ))?
                .label(legend.as_str())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(font(15))
            .background_style(TRANSPARENT)
            .border_style(GRID)
            .draw()?;
        Ok(())
    })
}

/// Horizontal bars, one per `(label, count)`, each labelled `label: count`.
pub(crate) fn bar_chart(title: &str, bars: &[(String, i64)]) -> Result<String, ChartError> {
    let count = bars.len().max(1);
    let max = bars.iter().map(|(_, value)| *value).max().unwrap_or(0);
    let height = u32::try_from(44 + 34 * count).unwrap_or(u32::MAX);
    draw(title, height, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .x_label_area_size(24)
            .y_label_area_size(8)
            .build_cartesian_2d(0..headroom(max, 1.8), (0..count).into_segmented())?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(count)
            .y_label_formatter(&|_| String::new())
            .x_labels(6)
            .label_style(font(13))
            .axis_style(FOREGROUND)
            .bold_line_style(GRID)
            .light_line_style(TRANSPARENT)
            .draw()?;
        // The first bar at the top.
        let row = |index: usize| count - 1 - index;
        chart.draw_series(bars.iter().enumerate().map(|(index, (_, value))| {
            let mut bar = Rectangle::new(
                [
                    (0, SegmentValue::Exact(row(index))),
                    (*value, SegmentValue::Exact(row(index) + 1)),
                ],
                series_color(0).filled(),
            );
            bar.set_margin(4, 4, 0, 0);
            bar
        }))?;
        chart.draw_series(bars.iter().enumerate().map(|(index, (label, value))| {
            Text::new(
                format!(" {label}: {value}"),
                (*value, SegmentValue::CenterOf(row(index))),
                font(15).pos(Pos::new(HPos::Left, VPos::Center)),
            )
        }))?;
        Ok(())
    })
}

#[cfg(test)]
#[path = "charts_tests.rs"]
mod tests;
