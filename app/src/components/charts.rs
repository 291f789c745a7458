//! Bar charts as SVG drawn by the app (no chart library, no CDN): the report's survey
//! answers and polls. Labels and counts are text beside the bars, so the chart reads
//! without colour and prints in black and white.

use crate::domain::chart::BarChart;
use leptos::prelude::*;

const ROW: f32 = 28.0;
const LABEL_WIDTH: f32 = 270.0;
const BAR_WIDTH: f32 = 300.0;
const WIDTH: f32 = LABEL_WIDTH + BAR_WIDTH + 90.0;

/// One horizontal bar per choice with its share and count written out.
#[component]
pub fn BarChartSvg(chart: BarChart) -> impl IntoView {
    let height = ROW * chart.bars.len() as f32 + 8.0;
    let summary = chart
        .bars
        .iter()
        .map(|b| format!("{}: {}% ({})", b.label, b.percent, b.count))
        .collect::<Vec<_>>()
        .join(", ");
    let answered = chart.answered;
    let note = format!(
        "{answered} answer{}{}",
        if answered == 1 { "" } else { "s" },
        if chart.several {
            " · several choices allowed, so shares add up to more than 100 %"
        } else {
            ""
        }
    );
    view! {
        <figure class="chart" data-testid="chart">
            <figcaption>{chart.title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=format!("{}: {summary}", chart.title) preserveAspectRatio="xMinYMin meet">
                {chart.bars.iter().enumerate().map(|(i, bar)| {
                    let y = 4.0 + ROW * i as f32;
                    let width = (BAR_WIDTH * bar.percent.min(100) as f32 / 100.0).max(if bar.count > 0 { 2.0 } else { 0.0 });
                    let label: String = if bar.label.chars().count() > 32 {
                        bar.label.chars().take(31).chain(['…']).collect()
                    } else {
                        bar.label.clone()
                    };
                    view! {
                        <g class="chart-row" data-testid="chart-bar">
                            <title>{format!("{}: {} ({}%)", bar.label, bar.count, bar.percent)}</title>
                            <text class="chart-label" x=LABEL_WIDTH - 8.0 y=y + 17.0 text-anchor="end">{label}</text>
                            <rect class="chart-track" x=LABEL_WIDTH y=y + 3.0 width=BAR_WIDTH height=ROW - 8.0 rx="3"/>
                            <rect class="chart-bar" x=LABEL_WIDTH y=y + 3.0 width=width height=ROW - 8.0 rx="3"/>
                            <text class="chart-value" x=LABEL_WIDTH + BAR_WIDTH + 8.0 y=y + 17.0 data-testid="chart-value">
                                {format!("{}% ({})", bar.percent, bar.count)}
                            </text>
                        </g>
                    }
                }).collect_view()}
            </svg>
            <p class="muted small">{note}</p>
        </figure>
    }
}
