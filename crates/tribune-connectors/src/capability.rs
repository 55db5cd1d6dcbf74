//! What a channel can do. The UI and the API offer an action only if the channel's connector
//! declares the capability, so nothing is shown that the network cannot do.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! capabilities {
    ($($(#[$doc:meta])* $variant:ident = $slug:literal),* $(,)?) => {
        /// One thing a connected account can do on its network.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Capability {
            $($(#[$doc])* $variant),*
        }

        impl Capability {
            pub const ALL: &'static [Capability] = &[$(Capability::$variant),*];

            /// The stable name used in the database, the API and the i18n keys (`capability-…`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Capability::$variant => $slug),*
                }
            }
        }

        impl FromStr for Capability {
            type Err = UnknownCapability;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($slug => Ok(Capability::$variant),)*
                    _ => Err(UnknownCapability),
                }
            }
        }
    };
}

capabilities!(
    /// Publish a text post.
    PublishText = "publish_text",
    /// Attach images (with alt text) to a post.
    PublishImage = "publish_image",
    /// Attach a video to a post.
    PublishVideo = "publish_video",
    /// The network renders a preview card for a link in the post.
    LinkPreview = "link_preview",
    /// Post a thread: a post replying to the account's own post.
    PublishThread = "publish_thread",
    /// Delete a post the account published.
    DeletePost = "delete_post",
    /// Read comments and replies on the account's posts.
    ReadComments = "read_comments",
    /// Read mentions of the account elsewhere on the network.
    ReadMentions = "read_mentions",
    /// Reply to a comment or mention.
    Reply = "reply",
    /// Hide a comment from the public without deleting it.
    HideComment = "hide_comment",
    /// Delete someone else's comment.
    DeleteComment = "delete_comment",
    /// Hold, approve or mark a comment as spam (a moderation queue, e.g. WordPress).
    ModerateComment = "moderate_comment",
    /// Read direct messages.
    ReadMessages = "read_messages",
    /// Schedule a post on the network itself.
    ScheduleNatively = "schedule_natively",
    /// Read per-post metrics (likes, replies, reposts…).
    PostMetrics = "post_metrics",
    /// Read per-account metrics (followers, posts…).
    AccountMetrics = "account_metrics",
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown capability")]
pub struct UnknownCapability;

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of capabilities, ordered as [`Capability::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Capabilities(u32);

impl Capabilities {
    pub const fn empty() -> Self {
        Capabilities(0)
    }

    pub const fn of(list: &[Capability]) -> Self {
        let mut bits = 0;
        let mut i = 0;
        while i < list.len() {
            bits |= 1 << list[i] as u32;
            i += 1;
        }
        Capabilities(bits)
    }

    /// This set and `capability`.
    pub const fn with(self, capability: Capability) -> Self {
        Capabilities(self.0 | 1 << capability as u32)
    }

    pub fn contains(self, capability: Capability) -> bool {
        self.0 & (1 << capability as u32) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Capability> {
        Capability::ALL
            .iter()
            .copied()
            .filter(move |c| self.contains(*c))
    }

    /// Comma-separated names, as stored in the database.
    pub fn to_csv(self) -> String {
        self.iter()
            .map(Capability::as_str)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Parses the stored form; unknown names (from a newer version) are skipped.
    pub fn from_csv(csv: &str) -> Self {
        let list: Vec<Capability> = csv.split(',').filter_map(|s| s.parse().ok()).collect();
        Capabilities::of(&list)
    }
}

impl Serialize for Capabilities {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_round_trip_through_their_stored_form() {
        let caps = Capabilities::of(&[Capability::Reply, Capability::PublishText]);
        assert_eq!(caps.to_csv(), "publish_text,reply");
        assert_eq!(Capabilities::from_csv(&caps.to_csv()), caps);
        assert!(caps.contains(Capability::Reply));
        assert!(!caps.contains(Capability::HideComment));
        assert_eq!(
            Capabilities::from_csv("reply,teleport"),
            Capabilities::of(&[Capability::Reply])
        );
    }

    #[test]
    fn every_capability_has_a_distinct_name_that_parses_back() {
        assert!(Capability::ALL.len() <= 32);
        for c in Capability::ALL {
            assert_eq!(c.as_str().parse::<Capability>(), Ok(*c));
        }
    }
}
