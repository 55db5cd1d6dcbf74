//! Text intelligence for tribune: the query language of saved searches and moderation
//! rules, a matcher that runs thousands of queries against each post, and local French and
//! English classifiers (language, sentiment, toxicity, spam). No network, no database: the
//! models are embedded in the binary.
//!
//! ```
//! use tribune_text::{Document, Matcher, parse};
//!
//! let matcher = Matcher::new([
//!     (1, parse("rembours* AND (arnaque OR \"prix abusif\")").unwrap()),
//!     (2, parse("#fibre lang:fr").unwrap()),
//! ]);
//! let post = Document::new("C'est une ARNAQUE, je veux être remboursé !");
//! assert_eq!(matcher.matches(&post), [&1]);
//!
//! let verdict = tribune_text::classify("Franchement c'est pas terrible 😡");
//! assert_eq!(verdict.sentiment.label, tribune_text::SentimentLabel::Negative);
//! ```

pub mod classify;
#[cfg(feature = "cli")]
pub mod cli;
mod document;
pub mod eval;
mod matcher;
pub mod normalize;
pub mod query;
mod saved;
pub mod tokenize;

pub use classify::{
    Classification, Language, Sentiment, SentimentLabel, classify, classify_with_lang,
};
pub use document::Document;
pub use matcher::{Matcher, MatcherBuilder};
pub use query::{ParseError, ParseErrorKind, Query, UiLang, parse};
pub use saved::{BrokenQuery, CompiledSearches, compile_saved};
pub use tokenize::TokenKind;
