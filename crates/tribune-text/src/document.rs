//! A post prepared once for matching: tokens, author and language.

use std::cell::OnceCell;

use crate::classify::lang;
use crate::normalize::fold;
use crate::tokenize::{Tokens, tokenize};

/// A post as the matcher sees it. Tokenized once, then matched against any number of
/// queries. The language is taken from the post when the network gives it, otherwise
/// detected on first use (only queries with `lang:` need it).
#[derive(Clone, Debug)]
pub struct Document {
    tokens: Tokens,
    author: Option<String>,
    lang: OnceCell<String>,
}

impl Document {
    pub fn new(text: &str) -> Self {
        Self {
            tokens: tokenize(text),
            author: None,
            lang: OnceCell::new(),
        }
    }

    /// Wraps text that is already tokenized (the classifiers tokenize once and share).
    pub fn from_tokens(tokens: Tokens) -> Self {
        Self {
            tokens,
            author: None,
            lang: OnceCell::new(),
        }
    }

    /// Sets the author's handle (with or without `@`), for `from:`.
    pub fn with_author(mut self, handle: &str) -> Self {
        let folded = fold(handle);
        self.author = Some(folded.trim_start_matches('@').to_owned());
        self
    }

    /// Sets the language reported by the network (`fr`, `en-US`…), for `lang:`.
    pub fn with_lang(self, code: &str) -> Self {
        let primary = code.split(['-', '_']).next().unwrap_or(code);
        let _ = self.lang.set(primary.to_ascii_lowercase());
        self
    }

    pub fn tokens(&self) -> &Tokens {
        &self.tokens
    }

    pub fn author(&self) -> Option<&str> {
        self.author.as_deref()
    }

    /// The language code: given, or detected (`fr`, `en`, …, `und` when unknown).
    pub fn lang(&self) -> &str {
        self.lang
            .get_or_init(|| lang::detect_tokens(&self.tokens).code().to_owned())
    }
}
