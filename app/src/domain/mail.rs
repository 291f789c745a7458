//! The words of the emails to registrants: the seed's texts as defaults (seed 000,
//! "Count down to the tutorial"), the organizer's own where they changed them, with
//! placeholders such as `{call}` filled per registrant, rendered once as plain text and
//! once as HTML (everything a person typed escaped, addresses as links).

use super::DomainError;
use super::event::Material;
use super::registration::{Call, EmailKind};

/// The placeholders an email's text may use.
pub const PLACEHOLDERS: [&str; 9] = [
    "name",
    "title",
    "when",
    "organizers",
    "materials",
    "call",
    "link",
    "survey",
    "recording",
];

/// An email's text, split into what is written and what is filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template(Vec<Piece>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(&'static str),
}

impl Template {
    /// Reads `{word}` placeholders; an unknown one is refused (a typo would otherwise
    /// go out to every registrant as written). `{{` and `}}` are braces.
    pub fn parse(field: &str, text: &str) -> Result<Self, DomainError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(i) = rest.find(['{', '}']) {
            literal.push_str(&rest[..i]);
            let tail = &rest[i..];
            if tail.starts_with("{{") || tail.starts_with("}}") {
                literal.push_str(&tail[..1]);
                rest = &tail[2..];
                continue;
            }
            if let Some(after) = tail.strip_prefix('}') {
                literal.push('}');
                rest = after;
                continue;
            }
            let word_end = tail[1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(tail.len(), |j| j + 1);
            if tail[word_end..].starts_with('}') && word_end > 1 {
                let word = &tail[1..word_end];
                let Some(known) = PLACEHOLDERS.iter().find(|p| **p == word) else {
                    return Err(DomainError::new(
                        field,
                        format!(
                            "has {{{word}}}, which Lectern does not know: use {}",
                            PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                        ),
                    ));
                };
                if !literal.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut literal)));
                }
                pieces.push(Piece::Field(known));
                rest = &tail[word_end + 1..];
            } else {
                literal.push('{');
                rest = &tail[1..];
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            pieces.push(Piece::Text(literal));
        }
        Ok(Self(pieces))
    }
}

/// What fills the placeholders for one registrant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailValues {
    pub name: String,
    pub title: String,
    /// The start in the event's zone, in words ("on Thursday 10 December at 16:00 (Europe/London)").
    pub when: String,
    pub organizers: String,
    pub materials: Vec<Material>,
    pub call: Option<Call>,
    /// The registrant's personal link.
    pub link: String,
    pub survey: Option<String>,
    pub recording: Option<String>,
}

/// One email, ready for the mailer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The seed's words for each email.
pub fn default_text(kind: EmailKind) -> &'static str {
    match kind {
        EmailKind::Confirmation => {
            "Hi {name},\n\nYou are registered for {title}, {when}.\n\nYour personal link has the call details, and is the page to open on the day:\n{link}\n\nThe calendar file is attached. We will send a reminder with the links before we start.\n\n{organizers}"
        }
        EmailKind::Waitlisted => {
            "Hi {name},\n\n{title}, {when}, is full, so you are on the waitlist. If a place comes free it goes to the first on the list, and we will email you at once.\n\nYour registration, to leave the list or change your email:\n{link}\n\n{organizers}"
        }
        EmailKind::Place => {
            "Hi {name},\n\nA place at {title}, {when}, came free and it is yours.\n\nYour personal link has the call details, and is the page to open on the day:\n{link}\n\n{call}\n\nThe calendar file is attached.\n\n{organizers}"
        }
        EmailKind::TwoDays | EmailKind::TwoHours => {
            "Hi {name}!\n\nWe look forward to seeing you {when}. We wanted to share some important links with you to help you connect to the meeting.\n\nThe materials for the course are at the links below:\n\n{materials}\n\nThe meeting itself will be held by video call at the following link:\n\n{call}\n\nOn the day, open your personal link for the live page (questions, polls, the agenda):\n{link}\n\nWe look forward to seeing you soon!\n\n{organizers}"
        }
        EmailKind::TenMinutes => {
            "Hi {name}!\n\nWe are about to get started. Here's a final reminder of the meeting details.\n\n{call}\n\nThe live page: {link}\n\nSee you in a minute!\n\n{organizers}"
        }
        EmailKind::Feedback => {
            "Hi {name}!\n\nThank you so much for attending {title}. We really hope you found it valuable.\n\nWe would really appreciate it if you could answer a couple of quick feedback questions to help us improve things for next time.\n\n{survey}\n\nAlso we want to remind you that the materials are always available and you can run through them any time or share them with others.\n\n{materials}\n\n{recording}\n\nThanks,\n\n{organizers}"
        }
    }
}

fn subject(kind: EmailKind, title: &str) -> String {
    match kind {
        EmailKind::Confirmation => format!("You are registered: {title}"),
        EmailKind::Waitlisted => format!("On the waitlist: {title}"),
        EmailKind::Place => format!("A place is yours: {title}"),
        EmailKind::TwoDays => format!("In two days: {title}"),
        EmailKind::TwoHours => format!("In two hours: {title}"),
        EmailKind::TenMinutes => format!("Starting in 10 minutes: {title}"),
        EmailKind::Feedback => format!("Thank you for coming to {title}"),
    }
}

/// Renders `kind` for one registrant: the organizer's `text` if they wrote one (checked
/// when the event was saved), else the seed's. A paragraph left empty by a missing value
/// (no recording yet) is dropped. Every email ends with the personal link, where the
/// registration is cancelled or its address changed.
pub fn render(kind: EmailKind, text: Option<&str>, values: &MailValues) -> Rendered {
    let source = text.unwrap_or(default_text(kind));
    let template = Template::parse("text", source)
        .or_else(|_| Template::parse("text", default_text(kind)))
        .unwrap_or(Template(Vec::new()));
    let mut text_paragraphs = Vec::new();
    let mut html_paragraphs = Vec::new();
    for paragraph in split_paragraphs(&template.0) {
        let plain: String = paragraph.iter().map(|p| piece_text(p, values)).collect();
        if plain.trim().is_empty() {
            continue;
        }
        text_paragraphs.push(plain.trim().to_string());
        let html: String = paragraph.iter().map(|p| piece_html(p, values)).collect();
        html_paragraphs.push(format!("<p>{}</p>", html.trim().replace('\n', "<br>\n")));
    }
    let footer_text = format!(
        "You get this email because you registered for {}. Your registration (cancel, or change your email): {}",
        values.title, values.link
    );
    let footer_html = format!(
        "<p style=\"color:#555;font-size:13px\">You get this email because you registered for {}. <a href=\"{}\">Your registration</a>: cancel, or change your email.</p>",
        escape(&values.title),
        escape(&values.link)
    );
    Rendered {
        subject: one_line(&subject(kind, &values.title)),
        text: format!("{}\n\n-- \n{footer_text}\n", text_paragraphs.join("\n\n")),
        html: format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family:sans-serif;line-height:1.5;max-width:40em\">\n{}\n<hr>\n{footer_html}\n</body></html>\n",
            escape(&subject(kind, &values.title)),
            html_paragraphs.join("\n")
        ),
    }
}

/// The template's pieces grouped into paragraphs (split at blank lines in the text).
fn split_paragraphs(pieces: &[Piece]) -> Vec<Vec<Piece>> {
    let mut paragraphs = vec![Vec::new()];
    for piece in pieces {
        match piece {
            Piece::Text(text) => {
                let normalized = text.replace("\r\n", "\n");
                let mut parts = normalized.split("\n\n").peekable();
                while let Some(part) = parts.next() {
                    if !part.is_empty()
                        && let Some(last) = paragraphs.last_mut()
                    {
                        last.push(Piece::Text(part.to_string()));
                    }
                    if parts.peek().is_some() {
                        paragraphs.push(Vec::new());
                    }
                }
            }
            field => {
                if let Some(last) = paragraphs.last_mut() {
                    last.push(field.clone());
                }
            }
        }
    }
    paragraphs
}

fn piece_text(piece: &Piece, v: &MailValues) -> String {
    match piece {
        Piece::Text(text) => text.clone(),
        Piece::Field(field) => match *field {
            "name" => v.name.clone(),
            "title" => v.title.clone(),
            "when" => v.when.clone(),
            "organizers" => v.organizers.clone(),
            "link" => v.link.clone(),
            "materials" => v
                .materials
                .iter()
                .map(|m| format!("{}: {}", m.label, m.url))
                .collect::<Vec<_>>()
                .join("\n"),
            "call" => match &v.call {
                Some(call) if call.passcode.is_empty() => call.url.clone(),
                Some(call) => format!("{}\nPasscode: {}", call.url, call.passcode),
                None => {
                    "The organizers will share the call's link on your personal page.".to_string()
                }
            },
            "survey" => v.survey.clone().unwrap_or_default(),
            "recording" => v
                .recording
                .as_ref()
                .map(|url| format!("The recording: {url}"))
                .unwrap_or_default(),
            _ => String::new(),
        },
    }
}

fn piece_html(piece: &Piece, v: &MailValues) -> String {
    let link =
        |url: &str, label: &str| format!("<a href=\"{}\">{}</a>", escape(url), escape(label));
    match piece {
        Piece::Text(text) => escape(text),
        Piece::Field(field) => match *field {
            "link" => link(&v.link, &v.link),
            "materials" => v
                .materials
                .iter()
                .map(|m| link(&m.url, &m.label))
                .collect::<Vec<_>>()
                .join("\n"),
            "call" => match &v.call {
                Some(call) if call.passcode.is_empty() => link(&call.url, &call.url),
                Some(call) => format!(
                    "{}\nPasscode: <strong>{}</strong>",
                    link(&call.url, &call.url),
                    escape(&call.passcode)
                ),
                None => escape(&piece_text(piece, v)),
            },
            "survey" => v.survey.as_deref().map(|u| link(u, u)).unwrap_or_default(),
            "recording" => v
                .recording
                .as_deref()
                .map(|u| format!("The recording: {}", link(u, u)))
                .unwrap_or_default(),
            _ => escape(&piece_text(piece, v)),
        },
    }
}

/// Text for HTML: the five characters that could start markup or end an attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A header's value on one line (an event title cannot break into a second header).
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> MailValues {
        MailValues {
            name: "Ada <script>alert(1)</script> & Co".into(),
            title: "Dask \"tutorial\"".into(),
            when: "on Thursday 10 December at 16:00 (Europe/London)".into(),
            organizers: "Jacob & Naty".into(),
            materials: vec![Material {
                label: "Notebooks".into(),
                url: "https://github.com/dask/dask-tutorial?a=1&b=2".into(),
            }],
            call: Some(Call {
                url: "https://zoom.us/j/123".into(),
                passcode: "dask<3".into(),
            }),
            link: "https://lectern.example.org/e/dask/me/abc".into(),
            survey: Some("https://forms.example.org/x".into()),
            recording: None,
        }
    }

    #[test]
    fn the_seeds_reminder_fills_in_the_links() {
        let mail = render(EmailKind::TwoDays, None, &values());
        assert_eq!(mail.subject, "In two days: Dask \"tutorial\"");
        assert!(
            mail.text
                .starts_with("Hi Ada <script>alert(1)</script> & Co!")
        );
        assert!(
            mail.text
                .contains("Notebooks: https://github.com/dask/dask-tutorial?a=1&b=2")
        );
        assert!(
            mail.text
                .contains("https://zoom.us/j/123\nPasscode: dask<3")
        );
        assert!(mail.text.contains("Your registration (cancel, or change your email): https://lectern.example.org/e/dask/me/abc"));
        assert!(!mail.text.contains('{'));
    }

    #[test]
    fn html_escapes_what_people_typed_and_links_the_addresses() {
        let mail = render(EmailKind::TwoDays, None, &values());
        assert!(
            mail.html
                .contains("Hi Ada &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co!")
        );
        assert!(!mail.html.contains("<script>"));
        assert!(mail.html.contains(
            "<a href=\"https://github.com/dask/dask-tutorial?a=1&amp;b=2\">Notebooks</a>"
        ));
        assert!(mail.html.contains("Passcode: <strong>dask&lt;3</strong>"));
        assert!(
            mail.html
                .contains("<title>In two days: Dask &quot;tutorial&quot;</title>")
        );
        assert!(mail.html.contains("Jacob &amp; Naty"));
    }

    #[test]
    fn organizers_words_replace_the_seeds_and_empty_paragraphs_go() {
        let mail = render(
            EmailKind::Feedback,
            Some("Thanks {name}.\n\n{recording}\n\nSurvey: {survey}\n\n{{not a placeholder}}"),
            &values(),
        );
        assert!(mail.text.starts_with("Thanks Ada"));
        assert!(!mail.text.contains("recording"), "{}", mail.text);
        assert!(mail.text.contains("Survey: https://forms.example.org/x"));
        assert!(mail.text.contains("{not a placeholder}"));
        assert_eq!(mail.html.matches("<p>").count(), 3, "{}", mail.html);
    }

    #[test]
    fn a_subject_stays_one_line() {
        let mut v = values();
        v.title = "Dask\r\nBcc: everyone@example.org".into();
        let mail = render(EmailKind::Confirmation, None, &v);
        assert!(!mail.subject.contains(['\r', '\n']));
    }

    #[test]
    fn without_a_call_the_email_says_where_it_will_be() {
        let mut v = values();
        v.call = None;
        let mail = render(EmailKind::TenMinutes, None, &v);
        assert!(
            mail.text
                .contains("share the call's link on your personal page")
        );
    }

    #[test]
    fn templates_know_their_placeholders() {
        assert!(Template::parse("t", "Hi {name}, {call} {{x}} a { b } {}").is_ok());
        let err = Template::parse("t", "See you at {zoom_link}").expect_err("unknown");
        assert!(err.message.contains("{zoom_link}"), "{}", err.message);
        assert!(err.message.contains("{call}"));
        for kind in EmailKind::ALL {
            assert!(Template::parse("t", default_text(kind)).is_ok(), "{kind:?}");
        }
    }
}
