//! French and English stay complete: same keys in both catalogues, and every key the code or
//! the templates use exists.
#![expect(
    clippy::expect_used,
    reason = "a source tree that cannot be read must fail the test"
)]

use std::collections::BTreeSet;
use std::path::Path;

fn keys(ftl: &str) -> BTreeSet<String> {
    ftl.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
        .map(|l| l.split(" = ").next().unwrap_or_default().trim().to_owned())
        .collect()
}

const PREFIXES: &[&str] = &[
    "error-",
    "flash-",
    "nav-",
    "field-",
    "help-",
    "setup-",
    "login-",
    "totp-",
    "workspaces-",
    "overview-",
    "settings-",
    "members-",
    "invite-",
    "guidelines-",
    "account-",
    "role-",
    "lang-",
];

/// String literals that look like catalogue keys, in every Rust file and template under `dir`.
fn used_keys(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            used_keys(&path, found);
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if ext != "rs" && ext != "html" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable source file");
        // In templates only the translator's calls count (not ids or classes).
        let literals: Vec<&str> = if ext == "html" {
            let calls = |marker: &'static str| text.split(marker).skip(1);
            calls("t(\"")
                .chain(calls("t1(\""))
                .filter_map(|s| s.split('"').next())
                .collect()
        } else {
            text.split('"').skip(1).step_by(2).collect()
        };
        for literal in literals {
            let looks_like_key = PREFIXES.iter().any(|p| literal.starts_with(p))
                && literal.len() > 4
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !literal.ends_with('-');
            if looks_like_key {
                found.insert(literal.to_owned());
            }
        }
    }
}

#[test]
fn catalogues_are_complete_and_cover_every_key_in_use() {
    let fr = keys(tribune_web::i18n::FR_FTL);
    let en = keys(tribune_web::i18n::EN_FTL);
    let only_fr: Vec<_> = fr.difference(&en).collect();
    let only_en: Vec<_> = en.difference(&fr).collect();
    assert!(only_fr.is_empty(), "missing in en.ftl: {only_fr:?}");
    assert!(only_en.is_empty(), "missing in fr.ftl: {only_en:?}");

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = BTreeSet::new();
    for dir in [
        "src",
        "templates",
        "../tribune-domain/src",
        "../tribune-store/src",
    ] {
        used_keys(&root.join(dir), &mut used);
    }
    for role in ["owner", "manager", "contributor", "client"] {
        used.insert(format!("role-{role}"));
    }
    let missing: Vec<_> = used.iter().filter(|k| !fr.contains(*k)).collect();
    assert!(used.len() > 100, "the scan found the keys ({})", used.len());
    assert!(
        missing.is_empty(),
        "keys used but not translated: {missing:?}"
    );
}

#[test]
fn catalogues_parse_without_errors() {
    for source in [tribune_web::i18n::FR_FTL, tribune_web::i18n::EN_FTL] {
        assert!(fluent_bundle::FluentResource::try_new(source.to_owned()).is_ok());
    }
}

/// The French catalogue keeps the convention of docs/I18N.md: typographic apostrophes,
/// no-break spaces before `; : ! ?` and inside « », epicene wording without middle dots,
/// one lower-case name per role.
#[test]
fn the_french_catalogue_follows_its_writing_convention() {
    let mut problems = Vec::new();
    for line in tribune_web::i18n::FR_FTL.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let value = line.split_once(" = ").map_or(line, |(_, v)| v);
        let chars: Vec<char> = value.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            let bad = match c {
                '\'' => true,
                '·' => true,
                ';' | '!' | '?' | '»' => before.is_some_and(|b| b == ' ' || b.is_alphanumeric()),
                ':' => before.is_some_and(|b| b == ' ' || b.is_alphabetic()),
                '«' => after.is_some_and(|a| a == ' ' || a.is_alphanumeric() || a == '{'),
                _ => false,
            };
            if bad {
                problems.push(format!("{c:?} in: {line}"));
            }
        }
        for word in ["gestionnaire", "manager", "administrateur", "invité·e"] {
            if value.to_lowercase().contains(word) {
                problems.push(format!("{word:?} in: {line}"));
            }
        }
    }
    for (key, name) in [
        ("role-owner", "propriétaire"),
        ("role-manager", "responsable"),
        ("role-contributor", "contributeur"),
        ("role-client", "client"),
    ] {
        if !tribune_web::i18n::FR_FTL.contains(&format!("\n{key} = {name}\n")) {
            problems.push(format!("{key} should be « {name} »"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
