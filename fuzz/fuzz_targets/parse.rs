//! Any byte string: the parser returns an error inside the input or a bounded query that
//! prints canonically, reparses to itself and evaluates without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tribune_text::{Document, Matcher, parse, query::limits};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match parse(text) {
        Ok(query) => {
            assert!(text.len() <= limits::MAX_QUERY_BYTES);
            let again = parse(&query.to_string()).ok();
            assert_eq!(again.as_ref(), Some(&query));
            let doc = Document::new(text);
            let direct = query.matches(&doc);
            let matcher = Matcher::new([(0u8, query)]);
            assert_eq!(!matcher.matches(&doc).is_empty(), direct);
        }
        Err(e) => {
            assert!(e.position <= text.chars().count());
            let _ = e.message(tribune_text::UiLang::Fr);
        }
    }
});
