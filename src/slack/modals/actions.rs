//! The follow-up action forms: **Add follow-up action** from the card, and **Won't do…** from an
//! action's reminder (its `private_metadata` names the action, `INC-…-A1`).

use super::{field, heading, modal, text_input};
use crate::{
    commands::forms::Input,
    incident::{
        Incident,
        actions::{ActionId, ActionsSummary},
    },
    slack::{
        blocks::{option, section},
        keys::{Callback, VALUE},
    },
};
use chrono::NaiveDate;
use serde_json::{Value, json};

/// Add follow-up action: what, who owns it (preselected), when it is due, a link.
pub(super) fn add(incident: &Incident, owner: &str, suggested_due: NaiveDate) -> Value {
    let blocks = vec![
        heading(incident),
        field(
            Input::ActionText,
            "What should be done",
            text_input(None, true, 1000),
            false,
        ),
        field(
            Input::ActionOwner,
            "Owner",
            json!({ "type": "users_select", "action_id": VALUE, "initial_user": owner }),
            false,
        ),
        field(
            Input::Due,
            "Due",
            json!({ "type": "datepicker", "action_id": VALUE,
                    "initial_date": suggested_due.format("%Y-%m-%d").to_string() }),
            false,
        ),
        field(
            Input::Link,
            "Link (a ticket, a pull request)",
            json!({ "type": "url_text_input", "action_id": VALUE }),
            true,
        ),
    ];
    modal(
        Callback::AddAction,
        "Follow-up action",
        "Add",
        incident.id.as_str(),
        blocks,
    )
}

/// Won't do: why the action will not be done.
pub(super) fn wont_do(incident: &Incident, number: u32, text: &str) -> Value {
    let action = ActionId {
        incident: incident.id.clone(),
        number,
    };
    let blocks = vec![
        heading(incident),
        section(&format!(
            "*{action}*: {}",
            crate::slack::blocks::escape(&crate::incident::truncate_chars(text, 500))
        )),
        field(
            Input::Reason,
            "Why won't it be done?",
            text_input(None, true, 1000),
            false,
        ),
    ];
    modal(
        Callback::WontDo,
        "Won't do",
        "Close action",
        &action.to_string(),
        blocks,
    )
}

/// The closing form's part about follow-up actions: how they stand, and — when none exist but
/// they are owed — the choice to close without one, with a reason.
pub(super) fn closing(actions: ActionsSummary, owed: bool) -> Vec<Value> {
    if actions.total > 0 {
        let open = match actions.open {
            0 => "all closed".to_owned(),
            1 => "1 still open, with its owner and due date".to_owned(),
            n => format!("{n} still open, each with its owner and due date"),
        };
        let documented = match actions.total {
            1 => "1 follow-up action".to_owned(),
            n => format!("{n} follow-up actions"),
        };
        return vec![section(&format!(
            ":clipboard: *Corrective actions documented:* {documented} ({open})."
        ))];
    }
    if !owed {
        return vec![section(
            ":clipboard: No follow-up actions were added; this incident's severity does not require one.",
        )];
    }
    let mut none = field(
        Input::NoAction,
        "Corrective actions",
        json!({ "type": "checkboxes", "action_id": VALUE,
                "options": [option("No corrective action needed", "none")] }),
        true,
    );
    none["hint"] = json!({ "type": "plain_text",
        "text": "This incident needs at least one follow-up action (More ▾ Add follow-up action on the card) unless none is needed." });
    vec![
        none,
        field(
            Input::NoActionReason,
            "Why is none needed?",
            text_input(None, true, 1000),
            true,
        ),
    ]
}
