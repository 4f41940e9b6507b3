//! Lists of incidents as one person sees them: `/incident list` in each of its scopes, and the
//! matches of `/incident search`. One line per incident, linked to its card, under a heading that
//! says what was listed and how much was left out.

use super::blocks::{FALLBACK_MAX, Message, escape, message_link, section, sections, slack_date};
use crate::{
    commands::list::Scope,
    incident::{Incident, truncate_chars},
};

/// The answer to `/incident list` in `scope`; `more` when older incidents were left out.
pub fn incident_list(scope: Scope, incidents: &[Incident], more: bool) -> Message {
    // What is listed, and what is said when there is nothing to list (good news for the first
    // two, so with a check mark).
    let (label, emoji, none) = match scope {
        Scope::Open => ("Open incidents", ":white_check_mark:", "No open incidents."),
        Scope::Resolved => (
            "Resolved incidents not closed yet",
            ":white_check_mark:",
            "No resolved incidents are waiting to be closed.",
        ),
        Scope::Closed => (
            "Closed incidents",
            ":card_file_box:",
            "No closed incidents yet.",
        ),
        Scope::All => ("All incidents", ":card_file_box:", "No incidents yet."),
        Scope::Drills => (
            "Drills",
            ":test_tube:",
            "No drills yet: `/incident drill scenarios` lists the tabletop scenarios.",
        ),
    };
    if incidents.is_empty() {
        return said(emoji, none);
    }
    let (heading, footer) = if more {
        (
            format!("*{label}* (the newest {})", incidents.len()),
            Some(
                "Older ones are left out; `/incident search <words>` finds any incident."
                    .to_owned(),
            ),
        )
    } else {
        (format!("*{label} ({})*", incidents.len()), None)
    };
    listing(&heading, incidents, footer)
}

/// One page of a search's matches: `page` (from 1) of `total` matches, `per_page` a page.
pub fn search_results(
    words: &str,
    page: u32,
    per_page: u32,
    total: usize,
    incidents: &[Incident],
) -> Message {
    let shown = format!("“{}”", escape(&truncate_chars(words, 100)));
    if total == 0 {
        return said(":mag:", &format!("No incident matches {shown}."));
    }
    let per_page = usize::try_from(per_page).unwrap_or(usize::MAX).max(1);
    let pages = total.div_ceil(per_page);
    let matches = if total == 1 {
        "1 incident matches".to_owned()
    } else {
        format!("{total} incidents match")
    };
    if incidents.is_empty() {
        let of = if pages == 1 { "page" } else { "pages" };
        return said(
            ":mag:",
            &format!("There is no page {page}: {matches} {shown}, on {pages} {of}."),
        );
    }
    let first = usize::try_from(page.saturating_sub(1))
        .unwrap_or(usize::MAX)
        .saturating_mul(per_page)
        .saturating_add(1);
    let last = first + incidents.len() - 1;
    if pages == 1 {
        return listing(&format!("*{matches} {shown}*"), incidents, None);
    }
    let heading = format!("*{matches} {shown}* — {first} to {last}, newest first");
    let footer = (last < total).then(|| {
        format!(
            "Add words to narrow it down, or see the next {}: `/incident search {} page {}`",
            per_page.min(total - last),
            escape(&words.replace('`', "'")),
            page.saturating_add(1)
        )
    });
    listing(&heading, incidents, footer)
}

/// A heading, a line per incident and an optional footer, in sections that each stay within
/// Slack's size; the fallback text says the same in plain lines.
fn listing(heading: &str, incidents: &[Incident], footer: Option<String>) -> Message {
    let mut blocks = vec![section(heading)];
    // Sections hold 3000 characters; group lines so nothing is cut mid-list.
    blocks.extend(sections(incidents.iter().map(line)));
    // Slack takes 50 blocks; keep room for the footer.
    blocks.truncate(if footer.is_some() { 49 } else { 50 });
    let mut text = vec![heading.replace('*', "")];
    text.extend(incidents.iter().map(|i| {
        format!(
            "{} [{}] {} — {}",
            i.id,
            i.severity,
            escape(&i.title),
            i.status
        )
    }));
    if let Some(footer) = footer {
        blocks.push(section(&footer));
        text.push(footer);
    }
    Message {
        text: truncate_chars(&text.join("\n"), FALLBACK_MAX),
        blocks,
    }
}

/// One incident: its ID linked to its card, severity, title, status (so a cancelled one says it
/// is cancelled) and when it was declared.
fn line(i: &Incident) -> String {
    let link = i
        .card_ts
        .as_deref()
        .and_then(|ts| message_link(i.team_domain.as_deref(), &i.channel_id, ts));
    let id = match link {
        Some(url) => format!("<{url}|{}>", i.id),
        None => i.id.to_string(),
    };
    format!(
        "• *{id}* [{}] {} — {} · declared {}",
        i.severity,
        escape(&truncate_chars(&i.title, 120)),
        i.status,
        slack_date(i.declared_at)
    )
}

/// A one-line answer; the emoji only in the block, as the fallback is read as plain text.
fn said(emoji: &str, text: &str) -> Message {
    Message {
        text: text.to_owned(),
        blocks: vec![section(&format!("{emoji} {text}"))],
    }
}

#[cfg(test)]
mod tests;
