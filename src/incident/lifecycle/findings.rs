//! The milestones responders record from the card — the confirmed root cause and the fix
//! deployed — and corrections of earlier timeline entries, which are new entries referring to the
//! old one (the timeline is never edited).

use super::{
    Refusal,
    changes::{At, Outcome, applied, non_empty},
};
use crate::incident::{
    Incident,
    event::{Event, Stored},
    scope::Finding,
};

/// Longest root cause, fix description or correction kept.
const MAX_FINDING_CHARS: usize = 2000;
/// Longest link kept.
const MAX_LINK_CHARS: usize = 1000;

/// The confirmed root cause; a later one replaces it (both stay on the timeline).
pub(super) fn root_cause(current: &Incident, cause: &str, at: At<'_>) -> Outcome {
    let cause = non_empty(cause, "The root cause", MAX_FINDING_CHARS)?;
    if current
        .findings
        .root_cause
        .as_ref()
        .is_some_and(|f| f.text == cause)
    {
        return Ok(None);
    }
    let mut next = current.clone();
    next.findings.root_cause = Some(Finding {
        text: cause.clone(),
        link: None,
        at: at.now,
    });
    applied(next, vec![Event::RootCauseIdentified { cause }])
}

/// A link must be a web address people can open; a blank one is no link.
pub fn web_link(link: Option<String>) -> Result<Option<String>, Refusal> {
    let Some(link) = link.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    let web = link.starts_with("https://") || link.starts_with("http://");
    if !web || link.chars().count() > MAX_LINK_CHARS || link.contains(char::is_whitespace) {
        return Err(Refusal::NotALink);
    }
    Ok(Some(link))
}

/// What was deployed to fix it, with an optional link (a pull request, a release).
pub(super) fn fix_deployed(
    current: &Incident,
    what: &str,
    with_link: Option<String>,
    at: At<'_>,
) -> Outcome {
    let what = non_empty(what, "What was deployed", MAX_FINDING_CHARS)?;
    let link = web_link(with_link)?;
    if current
        .findings
        .fix
        .as_ref()
        .is_some_and(|f| f.text == what && f.link == link)
    {
        return Ok(None);
    }
    let mut next = current.clone();
    next.findings.fix = Some(Finding {
        text: what.clone(),
        link: link.clone(),
        at: at.now,
    });
    applied(next, vec![Event::FixDeployed { what, link }])
}

/// A correction of timeline entry `entry`, which the caller looked up (`None`: no such entry).
pub(super) fn correct(
    current: &Incident,
    entry: u32,
    target: Option<&Stored>,
    text: &str,
) -> Outcome {
    match target {
        None => return Err(Refusal::NoSuchEntry { entry }),
        Some(Stored::Known(Event::Corrected { .. })) => {
            return Err(Refusal::CorrectionOfACorrection { entry });
        }
        Some(_) => {}
    }
    let text = non_empty(text, "The correction", MAX_FINDING_CHARS)?;
    applied(current.clone(), vec![Event::Corrected { entry, text }])
}
