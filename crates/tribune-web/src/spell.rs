//! The composer's spell check: the system's Hunspell dictionaries (Debian's `hunspell-fr` and
//! `hunspell-en-us`), each loaded once, on first use, off the async runtime's threads, and shared
//! by every request. A language without a dictionary is simply not checked; the composer says
//! so in a note. What a word is and which words are checked is `tribune_compose`'s business.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use spellbook::Dictionary;
use tokio::sync::OnceCell;
use tribune_compose::{Lang, Misspelling};

/// Where Debian and Ubuntu put Hunspell dictionaries (`hunspell-*` packages in the first,
/// links from older `myspell-*` packages in the second).
pub const DEFAULT_DICTIONARY_DIRS: [&str; 2] = ["/usr/share/hunspell", "/usr/share/myspell/dicts"];

/// Misspelt words reported per check at most (each one costs a suggestion search, some 100 ms
/// with the French dictionary).
pub const MAX_MISSPELLINGS: usize = 8;

/// The dictionaries, loaded lazily. Cheap to share: the application state holds one.
pub struct Spelling {
    dirs: Vec<PathBuf>,
    fr: OnceCell<Option<Arc<Dictionary>>>,
    en: OnceCell<Option<Arc<Dictionary>>>,
}

/// What a spell check found.
#[derive(Debug, Default)]
pub struct SpellReport {
    pub misspellings: Vec<Misspelling>,
    /// The languages the text should have been checked in but whose dictionary is missing.
    pub unavailable: Vec<Lang>,
}

impl std::fmt::Debug for Spelling {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spelling")
            .field("dirs", &self.dirs)
            .field("fr_loaded", &self.fr.get().map(Option::is_some))
            .field("en_loaded", &self.en.get().map(Option::is_some))
            .finish()
    }
}

impl Spelling {
    /// Dictionaries looked up in `dirs`, in order, as `fr_FR` or `fr`, and `en_US` or `en_GB`
    /// (`.aff` and `.dic`).
    pub fn new(dirs: Vec<PathBuf>) -> Spelling {
        Spelling {
            dirs,
            fr: OnceCell::new(),
            en: OnceCell::new(),
        }
    }

    /// The dictionary of `lang`, loaded on first call (concurrent first calls wait for the
    /// same load); `None` when none is installed or it does not parse.
    pub async fn dictionary(&self, lang: Lang) -> Option<Arc<Dictionary>> {
        let (cell, names): (_, &'static [&'static str]) = match lang {
            Lang::Fr => (&self.fr, &["fr_FR", "fr"]),
            Lang::En => (&self.en, &["en_US", "en_GB"]),
        };
        cell.get_or_init(|| {
            let dirs = self.dirs.clone();
            async move {
                tokio::task::spawn_blocking(move || load(&dirs, names))
                    .await
                    .ok()
                    .flatten()
                    .map(Arc::new)
            }
        })
        .await
        .clone()
    }

    /// Checks `text` in the languages it is written in (see [`tribune_compose::spell_languages`]),
    /// leaving `accepted` words (the workspace's own) alone. Runs on a blocking thread: a
    /// suggestion search is CPU work.
    pub async fn check(
        &self,
        text: &str,
        workspace: &[Lang],
        accepted: Vec<String>,
    ) -> SpellReport {
        let languages = tribune_compose::spell_languages(text, workspace);
        let mut dictionaries = Vec::new();
        let mut unavailable = Vec::new();
        for lang in languages {
            match self.dictionary(lang).await {
                Some(dict) => dictionaries.push((lang, dict)),
                None => unavailable.push(lang),
            }
        }
        if dictionaries.is_empty() {
            return SpellReport {
                misspellings: Vec::new(),
                unavailable,
            };
        }
        let text = text.to_owned();
        let misspellings = tokio::task::spawn_blocking(move || {
            let borrowed: Vec<(Lang, &Dictionary)> =
                dictionaries.iter().map(|(l, d)| (*l, d.as_ref())).collect();
            tribune_compose::misspellings(&text, &borrowed, &accepted, MAX_MISSPELLINGS)
        })
        .await
        .unwrap_or_default();
        SpellReport {
            misspellings,
            unavailable,
        }
    }
}

/// Reads and compiles the first dictionary found (blocking: 20–30 ms and 5–6 MB each for
/// Debian's English and French dictionaries in a release build).
fn load(dirs: &[PathBuf], names: &[&str]) -> Option<Dictionary> {
    for dir in dirs {
        for name in names {
            let aff_path = dir.join(format!("{name}.aff"));
            let dic_path = dir.join(format!("{name}.dic"));
            if !aff_path.is_file() || !dic_path.is_file() {
                continue;
            }
            let started = Instant::now();
            match read_and_parse(&aff_path, &dic_path) {
                Ok(dict) => {
                    tracing::info!(
                        dictionary = %dic_path.display(),
                        millis = started.elapsed().as_millis() as u64,
                        "spell check dictionary loaded"
                    );
                    return Some(dict);
                }
                Err(error) => {
                    tracing::warn!(dictionary = %dic_path.display(), %error, "spell check dictionary skipped");
                }
            }
        }
    }
    tracing::info!(?names, ?dirs, "no spell check dictionary found");
    None
}

fn read_and_parse(aff: &Path, dic: &Path) -> Result<Dictionary, String> {
    let aff = std::fs::read_to_string(aff).map_err(|e| e.to_string())?;
    let dic = std::fs::read_to_string(dic).map_err(|e| e.to_string())?;
    Dictionary::new(&aff, &dic).map_err(|e| e.to_string())
}
