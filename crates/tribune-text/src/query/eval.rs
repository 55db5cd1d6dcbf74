//! Direct evaluation of one query against one document: the reference semantics that the
//! compiled [`crate::Matcher`] must agree with, and the baseline it is benchmarked against.

use super::ast::{Atom, Node, Query, TermPattern};
use crate::document::Document;
use crate::tokenize::Tokens;

impl Query {
    /// Whether this query matches the document.
    pub fn matches(&self, doc: &Document) -> bool {
        node_matches(&self.root, doc)
    }
}

fn node_matches(node: &Node, doc: &Document) -> bool {
    match node {
        Node::Atom(a) => atom_matches(a, doc),
        Node::Near {
            left,
            right,
            distance,
        } => {
            let side = |atoms: &[Atom]| -> Vec<(usize, usize)> {
                atoms.iter().flat_map(|a| spans(a, doc.tokens())).collect()
            };
            let (l, r) = (side(left), side(right));
            l.iter()
                .any(|&a| r.iter().any(|&b| gap(a, b) <= *distance as usize))
        }
        Node::Not(inner) => !node_matches(inner, doc),
        Node::And(children) => children.iter().all(|c| node_matches(c, doc)),
        Node::Or(children) => children.iter().any(|c| node_matches(c, doc)),
    }
}

/// Words strictly between two spans (0 when they touch or overlap).
pub(crate) fn gap(a: (usize, usize), b: (usize, usize)) -> usize {
    if a.1 <= b.0 {
        b.0 - a.1
    } else {
        a.0.saturating_sub(b.1)
    }
}

fn term_at(t: &TermPattern, tokens: &Tokens, i: usize) -> bool {
    tokens.tokens.get(i).is_some_and(|tok| {
        t.accepts(tok.kind, tokens.text(tok))
            || tokens
                .base(tok)
                .is_some_and(|base| t.accepts(tok.kind, base))
    })
}

/// Half-open token ranges where a positional atom occurs.
fn spans(atom: &Atom, tokens: &Tokens) -> Vec<(usize, usize)> {
    let n = tokens.len();
    match atom {
        Atom::Term(t) => (0..n)
            .filter(|&i| term_at(t, tokens, i))
            .map(|i| (i, i + 1))
            .collect(),
        Atom::Phrase { terms, .. } => (0..n)
            .filter(|&i| {
                terms
                    .iter()
                    .enumerate()
                    .all(|(k, t)| term_at(t, tokens, i + k))
            })
            .map(|i| (i, i + terms.len()))
            .collect(),
        _ => Vec::new(),
    }
}

fn atom_matches(atom: &Atom, doc: &Document) -> bool {
    let tokens = doc.tokens();
    match atom {
        Atom::Term(_) | Atom::Phrase { slop: None, .. } => !spans(atom, tokens).is_empty(),
        Atom::Phrase {
            terms,
            slop: Some(slop),
        } => {
            let window = terms.len() + *slop as usize;
            (0..tokens.len()).any(|start| {
                let end = (start + window).min(tokens.len());
                terms
                    .iter()
                    .all(|t| (start..end).any(|i| term_at(t, tokens, i)))
            })
        }
        Atom::Lang(code) => doc.lang() == code,
        Atom::From(handle) => doc.author() == Some(handle.as_str()),
        Atom::Url(domain) => doc.link_hosts().any(|d| domain_matches(d, domain)),
    }
}

/// `url:example.com` matches `example.com` and `shop.example.com`, not `badexample.com`.
pub(crate) fn domain_matches(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}
