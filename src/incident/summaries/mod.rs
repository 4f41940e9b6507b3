//! Client-safe summaries: what people outside the company read about an incident — its public
//! status, who it is for, and the lint that keeps internal details out of its words.

pub mod kinds;
pub mod lint;

pub use kinds::{Audience, PublicStatus};
