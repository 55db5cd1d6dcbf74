//! Loading of the embedded word lists (generated ones in `models/`, hand-written ones in
//! `lexicons/`). Parsed once, on first use.

use rustc_hash::FxHashMap;

/// Parses `word<TAB>value` lines; `#` starts a comment. Later files override earlier ones.
pub(crate) fn valences(sources: &[&str]) -> FxHashMap<Box<str>, f32> {
    let mut map = FxHashMap::default();
    for src in sources {
        for line in src.lines() {
            if line.starts_with('#') {
                continue;
            }
            if let Some((word, value)) = line.split_once('\t')
                && let Ok(v) = value.trim().parse::<f32>()
            {
                map.insert(word.into(), v);
            }
        }
    }
    map
}

/// One word per line.
pub(crate) fn words(src: &str) -> rustc_hash::FxHashSet<Box<str>> {
    src.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(Into::into)
        .collect()
}
