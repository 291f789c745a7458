//! The stream overlay: what `/e/{slug}/overlay` shows over the presenter's video in OBS
//! or vMix, chosen on the presenter's panel (or a co-instructor's console) — one scene
//! at a time, or nothing.

use super::DomainError;
use super::question::{Question, QuestionId};
use serde::{Deserialize, Serialize};

/// What the overlay shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "show", rename_all = "snake_case")]
pub enum OverlayScene {
    /// Nothing: the overlay is transparent, the video shows alone.
    #[default]
    Nothing,
    /// The title and the countdown to the start.
    Countdown,
    /// The current section and the time left in it.
    Section,
    /// One question, as the presenter takes it.
    Question { id: QuestionId },
    /// The open poll's bars, or the last poll's result.
    Poll,
    /// The QR code and the address to join.
    Join,
}

impl OverlayScene {
    /// The scenes chosen with one button each (a question is chosen from its card).
    pub const BUTTONS: [OverlayScene; 5] = [
        OverlayScene::Nothing,
        OverlayScene::Countdown,
        OverlayScene::Section,
        OverlayScene::Poll,
        OverlayScene::Join,
    ];

    pub fn label(self) -> &'static str {
        match self {
            OverlayScene::Nothing => "Nothing",
            OverlayScene::Countdown => "Countdown",
            OverlayScene::Section => "Section and time",
            OverlayScene::Question { .. } => "A question",
            OverlayScene::Poll => "Poll",
            OverlayScene::Join => "Join QR",
        }
    }

    /// Checks a scene the staff chose: a question must be one the room may see
    /// (`question` is it, as the room has it).
    pub fn check(self, question: Option<&Question>) -> Result<Self, DomainError> {
        if let OverlayScene::Question { .. } = self {
            match question {
                None => {
                    return Err(DomainError::new(
                        "that question",
                        "is not one of this tutorial's questions",
                    ));
                }
                Some(q) if !q.state.is_public() => {
                    return Err(DomainError::new(
                        "that question",
                        "is not public (waiting for approval or dismissed), so it cannot go on the stream",
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(self)
    }
}

/// The overlay as every page receives it: the scene, with the question's words when a
/// question is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverlayView {
    pub scene: OverlayScene,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<OverlayQuestion>,
}

/// A question on the stream: its words and, unless asked anonymously, the asker's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverlayQuestion {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl OverlayView {
    /// What the overlay shows for `scene`; `question` is the chosen question as it
    /// stands now. A question dismissed (or sent back for review) after it was chosen
    /// leaves the overlay: nothing then, never words the room may no longer see.
    pub fn of(scene: OverlayScene, question: Option<&Question>) -> Option<Self> {
        match scene {
            OverlayScene::Nothing => None,
            OverlayScene::Question { .. } => {
                let q = question.filter(|q| q.state.is_public())?;
                Some(Self {
                    scene,
                    question: Some(OverlayQuestion {
                        text: q.text.clone(),
                        name: q.name.clone(),
                    }),
                })
            }
            _ => Some(Self {
                scene,
                question: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::question::QuestionState;
    use chrono::Utc;
    use uuid::Uuid;

    fn question(state: QuestionState) -> Question {
        let mut q = Question::ask(
            Uuid::from_u128(7),
            "Does this work with Dask arrays?",
            "Ana",
            false,
            Utc::now(),
        )
        .unwrap();
        q.state = state;
        q
    }

    #[test]
    fn only_a_public_question_goes_on_the_stream() {
        let scene = OverlayScene::Question {
            id: Uuid::from_u128(7),
        };
        assert!(scene.check(Some(&question(QuestionState::Bubbled))).is_ok());
        assert!(
            scene
                .check(Some(&question(QuestionState::Answered)))
                .is_ok()
        );
        for hidden in [QuestionState::Review, QuestionState::Dismissed] {
            let refused = scene.check(Some(&question(hidden))).unwrap_err();
            assert!(refused.message.contains("not public"), "{refused}");
        }
        assert!(scene.check(None).is_err());
        assert_eq!(OverlayScene::Poll.check(None), Ok(OverlayScene::Poll));
    }

    #[test]
    fn the_view_carries_the_words_and_drops_a_question_that_left_the_room() {
        let id = Uuid::from_u128(7);
        let scene = OverlayScene::Question { id };
        let view = OverlayView::of(scene, Some(&question(QuestionState::Bubbled))).unwrap();
        assert_eq!(
            view.question,
            Some(OverlayQuestion {
                text: "Does this work with Dask arrays?".into(),
                name: Some("Ana".into()),
            })
        );
        assert_eq!(
            OverlayView::of(scene, Some(&question(QuestionState::Dismissed))),
            None
        );
        assert_eq!(OverlayView::of(scene, None), None);
        assert_eq!(OverlayView::of(OverlayScene::Nothing, None), None);
        assert_eq!(
            OverlayView::of(OverlayScene::Join, None).map(|v| v.scene),
            Some(OverlayScene::Join)
        );
    }

    #[test]
    fn a_scene_reads_back_from_its_stored_form() {
        let id = Uuid::from_u128(7);
        for scene in OverlayScene::BUTTONS
            .into_iter()
            .chain([OverlayScene::Question { id }])
        {
            let json = serde_json::to_string(&scene).unwrap();
            assert_eq!(serde_json::from_str::<OverlayScene>(&json).unwrap(), scene);
        }
        assert_eq!(
            serde_json::to_string(&OverlayScene::Section).unwrap(),
            r#"{"show":"section"}"#
        );
    }
}
