//! The workspace's words to avoid, found whatever the case and accents, as whole words only.

use tribune_compose::avoided_words;

fn found<'a>(text: &'a str, words: &[&str]) -> Vec<&'a str> {
    let words: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    avoided_words(text, &words)
        .into_iter()
        .map(|range| &text[range])
        .collect()
}

#[test]
fn case_and_accents_are_folded() {
    assert_eq!(
        found("C'est GRATUIT, gratuït et Gratuit !", &["gratuit"]),
        ["GRATUIT", "gratuït", "Gratuit"]
    );
    assert_eq!(found("Une offre ÉNORME", &["enorme"]), ["ÉNORME"]);
    assert_eq!(
        found("Une offre e\u{301}norme", &["énorme"]),
        ["e\u{301}norme"]
    );
    assert_eq!(found("Un chef-d'Œuvre", &["oeuvre"]), ["Œuvre"]);
}

#[test]
fn only_whole_words_match() {
    assert!(found("Livraison gratuite, gratuitement", &["gratuit"]).is_empty());
    assert_eq!(
        found("#gratuit et 100%gratuit", &["gratuit"]),
        ["gratuit", "gratuit"]
    );
}

#[test]
fn terms_of_several_words() {
    assert_eq!(
        found(
            "Des PRIX  CASSÉS, des prix cassés, prix-cassés, prix très cassés",
            &["prix cassés"]
        ),
        ["PRIX  CASSÉS", "prix cassés", "prix-cassés"]
    );
    // The longer term wins where two start together.
    assert_eq!(
        found("meilleur prix garanti", &["meilleur", "meilleur prix"]),
        ["meilleur prix"]
    );
}

#[test]
fn empty_terms_and_texts() {
    assert!(found("", &["gratuit"]).is_empty());
    assert!(found("gratuit", &["", " ", "!"]).is_empty());
}
