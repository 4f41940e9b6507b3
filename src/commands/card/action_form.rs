//! The follow-up action forms — **Add follow-up action** on the card and **Won't do…** on an
//! action's reminder — read into the change they ask for, with an error under each input that
//! cannot be read.

use super::super::forms::{CardFields, Errors, Input, required};
use crate::incident::actions::ActionChange;
use chrono::NaiveDate;

/// Reads an action form; any other form is no action form (and reads as no change at all).
pub(super) fn read(fields: &CardFields) -> Result<ActionChange, Errors> {
    let mut errors = Errors::new();
    let change = match fields {
        CardFields::AddAction {
            text,
            owner,
            due,
            link,
        } => {
            let text = required(
                text,
                Input::ActionText,
                &mut errors,
                "Say what should be done.",
            );
            let owner = required(
                owner,
                Input::ActionOwner,
                &mut errors,
                "Choose who owns it.",
            );
            let due_on = due
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            if due_on.is_none() {
                errors.push((Input::Due, "Choose when it is due.".to_owned()));
            }
            ActionChange::Add {
                text,
                owner,
                due_on: due_on.unwrap_or_default(),
                link: link.clone(),
            }
        }
        CardFields::WontDo { number, reason } => {
            let reason = required(
                reason,
                Input::Reason,
                &mut errors,
                "Say why it won't be done.",
            );
            let Some(number) = number else {
                errors.push((Input::Reason, "This form no longer says which action it is about; open it again from the reminder.".to_owned()));
                return Err(errors);
            };
            ActionChange::WontDo {
                number: *number,
                reason,
            }
        }
        _ => {
            errors.push((
                fields.input_first(),
                "This form is not about a follow-up action.".to_owned(),
            ));
            return Err(errors);
        }
    };
    if errors.is_empty() {
        Ok(change)
    } else {
        Err(errors)
    }
}
