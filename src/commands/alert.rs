//! The "Declare incident from message" shortcut: the declare form, filled in from the message
//! (an alert, a customer's report) — its first line as the title, its text as the impact, and
//! "Monitoring alert" as how it was detected when a bot or an integration posted it. The message
//! is kept with the declaration as the detection's evidence.

use super::{
    Reply,
    forms::{FormRequest, MessageAction, Origin, Prefill},
};
use crate::{
    context::Context,
    delivery::Answer,
    incident::{Detection, MAX_IMPACT_CHARS, event::SourceMessage, truncate_chars},
};

/// The most characters a title holds (the declare form's limit).
const TITLE_CHARS: usize = 150;

/// The shortcut was used on `action`'s message; `can_open` when Slack gave a trigger to open the
/// form with.
pub fn on_message(state: &Context, action: MessageAction, can_open: bool) -> Reply {
    if !can_open {
        return Reply::Say(Answer::HowToDeclare);
    }
    let prefill = prefill(&action);
    let source = SourceMessage {
        channel: action.channel_id.clone(),
        ts: action.message_ts.clone(),
        link: action.link.clone(),
        from_bot: action.from_bot,
    };
    Reply::Open(FormRequest::Declare {
        severity: state.config.process.default_severity,
        restricted: false,
        origin: Origin {
            channel: Some(action.channel_id),
            response_url: action.response_url,
            team_domain: action.team_domain,
            source: Some(Box::new(source)),
        },
        drill: false,
        prefill: Some(Box::new(prefill)),
    })
}

/// The form's answers from the message: the title from the text's first line, or (for an alert
/// whose text is empty) from its attachment or first block; the impact from the whole text.
pub fn prefill(action: &MessageAction) -> Prefill {
    let text = plain(&action.text);
    let body = if text.is_empty() {
        action.headline.as_deref().map(plain).unwrap_or_default()
    } else {
        text
    };
    let title = body
        .lines()
        .map(|l| {
            l.trim()
                .trim_matches(|c| c == '*' || c == '_' || c == '~')
                .trim()
        })
        .find(|l| !l.is_empty())
        .map(|l| truncate_chars(l, TITLE_CHARS))
        .unwrap_or_default();
    Prefill {
        title,
        impact: (!body.is_empty()).then(|| truncate_chars(&body, MAX_IMPACT_CHARS)),
        detection: action.from_bot.then_some(Detection::MonitoringAlert),
    }
}

/// Slack's markup turned into what a person would type: `<url|label>` → label, `<url>` → url,
/// `<@U…>` and `<#C…|name>` kept readable, entities unescaped.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let inner = &rest[start + 1..start + end];
        let shown = match inner.split_once('|') {
            Some((target, label)) if target.starts_with('#') => format!("#{label}"),
            Some((_, label)) => label.to_owned(),
            None => inner.to_owned(),
        };
        out.push_str(&shown);
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str, headline: Option<&str>, from_bot: bool) -> MessageAction {
        MessageAction {
            text: text.to_owned(),
            headline: headline.map(str::to_owned),
            from_bot,
            ..MessageAction::default()
        }
    }

    #[test]
    fn the_title_is_the_first_line_and_the_impact_the_whole_text() {
        let alert = message(
            "*[FIRING:1] Payments API 5xx above 5%*\nService: <https://grafana.example.com/d/1|payments-api>\nSince 14:02 UTC &amp; rising",
            None,
            true,
        );
        let filled = prefill(&alert);
        assert_eq!(filled.title, "[FIRING:1] Payments API 5xx above 5%");
        assert_eq!(
            filled.impact.as_deref(),
            Some(
                "*[FIRING:1] Payments API 5xx above 5%*\nService: payments-api\nSince 14:02 UTC & rising"
            )
        );
        assert_eq!(filled.detection, Some(Detection::MonitoringAlert));
    }

    #[test]
    fn an_alert_without_text_is_titled_from_its_attachment_or_block_and_a_persons_message_is_not_an_alert()
     {
        let attachment = message("", Some("CRITICAL: db-primary disk 95%"), true);
        assert_eq!(prefill(&attachment).title, "CRITICAL: db-primary disk 95%");
        let person = message("Customers say checkout spins forever", None, false);
        let filled = prefill(&person);
        assert_eq!(filled.title, "Customers say checkout spins forever");
        assert_eq!(filled.detection, None);
        let long = message(&"x".repeat(400), None, false);
        assert_eq!(prefill(&long).title.chars().count(), TITLE_CHARS);
        let empty = prefill(&message("", None, true));
        assert_eq!((empty.title.as_str(), empty.impact), ("", None));
    }
}
