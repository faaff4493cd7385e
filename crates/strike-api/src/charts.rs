//! Charts as SVG rendered on the server: pledges over time toward a call's threshold, and
//! readiness by gate. No script draws them; colours come from classes in the stylesheet
//! (the content security policy allows no inline styles).

use maud::{Markup, html};
use strike_core::CoarseTime;
use strike_core::campaign::GateStatus;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
/// Room for the axis labels.
const LEFT: f64 = 44.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 28.0;
/// The pledge line has at most one step per this many pixels of the chart's width.
const COLUMN_PX: f64 = 2.0;

fn date(unix: u64) -> String {
    CoarseTime::from_unix_seconds(unix).to_string()
}

/// A step line of counted pledges over time, with the count needed as a dashed line.
/// `timeline`: `(unix seconds, counted)` after every change, oldest first.
pub fn pledges_over_time(timeline: &[(u64, u64)], need: u64, now: u64, title: &str) -> Markup {
    let start = timeline.first().map_or(now, |p| p.0).saturating_sub(3600);
    let end = now.max(timeline.last().map_or(now, |p| p.0)).max(start + 1);
    let top = need.max(timeline.iter().map(|p| p.1).max().unwrap_or(0)).max(1);
    let y_max = (top as f64 * 1.1).ceil();
    let x = |t: u64| LEFT + (t - start) as f64 / (end - start) as f64 * (WIDTH - LEFT - RIGHT);
    let y = |n: u64| HEIGHT - BOTTOM - n as f64 / y_max * (HEIGHT - TOP - BOTTOM);
    // One step per column of COLUMN_PX pixels at most (the last count in it): the line looks
    // the same, and a call with 10,000 pledges draws a few hundred points, not 20,000.
    let mut points = vec![(x(start), y(0))];
    let mut level = 0;
    let column = |t: u64| (x(t) / COLUMN_PX).floor() as i64;
    let mut i = 0;
    while i < timeline.len() {
        let col = column(timeline[i].0);
        let mut j = i;
        while j + 1 < timeline.len() && column(timeline[j + 1].0) == col {
            j += 1;
        }
        let (t, n) = (timeline[i].0, timeline[j].1);
        if n != level {
            points.push((x(t), y(level)));
            points.push((x(t), y(n)));
            level = n;
        }
        i = j + 1;
    }
    points.push((x(end), y(level)));
    let line: String = points.iter().map(|(px, py)| format!("{px:.1},{py:.1} ")).collect();
    let label = format!("{title}: {level} pledges counted, {need} needed");
    html! {
        svg.chart viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(label) {
            title { (label) }
            line.axis x1=(LEFT) y1=(y(0)) x2=(WIDTH - RIGHT) y2=(y(0)) {}
            line.axis x1=(LEFT) y1=(TOP) x2=(LEFT) y2=(y(0)) {}
            text.tick x=(LEFT - 6.0) y=(y(0) + 4.0) text-anchor="end" { "0" }
            text.tick x=(LEFT - 6.0) y=(y(need) + 4.0) text-anchor="end" { (need) }
            line.threshold x1=(LEFT) y1=(y(need)) x2=(WIDTH - RIGHT) y2=(y(need)) {}
            text.threshold-label x=(WIDTH - RIGHT) y=(y(need) - 6.0) text-anchor="end" { "needed: " (need) }
            polyline.pledges points=(line.trim_end()) {}
            circle.pledges-now cx=(x(end)) cy=(y(level)) r="4" {}
            text.tick x=(LEFT) y=(HEIGHT - 8.0) { (date(start)) }
            text.tick x=(WIDTH - RIGHT) y=(HEIGHT - 8.0) text-anchor="end" { (date(end)) " (now)" }
        }
    }
}

/// One bar per gate: how far along it is, met or not. Narrower than the pledge chart, so
/// its labels stay readable when a phone scales it down.
pub fn gates(gates: &[GateStatus], title: &str) -> Markup {
    const ROW: f64 = 44.0;
    const GATES_WIDTH: f64 = 420.0;
    let height = ROW * gates.len().max(1) as f64 + 8.0;
    let bar = GATES_WIDTH - 2.0 * 8.0;
    let met = gates.iter().filter(|g| g.met).count();
    let label = format!("{title}: {met} of {} gates met", gates.len());
    html! {
        svg.chart.gates viewBox=(format!("0 0 {GATES_WIDTH} {height}")) role="img" aria-label=(label) {
            title { (label) }
            @for (i, g) in gates.iter().enumerate() {
                @let top = 8.0 + ROW * i as f64;
                text.gate-label x="8" y=(top + 14.0) { (g.gate) ": " (g.have) @if g.met { " (met)" } }
                rect.gate-track x="8" y=(top + 21.0) width=(bar) height="14" rx="3" {}
                rect class=(if g.met { "gate-fill met" } else { "gate-fill" })
                    x="8" y=(top + 21.0) width=(format!("{:.1}", bar * f64::from(g.progress) / 1000.0)) height="14" rx="3" {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pledge_line_steps_and_ends_at_the_count() {
        let svg = pledges_over_time(&[(7200, 1), (10_800, 2), (14_400, 1)], 3, 18_000, "Heat").into_string();
        assert!(svg.contains("Heat: 1 pledges counted, 3 needed"));
        let points = svg.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
        // Start, then two points per change, then now: 1 + 2 * 3 + 1.
        assert_eq!(points.split_whitespace().count(), 8);
        assert!(svg.contains("needed: 3"));
    }

    #[test]
    fn a_long_timeline_draws_one_step_per_column() {
        let timeline: Vec<(u64, u64)> = (1..=20_000).map(|i| (i * 60, i)).collect();
        let svg = pledges_over_time(&timeline, 30_000, 20_000 * 60, "Big").into_string();
        let points = svg.split("points=\"").nth(1).unwrap().split('"').next().unwrap();
        let n = points.split_whitespace().count();
        assert!(n <= 2 + 2 * ((WIDTH / COLUMN_PX) as usize), "{n} points");
        assert!(svg.contains("Big: 20000 pledges counted"), "the last count is kept");
        assert!(svg.len() < 12_000, "{} bytes", svg.len());
    }

    #[test]
    fn gate_bars_are_as_long_as_the_progress() {
        let g = |progress, met| GateStatus { gate: "g".into(), have: "h".into(), met, progress };
        let svg = gates(&[g(500, false), g(1000, true)], "Readiness").into_string();
        assert!(svg.contains("1 of 2 gates met"));
        assert!(svg.contains(r#"width="202.0""#), "half of the 404 px bar: {svg}");
        assert!(svg.contains(r#"class="gate-fill met""#));
    }
}
