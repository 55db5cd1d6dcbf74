//! Cuts a query string into operators and raw terms, remembering each one's position.
//!
//! Operators are recognised only in capitals (`AND`, `OR`, `NOT`, `NEAR/5`, and the French
//! `ET`, `OU`, `SAUF`, `PRES/5`), so the common French words "et" and "ou" stay searchable.

use super::error::{Expected, ParseError, ParseErrorKind};
use super::limits;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Lexeme {
    Open,
    Close,
    And,
    Or,
    Not,
    /// `-` glued to the next term.
    Minus,
    Near(u32),
    /// The text between quotes, and the `~N` after the closing quote.
    Phrase(String, Option<u32>),
    /// `name:value`.
    Field(String, String),
    /// Anything else: a word, `#tag`, `@handle`, emoji, `prefix*`.
    Word(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Spanned {
    pub lexeme: Lexeme,
    /// Character offset of the lexeme's first character.
    pub position: usize,
}

fn is_open_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{00AB}')
}

fn is_close_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201D}' | '\u{00BB}')
}

fn is_break(c: char) -> bool {
    c.is_whitespace() || c == '(' || c == ')' || is_open_quote(c)
}

/// Splits `query` into lexemes. The caller has already bounded the query's length.
pub(crate) fn lex(query: &str) -> Result<Vec<Spanned>, ParseError> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if out.len() > limits::MAX_LEXEMES {
            return Err(ParseError {
                position: i,
                kind: ParseErrorKind::TooManyTerms,
            });
        }
        let position = i;
        let lexeme = match c {
            '(' => {
                i += 1;
                Lexeme::Open
            }
            ')' => {
                i += 1;
                Lexeme::Close
            }
            c if is_open_quote(c) => {
                let start = i + 1;
                let mut j = start;
                while j < chars.len() && !is_close_quote(chars[j]) {
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(ParseError {
                        position,
                        kind: ParseErrorKind::UnexpectedEnd(Expected::Quote),
                    });
                }
                let text: String = chars[start..j].iter().collect();
                i = j + 1;
                let slop = if chars.get(i) == Some(&'~') {
                    let (n, next) = number(&chars, i + 1)?;
                    i = next;
                    Some(n)
                } else {
                    None
                };
                Lexeme::Phrase(text, slop)
            }
            '-' if chars
                .get(i + 1)
                .is_some_and(|&n| !n.is_whitespace() && n != '-' && n != ')') =>
            {
                i += 1;
                Lexeme::Minus
            }
            _ => {
                let start = i;
                while i < chars.len() && !is_break(chars[i]) {
                    i += 1;
                }
                let raw: String = chars[start..i].iter().collect();
                classify_bare(raw, &chars, start)?
            }
        };
        out.push(Spanned { lexeme, position });
    }
    Ok(out)
}

/// Reads a decimal number starting at `at`; returns it and the index after it.
fn number(chars: &[char], at: usize) -> Result<(u32, usize), ParseError> {
    let mut j = at;
    let mut value: u32 = 0;
    while j < chars.len() && chars[j].is_ascii_digit() {
        value = value
            .saturating_mul(10)
            .saturating_add(chars[j].to_digit(10).unwrap_or(0));
        j += 1;
    }
    if j == at {
        return Err(match chars.get(at) {
            None => ParseError {
                position: at,
                kind: ParseErrorKind::UnexpectedEnd(Expected::Number),
            },
            Some(c) => ParseError {
                position: at,
                kind: ParseErrorKind::Unexpected {
                    found: c.to_string(),
                    expected: Expected::Number,
                },
            },
        });
    }
    if value > limits::MAX_DISTANCE {
        return Err(ParseError {
            position: at,
            kind: ParseErrorKind::DistanceTooLarge,
        });
    }
    Ok((value, j))
}

const FIELDS: &[&str] = &["lang", "langue", "from", "de", "url", "site"];

fn classify_bare(raw: String, chars: &[char], start: usize) -> Result<Lexeme, ParseError> {
    match raw.as_str() {
        "AND" | "ET" | "&&" => return Ok(Lexeme::And),
        "OR" | "OU" | "||" => return Ok(Lexeme::Or),
        "NOT" | "SAUF" => return Ok(Lexeme::Not),
        "NEAR" | "PRES" | "PRÈS" => return Ok(Lexeme::Near(limits::DEFAULT_NEAR)),
        _ => {}
    }
    for op in ["NEAR/", "PRES/", "PRÈS/"] {
        if raw.starts_with(op) {
            let at = start + op.chars().count();
            let (n, end) = number(chars, at)?;
            if end != start + raw.chars().count() {
                return Err(ParseError {
                    position: end,
                    kind: ParseErrorKind::Unexpected {
                        found: chars.get(end).map(|c| c.to_string()).unwrap_or_default(),
                        expected: Expected::Number,
                    },
                });
            }
            return Ok(Lexeme::Near(n));
        }
    }
    if let Some((name, value)) = raw.split_once(':') {
        let is_name =
            (2..=12).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphabetic());
        // `https://…` is a link, not a field; the parser turns it into `url:`.
        if is_name && !value.starts_with("//") {
            let lower = name.to_ascii_lowercase();
            if !FIELDS.contains(&lower.as_str()) {
                return Err(ParseError {
                    position: start,
                    kind: ParseErrorKind::UnknownField(name.to_owned()),
                });
            }
            if value.is_empty() {
                return Err(ParseError {
                    position: start + name.chars().count() + 1,
                    kind: ParseErrorKind::EmptyFieldValue,
                });
            }
            return Ok(Lexeme::Field(lower, value.to_owned()));
        }
    }
    Ok(Lexeme::Word(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexemes(q: &str) -> Vec<Lexeme> {
        lex(q).unwrap().into_iter().map(|s| s.lexeme).collect()
    }

    #[test]
    fn operators_only_in_capitals() {
        assert_eq!(
            lexemes("a OR b ou c OU d"),
            [
                Lexeme::Word("a".into()),
                Lexeme::Or,
                Lexeme::Word("b".into()),
                Lexeme::Word("ou".into()),
                Lexeme::Word("c".into()),
                Lexeme::Or,
                Lexeme::Word("d".into()),
            ]
        );
    }

    #[test]
    fn phrases_with_proximity_and_near() {
        assert_eq!(
            lexemes("\"prix abusif\"~5 a NEAR/3 b"),
            [
                Lexeme::Phrase("prix abusif".into(), Some(5)),
                Lexeme::Word("a".into()),
                Lexeme::Near(3),
                Lexeme::Word("b".into()),
            ]
        );
    }

    #[test]
    fn minus_and_fields() {
        assert_eq!(
            lexemes("-spam lang:fr -(a)"),
            [
                Lexeme::Minus,
                Lexeme::Word("spam".into()),
                Lexeme::Field("lang".into(), "fr".into()),
                Lexeme::Minus,
                Lexeme::Open,
                Lexeme::Word("a".into()),
                Lexeme::Close,
            ]
        );
    }

    #[test]
    fn unterminated_phrase_points_at_the_quote() {
        let err = lex("a \"b c").unwrap_err();
        assert_eq!(err.position, 2);
        assert_eq!(err.kind, ParseErrorKind::UnexpectedEnd(Expected::Quote));
    }
}
