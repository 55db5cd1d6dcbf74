//! What tribune writes into WordPress: the idempotency marker, the title and the post's HTML,
//! built from the composer's plain text.

use super::rest::bounded_text;
use crate::error::{ConnectorError, Result};
pub(super) use crate::html::escape;
use url::Url;

/// The longest idempotency key accepted; tribune's keys are far shorter.
const MAX_KEY_BYTES: usize = 100;

/// The longest title derived from the text.
pub(super) const MAX_TITLE_CHARS: usize = 100;

/// An idempotency key in a form that survives WordPress's search (split on spaces, quotes,
/// commas, `+`), its file-name sanitising and its slugs: the key itself when it is made of
/// `[a-z0-9-]`, otherwise `_` followed by its bytes in hex (`_` never appears in the first
/// form, so two keys never share a token).
pub(super) fn token(key: &str) -> Result<String> {
    if key.is_empty() || key.len() > MAX_KEY_BYTES {
        return Err(ConnectorError::invalid_input(format!(
            "the idempotency key must be 1 to {MAX_KEY_BYTES} bytes long"
        )));
    }
    if key
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Ok(key.to_string());
    }
    let mut hex = String::with_capacity(1 + key.len() * 2);
    hex.push('_');
    for b in key.bytes() {
        hex.push_str(&format!("{b:02x}"));
    }
    Ok(hex)
}

/// What is searched for to find a post or comment published under `token`.
pub(super) fn marker_search(token: &str) -> String {
    format!("tribune:{token}")
}

/// The invisible marker written at the end of a post's or comment's HTML.
pub(super) fn marker_comment(token: &str) -> String {
    format!("<!-- tribune:{token} -->")
}

/// Title (and, for uploads, file name stem) of the `index`-th image of the post `token`.
pub(super) fn media_title(token: &str, index: usize) -> String {
    format!("tribune-{token}-{index}")
}

/// The title as WordPress stores it (HTML: themes print it unescaped): the given title, or the
/// first line of the text, bounded, escaped.
pub(super) fn title(given: Option<&str>, text: &str) -> String {
    let plain = given
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .or_else(|| text.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("");
    escape(&bounded_text(plain, MAX_TITLE_CHARS))
}

/// An image or a video already uploaded to the media library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Figure {
    pub src: String,
    pub alt: String,
    /// A video (WordPress's video block markup) rather than an image.
    pub video: bool,
}

/// The post's HTML: the text as escaped paragraphs with its URLs linked, `link` on its own
/// paragraph (where WordPress embeds the URLs it knows) unless the text already has it, the
/// images as figures, then `marker`.
pub(super) fn post_html(
    text: &str,
    link: Option<&str>,
    figures: &[Figure],
    marker: &str,
) -> String {
    let mut html = paragraphs(text);
    if let Some(link) = link.map(str::trim).filter(|l| !l.is_empty())
        && !text.contains(link)
    {
        html.push_str(&format!("<p>{}</p>\n", escape(link)));
    }
    for figure in figures {
        if figure.video {
            // The video block's own markup, so the block editor opens it as a video block;
            // the description goes where a screen reader reads it (a video has no `alt`).
            let label = if figure.alt.trim().is_empty() {
                String::new()
            } else {
                format!(" aria-label=\"{}\"", escape(&figure.alt))
            };
            html.push_str(&format!(
                "<figure class=\"wp-block-video\"><video controls preload=\"metadata\" src=\"{}\"{label}></video></figure>\n",
                escape(&figure.src),
            ));
        } else {
            html.push_str(&format!(
                "<figure><img src=\"{}\" alt=\"{}\" /></figure>\n",
                escape(&figure.src),
                escape(&figure.alt)
            ));
        }
    }
    html.push_str(marker);
    html
}

/// A comment's HTML: paragraphs and links, then `marker`.
pub(super) fn comment_html(text: &str, marker: &str) -> String {
    let mut html = paragraphs(text);
    html.push_str(marker);
    html
}

/// Blank-line separated paragraphs, single newlines as `<br />`. A paragraph that is only a URL
/// stays a bare URL, which WordPress turns into an embed (or a link) when it displays the post.
fn paragraphs(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut html = String::new();
    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if is_url(para) {
            html.push_str(&format!("<p>{}</p>\n", escape(para)));
            continue;
        }
        let lines: Vec<String> = para.lines().map(|l| linkify(l.trim())).collect();
        html.push_str(&format!("<p>{}</p>\n", lines.join("<br />\n")));
    }
    html
}

fn is_url(s: &str) -> bool {
    !s.contains(char::is_whitespace)
        && (s.starts_with("http://") || s.starts_with("https://"))
        && Url::parse(s).is_ok()
}

/// Escapes `line` and turns its http(s) URLs into links.
fn linkify(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = find_url_start(rest) {
        out.push_str(&escape(&rest[..start]));
        let candidate = &rest[start..];
        let end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"'))
            .unwrap_or(candidate.len());
        let url = trim_trailing_punctuation(&candidate[..end]);
        if url.len() > "https://".len() && Url::parse(url).is_ok() {
            let url = escape(url);
            out.push_str(&format!("<a href=\"{url}\">{url}</a>"));
            rest = &candidate[url_len(&candidate[..end])..];
        } else {
            out.push_str(&escape(&candidate[..end]));
            rest = &candidate[end..];
        }
    }
    out.push_str(&escape(rest));
    out
}

fn url_len(raw: &str) -> usize {
    trim_trailing_punctuation(raw).len()
}

fn find_url_start(s: &str) -> Option<usize> {
    let http = s.find("http://");
    let https = s.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Sentence punctuation after a URL is not part of it; a closing parenthesis is, when the URL
/// opened one (Wikipedia links).
fn trim_trailing_punctuation(url: &str) -> &str {
    let mut url = url;
    loop {
        let Some(last) = url.chars().last() else {
            return url;
        };
        let strip = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | ']' | '}' => true,
            ')' => url.matches('(').count() < url.matches(')').count(),
            _ => false,
        };
        if !strip {
            return url;
        }
        url = &url[..url.len() - last.len_utf8()];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_search_and_filename_safe_and_distinct() {
        assert_eq!(token("3f2a-77").unwrap(), "3f2a-77");
        assert_eq!(token("A b").unwrap(), "_412062");
        assert_ne!(token("ab").unwrap(), token("AB").unwrap());
        assert!(token("").is_err());
        assert!(token(&"x".repeat(101)).is_err());
    }

    #[test]
    fn text_becomes_escaped_paragraphs_with_links() {
        let html = post_html(
            "Hello <b>you</b> & co\nsee https://ex.org/a?b=1&c=2.\n\nhttps://youtu.be/xyz",
            Some("https://youtu.be/xyz"),
            &[Figure {
                src: "https://blog.example/wp-content/uploads/a.png".into(),
                alt: "a \"red\" dot".into(),
                video: false,
            }],
            "<!-- tribune:k -->",
        );
        assert_eq!(
            html,
            "<p>Hello &lt;b&gt;you&lt;/b&gt; &amp; co<br />\nsee <a href=\"https://ex.org/a?b=1&amp;c=2\">https://ex.org/a?b=1&amp;c=2</a>.</p>\n\
             <p>https://youtu.be/xyz</p>\n\
             <figure><img src=\"https://blog.example/wp-content/uploads/a.png\" alt=\"a &quot;red&quot; dot\" /></figure>\n\
             <!-- tribune:k -->"
        );
    }

    #[test]
    fn a_video_becomes_a_video_block_with_its_description() {
        let figure = |alt: &str| Figure {
            src: "https://blog.example/wp-content/uploads/clip.mp4?a=1&b=2".into(),
            alt: alt.into(),
            video: true,
        };
        assert_eq!(
            post_html("Watch", None, &[figure("A \"cat\" <jumps>")], ""),
            "<p>Watch</p>\n<figure class=\"wp-block-video\"><video controls preload=\"metadata\" \
             src=\"https://blog.example/wp-content/uploads/clip.mp4?a=1&amp;b=2\" \
             aria-label=\"A &quot;cat&quot; &lt;jumps&gt;\"></video></figure>\n"
        );
        assert!(!post_html("", None, &[figure(" ")], "").contains("aria-label"));
    }

    #[test]
    fn a_link_missing_from_the_text_gets_its_own_paragraph() {
        let html = post_html("News", Some("https://ex.org/news"), &[], "");
        assert_eq!(html, "<p>News</p>\n<p>https://ex.org/news</p>\n");
    }

    #[test]
    fn hostile_urls_are_not_linked() {
        let html = linkify("javascript:alert(1) http://\"onmouseover=x (https://w.org/A_(b)).");
        assert!(!html.contains("href=\"javascript"), "{html}");
        assert!(!html.contains("\"onmouseover"), "{html}");
        assert!(html.contains("<a href=\"https://w.org/A_(b)\">"), "{html}");
    }

    #[test]
    fn titles_come_from_the_first_line_bounded_and_escaped() {
        assert_eq!(
            title(None, "\n  First <line>\nsecond"),
            "First &lt;line&gt;"
        );
        assert_eq!(title(Some("  "), "Body"), "Body");
        assert_eq!(title(Some("Given"), "Body"), "Given");
        let long = title(None, &"word ".repeat(100));
        assert!(long.chars().count() <= MAX_TITLE_CHARS, "{long}");
    }
}
