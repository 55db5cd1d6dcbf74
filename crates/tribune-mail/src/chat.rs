//! The one-line messages tribune posts to a team's chat through a webhook (Slack, Mattermost,
//! or anything that reads a JSON `text`), from the same catalogue as the e-mails. Chat servers
//! read `<`, `>` and `&` as markup (Slack's links and mentions), so what comes from a person is
//! escaped; the messages' words never quote what a network sent.

use crate::catalog::{Catalog, Tr};
use crate::message::one_decimal;
use fluent_bundle::FluentValue;
use std::sync::LazyLock;
use tribune_domain::Lang;

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::load);

/// `&`, `<` and `>` as Slack asks them written (Mattermost reads them the same way), and an
/// `@` that cannot start a mention (`@channel`, `@all` in Mattermost): a zero-width space
/// follows it.
pub fn chat_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('@', "@\u{200b}")
}

/// A wave of negative messages started: how many against the usual, and the alert's page.
pub fn chat_buzz_text(
    lang: Lang,
    workspace: &str,
    count: i64,
    usual: f64,
    link: Option<&str>,
) -> String {
    let tr = Tr::new(&CATALOG, lang);
    let workspace = chat_escape(workspace);
    let mut text = tr.tv(
        "chat-buzz",
        &[
            ("count", FluentValue::from(count)),
            ("usual", FluentValue::from(one_decimal(usual, lang))),
            ("workspace", FluentValue::from(workspace.as_str())),
        ],
    );
    if let Some(link) = link {
        text.push('\n');
        text.push_str(&tr.ta("chat-buzz-link", &[("link", link)]));
    }
    text
}

/// The test message sent when a manager sets or checks the webhook.
pub fn chat_test_text(lang: Lang, workspace: &str) -> String {
    let tr = Tr::new(&CATALOG, lang);
    tr.ta("chat-test", &[("workspace", &chat_escape(workspace))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chat_messages_are_written_in_both_languages_with_markup_escaped() {
        let fr = chat_buzz_text(
            Lang::Fr,
            "Café <b>&</b>",
            14,
            0.25,
            Some("https://t.example/w/1/inbox/alerts/3"),
        );
        assert!(fr.contains("14 messages"), "{fr}");
        assert!(fr.contains("0,2") || fr.contains("0,3"), "{fr}");
        assert!(fr.contains("Café &lt;b&gt;&amp;&lt;/b&gt;"), "{fr}");
        assert!(fr.ends_with("https://t.example/w/1/inbox/alerts/3"), "{fr}");
        let en = chat_buzz_text(Lang::En, "Acme", 14, 0.25, None);
        assert!(en.contains("14 negative"), "{en}");
        assert!(!en.contains('\n'), "{en}");
        let mention = chat_buzz_text(Lang::En, "Acme @channel", 14, 0.25, None);
        assert!(!mention.contains("@channel"), "{mention}");
        let test = chat_test_text(Lang::En, "Acme");
        assert!(
            test.contains("Acme") && !test.contains("chat-test"),
            "{test}"
        );
        assert!(!chat_test_text(Lang::Fr, "Acme").contains("chat-test"));
    }
}
