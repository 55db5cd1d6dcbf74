//! Ingestion: a channel's new items, classified, stored exactly once with the cursor.

use tribune_channels::{ChannelError, ChannelService};
use tribune_connectors::{CommentStatus, Cursor, InboxItem, InboxKind};
use tribune_domain::inbox::{ItemKind, Tone};
use tribune_domain::{ChannelId, InboxItemId};
use tribune_store::WorkspaceScope;
use tribune_store::inbox::{ItemNew, search_words};
use tribune_text::{Language, SentimentLabel, classify_with_lang, tokenize::tokenize};

/// What one fetch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchReport {
    /// Items the network returned.
    pub fetched: usize,
    /// Items stored now (the others were stored before), oldest first.
    pub stored: Vec<InboxItemId>,
    /// What the workspace's moderation rules did to them.
    pub rules: crate::rules::RulesReport,
    /// Original posts of their conversations read from the network and kept.
    pub originals: usize,
}

/// The state of a comment on its network, as stored.
pub fn network_status(status: CommentStatus) -> &'static str {
    match status {
        CommentStatus::Visible => "visible",
        CommentStatus::Hidden => "hidden",
        CommentStatus::Held => "held",
        CommentStatus::Spam => "spam",
        CommentStatus::Trashed => "trashed",
    }
}

/// An item from a connector, classified and ready for the store.
pub fn prepare(item: &InboxItem) -> ItemNew {
    let verdict = classify_with_lang(&item.text, None);
    let tokens = tokenize(&item.text);
    let words = tokens.tokens.iter().flat_map(|t| {
        let text = tokens.text(t);
        std::iter::once(text).chain(tokens.base(t))
    });
    let search_text = search_words(words);
    ItemNew {
        remote_ref: item.remote_ref.0.clone(),
        kind: match item.kind {
            InboxKind::Comment => ItemKind::Comment,
            InboxKind::Mention => ItemKind::Mention,
            InboxKind::Message => ItemKind::Message,
        },
        in_reply_to: item.in_reply_to.as_ref().map(|r| r.0.clone()),
        root_ref: item.root.as_ref().map(|r| r.0.clone()),
        author_remote_id: item.author.remote_id.clone(),
        author_handle: item.author.handle.clone(),
        author_name: item.author.display_name.clone(),
        author_url: item.author.profile_url.clone(),
        text: item.text.clone(),
        url: item.url.clone(),
        links: item.links.clone(),
        images: item
            .images
            .iter()
            .map(|i| tribune_store::inbox::Image {
                url: i.url.clone(),
                alt: i.alt.clone(),
            })
            .collect(),
        search_text,
        created_at: item.created_at,
        lang: match verdict.lang {
            Language::Unknown => String::new(),
            lang => lang.code().to_owned(),
        },
        tone: match verdict.sentiment.label {
            SentimentLabel::Negative => Tone::Negative,
            SentimentLabel::Neutral => Tone::Neutral,
            SentimentLabel::Positive => Tone::Positive,
        },
        toxicity: f64::from(verdict.toxicity),
        spam: f64::from(verdict.spam),
        network_status: network_status(item.status).to_owned(),
        raw: item.raw.clone(),
    }
}

/// Fetches what is new on one channel since its cursor and stores it with the new cursor, in
/// one transaction: after a crash at any point, the next fetch neither misses nor doubles an
/// item. A failed fetch is recorded on the cursor (and, through the channel service, breaks
/// the channel if its credentials were refused).
pub async fn ingest(
    channels: &ChannelService,
    scope: &WorkspaceScope,
    channel: ChannelId,
    public_url: Option<&str>,
    now: i64,
) -> Result<FetchReport, ChannelError> {
    let store = channels.store();
    let cursor = store
        .inbox_cursor(scope, channel)
        .await?
        .and_then(|c| c.cursor)
        .map(Cursor);
    let page = channels
        .call(scope, channel, now, move |connector| {
            Box::pin(async move { connector.fetch_inbox(cursor.as_ref()).await })
        })
        .await;
    let page = match page {
        Ok(page) => page,
        Err(error) => {
            if let Err(e) = store
                .record_inbox_error(scope, channel, &error.to_string(), now)
                .await
            {
                tracing::warn!(channel = channel.0, error = %e, "cannot record an inbox fetch error");
            }
            return Err(error);
        }
    };
    let mut items: Vec<ItemNew> = page.items.iter().map(prepare).collect();
    // Oldest first, so ids follow the conversation's order.
    items.sort_by_key(|i| i.created_at);
    let stored = store
        .ingest_inbox(
            scope,
            channel,
            &items,
            page.cursor.as_ref().map(|c| c.0.as_str()),
            now,
        )
        .await?;
    let rules = if stored.is_empty() {
        crate::rules::RulesReport::default()
    } else {
        // The rules read the new items back by id: with the statistics of a smaller inbox, a
        // PostgreSQL without autovacuum would scan the whole workspace for them.
        if let Err(error) = store.refresh_stale_statistics().await {
            tracing::warn!(%error, "the planner's statistics were not refreshed");
        }
        run_rules(channels, scope, &stored, public_url, now).await?
    };
    // The conversations' first posts are context: a failure to read them is not the fetch's.
    let originals = crate::originals::fetch_originals(channels, scope, channel, &items, now)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(channel = channel.0, %error, "cannot keep original posts");
            0
        });
    Ok(FetchReport {
        fetched: items.len(),
        stored,
        rules,
        originals,
    })
}

/// Runs the workspace's enabled rules, in order, on the items just stored. They are stored
/// whatever the rules do; a crash in the middle leaves the rest of them unapplied (at most
/// once, never twice). Public for the ingestion benchmark, which runs the fetch job's steps.
pub async fn run_rules(
    channels: &ChannelService,
    scope: &WorkspaceScope,
    stored: &[InboxItemId],
    public_url: Option<&str>,
    now: i64,
) -> Result<crate::rules::RulesReport, ChannelError> {
    let store = channels.store();
    let rules = crate::rules::compile(store.inbox_rules(scope).await?, true);
    if rules.is_empty() {
        return Ok(crate::rules::RulesReport::default());
    }
    let mut items = store.inbox_items_by_ids(scope, stored).await?;
    items.reverse(); // oldest first, as they arrived
    Ok(crate::rules::apply(channels, scope, &rules, &items, public_url, now).await)
}
