//! The lanes of [`Delivery::lane`](super::Delivery::lane), as stored in the outbox's `method`
//! column: a rate limit pauses its lane only.

pub const POST: &str = "post";
pub const UPDATE: &str = "update";
pub const RESPOND: &str = "respond";
pub const EPHEMERAL: &str = "ephemeral";
/// Calls to PagerDuty: a rate limit there pauses only them.
pub const PAGE: &str = "page";
/// Webhooks: a rate limit from one receiver pauses webhooks only.
pub const WEBHOOK: &str = "webhook";
/// Calls to Statuspage.
pub const STATUS_PAGE: &str = "status_page";
/// Reads from Slack on behalf of an event (a captured message).
pub const READ: &str = "read";
/// Publishing people's Home tabs (`views.publish`).
pub const HOME: &str = "home";
