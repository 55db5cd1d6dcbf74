//! The parsed form of a query: what the matcher compiles and what `tribune text parse` shows.

use std::fmt;

use crate::tokenize::TokenKind;

/// One term to find in a post: folded text, the kind of token it matches, and whether it
/// is a trailing-wildcard prefix (`rembours*`).
///
/// A [`TokenKind::Word`] pattern also matches hashtags (`prix` finds `#prix`), because
/// community managers expect a brand name to be found however it is written; `#prix` only
/// matches the hashtag.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TermPattern {
    pub kind: TokenKind,
    pub text: String,
    pub prefix: bool,
}

impl TermPattern {
    /// Whether a post token of `kind` with folded `text` satisfies this pattern.
    pub fn accepts(&self, kind: TokenKind, text: &str) -> bool {
        let kind_ok =
            self.kind == kind || (self.kind == TokenKind::Word && kind == TokenKind::Hashtag);
        kind_ok
            && if self.prefix {
                text.starts_with(self.text.as_str())
            } else {
                text == self.text
            }
    }
}

/// A leaf of the query tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Atom {
    Term(TermPattern),
    /// Consecutive terms, or with `slop`, all terms within `terms.len() + slop` words in
    /// any order (`"prix abusif"~5`).
    Phrase {
        terms: Vec<TermPattern>,
        slop: Option<u32>,
    },
    /// `lang:fr`: the post's language (given with the post or detected).
    Lang(String),
    /// `from:handle`: the post's author handle, folded, without `@`.
    From(String),
    /// `url:domain`: a link to that domain or one of its subdomains.
    Url(String),
}

impl Atom {
    /// Atoms that occupy positions in the text, so `NEAR` can measure distances.
    pub fn is_positional(&self) -> bool {
        matches!(self, Atom::Term(_) | Atom::Phrase { slop: None, .. })
    }
}

/// A node of the query tree. `And`/`Or` are flattened (no `And` directly under `And`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Atom(Atom),
    /// Some alternative of `left` and some alternative of `right` with at most `distance`
    /// words between them, in either order. Each side is one positional atom (a word,
    /// `#tag`, `@handle`, wildcard or exact phrase) or a parenthesised `OR` of them:
    /// `(livraison OR colis) NEAR/3 (retard OR perdu)` is the `OR` of the four pairs.
    Near {
        left: Vec<Atom>,
        right: Vec<Atom>,
        distance: u32,
    },
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
}

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Query {
    pub root: Node,
}

impl Query {
    /// An indented tree, one node per line, for `tribune text parse`.
    pub fn tree(&self) -> String {
        let mut out = String::new();
        write_tree(&self.root, 0, &mut out);
        out
    }
}

fn write_tree(node: &Node, depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    match node {
        Node::Atom(a) => out.push_str(&format!("{indent}{}\n", AtomDisplay(a))),
        Node::Near {
            left,
            right,
            distance,
        } => {
            out.push_str(&format!("{indent}NEAR/{distance}\n"));
            for side in [left, right] {
                if let [one] = side.as_slice() {
                    out.push_str(&format!("{indent}  {}\n", AtomDisplay(one)));
                } else {
                    out.push_str(&format!("{indent}  OR\n"));
                    for a in side {
                        out.push_str(&format!("{indent}    {}\n", AtomDisplay(a)));
                    }
                }
            }
        }
        Node::Not(inner) => {
            out.push_str(&format!("{indent}NOT\n"));
            write_tree(inner, depth + 1, out);
        }
        Node::And(children) | Node::Or(children) => {
            let op = if matches!(node, Node::And(_)) {
                "AND"
            } else {
                "OR"
            };
            out.push_str(&format!("{indent}{op}\n"));
            for c in children {
                write_tree(c, depth + 1, out);
            }
        }
    }
}

impl fmt::Display for TermPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            TokenKind::Hashtag => f.write_str("#")?,
            TokenKind::Mention => f.write_str("@")?,
            TokenKind::Word | TokenKind::Emoji => {}
        }
        f.write_str(&self.text)?;
        if self.prefix {
            f.write_str("*")?;
        }
        Ok(())
    }
}

struct AtomDisplay<'a>(&'a Atom);

impl fmt::Display for AtomDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Atom::Term(t) => write!(f, "{t}"),
            Atom::Phrase { terms, slop } => {
                f.write_str("\"")?;
                for (i, t) in terms.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("\"")?;
                if let Some(n) = slop {
                    write!(f, "~{n}")?;
                }
                Ok(())
            }
            Atom::Lang(l) => write!(f, "lang:{l}"),
            Atom::From(h) => write!(f, "from:{h}"),
            Atom::Url(d) => write!(f, "url:{d}"),
        }
    }
}

/// One side of `NEAR`: the atom, or `(a OR b OR …)`.
struct NearSide<'a>(&'a [Atom]);

impl fmt::Display for NearSide<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [one] = self.0 {
            return write!(f, "{}", AtomDisplay(one));
        }
        f.write_str("(")?;
        for (i, a) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" OR ")?;
            }
            write!(f, "{}", AtomDisplay(a))?;
        }
        f.write_str(")")
    }
}

fn precedence(node: &Node) -> u8 {
    match node {
        Node::Or(_) => 1,
        Node::And(_) => 2,
        Node::Near { .. } => 3,
        Node::Not(_) | Node::Atom(_) => 4,
    }
}

struct NodeDisplay<'a>(&'a Node);

impl fmt::Display for NodeDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.0;
        let child = |f: &mut fmt::Formatter<'_>, c: &Node, min: u8| {
            if precedence(c) <= min {
                write!(f, "({})", NodeDisplay(c))
            } else {
                write!(f, "{}", NodeDisplay(c))
            }
        };
        match node {
            Node::Atom(a) => write!(f, "{}", AtomDisplay(a)),
            Node::Near {
                left,
                right,
                distance,
            } => write!(f, "{} NEAR/{distance} {}", NearSide(left), NearSide(right)),
            Node::Not(inner) => {
                f.write_str("NOT ")?;
                child(f, inner, 3)
            }
            Node::And(children) | Node::Or(children) => {
                let (op, p) = if matches!(node, Node::And(_)) {
                    (" AND ", 2)
                } else {
                    (" OR ", 1)
                };
                for (i, c) in children.iter().enumerate() {
                    if i > 0 {
                        f.write_str(op)?;
                    }
                    child(f, c, p)?;
                }
                Ok(())
            }
        }
    }
}

/// The canonical text of a query: parsing it again gives the same tree.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", NodeDisplay(&self.root))
    }
}
