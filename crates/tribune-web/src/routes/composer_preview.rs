//! The composer's previews: for each channel the post targets, and each network picked to
//! preview without a channel (those tribune cannot publish to yet), a card that looks like a
//! post on that network — the account, the text with what the network highlights, cut where
//! its feed cuts it, the images in its grid with their alt text, the link card, or a WordPress
//! article's title and excerpt. The text logic is [`tribune_compose::preview_text`]; this draws
//! it. The composer renders the cards with the page (no JavaScript needed) and its live check
//! sends them again as the text changes.

use crate::AppState;
use crate::context::Member;
use crate::error::AppError;
use crate::i18n::Tr;
use crate::preflight;
use askama::Template;
use tribune_compose::{ComposeNetwork, Draft, PreviewText, Span, SpanKind};
use tribune_domain::media::MediaKind;
use tribune_domain::{ChannelId, MediaId, WorkspaceId};
use tribune_store::StoreError;
use tribune_store::channels::Channel;

use super::composer::ComposerInput;

/// WordPress's default excerpt length, in words (`excerpt_length`).
const EXCERPT_WORDS: usize = 55;
/// The most images a card's grid shows; more are counted ("+2").
const GRID_MAX: usize = 4;

/// An attached media as a preview shows it.
#[derive(Debug, Clone)]
pub struct PreviewMedia {
    pub id: MediaId,
    pub is_image: bool,
    pub has_thumbnail: bool,
    /// The alt text typed, or the library's.
    pub alt: String,
}

/// One card.
pub struct PreviewCard {
    pub network: ComposeNetwork,
    /// `None`: a network previewed without a channel.
    pub channel: Option<ChannelId>,
    pub name: String,
    pub handle: String,
    pub initial: String,
    pub has_avatar: bool,
    /// For the networks that have a title (WordPress, YouTube, Pinterest), when one is typed.
    pub title: String,
    pub text: PreviewText,
    /// WordPress: the article's excerpt.
    pub excerpt: Option<Excerpt>,
    /// The media the network shows, at most [`GRID_MAX`], and how many more there are.
    pub media: Vec<PreviewMedia>,
    pub more_media: usize,
    pub card: Option<LinkCard>,
}

/// The words of a WordPress excerpt, and whether the text goes on (WordPress ends it `[…]`).
pub struct Excerpt {
    pub words: String,
    pub cut: bool,
}

/// A link card: tribune fetches nothing for a preview, so it shows the host and the link.
pub struct LinkCard {
    pub host: String,
    pub url: String,
}

impl PreviewCard {
    pub fn network_name(&self) -> &'static str {
        self.network.display_name()
    }

    pub fn more_key(&self) -> &'static str {
        match self.network {
            ComposeNetwork::X => "composer-preview-more-x",
            ComposeNetwork::Linkedin => "composer-preview-more-linkedin",
            ComposeNetwork::Facebook => "composer-preview-more-facebook",
            ComposeNetwork::Youtube => "composer-preview-more-youtube",
            _ => "composer-preview-more",
        }
    }

    /// The grid's layout class: one, two, three or four images (Instagram: a carousel).
    pub fn grid(&self) -> usize {
        self.media.len()
    }
}

/// A span's class in the card.
pub fn span_class(span: &Span) -> &'static str {
    match span.kind {
        SpanKind::Text => "",
        SpanKind::Link => "pv-link",
        SpanKind::Mention => "pv-mention",
        SpanKind::Hashtag => "pv-tag",
    }
}

#[derive(Template)]
#[template(path = "composer_previews.html")]
pub struct PreviewList<'a> {
    pub tr: &'a Tr,
    pub ws_id: WorkspaceId,
    pub cards: &'a [PreviewCard],
}

impl PreviewList<'_> {
    fn class(&self, span: &Span) -> &'static str {
        span_class(span)
    }
}

/// The cards' markup, for the page and for the live check.
pub fn render(tr: &Tr, ws_id: WorkspaceId, cards: &[PreviewCard]) -> Result<String, AppError> {
    PreviewList { tr, ws_id, cards }
        .render()
        .map_err(|e| AppError::Internal(format!("template: {e}").into()))
}

/// The attached media of the input, in order, as the previews show them. Media that are not
/// the workspace's are left out (the store refuses them when the post is saved).
pub async fn media(
    state: &AppState,
    member: &Member,
    input: &ComposerInput,
) -> Result<Vec<PreviewMedia>, AppError> {
    let mut found = Vec::with_capacity(input.media.len());
    for id in &input.media {
        let media = match state.store().media(&member.scope, *id).await {
            Ok(media) => media,
            Err(StoreError::NotFound) => continue,
            Err(other) => return Err(other.into()),
        };
        found.push(PreviewMedia {
            id: media.id,
            is_image: media.kind == MediaKind::Image,
            has_thumbnail: media.thumbnail_key.is_some(),
            alt: input
                .alt(media.id)
                .map_or_else(|| media.alt.clone(), str::to_owned),
        });
    }
    Ok(found)
}

/// The first letter (or digit) of a name, for the avatar placeholder.
fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default()
}

/// Who the card shows as the author.
pub struct Author {
    pub channel: Option<ChannelId>,
    pub name: String,
    pub handle: String,
    pub has_avatar: bool,
}

impl Author {
    pub fn of(channel: &Channel) -> Author {
        Author {
            channel: Some(channel.id),
            name: channel.display_name.clone(),
            handle: channel.handle.clone(),
            has_avatar: channel.has_avatar,
        }
    }
}

/// One card: `text` is the channel's own text or the shared one.
pub fn card(
    network: ComposeNetwork,
    author: Author,
    options: &tribune_compose::Options,
    input: &ComposerInput,
    text: &str,
    media: &[PreviewMedia],
) -> PreviewCard {
    let rules = tribune_compose::rules(network, options);
    let link = Some(input.link.trim()).filter(|l| !l.is_empty());
    let draft = Draft {
        title: None,
        text: text.to_owned(),
        media: Vec::new(),
        link: link.map(str::to_owned),
        first_comment: None,
    };
    let composed = tribune_compose::composed_text(network, &draft);
    let excerpt = (network == ComposeNetwork::Wordpress).then(|| {
        let (words, cut) = tribune_compose::excerpt(&composed, EXCERPT_WORDS);
        Excerpt { words, cut }
    });
    // A network that takes no media shows none; others their first ones, in order.
    let takes = rules.media.max_items.unwrap_or(media.len());
    let shown: Vec<PreviewMedia> = if rules.media.max_items == Some(0) {
        Vec::new()
    } else {
        media
            .iter()
            .take(GRID_MAX.min(takes.max(1)))
            .cloned()
            .collect()
    };
    let more_media = media.len().saturating_sub(shown.len());
    let card =
        tribune_compose::card_link(network, &composed, link, !media.is_empty()).and_then(|url| {
            Some(LinkCard {
                host: tribune_compose::link_host(&url)?,
                url,
            })
        });
    PreviewCard {
        network,
        channel: author.channel,
        initial: initial(if author.name.trim().is_empty() {
            &author.handle
        } else {
            &author.name
        }),
        name: author.name,
        handle: author.handle,
        has_avatar: author.has_avatar,
        title: if rules.title.is_some() {
            input.title.trim().to_owned()
        } else {
            String::new()
        },
        text: tribune_compose::preview_text(network, &composed, options),
        excerpt,
        media: shown,
        more_media,
        card,
    }
}

/// The cards for the input: its channels (with their own text where they have one), then the
/// networks picked to preview without a channel, as the workspace.
pub fn cards(
    channels: &[Channel],
    input: &ComposerInput,
    media: &[PreviewMedia],
    workspace_name: &str,
    no_account: &str,
) -> Vec<PreviewCard> {
    let mut cards: Vec<PreviewCard> = input
        .channels
        .iter()
        .filter_map(|id| {
            let channel = channels.iter().find(|c| c.id == *id)?;
            let network = channel.network.parse::<ComposeNetwork>().ok()?;
            let text = input.variant(*id).unwrap_or_else(|| input.text.clone());
            Some(card(
                network,
                Author::of(channel),
                &preflight::options(channel),
                input,
                &text,
                media,
            ))
        })
        .collect();
    for network in &input.preview_networks {
        cards.push(card(
            *network,
            Author {
                channel: None,
                name: workspace_name.to_owned(),
                handle: no_account.to_owned(),
                has_avatar: false,
            },
            &tribune_compose::Options::default(),
            input,
            &input.text,
            media,
        ));
    }
    cards
}

/// The networks that can be previewed without a channel: those tribune cannot connect yet.
pub fn unconnectable_networks() -> Vec<ComposeNetwork> {
    ComposeNetwork::ALL
        .into_iter()
        .filter(|n| n.as_str().parse::<tribune_connectors::Network>().is_err())
        .collect()
}
