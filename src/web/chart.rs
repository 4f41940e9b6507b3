//! Charts as SVG, drawn here on the server: lines (a value per week per series) and grouped bars
//! (counts per week per series). Colours are SVG presentation attributes, not CSS, so the pages'
//! Content-Security-Policy needs no inline style.

use maud::{Markup, html};

/// One named series: a value per label, `None` where there is nothing to show.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Series {
    pub(super) name: String,
    pub(super) values: Vec<Option<f64>>,
}

/// Colours of the series, in order (then again).
const PALETTE: [&str; 6] = [
    "#c0392b", "#e67e22", "#2980b9", "#27ae60", "#8e44ad", "#7f8c8d",
];

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 48.0;

fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// A "nice" top of the axis at or above `max`.
fn axis_top(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|top| *top >= max)
        .unwrap_or(10.0 * magnitude)
}

fn number(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The frame: title, axes, grid, the labels under the x axis and the legend; `plot` draws the
/// data inside it, given the top of the y axis.
fn frame(
    id: &str,
    title: &str,
    unit: &str,
    labels: &[String],
    series: &[Series],
    plot: Markup,
) -> Markup {
    let top = axis_top(max(series));
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = (WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    html! {
        figure class="chart" id=(id) {
            figcaption { (title) }
            svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(title)
                viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } width=(WIDTH) height=(HEIGHT) {
                title { (title) }
                @for i in 0..=4 {
                    @let y = TOP + plot_h - plot_h * f64::from(i) / 4.0;
                    line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y) y2=(y) stroke="#dddddd" stroke-width="1" {}
                    text x=(LEFT - 6.0) y=(y + 4.0) text-anchor="end" font-size="11" fill="#555555" {
                        (number(top * f64::from(i) / 4.0))
                    }
                }
                text x="4" y=(TOP + 4.0) font-size="11" fill="#555555" { (unit) }
                @for (i, label) in labels.iter().enumerate() {
                    text x=(LEFT + step * (i as f64 + 0.5)) y=(HEIGHT - BOTTOM + 16.0)
                        text-anchor="middle" font-size="10" fill="#555555" { (label) }
                }
                line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(TOP + plot_h) y2=(TOP + plot_h) stroke="#333333" stroke-width="1" {}
                (plot)
                @for (i, s) in series.iter().enumerate() {
                    @let x = LEFT + 110.0 * i as f64;
                    rect x=(x) y=(HEIGHT - 18.0) width="10" height="10" fill=(colour(i)) {}
                    text x=(x + 14.0) y=(HEIGHT - 9.0) font-size="11" fill="#333333" { (s.name) }
                }
            }
        }
    }
}

fn max(series: &[Series]) -> f64 {
    series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(0.0, |m: f64, v| m.max(*v))
}

/// Where a value sits on the y axis.
fn y_of(v: f64, top: f64) -> f64 {
    let plot_h = HEIGHT - TOP - BOTTOM;
    TOP + plot_h - plot_h * (v / top).clamp(0.0, 1.0)
}

/// A line per series, with a dot on each value; gaps where a value is missing.
pub(super) fn lines(
    id: &str,
    title: &str,
    unit: &str,
    labels: &[String],
    series: &[Series],
) -> Markup {
    let top = axis_top(max(series));
    let step = (WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    let x_of = |i: usize| LEFT + step * (i as f64 + 0.5);
    let plot = html! {
        @for (n, s) in series.iter().enumerate() {
            @let points: Vec<String> = s.values.iter().enumerate()
                .filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x_of(i), y_of(v, top))))
                .collect();
            @if points.len() > 1 {
                polyline points=(points.join(" ")) fill="none" stroke=(colour(n)) stroke-width="2" {}
            }
            @for (i, v) in s.values.iter().enumerate() {
                @if let Some(v) = v {
                    circle cx=(format!("{:.1}", x_of(i))) cy=(format!("{:.1}", y_of(*v, top))) r="3" fill=(colour(n)) {
                        title { (s.name) ", " (labels.get(i).map_or("", String::as_str)) ": " (number(*v)) " " (unit) }
                    }
                }
            }
        }
    };
    frame(id, title, unit, labels, series, plot)
}

/// Bars side by side for each label, one per series.
pub(super) fn bars(
    id: &str,
    title: &str,
    unit: &str,
    labels: &[String],
    series: &[Series],
) -> Markup {
    let top = axis_top(max(series));
    let step = (WIDTH - LEFT - RIGHT) / labels.len().max(1) as f64;
    let width = (step * 0.8) / series.len().max(1) as f64;
    let plot = html! {
        @for (n, s) in series.iter().enumerate() {
            @for (i, v) in s.values.iter().enumerate() {
                @if let Some(v) = v.filter(|v| *v > 0.0) {
                    @let x = LEFT + step * i as f64 + step * 0.1 + width * n as f64;
                    @let y = y_of(v, top);
                    rect x=(format!("{x:.1}")) y=(format!("{y:.1}")) width=(format!("{width:.1}"))
                        height=(format!("{:.1}", (HEIGHT - BOTTOM) - y)) fill=(colour(n)) {
                        title { (s.name) ", " (labels.get(i).map_or("", String::as_str)) ": " (number(v)) " " (unit) }
                    }
                }
            }
        }
    };
    frame(id, title, unit, labels, series, plot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_axis_ends_at_a_round_number_above_the_largest_value() {
        assert_eq!(axis_top(0.0), 1.0);
        assert_eq!(axis_top(7.0), 10.0);
        assert_eq!(axis_top(12.0), 20.0);
        assert_eq!(axis_top(240.0), 250.0);
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(10.0), "10");
    }

    #[test]
    fn a_chart_is_an_svg_with_a_title_a_legend_and_no_inline_style() {
        let labels = vec!["W1".to_owned(), "W2".to_owned()];
        let series = vec![Series {
            name: "SEV-1".into(),
            values: vec![Some(3.0), None],
        }];
        for svg in [
            lines("a", "MTTA <by week>", "min", &labels, &series).into_string(),
            bars("b", "Incidents", "incidents", &labels, &series).into_string(),
        ] {
            assert!(svg.contains("<svg"), "{svg}");
            assert!(svg.contains("SEV-1"));
            assert!(!svg.contains("style="), "{svg}");
            assert!(!svg.contains("<by week>"), "titles are escaped");
        }
    }
}
