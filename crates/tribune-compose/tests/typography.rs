//! French typography hints on the posts community managers actually write: announcements with
//! colons and exclamation marks, opening hours, links, mentions, hashtags and smileys. Each
//! test applies every hint and compares the result, which is what the composer shows.

use tribune_compose::{HintKind, Lang, apply_hints, typography_hints};

/// The text with every hint applied, with the no-break spaces made visible: `_` for U+00A0 and
/// `^` for U+202F.
fn fixed(text: &str) -> String {
    let hints = typography_hints(text, Lang::Fr);
    apply_hints(text, &hints)
        .replace('\u{A0}', "_")
        .replace('\u{202F}', "^")
}

#[test]
fn announcement_with_guillemets_colon_and_exclamation() {
    assert_eq!(
        fixed("« Nouveau : notre collection ! »"),
        "«_Nouveau_: notre collection^! _»".replace("! _»", "!_»")
    );
    assert_eq!(
        fixed("«Nouveau: notre collection!»"),
        "«_Nouveau_: notre collection^!_»"
    );
}

#[test]
fn correct_text_gets_no_hint() {
    let text =
        "«\u{A0}Nouveau\u{A0}: notre collection\u{202F}!\u{A0}» Vous l’avez vue\u{202F}? C’est…";
    assert!(typography_hints(text, Lang::Fr).is_empty());
    // A no-break space of the other width is accepted too.
    assert!(typography_hints("Vraiment\u{A0}? Oui\u{202F}:", Lang::Fr).is_empty());
}

#[test]
fn every_french_sign_and_its_space() {
    assert_eq!(
        fixed("Attention; il reste 3 places! Vous venez? Infos: ici"),
        "Attention^; il reste 3 places^! Vous venez^? Infos_: ici"
    );
    assert_eq!(fixed("Quoi ?!"), "Quoi^?!");
    assert_eq!(fixed("Plusieurs    espaces  !"), "Plusieurs    espaces^!");
}

#[test]
fn times_ratios_and_smileys_are_left_alone() {
    for text in [
        "Ouverture à 14:30 et fermeture à 18:00",
        "Format 16:9 ou 1:1",
        "Merci à tous :)",
        "On se voit demain ;)",
        "Trop bien :-D",
        "Dommage :(",
        "Hmm :/",
        "C'est dur :'(",
        "Bisous :P",
        "Bravo :blobcat: à toute l’équipe",
    ] {
        let hints: Vec<_> = typography_hints(text, Lang::Fr)
            .into_iter()
            .filter(|h| h.kind == HintKind::SpaceBeforePunctuation)
            .collect();
        assert!(hints.is_empty(), "{text:?}: {hints:?}");
    }
}

#[test]
fn links_addresses_mentions_and_hashtags_are_left_alone() {
    for text in [
        "https://tribune.fr/agenda?date=2026-03-01&x=1",
        "Écrivez à contact@tribune.fr",
        "Merci @marie@piaille.fr et @asso.bsky.social",
        "#NouvelleCollection #J-3",
        "Voir www.tribune.fr/l'atelier",
    ] {
        assert!(typography_hints(text, Lang::Fr).is_empty(), "{text:?}");
    }
    // The sentence around them still gets its hints.
    assert_eq!(
        fixed("Tout est là: https://tribune.fr/?p=1!"),
        "Tout est là_: https://tribune.fr/?p=1^!"
    );
    assert_eq!(fixed("Bravo @marie!"), "Bravo @marie^!");
    assert_eq!(fixed("C'est parti #Soldes!"), "C’est parti #Soldes^!");
}

#[test]
fn straight_quotes_become_guillemets() {
    assert_eq!(
        fixed("Le thème : \"printemps en fête\"."),
        "Le thème_: «_printemps en fête_»."
    );
    assert_eq!(fixed("Il a dit \"Super!\""), "Il a dit «_Super^!_»");
    // A stray quote or inches: nothing to pair, no guillemets.
    assert_eq!(fixed("Écran 27\" en promo"), "Écran 27\" en promo");
    assert_eq!(fixed("Un \"oubli"), "Un \"oubli");
}

#[test]
fn apostrophes_and_ellipsis() {
    assert_eq!(
        fixed("Aujourd'hui, c'est l'été... enfin."),
        "Aujourd’hui, c’est l’été… enfin."
    );
    assert_eq!(fixed("Et alors...?"), "Et alors…^?");
    // Four dots are not an ellipsis typed by mistake: left alone.
    assert_eq!(fixed("Fin...."), "Fin....");
    assert_eq!(fixed("'Quote' isolée"), "'Quote' isolée");
}

#[test]
fn english_text_gets_no_hints() {
    let text = "New: our collection! Don't miss it... \"Spring\" is here?";
    assert!(typography_hints(text, Lang::En).is_empty());
    assert!(!typography_hints(text, Lang::Fr).is_empty());
}

#[test]
fn a_realistic_post() {
    let post = "🌸 NOUVEAU : la collection printemps est arrivée !\n\
                Rendez-vous samedi de 10:00 à 18:00 en boutique, ou sur https://boutique.fr/printemps.\n\
                Un avis ? Écrivez-nous à bonjour@boutique.fr :)\n\
                #printemps #mode @lamaisondesfleurs";
    assert_eq!(
        fixed(post),
        "🌸 NOUVEAU_: la collection printemps est arrivée^!\n\
         Rendez-vous samedi de 10:00 à 18:00 en boutique, ou sur https://boutique.fr/printemps.\n\
         Un avis^? Écrivez-nous à bonjour@boutique.fr :)\n\
         #printemps #mode @lamaisondesfleurs"
    );
}

#[test]
fn hints_are_byte_ranges_with_replacements() {
    let text = "Été: oui";
    let hints = typography_hints(text, Lang::Fr);
    assert_eq!(hints.len(), 1);
    // "Été" is five bytes: the no-break space goes in at byte 5.
    assert_eq!(hints[0].range, 5..5);
    assert_eq!(hints[0].replacement, "\u{A0}");
    assert_eq!(hints[0].kind, HintKind::SpaceBeforePunctuation);
    // Applying only some hints is fine.
    let text = "Oui! Non!";
    let hints = typography_hints(text, Lang::Fr);
    assert_eq!(apply_hints(text, &hints[..1]), "Oui\u{202F}! Non!");
}
