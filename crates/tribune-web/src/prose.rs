//! Text a person wrote, shown as a page: simple Markdown (paragraphs, lists, bold, italics,
//! links) rendered by pulldown-cmark, sanitised by ammonia, with French typography when the
//! text is French.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use tribune_domain::Lang;

/// U+00A0, before a colon and inside « ».
const NBSP: char = '\u{a0}';
/// U+202F, before ; ! ?
const NNBSP: char = '\u{202f}';

/// Markdown to safe HTML. Raw HTML in the source is shown as text, never interpreted; the
/// result is sanitised anyway (only the tags below, http/https/mailto links with
/// `rel="nofollow noopener"`). Headings start at `<h2>`: the page has its own `<h1>`.
pub fn markdown_to_html(source: &str, lang: Lang) -> String {
    let french = lang == Lang::Fr;
    let mut in_code_block = false;
    // The last character written as text, so a rule can see across `**bold**!`.
    let mut previous: Option<char> = None;
    let mut events = Vec::new();
    for event in coalesce_text(Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH)) {
        let event = match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                in_code_block = true;
                Event::Start(Tag::CodeBlock(kind))
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = false;
                Event::End(TagEnd::CodeBlock)
            }
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level: demote(level),
                id,
                classes,
                attrs,
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
            Event::Text(text) if french && !in_code_block => {
                let fixed = french_typography_after(&text, previous);
                previous = fixed.chars().last().or(previous);
                Event::Text(CowStr::from(fixed))
            }
            Event::Text(text) => {
                previous = text.chars().last().or(previous);
                Event::Text(text)
            }
            Event::Code(code) => {
                previous = Some('x');
                Event::Code(code)
            }
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            Event::SoftBreak => {
                previous = Some(' ');
                Event::SoftBreak
            }
            other => other,
        };
        events.push(event);
    }
    let mut html = String::with_capacity(source.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize(&html)
}

/// The parser cuts text where markup could start (`!` of an image, `[`…); typography needs
/// each run of text whole.
fn coalesce_text<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out: Vec<Event<'a>> = Vec::new();
    for event in events {
        match (out.last_mut(), event) {
            (Some(Event::Text(previous)), Event::Text(text)) => {
                *previous = CowStr::from(format!("{previous}{text}"));
            }
            (_, event) => out.push(event),
        }
    }
    out
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        _ => HeadingLevel::H4,
    }
}

fn sanitize(html: &str) -> String {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "a",
        "strong",
        "em",
        "del",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "h2",
        "h3",
        "h4",
        "hr",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("nofollow noopener"))
        .clean(html)
        .to_string()
}

/// French typography on plain text: a no-break space (U+00A0) before `:` and inside « »,
/// a narrow one (U+202F) before `;` `!` `?`, replacing an ordinary space or added where none
/// was typed. URLs (`https://…`, `www.…`, `mailto:…`) and times (`10:30`) are left alone, and
/// text already written this way is unchanged.
#[cfg(test)]
pub fn french_typography(text: &str) -> String {
    french_typography_after(text, None)
}

fn is_space(c: char) -> bool {
    c == ' ' || c == NBSP || c == NNBSP || c == '\u{2009}'
}

fn starts_url(rest: &str) -> bool {
    let lower = rest.get(..12).unwrap_or(rest).to_ascii_lowercase();
    ["http://", "https://", "www.", "mailto:", "ftp://"]
        .iter()
        .any(|p| lower.starts_with(p))
}

fn french_typography_after(text: &str, before: Option<char>) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    // The character before the current one in the output, across calls.
    let mut previous = before;
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let next = chars.get(i + 1).map(|&(_, n)| n);
        // A URL runs to the next whitespace, untouched.
        if previous.is_none_or(|p| p.is_whitespace() || "(«<[\"'".contains(p))
            && starts_url(&text[at..])
        {
            while let Some(&(_, u)) = chars.get(i) {
                if u.is_whitespace() || u == '»' || u == '<' {
                    break;
                }
                out.push(u);
                previous = Some(u);
                i += 1;
            }
            continue;
        }
        match c {
            ':' | ';' | '!' | '?' => {
                let space = if c == ':' { NBSP } else { NNBSP };
                let digits_around = previous.is_some_and(|p| p.is_ascii_digit())
                    && next.is_some_and(|n| n.is_ascii_digit());
                // "a:b", "10:30" and "::" are not punctuation of a sentence.
                let ends_clause = next.is_none_or(|n| n.is_whitespace() || "!?;:»)\"".contains(n));
                let after_word =
                    previous.is_some_and(|p| !p.is_whitespace() && !"!?;:«(".contains(p));
                if out.ends_with(' ') && !digits_around {
                    out.pop();
                    out.push(space);
                } else if after_word && !digits_around && (c != ':' || ends_clause) {
                    out.push(space);
                }
                out.push(c);
            }
            '«' => {
                out.push(c);
                match next {
                    Some(' ') => {
                        out.push(NBSP);
                        i += 1;
                    }
                    Some(n) if !is_space(n) => out.push(NBSP),
                    _ => {}
                }
            }
            '»' => {
                if out.ends_with(' ') {
                    out.pop();
                    out.push(NBSP);
                } else if previous.is_some_and(|p| !is_space(p)) {
                    out.push(NBSP);
                }
                out.push(c);
            }
            c => out.push(c),
        }
        previous = out.chars().last();
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_before_double_punctuation_become_no_break_ones() {
        assert_eq!(
            french_typography("Attention : pas d’insultes ! Compris ? Oui ; merci."),
            "Attention\u{a0}: pas d’insultes\u{202f}! Compris\u{202f}? Oui\u{202f}; merci."
        );
        assert_eq!(
            french_typography("Attention: soyez courtois!"),
            "Attention\u{a0}: soyez courtois\u{202f}!"
        );
        assert_eq!(french_typography("Vraiment ?!"), "Vraiment\u{202f}?!");
    }

    #[test]
    fn guillemets_hold_their_words_with_no_break_spaces() {
        assert_eq!(
            french_typography("Le mot « pub » est banni, «spam» aussi."),
            "Le mot «\u{a0}pub\u{a0}» est banni, «\u{a0}spam\u{a0}» aussi."
        );
    }

    #[test]
    fn urls_times_and_ratios_are_left_alone() {
        let text = "Voir https://exemple.fr/a?b=c:d! et www.exemple.fr?x, à 10:30 ou 3:2.";
        assert_eq!(french_typography(text), text);
        let text = "(https://exemple.fr/?q=1) et «https://exemple.fr/?q»";
        assert_eq!(
            french_typography(text),
            "(https://exemple.fr/?q=1) et «\u{a0}https://exemple.fr/?q\u{a0}»"
        );
        assert_eq!(
            french_typography("Écrivez à mailto:contact@exemple.fr !"),
            "Écrivez à mailto:contact@exemple.fr\u{202f}!"
        );
    }

    #[test]
    fn text_already_written_right_is_unchanged() {
        let right = "Règle\u{a0}: «\u{a0}courtoisie\u{a0}»\u{202f}! Pourquoi\u{202f}? À 10:30.";
        assert_eq!(french_typography(right), right);
        assert_eq!(
            french_typography(&french_typography("Bon : ok ! « a »")),
            french_typography("Bon : ok ! « a »")
        );
    }

    #[test]
    fn markdown_renders_simple_formatting_in_french_but_not_in_code() {
        let html = markdown_to_html(
            "# Règles\n\nSoyez **courtois** !\n\n- Pas d’*insultes* : jamais.\n- Voir [la FAQ](https://exemple.fr/faq?x=1)\n\n`a ! b`",
            Lang::Fr,
        );
        assert!(html.contains("<h2>Règles</h2>"), "{html}");
        assert!(
            html.contains("<strong>courtois</strong>\u{202f}!"),
            "{html}"
        );
        assert!(
            html.contains("<li>Pas d’<em>insultes</em>&nbsp;: jamais.</li>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<a href=\"https://exemple.fr/faq?x=1\" rel=\"nofollow noopener\">la FAQ</a>"
            ),
            "{html}"
        );
        assert!(html.contains("<code>a ! b</code>"), "{html}");
        let english = markdown_to_html("Be **nice**!", Lang::En);
        assert_eq!(english.trim(), "<p>Be <strong>nice</strong>!</p>");
    }

    #[test]
    fn scripts_and_html_never_survive() {
        let html = markdown_to_html(
            "<script>alert(1)</script>\n\nHi <img src=x onerror=alert(2)> [x](javascript:alert(3)) <a href=\"javascript:alert(4)\">y</a>",
            Lang::En,
        );
        assert!(
            !html.contains("<script")
                && !html.contains("<img")
                && !html.contains("<a href=\"javascript"),
            "{html}"
        );
        assert!(!html.contains("<a href=\"javascript"), "{html}");
        assert!(
            html.contains("&lt;script&gt;"),
            "raw HTML is shown as text: {html}"
        );
    }
}
