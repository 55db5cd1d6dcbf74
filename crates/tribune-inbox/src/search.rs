//! Search: the query language over the store's full-text index.
//!
//! The index holds folded words ([`tribune_store::inbox::search_words`]); [`prefilter`] turns
//! a query into the words an item must hold for the query to possibly match, and each
//! candidate the store returns is confirmed by the query itself. Negations, `lang:`, `from:`,
//! `url:`, emoji and words the index cannot hold filter nothing in the index: the query alone
//! decides on them, within a bounded number of rows per call.

use tribune_domain::InboxItemId;
use tribune_store::inbox::{InboxFilter, Item, MAX_PAGE, TextFilter};
use tribune_store::{Store, StoreError, WorkspaceScope};
use tribune_text::query::{Atom, Node, TermPattern};
use tribune_text::{Document, Query, TokenKind};

/// Rows one search call reads at most when a query has to be confirmed item by item. A page
/// may then hold fewer items than asked, with a cursor to go on from.
pub const SCAN_BUDGET: usize = 5_000;

/// One page of items, newest first, and where the next page starts (`None` at the end).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<Item>,
    pub next_cursor: Option<InboxItemId>,
}

/// The words an item must hold for `query` to possibly match it, or `None` when the index
/// cannot narrow the search. Never narrower than the query: the matcher has the last word.
pub fn prefilter(query: &Query) -> Option<TextFilter> {
    required(&query.root)
}

fn required(node: &Node) -> Option<TextFilter> {
    match node {
        Node::Atom(atom) => atom_words(atom),
        Node::Near { left, right, .. } => TextFilter::all([
            TextFilter::any(left.iter().map(atom_words)),
            TextFilter::any(right.iter().map(atom_words)),
        ]),
        Node::Not(_) => None,
        Node::And(children) => TextFilter::all(children.iter().map(required)),
        Node::Or(children) => TextFilter::any(children.iter().map(required)),
    }
}

fn atom_words(atom: &Atom) -> Option<TextFilter> {
    match atom {
        Atom::Term(term) => term_word(term),
        Atom::Phrase { terms, .. } => TextFilter::all(terms.iter().map(term_word)),
        Atom::Lang(_) | Atom::From(_) | Atom::Url(_) => None,
    }
}

fn term_word(term: &TermPattern) -> Option<TextFilter> {
    match term.kind {
        TokenKind::Emoji => None,
        TokenKind::Word | TokenKind::Hashtag | TokenKind::Mention => {
            TextFilter::word(&term.text, term.prefix)
        }
    }
}

/// The document the query reads for a stored item: its text, the links beside it, its
/// author's handle and its language.
pub fn document(item: &Item) -> Document {
    let doc = Document::new(&item.text)
        .with_urls(item.links.iter().cloned())
        .with_author(&item.author.handle);
    if item.lang.is_empty() {
        doc
    } else {
        doc.with_lang(&item.lang)
    }
}

/// Lists a workspace's items: `filter` (its `text` is ignored: the query sets it) and, when
/// given, those `query` matches. Newest first, at most `filter.limit` items.
pub async fn search(
    store: &Store,
    scope: &WorkspaceScope,
    filter: &InboxFilter,
    query: Option<&Query>,
    now: i64,
) -> Result<Page, StoreError> {
    let limit = filter.limit.clamp(1, MAX_PAGE);
    let mut filter = filter.clone();
    let Some(query) = query else {
        filter.text = None;
        filter.limit = limit + 1;
        let mut items = store.inbox_items(scope, &filter, now).await?;
        let more = items.len() as u64 > limit;
        items.truncate(limit as usize);
        let next_cursor = if more {
            items.last().map(|i| i.id)
        } else {
            None
        };
        return Ok(Page { items, next_cursor });
    };
    filter.text = prefilter(query);
    let batch = (limit * 2).clamp(50, MAX_PAGE);
    filter.limit = batch;
    let mut items = Vec::new();
    let mut scanned = 0usize;
    loop {
        let candidates = store.inbox_items(scope, &filter, now).await?;
        let exhausted = (candidates.len() as u64) < batch;
        let count = candidates.len();
        for (i, item) in candidates.into_iter().enumerate() {
            scanned += 1;
            filter.before = Some(item.id);
            if query.matches(&document(&item)) {
                items.push(item);
                if items.len() as u64 == limit {
                    let last = exhausted && i + 1 == count;
                    let next_cursor = if last { None } else { filter.before };
                    return Ok(Page { items, next_cursor });
                }
            }
        }
        if exhausted {
            return Ok(Page {
                items,
                next_cursor: None,
            });
        }
        if scanned >= SCAN_BUDGET {
            return Ok(Page {
                items,
                next_cursor: filter.before,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tribune_text::parse;

    fn pre(q: &str) -> Option<TextFilter> {
        prefilter(&parse(q).unwrap())
    }

    fn w(word: &str, prefix: bool) -> TextFilter {
        TextFilter::Word {
            word: word.into(),
            prefix,
        }
    }

    #[test]
    fn required_words_follow_the_query() {
        assert_eq!(pre("livraison"), Some(w("livraison", false)));
        assert_eq!(
            pre("rembours* AND arnaque"),
            Some(TextFilter::All(vec![
                w("rembours", true),
                w("arnaque", false)
            ]))
        );
        assert_eq!(
            pre("colis OR retard"),
            Some(TextFilter::Any(vec![w("colis", false), w("retard", false)]))
        );
        // A negation, a language or an author filter nothing in the index.
        assert_eq!(pre("NOT colis"), None);
        assert_eq!(pre("colis OR lang:fr"), None);
        assert_eq!(pre("colis -retard"), Some(w("colis", false)));
        assert_eq!(pre("from:alice colis"), Some(w("colis", false)));
        // A phrase needs all its words; NEAR needs one word of each side.
        assert_eq!(
            pre("\"prix abusif\""),
            Some(TextFilter::All(vec![w("prix", false), w("abusif", false)]))
        );
        assert_eq!(
            pre("(livraison OR colis) NEAR/3 retard"),
            Some(TextFilter::All(vec![
                TextFilter::Any(vec![w("livraison", false), w("colis", false)]),
                w("retard", false)
            ]))
        );
    }

    #[test]
    fn words_the_index_cannot_hold_are_left_to_the_matcher() {
        // Folded accents are plain ASCII; a hashtag is looked up as its word.
        assert_eq!(pre("Été"), Some(w("ete", false)));
        assert_eq!(pre("#promo"), Some(w("promo", false)));
        // A handle with dots, a Cyrillic word: no index lookup.
        assert_eq!(pre("@boutique.bsky.social"), None);
        assert_eq!(pre("доставка"), None);
        assert_eq!(pre("доставка colis"), Some(w("colis", false)));
    }
}
