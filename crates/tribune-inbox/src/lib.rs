//! The unified inbox's work, between the connectors, the text engine and the store:
//!
//! - [`ingest`]: fetch a channel's new comments and mentions, classify them (language,
//!   sentiment, toxicity, spam) and store them with the channel's cursor in one transaction;
//! - [`search`]: list a workspace's items with the query language, the store's full-text index
//!   as a pre-filter ([`prefilter`]) and the query itself confirming each candidate;
//! - [`send_reply`] and [`moderate`]: act on an item through its channel.
//!
//! Everything an item carries comes from strangers: the connectors strip HTML and sanitise,
//! the store bounds every field, and pages escape what they show.

pub mod actions;
pub mod ingest;
pub mod rules;
pub mod search;

pub use actions::{ModerateError, ReplyOutcome, moderate, send_reply};
pub use ingest::{FetchReport, ingest, prepare};
pub use search::{Page, prefilter, search};
