//! Publishing: posts with their images and videos, and replies (comments as the site's user),
//! each looked up by its idempotency marker before anything is created.
//!
//! A video is uploaded to the media library like an image (raw body, `Content-Disposition`
//! file name; WordPress takes MP4, MOV and WebM by default) and embedded in the body as a video
//! block; it never becomes the featured image. Its description is set as the attachment's
//! `alt_text` and written as the player's `aria-label`.

use super::WordPressConnector;
use super::content::{self, Figure};
use super::inbox::{Ref, Rendered};
use super::rest::{json, web_url};
use crate::error::{ConnectorError, Result};
use crate::model::{PostRequest, PublishedPost};
use reqwest::Method;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use serde::Deserialize;
use std::collections::BTreeMap;

/// How many posts or comments a marker search reads; a marker is unique, so one is expected.
const MARKER_SEARCH_PAGE: &str = "20";

/// A post or comment as created or found (the fields read).
#[derive(Debug, Deserialize)]
struct Created {
    id: u64,
    #[serde(default)]
    link: String,
    #[serde(default)]
    content: Rendered,
}

/// A media library item (the fields read).
#[derive(Debug, Deserialize)]
struct Media {
    id: u64,
    #[serde(default)]
    source_url: String,
    #[serde(default)]
    alt_text: String,
    #[serde(default)]
    title: Rendered,
}

impl WordPressConnector {
    /// Creates the post unless one carrying its marker exists (in any status but trash):
    /// images first (reusing those uploaded by an earlier attempt), then the post itself.
    pub(super) async fn publish_post(&self, post: &PostRequest) -> Result<PublishedPost> {
        let token = content::token(&post.idempotency_key)?;
        if post.text.trim().is_empty()
            && post.images.is_empty()
            && post.videos.is_empty()
            && post.link.is_none()
        {
            return Err(ConnectorError::invalid_input("the post is empty"));
        }
        let files = Upload::of(post);
        for file in &files {
            extension(file.mime)?;
            if file.bytes.is_empty() {
                return Err(ConnectorError::invalid_input("an attached file is empty"));
            }
        }
        if !self.api().await?.me.can("publish_posts") {
            return Err(ConnectorError::permanent(super::CANNOT_PUBLISH));
        }
        if let Some(found) = self.find_marked("/wp/v2/posts", &token).await? {
            return Ok(found);
        }
        let uploaded = self.upload_media(&token, &files).await?;
        let figures: Vec<Figure> = uploaded.iter().map(|(_, f)| f.clone()).collect();
        let mut body = serde_json::json!({
            "title": content::title(post.title.as_deref(), &post.text),
            "content": content::post_html(
                &post.text,
                post.link.as_deref(),
                &figures,
                &content::marker_comment(&token),
            ),
            "status": "publish",
        });
        if let Some((id, _)) = uploaded.iter().find(|(_, f)| !f.video) {
            body["featured_media"] = serde_json::json!(id);
        }
        // Not retried in place: a lost answer is found by its marker on the next attempt.
        let response = self.post_json("/wp/v2/posts", &body, false).await?;
        Ok(published(Ref::Post, json(&response)?))
    }

    /// Comments on a post, or answers a comment, as the connected user.
    pub(super) async fn publish_reply(
        &self,
        to: Ref,
        reply: &PostRequest,
    ) -> Result<PublishedPost> {
        let token = content::token(&reply.idempotency_key)?;
        if !reply.images.is_empty() || !reply.videos.is_empty() {
            return Err(ConnectorError::invalid_input(
                "WordPress comments cannot carry images or videos",
            ));
        }
        let mut text = reply.text.trim().to_string();
        if let Some(link) = reply.link.as_deref().map(str::trim)
            && !link.is_empty()
            && !text.contains(link)
        {
            text = format!("{text}\n\n{link}");
        }
        if text.is_empty() {
            return Err(ConnectorError::invalid_input("the reply is empty"));
        }
        if let Some(found) = self.find_marked("/wp/v2/comments", &token).await? {
            return Ok(found);
        }
        let (post, parent) = match to {
            Ref::Post(id) => (id, 0),
            Ref::Comment(id) => (self.post_of_comment(id).await?, id),
        };
        let body = serde_json::json!({
            "post": post,
            "parent": parent,
            "content": content::comment_html(&text, &content::marker_comment(&token)),
        });
        let response = self.post_json("/wp/v2/comments", &body, false).await?;
        Ok(published(Ref::Comment, json(&response)?))
    }

    /// The post or comment under `route` whose raw content holds the marker of `token`, in
    /// any status (drafts, pending, scheduled, held, spam…) except deleted.
    async fn find_marked(&self, route: &str, token: &str) -> Result<Option<PublishedPost>> {
        let search = content::marker_search(token);
        let marker = content::marker_comment(token);
        let response = self
            .get(
                route,
                &[
                    ("search", &search),
                    ("status", "any"),
                    ("context", "edit"),
                    ("per_page", MARKER_SEARCH_PAGE),
                    // Comments only honour `content` whole, not `content.raw`.
                    ("_fields", "id,link,content"),
                ],
            )
            .await?;
        let found: Vec<Created> = json(&response)?;
        let kind = if route.contains("comments") {
            Ref::Comment
        } else {
            Ref::Post
        };
        Ok(found
            .into_iter()
            .find(|c| {
                c.content
                    .raw
                    .as_deref()
                    .is_some_and(|r| r.contains(&marker))
            })
            .map(|c| published(kind, c)))
    }

    async fn post_of_comment(&self, id: u64) -> Result<u64> {
        #[derive(Deserialize)]
        struct Parent {
            post: u64,
        }
        let route = format!("/wp/v2/comments/{id}");
        let response = self
            .get(&route, &[("context", "edit"), ("_fields", "id,post")])
            .await?;
        let parent: Parent = json(&response)?;
        if parent.post == 0 {
            return Err(ConnectorError::permanent(
                "this WordPress comment belongs to no post",
            ));
        }
        Ok(parent.post)
    }

    /// Uploads the images then the videos (titled `tribune-<token>-<index>`, in that order)
    /// and sets their alt text. Files an earlier attempt uploaded under the same titles are
    /// reused rather than uploaded again.
    async fn upload_media(&self, token: &str, files: &[Upload<'_>]) -> Result<Vec<(u64, Figure)>> {
        if files.is_empty() {
            return Ok(Vec::new());
        }
        let mut existing = self.find_media(token).await?;
        let mut out = Vec::with_capacity(files.len());
        for (index, file) in files.iter().enumerate() {
            let title = content::media_title(token, index);
            let media = match existing.remove(&title) {
                Some(media) => media,
                None => self.upload(&title, file).await?,
            };
            if media.alt_text != file.alt {
                let route = format!("/wp/v2/media/{}", media.id);
                self.post_json(&route, &serde_json::json!({ "alt_text": file.alt }), true)
                    .await?;
            }
            let src = web_url(&media.source_url).ok_or_else(|| {
                ConnectorError::invalid_response("WordPress gave no address for the file")
            })?;
            out.push((
                media.id,
                Figure {
                    src,
                    alt: file.alt.to_string(),
                    video: file.video,
                },
            ));
        }
        Ok(out)
    }

    /// This post's images already in the media library, by title.
    async fn find_media(&self, token: &str) -> Result<BTreeMap<String, Media>> {
        let prefix = format!("tribune-{token}-");
        let search = format!("tribune-{token}");
        let response = self
            .get(
                "/wp/v2/media",
                &[
                    ("search", &search),
                    ("context", "edit"),
                    ("per_page", "100"),
                    ("_fields", "id,source_url,alt_text,title.raw"),
                ],
            )
            .await?;
        let found: Vec<Media> = json(&response)?;
        Ok(found
            .into_iter()
            .filter_map(|m| {
                let title = m.title.raw.clone()?;
                title.starts_with(&prefix).then_some((title, m))
            })
            .collect())
    }

    async fn upload(&self, title: &str, file: &Upload<'_>) -> Result<Media> {
        let ext = extension(file.mime)?;
        let url = self
            .api()
            .await?
            .base
            .url("/wp/v2/media", &[("title", title)]);
        let request = self
            .request(Method::POST, url)
            .header(CONTENT_TYPE, file.mime.to_ascii_lowercase())
            .header(
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{title}.{ext}\""),
            )
            .body(file.bytes.to_vec());
        // Not retried in place: a lost answer leaves an upload that the next attempt reuses.
        let response = self.send(request, false).await?;
        json(&response)
    }
}

/// One file to upload: an image or a video, with its description.
struct Upload<'a> {
    bytes: &'a [u8],
    mime: &'a str,
    alt: &'a str,
    video: bool,
}

impl<'a> Upload<'a> {
    /// The post's images, then its videos: the order of their titles' indexes.
    fn of(post: &'a PostRequest) -> Vec<Upload<'a>> {
        let images = post.images.iter().map(|i| Upload {
            bytes: &i.bytes,
            mime: &i.mime,
            alt: &i.alt,
            video: false,
        });
        let videos = post.videos.iter().map(|v| Upload {
            bytes: &v.bytes,
            mime: &v.mime,
            alt: &v.alt,
            video: true,
        });
        images.chain(videos).collect()
    }
}

fn published(kind: fn(u64) -> Ref, created: Created) -> PublishedPost {
    PublishedPost {
        remote_ref: kind(created.id).remote(),
        url: web_url(&created.link),
    }
}

/// The file extension WordPress expects for a type it accepts by default (its
/// `wp_get_mime_types`: the file name's extension must match the content).
fn extension(mime: &str) -> Result<&'static str> {
    match mime.trim().to_ascii_lowercase().as_str() {
        "image/jpeg" | "image/jpg" => Ok("jpg"),
        "image/png" => Ok("png"),
        "image/gif" => Ok("gif"),
        "image/webp" => Ok("webp"),
        "video/mp4" => Ok("mp4"),
        "video/quicktime" => Ok("mov"),
        "video/webm" => Ok("webm"),
        other => Err(ConnectorError::invalid_input(format!(
            "WordPress takes JPEG, PNG, GIF or WebP images and MP4, MOV or WebM videos, not {other}"
        ))),
    }
}
