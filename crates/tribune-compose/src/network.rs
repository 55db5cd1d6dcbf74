//! The networks a post can be composed for. The connectors crate only knows the networks it can
//! publish to today; the composer must already show every network's rules, so it has its own list.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A network a post variant is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComposeNetwork {
    Bluesky,
    Mastodon,
    Wordpress,
    X,
    Linkedin,
    Instagram,
    Facebook,
    Threads,
    Tiktok,
    Youtube,
    Pinterest,
}

impl ComposeNetwork {
    /// Every network, in the order the composer lists them.
    pub const ALL: [ComposeNetwork; 11] = [
        ComposeNetwork::Bluesky,
        ComposeNetwork::Mastodon,
        ComposeNetwork::Wordpress,
        ComposeNetwork::X,
        ComposeNetwork::Linkedin,
        ComposeNetwork::Instagram,
        ComposeNetwork::Facebook,
        ComposeNetwork::Threads,
        ComposeNetwork::Tiktok,
        ComposeNetwork::Youtube,
        ComposeNetwork::Pinterest,
    ];

    /// The stable name used in URLs, forms, JSON and the database (the serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            ComposeNetwork::Bluesky => "bluesky",
            ComposeNetwork::Mastodon => "mastodon",
            ComposeNetwork::Wordpress => "wordpress",
            ComposeNetwork::X => "x",
            ComposeNetwork::Linkedin => "linkedin",
            ComposeNetwork::Instagram => "instagram",
            ComposeNetwork::Facebook => "facebook",
            ComposeNetwork::Threads => "threads",
            ComposeNetwork::Tiktok => "tiktok",
            ComposeNetwork::Youtube => "youtube",
            ComposeNetwork::Pinterest => "pinterest",
        }
    }
}

impl ComposeNetwork {
    /// The network's own name, as it writes it (a brand: not translated).
    pub fn display_name(self) -> &'static str {
        match self {
            ComposeNetwork::Bluesky => "Bluesky",
            ComposeNetwork::Mastodon => "Mastodon",
            ComposeNetwork::Wordpress => "WordPress",
            ComposeNetwork::X => "X",
            ComposeNetwork::Linkedin => "LinkedIn",
            ComposeNetwork::Instagram => "Instagram",
            ComposeNetwork::Facebook => "Facebook",
            ComposeNetwork::Threads => "Threads",
            ComposeNetwork::Tiktok => "TikTok",
            ComposeNetwork::Youtube => "YouTube",
            ComposeNetwork::Pinterest => "Pinterest",
        }
    }
}

impl fmt::Display for ComposeNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A network name that is not one of [`ComposeNetwork::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown network {0:?}")]
pub struct UnknownNetwork(pub String);

impl FromStr for ComposeNetwork {
    type Err = UnknownNetwork;

    /// Accepts the stable name in any case, so a form or a CSV import written by hand works.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        ComposeNetwork::ALL
            .into_iter()
            .find(|network| network.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownNetwork(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_from_str_and_serde() {
        for network in ComposeNetwork::ALL {
            assert_eq!(network.as_str().parse::<ComposeNetwork>(), Ok(network));
            let json = serde_json::to_string(&network).unwrap();
            assert_eq!(json, format!("\"{}\"", network.as_str()));
            assert_eq!(
                serde_json::from_str::<ComposeNetwork>(&json).unwrap(),
                network
            );
        }
        assert_eq!(
            "LinkedIn".parse::<ComposeNetwork>(),
            Ok(ComposeNetwork::Linkedin)
        );
        assert!("twitter".parse::<ComposeNetwork>().is_err());
    }
}
