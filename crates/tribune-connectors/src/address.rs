//! Which addresses tribune may call: public ones only, checked on the URL as written and again
//! on what a name resolves to, so that nothing a manager types or a network sends reaches the
//! server's own network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// A host that names the machine itself or a private network, as written in a URL.
pub(crate) fn is_private(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            // Single-label names (`redis`, `consul`) only make sense on a private network.
            !name.contains('.')
                || name == "localhost"
                || name.ends_with(".localhost")
                || name.ends_with(".internal")
        }
        url::Host::Ipv4(ip) => is_private_ip(IpAddr::V4(*ip)),
        url::Host::Ipv6(ip) => is_private_ip(IpAddr::V6(*ip)),
    }
}

/// Loopback, private (RFC 1918, CGNAT, unique local), link-local, multicast, benchmarking and
/// other special-purpose addresses, and IPv6 forms that carry one of them: nothing a public
/// network's server lives on.
pub(crate) fn is_private_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_private_v4(ip),
        IpAddr::V6(ip) => is_private_v6(ip),
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || a == 0
        // Reserved (240/4), broadcast included.
        || a >= 240
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || (a == 192 && b == 0 && c == 0)
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let v4_at = |high: u16, low: u16| {
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    // IPv4-compatible (`::a.b.c.d`, deprecated; `::1` and `::` included): routed nowhere
    // public, and some stacks reach the IPv4 address through it.
    let compatible = s[..6] == [0; 6];
    // IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-translated (`::ffff:0:a.b.c.d`) reach the IPv4
    // address itself.
    let mapped = s[..5] == [0; 5] && s[5] == 0xffff;
    let translated = s[..4] == [0; 4] && s[4] == 0xffff && s[5] == 0;
    // NAT64's well-known prefix (64:ff9b::/96) reaches the IPv4 address in its last 32 bits;
    // its local-use prefix (64:ff9b:1::/48) is a private network's own.
    let nat64 = s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4];
    let nat64_local = s[0] == 0x64 && s[1] == 0xff9b && s[2] == 1;
    // 6to4 (2002::/16) tunnels to the IPv4 address in bits 16–47.
    let six_to_four = s[0] == 0x2002;
    // Teredo (2001::/32) tunnels to an IPv4 client; no server is reached that way.
    let teredo = s[0] == 0x2001 && s[1] == 0;
    compatible
        || ((mapped || translated || nat64) && is_private_v4(v4_at(s[6], s[7])))
        || (six_to_four && is_private_v4(v4_at(s[1], s[2])))
        || nat64_local
        || teredo
        || ip.is_multicast()
        // Unique local (fc00::/7), link-local (fe80::/10), old site-local (fec0::/10).
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        // Discard-only (100::/64).
        || (s[0] == 0x100 && s[1..4] == [0; 3])
}

/// What a name resolved to, minus the private addresses.
pub(crate) fn public_only(addrs: impl Iterator<Item = SocketAddr>) -> Vec<SocketAddr> {
    addrs.filter(|addr| !is_private_ip(addr.ip())).collect()
}

/// Resolves names as the system does, then drops private and loopback addresses, so a public
/// name pointing into the server's own network leads nowhere. `trusted` is the one name
/// resolved unfiltered: the outgoing proxy the administrator configured, which may well live
/// on the private network.
pub(crate) struct PublicAddressesOnly {
    pub(crate) trusted: Option<String>,
}

impl reqwest::dns::Resolve for PublicAddressesOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        let trusted = self
            .trusted
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case(&host));
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let addrs: Vec<SocketAddr> = if trusted {
                found.collect()
            } else {
                public_only(found)
            };
            if addrs.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::dns::Resolve;

    /// Every form of an address, and whether tribune refuses it.
    const TABLE: &[(&str, bool)] = &[
        ("127.0.0.1", true),
        ("10.1.2.3", true),
        ("172.16.0.1", true),
        ("192.168.1.10", true),
        ("169.254.169.254", true),
        ("100.64.0.1", true),
        ("198.18.0.1", true),
        ("0.0.0.0", true),
        ("224.0.0.1", true),
        ("240.0.0.1", true),
        ("255.255.255.255", true),
        ("8.8.8.8", false),
        ("1.1.1.1", false),
        ("::1", true),
        ("::", true),
        ("fd00::1", true),
        ("fe80::1", true),
        ("fec0::1", true),
        ("ff02::1", true),
        ("100::1", true),
        // IPv4-compatible, any of them.
        ("::127.0.0.1", true),
        ("::10.0.0.1", true),
        ("::8.8.8.8", true),
        // IPv4-mapped and -translated: as the IPv4 address.
        ("::ffff:127.0.0.1", true),
        ("::ffff:10.0.0.1", true),
        ("::ffff:8.8.8.8", false),
        ("::ffff:0:127.0.0.1", true),
        ("::ffff:0:8.8.8.8", false),
        // 6to4: as the IPv4 address it embeds.
        ("2002:7f00:1::", true),
        ("2002:7f00:1::1", true),
        ("2002:a00:1::", true),
        ("2002:c0a8:10a::", true),
        ("2002:a9fe:a9fe::", true),
        ("2002:808:808::1", false),
        // NAT64: as the IPv4 address it embeds; the local-use prefix is private.
        ("64:ff9b::7f00:1", true),
        ("64:ff9b::a00:1", true),
        ("64:ff9b::808:808", false),
        ("64:ff9b:1::808:808", true),
        // Teredo.
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", true),
        // Public IPv6.
        ("2a00:1450:4007:80e::200e", false),
        ("2001:4860:4860::8888", false),
    ];

    #[test]
    fn every_form_of_a_private_address_is_refused_as_written() {
        for (address, refused) in TABLE {
            let ip: IpAddr = address.parse().unwrap();
            let written = match ip {
                IpAddr::V4(_) => format!("https://{address}/"),
                IpAddr::V6(_) => format!("https://[{address}]/"),
            };
            let url = url::Url::parse(&written).unwrap();
            assert_eq!(
                url.host().is_some_and(|h| is_private(&h)),
                *refused,
                "{written}"
            );
        }
    }

    #[test]
    fn every_form_of_a_private_address_is_dropped_after_resolution() {
        for (address, refused) in TABLE {
            let addr = SocketAddr::new(address.parse().unwrap(), 443);
            let kept = public_only([addr].into_iter());
            assert_eq!(kept.is_empty(), *refused, "{address}");
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_only_to_loopback_resolves_to_nothing() {
        let resolver = PublicAddressesOnly { trusted: None };
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        assert!(resolver.resolve(name).await.is_err());
        // Unless it is the configured proxy's.
        let resolver = PublicAddressesOnly {
            trusted: Some("localhost".into()),
        };
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        assert!(resolver.resolve(name).await.is_ok());
    }
}
