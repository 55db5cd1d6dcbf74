//! Errors as the terminal shows them: English sentences (the command line is in English), never
//! the catalogue keys that the store and the validation rules carry for the web pages. The
//! sentences come from the English catalogue, so the command line and the web say the same.

use tribune_domain::{Lang, ValidationError};
use tribune_store::StoreError;
use tribune_web::i18n::I18n;

/// The error and its causes, outermost first, joined by ": ".
pub fn describe(error: &anyhow::Error) -> String {
    let catalogue = I18n::load();
    let english = |key: &str| catalogue.message(Lang::En, key, None);
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let (text, last) = if let Some(store) = cause.downcast_ref::<StoreError>() {
            (store_sentence(store, &english), true)
        } else if let Some(invalid) = cause.downcast_ref::<ValidationError>() {
            (validation_sentence(invalid, &english), true)
        } else {
            (cause.to_string(), false)
        };
        // A cause often repeats its source's text ("database error: …" then "…").
        if !parts
            .last()
            .is_some_and(|previous| previous.ends_with(&text))
        {
            parts.push(text);
        }
        if last {
            break;
        }
    }
    parts.join(": ")
}

fn store_sentence(error: &StoreError, english: &impl Fn(&str) -> String) -> String {
    match error {
        StoreError::Refused(refusal) => english(refusal.key()),
        StoreError::Conflict(conflict) => english(conflict.key()),
        StoreError::Forbidden => english("error-forbidden"),
        StoreError::NotFound => "Nothing was found.".to_owned(),
        StoreError::Invalid(invalid) => validation_sentence(invalid, english),
        other => other.to_string(),
    }
}

fn validation_sentence(error: &ValidationError, english: &impl Fn(&str) -> String) -> String {
    let parts: Vec<String> = error
        .violations
        .iter()
        .map(|v| {
            let field = match v.field {
                "email" => "e-mail",
                other => other,
            };
            format!("{field}: {}", english(v.message_key))
        })
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_refusals_and_validation_errors_read_as_sentences() {
        let refused = describe(&anyhow::Error::new(StoreError::Refused(
            tribune_store::Refusal::SetupDone,
        )));
        assert_eq!(refused, "This installation is already set up.");
        let taken = describe(
            &anyhow::Error::new(StoreError::Conflict(tribune_store::Conflict::EmailTaken))
                .context("cannot create the user"),
        );
        assert_eq!(
            taken,
            "cannot create the user: An account already exists with this address."
        );
        let invalid = describe(&anyhow::Error::new(ValidationError::single(
            "password",
            "error-password-short",
        )));
        assert_eq!(
            invalid,
            "password: The password must be at least 10 characters long."
        );
        for text in [refused, taken, invalid] {
            assert!(!text.contains("error-"), "{text}");
        }
    }
}
