//! Top-level domains that make a bare `name.tld` a link. X counts `tribune.fr` written without
//! `https://` as a 23-character t.co link, so the counter must recognise it; twitter-text uses the
//! whole IANA list, this keeps every country code (from the Public Suffix List) and the generic
//! domains a French-speaking audience meets. A bare domain on a missing generic TLD is undercounted
//! on X (counted as typed); with `https://` every link is recognised.

/// Two-letter country-code TLDs (Public Suffix List, ICANN section).
const COUNTRY: &[&str] = &[
    "ac", "ad", "ae", "af", "ag", "ai", "al", "am", "ao", "aq", "ar", "as", "at", "au", "aw", "ax",
    "az", "ba", "bb", "be", "bf", "bg", "bh", "bi", "bj", "bm", "bn", "bo", "br", "bs", "bt", "bv",
    "bw", "by", "bz", "ca", "cc", "cd", "cf", "cg", "ch", "ci", "cl", "cm", "cn", "co", "cr", "cu",
    "cv", "cw", "cx", "cy", "cz", "de", "dj", "dk", "dm", "do", "dz", "ec", "ee", "eg", "es", "et",
    "eu", "fi", "fj", "fm", "fo", "fr", "ga", "gb", "gd", "ge", "gf", "gg", "gh", "gi", "gl", "gm",
    "gn", "gp", "gq", "gr", "gs", "gt", "gu", "gw", "gy", "hk", "hm", "hn", "hr", "ht", "hu", "id",
    "ie", "il", "im", "in", "io", "iq", "ir", "is", "it", "je", "jo", "jp", "ke", "kg", "ki", "km",
    "kn", "kp", "kr", "kw", "ky", "kz", "la", "lb", "lc", "li", "lk", "lr", "ls", "lt", "lu", "lv",
    "ly", "ma", "mc", "md", "me", "mg", "mh", "mk", "ml", "mn", "mo", "mp", "mq", "mr", "ms", "mt",
    "mu", "mv", "mw", "mx", "my", "mz", "na", "nc", "ne", "nf", "ng", "ni", "nl", "no", "nr", "nu",
    "nz", "om", "pa", "pe", "pf", "ph", "pk", "pl", "pm", "pn", "pr", "ps", "pt", "pw", "py", "qa",
    "re", "ro", "rs", "ru", "rw", "sa", "sb", "sc", "sd", "se", "sg", "sh", "si", "sj", "sk", "sl",
    "sm", "sn", "so", "sr", "ss", "st", "su", "sv", "sx", "sy", "sz", "tc", "td", "tf", "tg", "th",
    "tj", "tk", "tl", "tm", "tn", "to", "tr", "tt", "tv", "tw", "tz", "ua", "ug", "uk", "us", "uy",
    "uz", "va", "vc", "ve", "vg", "vi", "vn", "vu", "wf", "ws", "ye", "yt", "zm", "zw",
];

/// Generic TLDs: the historic ones and the new ones French-speaking brands use most.
const GENERIC: &[&str] = &[
    "aero",
    "agency",
    "ai",
    "alsace",
    "app",
    "art",
    "asia",
    "audio",
    "bar",
    "bio",
    "biz",
    "blog",
    "boutique",
    "bzh",
    "cafe",
    "cat",
    "club",
    "com",
    "coop",
    "corsica",
    "design",
    "dev",
    "eco",
    "edu",
    "email",
    "events",
    "fashion",
    "film",
    "fit",
    "fun",
    "gal",
    "game",
    "gay",
    "gov",
    "green",
    "group",
    "guide",
    "immo",
    "info",
    "int",
    "jobs",
    "link",
    "live",
    "ltd",
    "media",
    "mil",
    "mobi",
    "museum",
    "music",
    "name",
    "net",
    "news",
    "ngo",
    "one",
    "online",
    "org",
    "page",
    "paris",
    "photo",
    "photography",
    "pro",
    "quebec",
    "radio",
    "restaurant",
    "sarl",
    "shop",
    "site",
    "social",
    "space",
    "sport",
    "store",
    "studio",
    "team",
    "tech",
    "tel",
    "today",
    "travel",
    "vin",
    "voyage",
    "website",
    "wiki",
    "world",
    "xyz",
    "zone",
];

/// Whether `tld` (any case) is a top-level domain this crate recognises.
pub(crate) fn is_tld(tld: &str) -> bool {
    let lower = tld.to_ascii_lowercase();
    is_country(&lower) || GENERIC.binary_search(&lower.as_str()).is_ok()
}

/// Whether `tld` (any case) is a country code: twitter-text treats short domains under them apart.
pub(crate) fn is_country(tld: &str) -> bool {
    let lower = tld.to_ascii_lowercase();
    COUNTRY.binary_search(&lower.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_for_binary_search() {
        assert!(COUNTRY.windows(2).all(|w| w[0] < w[1]));
        assert!(GENERIC.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn recognises_common_domains_in_any_case() {
        assert!(is_tld("fr") && is_tld("COM") && is_tld("paris") && is_tld("Io"));
        assert!(!is_tld("exe") && !is_tld("le"));
    }
}
