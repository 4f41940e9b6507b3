//! Writing down the post-incident review: a draft saved as often as needed, then completed once
//! every agenda item is answered, which records who and when and stops its reminder. The review
//! follows resolution, so it is taken on resolved and closed incidents only.

use super::{
    Refusal,
    changes::{At, Outcome, applied},
};
use crate::incident::{
    Incident, Status,
    event::Event,
    review::{AgendaItem, ReviewNotes},
    truncate_chars,
};

/// Longest answer to one agenda item kept.
const MAX_ANSWER_CHARS: usize = 3000;

pub(super) fn save(current: &Incident, notes: ReviewNotes, complete: bool, at: At<'_>) -> Outcome {
    let id = || current.id.to_string();
    if !matches!(current.status, Status::Resolved | Status::Closed) {
        return Err(Refusal::ReviewBeforeResolved { id: id() });
    }
    if current.review.is_complete() {
        return Err(Refusal::ReviewAlreadyComplete { id: id() });
    }
    let answers = notes
        .answers
        .into_iter()
        .map(|(item, text)| (item, truncate_chars(text.trim(), MAX_ANSWER_CHARS)))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    let notes = ReviewNotes {
        answers,
        follow_up_deadline: notes.follow_up_deadline,
    };
    if complete {
        let blank: Vec<String> = notes
            .unanswered()
            .into_iter()
            .map(|i| {
                AgendaItem::label(i)
                    .split(':')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        if !blank.is_empty() {
            return Err(Refusal::ReviewIncomplete { blank });
        }
    }
    let unchanged = current.review.notes.as_ref() == Some(&notes);
    if unchanged && !complete {
        return Ok(None);
    }
    let mut next = current.clone();
    let mut events = Vec::new();
    if !unchanged {
        next.review.notes = Some(notes.clone());
        events.push(Event::ReviewSaved(notes));
    }
    if complete {
        next.review.completed_at = Some(at.now);
        next.review.completed_by = Some(at.actor.to_owned());
        events.push(Event::ReviewCompleted {
            on_time: next.review.due_at.is_none_or(|due| at.now <= due),
        });
    }
    applied(next, events)
}
