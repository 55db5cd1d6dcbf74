//! One type per e-mail tribune sends. Each says what it contains ([`Content`]: a subject,
//! paragraphs, at most one button-like link, closing lines); the two templates turn any of them
//! into plain text and HTML, so every message looks alike and the HTML is escaped by askama.

use crate::catalog::Tr;
use askama::Template;
use tribune_domain::Role;

/// What a message says, already in the recipient's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub subject: String,
    pub paragraphs: Vec<String>,
    /// The one thing to click: its label and address.
    pub action: Option<(String, String)>,
    /// Lines after the link (how long it lasts, what to do if unexpected).
    pub closing: Vec<String>,
}

/// A message ready to send: its subject and both bodies.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// An e-mail tribune knows how to write.
pub trait MailMessage {
    fn content(&self, tr: &Tr<'_>) -> Content;
}

#[derive(Template)]
#[template(path = "mail.txt")]
struct TextBody<'a> {
    c: &'a Content,
    footer: String,
}

#[derive(Template)]
#[template(path = "mail.html")]
struct HtmlBody<'a> {
    c: &'a Content,
    lang: &'static str,
    footer: String,
}

pub(crate) fn render(content: &Content, tr: &Tr<'_>) -> Result<Rendered, askama::Error> {
    let footer = tr.t("mail-footer");
    let text = TextBody {
        c: content,
        footer: footer.clone(),
    }
    .render()?;
    let html = HtmlBody {
        c: content,
        lang: tr.lang.code(),
        footer,
    }
    .render()?;
    Ok(Rendered {
        subject: content.subject.clone(),
        text,
        html,
    })
}

/// A date and time in UTC, the same in both languages, for notices.
fn utc(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// Someone is invited into a workspace; the link accepts the invitation.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub workspace: String,
    pub inviter: String,
    pub role: Role,
    pub link: String,
    pub expires_at: i64,
}

impl MailMessage for Invitation {
    fn content(&self, tr: &Tr<'_>) -> Content {
        let role = tr.t(&format!("mail-role-{}", self.role.as_str()));
        let names = [
            ("inviter", self.inviter.as_str()),
            ("workspace", self.workspace.as_str()),
            ("role", role.as_str()),
        ];
        Content {
            subject: tr.ta("mail-invitation-subject", &names),
            paragraphs: vec![tr.ta("mail-invitation-body", &names)],
            action: Some((tr.t("mail-invitation-action"), self.link.clone())),
            closing: vec![
                tr.ta(
                    "mail-invitation-expires",
                    &[("date", &utc(self.expires_at))],
                ),
                tr.t("mail-invitation-unexpected"),
            ],
        }
    }
}

/// "Mot de passe oublié": a single-use link to choose a new password.
#[derive(Debug, Clone)]
pub struct PasswordReset {
    pub link: String,
    pub valid_minutes: i64,
}

impl MailMessage for PasswordReset {
    fn content(&self, tr: &Tr<'_>) -> Content {
        Content {
            subject: tr.t("mail-reset-subject"),
            paragraphs: vec![tr.t("mail-reset-body")],
            action: Some((tr.t("mail-reset-action"), self.link.clone())),
            closing: vec![
                tr.tn("mail-reset-expires", "minutes", self.valid_minutes),
                tr.t("mail-reset-unexpected"),
            ],
        }
    }
}

/// Someone logged into the account from a device or address not seen before.
#[derive(Debug, Clone)]
pub struct NewDeviceLogin {
    pub at: i64,
    pub ip: String,
    pub device: String,
    /// The account page, where sessions can be ended.
    pub account_url: String,
}

impl MailMessage for NewDeviceLogin {
    fn content(&self, tr: &Tr<'_>) -> Content {
        let date = utc(self.at);
        Content {
            subject: tr.t("mail-new-device-subject"),
            paragraphs: vec![
                tr.t("mail-new-device-body"),
                tr.ta(
                    "mail-new-device-details",
                    &[("date", &date), ("ip", &self.ip), ("device", &self.device)],
                ),
            ],
            action: Some((tr.t("mail-new-device-action"), self.account_url.clone())),
            closing: vec![tr.t("mail-new-device-unexpected")],
        }
    }
}

/// Logins to the account were refused after too many wrong passwords.
#[derive(Debug, Clone)]
pub struct AccountLocked {
    pub ip: String,
    pub minutes: i64,
    /// The page to ask for a password reset, when e-mail is on.
    pub reset_url: Option<String>,
}

impl MailMessage for AccountLocked {
    fn content(&self, tr: &Tr<'_>) -> Content {
        Content {
            subject: tr.t("mail-locked-subject"),
            paragraphs: vec![
                tr.ta("mail-locked-body", &[("ip", &self.ip)]),
                tr.tn("mail-locked-wait", "minutes", self.minutes),
            ],
            action: self
                .reset_url
                .as_ref()
                .map(|url| (tr.t("mail-locked-action"), url.clone())),
            closing: vec![tr.t("mail-locked-unexpected")],
        }
    }
}

/// Checks the SMTP settings from the admin page or the command line.
#[derive(Debug, Clone)]
pub struct TestEmail {
    pub instance_url: String,
}

impl MailMessage for TestEmail {
    fn content(&self, tr: &Tr<'_>) -> Content {
        Content {
            subject: tr.t("mail-test-subject"),
            paragraphs: vec![tr.ta("mail-test-body", &[("url", &self.instance_url)])],
            action: None,
            closing: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use tribune_domain::Lang;

    fn all_messages() -> Vec<Box<dyn MailMessage>> {
        vec![
            Box::new(Invitation {
                workspace: "Boulangerie <Dupont> & fils".into(),
                inviter: "Élodie".into(),
                role: Role::Contributor,
                link: "https://tribune.example.fr/invite/abc?x=1&y=2".into(),
                expires_at: 1_800_000_000,
            }),
            Box::new(PasswordReset {
                link: "https://tribune.example.fr/password/reset/tok".into(),
                valid_minutes: 30,
            }),
            Box::new(NewDeviceLogin {
                at: 1_800_000_000,
                ip: "203.0.113.9".into(),
                device: "Firefox <script>".into(),
                account_url: "https://tribune.example.fr/account".into(),
            }),
            Box::new(AccountLocked {
                ip: "203.0.113.9".into(),
                minutes: 15,
                reset_url: Some("https://tribune.example.fr/password/forgot".into()),
            }),
            Box::new(TestEmail {
                instance_url: "https://tribune.example.fr".into(),
            }),
        ]
    }

    #[test]
    fn every_message_is_written_in_both_languages_without_missing_words() {
        let catalog = Catalog::load();
        for lang in Lang::ALL {
            let tr = Tr::new(&catalog, lang);
            for message in all_messages() {
                let content = message.content(&tr);
                let rendered = render(&content, &tr).unwrap();
                let all = format!("{}\n{}\n{}", rendered.subject, rendered.text, rendered.html);
                assert!(
                    !all.contains("mail-"),
                    "untranslated key in {lang:?}: {all}"
                );
                assert!(!rendered.subject.is_empty());
                if let Some((_, link)) = &content.action {
                    assert!(rendered.text.contains(link.as_str()), "{}", rendered.text);
                }
            }
        }
    }

    #[test]
    fn the_html_body_escapes_what_people_typed() {
        let catalog = Catalog::load();
        let tr = Tr::new(&catalog, Lang::Fr);
        for message in all_messages() {
            let rendered = render(&message.content(&tr), &tr).unwrap();
            assert!(!rendered.html.contains("<Dupont>"), "{}", rendered.html);
            assert!(!rendered.html.contains("<script>"), "{}", rendered.html);
        }
        let invitation = &all_messages()[0];
        let rendered = render(&invitation.content(&tr), &tr).unwrap();
        assert!(
            rendered.html.contains("&#60;Dupont&#62; &#38; fils"),
            "{}",
            rendered.html
        );
        assert!(
            rendered
                .html
                .contains("href=\"https://tribune.example.fr/invite/abc?x=1&#38;y=2\"")
        );
        // Plain text keeps the words as typed.
        assert!(rendered.text.contains("Boulangerie <Dupont> & fils"));
    }

    #[test]
    fn french_and_english_differ_and_plurals_follow_the_number() {
        let catalog = Catalog::load();
        let reset = PasswordReset {
            link: "l".into(),
            valid_minutes: 30,
        };
        let fr = reset.content(&Tr::new(&catalog, Lang::Fr));
        let en = reset.content(&Tr::new(&catalog, Lang::En));
        assert_ne!(fr.subject, en.subject);
        assert!(fr.closing[0].contains("30 minutes"), "{:?}", fr.closing);
        assert!(en.closing[0].contains("30 minutes"), "{:?}", en.closing);
    }
}
