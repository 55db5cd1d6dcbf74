//! Acting on an item through its channel: replies (sent by a job, exactly once) and
//! moderation (done at once, audited).

use tribune_channels::{ChannelError, ChannelService};
use tribune_connectors::{ErrorKind, Moderation, PostRequest, RemoteRef};
use tribune_domain::{InboxItemId, InboxReplyId, Role};
use tribune_store::inbox::{Item, Reply};
use tribune_store::{StoreError, WorkspaceScope};

/// How sending a reply went.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplyOutcome {
    /// On the network now (or already before: a retry found it).
    Sent(Reply),
    /// Nothing to do: the reply was sent or failed before.
    Finished,
    /// It cannot be sent: the reply is marked failed with the reason.
    Failed(Reply),
    /// Try again in this many seconds (the network was unreachable or asked to slow down).
    Retry { after_secs: i64, error: String },
}

/// Sends a pending reply through its item's channel. The reply's id is the idempotency key,
/// so a retry after a crash or a timeout does not answer twice; an attempt older than what
/// the network recognises as the same request is not repeated but marked failed for a person
/// to check. `last_try` marks the reply failed instead of asking for another retry.
pub async fn send_reply(
    channels: &ChannelService,
    scope: &WorkspaceScope,
    reply: InboxReplyId,
    now: i64,
    last_try: bool,
) -> Result<ReplyOutcome, StoreError> {
    let store = channels.store();
    let Some(attempt) = store.begin_inbox_reply(scope, reply, now).await? else {
        return Ok(ReplyOutcome::Finished);
    };
    let request = PostRequest {
        idempotency_key: attempt.reply.network_key(),
        created_at: attempt.reply.created_at,
        text: attempt.reply.text.clone(),
        // A direct message is answered privately (the connector names its author).
        private: attempt.private,
        earlier_attempt_at: attempt.previous_attempt,
        ..PostRequest::default()
    };
    let to = RemoteRef(attempt.to.clone());
    let unfinished_since = attempt.previous_attempt;
    let result = channels
        .call(scope, attempt.reply.channel_id, now, move |connector| {
            Box::pin(async move {
                if let (Some(since), Some(window)) =
                    (unfinished_since, connector.idempotency_window_secs())
                    && now - since > window
                {
                    return Ok(None);
                }
                connector.reply(&to, request).await.map(Some)
            })
        })
        .await;
    let failed = |message: String| async move {
        store
            .finish_inbox_reply(scope, reply, Err(message), now)
            .await
            .map(ReplyOutcome::Failed)
    };
    match result {
        Ok(Some(published)) => store
            .finish_inbox_reply(
                scope,
                reply,
                Ok((published.remote_ref.0, published.url)),
                now,
            )
            .await
            .map(ReplyOutcome::Sent),
        Ok(None) => {
            failed(
                "an earlier attempt may have reached the network: check the conversation there"
                    .into(),
            )
            .await
        }
        Err(ChannelError::Connector(e)) => {
            let said = e
                .network_message
                .clone()
                .unwrap_or_else(|| e.message.clone());
            match e.kind {
                ErrorKind::RateLimited | ErrorKind::Transient | ErrorKind::InvalidResponse
                    if !last_try =>
                {
                    let after_secs = e
                        .retry_after
                        .map(|d| d.as_secs() as i64)
                        .unwrap_or(60)
                        .clamp(1, 24 * 3600);
                    Ok(ReplyOutcome::Retry {
                        after_secs,
                        error: said,
                    })
                }
                _ => failed(said).await,
            }
        }
        Err(ChannelError::Store(e)) => Err(e),
        Err(other) => failed(other.to_string()).await,
    }
}

/// Why a moderation action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ModerateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Channel(ChannelError),
}

impl From<ChannelError> for ModerateError {
    fn from(error: ChannelError) -> Self {
        match error {
            ChannelError::Store(e) => ModerateError::Store(e),
            other => ModerateError::Channel(other),
        }
    }
}

/// The state of a comment on its network after `action`.
pub fn status_after(action: Moderation) -> &'static str {
    match action {
        Moderation::Hide => "hidden",
        Moderation::Hold => "held",
        Moderation::Unhide | Moderation::Approve => "visible",
        Moderation::Delete => "deleted",
        Moderation::Spam => "spam",
        Moderation::Trash => "trashed",
    }
}

/// The name of an action, as audited and as the API takes it.
pub fn action_name(action: Moderation) -> &'static str {
    match action {
        Moderation::Hide => "hide",
        Moderation::Unhide => "unhide",
        Moderation::Delete => "delete",
        Moderation::Approve => "approve",
        Moderation::Hold => "hold",
        Moderation::Spam => "spam",
        Moderation::Trash => "trash",
    }
}

pub fn parse_action(name: &str) -> Option<Moderation> {
    [
        Moderation::Hide,
        Moderation::Unhide,
        Moderation::Delete,
        Moderation::Approve,
        Moderation::Hold,
        Moderation::Spam,
        Moderation::Trash,
    ]
    .into_iter()
    .find(|a| action_name(*a) == name)
}

/// Applies a moderation action to an item on its network, then records it (the item's state
/// there, and who did it and why in the audit trail). Managers and owners moderate; rules act
/// as the system.
pub async fn moderate(
    channels: &ChannelService,
    scope: &WorkspaceScope,
    item: InboxItemId,
    action: Moderation,
    reason: Option<&str>,
    now: i64,
) -> Result<Item, ModerateError> {
    scope.require(Role::can_publish)?;
    let store = channels.store();
    let target = store.inbox_item(scope, item).await?;
    let remote = RemoteRef(target.remote_ref.clone());
    channels
        .call(scope, target.channel, now, move |connector| {
            Box::pin(async move { connector.moderate(&remote, action).await })
        })
        .await?;
    Ok(store
        .record_inbox_moderation(
            scope,
            item,
            action_name(action),
            status_after(action),
            reason,
        )
        .await?)
}
