//! What a post must be for each network: exact length counting, limits, media rules and French
//! typography hints. The composer (web UI and API) and the publisher's pre-flight check both ask
//! this crate, so what the live counter accepts is what the publisher sends. No I/O: facts that
//! live on a server (a Mastodon instance's limits, a TikTok creator's longest video) come in
//! through [`Options`].

mod avoid;
mod count;
mod draft;
mod entities;
mod network;
mod options;
mod preflight;
mod preview;
mod problem;
mod rules;
mod spell;
mod tld;
mod typography;
mod validate;

pub use avoid::avoided_words;
pub use count::{Counting, Length, MASTODON_URL_LENGTH, X_URL_LENGTH};
pub use draft::{Draft, MediaInfo, MediaKind};
pub use entities::links;
pub use network::{ComposeNetwork, UnknownNetwork};
pub use options::{MastodonInstance, Options};
pub use preflight::{ChannelFacts, SLOT_GRACE_SECS, preflight};
pub use preview::{
    PreviewText, Span, SpanKind, card_link, excerpt, link_host, preview_text, shown_link,
};
pub use problem::{Field, Problem, ProblemCode, Severity};
pub use rules::{
    AltTextRules, FirstComment, ImageRules, LinkPlacement, LinkRules, MediaRequirement, MediaRules,
    NetworkRules, TextRule, TitleRule, VideoRules, rules,
};
pub use spell::{
    MAX_CHECKED_WORDS, MAX_SUGGESTIONS, Misspelling, checkable_words, misspellings, spell_languages,
};
pub use typography::{Hint, HintKind, Lang, NBSP, NNBSP, apply_hints, typography_hints};
pub use validate::{composed_text, length, title_length, validate};
