//! HTML from a network is never trusted: it is sanitised before anyone sees it, and turned into
//! plain text for classifiers, search and previews.

use std::collections::HashSet;

/// The longest HTML accepted from a network for one item; longer is cut before parsing.
pub const MAX_HTML_BYTES: usize = 64 * 1024;

/// A safe subset of HTML: paragraphs, line breaks, emphasis, lists, quotes, code and links
/// (http/https/mailto only, `rel="noopener noreferrer nofollow ugc"`). Everything else —
/// scripts, styles, event handlers, images, iframes — is removed.
pub fn sanitize(html: &str) -> String {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "a",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "s",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "span",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .tags(tags)
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .clean(bounded(html))
        .to_string()
}

/// The text a person reads in `html`: tags dropped, paragraphs and line breaks kept as newlines,
/// entities decoded, whitespace runs collapsed.
pub fn to_text(html: &str) -> String {
    let html = bounded(html)
        .replace("<br>", "\n")
        .replace("<br/>", "\n")
        .replace("<br />", "\n")
        .replace("</p>", "</p>\n\n");
    let stripped = ammonia::Builder::empty().clean(&html).to_string();
    let text = decode_entities(&stripped);
    let mut out = String::with_capacity(text.len());
    let mut blank_lines = 0;
    for line in text.lines() {
        // ASCII whitespace only: a French no-break space before `!` or `:` stays.
        let line = line
            .split(|c: char| c.is_ascii_whitespace())
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if line.is_empty() {
            blank_lines += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_lines > 0 { "\n\n" } else { "\n" });
        }
        blank_lines = 0;
        out.push_str(&line);
    }
    out
}

/// Escapes text for HTML element content and quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn bounded(html: &str) -> &str {
    if html.len() <= MAX_HTML_BYTES {
        return html;
    }
    let mut end = MAX_HTML_BYTES;
    while !html.is_char_boundary(end) {
        end -= 1;
    }
    &html[..end]
}

/// Decodes the entities ammonia writes in text (it escapes `& < > " '`) plus the common named
/// and numeric ones networks send.
fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let decoded = after.find(';').filter(|end| *end <= 10).and_then(|end| {
            let entity = &after[1..end];
            let ch = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            }?;
            Some((ch, end + 1))
        });
        match decoded {
            Some((ch, len)) => {
                out.push(ch);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let hostile = r#"<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">me</a> <a href="https://ok.example">ok</a><img src=x onerror=alert(1)><iframe src="https://evil"></iframe></p>"#;
        let clean = sanitize(hostile);
        for bad in [
            "script",
            "onclick",
            "javascript",
            "onerror",
            "iframe",
            "<img",
        ] {
            assert!(!clean.contains(bad), "{bad} survived in {clean}");
        }
        assert!(clean.contains(r#"href="https://ok.example""#), "{clean}");
        assert!(clean.contains("nofollow"), "{clean}");
    }

    #[test]
    fn mastodon_html_reads_as_plain_text() {
        let html = r#"<p><span class="h-card"><a href="https://m.example/@cm" class="u-url mention">@<span>cm</span></a></span> Merci &amp; bravo&nbsp;!</p><p>Deuxième<br />ligne &lt;3 &#233;t&#xE9;</p>"#;
        assert_eq!(
            to_text(html),
            "@cm Merci & bravo\u{a0}!\n\nDeuxième\nligne <3 été"
        );
    }

    #[test]
    fn huge_html_is_cut_before_parsing() {
        let html = "<p>".repeat(100_000) + "é";
        assert!(to_text(&html).len() <= MAX_HTML_BYTES);
        // Closing tags at most double the bounded input.
        assert!(sanitize(&html).len() <= MAX_HTML_BYTES * 3);
    }

    #[test]
    fn stray_ampersands_survive_decoding() {
        assert_eq!(
            decode_entities("A & B &bogus; &#xZZ;"),
            "A & B &bogus; &#xZZ;"
        );
    }
}
