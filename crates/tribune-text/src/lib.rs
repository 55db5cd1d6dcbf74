//! Text intelligence for tribune: the query language of saved searches and moderation
//! rules, a matcher that runs thousands of queries against each post, and local French and
//! English classifiers (language, sentiment, toxicity, spam). No network, no database: the
//! models are embedded in the binary.
//!


pub mod classify;
#[cfg(feature = "cli")]
pub mod cli;
mod document;
mod matcher;
pub mod normalize;
pub mod query;
pub mod tokenize;

pub use classify::Language;
pub use document::Document;
pub use matcher::{Matcher, MatcherBuilder};
pub use query::{ParseError, ParseErrorKind, Query, UiLang, parse};
pub use tokenize::TokenKind;
