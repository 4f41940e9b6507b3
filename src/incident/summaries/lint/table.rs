//! Every rule's positive and negative samples, as one table: a positive sample must be found by
//! its rule, a negative one must not be. Each rule has both, which a test below checks.

use super::{Context, Field, Rule, lint};
use crate::incident::summaries::kinds::PublicStatus;

/// `(rule, whether the rule finds something, text)`.
const SAMPLES: &[(Rule, bool, &str)] = &[
    (
        Rule::IpAddress,
        true,
        "The gateway at 10.0.12.7 stopped answering.",
    ),
    (
        Rule::IpAddress,
        true,
        "Traffic from 192.168.1.20:8443 was dropped",
    ),
    (
        Rule::IpAddress,
        true,
        "The resolver fe80::1ff:fe23:4567:890a timed out",
    ),
    (Rule::IpAddress, true, "It listened on ::1 only."),
    (
        Rule::IpAddress,
        true,
        "[2001:db8::8a2e:370:7334]:443 refused connections",
    ),
    (
        Rule::IpAddress,
        false,
        "We upgraded to version 1.2.3 today.",
    ),
    (Rule::IpAddress, false, "Release v1.2.3.4 is live"),
    (
        Rule::IpAddress,
        false,
        "The change went out at 10:30:00 UTC",
    ),
    (Rule::IpAddress, false, "A ratio of 300.1.2.3 is no address"),
    (
        Rule::IpAddress,
        false,
        "The std::vector type is not an address",
    ),
    (
        Rule::InternalHost,
        true,
        "Errors from db-1.payments.internal rose",
    ),
    (
        Rule::InternalHost,
        true,
        "See https://grafana.corp.example.com/d/abc for details",
    ),
    (Rule::InternalHost, true, "CORP.EXAMPLE.COM was slow"),
    (Rule::InternalHost, false, "Our internal systems were slow"),
    (
        Rule::InternalHost,
        false,
        "Updates are on status.example.com",
    ),
    (
        Rule::InternalHost,
        false,
        "notcorp.example.com is someone else's",
    ),
    (Rule::Email, true, "Contact alice.smith@corp.example.com"),
    (Rule::Email, true, "Write to ops+alerts@acme.io."),
    (Rule::Email, false, "Only user@localhost saw it"),
    (Rule::Email, false, "We pinged @here in the channel"),
    (Rule::Email, false, "Fees stayed @ 5% all day"),
    (Rule::Phone, true, "Call +49 30 1234567 for help"),
    (Rule::Phone, true, "Reach us at (555) 123-4567."),
    (Rule::Phone, true, "Our hotline 030 1234 5678 is open"),
    (Rule::Phone, true, "Text +14155552671 for updates"),
    (Rule::Phone, false, "On 2026-12-03 10 services failed"),
    (Rule::Phone, false, "INC-20261124-001 is the incident"),
    (Rule::Phone, false, "1 234 567 890 requests were served"),
    (Rule::Phone, false, "Uptime was 99.95% this month"),
    (Rule::Phone, false, "Order 123456 shipped late"),
    (Rule::SlackMention, true, "Thanks <@U024BE7LH> for the fix"),
    (
        Rule::SlackMention,
        true,
        "Follow <#C0123456789|incidents> for more",
    ),
    (Rule::SlackMention, true, "<!here> payments are slow"),
    (
        Rule::SlackMention,
        true,
        "Escalated to <!subteam^S0MGMT|managers>",
    ),
    (Rule::SlackMention, true, "User U024BE7LH reported it first"),
    (Rule::SlackMention, false, "URGENT: the CPU alert fired"),
    (Rule::SlackMention, false, "GDPR applies to this data"),
    (Rule::SlackMention, false, "All times are UTC"),
    (Rule::SlackMention, false, "Emails went to <customers>"),
    (
        Rule::Secret,
        true,
        "The token xoxb-1234567890-abcdefghij leaked",
    ),
    (Rule::Secret, true, "Key AKIAIOSFODNN7EXAMPLE was rotated"),
    (
        Rule::Secret,
        true,
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    ),
    (
        Rule::Secret,
        true,
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    (
        Rule::Secret,
        true,
        "secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
    (
        Rule::Secret,
        true,
        "hash 5f4dcc3b5aa765d61d8327deb882cf99a0b1",
    ),
    (
        Rule::Secret,
        true,
        "ghp_1234567890abcdefghijklmnopqrstuvwxyz",
    ),
    (Rule::Secret, false, "The internationalization module"),
    (Rule::Secret, false, "getUserAccountBalanceHandlerV2 failed"),
    (
        Rule::Secret,
        false,
        "Read https://status.example.com/incidents/2026-12-03-Checkout-Outage",
    ),
    (
        Rule::Secret,
        false,
        "Request 123e4567-e89b-12d3-a456-426614174000 failed",
    ),
    (Rule::Secret, false, "The xoxb-short prefix is not a token"),
    (
        Rule::CardNumber,
        true,
        "Card 4111 1111 1111 1111 was charged twice",
    ),
    (
        Rule::CardNumber,
        true,
        "Card 4111-1111-1111-1111 was charged twice",
    ),
    (Rule::CardNumber, true, "Card 5500005555555559 was refused"),
    (
        Rule::CardNumber,
        false,
        "Reference 4111 1111 1111 1112 failed",
    ),
    (
        Rule::CardNumber,
        false,
        "Reference 0000 0000 0000 0000 failed",
    ),
    (Rule::CardNumber, false, "Order 123456789012 was delayed"),
    (Rule::FilePath, true, "Disk filled /var/log/nginx/error.log"),
    (Rule::FilePath, true, "We ran ~/deploy/run.sh again"),
    (Rule::FilePath, true, "It read C:\\Users\\svc\\app.config"),
    (
        Rule::FilePath,
        true,
        "Files under /opt/payments/current were stale",
    ),
    (Rule::FilePath, false, "We offer 24/7 support"),
    (Rule::FilePath, false, "Refunds and/or credits follow"),
    (
        Rule::FilePath,
        false,
        "See https://status.example.com/ for updates",
    ),
    (
        Rule::FilePath,
        false,
        "Calls to the /v1/charges endpoint failed",
    ),
    (
        Rule::StackTrace,
        true,
        "    at com.acme.pay.Charge.run(Charge.java:42)",
    ),
    (Rule::StackTrace, true, "Traceback (most recent call last):"),
    (
        Rule::StackTrace,
        true,
        "thread 'main' panicked at src/main.rs:10:5",
    ),
    (
        Rule::StackTrace,
        true,
        "  File \"/app/pay.py\", line 12, in charge",
    ),
    (
        Rule::StackTrace,
        false,
        "We looked at the charge flow (see the runbook)",
    ),
    (
        Rule::StackTrace,
        false,
        "at the office (floor 3: east wing)",
    ),
    (Rule::StackTrace, false, "Java 21 is what runs it"),
    (
        Rule::LogLine,
        true,
        "2026-12-03T10:15:30Z ERROR payment failed",
    ),
    (
        Rule::LogLine,
        true,
        "Dec  3 10:15:30 web1 app[123]: level=error msg=timeout",
    ),
    (Rule::LogLine, true, "10:15:30 [warn] retrying the charge"),
    (Rule::LogLine, false, "From 10:15:30 UTC errors rose"),
    (Rule::LogLine, false, "At 10:15 ERROR rates dropped"),
    (
        Rule::UnconfirmedClaim,
        true,
        "We think the database was the cause",
    ),
    (Rule::UnconfirmedClaim, true, "It was probably a bad deploy"),
    (Rule::UnconfirmedClaim, true, "This might affect refunds"),
    (
        Rule::UnconfirmedClaim,
        true,
        "Possibly some payments were delayed",
    ),
    (Rule::UnconfirmedClaim, true, "We believe no data was lost"),
    (Rule::UnconfirmedClaim, false, "The database was the cause"),
    (Rule::UnconfirmedClaim, false, "It took a mighty effort"),
    (
        Rule::UnconfirmedClaim,
        false,
        "The probability of a repeat is low",
    ),
    (Rule::PrematureGreen, true, "The issue is resolved"),
    (Rule::PrematureGreen, true, "Payments are fixed"),
    (Rule::PrematureGreen, true, "All clear: payments work again"),
    (Rule::PrematureGreen, false, "The issue is not yet resolved"),
    (Rule::PrematureGreen, false, "It will be fixed by 14:00"),
    (Rule::PrematureGreen, false, "Unresolved issues remain"),
];

fn domains() -> Vec<String> {
    vec!["corp.example.com".to_owned(), "internal".to_owned()]
}

fn rules_in(text: &str, green_allowed: bool) -> Vec<Rule> {
    let domains = domains();
    let cx = Context {
        internal_domains: &domains,
        green_allowed,
    };
    lint("Payments delayed", text, PublicStatus::Investigating, &cx)
        .findings
        .iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn every_rule_finds_its_positive_samples_and_none_of_its_negative_ones() {
    let mut wrong = Vec::new();
    for (rule, found, text) in SAMPLES {
        let rules = rules_in(text, false);
        if rules.contains(rule) != *found {
            wrong.push(format!(
                "{rule:?} should {}find {text:?} (found {rules:?})",
                if *found { "" } else { "not " }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_rule_reads_back_from_its_stored_spelling_which_serde_writes_too() {
    for rule in Rule::ALL {
        assert_eq!(Rule::parse(rule.key()), Some(rule));
        assert_eq!(serde_json::to_value(rule).unwrap(), rule.key());
    }
}

#[test]
fn the_table_has_a_positive_and_a_negative_sample_for_every_rule() {
    for rule in Rule::ALL {
        for expected in [true, false] {
            assert!(
                SAMPLES.iter().any(|(r, f, _)| *r == rule && *f == expected),
                "{rule:?} has no {} sample",
                if expected { "positive" } else { "negative" }
            );
        }
    }
}

#[test]
fn the_clean_samples_trip_no_error_rule_at_all() {
    // What a real summary says, in each of the negative samples' styles, holds no error.
    for (rule, found, text) in SAMPLES {
        if *found || rule.is_warning() {
            continue;
        }
        let errors: Vec<Rule> = rules_in(text, false)
            .into_iter()
            .filter(|r| !r.is_warning())
            .collect();
        assert!(errors.is_empty(), "{text:?} tripped {errors:?}");
    }
}

#[test]
fn all_clear_wording_and_a_resolved_status_are_fine_once_resolved_and_reviewed() {
    for (rule, found, text) in SAMPLES {
        if *rule == Rule::PrematureGreen && *found {
            assert!(!rules_in(text, true).contains(rule), "{text:?}");
        }
    }
    let domains = domains();
    let status = |green_allowed| {
        let cx = Context {
            internal_domains: &domains,
            green_allowed,
        };
        lint(
            "Payments",
            "Payments work again.",
            PublicStatus::Resolved,
            &cx,
        )
        .in_field(Field::Status)
        .len()
    };
    assert_eq!((status(false), status(true)), (1, 0));
}
