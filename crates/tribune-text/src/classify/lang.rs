//! Language identification from function words.
//!
//! Short social posts rarely contain enough characters for n-gram statistics to be stable,
//! but almost every sentence contains a few function words ("le", "est", "the", "is"),
//! and those lists are small and distinct. Each language scores the share of the post's
//! words that are its function words; the best wins if it leads clearly. French and
//! English are the languages tribune classifies; Spanish, German, Italian, Portuguese and
//! Dutch are recognised so that they are reported as such instead of being misfiled.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use crate::tokenize::{TokenKind, Tokens, tokenize};

/// A detected language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    Fr,
    En,
    Es,
    De,
    It,
    Pt,
    Nl,
    /// Not enough evidence (emoji only, a URL, a name…).
    Unknown,
}

impl Language {
    /// ISO 639-1 code, or `und` (undetermined).
    pub fn code(self) -> &'static str {
        match self {
            Language::Fr => "fr",
            Language::En => "en",
            Language::Es => "es",
            Language::De => "de",
            Language::It => "it",
            Language::Pt => "pt",
            Language::Nl => "nl",
            Language::Unknown => "und",
        }
    }

    /// Parses a code (`fr`, `en-US`, `und`…).
    pub fn from_code(code: &str) -> Language {
        match code
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
            .as_str()
        {
            "fr" => Language::Fr,
            "en" => Language::En,
            "es" => Language::Es,
            "de" => Language::De,
            "it" => Language::It,
            "pt" => Language::Pt,
            "nl" => Language::Nl,
            _ => Language::Unknown,
        }
    }
}

const LANGS: [Language; 7] = [
    Language::Fr,
    Language::En,
    Language::Es,
    Language::De,
    Language::It,
    Language::Pt,
    Language::Nl,
];

// Folded (accent-free) function words and very common social-media words. Words shared by
// several languages are listed in each; they then count for all of them.
pub(crate) const FR_WORDS: &str = "le la les un une des du de et est sont pas ne je tu il elle nous vous ils elles on ce cette ces mon ma mes ton ta tes son sa ses leur leurs au aux avec pour dans sur par mais ou donc car qui que quoi dont tres trop plus moins bien tout tous toute toutes rien jamais deja encore aussi comme chez etre avoir fait faire suis es sommes etes ont ai as avait etait sera merci bonjour salut oui non alors parce quand comment pourquoi vraiment cest jai jsp mdr ptdr svp stp ya y en a quel quelle ils vos votre notre nos meme apres avant depuis sans sous entre moi toi lui eux ceux celle ici voila peut peux veux faut va vais vont avez avons sais ete encore toujours beaucoup quelque chose personne fois jour ans";
pub(crate) const EN_WORDS: &str = "the a an and or but is are was were be been being have has had do does did not no yes i you he she it we they me him her us them my your his its our their this that these those of to in on at for with from by about as into over after before than then so very too just also only all any some what which who whom whose when where why how can could will would shall should may might must dont doesnt didnt cant wont isnt arent wasnt im ive youre thats theres lol omg thanks thank please get got go going really much more most there here out up down if because while again never always still even well like";
const ES: &str = "el la los las un una unos unas y o pero es son esta estan no si yo tu el ella nosotros ellos de del al en con por para que como muy mas pero este esta estos hay ser fue era tiene tengo gracias hola porque cuando donde todo nada algo tambien pues ya le lo les su sus mi mis";
const DE: &str = "der die das den dem des ein eine einen einem und oder aber ist sind war waren nicht kein keine ich du er sie es wir ihr mit fur auf aus bei nach von zu im am um auch noch nur schon sehr wie was wer wo warum wenn dass habe hat haben bin bist danke bitte ja nein gut mein dein sein";
const IT: &str = "il lo la gli le un una uno e o ma non sono sei siamo era che di da in con su per tra fra del della dei delle al alla nel nella questo questa quello molto piu anche come perche quando dove tutto niente grazie ciao si io tu lui lei noi voi loro mio tuo suo ho hai ha abbiamo";
const PT: &str = "o a os as um uma e ou mas nao sim eu tu ele ela nos eles de do da dos das em no na nos nas com por para que como muito mais tambem este esta isso isto ser foi era tem tenho obrigado obrigada ola porque quando onde tudo nada voce voces meu minha seu sua ja";
const NL: &str = "de het een en of maar is zijn was waren niet geen ik jij je hij zij wij jullie ze met voor op uit bij na van te in aan om ook nog maar al heel erg hoe wat wie waar waarom als dat dit die heb heeft hebben ben bedankt dank alstublieft ja nee goed mijn jouw zijn haar";

static TABLE: LazyLock<FxHashMap<&'static str, u8>> = LazyLock::new(|| {
    let mut map: FxHashMap<&'static str, u8> = FxHashMap::default();
    for (i, list) in [FR_WORDS, EN_WORDS, ES, DE, IT, PT, NL]
        .into_iter()
        .enumerate()
    {
        for w in list.split_whitespace() {
            *map.entry(w).or_insert(0) |= 1 << i;
        }
    }
    map
});

/// Detects the language of a text.
pub fn detect(text: &str) -> Language {
    detect_tokens(&tokenize(text))
}

/// Detects the language of already-tokenized text.
pub fn detect_tokens(tokens: &Tokens) -> Language {
    let mut scores = [0f32; 7];
    let mut words = 0usize;
    for tok in &tokens.tokens {
        if tok.kind != TokenKind::Word {
            continue;
        }
        words += 1;
        if let Some(&mask) = TABLE.get(tokens.text(tok)) {
            let share = 1.0 / mask.count_ones() as f32;
            for (i, s) in scores.iter_mut().enumerate() {
                if mask & (1 << i) != 0 {
                    *s += share;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..LANGS.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let (best, second) = (order[0], order[1]);
    // One function word in a one- or two-word post ("merci", "thanks") is enough; longer
    // posts need a lead over the runner-up.
    if scores[best] < 0.5 || (words > 3 && scores[best] - scores[second] < 0.5) {
        return Language::Unknown;
    }
    LANGS[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_french_and_english() {
        assert_eq!(
            detect("Franchement c'est nul, je suis déçu du service"),
            Language::Fr
        );
        assert_eq!(
            detect("This is the worst service I have ever seen"),
            Language::En
        );
        assert_eq!(detect("mdr t'as vu ça"), Language::Fr);
        assert_eq!(detect("lol thanks"), Language::En);
    }

    #[test]
    fn reports_other_languages() {
        assert_eq!(
            detect("Das ist nicht gut, ich bin sehr enttäuscht"),
            Language::De
        );
        assert_eq!(
            detect("Muchas gracias, el servicio es muy bueno"),
            Language::Es
        );
    }

    #[test]
    fn unknown_without_evidence() {
        assert_eq!(detect("🔥🔥🔥"), Language::Unknown);
        assert_eq!(detect("https://example.com"), Language::Unknown);
    }
}
