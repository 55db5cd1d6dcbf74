//! The unified inbox's work, between the connectors, the text engine and the store:
//!
//! - [`ingest`]: fetch a channel's new comments and mentions, classify them (language,
//!   sentiment, toxicity, spam) and store them with the channel's cursor in one transaction;
//! - [`search`]: list a workspace's items with the query language, the store's full-text index
//!   as a pre-filter ([`prefilter`]) and the query itself confirming each candidate;
//! - [`send_reply`] and [`moderate`]: act on an item through its channel;
//! - [`originals`]: the post a conversation starts from, when tribune did not publish it.
//!
//! Everything an item carries comes from strangers: the connectors strip HTML and sanitise,
//! the store bounds every field, and pages escape what they show.

pub mod actions;
pub mod ingest;
pub mod originals;
pub mod rules;
pub mod search;

pub use actions::{ModerateError, ReplyOutcome, moderate, send_reply};
pub use ingest::{FetchReport, ingest, prepare};
pub use search::{Page, prefilter, search};

/// The text of a reply written from a saved reply to `item`: its variables filled with the
/// item's author, the workspace's name and, given tribune's public address, its public
/// guidelines page (a path alone means nothing on a network, so without it `{charte}` is
/// empty).
pub fn saved_reply_text(
    workspace: &tribune_store::workspaces::Workspace,
    item: &tribune_store::inbox::Item,
    saved: &tribune_store::saved_replies::SavedReply,
    public_url: Option<&str>,
) -> String {
    let vars = tribune_domain::inbox::ReplyVariables {
        author_name: item.author.name.clone(),
        brand: workspace.name.clone(),
        guidelines_url: public_url
            .filter(|_| workspace.guidelines_public)
            .map(|base| format!("{}/g/{}", base.trim_end_matches('/'), workspace.public_slug)),
    };
    tribune_domain::inbox::render_reply(&saved.body, &vars)
}
