//! Drills: tabletop exercises, declared as incidents flagged `drill`.
//!
//! ```text
//! /incident drill sev2 Checkout fails       → a drill declared at once: "Declaring drill INC-…"
//! /incident drill                           → the declare form, "This is a drill" checked
//! /incident drill scenario wallet-mismatch  → the scenario's drill, its injects armed in its thread
//! /incident drill scenarios                 → the configured scenarios and their injects
//! /incident drill scenario nosuch           → explained privately, naming the scenarios there are
//! ```
//! A drill is declared exactly as an incident is (one transaction, the same card and thread);
//! everything that then treats it differently reads its `drill` flag.

use super::{Invocation, Reply, View, declare, forms::Origin, store_failure};
use crate::{
    context::Context,
    delivery::{Answer, StartedScenario},
    incident::DeclareInput,
};

/// What `/incident drill` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask<'a> {
    /// `[severity] <title>`, or nothing for the form.
    Declare(&'a str),
    /// `scenario <name>`: run it; an empty name asks which there are.
    Scenario(&'a str),
    /// `scenarios`: list them.
    Scenarios,
}

impl<'a> Ask<'a> {
    /// Reads what follows `drill`. `scenario` and `scenarios` are words of their own in any case;
    /// anything else is a drill's `[severity] <title>`.
    pub fn parse(rest: &'a str) -> Ask<'a> {
        let rest = rest.trim();
        let (first, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        if first.eq_ignore_ascii_case("scenarios") && after.trim().is_empty() {
            Ask::Scenarios
        } else if first.eq_ignore_ascii_case("scenario") {
            Ask::Scenario(after.trim())
        } else {
            Ask::Declare(rest)
        }
    }
}

/// Runs `/incident drill …`.
pub async fn run(state: &Context, inv: &Invocation, ask: Ask<'_>) -> Reply {
    let scenarios = &state.config.process.scenarios;
    match ask {
        Ask::Declare(rest) => declare::quick(state, inv, rest, true).await,
        Ask::Scenarios => Reply::Show(View::Scenarios(scenarios.clone())),
        Ask::Scenario("") => Reply::Say(Answer::NameTheScenario {
            known: scenarios.names(),
        }),
        Ask::Scenario(name) => match scenarios.find(name) {
            Some(scenario) => run_scenario(state, inv, scenario).await,
            None => Reply::Say(Answer::UnknownScenario {
                given: name.to_owned(),
                known: scenarios.names(),
            }),
        },
    }
}

/// Declares the drill that runs `scenario`, its injects armed in the same transaction.
async fn run_scenario(
    state: &Context,
    inv: &Invocation,
    scenario: &crate::incident::drills::Scenario,
) -> Reply {
    let origin = Origin {
        channel: Some(inv.channel_id.clone()),
        response_url: inv.response_url.clone(),
        team_domain: inv.team_domain.clone(),
        source: None,
    };
    let key = inv.trigger_id.as_ref().map(|t| format!("slash:{t}"));
    let input = DeclareInput::scenario(scenario);
    match declare::declare(state, input, &inv.user_id, origin, key).await {
        Ok(declare::Outcome::Declared { id, channel }) => Reply::Say(Answer::DeclaringDrill {
            id: id.to_string(),
            channel,
            scenario: Some(StartedScenario {
                name: scenario.name.clone(),
                injects: scenario.injects.len(),
                over_seconds: scenario.length().as_secs(),
            }),
        }),
        Ok(other) => Reply::Say(other.answer(state, true)),
        // A scenario's title was checked when the configuration was read.
        Err(declare::DeclareFailure::User(_)) => Reply::Say(Answer::MissingTitle),
        Err(declare::DeclareFailure::Store(e)) => Reply::Say(store_failure(state, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::Ask;

    #[test]
    fn drill_reads_scenario_and_scenarios_as_words_and_anything_else_as_a_title() {
        assert_eq!(
            Ask::parse("sev2 Checkout fails"),
            Ask::Declare("sev2 Checkout fails")
        );
        assert_eq!(Ask::parse("  "), Ask::Declare(""));
        assert_eq!(Ask::parse("Scenarios"), Ask::Scenarios);
        assert_eq!(
            Ask::parse("scenario  Wallet-Mismatch "),
            Ask::Scenario("Wallet-Mismatch")
        );
        assert_eq!(Ask::parse("SCENARIO"), Ask::Scenario(""));
        // A title may start with a word that only looks like one.
        assert_eq!(
            Ask::parse("scenarios of failure"),
            Ask::Declare("scenarios of failure")
        );
    }
}
