//! Connectors: one module per social network, each behind the [`Connector`] trait.
//!
//! A connector speaks to one account on one network with the credentials it was built from. It
//! knows nothing of tribune's storage: the caller (the channel service) persists what a connector
//! hands back — refreshed credentials ([`Connector::credentials`]), the rate-limit state
//! ([`Connector::rate_limited_until`]) and comment cursors.
//!
//! Every call goes through the shared [`http::HttpClient`]: timeouts, retries for idempotent
//! requests only, a size limit on every response body and one user agent. Everything a network
//! returns is untrusted: bodies are bounded, parsed into typed structs, HTML is sanitised
//! ([`html`]) and raw payloads are kept only truncated ([`model::bounded_raw`]).

mod address;
pub mod bluesky;
pub mod capability;
pub mod connector;
pub mod error;
pub mod html;
pub mod http;
pub mod mastodon;
pub mod model;
pub mod rate;
#[cfg(feature = "sink")]
pub mod sink;
#[cfg(feature = "testing")]
pub mod testing;
pub mod wordpress;

pub use capability::{Capabilities, Capability};
pub use connector::{Connector, ConnectorContext, build};
pub use error::{ConnectorError, ErrorKind};
pub use model::*;
