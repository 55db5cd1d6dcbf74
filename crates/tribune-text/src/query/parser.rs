//! Recursive-descent parser. Precedence, loosest first: `OR`, `AND` (also implicit, by
//! juxtaposition), `NEAR`, then `NOT`/`-`. Depth and size are bounded so that a hostile
//! query costs little memory and time (see [`super::limits`]).

use super::ast::{Atom, Node, Query, TermPattern};
use super::error::{Expected, ParseError, ParseErrorKind};
use super::lexer::{Lexeme, Spanned, lex};
use super::limits;
use crate::normalize::fold;
use crate::tokenize::{link_domain, tokenize};

/// Parses a query (see docs/text/QUERY_LANGUAGE.md for the grammar).
pub fn parse(query: &str) -> Result<Query, ParseError> {
    if query.len() > limits::MAX_QUERY_BYTES {
        return Err(ParseError {
            position: 0,
            kind: ParseErrorKind::TooLong,
        });
    }
    let lexemes = lex(query)?;
    if lexemes.is_empty() {
        return Err(ParseError {
            position: 0,
            kind: ParseErrorKind::Empty,
        });
    }
    let mut parser = Parser {
        lexemes,
        next: 0,
        depth: 0,
        terms: 0,
        end: query.chars().count(),
    };
    let root = parser.or()?;
    if let Some(s) = parser.lexemes.get(parser.next) {
        // `or()` only stops early on a `)` it did not open.
        return Err(ParseError {
            position: s.position,
            kind: ParseErrorKind::UnmatchedClose,
        });
    }
    let query = Query { root };
    // The canonical form (explicit `AND`s, quotes) is what gets stored and shown; it must fit
    // the same limit, or it would not parse back (found by the fuzzer: 2,828 bytes of
    // implicit ANDs printed as more than 4,096).
    // The same holds for the lexeme count (the printed form adds `AND`s and parentheses).
    let canonical = query.to_string();
    if canonical.len() > limits::MAX_QUERY_BYTES {
        return Err(ParseError {
            position: 0,
            kind: ParseErrorKind::TooLong,
        });
    }
    if let Err(e) = lex(&canonical) {
        return Err(ParseError {
            position: 0,
            kind: e.kind,
        });
    }
    Ok(query)
}

struct Parser {
    lexemes: Vec<Spanned>,
    next: usize,
    depth: usize,
    terms: usize,
    end: usize,
}

fn starts_operand(l: &Lexeme) -> bool {
    matches!(
        l,
        Lexeme::Word(_)
            | Lexeme::Phrase(..)
            | Lexeme::Field(..)
            | Lexeme::Open
            | Lexeme::Not
            | Lexeme::Minus
    )
}

fn show(l: &Lexeme) -> String {
    match l {
        Lexeme::Open => "(".into(),
        Lexeme::Close => ")".into(),
        Lexeme::And => "AND".into(),
        Lexeme::Or => "OR".into(),
        Lexeme::Not => "NOT".into(),
        Lexeme::Minus => "-".into(),
        Lexeme::Near(n) => format!("NEAR/{n}"),
        Lexeme::Phrase(t, _) => format!("\"{t}\""),
        Lexeme::Field(n, v) => format!("{n}:{v}"),
        Lexeme::Word(w) => w.clone(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.next).map(|s| &s.lexeme)
    }

    fn position(&self) -> usize {
        self.lexemes.get(self.next).map_or(self.end, |s| s.position)
    }

    fn error(&self, kind: ParseErrorKind) -> ParseError {
        ParseError {
            position: self.position(),
            kind,
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > limits::MAX_DEPTH {
            return Err(self.error(ParseErrorKind::TooDeep));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Node, ParseError> {
        let mut children = vec![self.and()?];
        while self.peek() == Some(&Lexeme::Or) {
            self.next += 1;
            children.push(self.and()?);
        }
        Ok(flatten(children, false))
    }

    fn and(&mut self) -> Result<Node, ParseError> {
        let mut children = vec![self.near()?];
        loop {
            match self.peek() {
                Some(Lexeme::And) => {
                    self.next += 1;
                    children.push(self.near()?);
                }
                Some(l) if starts_operand(l) => children.push(self.near()?),
                _ => break,
            }
        }
        Ok(flatten(children, true))
    }

    fn near(&mut self) -> Result<Node, ParseError> {
        let left = self.unary()?;
        let Some(&Lexeme::Near(distance)) = self.peek() else {
            return Ok(left);
        };
        let op_position = self.position();
        self.next += 1;
        let operand_error = ParseError {
            position: op_position,
            kind: ParseErrorKind::NearOperand,
        };
        // `NOT`/`-` applies to the whole proximity (`-a NEAR b` is "not (a near b)"), so a
        // negation can only stand on the left, where `unary` already took it; on the right
        // it would read as "a near something that is not b", which means nothing.
        if matches!(self.peek(), Some(Lexeme::Not | Lexeme::Minus)) {
            return Err(operand_error);
        }
        let right = self.primary()?;
        if matches!(self.peek(), Some(Lexeme::Near(_))) {
            return Err(operand_error);
        }
        match (near_side(left), near_side(right)) {
            (Some(left), Some(right)) => Ok(Node::Near {
                left,
                right,
                distance,
            }),
            _ => Err(operand_error),
        }
    }

    fn unary(&mut self) -> Result<Node, ParseError> {
        if matches!(self.peek(), Some(Lexeme::Not | Lexeme::Minus)) {
            self.next += 1;
            self.enter()?;
            // The operand of a negation is a whole proximity: `NOT a NEAR/3 b` is
            // `NOT (a NEAR/3 b)`.
            let inner = self.near()?;
            self.depth -= 1;
            return Ok(Node::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, ParseError> {
        let Some(spanned) = self.lexemes.get(self.next).cloned() else {
            return Err(self.error(ParseErrorKind::UnexpectedEnd(Expected::Term)));
        };
        let position = spanned.position;
        let atom = match spanned.lexeme {
            Lexeme::Open => {
                self.next += 1;
                self.enter()?;
                let inner = self.or()?;
                match self.peek() {
                    Some(Lexeme::Close) => self.next += 1,
                    Some(other) => {
                        let found = show(other);
                        return Err(self.error(ParseErrorKind::Unexpected {
                            found,
                            expected: Expected::CloseParen,
                        }));
                    }
                    None => {
                        return Err(self.error(ParseErrorKind::UnexpectedEnd(Expected::CloseParen)));
                    }
                }
                self.depth -= 1;
                return Ok(inner);
            }
            Lexeme::Close if self.depth == 0 => {
                return Err(self.error(ParseErrorKind::UnmatchedClose));
            }
            Lexeme::Word(raw) => word_atom(&raw, position)?,
            Lexeme::Phrase(text, slop) => phrase_atom(&text, slop, position)?,
            Lexeme::Field(name, value) => field_atom(&name, &value, position)?,
            other => {
                return Err(self.error(ParseErrorKind::Unexpected {
                    found: show(&other),
                    expected: Expected::Term,
                }));
            }
        };
        self.next += 1;
        self.terms += 1;
        if self.terms > limits::MAX_TERMS {
            return Err(ParseError {
                position,
                kind: ParseErrorKind::TooManyTerms,
            });
        }
        Ok(Node::Atom(atom))
    }
}

/// The alternatives of one side of `NEAR`: a positional atom, or a parenthesised `OR` of
/// them (`or()` flattens nested groups, so `((a OR b) OR c)` is one group).
fn near_side(node: Node) -> Option<Vec<Atom>> {
    match node {
        Node::Atom(a) if a.is_positional() => Some(vec![a]),
        Node::Or(children) => children
            .into_iter()
            .map(|c| match c {
                Node::Atom(a) if a.is_positional() => Some(a),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

fn flatten(children: Vec<Node>, and: bool) -> Node {
    if children.len() == 1 {
        return children.into_iter().next().unwrap_or(Node::And(Vec::new()));
    }
    let mut flat = Vec::with_capacity(children.len());
    for c in children {
        match c {
            Node::And(inner) if and => flat.extend(inner),
            Node::Or(inner) if !and => flat.extend(inner),
            other => flat.push(other),
        }
    }
    if and { Node::And(flat) } else { Node::Or(flat) }
}

/// Turns one raw piece (`rembours*`, `#Fibre`, `l'arnaque`, `peut-être`, `😡`) into term
/// patterns with the same tokenizer posts go through.
fn pieces_to_terms(
    raw: &str,
    position: usize,
    out: &mut Vec<TermPattern>,
) -> Result<(), ParseError> {
    let (body, prefix) = match raw.strip_suffix('*') {
        Some(b) => (b, true),
        None => (raw, false),
    };
    if let Some(offset) = body.chars().position(|c| c == '*') {
        return Err(ParseError {
            position: position + offset,
            kind: ParseErrorKind::WildcardPosition,
        });
    }
    let tokens = tokenize(body);
    if tokens.is_empty() {
        return Err(ParseError {
            position,
            kind: ParseErrorKind::EmptyTerm,
        });
    }
    let last = tokens.len() - 1;
    for (i, (kind, text)) in tokens.iter().enumerate() {
        let is_prefix = prefix && i == last;
        if is_prefix && text.chars().count() < limits::MIN_PREFIX_CHARS {
            return Err(ParseError {
                position,
                kind: ParseErrorKind::WildcardTooShort,
            });
        }
        out.push(TermPattern {
            kind,
            text: text.to_owned(),
            prefix: is_prefix,
        });
    }
    Ok(())
}

fn word_atom(raw: &str, position: usize) -> Result<Atom, ParseError> {
    if let Some(domain) =
        link_domain(raw).filter(|_| raw.contains("://") || raw.starts_with("www."))
    {
        return Ok(Atom::Url(domain_value(&domain)));
    }
    let mut terms = Vec::new();
    pieces_to_terms(raw, position, &mut terms)?;
    // A word that splits into several ("a?b?c") is a phrase and prints as one: the same
    // bound applies (found by the fuzzer: 19 pieces parsed, their printed phrase did not).
    if terms.len() > limits::MAX_PHRASE_TERMS {
        return Err(ParseError {
            position,
            kind: ParseErrorKind::PhraseTooLong,
        });
    }
    Ok(terms_atom(terms, None))
}

fn terms_atom(mut terms: Vec<TermPattern>, slop: Option<u32>) -> Atom {
    if terms.len() == 1
        && let Some(t) = terms.pop()
    {
        return Atom::Term(t);
    }
    Atom::Phrase { terms, slop }
}

fn phrase_atom(text: &str, slop: Option<u32>, position: usize) -> Result<Atom, ParseError> {
    let mut terms = Vec::new();
    let mut offset = 1;
    for piece in text.split(char::is_whitespace) {
        // Punctuation between the words of a phrase ("prix - abusif") is not a term.
        let punctuation_only =
            tokenize(piece.trim_end_matches('*')).is_empty() && !piece.contains('*');
        if !piece.is_empty() && !punctuation_only {
            pieces_to_terms(piece, position + offset, &mut terms)?;
        }
        offset += piece.chars().count() + 1;
    }
    if terms.is_empty() {
        return Err(ParseError {
            position,
            kind: ParseErrorKind::EmptyTerm,
        });
    }
    if terms.len() > limits::MAX_PHRASE_TERMS {
        return Err(ParseError {
            position,
            kind: ParseErrorKind::PhraseTooLong,
        });
    }
    Ok(terms_atom(terms, slop))
}

fn field_atom(name: &str, value: &str, position: usize) -> Result<Atom, ParseError> {
    let value_position = position + name.chars().count() + 1;
    let folded = fold(value);
    let empty = || ParseError {
        position: value_position,
        kind: ParseErrorKind::EmptyFieldValue,
    };
    Ok(match name {
        "lang" | "langue" => Atom::Lang(match leading(&folded, &['-', '_']) {
            "" => return Err(empty()),
            "french" | "francais" => "fr".into(),
            "english" | "anglais" => "en".into(),
            other => other.to_owned(),
        }),
        "from" | "de" => {
            let handle = leading(folded.trim_start_matches('@'), &['.', '-', '_', '@']);
            if handle.is_empty() {
                return Err(empty());
            }
            Atom::From(handle.to_owned())
        }
        _ => {
            let domain = domain_value(value);
            if domain.is_empty() {
                return Err(empty());
            }
            Atom::Url(domain)
        }
    })
}

/// The start of `value` made of letters, digits and `extra`: what a language code or a
/// handle (`bob`, `alice.bsky.social`, `bob@mastodon.social`) can contain. Anything else
/// could be query syntax once printed (found by the fuzzer: `from:bo@»x` folded `»` to `"`,
/// and the printed `from:bo@"x` opened a phrase).
fn leading<'a>(value: &'a str, extra: &[char]) -> &'a str {
    let end = value
        .find(|c: char| !(c.is_alphanumeric() || extra.contains(&c)))
        .unwrap_or(value.len());
    &value[..end]
}

/// The domain of a `url:` value: the host of a link, or of anything that looks like one.
/// Applied until nothing changes, so that the printed query (`url:<domain>`) parses back
/// to the same domain (found by the fuzzer: `url:example.cPRÈS/m` used to keep its path
/// because the accent hid the link, and lost it once printed folded).
fn domain_value(value: &str) -> String {
    let step = |s: &str| -> String {
        let folded = fold(s);
        if let Some(d) = link_domain(&folded) {
            return d;
        }
        let rest = folded.trim_start_matches('/');
        let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '_')))
            .unwrap_or(rest.len());
        let host = rest[..end].trim_matches('.');
        host.strip_prefix("www.").unwrap_or(host).to_owned()
    };
    let mut current = step(value);
    // Every step returns a part of its (folded) input, so this ends; 64 is a safety net.
    for _ in 0..64 {
        let next = step(&current);
        if next == current {
            break;
        }
        current = next;
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_values_print_and_parse_back_the_same() {
        for q in [
            "url:emplexample.cPRÈS/m:bob",
            "url:www..x",
            "url:www.www.abc",
            "url:https://Example.abc/x",
            "url:a.com./x!!",
            "https://www.Example.com/a",
            // Found by the fuzzer: a handle with a dot was printed as `@orarle.com`,
            // which then read as a link to orarle.com and left an empty query.
            "#Fibre @Orarle.com\0\0\0\0 from:bkb",
            "@alice.bsky.social",
            "a?b?c",
            "C\u{19}C\u{19}F#F#Fg\u{2BC}",
            "\u{1F62E}ab;\u{130}rng",
            "from:bor0&le0.@\u{BB}fromr0",
            "lang:fr\u{BB}x",
            "from:bob@mastodon.social",
            "@\u{2BC}.om",
            "@a.\u{2BC}",
            "#\u{2BC}x",
        ] {
            let once = parse(q).unwrap();
            assert_eq!(parse(&once.to_string()).unwrap(), once, "{q}");
        }
        assert_eq!(
            canon("url:emplexample.cPRÈS/m:bob"),
            "url:emplexample.cpres"
        );
    }

    fn canon(q: &str) -> String {
        parse(q).unwrap().to_string()
    }

    fn err(q: &str) -> ParseError {
        parse(q).unwrap_err()
    }

    #[test]
    fn implicit_and_binds_tighter_than_or() {
        assert_eq!(canon("a b OR c"), "a AND b OR c");
        assert_eq!(canon("a (b OR c)"), "a AND (b OR c)");
        assert_eq!(canon("a AND b OR c AND d"), "a AND b OR c AND d");
        assert_eq!(
            parse("a b OR c").unwrap().root,
            Node::Or(vec![
                Node::And(vec![
                    Node::Atom(Atom::Term(TermPattern {
                        kind: crate::TokenKind::Word,
                        text: "a".into(),
                        prefix: false
                    })),
                    Node::Atom(Atom::Term(TermPattern {
                        kind: crate::TokenKind::Word,
                        text: "b".into(),
                        prefix: false
                    })),
                ]),
                Node::Atom(Atom::Term(TermPattern {
                    kind: crate::TokenKind::Word,
                    text: "c".into(),
                    prefix: false
                })),
            ])
        );
    }

    #[test]
    fn not_binds_tightest() {
        assert_eq!(canon("a NOT b c"), "a AND NOT b AND c");
        assert_eq!(canon("-b a"), "NOT b AND a");
        assert_eq!(canon("NOT (a OR b)"), "NOT (a OR b)");
        assert_eq!(canon("SAUF a"), "NOT a");
    }

    #[test]
    fn french_operators() {
        assert_eq!(canon("a ET b OU c"), "a AND b OR c");
        assert_eq!(canon("a PRES/3 b"), "a NEAR/3 b");
    }

    #[test]
    fn terms_are_folded_and_elisions_dropped() {
        assert_eq!(canon("L'Arnaque Œuvre ÉTÉ"), "arnaque AND oeuvre AND ete");
    }

    #[test]
    fn hyphenated_word_is_a_phrase() {
        assert_eq!(canon("peut-être"), "\"peut etre\"");
    }

    #[test]
    fn special_terms() {
        assert_eq!(
            canon("#Fibre @Free 😡 rembours*"),
            "#fibre AND @free AND 😡 AND rembours*"
        );
        assert_eq!(
            canon("lang:FR from:@Bob url:https://www.Example.com/a"),
            "lang:fr AND from:bob AND url:example.com"
        );
        assert_eq!(canon("https://t.me/abc"), "url:t.me");
    }

    #[test]
    fn proximity() {
        assert_eq!(canon("\"prix abusif\"~5"), "\"prix abusif\"~5");
        assert_eq!(
            canon("prix NEAR/5 \"trop cher\""),
            "prix NEAR/5 \"trop cher\""
        );
        assert_eq!(canon("prix NEAR abusif"), "prix NEAR/5 abusif");
    }

    #[test]
    fn near_rejects_non_positional_operands() {
        assert_eq!(err("a NEAR/2 b NEAR/2 c").kind, ParseErrorKind::NearOperand);
        assert_eq!(err("lang:fr NEAR/2 b").position, 8);
        for q in [
            "a NEAR/2 (b AND c)",
            "a NEAR/2 (b c)",
            "(a OR lang:fr) NEAR/2 b",
            "(a OR \"b c\"~2) NEAR b",
            "(a OR (b c)) NEAR b",
            "(a OR NOT b) NEAR c",
            "a NEAR/2 NOT b",
            "a NEAR/2 -b",
            "(a OR b) NEAR/2 (c OR d) NEAR/2 e",
        ] {
            assert_eq!(err(q).kind, ParseErrorKind::NearOperand, "{q}");
        }
    }

    #[test]
    fn near_takes_or_groups_on_either_side() {
        assert_eq!(
            canon("(livraison OR colis) NEAR/3 (retard OR perdu)"),
            "(livraison OR colis) NEAR/3 (retard OR perdu)"
        );
        assert_eq!(
            canon("quitter NEAR/3 (marqueA OR marqueB)"),
            "quitter NEAR/3 (marquea OR marqueb)"
        );
        assert_eq!(
            canon("(refund* OR \"money back\" OR #refund OR @acme) PRES/2 (late OR lost)"),
            "(refund* OR \"money back\" OR #refund OR @acme) NEAR/2 (late OR lost)"
        );
        // Nested groups are one group; a group of one is the atom.
        assert_eq!(canon("((a OR b) OR c) NEAR (d)"), "(a OR b OR c) NEAR/5 d");
        let q = parse("(livraison OR colis) NEAR/3 retard").unwrap();
        let Node::Near {
            left,
            right,
            distance,
        } = &q.root
        else {
            panic!("not a NEAR: {q:?}");
        };
        assert_eq!((left.len(), right.len(), *distance), (2, 1, 3));
        assert_eq!(
            q.tree(),
            "NEAR/3\n  OR\n    livraison\n    colis\n  retard\n"
        );
    }

    #[test]
    fn not_before_near_negates_the_whole_proximity() {
        for (q, expected) in [
            ("NOT a NEAR/3 b", "NOT (a NEAR/3 b)"),
            ("-a NEAR/3 b", "NOT (a NEAR/3 b)"),
            ("SAUF colis PRES/2 perdu", "NOT (colis NEAR/2 perdu)"),
            ("-(a OR b) NEAR/1 c", "NOT ((a OR b) NEAR/1 c)"),
            ("x -a NEAR/3 b", "x AND NOT (a NEAR/3 b)"),
            ("NOT a", "NOT a"),
            ("NOT NOT a NEAR b", "NOT NOT (a NEAR/5 b)"),
        ] {
            let once = parse(q).unwrap();
            assert_eq!(once.to_string(), expected, "{q}");
            assert_eq!(parse(&once.to_string()).unwrap(), once, "{q}");
        }
        assert!(matches!(
            parse("-a NEAR/3 b").unwrap().root,
            Node::Not(inner) if matches!(*inner, Node::Near { .. })
        ));
    }

    #[test]
    fn near_groups_count_towards_the_term_limit() {
        let side = |from: usize| {
            (from..from + 128)
                .map(|i| format!("w{i}"))
                .collect::<Vec<_>>()
                .join(" OR ")
        };
        let at_limit = format!("({}) NEAR ({})", side(0), side(1000));
        assert!(parse(&at_limit).is_ok());
        let over = format!("({}) NEAR ({} OR x)", side(0), side(1000));
        assert_eq!(err(&over).kind, ParseErrorKind::TooManyTerms);
    }

    #[test]
    fn errors_point_at_the_problem() {
        assert_eq!(err("").kind, ParseErrorKind::Empty);
        let e = err("(a OR b");
        assert_eq!(e.position, 7);
        assert_eq!(e.kind, ParseErrorKind::UnexpectedEnd(Expected::CloseParen));
        let e = err("a OR");
        assert_eq!(
            (e.position, e.kind),
            (4, ParseErrorKind::UnexpectedEnd(Expected::Term))
        );
        let e = err("a ) b");
        assert_eq!((e.position, e.kind), (2, ParseErrorKind::UnmatchedClose));
        let e = err("a AND OR b");
        assert_eq!(e.position, 6);
        assert!(matches!(e.kind, ParseErrorKind::Unexpected { .. }));
        assert_eq!(err("re*mb").kind, ParseErrorKind::WildcardPosition);
        assert_eq!(err("r*").kind, ParseErrorKind::WildcardTooShort);
        assert_eq!(
            err("foo:bar").kind,
            ParseErrorKind::UnknownField("foo".into())
        );
        assert_eq!(err("\"a\"~x").position, 4);
        assert_eq!(err("a NEAR/999 b").kind, ParseErrorKind::DistanceTooLarge);
        assert_eq!(err("!!!").kind, ParseErrorKind::EmptyTerm);
    }

    #[test]
    fn messages_in_both_languages() {
        let e = err("(a OR b");
        assert_eq!(
            e.message(crate::UiLang::En),
            "Column 8: the query ends too early; expected ')' to close the parenthesis."
        );
        assert_eq!(
            e.message(crate::UiLang::Fr),
            "Colonne 8 : la requête s'arrête trop tôt ; attendu : ')' pour fermer la parenthèse."
        );
    }

    #[test]
    fn limits_are_enforced() {
        let deep = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(err(&deep).kind, ParseErrorKind::TooDeep);
        let nots = format!("{}a", "NOT ".repeat(100));
        assert_eq!(err(&nots).kind, ParseErrorKind::TooDeep);
        assert_eq!(err(&"a ".repeat(3000)).kind, ParseErrorKind::TooLong);
        // Fits as written, not once printed with explicit ANDs.
        assert_eq!(
            err(&"abcdefghijklmn ".repeat(250)).kind,
            ParseErrorKind::TooLong
        );
        assert_eq!(err(&"a ".repeat(300)).kind, ParseErrorKind::TooManyTerms);
    }
}
