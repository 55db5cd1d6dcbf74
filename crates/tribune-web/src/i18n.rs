//! Translations through Fluent catalogues (`i18n/fr.ftl`, `i18n/en.ftl`), embedded in the binary.
//! A test keeps the two catalogues complete and every key used by the code present.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use tribune_domain::Lang;

pub const FR_FTL: &str = include_str!("../i18n/fr.ftl");
pub const EN_FTL: &str = include_str!("../i18n/en.ftl");

/// Both catalogues, parsed once at start.
pub struct I18n {
    fr: FluentBundle<FluentResource>,
    en: FluentBundle<FluentResource>,
}

fn bundle(lang: Lang, source: &str) -> FluentBundle<FluentResource> {
    let langid = match lang {
        Lang::Fr => unic_langid::langid!("fr"),
        Lang::En => unic_langid::langid!("en"),
    };
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Isolation marks would end up inside HTML attributes and e-mail subjects.
    bundle.set_use_isolating(false);
    let resource = match FluentResource::try_new(source.to_owned()) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            tracing::error!(
                ?errors,
                lang = lang.code(),
                "errors in the translation catalogue"
            );
            resource
        }
    };
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!(
            ?errors,
            lang = lang.code(),
            "duplicate keys in the translation catalogue"
        );
    }
    bundle
}

impl I18n {
    pub fn load() -> I18n {
        I18n {
            fr: bundle(Lang::Fr, FR_FTL),
            en: bundle(Lang::En, EN_FTL),
        }
    }

    fn bundle(&self, lang: Lang) -> &FluentBundle<FluentResource> {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    /// The message for `key`, or the key itself when missing (a test prevents that).
    pub fn message(&self, lang: Lang, key: &str, args: Option<&FluentArgs>) -> String {
        let bundle = self.bundle(lang);
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, args, &mut errors)
            .into_owned()
    }
}

/// A translator bound to one language, handed to templates as `tr`. The state it holds is a
/// shared handle, so cloning it is cheap.
#[derive(Clone)]
pub struct Tr {
    state: crate::AppState,
    pub lang: Lang,
}

impl Tr {
    pub(crate) fn new(state: &crate::AppState, lang: Lang) -> Tr {
        Tr {
            state: state.clone(),
            lang,
        }
    }

    /// `{{ tr.t("key") }}` in templates.
    pub fn t(&self, key: &str) -> String {
        self.state.i18n().message(self.lang, key, None)
    }

    /// A message with one named argument.
    pub fn t1(&self, key: &str, name: &str, value: impl std::fmt::Display) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(value.to_string()));
        self.state.i18n().message(self.lang, key, Some(&args))
    }

    /// A message with two named arguments.
    pub fn t2(
        &self,
        key: &str,
        (name1, value1): (&str, impl std::fmt::Display),
        (name2, value2): (&str, impl std::fmt::Display),
    ) -> String {
        let mut args = FluentArgs::new();
        args.set(name1.to_owned(), FluentValue::from(value1.to_string()));
        args.set(name2.to_owned(), FluentValue::from(value2.to_string()));
        self.state.i18n().message(self.lang, key, Some(&args))
    }

    /// A message with one numeric argument, for plural forms.
    pub fn tn(&self, key: &str, name: &str, value: &i64) -> String {
        let mut args = FluentArgs::new();
        args.set(name.to_owned(), FluentValue::from(*value));
        self.state.i18n().message(self.lang, key, Some(&args))
    }

    pub(crate) fn i18n(&self) -> &I18n {
        self.state.i18n()
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}
