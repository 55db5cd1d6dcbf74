//! tribune's own short links (`/l/{code}`): what a link may point at, the UTM tags it adds, the
//! address a visitor is sent to, and the two cheap rules of click counting (which visits are
//! obvious robots, which network a visit came from). Nothing here knows who clicked: no address,
//! no user agent is kept, only the day and the referring network.

use crate::ValidationError;
use rand::Rng;
use url::Url;

/// Longest target address accepted (bytes, after normalisation).
pub const MAX_TARGET_LEN: usize = 2048;
/// Longest UTM value (characters).
pub const MAX_UTM_CHARS: usize = 200;
/// Length of a new code: 62⁷ ≈ 3.5 × 10¹² codes, so a guess hits one in a billion or so even
/// with thousands of links, and a collision (retried) is rare.
pub const CODE_LEN: usize = 7;
/// Codes are read up to this length (longer ones may come later); anything else is unknown.
pub const MAX_CODE_LEN: usize = 16;

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A fresh random code: [`CODE_LEN`] characters of base62 drawn from the operating system's
/// CSPRNG (uniformly: `gen_range` does not favour the first characters).
pub fn new_code() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..CODE_LEN)
        .map(|_| char::from(BASE62[rng.gen_range(0..BASE62.len())]))
        .collect()
}

/// Whether `code` can be a link's code at all (so a lookup of junk costs no query).
pub fn is_code(code: &str) -> bool {
    (1..=MAX_CODE_LEN).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A checked target address: `http(s)`, with a host, no credentials, at most
/// [`MAX_TARGET_LEN`] bytes, and not one of tribune's own short links (no redirect loops).
/// Only [`LinkTarget::parse`] makes one; it holds the normalised address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget(String);

impl LinkTarget {
    /// Checks `raw` (trimmed) as a link's target; `own_base` is tribune's public address, whose
    /// `/l/` links may not be shortened again.
    pub fn parse(raw: &str, own_base: &str) -> Result<LinkTarget, ValidationError> {
        const FIELD: &str = "target";
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(ValidationError::single(FIELD, "error-required"));
        }
        if raw.len() > MAX_TARGET_LEN {
            return Err(ValidationError::single(FIELD, "error-too-long"));
        }
        // The URL parser silently drops tabs and newlines; refuse them instead.
        if raw.chars().any(char::is_control) {
            return Err(ValidationError::single(FIELD, "error-control-chars"));
        }
        let url = Url::parse(raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
            .ok_or_else(|| ValidationError::single(FIELD, "error-link-target-invalid"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ValidationError::single(
                FIELD,
                "error-link-target-credentials",
            ));
        }
        if is_own_short_link(&url, own_base) {
            return Err(ValidationError::single(FIELD, "error-link-target-loop"));
        }
        let normalised = String::from(url);
        if normalised.len() > MAX_TARGET_LEN {
            return Err(ValidationError::single(FIELD, "error-too-long"));
        }
        Ok(LinkTarget(normalised))
    }

    /// A target read back from the database, checked when it was stored.
    pub fn from_stored(stored: String) -> LinkTarget {
        LinkTarget(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whether `url` is a short link of the tribune at `own_base` (same host and port, `/l/…`).
pub fn is_own_short_link(url: &Url, own_base: &str) -> bool {
    let Ok(own) = Url::parse(own_base) else {
        return false;
    };
    url.host_str().is_some()
        && url.host_str() == own.host_str()
        && url.port_or_known_default() == own.port_or_known_default()
        && url.path().starts_with("/l/")
}

/// The UTM tags a link adds to its target; `None` adds nothing (and leaves the target's own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Utm {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub term: Option<String>,
    pub content: Option<String>,
}

impl Utm {
    /// Trims each value (empty means none) and checks its length and characters.
    pub fn validate(
        source: Option<&str>,
        medium: Option<&str>,
        campaign: Option<&str>,
        term: Option<&str>,
        content: Option<&str>,
    ) -> Result<Utm, ValidationError> {
        let mut errors = ValidationError::default();
        let mut check = |field: &'static str, value: Option<&str>| {
            let value = value.map(str::trim).filter(|v| !v.is_empty())?;
            if value.chars().count() > MAX_UTM_CHARS {
                errors.push(field, "error-too-long");
            } else if value.chars().any(char::is_control) {
                errors.push(field, "error-control-chars");
            }
            Some(value.to_owned())
        };
        let utm = Utm {
            source: check("utm_source", source),
            medium: check("utm_medium", medium),
            campaign: check("utm_campaign", campaign),
            term: check("utm_term", term),
            content: check("utm_content", content),
        };
        errors.into_result().map(|()| utm)
    }

    /// The tags that are set, as `(parameter, value)`, in the usual order.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("utm_source", &self.source),
            ("utm_medium", &self.medium),
            ("utm_campaign", &self.campaign),
            ("utm_term", &self.term),
            ("utm_content", &self.content),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }
}

/// Where a visitor of the link is sent: the target with the UTM tags appended to its query.
/// The target's other parameters stay as written (same order, same encoding); a parameter of
/// the target named like a tag the link sets is replaced by the link's; the fragment stays last.
pub fn destination(target: &LinkTarget, utm: &Utm) -> String {
    let tags = utm.pairs();
    if tags.is_empty() {
        return target.0.clone();
    }
    let (before_fragment, fragment) = match target.0.split_once('#') {
        Some((head, fragment)) => (head, Some(fragment)),
        None => (target.0.as_str(), None),
    };
    let (base, query) = match before_fragment.split_once('?') {
        Some((base, query)) => (base, query),
        None => (before_fragment, ""),
    };
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|part| !part.is_empty())
        .filter(|part| {
            let name = part.split('=').next().unwrap_or_default();
            let name: String = url::form_urlencoded::parse(name.as_bytes())
                .next()
                .map(|(name, _)| name.into_owned())
                .unwrap_or_default();
            !tags.iter().any(|(tag, _)| name.eq_ignore_ascii_case(tag))
        })
        .map(str::to_owned)
        .collect();
    let mut added = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in &tags {
        added.append_pair(name, value);
    }
    parts.push(added.finish());
    let mut out = format!("{base}?{}", parts.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// The day a click at `unix` is counted on: the date in the workspace's time zone
/// (`YYYY-MM-DD`), the day its team reads reports in. An unknown zone counts in UTC.
pub fn click_day(timezone: &str, unix: i64) -> String {
    let zone = jiff::tz::db()
        .get(timezone)
        .unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(unix)
        .map(|at| at.to_zoned(zone).date().to_string())
        .unwrap_or_else(|_| "1970-01-01".to_owned())
}

/// User agents of robots, previewers and scripts, matched in lowercase anywhere in the header.
/// Link-preview fetchers of the networks themselves come first: each post makes them fetch the
/// link once per instance or per share, which would otherwise count as a click.
const ROBOT_MARKERS: &[&str] = &[
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "twitterbot",
    "linkedinbot",
    "slackbot",
    "slack-imgproxy",
    "discordbot",
    "telegrambot",
    "whatsapp",
    "cardyb",
    "http.rb",
    "mastodon/",
    "pleroma",
    "akkoma",
    "misskey",
    "embedly",
    "iframely",
    "skypeuripreview",
    "vkshare",
    "quora link preview",
    "pinterest",
    "redditbot",
    "applebot",
    "bingpreview",
    "google-inspectiontool",
    "feedfetcher",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "python-httpx",
    "aiohttp",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww-perl",
    "apache-httpclient",
    "node-fetch",
    "undici",
    "axios/",
    "reqwest",
    "headlesschrome",
    "phantomjs",
    "puppeteer",
    "playwright",
    "selenium",
    "lighthouse",
    "preview",
    "bot",
    "crawl",
    "spider",
    "slurp",
];

/// Whether a visit is an obvious robot (or a script), going by its `User-Agent`: those are not
/// counted as clicks. No header at all is a script too.
pub fn is_robot(user_agent: &str) -> bool {
    let ua = user_agent.trim().to_ascii_lowercase();
    ua.is_empty() || ROBOT_MARKERS.iter().any(|marker| ua.contains(marker))
}

/// A visit without a `Referer` (typed, from an app, or the network hid it).
pub const DIRECT: &str = "direct";
/// A visit from a site tribune does not name (a Mastodon instance, a blog, a search engine).
pub const OTHER: &str = "other";

/// Web hosts (and their subdomains) of the networks, and the network they stand for.
const REFERRING_HOSTS: &[(&str, &str)] = &[
    ("t.co", "x"),
    ("x.com", "x"),
    ("twitter.com", "x"),
    ("facebook.com", "facebook"),
    ("fb.com", "facebook"),
    ("fb.me", "facebook"),
    ("messenger.com", "facebook"),
    ("instagram.com", "instagram"),
    ("threads.net", "threads"),
    ("threads.com", "threads"),
    ("linkedin.com", "linkedin"),
    ("lnkd.in", "linkedin"),
    ("bsky.app", "bluesky"),
    ("youtube.com", "youtube"),
    ("youtu.be", "youtube"),
    ("tiktok.com", "tiktok"),
    ("pinterest.com", "pinterest"),
    ("pin.it", "pinterest"),
    ("reddit.com", "reddit"),
];

/// Android apps send `android-app://<package>/` as their referrer.
const REFERRING_APPS: &[(&str, &str)] = &[
    ("com.twitter.android", "x"),
    ("com.facebook.katana", "facebook"),
    ("com.facebook.lite", "facebook"),
    ("com.instagram.android", "instagram"),
    ("com.instagram.barcelona", "threads"),
    ("com.linkedin.android", "linkedin"),
    ("xyz.blueskyweb.app", "bluesky"),
    ("com.google.android.youtube", "youtube"),
    ("com.zhiliaoapp.musically", "tiktok"),
    ("com.pinterest", "pinterest"),
    ("com.reddit.frontpage", "reddit"),
];

/// The network a visit came from, by the host of its `Referer`: a network's name,
/// [`DIRECT`] without one, or [`OTHER`]. Mastodon instances are any host at all, so they
/// cannot be told from other sites and count as [`OTHER`].
pub fn referring_network(referer: Option<&str>) -> &'static str {
    let Some(referer) = referer.map(str::trim).filter(|r| !r.is_empty()) else {
        return DIRECT;
    };
    let Ok(url) = Url::parse(referer) else {
        return OTHER;
    };
    if url.scheme() == "android-app" {
        let package = url.host_str().unwrap_or_default();
        return REFERRING_APPS
            .iter()
            .find(|(name, _)| package.eq_ignore_ascii_case(name))
            .map_or(OTHER, |(_, network)| network);
    }
    let Some(host) = url.host_str() else {
        return OTHER;
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    REFERRING_HOSTS
        .iter()
        .find(|(domain, _)| {
            host == *domain
                || host
                    .strip_suffix(domain)
                    .is_some_and(|head| head.ends_with('.'))
        })
        .map_or(OTHER, |(_, network)| network)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const OWN: &str = "https://tribune.example.fr";

    fn target(raw: &str) -> Result<LinkTarget, &'static str> {
        LinkTarget::parse(raw, OWN).map_err(|e| e.violations[0].message_key)
    }

    #[test]
    fn codes_are_seven_base62_characters_and_differ() {
        let a = new_code();
        let b = new_code();
        assert_eq!(a.len(), CODE_LEN);
        assert!(is_code(&a) && is_code(&b));
        assert_ne!(a, b);
        assert!(!is_code(""));
        assert!(!is_code("abc/def"));
        assert!(!is_code("ab%2e"));
        assert!(!is_code(&"a".repeat(MAX_CODE_LEN + 1)));
    }

    #[test]
    fn targets_must_be_plain_http_addresses_that_are_not_our_short_links() {
        assert_eq!(
            target("  https://Boulangerie.example/Pain?x=1  ")
                .unwrap()
                .as_str(),
            "https://boulangerie.example/Pain?x=1"
        );
        assert_eq!(target("").unwrap_err(), "error-required");
        assert_eq!(
            target("javascript:alert(1)").unwrap_err(),
            "error-link-target-invalid"
        );
        assert_eq!(
            target("ftp://files.example/").unwrap_err(),
            "error-link-target-invalid"
        );
        assert_eq!(
            target("/relative/path").unwrap_err(),
            "error-link-target-invalid"
        );
        assert_eq!(
            target("not a url").unwrap_err(),
            "error-link-target-invalid"
        );
        assert_eq!(
            target("https://user:secret@site.example/").unwrap_err(),
            "error-link-target-credentials"
        );
        assert_eq!(
            target("https://user@site.example/").unwrap_err(),
            "error-link-target-credentials"
        );
        assert_eq!(
            target("https://site.example/\na").unwrap_err(),
            "error-control-chars"
        );
        let long = format!("https://site.example/{}", "a".repeat(MAX_TARGET_LEN));
        assert_eq!(target(&long).unwrap_err(), "error-too-long");
        assert_eq!(
            target("https://TRIBUNE.example.fr/l/AbC1234").unwrap_err(),
            "error-link-target-loop"
        );
        assert_eq!(
            target("https://tribune.example.fr:443/l/AbC1234").unwrap_err(),
            "error-link-target-loop"
        );
        // Another page of tribune, or the same path elsewhere, is a fine target.
        assert!(target("https://tribune.example.fr/g/charte").is_ok());
        assert!(target("https://tribune.example.fr:8443/l/AbC1234").is_ok());
        assert!(target("https://other.example/l/AbC1234").is_ok());
    }

    #[test]
    fn utm_values_are_trimmed_bounded_and_optional() {
        let utm = Utm::validate(
            Some(" bluesky "),
            Some("social"),
            Some(""),
            None,
            Some("  "),
        )
        .unwrap();
        assert_eq!(utm.source.as_deref(), Some("bluesky"));
        assert_eq!(utm.campaign, None);
        assert_eq!(utm.content, None);
        let long = "x".repeat(MAX_UTM_CHARS + 1);
        let error = Utm::validate(None, None, Some(&long), Some("a\u{7}"), None).unwrap_err();
        assert_eq!(error.for_field("utm_campaign"), Some("error-too-long"));
        assert_eq!(error.for_field("utm_term"), Some("error-control-chars"));
    }

    fn utm(source: &str, campaign: Option<&str>) -> Utm {
        Utm {
            source: Some(source.into()),
            medium: Some("social".into()),
            campaign: campaign.map(Into::into),
            ..Utm::default()
        }
    }

    #[test]
    fn the_destination_keeps_the_query_and_fragment_and_replaces_the_tags_it_sets() {
        let t = |raw| target(raw).unwrap();
        assert_eq!(
            destination(&t("https://site.example/agenda"), &utm("bluesky", None)),
            "https://site.example/agenda?utm_source=bluesky&utm_medium=social"
        );
        assert_eq!(
            destination(
                &t("https://site.example/a?b=1+2&c=%C3%A9&utm_source=old&utm_term=kept#top"),
                &utm("mastodon", Some("Fête du pain"))
            ),
            "https://site.example/a?b=1+2&c=%C3%A9&utm_term=kept\
             &utm_source=mastodon&utm_medium=social&utm_campaign=F%C3%AAte+du+pain#top"
        );
        assert_eq!(
            destination(&t("https://site.example/?"), &utm("x", None)),
            "https://site.example/?utm_source=x&utm_medium=social"
        );
        assert_eq!(
            destination(&t("https://site.example/p?q=1"), &Utm::default()),
            "https://site.example/p?q=1"
        );
    }

    #[test]
    fn clicks_count_on_the_workspace_s_own_day() {
        // 23:30 UTC on 31 December is already 1 January in Paris.
        let at = 1_767_223_800;
        assert_eq!(click_day("UTC", at), "2025-12-31");
        assert_eq!(click_day("Europe/Paris", at), "2026-01-01");
        assert_eq!(click_day("Not/AZone", at), "2025-12-31");
    }

    #[test]
    fn robots_previewers_and_scripts_are_recognised() {
        for ua in [
            "",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Twitterbot/1.0",
            "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
            "TelegramBot (like TwitterBot)",
            "WhatsApp/2.23.20.0 A",
            "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
            "http.rb/5.1.1 (Mastodon/4.2.1; +https://mastodon.social/)",
            "curl/8.5.0",
            "Wget/1.21.4",
            "python-requests/2.31.0",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0 Safari/537.36",
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; SemrushBot-SA/0.97; +http://www.semrush.com/bot.html)",
            "Sogou web spider/4.0",
            "ia_archiver crawler",
        ] {
            assert!(is_robot(ua), "{ua:?} should be a robot");
        }
        for ua in [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        ] {
            assert!(!is_robot(ua), "{ua:?} is a person's browser");
        }
    }

    #[test]
    fn the_referring_network_comes_from_the_referer_host() {
        for (referer, network) in [
            (None, DIRECT),
            (Some(""), DIRECT),
            (Some("https://t.co/"), "x"),
            (Some("https://x.com/brand/status/1"), "x"),
            (Some("https://l.facebook.com/l.php?u=x"), "facebook"),
            (Some("https://lm.facebook.com/"), "facebook"),
            (Some("https://lnkd.in/abc"), "linkedin"),
            (Some("https://www.linkedin.com/feed/"), "linkedin"),
            (Some("https://bsky.app/profile/brand.example"), "bluesky"),
            (Some("https://l.instagram.com/"), "instagram"),
            (Some("android-app://com.linkedin.android/"), "linkedin"),
            (Some("android-app://org.joinmastodon.android/"), OTHER),
            (Some("https://mastodon.social/@brand"), OTHER),
            (Some("https://notfacebook.com/"), OTHER),
            (Some("https://t.co.evil.example/"), OTHER),
            (Some("not a url"), OTHER),
        ] {
            assert_eq!(referring_network(referer), network, "{referer:?}");
        }
    }
}
