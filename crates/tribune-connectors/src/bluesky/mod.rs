//! Bluesky (AT Protocol): one account on any PDS, signed in with an app password.
//!
//! Posts are written with `com.atproto.repo.createRecord` under a record key derived from the
//! post itself ([`record_key`]), so publishing twice writes one post. Everything the AppView
//! knows (profiles, notifications, counts) is read through the PDS, which proxies `app.bsky.*`.
//! See `docs/connectors/bluesky.md`.

mod card;
mod chat;
mod inbox;
mod media;
mod record_key;
mod refs;
mod richtext;
mod xrpc;

use crate::capability::{Capabilities, Capability};
use crate::connector::{Connector, ConnectorContext};
use crate::error::{ConnectorError, ErrorKind, Result};
use crate::http::{HttpClient, HttpConfig};
use crate::model::{
    ChannelProfile, Credentials, Cursor, ImageInput, InboxItem, InboxPage, Metric, Metrics,
    Moderation, Network, PostRequest, PublishedPost, RemotePost, RemoteRef, Secret, VideoInput,
};
use crate::rate::RateGate;
use async_trait::async_trait;
use atrium_api::app::bsky::actor::{defs::ProfileViewDetailed, get_profile};
use atrium_api::app::bsky::embed::{defs::AspectRatioData, external, images, video};
use atrium_api::app::bsky::feed::get_posts;
use atrium_api::app::bsky::feed::post::{RecordData, RecordEmbedRefs, ReplyRefData};
use atrium_api::app::bsky::notification::list_notifications;
use atrium_api::app::bsky::richtext::facet::{
    ByteSliceData, LinkData, MainData as FacetData, MainFeaturesItem, MentionData, TagData,
};
use atrium_api::com::atproto::identity::resolve_handle;
use atrium_api::com::atproto::repo::{
    create_record, delete_record, get_record, put_record, strong_ref, upload_blob,
};
use atrium_api::types::string::{Cid, Datetime};
use atrium_api::types::{BlobRef, Union};
use refs::{POST, RecordRef};
use reqwest::Method;
use std::num::NonZeroU64;
use std::time::Duration;
use unicode_segmentation::UnicodeSegmentation;
use xrpc::{Body, DEFAULT_MARGIN_SECS, Xrpc};

/// Bluesky's limit on a post's text, in graphemes (what a person counts as characters).
pub const MAX_POST_GRAPHEMES: usize = 300;

/// The server accounts live on when the user names none: Bluesky's own entryway.
pub const DEFAULT_SERVICE: &str = "https://bsky.social";
/// The lexicon's limit on a post's text in bytes.
const MAX_POST_BYTES: usize = 3_000;

const CAPABILITIES: Capabilities = Capabilities::of(&[
    Capability::PublishText,
    Capability::PublishImage,
    Capability::PublishVideo,
    Capability::LinkPreview,
    Capability::PublishThread,
    Capability::DeletePost,
    Capability::ReadComments,
    Capability::ReadMentions,
    Capability::Reply,
    Capability::HideComment,
    Capability::PostMetrics,
    Capability::AccountMetrics,
]);

/// The collection of the records that gate a thread (who may reply, which replies are hidden).
const THREADGATE: &str = "app.bsky.feed.threadgate";
/// Replies one threadgate can hide (the lexicon's bound).
const MAX_HIDDEN_REPLIES: usize = 300;

/// One Bluesky account. Cheap to keep around: the session is renewed in place and handed back
/// through [`Connector::credentials`] for the caller to store.
pub struct BlueskyConnector {
    xrpc: Xrpc,
    /// The PDS address as the user typed it, returned unchanged in the credentials.
    service: String,
    identifier: String,
    app_password: Secret,
    /// For link-card pages and images: small bodies, short timeout, no retries.
    card_http: HttpClient,
    /// Websites' rate limits are theirs, not the channel's.
    card_gate: RateGate,
}

impl BlueskyConnector {
    pub fn new(credentials: &Credentials, ctx: &ConnectorContext) -> Result<Self> {
        let Credentials::Bluesky {
            service,
            identifier,
            app_password,
            session,
        } = credentials
        else {
            return Err(ConnectorError::invalid_input(
                "these credentials are not for Bluesky",
            ));
        };
        let service = match service.trim() {
            "" => DEFAULT_SERVICE,
            typed => typed,
        };
        let service_url = ctx.http.base_url(service)?;
        let identifier = identifier.trim().trim_start_matches('@').to_string();
        if identifier.is_empty() || identifier.len() > 253 {
            return Err(ConnectorError::invalid_input(
                "enter the account's handle (e.g. name.bsky.social) or DID",
            ));
        }
        if app_password.expose().trim().is_empty() {
            return Err(ConnectorError::invalid_input("enter an app password"));
        }
        let card_http = HttpClient::new(HttpConfig {
            timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(5),
            max_response_bytes: media::MAX_IMAGE_BYTES,
            retries: 0,
            ..ctx.http.config().clone()
        })?;
        Ok(BlueskyConnector {
            xrpc: Xrpc::new(
                ctx.http.clone(),
                service_url,
                RateGate::closed_until_unix(ctx.rate_limited_until),
                identifier.clone(),
                app_password.clone(),
                session.clone(),
            ),
            service: service.to_string(),
            identifier,
            app_password: app_password.clone(),
            card_http,
            card_gate: RateGate::default(),
        })
    }

    async fn profile(&self, actor: &str) -> Result<ProfileViewDetailed> {
        self.xrpc
            .call(
                Method::GET,
                get_profile::NSID,
                &[("actor", actor)],
                &Body::None,
                false,
            )
            .await?
            .json()
    }

    /// One post's view, as `app.bsky.feed.getPosts` gives it; `Permanent` when the network
    /// does not know it (deleted, or its author blocks the account).
    async fn post_view(&self, uri: &str) -> Result<serde_json::Value> {
        #[derive(serde::Deserialize)]
        struct Posts {
            #[serde(default)]
            posts: Vec<serde_json::Value>,
        }
        let response = self
            .xrpc
            .call(
                Method::GET,
                get_posts::NSID,
                &[("uris", uri)],
                &Body::None,
                false,
            )
            .await?;
        let out: Posts = response.json()?;
        out.posts
            .into_iter()
            .find(|p| p.get("uri").and_then(serde_json::Value::as_str) == Some(uri))
            .ok_or_else(|| ConnectorError::permanent("Bluesky does not know this post (deleted?)"))
    }

    /// The record, with its CID and value, or `None` if it does not exist.
    async fn get_record(
        &self,
        record: &RecordRef,
    ) -> Result<Option<(RecordRef, serde_json::Value)>> {
        let response = self
            .xrpc
            .call_raw(
                Method::GET,
                get_record::NSID,
                &[
                    ("repo", &record.repo),
                    ("collection", &record.collection),
                    ("rkey", &record.rkey),
                ],
                &Body::None,
                false,
            )
            .await?;
        if !response.status.is_success() {
            let not_found = response.status.as_u16() == 404
                || xrpc::error_name(&response).as_deref() == Some("RecordNotFound");
            return if not_found {
                Ok(None)
            } else {
                Err(xrpc::xrpc_error(&response))
            };
        }
        #[derive(serde::Deserialize)]
        struct Found {
            uri: String,
            cid: Option<String>,
            #[serde(default)]
            value: serde_json::Value,
        }
        let found: Found = response.json()?;
        let found_ref = RecordRef::parse_uri(&found.uri, found.cid.as_deref())
            .map_err(|_| ConnectorError::invalid_response("Bluesky returned an invalid record"))?;
        Ok(Some((found_ref, found.value)))
    }

    fn published(&self, record: &RecordRef) -> PublishedPost {
        let handle = self.xrpc.session().map(|s| s.handle);
        PublishedPost {
            remote_ref: record.to_remote(),
            url: Some(record.web_url(handle.as_deref())),
        }
    }

    /// The `reply` of a post answering `to`: its parent, and the root of the parent's thread.
    async fn reply_refs(&self, to: &RemoteRef) -> Result<ReplyRefData> {
        let parent = RecordRef::parse(to)?;
        let Some((parent, value)) = self.get_record(&parent).await? else {
            return Err(ConnectorError::permanent(
                "the post to reply to no longer exists",
            ));
        };
        let parent_ref = strong(&parent.uri(), parent.cid.as_deref())?;
        let root_ref = match value
            .get("reply")
            .and_then(|r| r.get("root"))
            .and_then(|r| serde_json::from_value::<strong_ref::Main>(r.clone()).ok())
        {
            Some(root) => root,
            None => parent_ref.clone(),
        };
        Ok(ReplyRefData {
            parent: parent_ref,
            root: root_ref,
        })
    }

    /// Facets for links, mentions and hashtags. A handle that does not resolve stays text.
    async fn facets(&self, text: &str) -> Vec<atrium_api::app::bsky::richtext::facet::Main> {
        let mut facets = Vec::new();
        for found in richtext::detect(text) {
            let (start, end, feature) = match found {
                richtext::Found::Link { start, end, uri } => (
                    start,
                    end,
                    MainFeaturesItem::Link(Box::new(LinkData { uri }.into())),
                ),
                richtext::Found::Tag { start, end, tag } => (
                    start,
                    end,
                    MainFeaturesItem::Tag(Box::new(TagData { tag }.into())),
                ),
                richtext::Found::Mention { start, end, handle } => {
                    let Some(did) = self.resolve_handle(&handle).await else {
                        continue;
                    };
                    (
                        start,
                        end,
                        MainFeaturesItem::Mention(Box::new(MentionData { did }.into())),
                    )
                }
            };
            facets.push(
                FacetData {
                    features: vec![Union::Refs(feature)],
                    index: ByteSliceData {
                        byte_start: start,
                        byte_end: end,
                    }
                    .into(),
                }
                .into(),
            );
        }
        facets
    }

    async fn resolve_handle(&self, handle: &str) -> Option<atrium_api::types::string::Did> {
        let response = self
            .xrpc
            .call(
                Method::GET,
                resolve_handle::NSID,
                &[("handle", handle)],
                &Body::None,
                false,
            )
            .await
            .map_err(|e| tracing::info!(handle, error = %e, "mention left as text"))
            .ok()?;
        let out: resolve_handle::Output = response.json().ok()?;
        Some(out.data.did)
    }

    /// Whether the session may reach the account's direct messages (see [`chat`]).
    fn reads_messages(&self) -> bool {
        self.xrpc
            .session()
            .is_some_and(|s| xrpc::may_read_messages(s.access_jwt.expose()))
    }

    /// Messages others sent the account after the log position `since` (the recent ones when
    /// `None`), with the position to store next.
    async fn fetch_messages(
        &self,
        since: Option<&str>,
    ) -> Result<(Vec<InboxItem>, Option<String>)> {
        let session = self.xrpc.signed_in(DEFAULT_MARGIN_SECS).await?;
        let mut position = since.map(str::to_string);
        let mut received = Vec::new();
        for _ in 0..chat::MAX_PAGES {
            let asked = position.clone();
            let query: Vec<(&str, &str)> = asked.iter().map(|c| ("cursor", c.as_str())).collect();
            let page: chat::LogPage = self
                .xrpc
                .call_proxied(
                    chat::PROXY,
                    Method::GET,
                    chat::GET_LOG,
                    &query,
                    &Body::None,
                    true,
                )
                .await?
                .json()?;
            received.extend(chat::received(&page.logs, &session.did));
            // The position only moves forward (revs sort as strings).
            let newer = page
                .cursor
                .filter(|c| chat::valid_id(c))
                .filter(|c| asked.as_ref().is_none_or(|a| c > a));
            match newer {
                Some(c) => position = Some(c),
                None => break,
            }
            // Without a position, the recent events are enough.
            if asked.is_none() || page.logs.is_empty() {
                break;
            }
        }
        // Senders the log does not name are read from their conversation, once per fetch.
        let mut members: std::collections::HashMap<String, Vec<chat::Member>> =
            std::collections::HashMap::new();
        let mut items = Vec::with_capacity(received.len());
        for message in &received {
            let mut sender = message.named_sender();
            if sender.is_none() {
                if !members.contains_key(&message.convo) {
                    let read = self
                        .xrpc
                        .call_proxied(
                            chat::PROXY,
                            Method::GET,
                            chat::GET_CONVO,
                            &[("convoId", message.convo.as_str())],
                            &Body::None,
                            true,
                        )
                        .await
                        .and_then(|r| r.json::<serde_json::Value>());
                    let found = match read {
                        Ok(convo) => chat::members(&convo),
                        Err(e) => {
                            tracing::info!(error = %e, "a conversation's members not read");
                            Vec::new()
                        }
                    };
                    members.insert(message.convo.clone(), found);
                }
                sender = members
                    .get(&message.convo)
                    .and_then(|m| message.sender_among(m));
            }
            items.extend(message.item(sender));
        }
        Ok((items, position))
    }

    /// Sends `reply` in a conversation, once: on a retry, a message with the same text this
    /// account sent since the earlier attempt began is that attempt's, handed back instead.
    async fn send_message(&self, to: &chat::ChatRef, reply: &PostRequest) -> Result<PublishedPost> {
        let session = self.xrpc.signed_in(DEFAULT_MARGIN_SECS).await?;
        if !xrpc::may_read_messages(session.access_jwt.expose()) {
            return Err(ConnectorError::unsupported(
                "this app password cannot reach direct messages: create one that allows them",
            ));
        }
        let text = reply.text.trim();
        if text.is_empty() {
            return Err(ConnectorError::invalid_input("the message is empty"));
        }
        if text.graphemes(true).count() > chat::MAX_MESSAGE_GRAPHEMES
            || text.len() > chat::MAX_MESSAGE_BYTES
        {
            return Err(ConnectorError::invalid_input(format!(
                "a Bluesky message holds at most {} characters",
                chat::MAX_MESSAGE_GRAPHEMES
            )));
        }
        if !reply.images.is_empty() || !reply.videos.is_empty() {
            return Err(ConnectorError::unsupported(
                "Bluesky messages sent by tribune are text only",
            ));
        }
        let sent = |id: String| {
            let message = chat::ChatRef {
                message: Some(id),
                ..to.clone()
            };
            PublishedPost {
                url: Some(message.web_url()),
                remote_ref: message.to_remote(),
            }
        };
        // No idempotency key in the chat API: a retry of an attempt that may have sent the
        // message looks for it among the conversation's latest ones (a first attempt sends,
        // even when the same words were sent earlier: a saved reply is often the same).
        if let Some(began) = reply.earlier_attempt_at {
            let recent: serde_json::Value = self
                .xrpc
                .call_proxied(
                    chat::PROXY,
                    Method::GET,
                    chat::GET_MESSAGES,
                    &[("convoId", to.convo.as_str()), ("limit", chat::RECENT)],
                    &Body::None,
                    true,
                )
                .await?
                .json()?;
            // A minute of slack for the clocks of tribune and of the chat service.
            if let Some(id) = chat::already_sent(&recent, &session.did, text, began - 60) {
                return Ok(sent(id));
            }
        }
        let facets = self.facets(text).await;
        let mut message = serde_json::json!({ "text": text });
        if !facets.is_empty() {
            message["facets"] = serde_json::to_value(&facets).map_err(|e| {
                ConnectorError::invalid_input(format!("the message cannot be encoded: {e}"))
            })?;
        }
        let answer: serde_json::Value = self
            .xrpc
            .call_proxied(
                chat::PROXY,
                Method::POST,
                chat::SEND_MESSAGE,
                &[],
                &Body::Json(serde_json::json!({ "convoId": to.convo, "message": message })),
                // Not repeated blindly: the look-up above is what makes a retry safe.
                false,
            )
            .await?
            .json()?;
        let id = answer
            .get("id")
            .and_then(serde_json::Value::as_str)
            .filter(|id| chat::valid_id(id))
            .ok_or_else(|| {
                ConnectorError::invalid_response("Bluesky did not say which message it sent")
            })?;
        Ok(sent(id.to_string()))
    }

    async fn upload_blob(&self, bytes: Vec<u8>, mime: &str) -> Result<BlobRef> {
        // Blobs are content-addressed: uploading the same bytes twice is harmless.
        let response = self
            .xrpc
            .call(
                Method::POST,
                upload_blob::NSID,
                &[],
                &Body::Bytes {
                    bytes,
                    mime: mime.to_string(),
                },
                true,
            )
            .await?;
        let out: upload_blob::Output = response.json()?;
        Ok(out.data.blob)
    }

    async fn images_embed(&self, images: &[ImageInput]) -> Result<RecordEmbedRefs> {
        let mut out = Vec::with_capacity(images.len());
        for image in images {
            let aspect_ratio = media::dimensions(&image.bytes).and_then(|(w, h)| {
                Some(
                    AspectRatioData {
                        width: NonZeroU64::new(u64::from(w))?,
                        height: NonZeroU64::new(u64::from(h))?,
                    }
                    .into(),
                )
            });
            let blob = self.upload_blob(image.bytes.clone(), &image.mime).await?;
            out.push(
                images::ImageData {
                    alt: image.alt.clone(),
                    aspect_ratio,
                    image: blob,
                }
                .into(),
            );
        }
        Ok(RecordEmbedRefs::AppBskyEmbedImagesMain(Box::new(
            images::MainData { images: out }.into(),
        )))
    }

    /// The video as an `app.bsky.embed.video`: the file uploaded to the account's PDS as a
    /// blob (the documented "simple method", which any PDS takes; Bluesky's video service
    /// then processes it when the post appears), with its alt text and aspect ratio.
    async fn video_embed(&self, clip: &VideoInput) -> Result<RecordEmbedRefs> {
        let aspect_ratio = match (clip.width, clip.height) {
            (Some(w), Some(h)) => Some(
                AspectRatioData {
                    width: NonZeroU64::new(u64::from(w))
                        .ok_or_else(|| ConnectorError::invalid_input("a video without width"))?,
                    height: NonZeroU64::new(u64::from(h))
                        .ok_or_else(|| ConnectorError::invalid_input("a video without height"))?,
                }
                .into(),
            ),
            _ => None,
        };
        let blob = self.upload_blob(clip.bytes.clone(), &clip.mime).await?;
        Ok(RecordEmbedRefs::AppBskyEmbedVideoMain(Box::new(
            video::MainData {
                alt: Some(clip.alt.clone()).filter(|a| !a.trim().is_empty()),
                aspect_ratio,
                captions: None,
                presentation: None,
                video: blob,
            }
            .into(),
        )))
    }

    /// A link card for `link`, or `None` when the page cannot be read.
    async fn card_embed(&self, link: &str) -> Option<RecordEmbedRefs> {
        let card = card::fetch(&self.card_http, &self.card_gate, link).await?;
        let mut thumb = None;
        if let Some(image) = &card.image
            && let Some((bytes, mime)) =
                card::fetch_image(&self.card_http, &self.card_gate, image).await
        {
            thumb = self
                .upload_blob(bytes, mime)
                .await
                .map_err(|e| tracing::info!(error = %e, "link card without image"))
                .ok();
        }
        let title = if card.title.is_empty() {
            url::Url::parse(&card.uri)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default()
        } else {
            card.title
        };
        Some(RecordEmbedRefs::AppBskyEmbedExternalMain(Box::new(
            external::MainData {
                external: external::ExternalData {
                    associated_refs: None,
                    description: card.description,
                    thumb,
                    title,
                    uri: card.uri,
                }
                .into(),
            }
            .into(),
        )))
    }
}

/// A strong ref from a URI and CID the network gave.
fn strong(uri: &str, cid: Option<&str>) -> Result<strong_ref::Main> {
    let cid: Cid = cid
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| ConnectorError::invalid_response("Bluesky returned a record without CID"))?;
    Ok(strong_ref::MainData {
        cid,
        uri: uri.to_string(),
    }
    .into())
}

/// Refuses a text Bluesky would refuse, saying why.
fn check_text(text: &str) -> Result<()> {
    let graphemes = text.graphemes(true).count();
    if graphemes > MAX_POST_GRAPHEMES {
        return Err(ConnectorError::invalid_input(format!(
            "the post is {graphemes} characters long; Bluesky allows {MAX_POST_GRAPHEMES}"
        )));
    }
    if text.len() > MAX_POST_BYTES {
        return Err(ConnectorError::invalid_input(format!(
            "the post is {} bytes long; Bluesky allows {MAX_POST_BYTES}",
            text.len()
        )));
    }
    Ok(())
}

/// The threadgate record to write so that `reply` is hidden (or not) under `root`, from the
/// one stored (kept as it is otherwise), and the CID to swap. A threadgate that does not exist
/// yet is created without `allow`: anybody may still reply.
fn hidden_replies(
    existing: Option<(RecordRef, serde_json::Value)>,
    root: &str,
    reply: &str,
    hide: bool,
) -> Result<(Option<String>, serde_json::Value)> {
    let (swap, mut record) = match existing {
        Some((found, value)) if value.is_object() => (found.cid, value),
        _ => (
            None,
            serde_json::json!({
                "$type": THREADGATE,
                "post": root,
                "createdAt": jiff::Timestamp::now().to_string(),
            }),
        ),
    };
    let mut hidden: Vec<String> = record
        .get("hiddenReplies")
        .and_then(serde_json::Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if hide && !hidden.iter().any(|h| h == reply) {
        if hidden.len() >= MAX_HIDDEN_REPLIES {
            return Err(ConnectorError::permanent(format!(
                "Bluesky hides at most {MAX_HIDDEN_REPLIES} replies per post"
            )));
        }
        hidden.push(reply.to_owned());
    }
    if !hide {
        hidden.retain(|h| h != reply);
    }
    record["hiddenReplies"] = serde_json::json!(hidden);
    Ok((swap, record))
}

fn count(value: Option<i64>) -> Option<u64> {
    value.and_then(|v| u64::try_from(v).ok())
}

#[async_trait]
impl Connector for BlueskyConnector {
    fn network(&self) -> Network {
        Network::Bluesky
    }

    /// `HideComment` through the thread's threadgate (replies under the account's own posts
    /// only). No DMs or native scheduling (see the docs). Video goes straight to the PDS (see [`Self::video_embed`]).
    fn capabilities(&self) -> Capabilities {
        if self.reads_messages() {
            CAPABILITIES.with(Capability::ReadMessages)
        } else {
            CAPABILITIES
        }
    }

    /// Signs in (or refreshes) and reads the account's profile; any refusal on the way (a 4xx
    /// other than 429) is a refusal of the credentials.
    async fn verify(&self) -> Result<ChannelProfile> {
        let session = self
            .xrpc
            .signed_in(DEFAULT_MARGIN_SECS)
            .await
            .map_err(ConnectorError::on_credentials_check)?;
        let profile = self
            .profile(&session.did)
            .await
            .map_err(ConnectorError::on_credentials_check)?;
        let handle = profile.handle.as_str().to_string();
        Ok(ChannelProfile {
            remote_id: profile.did.as_str().to_string(),
            display_name: profile
                .display_name
                .as_deref()
                .map(|d| inbox::bounded(d, 200).replace('\n', " "))
                .filter(|d| !d.trim().is_empty())
                .unwrap_or_else(|| handle.clone()),
            avatar_url: profile.avatar.as_deref().and_then(inbox::web_url),
            profile_url: Some(format!("https://bsky.app/profile/{handle}")),
            handle: format!("@{handle}"),
        })
    }

    /// A direct message is answered in its conversation; anything else with a reply post.
    async fn reply(&self, to: &RemoteRef, mut reply: PostRequest) -> Result<PublishedPost> {
        if let Some(conversation) = chat::ChatRef::parse(to) {
            return self.send_message(&conversation, &reply).await;
        }
        if reply.private {
            return Err(ConnectorError::unsupported(
                "a Bluesky post cannot be answered privately",
            ));
        }
        reply.reply_to = Some(to.clone());
        self.publish(&reply).await
    }

    async fn publish(&self, post: &PostRequest) -> Result<PublishedPost> {
        check_text(&post.text)?;
        media::check(&post.images)?;
        media::check_videos(&post.videos, !post.images.is_empty())?;
        if post.idempotency_key.trim().is_empty() {
            return Err(ConnectorError::invalid_input(
                "the post has no idempotency key",
            ));
        }
        if post.text.trim().is_empty() && post.images.is_empty() && post.videos.is_empty() {
            return Err(ConnectorError::invalid_input("the post is empty"));
        }
        let session = self.xrpc.signed_in(DEFAULT_MARGIN_SECS).await?;
        let mine = RecordRef {
            repo: session.did.clone(),
            collection: POST.to_string(),
            rkey: record_key::post_rkey(post.created_at, &post.idempotency_key),
            cid: None,
        };
        // Published by an earlier attempt whose answer was lost: hand back that post.
        if let Some((existing, _)) = self.get_record(&mine).await? {
            return Ok(self.published(&existing));
        }
        let reply = match &post.reply_to {
            Some(to) => Some(self.reply_refs(to).await?.into()),
            None => None,
        };
        let facets = self.facets(&post.text).await;
        let embed = if let Some(clip) = post.videos.first() {
            Some(self.video_embed(clip).await?)
        } else if !post.images.is_empty() {
            Some(self.images_embed(&post.images).await?)
        } else {
            let first_link = facets.iter().find_map(|f| {
                f.features.iter().find_map(|feature| match feature {
                    Union::Refs(MainFeaturesItem::Link(l)) => Some(l.uri.clone()),
                    _ => None,
                })
            });
            match post.link.clone().or(first_link) {
                Some(link) => self.card_embed(&link).await,
                None => None,
            }
        };
        let record = RecordData {
            // The time of publication, not of drafting: feeds sort on it.
            created_at: Datetime::now(),
            embed: embed.map(Union::Refs),
            entities: None,
            facets: (!facets.is_empty()).then_some(facets),
            labels: None,
            langs: None,
            reply,
            tags: None,
            text: post.text.clone(),
        };
        let mut record = serde_json::to_value(&record).map_err(|e| {
            ConnectorError::invalid_input(format!("the post cannot be encoded: {e}"))
        })?;
        if let Some(map) = record.as_object_mut() {
            map.insert("$type".into(), POST.into());
        }
        let input = serde_json::json!({
            "repo": session.did,
            "collection": POST,
            "rkey": mine.rkey,
            "record": record,
        });
        // Safe to repeat: the record key is fixed, so a repeat cannot write a second post.
        let created = self
            .xrpc
            .call(
                Method::POST,
                create_record::NSID,
                &[],
                &Body::Json(input),
                true,
            )
            .await;
        match created {
            Ok(response) => {
                let out: create_record::Output = response.json()?;
                let cid = out.data.cid.as_ref().to_string();
                let written = RecordRef::parse_uri(&out.data.uri, Some(&cid)).map_err(|_| {
                    ConnectorError::invalid_response("Bluesky returned an invalid record address")
                })?;
                Ok(self.published(&written))
            }
            Err(e) if matches!(e.kind, ErrorKind::Auth | ErrorKind::RateLimited) => Err(e),
            Err(e) => {
                // The PDS refuses (with a 500 on older versions) a key that already exists: an
                // earlier attempt may have written it after all.
                match self.get_record(&mine).await {
                    Ok(Some((existing, _))) => Ok(self.published(&existing)),
                    _ => Err(e),
                }
            }
        }
    }

    /// Hides (or shows again) a reply under one of the account's posts: Bluesky lists hidden
    /// replies in the root post's threadgate record (`hiddenReplies`), which the account
    /// writes in its own repository. The threadgate's other settings (who may reply) are kept,
    /// and the write is conditional on the version read (`swapRecord`).
    async fn moderate(&self, item: &RemoteRef, action: Moderation) -> Result<()> {
        let hide = match action {
            Moderation::Hide => true,
            Moderation::Unhide => false,
            _ => {
                return Err(ConnectorError::unsupported(
                    "Bluesky lets an account hide or show replies to its posts, nothing else",
                ));
            }
        };
        let reply = RecordRef::parse(item)?;
        let Some((reply, value)) = self.get_record(&reply).await? else {
            return Err(ConnectorError::permanent("this reply no longer exists"));
        };
        let root_uri = value
            .pointer("/reply/root/uri")
            .and_then(serde_json::Value::as_str)
            .ok_or_else(|| ConnectorError::permanent("this post is not a reply"))?;
        let root = RecordRef::parse_uri(root_uri, None)?;
        let session = self.xrpc.signed_in(DEFAULT_MARGIN_SECS).await?;
        if root.repo != session.did {
            return Err(ConnectorError::permanent(
                "only replies under the account's own posts can be hidden",
            ));
        }
        let gate = RecordRef {
            repo: session.did.clone(),
            collection: THREADGATE.to_owned(),
            rkey: root.rkey.clone(),
            cid: None,
        };
        let existing = self.get_record(&gate).await?;
        let (swap, record) = hidden_replies(existing, root_uri, &reply.uri(), hide)?;
        let mut input = serde_json::json!({
            "repo": session.did,
            "collection": THREADGATE,
            "rkey": root.rkey,
            "record": record,
        });
        if let Some(cid) = swap {
            input["swapRecord"] = serde_json::Value::String(cid);
        }
        self.xrpc
            .call(
                Method::POST,
                put_record::NSID,
                &[],
                &Body::Json(input),
                true,
            )
            .await?;
        Ok(())
    }

    async fn delete_post(&self, post: &RemoteRef) -> Result<()> {
        let record = RecordRef::parse(post)?;
        let session = self.xrpc.signed_in(DEFAULT_MARGIN_SECS).await?;
        if record.repo != session.did {
            return Err(ConnectorError::permanent(
                "this post belongs to another account",
            ));
        }
        let input = serde_json::json!({
            "repo": session.did,
            "collection": record.collection,
            "rkey": record.rkey,
        });
        // Deleting is idempotent on the PDS: what is gone stays gone.
        let response = self
            .xrpc
            .call_raw(
                Method::POST,
                delete_record::NSID,
                &[],
                &Body::Json(input),
                true,
            )
            .await?;
        if response.status.is_success()
            || xrpc::error_name(&response).as_deref() == Some("RecordNotFound")
        {
            Ok(())
        } else {
            Err(xrpc::xrpc_error(&response))
        }
    }

    async fn fetch_inbox(&self, since: Option<&Cursor>) -> Result<InboxPage> {
        let since = since
            .map(|c| {
                inbox::InboxCursor::parse(c).ok_or_else(|| {
                    ConnectorError::invalid_input("this cursor does not come from Bluesky")
                })
            })
            .transpose()?
            .unwrap_or_default();
        let since_time = since.time();
        // Read from a margin before the cursor (see `inbox::OVERLAP_SECS`).
        let stop_at = since_time.map(|s| s - jiff::SignedDuration::from_secs(inbox::OVERLAP_SECS));
        let mut items = Vec::new();
        let mut newest: Option<(jiff::Timestamp, String)> = None;
        let mut page_cursor: Option<String> = None;
        for _ in 0..inbox::MAX_PAGES {
            let mut query = vec![
                ("limit", inbox::PAGE_SIZE),
                ("reasons", "reply"),
                ("reasons", "mention"),
                ("reasons", "quote"),
            ];
            if let Some(c) = &page_cursor {
                query.push(("cursor", c.as_str()));
            }
            let response = self
                .xrpc
                .call(
                    Method::GET,
                    list_notifications::NSID,
                    &query,
                    &Body::None,
                    false,
                )
                .await?;
            let page: inbox::Page = response.json()?;
            let mut reached_since = false;
            for raw in &page.notifications {
                let Some(parsed) = inbox::parse(raw) else {
                    continue;
                };
                if stop_at.is_some_and(|s| parsed.indexed_at <= s) {
                    reached_since = true;
                    continue;
                }
                if newest.as_ref().is_none_or(|(t, _)| parsed.indexed_at > *t) {
                    newest = Some((parsed.indexed_at, parsed.indexed_at_raw.clone()));
                }
                items.extend(parsed.item);
            }
            // Without a cursor, the most recent page is enough.
            if reached_since || since_time.is_none() || page.notifications.is_empty() {
                break;
            }
            match page.cursor {
                Some(c) if c.len() <= 512 => page_cursor = Some(c),
                _ => break,
            }
        }
        // The cursor never moves back: what the overlap read again is older than it.
        let newest = newest.filter(|(t, _)| since_time.is_none_or(|s| *t > s));
        let mut next = inbox::InboxCursor {
            notifications: newest.map(|(t, raw)| (raw, t)).or(since.notifications),
            chat: since.chat.clone(),
        };
        if self.reads_messages() {
            // Direct messages are a second source: when the chat service fails, the comments
            // and mentions still arrive, and its position stays where it was.
            match self.fetch_messages(since.chat.as_deref()).await {
                Ok((messages, position)) => {
                    items.extend(messages);
                    next.chat = position;
                }
                // A position the service refuses would stop direct messages for good: the
                // next fetch starts again from the recent events.
                Err(error) if error.status == Some(400) && since.chat.is_some() => {
                    tracing::warn!(%error, "Bluesky's chat refused the stored position, reading from the recent events next time");
                    next.chat = None;
                }
                Err(error) => {
                    tracing::warn!(%error, "Bluesky direct messages not read this time");
                }
            }
        }
        items.sort_by_key(|i| i.created_at);
        Ok(InboxPage {
            items,
            cursor: next.to_cursor(),
        })
    }

    /// `app.bsky.feed.getPosts` on the post, then on its thread's root when it is a reply.
    async fn original_post(&self, of: &RemoteRef) -> Result<RemotePost> {
        let mut uri = RecordRef::parse(of)?.uri();
        // The post asked about, then at most its root: a root is not a reply.
        for _ in 0..2 {
            let view = self.post_view(&uri).await?;
            let (post, root) = inbox::original(&view).ok_or_else(|| {
                ConnectorError::invalid_response("Bluesky returned an unreadable post")
            })?;
            match root {
                Some(root) if RecordRef::parse_uri(&root, None).is_ok() => uri = root,
                _ => return Ok(post),
            }
        }
        Err(ConnectorError::invalid_response(
            "Bluesky's thread root is itself a reply",
        ))
    }

    async fn post_metrics(&self, post: &RemoteRef) -> Result<Metrics> {
        let record = RecordRef::parse(post)?;
        let uri = record.uri();
        let response = self
            .xrpc
            .call(
                Method::GET,
                get_posts::NSID,
                &[("uris", &uri)],
                &Body::None,
                false,
            )
            .await?;
        let out: get_posts::Output = response.json()?;
        let Some(view) = out.data.posts.into_iter().find(|p| p.uri == uri) else {
            return Err(ConnectorError::permanent(
                "Bluesky does not know this post (deleted?)",
            ));
        };
        let mut metrics = Metrics::default();
        metrics.set(Metric::Likes, count(view.like_count));
        metrics.set(Metric::Reposts, count(view.repost_count));
        metrics.set(Metric::Replies, count(view.reply_count));
        metrics.set(Metric::Quotes, count(view.quote_count));
        Ok(metrics)
    }

    async fn account_metrics(&self) -> Result<Metrics> {
        let session = self.xrpc.signed_in(DEFAULT_MARGIN_SECS).await?;
        let profile = self.profile(&session.did).await?;
        let mut metrics = Metrics::default();
        metrics.set(Metric::Followers, count(profile.followers_count));
        metrics.set(Metric::Following, count(profile.follows_count));
        metrics.set(Metric::Posts, count(profile.posts_count));
        Ok(metrics)
    }

    async fn refresh_credentials(&self, margin_secs: i64) -> Result<()> {
        self.xrpc
            .signed_in(margin_secs)
            .await
            .map(|_| ())
            .map_err(ConnectorError::on_credentials_check)
    }

    fn credentials(&self) -> Credentials {
        Credentials::Bluesky {
            service: self.service.clone(),
            identifier: self.identifier.clone(),
            app_password: self.app_password.clone(),
            session: self.xrpc.session(),
        }
    }

    fn credentials_expire_at(&self) -> Option<i64> {
        self.xrpc.session().map(|s| s.access_expires_at)
    }

    fn rate_gate(&self) -> &RateGate {
        &self.xrpc.gate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_threadgate_keeps_its_settings_and_lists_each_hidden_reply_once() {
        let root = "at://did:plc:brand/app.bsky.feed.post/root";
        let (swap, created) =
            hidden_replies(None, root, "at://did:plc:fan/app.bsky.feed.post/1", true).unwrap();
        assert_eq!(swap, None);
        assert_eq!(created["post"], root);
        assert!(created.get("allow").is_none(), "anybody may still reply");
        assert_eq!(
            created["hiddenReplies"],
            serde_json::json!(["at://did:plc:fan/app.bsky.feed.post/1"])
        );
        let stored = RecordRef::parse_uri(
            "at://did:plc:brand/app.bsky.feed.threadgate/root",
            Some("bafycid"),
        )
        .unwrap();
        let gated = serde_json::json!({
            "$type": THREADGATE,
            "post": root,
            "allow": [{"$type": "app.bsky.feed.threadgate#followingRule"}],
            "hiddenReplies": ["at://did:plc:fan/app.bsky.feed.post/1"],
            "createdAt": "2026-01-01T00:00:00Z",
        });
        let (swap, again) = hidden_replies(
            Some((stored.clone(), gated.clone())),
            root,
            "at://did:plc:fan/app.bsky.feed.post/1",
            true,
        )
        .unwrap();
        assert_eq!(swap.as_deref(), Some("bafycid"));
        assert_eq!(again["hiddenReplies"].as_array().unwrap().len(), 1, "once");
        assert_eq!(again["allow"], gated["allow"], "who may reply is kept");
        let (_, shown) = hidden_replies(
            Some((stored, gated)),
            root,
            "at://did:plc:fan/app.bsky.feed.post/1",
            false,
        )
        .unwrap();
        assert_eq!(shown["hiddenReplies"], serde_json::json!([]));
        let full = serde_json::json!({"hiddenReplies": (0..MAX_HIDDEN_REPLIES).map(|i| format!("at://x/{i}")).collect::<Vec<_>>()});
        let stored =
            RecordRef::parse_uri("at://did:plc:brand/app.bsky.feed.threadgate/root", None).unwrap();
        assert!(hidden_replies(Some((stored, full)), root, "at://new", true).is_err());
    }

    #[test]
    fn texts_are_counted_in_graphemes() {
        // A family emoji is one grapheme made of several code points.
        let family = "👨‍👩‍👧";
        assert!(check_text(&family.repeat(150)).is_ok());
        assert!(check_text(&"é".repeat(300)).is_ok());
        let err = check_text(&"é".repeat(301)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidInput);
        assert!(err.message.contains("301 characters"), "{}", err.message);
    }
}
