//! Integration tests: the real router and workers, a real Postgres database per test, a fake Slack
//! Web API on loopback, and requests signed exactly as Slack signs them.

pub mod fake_receiver;
pub mod fake_slack;
pub mod fake_socket;
pub mod helpers;
pub mod webdriver;

mod actions;
mod alert;
mod browser;
mod capture;
mod card;
mod claims;
mod declare;
mod delivery;
mod drills;
mod edge;
mod guards;
mod history;
mod home;
mod lifecycle;
mod notification;
mod paging;
mod public_routes;
mod reminders;
mod replicas;
mod report;
mod restricted;
mod retention;
mod review;
pub(crate) mod sandbox;
mod security;
pub(crate) mod shortcut;
mod slack_calls;
mod socket;
mod stats;
mod statuspage;
pub(crate) mod summaries;
mod web;
mod webhooks;
