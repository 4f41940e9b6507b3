//! The layout every page shares (title, navigation, who is signed in, sign out) and the error
//! pages: each a clear sentence with its status, nothing about warroom's insides.

use super::STYLESHEET_PATH;
use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use maud::{DOCTYPE, Markup, html};

/// A whole page: `title`, the navigation and sign-out form when someone is signed in (their name
/// and the form's CSRF token), `body`.
pub(super) fn layout(title: &str, viewer: Option<(&str, &str)>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow, noarchive";
                title { (title) " · warroom" }
                link rel="stylesheet" href=(STYLESHEET_PATH);
            }
            body {
                header class="top" {
                    a class="brand" href="/incidents" { "warroom" }
                    @if let Some((name, csrf)) = viewer {
                        nav {
                            a href="/incidents" { "Incidents" }
                            a href="/stats" { "Stats" }
                        }
                        form id="sign-out" method="post" action="/auth/logout" {
                            span class="who" id="signed-in-as" { (name) }
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// An HTML answer.
pub(super) fn html_page(status: StatusCode, page: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        page.into_string(),
    )
        .into_response()
}

/// Why a page cannot be shown; answered as a page of its own with the right status.
#[derive(Debug)]
pub(super) struct PageError {
    status: StatusCode,
    title: &'static str,
    message: String,
}

impl PageError {
    /// 400: something in the request is wrong, and `message` says what.
    pub(super) fn bad_request(title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            title,
            message: message.into(),
        }
    }

    /// 403: the person may not see this.
    pub(super) fn forbidden(title: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            title,
            message: message.into(),
        }
    }

    /// 404: there is no such thing.
    pub(super) fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            title: "Not found",
            message: message.into(),
        }
    }

    /// 502: Slack did not answer as it should; try again.
    pub(super) fn slack_unavailable() -> Self {
        Self {
            status: StatusCode::BAD_GATEWAY,
            title: "Slack did not answer",
            message: "Slack could not be reached to sign you in. Try again in a moment.".into(),
        }
    }

    /// 500: logged here, once, and shown as a generic message.
    pub(super) fn internal(what: &str, reason: &dyn std::fmt::Display) -> Self {
        tracing::error!(reason = %reason, "web view: {what}");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            title: "Something went wrong",
            message: "warroom could not show this page. Try again in a moment.".into(),
        }
    }

    /// The status it answers with.
    #[cfg(test)]
    pub(super) fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<sqlx::Error> for PageError {
    fn from(e: sqlx::Error) -> Self {
        PageError::internal("the database failed", &e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = html! {
            section class="error" {
                h1 id="error-title" { (self.title) }
                p id="error-message" { (self.message) }
                p { a href="/incidents" { "Incidents" } }
            }
        };
        html_page(self.status, layout(self.title, None, body))
    }
}

/// The query string's parameters, in order; a query that cannot be read is a 400 page.
pub(super) fn params(query: Option<&str>) -> Result<Vec<(String, String)>, PageError> {
    serde_urlencoded::from_str(query.unwrap_or_default()).map_err(|_| {
        PageError::bad_request(
            "Malformed address",
            "The address's query could not be read.",
        )
    })
}

/// The first value of parameter `name`.
pub(super) fn param(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}

/// A time as people read it in the page, in UTC.
pub(super) fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
