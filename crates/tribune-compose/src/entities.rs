//! Finds links, e-mail addresses, @mentions and #hashtags in a post. Length counting needs them
//! (X and Mastodon count a link as 23, Mastodon counts `@user@domain` as `@user`, Instagram caps
//! hashtags) and typography hints must leave them alone. The rules follow twitter-text and
//! Mastodon's extractor closely enough for counting; they are not a general URL parser.

use unicode_normalization::char::is_combining_mark;

use crate::tld;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EntityKind {
    /// A link written with `http://` or `https://`.
    Url,
    /// A link written without a scheme (`tribune.fr/agenda`): X counts it as a link, Mastodon
    /// (which only extracts links with a scheme) does not.
    BareUrl,
    Email,
    /// `@user` or `@user@domain`; `local_end` is where the `@user` part ends.
    Mention {
        local_end: usize,
    },
    Hashtag,
}

/// One entity, as a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entity {
    pub start: usize,
    pub end: usize,
    pub kind: EntityKind,
}

/// The entities of `text`, in order and without overlap.
pub(crate) fn entities(text: &str) -> Vec<Entity> {
    let mut found = Vec::new();
    let mut prev: Option<char> = None;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if let Some(entity) = entity_at(text, i, c, prev) {
            prev = text[..entity.end].chars().next_back();
            i = entity.end;
            found.push(entity);
            continue;
        }
        prev = Some(c);
        i += c.len_utf8();
    }
    found
}

/// The links written with `http://` or `https://` in `text`, as byte ranges, in order (the
/// sentence's closing punctuation left out): what the composer's "shorten links" replaces.
pub fn links(text: &str) -> Vec<std::ops::Range<usize>> {
    entities(text)
        .into_iter()
        .filter(|e| e.kind == EntityKind::Url)
        .map(|e| e.start..e.end)
        .collect()
}

/// The number of hashtags in `text`, as Instagram counts them.
pub(crate) fn hashtag_count(text: &str) -> usize {
    entities(text)
        .iter()
        .filter(|e| e.kind == EntityKind::Hashtag)
        .count()
}

fn entity_at(text: &str, i: usize, c: char, prev: Option<char>) -> Option<Entity> {
    match c {
        '@' => mention_at(text, i, prev),
        '#' => hashtag_at(text, i, prev),
        c if c.is_ascii_alphanumeric() && starts_word(prev) => url_with_scheme_at(text, i)
            .or_else(|| email_at(text, i))
            .or_else(|| bare_url_at(text, i)),
        _ => None,
    }
}

/// Links and e-mail addresses start after a space or punctuation, never inside a word, a path or
/// a handle (twitter-text's "valid preceding characters").
fn starts_word(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(p) => !(p.is_alphanumeric() || "@#$_.-/".contains(p) || is_combining_mark(p)),
    }
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || is_combining_mark(c)
}

fn url_with_scheme_at(text: &str, start: usize) -> Option<Entity> {
    let rest = &text[start..];
    let scheme_len = ["https://", "http://"]
        .into_iter()
        .find(|scheme| {
            rest.get(..scheme.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
        })?
        .len();
    let host_start = start + scheme_len;
    if !text[host_start..]
        .chars()
        .next()
        .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    let end = url_tail_end(text, start, host_start);
    Some(Entity {
        start,
        end,
        kind: EntityKind::Url,
    })
}

/// Where a link that starts at `start` ends, its body being read from `from`: up to a space or a
/// character no link contains, without the punctuation that ends the sentence around it.
fn url_tail_end(text: &str, start: usize, from: usize) -> usize {
    let mut end = from;
    for c in text[from..].chars() {
        if c.is_whitespace() || "<>\"«»{}|\\^`".contains(c) {
            break;
        }
        end += c.len_utf8();
    }
    loop {
        let url = &text[start..end];
        let Some(last) = url.chars().next_back() else {
            break;
        };
        let unbalanced_paren = last == ')' && url.matches('(').count() < url.matches(')').count();
        if ".,;:!?'’…*".contains(last) || unbalanced_paren {
            end -= last.len_utf8();
        } else {
            break;
        }
    }
    end
}

fn email_at(text: &str, start: usize) -> Option<Entity> {
    let rest = &text[start..];
    let local_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || "._%+-".contains(c)))
        .unwrap_or(rest.len());
    if !rest[local_len..].starts_with('@') {
        return None;
    }
    let domain_start = start + local_len + 1;
    let domain_end = domain_end(text, domain_start)?;
    Some(Entity {
        start,
        end: domain_end,
        kind: EntityKind::Email,
    })
}

/// The end of an ASCII domain name (`a.b.tld`) starting at `start` whose last label is a word of
/// two letters or more, or `None` when there is none there.
fn domain_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let run = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    let domain = rest[..run].trim_end_matches(['.', '-']);
    let labels: Vec<&str> = domain.split('.').collect();
    let tld = labels.last()?;
    let well_formed = labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'))
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic());
    well_formed.then_some(start + domain.len())
}

fn bare_url_at(text: &str, start: usize) -> Option<Entity> {
    let domain_end = domain_end(text, start)?;
    let domain = &text[start..domain_end];
    let (sld_and_more, tld) = domain.rsplit_once('.')?;
    if !tld::is_tld(tld) {
        return None;
    }
    let mut end = domain_end;
    let after = text[end..].chars().next();
    if after.is_some_and(|c| is_word(c) || c == '@') {
        return None;
    }
    if let Some(port) = text[end..].strip_prefix(':') {
        let digits = port
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(port.len());
        if digits > 0 {
            end += 1 + digits;
        }
    }
    let has_path = text[end..].starts_with(['/', '?', '#']);
    if has_path {
        end = url_tail_end(text, start, end);
    }
    // twitter-text: a one- or two-letter name under a country code (`ab.fr`) is only a link with
    // a path, except t.co.
    let short_country = !has_path
        && !sld_and_more.contains('.')
        && sld_and_more.len() <= 2
        && tld::is_country(tld)
        && !domain.eq_ignore_ascii_case("t.co");
    (!short_country).then_some(Entity {
        start,
        end,
        kind: EntityKind::BareUrl,
    })
}

fn mention_at(text: &str, at: usize, prev: Option<char>) -> Option<Entity> {
    // Mastodon: `(?<![=/[:word:]])@(user)(@domain)?`.
    if prev.is_some_and(|p| is_word(p) || "=/@".contains(p)) {
        return None;
    }
    let user_start = at + 1;
    let user_end = name_end(text, user_start, |c| c.is_ascii_alphanumeric() || c == '_')?;
    let mut end = user_end;
    if text[user_end..].starts_with('@')
        && let Some(domain_end) = name_end(text, user_end + 1, is_word)
    {
        end = domain_end;
    }
    Some(Entity {
        start: at,
        end,
        kind: EntityKind::Mention {
            local_end: user_end,
        },
    })
}

/// The end of a name made of `word` characters, dots and dashes, that starts and ends with a
/// `word` character (a user name, a handle, an instance's domain).
fn name_end(text: &str, start: usize, word: fn(char) -> bool) -> Option<usize> {
    let rest = &text[start..];
    if !rest.chars().next().is_some_and(word) {
        return None;
    }
    let run = rest
        .find(|c: char| !(word(c) || c == '.' || c == '-'))
        .unwrap_or(rest.len());
    Some(start + rest[..run].trim_end_matches(['.', '-']).len())
}

fn hashtag_at(text: &str, at: usize, prev: Option<char>) -> Option<Entity> {
    if prev.is_some_and(|p| is_word(p) || "&#".contains(p)) {
        return None;
    }
    let body_start = at + 1;
    let rest = &text[body_start..];
    let len = rest.find(|c: char| !is_word(c)).unwrap_or(rest.len());
    let body = &rest[..len];
    // `#1` is not a hashtag on any network: a tag needs a letter.
    body.chars().any(char::is_alphabetic).then_some(Entity {
        start: at,
        end: body_start + len,
        kind: EntityKind::Hashtag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, EntityKind)> {
        entities(text)
            .into_iter()
            .map(|e| (&text[e.start..e.end], e.kind))
            .collect()
    }

    #[test]
    fn links_stop_before_sentence_punctuation() {
        assert_eq!(
            found("Voir https://tribune.fr/a?b=1. Et (https://x.com/y)!"),
            vec![
                ("https://tribune.fr/a?b=1", EntityKind::Url),
                ("https://x.com/y", EntityKind::Url),
            ]
        );
        assert_eq!(
            found("https://fr.wikipedia.org/wiki/Paris_(France) !"),
            vec![(
                "https://fr.wikipedia.org/wiki/Paris_(France)",
                EntityKind::Url
            )]
        );
    }

    #[test]
    fn links_with_a_scheme_are_listed_for_shortening() {
        let text = "Voir https://tribune.fr/a?b=1. Et tribune.fr, puis http://x.com/y !";
        let ranges = links(text);
        let found: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(found, ["https://tribune.fr/a?b=1", "http://x.com/y"]);
    }

    #[test]
    fn bare_domains_need_a_known_tld() {
        assert_eq!(
            found("Sur tribune.fr, www.exemple.com/page et ab.fr; pas fichier.exe ni M.Dupont"),
            vec![
                ("tribune.fr", EntityKind::BareUrl),
                ("www.exemple.com/page", EntityKind::BareUrl),
            ]
        );
        assert_eq!(found("t.co"), vec![("t.co", EntityKind::BareUrl)]);
        assert_eq!(found("ab.fr/x"), vec![("ab.fr/x", EntityKind::BareUrl)]);
    }

    #[test]
    fn emails_mentions_and_hashtags() {
        assert_eq!(
            found("Écrivez à contact@tribune.fr ou @marie@piaille.fr, #Soldes2025 #1"),
            vec![
                ("contact@tribune.fr", EntityKind::Email),
                (
                    "@marie@piaille.fr",
                    EntityKind::Mention {
                        local_end: "Écrivez à contact@tribune.fr ou @marie".len()
                    }
                ),
                ("#Soldes2025", EntityKind::Hashtag),
            ]
        );
        assert_eq!(found("#été #ete\u{301}").len(), 2);
        assert!(found("a@b x=@y").is_empty());
    }

    #[test]
    fn bluesky_handles_are_mentions() {
        let text = "Merci @asso.bsky.social.";
        let e = entities(text);
        assert_eq!(e.len(), 1);
        assert_eq!(&text[e[0].start..e[0].end], "@asso.bsky.social");
    }
}
