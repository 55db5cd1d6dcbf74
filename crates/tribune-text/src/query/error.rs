//! Parse errors that point at a position and say, in French or English, what was expected.

use std::fmt;

use super::limits;

/// The language of messages shown to a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UiLang {
    Fr,
    #[default]
    En,
}

impl UiLang {
    /// Picks French for `fr`, `fr_FR.UTF-8`, `fr-CA`…, English otherwise.
    pub fn from_tag(tag: &str) -> Self {
        if tag.to_ascii_lowercase().starts_with("fr") {
            UiLang::Fr
        } else {
            UiLang::En
        }
    }
}

/// What the parser wanted to see where it stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A word, phrase, `#tag`, `@handle`, field or `(`.
    Term,
    /// `)` closing the parenthesis opened earlier.
    CloseParen,
    /// A whole number (after `~` or `NEAR/`).
    Number,
    /// A closing `"`.
    Quote,
}

/// Why a query was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    #[error("empty query")]
    Empty,
    #[error("query longer than {} bytes", limits::MAX_QUERY_BYTES)]
    TooLong,
    #[error("nesting deeper than {}", limits::MAX_DEPTH)]
    TooDeep,
    #[error("more than {} terms", limits::MAX_TERMS)]
    TooManyTerms,
    #[error("unexpected end, expected {0:?}")]
    UnexpectedEnd(Expected),
    #[error("unexpected {found:?}, expected {expected:?}")]
    Unexpected { found: String, expected: Expected },
    #[error("`)` without `(`")]
    UnmatchedClose,
    #[error("distance larger than {}", limits::MAX_DISTANCE)]
    DistanceTooLarge,
    #[error("term with no letters, digits or emoji")]
    EmptyTerm,
    #[error("`*` only at the end of a term")]
    WildcardPosition,
    #[error("wildcard prefix shorter than {} characters", limits::MIN_PREFIX_CHARS)]
    WildcardTooShort,
    #[error("unknown field {0:?}")]
    UnknownField(String),
    #[error("field without a value")]
    EmptyFieldValue,
    #[error("NEAR needs a word, an exact phrase or an OR group of them on each side")]
    NearOperand,
    #[error("phrase longer than {} words", limits::MAX_PHRASE_TERMS)]
    PhraseTooLong,
}

/// A rejected query: where (`position`, in characters from 0) and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("position {position}: {kind}")]
pub struct ParseError {
    pub position: usize,
    pub kind: ParseErrorKind,
}

fn expected_text(e: Expected, lang: UiLang) -> &'static str {
    match (e, lang) {
        (Expected::Term, UiLang::En) => "a word, a \"phrase\", #tag, @handle, field or '('",
        (Expected::Term, UiLang::Fr) => "un mot, une \"expression\", #tag, @compte, champ ou '('",
        (Expected::CloseParen, UiLang::En) => "')' to close the parenthesis",
        (Expected::CloseParen, UiLang::Fr) => "')' pour fermer la parenthèse",
        (Expected::Number, UiLang::En) => "a whole number",
        (Expected::Number, UiLang::Fr) => "un nombre entier",
        (Expected::Quote, UiLang::En) => "a closing '\"'",
        (Expected::Quote, UiLang::Fr) => "un '\"' fermant",
    }
}

impl ParseError {
    /// The message shown to a person, with a 1-based column.
    pub fn message(&self, lang: UiLang) -> String {
        let col = self.position + 1;
        let what = self.detail(lang);
        match lang {
            UiLang::En => format!("Column {col}: {what}"),
            UiLang::Fr => format!("Colonne {col} : {what}"),
        }
    }

    /// Why, without where (for a message that gives the position itself).
    pub fn detail(&self, lang: UiLang) -> String {
        use ParseErrorKind as K;
        let fr = lang == UiLang::Fr;
        match &self.kind {
            K::Empty if fr => "la requête est vide.".into(),
            K::Empty => "the query is empty.".into(),
            K::TooLong if fr => format!("la requête dépasse {} octets.", limits::MAX_QUERY_BYTES),
            K::TooLong => format!(
                "the query is longer than {} bytes.",
                limits::MAX_QUERY_BYTES
            ),
            K::TooDeep if fr => format!(
                "trop de parenthèses ou de NOT imbriqués (maximum {}).",
                limits::MAX_DEPTH
            ),
            K::TooDeep => format!(
                "too many nested parentheses or NOTs (at most {}).",
                limits::MAX_DEPTH
            ),
            K::TooManyTerms if fr => format!("trop de termes (maximum {}).", limits::MAX_TERMS),
            K::TooManyTerms => format!("too many terms (at most {}).", limits::MAX_TERMS),
            K::UnexpectedEnd(e) if fr => {
                format!(
                    "la requête s'arrête trop tôt ; attendu : {}.",
                    expected_text(*e, lang)
                )
            }
            K::UnexpectedEnd(e) => {
                format!(
                    "the query ends too early; expected {}.",
                    expected_text(*e, lang)
                )
            }
            K::Unexpected { found, expected } if fr => format!(
                "« {found} » inattendu ; attendu : {}.",
                expected_text(*expected, lang)
            ),
            K::Unexpected { found, expected } => format!(
                "unexpected '{found}'; expected {}.",
                expected_text(*expected, lang)
            ),
            K::UnmatchedClose if fr => "')' sans '(' correspondante.".into(),
            K::UnmatchedClose => "')' without a matching '('.".into(),
            K::DistanceTooLarge if fr => {
                format!("distance trop grande (maximum {}).", limits::MAX_DISTANCE)
            }
            K::DistanceTooLarge => {
                format!("distance too large (at most {}).", limits::MAX_DISTANCE)
            }
            K::EmptyTerm if fr => "terme sans lettre, chiffre ni emoji.".into(),
            K::EmptyTerm => "term without any letter, digit or emoji.".into(),
            K::WildcardPosition if fr => {
                "'*' n'est permis qu'à la fin d'un mot (rembours*).".into()
            }
            K::WildcardPosition => "'*' is only allowed at the end of a word (refund*).".into(),
            K::WildcardTooShort if fr => format!(
                "il faut au moins {} caractères avant '*'.",
                limits::MIN_PREFIX_CHARS
            ),
            K::WildcardTooShort => format!(
                "at least {} characters are needed before '*'.",
                limits::MIN_PREFIX_CHARS
            ),
            K::UnknownField(name) if fr => {
                format!("champ « {name}: » inconnu ; champs possibles : lang:, from:, url:.")
            }
            K::UnknownField(name) => {
                format!("unknown field '{name}:'; known fields are lang:, from:, url:.")
            }
            K::EmptyFieldValue if fr => "valeur manquante après ':'.".into(),
            K::EmptyFieldValue => "missing value after ':'.".into(),
            K::NearOperand if fr => {
                "NEAR demande de chaque côté un mot, une expression exacte ou un groupe \
                 (a OR b) de mots et d'expressions exactes ; pour exclure, NOT se place devant \
                 tout : NOT a NEAR b."
                    .into()
            }
            K::NearOperand => "NEAR needs on each side a word, an exact phrase or a group \
                 (a OR b) of words and exact phrases; to exclude, put NOT before it all: \
                 NOT a NEAR b."
                .into(),
            K::PhraseTooLong if fr => format!(
                "expression trop longue (maximum {} mots).",
                limits::MAX_PHRASE_TERMS
            ),
            K::PhraseTooLong => format!(
                "phrase too long (at most {} words).",
                limits::MAX_PHRASE_TERMS
            ),
        }
    }
}

impl fmt::Display for UiLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UiLang::Fr => "fr",
            UiLang::En => "en",
        })
    }
}
