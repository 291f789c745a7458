//! The feedback survey attendees get when the presenter ends the event: its questions
//! (the seed's by default, edited per event by the organizers), the checks on an
//! attendee's response, and the tally the report draws.
//!
//! Every answer has one shape, whatever the question: the choices picked (by position)
//! and a text. Yes/no is the choices "Yes", "No"; a scale of 1 to 5 is five choices; a
//! free-text question has no choices. The tally is then one loop for every kind.

use super::chart::BarChart;
use super::event::Section;
use super::poll::{fill_template, project_of};
use super::{DomainError, bounded_text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const MAX_QUESTIONS: usize = 20;
pub const MAX_PROMPT_CHARS: usize = 300;
pub const MAX_CHOICES: usize = super::event::MAX_SECTIONS;
pub const MAX_CHOICE_CHARS: usize = 120;
pub const MAX_TEXT_CHARS: usize = 2000;

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    YesNo,
    /// One of the choices.
    OneOf,
    /// Any number of the choices.
    SeveralOf,
    /// 1 (the first label) to 5 (the second).
    Scale,
    /// Free text.
    Text,
}

impl AnswerKind {
    pub const ALL: [AnswerKind; 5] = [
        AnswerKind::YesNo,
        AnswerKind::OneOf,
        AnswerKind::SeveralOf,
        AnswerKind::Scale,
        AnswerKind::Text,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AnswerKind::YesNo => "yes_no",
            AnswerKind::OneOf => "one_of",
            AnswerKind::SeveralOf => "several_of",
            AnswerKind::Scale => "scale",
            AnswerKind::Text => "text",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    pub fn label(self) -> &'static str {
        match self {
            AnswerKind::YesNo => "Yes / no",
            AnswerKind::OneOf => "One choice",
            AnswerKind::SeveralOf => "Several choices",
            AnswerKind::Scale => "Scale 1–5",
            AnswerKind::Text => "Free text",
        }
    }
}

/// Points on a scale question.
pub const SCALE_POINTS: u8 = 5;

/// One question of the survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyQuestion {
    pub prompt: String,
    pub kind: AnswerKind,
    /// The choices of one-of and several-of; for a scale, the words at its two ends.
    #[serde(default)]
    pub choices: Vec<String>,
    /// A yes/no question's text box ("And if not, what was missing?").
    #[serde(default)]
    pub follow_up: Option<String>,
}

impl SurveyQuestion {
    fn new(prompt: &str, kind: AnswerKind, choices: &[&str]) -> Self {
        Self {
            prompt: prompt.to_string(),
            kind,
            choices: choices.iter().map(|c| c.to_string()).collect(),
            follow_up: None,
        }
    }

    /// What an attendee picks from, by position.
    pub fn options(&self) -> Vec<String> {
        match self.kind {
            AnswerKind::YesNo => vec!["Yes".into(), "No".into()],
            AnswerKind::OneOf | AnswerKind::SeveralOf => self.choices.clone(),
            AnswerKind::Scale => {
                let ends = |i: usize| self.choices.get(i).filter(|c| !c.is_empty());
                (1..=SCALE_POINTS)
                    .map(|p| match (p, ends(0), ends(1)) {
                        (1, Some(low), _) => format!("1 – {low}"),
                        (SCALE_POINTS, _, Some(high)) => format!("{SCALE_POINTS} – {high}"),
                        _ => p.to_string(),
                    })
                    .collect()
            }
            AnswerKind::Text => Vec::new(),
        }
    }

    /// Whether the answer carries a text (free text, or a yes/no's follow-up).
    pub fn takes_text(&self) -> bool {
        self.kind == AnswerKind::Text || self.follow_up.is_some()
    }

    fn parse(index: usize, raw: &SurveyQuestion) -> Result<Self, DomainError> {
        let field = |name: &str| format!("questions[{}].{name}", index + 1);
        let prompt = bounded_text(&field("prompt"), &raw.prompt, 1, MAX_PROMPT_CHARS)?;
        let choices = raw
            .choices
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
            .map(|c| bounded_text(&field("choices"), c, 1, MAX_CHOICE_CHARS))
            .collect::<Result<Vec<_>, _>>()?;
        let choices = match raw.kind {
            AnswerKind::OneOf | AnswerKind::SeveralOf => {
                if !(2..=MAX_CHOICES).contains(&choices.len()) {
                    return Err(DomainError::new(
                        field("choices"),
                        format!("needs between 2 and {MAX_CHOICES} choices, one per line"),
                    ));
                }
                let mut seen = std::collections::HashSet::new();
                if let Some(twice) = choices.iter().find(|c| !seen.insert(c.to_lowercase())) {
                    return Err(DomainError::new(
                        field("choices"),
                        format!("lists \"{twice}\" twice"),
                    ));
                }
                choices
            }
            AnswerKind::Scale => {
                if choices.len() > 2 {
                    return Err(DomainError::new(
                        field("choices"),
                        "a scale takes at most two words: for 1 and for 5",
                    ));
                }
                choices
            }
            AnswerKind::YesNo | AnswerKind::Text => Vec::new(),
        };
        let follow_up = match (raw.kind, raw.follow_up.as_deref().map(str::trim)) {
            (AnswerKind::YesNo, Some(f)) if !f.is_empty() => {
                Some(bounded_text(&field("follow_up"), f, 1, MAX_PROMPT_CHARS)?)
            }
            _ => None,
        };
        Ok(Self {
            prompt,
            kind: raw.kind,
            choices,
            follow_up,
        })
    }
}

/// The questions of an event's survey, in order. A question is known by its position,
/// so the questions are fixed once the first response is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    pub questions: Vec<SurveyQuestion>,
}

impl Survey {
    /// The seed's questions (Dask's tutorial survey), for a tutorial on `title` with
    /// this agenda: which sections were most informative lists the agenda's own.
    pub fn default_for(title: &str, sections: &[Section]) -> Self {
        let project = project_of(title);
        let mut covered = SurveyQuestion::new(
            "Did we cover all the topics you were expecting?",
            AnswerKind::YesNo,
            &[],
        );
        covered.follow_up = Some("And if not, what was missing?".into());
        let mut questions = vec![
            SurveyQuestion::new(
                &fill_template("Have you used {project} before?", &project),
                AnswerKind::YesNo,
                &[],
            ),
            covered,
            SurveyQuestion::new(
                "How was the pace?",
                AnswerKind::OneOf,
                &["Too slow", "Just right", "Too fast"],
            ),
        ];
        let mut titles: Vec<String> = Vec::new();
        for s in sections {
            if !titles.iter().any(|t| t.eq_ignore_ascii_case(&s.title)) {
                titles.push(s.title.chars().take(MAX_CHOICE_CHARS).collect());
            }
        }
        if titles.len() >= 2 {
            questions.push(SurveyQuestion {
                prompt: "Which sections did you find most informative?".into(),
                kind: AnswerKind::SeveralOf,
                choices: titles,
                follow_up: None,
            });
        }
        questions.extend([
            SurveyQuestion::new(
                "What would be your preferred platform for a tutorial like this?",
                AnswerKind::OneOf,
                &[
                    "Zoom",
                    "YouTube",
                    "Twitch",
                    "Jitsi",
                    "In person",
                    "No preference",
                ],
            ),
            SurveyQuestion::new(
                "Would you recommend the tutorial to a colleague?",
                AnswerKind::YesNo,
                &[],
            ),
            SurveyQuestion::new("Any other comments?", AnswerKind::Text, &[]),
        ]);
        Self { questions }
    }

    /// Checks questions as the organizer typed them.
    pub fn parse(raw: &[SurveyQuestion]) -> Result<Self, DomainError> {
        if raw.is_empty() || raw.len() > MAX_QUESTIONS {
            return Err(DomainError::new(
                "questions",
                format!("a survey has between 1 and {MAX_QUESTIONS} questions"),
            ));
        }
        Ok(Self {
            questions: raw
                .iter()
                .enumerate()
                .map(|(i, q)| SurveyQuestion::parse(i, q))
                .collect::<Result<_, _>>()?,
        })
    }

    /// Checks an attendee's answers: every key a question, every choice one of its
    /// options, texts within bounds. Unanswered questions are left out; an empty
    /// response is refused.
    pub fn check(&self, raw: &SurveyResponse) -> Result<SurveyResponse, DomainError> {
        let mut answers = BTreeMap::new();
        for (&index, answer) in &raw.answers {
            let field = format!("answers[{}]", index + 1);
            let question = self
                .questions
                .get(index)
                .ok_or_else(|| DomainError::new(&field, "is not a question of this survey"))?;
            let options = question.options().len();
            let mut choices = answer.choices.clone();
            choices.sort_unstable();
            choices.dedup();
            if choices.iter().any(|&c| usize::from(c) >= options) {
                return Err(DomainError::new(
                    &field,
                    "is not one of the question's choices",
                ));
            }
            let several = question.kind == AnswerKind::SeveralOf;
            if !several && choices.len() > 1 {
                return Err(DomainError::new(&field, "takes one choice"));
            }
            let text = if question.takes_text() {
                bounded_text(&field, &answer.text, 0, MAX_TEXT_CHARS)?
            } else {
                String::new()
            };
            if !choices.is_empty() || !text.is_empty() {
                answers.insert(index, SurveyAnswer { choices, text });
            }
        }
        if answers.is_empty() {
            return Err(DomainError::new("answers", "answer at least one question"));
        }
        Ok(SurveyResponse { answers })
    }

    /// One result per question, over every response.
    pub fn tally<'a>(
        &self,
        responses: impl IntoIterator<Item = &'a SurveyResponse> + Clone,
    ) -> Vec<QuestionResult> {
        self.questions
            .iter()
            .enumerate()
            .map(|(index, question)| {
                let options = question.options();
                let mut counts = vec![0u32; options.len()];
                let mut answered = 0;
                let mut texts = Vec::new();
                for answer in responses
                    .clone()
                    .into_iter()
                    .filter_map(|r| r.answers.get(&index))
                {
                    answered += 1;
                    for &c in &answer.choices {
                        if let Some(count) = counts.get_mut(usize::from(c)) {
                            *count += 1;
                        }
                    }
                    if !answer.text.is_empty() {
                        texts.push(answer.text.clone());
                    }
                }
                QuestionResult {
                    chart: (!options.is_empty()).then(|| {
                        let choosers = if question.kind == AnswerKind::SeveralOf {
                            answered
                        } else {
                            counts.iter().sum()
                        };
                        BarChart::new(
                            question.prompt.clone(),
                            &options,
                            &counts,
                            choosers,
                            question.kind == AnswerKind::SeveralOf,
                        )
                    }),
                    prompt: question.prompt.clone(),
                    answered,
                    texts,
                }
            })
            .collect()
    }

    /// The position of the question asking about the pace (the seed's "How was the
    /// pace?"), found by its choices so an organizer's rewording still counts.
    pub fn pace_question(&self) -> Option<usize> {
        self.questions.iter().position(|q| {
            q.kind == AnswerKind::OneOf
                && q.choices.iter().any(|c| c.eq_ignore_ascii_case("too fast"))
        })
    }

    /// The position of the "most informative sections" question: several-of whose
    /// choices are section titles.
    pub fn sections_question(&self, sections: &[Section]) -> Option<usize> {
        self.questions.iter().position(|q| {
            q.kind == AnswerKind::SeveralOf
                && q.choices
                    .iter()
                    .all(|c| sections.iter().any(|s| s.title == *c))
        })
    }
}

/// One question's answer: the choices picked (positions in [`SurveyQuestion::options`])
/// and any text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyAnswer {
    #[serde(default)]
    pub choices: Vec<u8>,
    #[serde(default)]
    pub text: String,
}

/// An attendee's response: answers by question position.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyResponse {
    pub answers: BTreeMap<usize, SurveyAnswer>,
}

/// What the report shows of one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub prompt: String,
    /// People who answered it.
    pub answered: u32,
    /// The bars, for questions with choices.
    pub chart: Option<BarChart>,
    /// The texts written (free text, or what was missing).
    pub texts: Vec<String>,
}

/// Responses as a share of the attendees, in whole percent (0 with no attendees).
pub fn response_rate(responses: u32, attendees: u32) -> u32 {
    super::chart::percents(&[responses.min(attendees)], attendees)[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::SectionKind;

    fn sections(titles: &[&str]) -> Vec<Section> {
        titles
            .iter()
            .map(|t| Section {
                title: t.to_string(),
                kind: SectionKind::Teaching,
                minutes: 10,
                exercise_minutes: 0,
            })
            .collect()
    }

    fn answer(choices: &[u8], text: &str) -> SurveyAnswer {
        SurveyAnswer {
            choices: choices.to_vec(),
            text: text.into(),
        }
    }

    fn response(answers: &[(usize, SurveyAnswer)]) -> SurveyResponse {
        SurveyResponse {
            answers: answers.iter().cloned().collect(),
        }
    }

    #[test]
    fn the_default_survey_is_the_seeds_with_the_agendas_sections() {
        let survey = Survey::default_for(
            "Dask tutorial",
            &sections(&["Overview", "DataFrames", "Overview"]),
        );
        let prompts: Vec<&str> = survey.questions.iter().map(|q| q.prompt.as_str()).collect();
        assert_eq!(prompts[0], "Have you used Dask before?");
        assert_eq!(
            survey.questions[1].follow_up.as_deref(),
            Some("And if not, what was missing?")
        );
        assert_eq!(
            survey.questions[2].choices,
            ["Too slow", "Just right", "Too fast"]
        );
        assert_eq!(survey.questions[3].choices, ["Overview", "DataFrames"]);
        assert_eq!(survey.questions[3].kind, AnswerKind::SeveralOf);
        assert_eq!(prompts.len(), 7);
        assert_eq!(survey.pace_question(), Some(2));
        assert_eq!(
            survey.sections_question(&sections(&["Overview", "DataFrames"])),
            Some(3)
        );
        assert_eq!(Survey::parse(&survey.questions), Ok(survey));
    }

    #[test]
    fn organizers_questions_are_checked() {
        let q = |kind, choices: &[&str]| SurveyQuestion::new("Fine?", kind, choices);
        assert!(Survey::parse(&[]).is_err());
        assert!(Survey::parse(&[q(AnswerKind::OneOf, &["Only one"])]).is_err());
        assert!(Survey::parse(&[q(AnswerKind::OneOf, &["A", "a"])]).is_err());
        assert!(Survey::parse(&[q(AnswerKind::Scale, &["low", "mid", "high"])]).is_err());
        assert!(Survey::parse(&[SurveyQuestion::new(" ", AnswerKind::Text, &[])]).is_err());
        let parsed = Survey::parse(&[
            q(AnswerKind::SeveralOf, &[" A ", "", "B"]),
            q(AnswerKind::Text, &["ignored"]),
        ])
        .unwrap();
        assert_eq!(parsed.questions[0].choices, ["A", "B"]);
        assert!(parsed.questions[1].choices.is_empty());
        let scale = q(AnswerKind::Scale, &["Poor", "Great"]);
        assert_eq!(scale.options(), ["1 – Poor", "2", "3", "4", "5 – Great"]);
    }

    #[test]
    fn answers_must_fit_their_questions() {
        let survey = Survey::default_for("Dask tutorial", &sections(&["A", "B"]));
        // Yes/no takes one of two; pace one of three; sections several.
        assert!(survey.check(&response(&[(0, answer(&[0], ""))])).is_ok());
        assert!(survey.check(&response(&[(0, answer(&[2], ""))])).is_err());
        assert!(
            survey
                .check(&response(&[(2, answer(&[0, 1], ""))]))
                .is_err()
        );
        assert!(survey.check(&response(&[(3, answer(&[0, 1], ""))])).is_ok());
        assert!(survey.check(&response(&[(99, answer(&[0], ""))])).is_err());
        assert!(survey.check(&response(&[])).is_err());
        assert!(
            survey
                .check(&response(&[(
                    6,
                    answer(&[], &"x".repeat(MAX_TEXT_CHARS + 1))
                )]))
                .is_err()
        );
        // Text where none is asked for is dropped; a follow-up keeps it.
        let checked = survey
            .check(&response(&[
                (0, answer(&[1], "dropped")),
                (1, answer(&[1], "Kubernetes")),
            ]))
            .unwrap();
        assert_eq!(checked.answers[&0].text, "");
        assert_eq!(checked.answers[&1].text, "Kubernetes");
        // A choice picked twice counts once.
        let checked = survey
            .check(&response(&[(3, answer(&[1, 1, 0], ""))]))
            .unwrap();
        assert_eq!(checked.answers[&3].choices, [0, 1]);
    }

    #[test]
    fn the_tally_counts_each_answer_with_percentages_that_add_up() {
        let survey = Survey::default_for("Dask tutorial", &sections(&["A", "B"]));
        let responses = [
            response(&[
                (2, answer(&[1], "")),
                (3, answer(&[0, 1], "")),
                (1, answer(&[1], "Kubernetes")),
            ]),
            response(&[(2, answer(&[2], "")), (3, answer(&[0], ""))]),
            response(&[(2, answer(&[1], "")), (6, answer(&[], "Great, thanks"))]),
        ];
        let results = survey.tally(&responses);
        let pace = results[2].chart.as_ref().unwrap();
        assert_eq!(
            pace.bars.iter().map(|b| b.count).collect::<Vec<_>>(),
            [0, 2, 1]
        );
        assert_eq!(pace.bars.iter().map(|b| b.percent).sum::<u32>(), 100);
        let best = results[3].chart.as_ref().unwrap();
        assert_eq!(
            (best.answered, best.bars[0].percent, best.bars[1].percent),
            (2, 100, 50)
        );
        assert_eq!(results[1].texts, ["Kubernetes"]);
        assert_eq!(results[6].texts, ["Great, thanks"]);
        assert!(results[6].chart.is_none());
        assert_eq!(results[0].answered, 0);
        assert_eq!(results[0].chart.as_ref().unwrap().bars[0].percent, 0);
    }

    #[test]
    fn response_rate_is_bounded_and_safe_with_nobody() {
        assert_eq!(response_rate(20, 100), 20);
        assert_eq!(response_rate(0, 0), 0);
        assert_eq!(response_rate(5, 4), 100);
    }
}
