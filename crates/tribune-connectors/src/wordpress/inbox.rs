//! WordPress comments: read into the inbox (by cursor), moderated, and the references tribune
//! keeps to posts and comments.

use super::rest::{bounded_text, json, total_header, web_url};
use super::{MAX_INBOX_PAGES, PAGE_SIZE, WordPressConnector};
use crate::error::{ConnectorError, Result};
use crate::html;
use crate::model::{
    Author, CommentStatus, Cursor, InboxItem, InboxKind, InboxPage, Moderation, RemotePost,
    RemoteRef, bounded_raw,
};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// A post or a comment on the site: `post:<id>` / `comment:<id>`, WordPress's numeric ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ref {
    Post(u64),
    Comment(u64),
}

impl Ref {
    pub(super) fn parse(remote: &RemoteRef) -> Result<Ref> {
        let invalid = || {
            ConnectorError::invalid_input(format!("not a WordPress post or comment: {}", remote.0))
        };
        let (kind, id) = remote.0.split_once(':').ok_or_else(invalid)?;
        let id: u64 = id.parse().map_err(|_| invalid())?;
        if id == 0 {
            return Err(invalid());
        }
        match kind {
            "post" => Ok(Ref::Post(id)),
            "comment" => Ok(Ref::Comment(id)),
            _ => Err(invalid()),
        }
    }

    pub(super) fn remote(self) -> RemoteRef {
        RemoteRef(match self {
            Ref::Post(id) => format!("post:{id}"),
            Ref::Comment(id) => format!("comment:{id}"),
        })
    }
}

/// The longest author name kept.
const MAX_NAME_CHARS: usize = 100;

/// A comment as `GET /wp/v2/comments?context=edit` returns it (the fields tribune reads).
#[derive(Debug, Deserialize)]
pub(super) struct WpComment {
    pub id: u64,
    #[serde(default)]
    pub post: u64,
    #[serde(default)]
    pub parent: u64,
    /// The WordPress user who wrote it, 0 for a visitor.
    #[serde(default)]
    pub author: u64,
    #[serde(default)]
    pub author_name: String,
    #[serde(default)]
    pub author_url: String,
    #[serde(default)]
    pub author_avatar_urls: BTreeMap<String, String>,
    #[serde(default)]
    pub date_gmt: String,
    #[serde(default)]
    pub content: Rendered,
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Rendered {
    #[serde(default)]
    pub rendered: String,
    #[serde(default)]
    pub raw: Option<String>,
}

/// A post as `GET /wp/v2/posts/:id?_embed=author` returns it (the fields the inbox shows).
#[derive(Debug, Deserialize)]
pub(super) struct WpPost {
    pub id: u64,
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub title: Rendered,
    #[serde(default)]
    pub excerpt: Rendered,
    #[serde(default)]
    pub date_gmt: String,
    #[serde(default)]
    pub author: u64,
    #[serde(default, rename = "_embedded")]
    pub embedded: Option<Embedded>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Embedded {
    #[serde(default)]
    pub author: Vec<serde_json::Value>,
}

/// The longest excerpt of an original post kept.
const MAX_EXCERPT_CHARS: usize = 2_000;

impl WpPost {
    /// The post for the inbox: title, then excerpt, plain; by its author (the site's `handle`
    /// when WordPress does not show them).
    pub(super) fn remote(&self, site: &str, handle: &str) -> RemotePost {
        let title = bounded_text(&html::to_text(&self.title.rendered), MAX_NAME_CHARS * 3);
        let excerpt = bounded_text(&html::to_text(&self.excerpt.rendered), MAX_EXCERPT_CHARS);
        let text = match (title.is_empty(), excerpt.is_empty()) {
            (false, false) => format!("{title}\n{excerpt}"),
            (false, true) => title,
            (true, _) => excerpt,
        };
        let shown = self
            .embedded
            .as_ref()
            .and_then(|e| e.author.first())
            .filter(|a| a.get("id").and_then(serde_json::Value::as_u64) == Some(self.author));
        let name = shown
            .and_then(|a| a.get("name"))
            .and_then(serde_json::Value::as_str)
            .map(|n| bounded_text(&html::to_text(n), MAX_NAME_CHARS))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| handle.to_string());
        RemotePost {
            remote_ref: Ref::Post(self.id).remote(),
            author: Author {
                remote_id: (self.author != 0).then(|| format!("{site}#{}", self.author)),
                handle: name.clone(),
                display_name: name,
                avatar_url: shown
                    .and_then(|a| a.get("avatar_urls"))
                    .and_then(|a| serde_json::from_value(a.clone()).ok())
                    .and_then(|urls| largest_avatar(&urls)),
                profile_url: shown
                    .and_then(|a| a.get("link"))
                    .and_then(serde_json::Value::as_str)
                    .and_then(web_url),
            },
            text,
            url: web_url(&self.link),
            created_at: gmt_seconds(&self.date_gmt).unwrap_or(0),
        }
    }
}

/// WordPress's comment status, as the REST API names it.
pub(super) fn status(wp: &str) -> CommentStatus {
    match wp {
        "approved" | "approve" | "1" => CommentStatus::Visible,
        "spam" => CommentStatus::Spam,
        "trash" | "post-trashed" => CommentStatus::Trashed,
        // "hold", "unapproved", "0", and anything a plugin invents: not public.
        _ => CommentStatus::Held,
    }
}

/// The largest avatar WordPress offers (sizes are the keys: "24", "48", "96").
pub(super) fn largest_avatar(urls: &BTreeMap<String, String>) -> Option<String> {
    urls.iter()
        .filter_map(|(size, url)| Some((size.parse::<u32>().ok()?, url)))
        .max_by_key(|(size, _)| *size)
        .and_then(|(_, url)| web_url(url))
}

/// The inbox item for `raw`, a comment; `site` prefixes WordPress user ids as in
/// [`crate::ChannelProfile::remote_id`], so the CM's own comments can be recognised.
pub(super) fn item(raw: &serde_json::Value, site: &str) -> Result<InboxItem> {
    // serde's message can quote the comment, which is not ours to show: logged, not kept.
    let c: WpComment = serde_json::from_value(raw.clone()).map_err(|e| {
        tracing::debug!(error = %e, "unreadable WordPress comment");
        ConnectorError::invalid_response("unexpected comment from WordPress")
    })?;
    let name = bounded_text(&html::to_text(&c.author_name), MAX_NAME_CHARS);
    let name = if name.is_empty() {
        "Anonymous".to_string()
    } else {
        name
    };
    let root = (c.post != 0).then_some(Ref::Post(c.post).remote());
    let in_reply_to = if c.parent != 0 {
        Some(Ref::Comment(c.parent).remote())
    } else {
        root.clone()
    };
    Ok(InboxItem {
        remote_ref: Ref::Comment(c.id).remote(),
        kind: InboxKind::Comment,
        in_reply_to,
        root,
        author: Author {
            remote_id: (c.author != 0).then(|| format!("{site}#{}", c.author)),
            handle: name.clone(),
            display_name: name,
            avatar_url: largest_avatar(&c.author_avatar_urls),
            profile_url: web_url(&c.author_url),
        },
        text: html::to_text(&c.content.rendered),
        html: Some(html::sanitize(&c.content.rendered)),
        url: web_url(&c.link),
        links: links(&c),
        // WordPress comments carry no attachments.
        images: Vec::new(),
        created_at: gmt_seconds(&c.date_gmt).unwrap_or_else(crate::http::now),
        status: status(&c.status),
        raw: bounded_raw(raw),
    })
}

/// The links in a comment's text. The commenter's website (`author_url`) is not one: it is
/// the author's, shown with the name ([`Author::profile_url`]).
fn links(c: &WpComment) -> Vec<String> {
    html::links(&c.content.rendered)
}

/// WordPress's `date_gmt` (`2026-11-25T03:08:33`, no offset) as Unix seconds.
fn gmt_seconds(date: &str) -> Option<i64> {
    let civil: jiff::civil::DateTime = date.trim().parse().ok()?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_second())
}

impl WordPressConnector {
    /// Newest comments first, page after page, until the cursor's comment id is reached
    /// (comment ids only grow; WordPress has no `since_id`). All statuses (`status=any`), so
    /// the moderation queue and spam are seen too.
    pub(super) async fn comments_since(&self, since: Option<&Cursor>) -> Result<InboxPage> {
        let since_id = match since {
            Some(cursor) => Some(cursor.0.trim().parse::<u64>().map_err(|_| {
                ConnectorError::invalid_input(format!("not a WordPress cursor: {}", cursor.0))
            })?),
            None => None,
        };
        let site = self.site_id();
        let per_page = PAGE_SIZE.to_string();
        let mut seen = BTreeSet::new();
        let mut items = Vec::new();
        let max_pages = if since_id.is_some() {
            MAX_INBOX_PAGES
        } else {
            1
        };
        let mut page = 1;
        'pages: while page <= max_pages {
            let page_str = page.to_string();
            let response = self
                .get(
                    "/wp/v2/comments",
                    &[
                        ("context", "edit"),
                        ("status", "any"),
                        ("orderby", "id"),
                        ("order", "desc"),
                        ("per_page", &per_page),
                        ("page", &page_str),
                    ],
                )
                .await?;
            let comments: Vec<serde_json::Value> = json(&response)?;
            let total_pages = total_header(&response, "x-wp-totalpages").unwrap_or(page);
            for raw in &comments {
                let item = item(raw, &site)?;
                let id = Ref::parse(&item.remote_ref)
                    .ok()
                    .and_then(|r| match r {
                        Ref::Comment(id) => Some(id),
                        Ref::Post(_) => None,
                    })
                    .unwrap_or(0);
                if since_id.is_some_and(|since| id <= since) {
                    break 'pages;
                }
                if seen.insert(id) {
                    items.push((id, item));
                }
            }
            if comments.is_empty() || page >= total_pages {
                break;
            }
            page += 1;
        }
        if page > max_pages && since_id.is_some() {
            tracing::warn!(
                site = %site,
                "more than {} new WordPress comments since the last fetch; older ones skipped",
                MAX_INBOX_PAGES * PAGE_SIZE
            );
        }
        items.sort_by_key(|(id, _)| *id);
        let newest = items.last().map(|(id, _)| *id).or(since_id);
        Ok(InboxPage {
            items: items.into_iter().map(|(_, item)| item).collect(),
            cursor: newest.map(|id| Cursor(id.to_string())),
        })
    }

    /// Approve, hold, spam and trash set the comment's status (hide = hold, unhide =
    /// approve); delete removes it for good. Setting the status it already has is a no-op
    /// (WordPress itself answers an error then).
    pub(super) async fn moderate_comment(
        &self,
        item: &RemoteRef,
        action: Moderation,
    ) -> Result<()> {
        let Ref::Comment(id) = Ref::parse(item)? else {
            return Err(ConnectorError::invalid_input(
                "only comments can be moderated on WordPress",
            ));
        };
        let route = format!("/wp/v2/comments/{id}");
        let (wanted, current_names): (&str, &[&str]) = match action {
            Moderation::Delete => return self.delete(&route).await,
            Moderation::Approve | Moderation::Unhide => ("approved", &["approved"]),
            Moderation::Hold | Moderation::Hide => ("hold", &["hold", "unapproved"]),
            Moderation::Spam => ("spam", &["spam"]),
            Moderation::Trash => ("trash", &["trash"]),
        };
        let current = self.comment_status(id).await?;
        if current_names.contains(&current.as_str()) {
            return Ok(());
        }
        self.post_json(&route, &serde_json::json!({ "status": wanted }), true)
            .await?;
        Ok(())
    }

    /// The post (or page) a comment is on, or the post itself: its title and excerpt as text,
    /// by its author as the site names them (`_embed=author`; the site's name when not shown).
    pub(super) async fn post_of(&self, of: &RemoteRef) -> Result<RemotePost> {
        #[derive(Deserialize)]
        struct OnPost {
            #[serde(default)]
            post: u64,
        }
        let id = match Ref::parse(of)? {
            Ref::Post(id) => id,
            Ref::Comment(id) => {
                let route = format!("/wp/v2/comments/{id}");
                let response = self
                    .get(&route, &[("context", "edit"), ("_fields", "id,post")])
                    .await?;
                match json::<OnPost>(&response)?.post {
                    0 => {
                        return Err(ConnectorError::permanent(
                            "this WordPress comment is on no post",
                        ));
                    }
                    post => post,
                }
            }
        };
        let query = [
            ("context", "view"),
            ("_embed", "author"),
            (
                "_fields",
                "id,link,title,excerpt,date_gmt,author,_links,_embedded",
            ),
        ];
        // Comments can be on pages too (and pages have the same fields).
        let response = match self.get(&format!("/wp/v2/posts/{id}"), &query).await {
            Err(e) if e.status == Some(404) => {
                self.get(&format!("/wp/v2/pages/{id}"), &query).await?
            }
            other => other?,
        };
        let post: WpPost = json(&response)?;
        Ok(post.remote(&self.site_id(), &self.handle()))
    }

    /// The current WordPress status of a comment (`approved`, `hold`, `spam`, `trash`).
    async fn comment_status(&self, id: u64) -> Result<String> {
        #[derive(Deserialize)]
        struct Status {
            #[serde(default)]
            status: String,
        }
        let route = format!("/wp/v2/comments/{id}");
        let response = self
            .get(&route, &[("context", "edit"), ("_fields", "id,status")])
            .await?;
        Ok(json::<Status>(&response)?.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_round_trip_and_reject_garbage() {
        for r in [Ref::Post(12), Ref::Comment(7)] {
            assert_eq!(Ref::parse(&r.remote()).unwrap(), r);
        }
        for bad in ["post:", "post:0", "post:-1", "page:3", "12", "comment:1:2"] {
            assert!(Ref::parse(&RemoteRef(bad.into())).is_err(), "{bad}");
        }
    }

    #[test]
    fn hostile_comments_come_out_plain_and_sanitised() {
        let raw = serde_json::json!({
            "id": 10, "post": 9, "parent": 4, "author": 0,
            "author_name": "<script>alert(1)</script>Eve &amp; co",
            "author_url": "javascript:alert(1)",
            "author_avatar_urls": {"24": "https://a.example/24", "96": "https://a.example/96", "x": "javascript:1"},
            "date_gmt": "2026-11-25T03:08:33",
            "content": {"rendered": "<p>hi <script>alert(1)</script><a href=\"javascript:alert(1)\">x</a></p>"},
            "link": "http://blog.example/2026/11/probe/#comment-10",
            "status": "hold"
        });
        let item = item(&raw, "http://blog.example").unwrap();
        assert_eq!(item.remote_ref.0, "comment:10");
        assert_eq!(item.in_reply_to.unwrap().0, "comment:4");
        assert_eq!(item.root.unwrap().0, "post:9");
        assert_eq!(item.author.display_name, "Eve & co");
        assert_eq!(item.author.profile_url, None);
        assert_eq!(item.author.remote_id, None);
        assert_eq!(
            item.author.avatar_url.as_deref(),
            Some("https://a.example/96")
        );
        assert_eq!(item.status, CommentStatus::Held);
        assert_eq!(item.created_at, 1_795_576_113);
        let html = item.html.unwrap();
        assert!(
            !html.contains("script") && !html.contains("javascript"),
            "{html}"
        );
        assert!(!item.text.contains('<'), "{}", item.text);
    }

    #[test]
    fn an_original_post_is_its_title_and_excerpt_as_text_by_its_shown_author() {
        let raw = serde_json::json!({
            "id": 9, "author": 2, "date_gmt": "2026-11-25T03:08:33",
            "link": "http://blog.example/2026/11/roses/",
            "title": {"rendered": "Roses <script>alert(1)</script>&amp; houx"},
            "excerpt": {"rendered": "<p>Nos bouquets <a href=\"javascript:alert(1)\">de Noël</a>&hellip;</p>"},
            "_embedded": {"author": [{"id": 2, "name": "Fleuriste <b>Rose</b>", "link": "javascript:alert(1)",
                "avatar_urls": {"96": "https://a.example/96"}}]}
        });
        let post: WpPost = serde_json::from_value(raw).unwrap();
        let original = post.remote("http://blog.example", "blog.example");
        assert_eq!(original.remote_ref.0, "post:9");
        assert_eq!(original.text, "Roses & houx\nNos bouquets de Noël…");
        assert_eq!(original.author.display_name, "Fleuriste Rose");
        assert_eq!(
            original.author.remote_id.as_deref(),
            Some("http://blog.example#2")
        );
        assert_eq!(original.author.profile_url, None, "not an http(s) address");
        assert_eq!(
            original.url.as_deref(),
            Some("http://blog.example/2026/11/roses/")
        );
        assert_eq!(original.created_at, 1_795_576_113);
        // An embedded author who is not the post's, or none: the site.
        let post: WpPost = serde_json::from_value(serde_json::json!({
            "id": 9, "author": 3, "_embedded": {"author": [{"id": 2, "name": "Someone else"}]}
        }))
        .unwrap();
        let original = post.remote("http://blog.example", "blog.example");
        assert_eq!(original.author.display_name, "blog.example");
        assert_eq!(original.text, "");
        assert_eq!(original.url, None);
    }

    #[test]
    fn a_comments_links_are_its_hrefs_not_the_authors_site() {
        let raw = serde_json::json!({
            "id": 11, "post": 9, "author": 0, "author_name": "Spam",
            "author_url": "https://casino.example/",
            "content": {"rendered": "<p>Super article ! Voir <a href=\"https://promo.example/bonus?ref=1&#038;x=2\" rel=\"nofollow ugc\">ici</a> et https://shown.example</p>"},
            "status": "hold"
        });
        let item = item(&raw, "http://blog.example").unwrap();
        assert_eq!(item.links, ["https://promo.example/bonus?ref=1&x=2"]);
        assert_eq!(
            item.author.profile_url.as_deref(),
            Some("https://casino.example/")
        );
    }

    #[test]
    fn statuses_map_to_the_inbox() {
        assert_eq!(status("approved"), CommentStatus::Visible);
        assert_eq!(status("hold"), CommentStatus::Held);
        assert_eq!(status("spam"), CommentStatus::Spam);
        assert_eq!(status("trash"), CommentStatus::Trashed);
        assert_eq!(status("whatever"), CommentStatus::Held);
    }
}
