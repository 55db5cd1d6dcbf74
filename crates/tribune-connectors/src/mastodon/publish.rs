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
//!
//! Videos take the same way (`POST /api/v2/media`), but the instance transcodes them: Mastodon
//! answers `202 Accepted` with no `url`, and `GET /api/v1/media/:id` says `206` until the file
//! is ready (`200` with a `url`), or `422` when processing failed (a permanent refusal, with
//! the instance's words). The wait is bounded ([`super::MediaPoll`], about three minutes for a
//! video, inside the publisher's five-minute attempt lease); an instance still busy after it
//! is a transient error, and the next attempt uploads again (the first upload is left
//! unattached, and deleted by the instance). Servers of the family differ: Pleroma, Akkoma and
//! GoToSocial answer `200` at once (with a `url`), older Mastodons only have `/api/v1/media`;
//! both are handled by the same code (a `url` means ready, whatever the status).

use super::{MastodonConnector, MediaPoll, api, classify, status_id};
use crate::error::{ConnectorError, Result};
use crate::http::HttpResponse;
use crate::model::{PostRequest, PublishedPost, RemoteRef};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use std::time::Duration;

/// Longest idempotency key sent (tribune's keys are UUIDs or shorter).
const MAX_KEY_LEN: usize = 128;

/// One file to attach: an image or a video, with its description.
struct Attachment<'a> {
    bytes: &'a [u8],
    mime: &'a str,
    alt: &'a str,
    video: bool,
}

impl MastodonConnector {
    pub(super) async fn publish_status(&self, post: &PostRequest) -> Result<PublishedPost> {
        let key = post.idempotency_key.trim();
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConnectorError::invalid_input(
                "the post has no usable idempotency key",
            ));
        }
        let mut text = compose_text(post)?;
        let reply_to = post.reply_to.as_ref().map(status_id).transpose()?;
        if post.private {
            let Some(to) = reply_to else {
                return Err(ConnectorError::invalid_input(
                    "a private status answers a direct message",
                ));
            };
            text = self.addressed(to, &text).await?;
        }
        let limits = self.limits().await?;
        limits.check(&text, &post.images, &post.videos)?;

        let attachments = post
            .images
            .iter()
            .map(|i| Attachment {
                bytes: &i.bytes,
                mime: &i.mime,
                alt: &i.alt,
                video: false,
            })
            .chain(post.videos.iter().map(|v| Attachment {
                bytes: &v.bytes,
                mime: &v.mime,
                alt: &v.alt,
                video: true,
            }));
        let mut form: Vec<(&str, String)> = vec![
            ("status", text),
            ("visibility", visibility(post).to_string()),
        ];
        for attachment in attachments {
            form.push(("media_ids[]", self.upload(&attachment).await?));
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

    /// A private answer names the author of the status it answers, as this server names them
    /// (`friend` here, `friend@elsewhere.example` from another server): a direct status
    /// reaches only the accounts its text names. Unchanged when the text already names them.
    async fn addressed(&self, to: &str, text: &str) -> Result<String> {
        let url = self.url(&["api", "v1", "statuses", to])?;
        let status: api::Status = self
            .send(self.authed(Method::GET, url), true)
            .await?
            .json()?;
        let acct = status
            .account
            .map(|a| a.acct)
            .filter(|acct| !acct.is_empty() && !acct.chars().any(char::is_whitespace))
            .ok_or_else(|| {
                ConnectorError::invalid_response("the direct message has no readable author")
            })?;
        Ok(address(text, &acct))
    }

    /// Uploads one file with its description and waits until the instance has processed it;
    /// returns the media id. `POST /api/v2/media`, or `/api/v1/media` on instances older than
    /// 3.1.3 (or servers) that lack v2.
    async fn upload(&self, file: &Attachment<'_>) -> Result<String> {
        let mut response = self.send_media("v2", file).await?;
        if matches!(response.status.as_u16(), 404 | 405) {
            response = self.send_media("v1", file).await?;
        }
        if !response.status.is_success() {
            return Err(classify(&response));
        }
        let media: api::Media = response.json()?;
        if !api::is_valid_id(&media.id) {
            return Err(ConnectorError::invalid_response(
                "the instance gave an unusable media id",
            ));
        }
        if response.status.as_u16() == 202 || media.url.is_none() {
            let (poll, cap, what) = if file.video {
                (self.video_poll, Duration::from_secs(8), "a video")
            } else {
                (self.media_poll, Duration::from_secs(4), "an image")
            };
            self.wait_for_media(&media.id, poll, cap, what).await?;
        }
        Ok(media.id)
    }

    async fn send_media(&self, version: &str, file: &Attachment<'_>) -> Result<HttpResponse> {
        let part = Part::bytes(file.bytes.to_vec())
            .file_name(file_name(file.mime))
            .mime_str(file.mime)
            .map_err(|_| ConnectorError::invalid_input("not a valid media type"))?;
        let form = Form::new()
            .part("file", part)
            .text("description", file.alt.to_string());
        let request = self
            .authed(Method::POST, self.url(&["api", version, "media"])?)
            .multipart(form);
        self.http.send_raw(request, &self.gate, false).await
    }

    /// Polls `GET /api/v1/media/:id` (206 while processing, 200 with a `url` when done, 422
    /// when processing failed), waiting `poll.interval` doubled each time up to `cap`.
    async fn wait_for_media(
        &self,
        id: &str,
        poll: MediaPoll,
        cap: Duration,
        what: &str,
    ) -> Result<()> {
        let mut wait = poll.interval;
        for _ in 0..poll.attempts {
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(cap.max(poll.interval));
            let url = self.url(&["api", "v1", "media", id])?;
            let response = self.send(self.authed(Method::GET, url), true).await?;
            if response.status.as_u16() == 200 && response.json::<api::Media>()?.url.is_some() {
                return Ok(());
            }
        }
        Err(ConnectorError::transient(format!(
            "the instance is still processing {what}; try again later"
        )))
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
        "video/mp4" => "video.mp4",
        "video/quicktime" => "video.mov",
        "video/webm" => "video.webm",
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

/// `direct` for the answer to a direct message (only the accounts the text names see it),
/// `public` otherwise.
fn visibility(post: &PostRequest) -> &'static str {
    if post.private { "direct" } else { "public" }
}

/// `text` naming `acct` (`friend` or `friend@host`) at its start, unless it already does.
fn address(text: &str, acct: &str) -> String {
    let mention = format!("@{acct}");
    let user = acct.split('@').next().unwrap_or(acct);
    let names = text
        .split(|c: char| c.is_whitespace() || ",;:!?".contains(c))
        .any(|word| {
            word.eq_ignore_ascii_case(&mention)
                || (!acct.contains('@') && word.eq_ignore_ascii_case(&format!("@{user}")))
        });
    if names {
        text.to_owned()
    } else {
        format!("{mention} {text}")
    }
}

#[cfg(test)]
mod address_tests {
    use super::address;

    #[test]
    fn a_private_answer_names_its_reader_once() {
        assert_eq!(
            address("Merci !", "friend@masto.example"),
            "@friend@masto.example Merci !"
        );
        assert_eq!(
            address("@friend@masto.example Merci !", "friend@masto.example"),
            "@friend@masto.example Merci !"
        );
        assert_eq!(address("@Friend, merci !", "friend"), "@Friend, merci !");
        assert_eq!(address("Merci @friend", "friend"), "Merci @friend");
        // Another account of the same name elsewhere, or a longer name, is not the reader.
        assert_eq!(
            address("@friend merci", "friend@masto.example"),
            "@friend@masto.example @friend merci"
        );
        assert_eq!(
            address("@friendly merci", "friend"),
            "@friend @friendly merci"
        );
    }
}
