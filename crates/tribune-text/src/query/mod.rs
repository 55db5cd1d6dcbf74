//! The query language shared by saved searches (listening) and moderation rules.
//!
//! `parse` turns text into a [`Query`]; [`Query::matches`] evaluates one query against one
//! [`crate::Document`] (the reference semantics), and [`crate::Matcher`] compiles many
//! queries into one index that gives the same answers much faster.

mod ast;
mod error;
pub(crate) mod eval;
mod lexer;
mod parser;

pub use ast::{Atom, Node, Query, TermPattern};
pub use error::{Expected, ParseError, ParseErrorKind, UiLang};
pub use parser::parse;

/// Bounds that keep a hostile query cheap to parse, store and evaluate.
pub mod limits {
    /// Longest accepted query, in bytes.
    pub const MAX_QUERY_BYTES: usize = 4096;
    /// Deepest nesting of parentheses and `NOT`s.
    pub const MAX_DEPTH: usize = 32;
    /// Most terms (words, phrases, fields) in one query.
    pub const MAX_TERMS: usize = 256;
    /// Most lexemes (terms and operators) in one query.
    pub const MAX_LEXEMES: usize = 1024;
    /// Largest `~N` or `NEAR/N`.
    pub const MAX_DISTANCE: u32 = 100;
    /// Distance used by a bare `NEAR`.
    pub const DEFAULT_NEAR: u32 = 5;
    /// Fewest characters before a trailing `*`.
    pub const MIN_PREFIX_CHARS: usize = 2;
    /// Most words in one phrase.
    pub const MAX_PHRASE_TERMS: usize = 16;
}
