//! A post prepared once for matching: tokens, author, language and the links beside the text.

use std::cell::OnceCell;

use crate::classify::lang;
use crate::normalize::fold;
use crate::tokenize::{Tokens, link_domain, tokenize};

/// A post as the matcher sees it. Tokenized once, then matched against any number of
/// queries. The language is taken from the post when the network gives it, otherwise
/// detected on first use (only queries with `lang:` need it).
///
/// The links a network keeps beside the text (Bluesky's link facets and external embeds,
/// Mastodon's preview card and the `href`s behind shortened link text, X's expanded
/// `t.co` addresses) are given with [`Document::with_urls`]: `url:` looks at their hosts
/// as well as at the links written in the text.
#[derive(Clone, Debug)]
pub struct Document {
    tokens: Tokens,
    author: Option<String>,
    lang: OnceCell<String>,
    urls: Vec<String>,
    /// Folded hosts of `urls`, without `www.`.
    url_hosts: Vec<String>,
}

impl Document {
    pub fn new(text: &str) -> Self {
        Self::from_tokens(tokenize(text))
    }

    /// Wraps text that is already tokenized (the classifiers tokenize once and share).
    pub fn from_tokens(tokens: Tokens) -> Self {
        Self {
            tokens,
            author: None,
            lang: OnceCell::new(),
            urls: Vec::new(),
            url_hosts: Vec::new(),
        }
    }

    /// Adds links the network gives beside the text (full addresses, as given). Those that
    /// are not web links are kept in [`Document::urls`] but have no host for `url:`.
    pub fn with_urls<S: Into<String>>(mut self, urls: impl IntoIterator<Item = S>) -> Self {
        for url in urls {
            let url = url.into();
            if let Some(host) = link_domain(url.trim())
                && !self.url_hosts.contains(&host)
            {
                self.url_hosts.push(host);
            }
            self.urls.push(url);
        }
        self
    }

    /// The links given beside the text.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Hosts of every link, in the text first and then beside it (folded, without `www.`):
    /// what `url:` compares.
    pub fn link_hosts(&self) -> impl Iterator<Item = &str> + '_ {
        self.tokens
            .domains
            .iter()
            .chain(&self.url_hosts)
            .map(String::as_str)
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
