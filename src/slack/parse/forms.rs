//! Reading a submitted modal into the form it is, by its callback ID and the block IDs of
//! `slack::keys`.

use crate::{
    commands::forms::{
        CardFields, DeclareFields, Form, Input, MessageAction, Origin, ScopeFields, Submission,
    },
    incident::{
        IncidentId, actions::ActionId, event::BreachNotification, review::AgendaItem,
        summaries::SummaryId, update::CLOSURE_CRITERIA,
    },
    slack::keys::{Callback, DRILL_VALUE, block_id},
};
use slack_morphism::prelude::{SlackInteractionViewSubmissionEvent, SlackModalView};
use std::collections::HashMap;

/// One input of a submitted modal, as Slack reports it.
#[derive(Debug, Default)]
struct Field {
    text: Option<String>,
    selected: Option<String>,
    selected_many: Vec<String>,
    user: Option<String>,
    /// A date and time picker's choice, in seconds since the Unix epoch.
    date_time: Option<i64>,
    /// A date picker's choice, `YYYY-MM-DD`.
    date: Option<String>,
}

/// A submitted modal's inputs by block ID.
struct Fields(HashMap<String, Field>);

impl Fields {
    fn get(&self, input: &Input) -> Option<&Field> {
        self.0.get(&block_id(input))
    }
    /// Typed text, trimmed; `None` when blank.
    fn text(&self, input: Input) -> Option<String> {
        self.get(&input)
            .and_then(|f| f.text.as_deref())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    }
    fn selected(&self, input: Input) -> Option<String> {
        self.get(&input).and_then(|f| f.selected.clone())
    }
    fn selected_many(&self, input: Input) -> Vec<String> {
        self.get(&input)
            .map(|f| f.selected_many.clone())
            .unwrap_or_default()
    }
    fn user(&self, input: Input) -> Option<String> {
        self.get(&input).and_then(|f| f.user.clone())
    }
    fn date(&self, input: Input) -> Option<String> {
        self.get(&input).and_then(|f| f.date.clone())
    }
    fn date_time(&self, input: Input) -> Option<i64> {
        self.get(&input).and_then(|f| f.date_time)
    }
    /// The scope inputs shared by the declare and edit forms.
    fn scope(&self) -> ScopeFields {
        ScopeFields {
            impact_started: self.date_time(Input::ImpactStarted),
            detection: self.selected(Input::Detection),
            environment: self.selected(Input::Environment),
            services: self.text(Input::Services),
        }
    }
}

/// Reads a submitted modal into the form it is; `None` for a form warroom does not know (an
/// old version's, say), which is then let close.
pub(super) fn submission(
    event: &SlackInteractionViewSubmissionEvent,
    modal: &SlackModalView,
) -> Option<Submission> {
    let callback = Callback::parse(modal.callback_id.as_ref()?.0.as_str())?;
    let mut fields = HashMap::new();
    if let Some(state) = &event.view.state_params.state {
        for (block, actions) in &state.values {
            let Some(v) = actions.values().next() else {
                continue;
            };
            let field = Field {
                text: v.value.clone(),
                selected: v.selected_option.as_ref().map(|o| o.value.clone()),
                selected_many: v
                    .selected_options
                    .iter()
                    .flatten()
                    .map(|o| o.value.clone())
                    .collect(),
                user: v.selected_user.as_ref().map(|u| u.0.clone()),
                date_time: v.selected_date_time.as_ref().map(|t| t.0.as_second()),
                date: v.selected_date.clone(),
            };
            fields.insert(block.0.clone(), field);
        }
    }
    let metadata = modal.private_metadata.as_deref();
    Some(Submission {
        view_id: event.view.state_params.id.0.clone(),
        user_id: event.user.id.0.clone(),
        team_domain: event.team.domain.clone(),
        form: form(callback, &Fields(fields), metadata),
    })
}

fn form(callback: Callback, f: &Fields, metadata: Option<&str>) -> Form {
    use Input as I;
    let card = |fields| Form::Card {
        incident: metadata.and_then(IncidentId::parse),
        fields,
    };
    match callback {
        Callback::Declare => Form::Declare(DeclareFields {
            title: f.text(I::Title),
            severity: f.selected(I::Severity),
            incident_type: f.selected(I::IncidentType),
            impact: f.text(I::Impact),
            triage: f.selected_many(I::Triage),
            scope: f.scope(),
            restricted: f
                .selected_many(I::Restricted)
                .iter()
                .any(|v| v == "restricted"),
            origin: metadata
                .and_then(|m| serde_json::from_str::<Origin>(m).ok())
                .unwrap_or_default(),
            drill: f.selected_many(I::Drill).iter().any(|v| v == DRILL_VALUE),
        }),
        Callback::PickIncident => Form::PickIncident {
            incident: f.selected(I::Incident),
            message: metadata
                .and_then(|m| serde_json::from_str::<MessageAction>(m).ok())
                .map(Box::new),
        },
        Callback::Resolve => card(CardFields::Resolve {
            summary: f.text(I::Summary),
        }),
        Callback::Close => card(CardFields::Close {
            answers: CLOSURE_CRITERIA
                .iter()
                .map(|(key, _)| {
                    let answer = f.selected(I::Criterion((*key).to_owned()));
                    ((*key).to_owned(), answer)
                })
                .collect(),
            no_action: f.selected_many(I::NoAction).iter().any(|v| v == "none"),
            no_action_reason: f.text(I::NoActionReason),
        }),
        Callback::Severity => card(CardFields::Severity {
            level: f.selected(I::Level),
            reason: f.text(I::Reason),
        }),
        Callback::Roles => card(CardFields::Roles {
            role: f.selected(I::Role),
            user: f.user(I::User),
        }),
        Callback::Update => card(CardFields::Update {
            impact: f.text(I::Impact),
            current_action: f.text(I::CurrentAction),
            owner: f.user(I::Owner),
            next_update: f.selected(I::NextUpdate),
            status: f.selected(I::Status),
        }),
        Callback::Cancel => card(CardFields::Cancel {
            reason: f.text(I::Reason),
        }),
        Callback::Edit => card(CardFields::Edit {
            title: f.text(I::Title),
            impact: f.text(I::Impact),
            incident_type: f.selected(I::IncidentType),
            scope: f.scope(),
        }),
        Callback::FlagBreach => card(CardFields::FlagBreach {
            discovered_ago: f.selected(I::Discovered),
        }),
        Callback::RecordNotified => card(CardFields::RecordNotified {
            record: BreachNotification::FIELDS
                .iter()
                .map(|(key, _)| (*key, f.text(I::Record(key))))
                .collect(),
        }),
        Callback::ReviewTriage => card(CardFields::ReviewTriage {
            checked: f.selected_many(I::Triage),
        }),
        Callback::RootCause => card(CardFields::RootCause {
            cause: f.text(I::Cause),
        }),
        Callback::FixDeployed => card(CardFields::FixDeployed {
            what: f.text(I::Deployed),
            link: f.text(I::Link),
        }),
        Callback::AddAction => card(CardFields::AddAction {
            text: f.text(I::ActionText),
            owner: f.user(I::ActionOwner),
            due: f.date(I::Due),
            link: f.text(I::Link),
        }),
        Callback::Review => card(CardFields::Review {
            answers: AgendaItem::ALL
                .iter()
                .map(|item| (*item, f.text(I::Agenda(*item))))
                .collect(),
            follow_up_deadline: f.date(I::FollowUpDeadline),
            complete: f
                .selected_many(I::ReviewComplete)
                .iter()
                .any(|v| v == "complete"),
        }),
        Callback::DraftSummary => card(CardFields::DraftSummary {
            title: f.text(I::SummaryTitle),
            text: f.text(I::SummaryText),
            status: f.selected(I::PublicStatus),
            audience: f.selected(I::Audience),
            acknowledged: f
                .selected_many(I::AcknowledgeWarnings)
                .iter()
                .any(|v| v == "acknowledged"),
        }),
        Callback::SummaryChanges => {
            // This form's metadata names the draft, `INC-…-S1`.
            let summary = metadata.and_then(SummaryId::parse);
            Form::Card {
                incident: summary.as_ref().map(|s| s.incident.clone()),
                fields: CardFields::RequestChanges {
                    number: summary.map(|s| s.number),
                    reason: f.text(I::Reason),
                },
            }
        }
        Callback::WontDo => {
            // This form's metadata names the action, `INC-…-A1`.
            let action = metadata.and_then(ActionId::parse);
            Form::Card {
                incident: action.as_ref().map(|a| a.incident.clone()),
                fields: CardFields::WontDo {
                    number: action.map(|a| a.number),
                    reason: f.text(I::Reason),
                },
            }
        }
    }
}
