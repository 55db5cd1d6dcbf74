//! The post a conversation starts from, when tribune did not publish it: read from the network
//! once per conversation after a fetch (a few per fetch, so a busy channel spends its rate
//! limit on messages first) and kept by the store.

use tribune_channels::{ChannelError, ChannelService};
use tribune_connectors::{ErrorKind, RemotePost, RemoteRef};
use tribune_domain::ChannelId;
use tribune_domain::inbox::ItemKind;
use tribune_store::WorkspaceScope;
use tribune_store::inbox::ItemNew;
use tribune_store::inbox_originals::{OriginalNew, conversation_ref};

/// Originals read from the network per fetch at most; the rest come with the next fetches.
pub const MAX_ORIGINALS_PER_FETCH: usize = 10;
/// The channel's newest messages whose conversations a fetch also looks at (those a fetch
/// left for later), besides its own.
const BACKLOG: u64 = 100;

/// Reads and keeps the originals of `items`' conversations that are still unknown. Returns how
/// many were kept. A network that cannot show them, refuses the credentials, asks to slow down
/// or cannot be reached stops the reads until the next fetch; a post it says is gone or cannot
/// read is kept as an error and asked again a day later.
pub async fn fetch_originals(
    channels: &ChannelService,
    scope: &WorkspaceScope,
    channel: ChannelId,
    items: &[ItemNew],
    now: i64,
) -> Result<usize, ChannelError> {
    let store = channels.store();
    // The newest conversations first (what the team reads first), then those of the channel's
    // recent messages still without theirs (a fetch that brought more than the limit). A
    // direct message's conversation starts from no post.
    let recent = store.recent_conversations(scope, channel, BACKLOG).await?;
    let fetched = items
        .iter()
        .rev()
        .filter(|i| i.kind != ItemKind::Message)
        .filter_map(|i| conversation_ref(i.root_ref.as_deref(), i.in_reply_to.as_deref()));
    let backlog = recent.iter().map(String::as_str);
    let refs: Vec<&str> = fetched.chain(backlog).collect();
    let wanted = store.originals_to_fetch(scope, channel, &refs, now).await?;
    let mut kept = 0;
    for asked in wanted.into_iter().take(MAX_ORIGINALS_PER_FETCH) {
        let of = RemoteRef(asked.clone());
        let read = channels
            .call(scope, channel, now, move |connector| {
                Box::pin(async move { connector.original_post(&of).await })
            })
            .await;
        match read {
            Ok(post) => {
                store
                    .save_inbox_original(scope, channel, &asked, Ok(&original(post)), now)
                    .await?;
                kept += 1;
            }
            Err(ChannelError::Connector(e))
                if matches!(
                    e.kind,
                    ErrorKind::Permanent | ErrorKind::InvalidResponse | ErrorKind::InvalidInput
                ) =>
            {
                store
                    .save_inbox_original(scope, channel, &asked, Err(&e.to_string()), now)
                    .await?;
            }
            Err(error) => {
                if !matches!(&error, ChannelError::Connector(e) if e.kind == ErrorKind::Unsupported)
                {
                    tracing::info!(channel = channel.0, %error, "original posts not read this time");
                }
                break;
            }
        }
    }
    Ok(kept)
}

fn original(post: RemotePost) -> OriginalNew {
    OriginalNew {
        remote_ref: post.remote_ref.0,
        author_remote_id: post.author.remote_id,
        author_handle: post.author.handle,
        author_name: post.author.display_name,
        author_url: post.author.profile_url,
        text: post.text,
        url: post.url,
        created_at: post.created_at,
    }
}
