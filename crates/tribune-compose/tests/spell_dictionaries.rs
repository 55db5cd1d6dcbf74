//! Spell check with the system's real Hunspell dictionaries (Debian's `hunspell-fr` and
//! `hunspell-en-us`, which `scripts/test.sh` installs). Without them the tests are skipped with
//! a message, except with `CI=true`, where a missing dictionary fails them.

use spellbook::Dictionary;
use tribune_compose::{Lang, misspellings, spell_languages};

const DIRS: [&str; 2] = ["/usr/share/hunspell", "/usr/share/myspell/dicts"];

fn dictionary(names: &[&str]) -> Option<Dictionary> {
    for dir in DIRS {
        for name in names {
            let aff = std::fs::read_to_string(format!("{dir}/{name}.aff"));
            let dic = std::fs::read_to_string(format!("{dir}/{name}.dic"));
            if let (Ok(aff), Ok(dic)) = (aff, dic) {
                match Dictionary::new(&aff, &dic) {
                    Ok(dict) => return Some(dict),
                    Err(error) => panic!("{dir}/{name} does not parse: {error}"),
                }
            }
        }
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "the Hunspell dictionary {names:?} is required with CI=true (apt-get install hunspell-fr hunspell-en-us)"
        );
    }
    eprintln!(
        "skipped: no Hunspell dictionary {names:?} in {DIRS:?} (apt-get install hunspell-fr hunspell-en-us)"
    );
    None
}

fn french() -> Option<Dictionary> {
    dictionary(&["fr_FR", "fr"])
}

fn english() -> Option<Dictionary> {
    dictionary(&["en_US"])
}

/// The misspelt words and their suggestions, checking `text` in the languages chosen for it.
fn check(
    text: &str,
    workspace: &[Lang],
    fr: &Dictionary,
    en: &Dictionary,
) -> Vec<(String, Vec<String>)> {
    let dictionaries: Vec<(Lang, &Dictionary)> = spell_languages(text, workspace)
        .into_iter()
        .map(|lang| (lang, if lang == Lang::Fr { fr } else { en }))
        .collect();
    misspellings(text, &dictionaries, &[], 10)
        .into_iter()
        .map(|m| (text[m.range].to_owned(), m.suggestions))
        .collect()
}

#[test]
fn a_french_typo_is_flagged_with_its_correction() {
    let (Some(fr), Some(en)) = (french(), english()) else {
        return;
    };
    let found = check(
        "La galette des rois arrive bientot !",
        &[Lang::Fr],
        &fr,
        &en,
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "bientot");
    assert!(found[0].1.contains(&"bientôt".to_owned()), "{found:?}");
}

#[test]
fn correct_french_with_elisions_and_hyphens_is_not_flagged() {
    let (Some(fr), Some(en)) = (french(), english()) else {
        return;
    };
    let text = "Pour l’Épiphanie, qu’il vente ou qu'il pleuve, la galette arrive aujourd’hui : \
                c’est peut-être jusqu’à demain, dit-elle. Rendez-vous l’après-midi !";
    assert_eq!(
        check(text, &[Lang::Fr], &fr, &en),
        Vec::<(String, Vec<String>)>::new()
    );
}

#[test]
fn an_english_typo_is_flagged_in_english_text() {
    let (Some(fr), Some(en)) = (french(), english()) else {
        return;
    };
    let found = check(
        "You will recieve the cake with the Epiphany's crown",
        &[Lang::En],
        &fr,
        &en,
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "recieve");
    assert!(found[0].1.contains(&"receive".to_owned()), "{found:?}");
}

#[test]
fn a_text_in_the_other_language_is_checked_in_its_own() {
    let (Some(fr), Some(en)) = (french(), english()) else {
        return;
    };
    // A French text in an English-only workspace, and the other way round: not flagged word by
    // word, but a typo is still found in the text's own language.
    let french_text = "La galette des rois est arrivée chez nous ce matin, elle est délicieuse";
    assert!(check(french_text, &[Lang::En], &fr, &en).is_empty());
    let english_text = "The king cake is here this morning and it is delicious";
    assert!(check(english_text, &[Lang::Fr], &fr, &en).is_empty());
    let found = check(
        "The king cake is here and it is delicous",
        &[Lang::Fr],
        &fr,
        &en,
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "delicous");
}

#[test]
fn a_short_text_in_a_bilingual_workspace_is_flagged_only_when_no_language_knows_it() {
    let (Some(fr), Some(en)) = (french(), english()) else {
        return;
    };
    assert!(check("Galette cake", &[Lang::Fr, Lang::En], &fr, &en).is_empty());
    let found = check("Galete", &[Lang::Fr, Lang::En], &fr, &en);
    assert_eq!(found.len(), 1, "{found:?}");
}
