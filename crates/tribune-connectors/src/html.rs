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

/// Most links taken from one item: a comment is not a link farm we must index whole.
pub const MAX_LINKS: usize = 32;

/// The http(s) addresses of the links in `html`, in order, without repeats, at most
/// [`MAX_LINKS`]. Links that name an account or a hashtag (Mastodon's `class="mention"`,
/// `class="hashtag"`, `rel="tag"`) are not links to a site and are left out. The address
/// is the `href`, not the text shown: networks shorten the text ("example.com/art…").
pub fn links(html: &str) -> Vec<String> {
    // ammonia parses and re-serialises: afterwards every tag is `<a attr="value" …>` with
    // `"` and `&` escaped in values, which a plain scan can read reliably.
    let normalised = ammonia::Builder::empty()
        .add_tags(["a"])
        .add_tag_attributes("a", ["href", "class", "rel"])
        .url_schemes(["http", "https"].into_iter().collect())
        .link_rel(None)
        .url_relative(ammonia::UrlRelative::Deny)
        .clean(bounded(html))
        .to_string();
    let mut out: Vec<String> = Vec::new();
    let mut rest = normalised.as_str();
    while let Some(start) = rest.find("<a ") {
        let tag_end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        let tag = &rest[start..tag_end];
        rest = &rest[tag_end..];
        let attr = |name: &str| -> Option<String> {
            let from = tag.find(&format!(" {name}=\""))? + name.len() + 3;
            let len = tag[from..].find('"')?;
            Some(decode_entities(&tag[from..from + len]))
        };
        let class = attr("class").unwrap_or_default();
        let rel = attr("rel").unwrap_or_default();
        let names_an_account_or_tag = class
            .split_whitespace()
            .any(|c| c == "mention" || c == "hashtag")
            || rel.split_whitespace().any(|r| r == "tag");
        if names_an_account_or_tag {
            continue;
        }
        if let Some(href) = attr("href")
            && (href.starts_with("https://") || href.starts_with("http://"))
            && !out.contains(&href)
        {
            out.push(href);
            if out.len() == MAX_LINKS {
                break;
            }
        }
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
    fn links_are_the_hrefs_not_the_shortened_text() {
        let html = r#"<p>Lisez <a href="https://www.acme.com/blog/2026/une-tres-longue-adresse?x=1&amp;y=2" rel="nofollow noopener" target="_blank"><span class="invisible">https://www.</span><span class="ellipsis">acme.com/blog/2026/une-tre</span></a>
            merci <span class="h-card"><a href="https://mastodon.social/@bob" class="u-url mention">@<span>bob</span></a></span>
            <a href="https://mastodon.social/tags/fibre" class="mention hashtag" rel="tag">#<span>fibre</span></a>
            <a href="javascript:alert(1)">x</a> <a href="/relative">y</a> <a href='http://evil.example/"q'>z</a>
            <a href="https://www.acme.com/blog/2026/une-tres-longue-adresse?x=1&amp;y=2">again</a></p>"#;
        assert_eq!(
            links(html),
            [
                "https://www.acme.com/blog/2026/une-tres-longue-adresse?x=1&y=2",
                "http://evil.example/\"q",
            ]
        );
        assert!(links("plain text, https://not-a-tag.example").is_empty());
        let many: String = (0..100)
            .map(|i| format!("<a href=\"https://e{i}.example/\">{i}</a>"))
            .collect();
        assert_eq!(links(&many).len(), MAX_LINKS);
    }

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
