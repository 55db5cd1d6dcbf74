//! Publishing: images uploaded first (with their alt text), then the status, sent with an
//! `Idempotency-Key` so that a retry returns the status already made instead of a second one.
//!
//! Mastodon remembers an `Idempotency-Key` for one hour (per account). A retry within the hour
//! — the shared client's own retries, a job retried after a timeout or a crash — cannot
//! duplicate. A retry *after* an hour of a request that had in fact succeeded (its answer
//! lost) would post again. We decided against looking for "the same text" among the
//! account's recent statuses before posting: nothing on a status carries the key, so that
//! check could only compare texts, and it would silently swallow a legitimately repeated post
//! (a weekly "Bon week-end !") — worse than the rare late duplicate. The job queue should
//! keep its first retries within the hour.
//!
//! Images uploaded by an attempt whose status was then not posted stay unattached on the
//! instance, which deletes unattached media after a day.

use super::{MastodonConnector, api, classify, status_id};
use crate::error::{ConnectorError, Result};
use crate::http::HttpResponse;
use crate::model::{ImageInput, PostRequest, PublishedPost, RemoteRef};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use std::time::Duration;

/// Longest idempotency key sent (tribune's keys are UUIDs or shorter).
const MAX_KEY_LEN: usize = 128;

impl MastodonConnector {
    pub(super) async fn publish_status(&self, post: &PostRequest) -> Result<PublishedPost> {
        let key = post.idempotency_key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConnectorError::invalid_input(
                "the post has no usable idempotency key",
            ));
        }
        let text = compose_text(post)?;
        let reply_to = post.reply_to.as_ref().map(status_id).transpose()?;
        let limits = self.limits().await?;
        limits.check(&text, &post.images)?;

        let mut form: Vec<(&str, String)> =
            vec![("status", text), ("visibility", "public".to_string())];
        for image in &post.images {
            form.push(("media_ids[]", self.upload(image).await?));
        }
        if let Some(reply_to) = reply_to {
            form.push(("in_reply_to_id", reply_to.to_string()));
        }
        let request = self
            .authed(Method::POST, self.url(&["api", "v1", "statuses"])?)
            .header("Idempotency-Key", key)
            .form(&form);
        // Safe to repeat: the instance answers a repeated key with the status it already made.
        let status: api::Status = self.send(request, true).await?.json()?;
        Ok(PublishedPost {
            url: status.web_url(),
            remote_ref: RemoteRef(status.id),
        })
    }

    /// Uploads one image with its alt text and waits until the instance has processed it;
    /// returns the media id. `POST /api/v2/media`, or `/api/v1/media` on instances older than
    /// 3.1.3 (or servers) that lack v2.
    async fn upload(&self, image: &ImageInput) -> Result<String> {
        let mut response = self.send_media("v2", image).await?;
        if matches!(response.status.as_u16(), 404 | 405) {
            response = self.send_media("v1", image).await?;
        }
        if !response.status.is_success() {
            return Err(classify(&response));
        }
        let media: api::Media = response.json()?;
        if response.status.as_u16() == 202 || media.url.is_none() {
            self.wait_for_media(&media.id).await?;
        }
        Ok(media.id)
    }

    async fn send_media(&self, version: &str, image: &ImageInput) -> Result<HttpResponse> {
        let file = Part::bytes(image.bytes.clone())
            .file_name(file_name(&image.mime))
            .mime_str(&image.mime)
            .map_err(|_| ConnectorError::invalid_input("not a valid image type"))?;
        let form = Form::new()
            .part("file", file)
            .text("description", image.alt.clone());
        let request = self
            .authed(Method::POST, self.url(&["api", version, "media"])?)
            .multipart(form);
        self.http.send_raw(request, &self.gate, false).await
    }

    /// Polls `GET /api/v1/media/:id` (206 while processing, 200 with a `url` when done).
    async fn wait_for_media(&self, id: &str) -> Result<()> {
        let poll = self.media_poll;
        let mut wait = poll.interval;
        for _ in 0..poll.attempts {
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(4));
            let url = self.url(&["api", "v1", "media", id])?;
            let response = self.send(self.authed(Method::GET, url), true).await?;
            if response.status.as_u16() == 200 && response.json::<api::Media>()?.url.is_some() {
                return Ok(());
            }
        }
        Err(ConnectorError::transient(
            "the instance is still processing an image; try again later",
        ))
    }
}

/// The status text: the post's text, then its link if the text does not already hold it
/// (Mastodon builds the preview card from the first link in the text).
fn compose_text(post: &PostRequest) -> Result<String> {
    let text = post.text.trim_end();
    let Some(link) = post
        .link
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    else {
        return Ok(text.to_string());
    };
    let valid = url::Url::parse(link).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
    if !valid {
        return Err(ConnectorError::invalid_input(format!(
            "the link is not a web address: {link}"
        )));
    }
    Ok(if text.contains(link) {
        text.to_string()
    } else if text.is_empty() {
        link.to_string()
    } else {
        format!("{text}\n\n{link}")
    })
}

fn file_name(mime: &str) -> &'static str {
    match mime {
        "image/png" => "image.png",
        "image/gif" => "image.gif",
        "image/webp" => "image.webp",
        _ => "image.jpg",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(text: &str, link: Option<&str>) -> PostRequest {
        PostRequest {
            text: text.into(),
            link: link.map(Into::into),
            ..PostRequest::default()
        }
    }

    #[test]
    fn the_link_is_appended_once_for_the_preview_card() {
        let l = "https://example.org/a";
        assert_eq!(
            compose_text(&post("Read this", Some(l))).unwrap(),
            "Read this\n\nhttps://example.org/a"
        );
        assert_eq!(
            compose_text(&post("Read https://example.org/a now", Some(l))).unwrap(),
            "Read https://example.org/a now"
        );
        assert_eq!(compose_text(&post("", Some(l))).unwrap(), l);
        assert!(compose_text(&post("x", Some("javascript:alert(1)"))).is_err());
    }
}
