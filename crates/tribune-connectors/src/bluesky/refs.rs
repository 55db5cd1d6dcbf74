//! The [`RemoteRef`] format of this connector: the record's AT URI, then `#` and its CID,
//! e.g. `at://did:plc:abc/app.bsky.feed.post/3lxyz…#bafyrei…`. The URI names the record (for
//! deleting it, its metrics, its web address); the CID pins its version, as the strong refs of a
//! reply need. A ref without `#cid` is accepted wherever the CID is not needed.

use crate::error::{ConnectorError, Result};
use crate::model::RemoteRef;

pub(super) const POST: &str = "app.bsky.feed.post";

/// A record named by an AT URI, and its CID when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RecordRef {
    pub repo: String,
    pub collection: String,
    pub rkey: String,
    pub cid: Option<String>,
}

impl RecordRef {
    pub fn uri(&self) -> String {
        format!("at://{}/{}/{}", self.repo, self.collection, self.rkey)
    }

    pub fn to_remote(&self) -> RemoteRef {
        match &self.cid {
            Some(cid) => RemoteRef(format!("{}#{cid}", self.uri())),
            None => RemoteRef(self.uri()),
        }
    }

    /// The post's page on the Bluesky web app, by handle when we know it.
    pub fn web_url(&self, handle: Option<&str>) -> String {
        let who = handle.unwrap_or(&self.repo);
        format!("https://bsky.app/profile/{who}/post/{}", self.rkey)
    }

    pub fn parse_uri(uri: &str, cid: Option<&str>) -> Result<Self> {
        let invalid = || ConnectorError::invalid_input(format!("not a Bluesky record: {uri}"));
        let rest = uri.strip_prefix("at://").ok_or_else(invalid)?;
        let mut parts = rest.split('/');
        let (Some(repo), Some(collection), Some(rkey), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        let fine = |s: &str, extra: &str| {
            !s.is_empty()
                && s.len() <= 512
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-_:~".contains(c) || extra.contains(c))
        };
        if !fine(repo, "") || !fine(collection, "") || !fine(rkey, "") {
            return Err(invalid());
        }
        let cid = cid
            .filter(|c| !c.is_empty())
            .map(|c| {
                if c.len() <= 128 && c.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                    Ok(c.to_string())
                } else {
                    Err(invalid())
                }
            })
            .transpose()?;
        Ok(RecordRef {
            repo: repo.to_string(),
            collection: collection.to_string(),
            rkey: rkey.to_string(),
            cid,
        })
    }

    pub fn parse(remote: &RemoteRef) -> Result<Self> {
        match remote.0.split_once('#') {
            Some((uri, cid)) => Self::parse_uri(uri, Some(cid)),
            None => Self::parse_uri(&remote.0, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_round_trip_and_garbage_is_refused() {
        let r = RecordRef::parse(&RemoteRef(
            "at://did:plc:abc/app.bsky.feed.post/3kabc#bafyreiabc".into(),
        ))
        .unwrap();
        assert_eq!(r.repo, "did:plc:abc");
        assert_eq!(r.rkey, "3kabc");
        assert_eq!(r.cid.as_deref(), Some("bafyreiabc"));
        assert_eq!(
            r.to_remote().0,
            "at://did:plc:abc/app.bsky.feed.post/3kabc#bafyreiabc"
        );
        assert_eq!(
            r.web_url(Some("cm.example")),
            "https://bsky.app/profile/cm.example/post/3kabc"
        );
        let no_cid = RecordRef::parse(&RemoteRef("at://did:plc:abc/app.bsky.feed.post/3k".into()));
        assert_eq!(no_cid.unwrap().cid, None);
        for bad in [
            "",
            "https://bsky.app/x",
            "at://did:plc:abc/app.bsky.feed.post",
            "at://did:plc:abc/app.bsky.feed.post/a/b",
            "at://did:plc:abc/app.bsky.feed.post/<script>",
            "at://did:plc:abc/app.bsky.feed.post/3k#ba fy",
        ] {
            assert!(RecordRef::parse(&RemoteRef(bad.into())).is_err(), "{bad}");
        }
    }
}
