use super::*;

fn cx(domains: &[String]) -> Context<'_> {
    Context {
        internal_domains: domains,
        green_allowed: false,
    }
}

#[test]
fn a_finding_says_what_and_on_which_line_with_an_excerpt_that_never_holds_the_whole_secret() {
    let token = "xoxb-1234567890-abcdefghijklmnop";
    let text = format!("Payments are slow.\nThe bot used {token} to post.");
    let report = lint("Payments", &text, PublicStatus::Investigating, &cx(&[]));
    let found = report.in_field(Field::Text);
    assert_eq!(found.len(), 1, "{found:?}");
    let secret = found[0];
    assert_eq!((secret.rule, secret.line), (Rule::Secret, 2));
    assert_eq!(secret.excerpt, "xoxb…");
    assert!(!secret.to_string().contains(token));
    assert_eq!(secret.to_string(), "secret or token “xoxb…” on line 2");
    let card = lint(
        "Card 4111 1111 1111 1111",
        "",
        PublicStatus::Investigating,
        &cx(&[]),
    );
    assert_eq!(card.findings[0].field, Field::Title);
    assert_eq!(card.findings[0].excerpt, "4111…");
    let pem = lint(
        "Keys",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n",
        PublicStatus::Investigating,
        &cx(&[]),
    );
    assert_eq!(pem.findings.len(), 1, "{pem:?}");
    assert_eq!(pem.findings[0].excerpt, "-----BEGIN OPENSSH…");
}

#[test]
fn what_one_rule_found_is_not_found_again_by_another_but_a_log_line_is_reported_beside_it() {
    let domains = vec!["corp.example.com".to_owned()];
    let report = lint(
        "Payments",
        "Mail ops@db.corp.example.com\n2026-12-03 10:15:30 ERROR from 10.0.0.7",
        PublicStatus::Investigating,
        &cx(&domains),
    );
    let rules: Vec<Rule> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules, [Rule::Email, Rule::LogLine, Rule::IpAddress]);
    assert!(report.has_errors());
}

#[test]
fn a_stack_trace_of_many_frames_is_one_finding() {
    let trace = "Traceback (most recent call last):\n  File \"/app/pay.py\", line 12, in charge\n    at com.acme.Pay.run(Pay.java:42)\nThen we rolled back.";
    let report = lint("Payments", trace, PublicStatus::Investigating, &cx(&[]));
    let traces: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == Rule::StackTrace)
        .collect();
    assert_eq!(traces.len(), 1);
    assert_eq!(traces[0].line, 1);
}

#[test]
fn warnings_alone_leave_the_draft_without_errors_and_are_named_once_each() {
    let report = lint(
        "Probably fixed",
        "We think it is fixed. It might be resolved.",
        PublicStatus::Resolved,
        &cx(&[]),
    );
    assert!(!report.has_errors());
    assert_eq!(
        report.warnings(),
        [Rule::UnconfirmedClaim, Rule::PrematureGreen]
    );
    let text = report.in_field(Field::Text);
    assert_eq!(text[0].excerpt, "We think");
    assert_eq!(
        report.in_field(Field::Status)[0].to_string(),
        "public status “Resolved”"
    );
    let clean = lint(
        "Card payments delayed",
        "Some card payments were delayed between 10:00 and 10:40 UTC. We rolled back the change that caused it and payments work again. We will post an update by 12:00 UTC.",
        PublicStatus::Monitoring,
        &cx(&[]),
    );
    assert_eq!(clean, Report::default());
}
