//! The post-incident review form: the agenda, the follow-up deadline, and whether the review is
//! complete. It opens on the draft so far, so a review is written over several sittings.

use super::{field, heading, modal, text_input};
use crate::{
    commands::forms::Input,
    incident::{Incident, review::AgendaItem},
    slack::{
        blocks::{option, section},
        keys::{Callback, VALUE},
    },
};
use serde_json::{Value, json};

/// The review, on its draft.
pub(super) fn review(incident: &Incident) -> Value {
    let draft = incident.review.notes.as_ref();
    let mut blocks = vec![
        heading(incident),
        section(
            "Write what you know; *Save* keeps a draft you can come back to from the card. Check *The review is complete* once every item is answered (“None” where nothing applies).",
        ),
    ];
    for item in AgendaItem::ALL {
        let answer = draft.and_then(|d| d.answer(item));
        blocks.push(field(
            Input::Agenda(item),
            item.label(),
            text_input(answer, true, 3000),
            true,
        ));
    }
    let mut deadline = json!({ "type": "datepicker", "action_id": VALUE });
    if let Some(day) = draft.and_then(|d| d.follow_up_deadline) {
        deadline["initial_date"] = json!(day.format("%Y-%m-%d").to_string());
    }
    blocks.push(field(
        Input::FollowUpDeadline,
        "Follow-up deadline",
        deadline,
        true,
    ));
    blocks.push(field(
        Input::ReviewComplete,
        "Completion",
        json!({ "type": "checkboxes", "action_id": VALUE,
                "options": [option("The review is complete", "complete")] }),
        true,
    ));
    modal(
        Callback::Review,
        "Post-incident review",
        "Save",
        incident.id.as_str(),
        blocks,
    )
}
