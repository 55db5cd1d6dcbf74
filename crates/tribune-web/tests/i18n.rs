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

/// Whether a literal is shaped like a catalogue key (`area-what-more`, lower-case words joined
/// by hyphens) and starts with one of the catalogue's own prefixes, so every key family —
/// including ones added later — is covered without a hand-kept list.
fn looks_like_key(literal: &str, prefixes: &BTreeSet<String>) -> bool {
    let Some((first, rest)) = literal.split_once('-') else {
        return false;
    };
    !rest.is_empty()
        && !literal.ends_with('-')
        && !literal.contains("--")
        && literal
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && prefixes.contains(first)
}

/// String literals that look like catalogue keys, in every Rust file and template under `dir`.
fn used_keys(dir: &Path, prefixes: &BTreeSet<String>, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            used_keys(&path, prefixes, found);
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
            text.split("(\"")
                .skip(1)
                .filter_map(|s| s.split('"').next())
                .collect()
        } else {
            text.split('"').skip(1).step_by(2).collect()
        };
        for literal in literals {
            if looks_like_key(literal, prefixes) {
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

    let prefixes: BTreeSet<String> = fr
        .iter()
        .filter_map(|k| k.split_once('-').map(|(first, _)| first.to_owned()))
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut used = BTreeSet::new();
    for dir in [
        "src",
        "templates",
        "../tribune-domain/src",
        "../tribune-store/src",
        "../tribune-business/src",
        "../tribune-channels/src",
        "../tribune/src",
    ] {
        used_keys(&root.join(dir), &prefixes, &mut used);
    }
    for role in ["owner", "manager", "contributor", "client"] {
        used.insert(format!("role-{role}"));
    }
    // Every refusal of the store is explained through its key.
    for refusal in tribune_store::Refusal::ALL {
        used.insert(refusal.key().to_owned());
    }
    for conflict in tribune_store::Conflict::ALL {
        used.insert(conflict.key().to_owned());
    }
    // Audit actions are shown through keys built from their names.
    for action in tribune_store::audit::ACTIONS {
        used.insert(format!("audit-{}", action.replace('.', "-")));
    }
    let missing: Vec<_> = used.iter().filter(|k| !fr.contains(*k)).collect();
    assert!(used.len() > 100, "the scan found the keys ({})", used.len());
    assert!(
        missing.is_empty(),
        "keys used but not translated: {missing:?}"
    );
}

#[test]
fn key_shaped_literals_are_recognised_by_the_catalogue_prefixes() {
    let prefixes: BTreeSet<String> = ["error", "channel"].map(String::from).into();
    assert!(looks_like_key("channel-network-said", &prefixes));
    assert!(looks_like_key("error-x", &prefixes));
    assert!(!looks_like_key("x-content-type-options", &prefixes));
    assert!(!looks_like_key("error-", &prefixes));
    assert!(!looks_like_key("Error-Thing", &prefixes));
}

#[test]
fn catalogues_parse_without_errors() {
    for source in [tribune_web::i18n::FR_FTL, tribune_web::i18n::EN_FTL] {
        assert!(fluent_bundle::FluentResource::try_new(source.to_owned()).is_ok());
    }
}

/// A key defined twice is an error at start-up (Fluent keeps one of the two silently).
#[test]
fn no_key_is_defined_twice() {
    for source in [tribune_web::i18n::FR_FTL, tribune_web::i18n::EN_FTL] {
        let mut seen = BTreeSet::new();
        for line in source.lines() {
            if line.starts_with('#') || line.starts_with(' ') || !line.contains(" = ") {
                continue;
            }
            let key = line.split(" = ").next().unwrap_or_default().trim();
            assert!(seen.insert(key.to_owned()), "{key} is defined twice");
        }
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

/// The composer's problems and typography hints are keyed by code in tribune-compose: each
/// needs its message in both languages.
#[test]
fn every_composer_problem_and_hint_has_a_message() {
    for source in [tribune_web::i18n::FR_FTL, tribune_web::i18n::EN_FTL] {
        let defined = keys(source);
        for code in tribune_compose::ProblemCode::ALL {
            assert!(defined.contains(code.key()), "{} is missing", code.key());
        }
        for kind in tribune_compose::HintKind::ALL {
            assert!(defined.contains(kind.key()), "{} is missing", kind.key());
        }
    }
}
