//! The organizer's after-event screens: one run's report (printable), and the
//! comparison of a series' runs.

use super::account::AccountMenu;
use super::{Loading, failure, slug_param};
use crate::api::reports::{EventReport, SeriesView, fetch_report, fetch_series};
use crate::components::charts::BarChartSvg;
use crate::components::chrome::{TopBar, event_time};
use crate::components::cloud::WordCloud;
use crate::components::world_map::PlacesMap;
use crate::domain::agenda::clock_text;
use crate::domain::export::Export;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/events/{slug}/report`
#[component]
pub fn ReportPage() -> impl IntoView {
    let slug = slug_param();
    let report = Resource::new(move || slug.get(), fetch_report);
    view! {
        <Title text="Report"/>
        <TopBar context="Organizer"><AccountMenu/></TopBar>
        <main class="page report">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) => view! { <Report report/> }.into_any(),
                        Err(error) => failure(error),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Report(report: EventReport) -> impl IntoView {
    let slug = report.event.slug.clone();
    let places = report.places.clone();
    let registering = report.funnel.is_some();
    view! {
        <div class="page-head">
            <div>
                <p class="eyebrow">
                    {report.series.as_ref().map(|s| view! { <a href=format!("/series/{}", s.id)>{s.title.clone()}</a> " · " })}
                    "Report"
                </p>
                <h1>{report.event.title.clone()}</h1>
                <p class="muted">{event_time(report.event.starts_at, &report.event.time_zone)}</p>
            </div>
            <div class="button-row no-print">
                <button type="button" class="button button-quiet" onclick="window.print()">"Print"</button>
                <a class="button button-quiet" href=format!("/events/{slug}")>"Event settings"</a>
            </div>
        </div>
        <section class="stats" aria-label="Attendance">
            <Stat label="Checked in" value=report.check_ins.to_string() testid="stat-checkins"/>
            <Stat label="Most online at once" value=report.peak_attendees.to_string() testid="stat-peak"/>
            <Stat label="Survey responses" value=report.responses.to_string() testid="stat-responses"/>
            <Stat label="Response rate" value=format!("{}%", report.response_rate) testid="stat-rate"/>
        </section>
        {report.funnel.map(|funnel| view! {
            <section class="card" aria-labelledby="funnel-heading" data-testid="funnel">
                <h2 id="funnel-heading">"Registration"</h2>
                <p class="muted">{format!(
                    "{} registered, {} on the waitlist, {} cancelled. {}% of those registered joined through their personal link (the seed's tutorials saw about 50%).",
                    funnel.registered, funnel.waitlisted, funnel.cancelled, funnel.turnout_percent()
                )}</p>
                <BarChartSvg chart=funnel.chart()/>
                <p class="funnel-steps">
                    <span data-testid="funnel-registered">{funnel.registered}</span>" registered → "
                    <span data-testid="funnel-joined">{funnel.joined}</span>" joined → "
                    <span data-testid="funnel-checked-in">{funnel.checked_in}</span>" checked in → "
                    <span data-testid="funnel-answered">{funnel.answered}</span>" answered the survey"
                </p>
            </section>
        })}
        <section class="card" aria-labelledby="survey-results">
            <h2 id="survey-results">"Feedback survey"</h2>
            <p class="muted">{if report.survey_open { "Open: answers may still come in." } else if report.event.lifecycle.ended_at.is_some() { "Closed." } else { "Opens when the presenter ends the event." }}</p>
            {report.survey.into_iter().map(|result| view! {
                <div class="result" data-testid="survey-result">
                    {match result.chart {
                        Some(chart) => view! { <BarChartSvg chart/> }.into_any(),
                        None => view! { <h3 class="chart-title">{result.prompt.clone()}</h3> }.into_any(),
                    }}
                    {(!result.texts.is_empty()).then(|| view! {
                        <details class="texts" open=true>
                            <summary>{format!("{} written answer{}", result.texts.len(), if result.texts.len() == 1 { "" } else { "s" })}</summary>
                            <ul>{result.texts.into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
                        </details>
                    })}
                </div>
            }).collect_view()}
        </section>
        <section class="card" aria-labelledby="poll-results">
            <h2 id="poll-results">"Polls"</h2>
            {report.polls.is_empty().then(|| view! { <p class="muted">"No polls were asked."</p> })}
            {report.polls.into_iter().map(|poll| view! {
                <div class="result">
                    {(!poll.cloud.is_empty()).then(|| view! {
                        <h3 class="chart-title">{format!("Word cloud: {}", poll.chart.title)}</h3>
                        <WordCloud words=poll.cloud.clone()/>
                    })}
                    <BarChartSvg chart=poll.chart/>
                    {(poll.hidden_words > 0).then(|| view! {
                        <p class="muted small">{match poll.hidden_words {
                            1 => "1 word hidden from the cloud (by a co-instructor or the word filter) is left out.".to_string(),
                            n => format!("{n} words hidden from the cloud (by co-instructors or the word filter) are left out."),
                        }}</p>
                    })}
                    {poll.quiz.map(|q| view! {
                        <p class="small" data-testid="quiz-score">
                            <strong>{format!("Quiz: {}% right", q.percent())}</strong>
                            {format!(" ({} of {} answers; ✓ marks the right answer)", q.right, q.answered)}
                        </p>
                    })}
                    {poll.section.map(|s| view! { <p class="muted small">"Asked during "{s}</p> })}
                </div>
            }).collect_view()}
            {(!report.quiz_sections.is_empty()).then(|| view! {
                <h3>"Quiz questions per section"</h3>
                <table class="table" data-testid="quiz-sections">
                    <thead><tr><th scope="col">"Section"</th><th scope="col">"Questions"</th><th scope="col">"Answers right"</th></tr></thead>
                    <tbody>
                        {report.quiz_sections.into_iter().map(|s| view! {
                            <tr>
                                <th scope="row">{s.title}</th>
                                <td>{s.questions}</td>
                                <td>{format!("{}% ({} of {})", s.score.percent(), s.score.right, s.score.answered)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
        {(!report.labs.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="help-results" data-testid="help-results">
                <h2 id="help-results">"Help in the labs"</h2>
                <table class="table">
                    <thead><tr><th scope="col">"Lab"</th><th scope="col">"Asked for help"</th><th scope="col">"Median wait"</th><th scope="col">"Longest wait"</th></tr></thead>
                    <tbody>
                        {report.labs.iter().map(|lab| {
                            let wait = |secs: Option<i64>| secs.map_or_else(|| "—".to_string(), |s| clock_text(chrono::Duration::seconds(s)));
                            view! {
                                <tr>
                                    <th scope="row">{lab.title.clone()}</th>
                                    <td>{lab.waits.stuck}</td>
                                    <td>{wait(lab.waits.median_wait_secs)}</td>
                                    <td>{wait(lab.waits.longest_wait_secs)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        <section class="card" aria-labelledby="pace-results">
            <h2 id="pace-results">"Pace per section"</h2>
            {if report.pace.is_empty() {
                view! { <p class="muted">"No pace was recorded (it is sampled every 30 seconds while the event is live)."</p> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Section"</th><th scope="col">"Asking slower (mean / peak)"</th><th scope="col">"Asking faster (mean / peak)"</th></tr></thead>
                        <tbody>
                            {report.pace.into_iter().map(|p| view! {
                                <tr><th scope="row">{p.title}</th><td>{format!("{}% / {}%", p.slower, p.peak_slower)}</td><td>{format!("{}% / {}%", p.faster, p.peak_faster)}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        <section class="card" aria-labelledby="question-results">
            <h2 id="question-results">"Questions"</h2>
            {report.questions.is_empty().then(|| view! { <p class="muted">"No questions were asked."</p> })}
            <ol class="report-questions">
                {report.questions.into_iter().map(|q| view! {
                    <li>
                        <p class="question-text">{q.text}</p>
                        <p class="muted small">
                            {q.name.map(|n| format!("{n} · ")).unwrap_or_default()}
                            {format!("{} · {} upvote{}", q.state, q.upvotes, if q.upvotes == 1 { "" } else { "s" })}
                        </p>
                        {q.answer.map(|a| view! { <p class="answer">{a}</p> })}
                    </li>
                }).collect_view()}
            </ol>
        </section>
        <section class="card" aria-labelledby="map-results">
            <h2 id="map-results">"Where people joined from"</h2>
            <PlacesMap places=Signal::stored(places)/>
            <p class="muted">{report.countries.iter().map(|(country, n)| format!("{country} {n}")).collect::<Vec<_>>().join(" · ")}</p>
        </section>
        <section class="card no-print" aria-labelledby="exports">
            <h2 id="exports">"Exports"</h2>
            <ul class="exports">
                {Export::ALL.into_iter().filter(|e| *e != Export::Registrations || registering).map(|export| view! {
                    <li>
                        <span>{export.label()}</span>
                        <a href=format!("/events/{slug}/export/{}.csv", export.name()) download>"CSV"</a>
                        <a href=format!("/events/{slug}/export/{}.json", export.name()) download>"JSON"</a>
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
pub(crate) fn Stat(
    #[prop(into)] label: String,
    value: String,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <div class="stat card">
            <span class="stat-value" data-testid=testid>{value}</span>
            <span class="stat-label">{label}</span>
        </div>
    }
}

/// `/series/{id}`: the runs of a recurring tutorial side by side.
#[component]
pub fn SeriesPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse::<i64>().ok())
                .unwrap_or(0)
        })
    });
    let series = Resource::new(move || id.get(), fetch_series);
    view! {
        <Title text="Series"/>
        <TopBar context="Organizer"><AccountMenu/></TopBar>
        <main class="page report">
            <Suspense fallback=Loading>
                {move || Suspend::new(async move {
                    match series.await {
                        Ok(series) => view! { <Comparison series/> }.into_any(),
                        Err(error) => failure(error),
                    }
                })}
            </Suspense>
        </main>
    }
}

#[component]
fn Comparison(series: SeriesView) -> impl IntoView {
    let registering = series.runs.iter().any(|run| run.funnel.is_some());
    view! {
        <div class="page-head">
            <div>
                <p class="eyebrow">{format!("Series · {}", series.series.team)}</p>
                <h1>{series.series.title.clone()}</h1>
            </div>
        </div>
        <section class="card">
            <h2>"Runs compared"</h2>
            <div class="table-scroll">
                <table class="table" data-testid="runs">
                    <thead>
                        <tr>
                            <th scope="col">"Run"</th>
                            {registering.then(|| view! {
                                <th scope="col">"Registered → joined"</th>
                                <th scope="col">"Reminders before"</th>
                            })}
                            <th scope="col">"Checked in"</th>
                            <th scope="col">"Most online"</th>
                            <th scope="col">"Responses"</th>
                            <th scope="col">"Pace: too slow / just right / too fast"</th>
                            <th scope="col">"Most informative sections"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {series.runs.into_iter().map(|run| view! {
                            <tr>
                                <th scope="row"><a href=format!("/events/{}/report", run.slug)>{event_time(run.starts_at, &run.time_zone)}</a></th>
                                {registering.then(|| view! {
                                    <td data-testid="run-turnout">{run.funnel.map(|f| format!("{} → {} ({}%)", f.registered, f.joined, f.turnout_percent())).unwrap_or_else(|| "—".into())}</td>
                                    <td>{run.reminders.clone().unwrap_or_else(|| "—".into())}</td>
                                })}
                                <td>{run.check_ins}</td>
                                <td>{run.peak_attendees}</td>
                                <td>{format!("{} ({}%)", run.responses, run.response_rate)}</td>
                                <td>{run.pace.map(|p| p.bars.iter().map(|b| format!("{}%", b.percent)).collect::<Vec<_>>().join(" / ")).unwrap_or_else(|| "—".into())}</td>
                                <td>{if run.best_sections.is_empty() { "—".to_string() } else { run.best_sections.iter().map(|(s, n)| format!("{s} ({n})")).collect::<Vec<_>>().join(", ") }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
