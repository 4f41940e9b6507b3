use super::*;
use crate::incident::{IncidentId, Status, example};

fn incident(n: usize, status: Status) -> Incident {
    Incident {
        id: IncidentId::parse(&format!("INC-20261124-{n:03}")).unwrap(),
        title: format!("Thing {n} <!channel>").as_str().into(),
        status,
        team_domain: Some("acme".into()),
        card_ts: Some(format!("1700000000.{n:06}")),
        ..example::incident(1)
    }
}

fn blocks(message: &Message) -> String {
    serde_json::to_string(&message.blocks).unwrap()
}

#[test]
fn each_line_links_its_card_and_a_cancelled_incident_says_so() {
    let list = incident_list(
        Scope::All,
        &[incident(2, Status::Cancelled), incident(1, Status::Closed)],
        false,
    );
    let json = blocks(&list);
    assert!(json.contains("*All incidents (2)*"), "{json}");
    assert!(
        json.contains("<https://acme.slack.com/archives/C1/p1700000000000002|INC-20261124-002>"),
        "{json}"
    );
    let lines: Vec<&str> = list.text.lines().collect();
    assert_eq!(
        lines[1],
        "INC-20261124-002 [SEV-2] Thing 2 &lt;!channel&gt; — Cancelled"
    );
    assert!(lines[2].ends_with("— Closed"), "{lines:?}");
    assert!(!json.contains("<!channel>"), "user text is escaped: {json}");
}

#[test]
fn each_scope_says_when_it_has_nothing_to_list() {
    for (scope, said) in [
        (Scope::Open, "No open incidents."),
        (
            Scope::Resolved,
            "No resolved incidents are waiting to be closed.",
        ),
        (Scope::Closed, "No closed incidents yet."),
        (Scope::All, "No incidents yet."),
    ] {
        assert_eq!(incident_list(scope, &[], false).text, said);
    }
}

#[test]
fn a_list_cut_at_its_limit_says_older_ones_were_left_out() {
    let list = incident_list(Scope::Closed, &[incident(1, Status::Closed)], true);
    let json = blocks(&list);
    assert!(json.contains("*Closed incidents* (the newest 1)"), "{json}");
    assert!(json.contains("Older ones are left out"), "{json}");
}

#[test]
fn a_search_with_more_than_a_page_says_how_many_matched_and_how_to_see_the_next() {
    let page: Vec<Incident> = (1..=20)
        .map(|n| incident(n, Status::Investigating))
        .collect();
    let found = search_results("db <b> `x`", 1, 20, 45, &page);
    let json = blocks(&found);
    assert!(
        json.contains("*45 incidents match “db &lt;b&gt; `x`”* — 1 to 20, newest first"),
        "{json}"
    );
    assert!(
        json.contains("see the next 20: `/incident search db &lt;b&gt; 'x' page 2`"),
        "{json}"
    );
    let last = search_results("db", 3, 20, 45, &page[..5]);
    let json = blocks(&last);
    assert!(json.contains("41 to 45"), "{json}");
    assert!(!json.contains("page 4"), "no page after the last: {json}");
}

#[test]
fn a_search_that_fits_one_page_shows_no_paging_and_one_past_the_end_says_so() {
    let one = search_results("db", 1, 20, 1, &[incident(1, Status::Resolved)]);
    assert_eq!(one.text.lines().next(), Some("1 incident matches “db”"));
    assert!(!blocks(&one).contains("page"), "{}", blocks(&one));
    assert_eq!(
        search_results("db", 5, 20, 45, &[]).text,
        "There is no page 5: 45 incidents match “db”, on 3 pages."
    );
    assert_eq!(
        search_results("nothing", 1, 20, 0, &[]).text,
        "No incident matches “nothing”."
    );
}
