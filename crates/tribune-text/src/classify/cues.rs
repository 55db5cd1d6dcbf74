//! Weighted cue lists written in tribune's own query language.
//!
//! Toxicity and spam cues are phrases, alternatives and wildcards ("va te faire",
//! `connard*`, `"verify your" OR "confirm your"`): exactly what the query language and the
//! compiled matcher already do well, accent- and elision-insensitively. Reusing them keeps
//! the lists readable by community managers and the matching fast.

use crate::document::Document;
use crate::matcher::Matcher;
use crate::query::{ParseError, parse};

/// A cue: its weight and its kind (the meaning of the kind is up to the classifier).
#[derive(Clone, Debug)]
pub(crate) struct Cue {
    pub weight: f32,
    pub kind: Box<str>,
}

pub(crate) struct CueSet {
    matcher: Matcher<Cue>,
}

/// A line that could not be loaded (tests assert there are none).
#[derive(Debug)]
#[cfg_attr(not(test), expect(dead_code, reason = "read by the cue-list test"))]
pub(crate) struct CueError {
    pub line: usize,
    pub error: Option<ParseError>,
}

impl CueSet {
    /// Parses `weight<TAB>kind<TAB>query` lines, keeping the lines that load.
    pub(crate) fn load(src: &str) -> (CueSet, Vec<CueError>) {
        let mut queries = Vec::new();
        let mut errors = Vec::new();
        for (i, line) in src.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.splitn(3, '\t');
            let (Some(w), Some(kind), Some(query)) = (parts.next(), parts.next(), parts.next())
            else {
                errors.push(CueError {
                    line: i + 1,
                    error: None,
                });
                continue;
            };
            let Ok(weight) = w.parse::<f32>() else {
                errors.push(CueError {
                    line: i + 1,
                    error: None,
                });
                continue;
            };
            match parse(query) {
                Ok(q) => queries.push((
                    Cue {
                        weight,
                        kind: kind.into(),
                    },
                    q,
                )),
                Err(e) => errors.push(CueError {
                    line: i + 1,
                    error: Some(e),
                }),
            }
        }
        (
            CueSet {
                matcher: Matcher::new(queries),
            },
            errors,
        )
    }

    /// The cues present in the document.
    pub(crate) fn hits<'a>(&'a self, doc: &Document) -> Vec<&'a Cue> {
        self.matcher.matches(doc)
    }
}
