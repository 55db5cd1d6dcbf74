//! Making short links, shared by the API, the links page and the composer's "shorten links":
//! the target is checked against tribune's own public address (no `/l/` loops), the tags are
//! checked, and the store's one `create_link` does the rest.

use crate::AppState;
use std::collections::HashMap;
use std::ops::Range;
use tribune_domain::links::{LinkTarget, Utm};
use tribune_domain::{ChannelId, LinkId, PostId, ValidationError};
use tribune_store::links::{Link, LinkNew};
use tribune_store::posts::Post;
use tribune_store::{StoreError, WorkspaceScope, unix_now};

/// What a person or a script asked for, unchecked.
#[derive(Debug, Clone, Default)]
pub struct LinkInput {
    pub target: String,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub post: Option<PostId>,
    pub channel: Option<ChannelId>,
}

/// The public address of the link with `code`, from the configured public URL (as signed media
/// links are).
pub fn short_url(state: &AppState, code: &str) -> String {
    format!(
        "{}/l/{code}",
        state.config().public_url.trim_end_matches('/')
    )
}

/// Checks a target and its tags, every problem at once, by field.
fn check(state: &AppState, input: &LinkInput) -> Result<(LinkTarget, Utm), StoreError> {
    let public_url = &state.config().public_url;
    let target = LinkTarget::parse(&input.target, public_url);
    let utm = Utm::validate(
        input.utm_source.as_deref(),
        input.utm_medium.as_deref(),
        input.utm_campaign.as_deref(),
        input.utm_term.as_deref(),
        input.utm_content.as_deref(),
    );
    match (target, utm) {
        (Ok(target), Ok(utm)) => Ok((target, utm)),
        (target, utm) => {
            let mut errors = ValidationError::default();
            errors
                .violations
                .extend(target.err().into_iter().flat_map(|e| e.violations));
            errors
                .violations
                .extend(utm.err().into_iter().flat_map(|e| e.violations));
            Err(StoreError::Invalid(errors))
        }
    }
}

/// Checks the new target and tags (as for a new link) and changes them; the code stays, so
/// the address already shared now sends visitors to the new destination. The post and channel
/// the link was made for are not changed.
pub async fn update(
    state: &AppState,
    scope: &WorkspaceScope,
    id: LinkId,
    input: LinkInput,
) -> Result<Link, StoreError> {
    let (target, utm) = check(state, &input)?;
    state.store().update_link(scope, id, &target, &utm).await
}

/// Checks the target and tags (every problem at once, by field) and creates the link.
pub async fn create(
    state: &AppState,
    scope: &WorkspaceScope,
    input: LinkInput,
) -> Result<Link, StoreError> {
    let (target, utm) = check(state, &input)?;
    state
        .store()
        .create_link(
            scope,
            LinkNew {
                target,
                utm,
                post: input.post,
                channel: input.channel,
            },
            unix_now(),
        )
        .await
}

/// The tags the composer gives a text's links.
#[derive(Debug, Clone)]
pub struct ShortenTags {
    /// The network the text goes to, or `tribune` for a text shared by several networks.
    pub source: String,
    pub campaign: Option<String>,
    pub post: Option<PostId>,
    pub channel: Option<ChannelId>,
}

/// The `utm_source` of a text that goes to channels of several networks: one network cannot
/// be named, the referring network of each click tells them apart.
pub const SHARED_SOURCE: &str = "tribune";

/// Most links one text may have shortened at once (a post has a handful).
const MAX_LINKS_PER_TEXT: usize = 20;

/// Replaces each `http(s)` link of `text` with a new short link carrying `tags` (medium
/// `social`). tribune's own short links are left as they are, and so is a link that cannot be
/// shortened (credentials in it, too long); the same address twice gets one link.
pub async fn shorten_text(
    state: &AppState,
    scope: &WorkspaceScope,
    text: &str,
    tags: &ShortenTags,
) -> Result<String, StoreError> {
    let public_url = &state.config().public_url;
    let mut made: HashMap<String, String> = HashMap::new();
    let mut replacements: Vec<(Range<usize>, String)> = Vec::new();
    for range in tribune_compose::links(text)
        .into_iter()
        .take(MAX_LINKS_PER_TEXT)
    {
        let written = &text[range.clone()];
        if LinkTarget::parse(written, public_url).is_err() {
            continue;
        }
        let short = match made.get(written) {
            Some(short) => short.clone(),
            None => {
                let link = create(
                    state,
                    scope,
                    LinkInput {
                        target: written.to_owned(),
                        utm_source: Some(tags.source.clone()),
                        utm_medium: Some("social".to_owned()),
                        utm_campaign: tags.campaign.clone(),
                        post: tags.post,
                        channel: tags.channel,
                        ..LinkInput::default()
                    },
                )
                .await?;
                let short = short_url(state, &link.code);
                made.insert(written.to_owned(), short.clone());
                short
            }
        };
        replacements.push((range, short));
    }
    let mut out = text.to_owned();
    for (range, short) in replacements.into_iter().rev() {
        out.replace_range(range, &short);
    }
    Ok(out)
}

/// The codes of this instance's short links written in `texts`.
pub fn codes_in<'a>(state: &AppState, texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let prefix = format!("{}/l/", state.config().public_url.trim_end_matches('/'));
    let mut codes = Vec::new();
    for text in texts {
        for range in tribune_compose::links(text) {
            if let Some(code) = text[range].strip_prefix(&prefix)
                && tribune_domain::links::is_code(code)
                && !codes.iter().any(|c| c == code)
            {
                codes.push(code.to_owned());
            }
        }
    }
    codes
}

/// Ties the short links written in a saved post's texts to the post, when they were made
/// before it existed. The post is saved already: a failure here is logged, not shown.
pub async fn attach_to_post<'a>(
    state: &AppState,
    scope: &WorkspaceScope,
    post: PostId,
    texts: impl IntoIterator<Item = &'a str>,
) {
    let codes = codes_in(state, texts);
    if codes.is_empty() {
        return;
    }
    if let Err(error) = state
        .store()
        .attach_links_to_post(scope, post, &codes)
        .await
    {
        tracing::warn!(%error, %post, "short links not tied to their post");
    }
}

/// [`attach_to_post`] with the post's shared text and its channels' own texts.
pub async fn attach_post(state: &AppState, scope: &WorkspaceScope, post: &Post) {
    let texts = std::iter::once(post.text.as_str())
        .chain(post.targets.iter().filter_map(|t| t.text.as_deref()));
    attach_to_post(state, scope, post.id, texts).await;
}
