//! The e-mails' words, French and English, from `i18n/{fr,en}.ftl` (embedded). A test keeps the
//! two complete and checks that every key the messages use exists.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use tribune_domain::Lang;

pub(crate) const FR_FTL: &str = include_str!("../i18n/fr.ftl");
pub(crate) const EN_FTL: &str = include_str!("../i18n/en.ftl");

pub(crate) struct Catalog {
    fr: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: Lang, source: &str) -> FluentBundle<FluentResource> {
    let langid = match lang {
        Lang::Fr => unic_langid::langid!("fr"),
        Lang::En => unic_langid::langid!("en"),
    };
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Isolation marks would end up in subjects and plain-text bodies.
    bundle.set_use_isolating(false);
    let resource =
        FluentResource::try_new(source.to_owned()).unwrap_or_else(|(resource, errors)| {
            tracing::error!(
                ?errors,
                lang = lang.code(),
                "errors in the e-mail catalogue"
            );
            resource
        });
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            ?errors,
            lang = lang.code(),
            "duplicate keys in the e-mail catalogue"
        );
    }
    bundle
}

impl Catalog {
    pub(crate) fn load() -> Catalog {
        Catalog {
            fr: bundle(Lang::Fr, FR_FTL),
            en: bundle(Lang::En, EN_FTL),
        }
    }

    /// The message for `key` with named arguments, or the key itself when missing.
    pub(crate) fn message(
        &self,
        lang: Lang,
        key: &str,
        args: &[(&str, FluentValue<'_>)],
    ) -> String {
        let bundle = match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        };
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned()
    }
}

/// A catalogue bound to the recipient's language.
pub struct Tr<'a> {
    catalog: &'a Catalog,
    pub lang: Lang,
}

impl<'a> Tr<'a> {
    pub(crate) fn new(catalog: &'a Catalog, lang: Lang) -> Tr<'a> {
        Tr { catalog, lang }
    }

    pub fn t(&self, key: &str) -> String {
        self.catalog.message(self.lang, key, &[])
    }

    /// With text arguments.
    pub fn ta(&self, key: &str, args: &[(&str, &str)]) -> String {
        let args: Vec<(&str, FluentValue<'_>)> = args
            .iter()
            .map(|(name, value)| (*name, FluentValue::from(*value)))
            .collect();
        self.catalog.message(self.lang, key, &args)
    }

    /// With one number, for plural forms.
    pub fn tn(&self, key: &str, name: &str, value: i64) -> String {
        self.catalog
            .message(self.lang, key, &[(name, FluentValue::from(value))])
    }

    /// With arguments of any kind (numbers for selectors, text otherwise).
    pub(crate) fn tv(&self, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.catalog.message(self.lang, key, args)
    }

    /// Whether the catalogue has `key` (for keys made from a code, which may be new).
    pub(crate) fn has(&self, key: &str) -> bool {
        self.catalog.message(self.lang, key, &[]) != key
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(ftl: &str) -> BTreeSet<String> {
        ftl.lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && l.contains(" = "))
            .map(|l| l.split(" = ").next().unwrap_or_default().trim().to_owned())
            .collect()
    }

    #[test]
    fn both_catalogues_have_the_same_keys_and_every_key_in_use() {
        let fr = keys(FR_FTL);
        let en = keys(EN_FTL);
        assert_eq!(fr, en, "fr.ftl and en.ftl differ");
        let sources = [include_str!("message.rs"), include_str!("mailer.rs")];
        let mut used: BTreeSet<String> = sources
            .iter()
            .flat_map(|s| s.split('"').skip(1).step_by(2))
            .filter(|l| l.starts_with("mail-") && !l.ends_with('-') && !l.contains([' ', '{']))
            .map(str::to_owned)
            .collect();
        for role in tribune_domain::Role::ALL {
            used.insert(format!("mail-role-{}", role.as_str()));
        }
        let missing: Vec<_> = used.difference(&fr).collect();
        assert!(used.len() > 20, "the scan found the keys ({})", used.len());
        assert!(
            missing.is_empty(),
            "keys used but not translated: {missing:?}"
        );
        for source in [FR_FTL, EN_FTL] {
            assert!(FluentResource::try_new(source.to_owned()).is_ok());
        }
    }
}
