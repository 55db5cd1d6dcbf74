//! One type per e-mail tribune sends. Each says what it contains ([`Content`]: a subject,
//! paragraphs, at most one button-like link, closing lines); the two templates turn any of them
//! into plain text and HTML, so every message looks alike and the HTML is escaped by askama.

use crate::catalog::Tr;
use askama::Template;
use fluent_bundle::FluentValue;
use tribune_domain::{Lang, Role};

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

/// A date and time in `zone`, written the way the recipient's language writes it, with the
/// zone's name (the workspace's zone, which may not be the reader's).
fn zoned(tr: &Tr<'_>, unix: i64, zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Ok(at) = jiff::Timestamp::from_second(unix) else {
        return String::new();
    };
    let at = at.to_zoned(tz);
    tr.tv(
        "mail-datetime",
        &[
            ("day", FluentValue::from(at.day().to_string())),
            ("month", FluentValue::from(i64::from(at.month()))),
            ("year", FluentValue::from(at.year().to_string())),
            ("hour", FluentValue::from(at.hour().to_string())),
            ("minute", FluentValue::from(format!("{:02}", at.minute()))),
            ("zone", FluentValue::from(zone.to_owned())),
        ],
    )
}

/// Longest text of one channel quoted in an e-mail; the page shows the rest.
const MAX_QUOTED_CHARS: usize = 1_500;

fn quoted(text: &str) -> String {
    let mut out: String = text.chars().take(MAX_QUOTED_CHARS).collect();
    if text.chars().count() > MAX_QUOTED_CHARS {
        out.push('…');
    }
    out
}

/// A media attached to a post to approve, as the message lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachedMedia {
    /// The file's name as uploaded (or `#id` when it had none).
    pub name: String,
    pub is_video: bool,
    /// The image's alternative text; empty when missing (the message says so).
    pub alt: String,
}

/// A post waits for the recipient's approval. A client's link approves without a password
/// (until `link_expires_at`); the team's leads to the post's page.
#[derive(Debug, Clone)]
pub struct ApprovalRequest {
    pub workspace: String,
    /// Who submitted it, if the account still exists.
    pub author: Option<String>,
    pub title: Option<String>,
    /// Each channel's name and the text it will publish.
    pub channels: Vec<(String, String)>,
    /// The attached media, in order: what the approver cannot see in a plain-text message,
    /// and whether each image tells screen-reader users what it shows.
    pub media: Vec<AttachedMedia>,
    /// When it goes out (Unix seconds); `None` for "as soon as approved".
    pub scheduled_at: Option<i64>,
    /// The workspace's time zone, in which the time is written.
    pub timezone: String,
    pub link: String,
    /// Set for a client's password-free link: when it stops working.
    pub link_expires_at: Option<i64>,
}

impl MailMessage for ApprovalRequest {
    fn content(&self, tr: &Tr<'_>) -> Content {
        let workspace = [("workspace", self.workspace.as_str())];
        let mut paragraphs = vec![match &self.author {
            Some(author) => tr.ta(
                "mail-approval-body",
                &[("author", author), ("workspace", &self.workspace)],
            ),
            None => tr.ta("mail-approval-body-no-author", &workspace),
        }];
        paragraphs.push(match self.scheduled_at {
            Some(at) => tr.ta(
                "mail-approval-when",
                &[("date", &zoned(tr, at, &self.timezone))],
            ),
            None => tr.t("mail-approval-asap"),
        });
        if let Some(title) = &self.title {
            paragraphs.push(tr.ta("mail-approval-post-title", &[("title", title)]));
        }
        for (channel, text) in &self.channels {
            paragraphs.push(tr.ta(
                "mail-approval-channel",
                &[("channel", channel), ("text", &quoted(text))],
            ));
        }
        if !self.media.is_empty() {
            paragraphs.push(self.media_paragraph(tr));
        }
        let (action, closing) = match self.link_expires_at {
            Some(expires) => (
                tr.t("mail-approval-action-link"),
                vec![
                    tr.ta(
                        "mail-approval-link-expires",
                        &[("date", &zoned(tr, expires, &self.timezone))],
                    ),
                    tr.t("mail-approval-link-private"),
                ],
            ),
            None => (
                tr.t("mail-approval-action-page"),
                vec![tr.t("mail-approval-page-login")],
            ),
        };
        Content {
            subject: tr.ta("mail-approval-subject", &workspace),
            paragraphs,
            action: Some((action, self.link.clone())),
            closing,
        }
    }
}

impl ApprovalRequest {
    /// "2 media are attached:" then one line per media, in order, saying its alt text or that
    /// it has none.
    fn media_paragraph(&self, tr: &Tr<'_>) -> String {
        let count = i64::try_from(self.media.len()).unwrap_or(i64::MAX);
        let mut lines = vec![tr.tn("mail-approval-media", "count", count)];
        for (index, media) in self.media.iter().enumerate() {
            let position = (index + 1).to_string();
            let name: String = media.name.chars().take(200).collect();
            let args = [("position", position.as_str()), ("name", name.as_str())];
            lines.push(if media.is_video {
                tr.ta("mail-approval-media-video", &args)
            } else if media.alt.trim().is_empty() {
                tr.ta("mail-approval-media-no-alt", &args)
            } else {
                let alt = quoted(&media.alt);
                tr.ta(
                    "mail-approval-media-alt",
                    &[args[0], args[1], ("alt", alt.as_str())],
                )
            });
        }
        lines.join("\n")
    }
}

/// A post failed for good on a channel: what the network said and what to do.
#[derive(Debug, Clone)]
pub struct PublishFailed {
    pub workspace: String,
    pub channel: String,
    /// The beginning of the post's text.
    pub excerpt: String,
    /// The stable failure code (`network_refused`, `channel_refused`, …).
    pub code: String,
    /// The network's own words, if it said any.
    pub network_message: Option<String>,
    /// The post's page, where it can be retried.
    pub link: String,
}

impl MailMessage for PublishFailed {
    fn content(&self, tr: &Tr<'_>) -> Content {
        let names = [
            ("workspace", self.workspace.as_str()),
            ("channel", self.channel.as_str()),
        ];
        let mut paragraphs = vec![
            tr.ta("mail-failed-body", &names),
            tr.ta("mail-failed-excerpt", &[("text", &quoted(&self.excerpt))]),
        ];
        if let Some(said) = &self.network_message {
            paragraphs.push(tr.ta("mail-failed-network-said", &[("said", &quoted(said))]));
        }
        let what = format!("mail-failed-todo-{}", self.code.replace('_', "-"));
        paragraphs.push(if tr.has(&what) {
            tr.t(&what)
        } else {
            tr.t("mail-failed-todo-other")
        });
        Content {
            subject: tr.ta("mail-failed-subject", &names),
            paragraphs,
            action: Some((tr.t("mail-failed-action"), self.link.clone())),
            closing: vec![tr.t("mail-failed-why")],
        }
    }
}

/// Messages of the inbox waited past their response-time deadline.
#[derive(Debug, Clone)]
pub struct SlaBreached {
    pub workspace: String,
    /// Each message: who wrote it, on which channel, its beginning, and its page.
    pub messages: Vec<BreachedMessage>,
    /// The inbox's view of the messages near or past their deadline.
    pub link: String,
    /// The recipient is their assignee (else an owner or manager of the workspace).
    pub assigned: bool,
}

#[derive(Debug, Clone)]
pub struct BreachedMessage {
    pub author: String,
    pub channel: String,
    pub excerpt: String,
    pub link: String,
}

/// A wave of negative or toxic messages started in a workspace.
#[derive(Debug, Clone)]
pub struct BuzzAlert {
    pub workspace: String,
    /// Negative or toxic messages in the last hour, and their usual hourly number.
    pub count: i64,
    pub usual: f64,
    /// The newest of them.
    pub messages: Vec<BreachedMessage>,
    /// The alert's page: the messages, and the button that pauses publishing.
    pub link: String,
}

impl MailMessage for BuzzAlert {
    fn content(&self, tr: &Tr<'_>) -> Content {
        let workspace = [("workspace", self.workspace.as_str())];
        let mut paragraphs = vec![tr.tv(
            "mail-buzz-body",
            &[
                ("count", FluentValue::from(self.count)),
                ("usual", FluentValue::from(one_decimal(self.usual, tr.lang))),
                ("workspace", FluentValue::from(self.workspace.as_str())),
            ],
        )];
        for m in self.messages.iter().take(MAX_LISTED) {
            paragraphs.push(tr.ta(
                "mail-sla-message",
                &[
                    ("author", m.author.as_str()),
                    ("channel", m.channel.as_str()),
                    ("text", &quoted(&m.excerpt)),
                    ("link", m.link.as_str()),
                ],
            ));
        }
        paragraphs.push(tr.t("mail-buzz-pause"));
        Content {
            subject: tr.ta("mail-buzz-subject", &workspace),
            paragraphs,
            action: Some((tr.t("mail-buzz-action"), self.link.clone())),
            closing: vec![tr.t("mail-buzz-why")],
        }
    }
}

/// `2.5` as the language writes it with one decimal: « 2,5 », "2.5".
pub fn one_decimal(value: f64, lang: Lang) -> String {
    let text = format!("{value:.1}");
    match lang {
        Lang::Fr => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A moderation rule matched a message and asks to tell the team.
#[derive(Debug, Clone)]
pub struct RuleMatched {
    pub workspace: String,
    /// The rule's name, or `None` when it was deleted since.
    pub rule: Option<String>,
    pub message: BreachedMessage,
}

impl MailMessage for RuleMatched {
    fn content(&self, tr: &Tr<'_>) -> Content {
        let workspace = [("workspace", self.workspace.as_str())];
        let rule = self
            .rule
            .clone()
            .unwrap_or_else(|| tr.t("mail-rule-deleted"));
        Content {
            subject: tr.ta("mail-rule-subject", &workspace),
            paragraphs: vec![
                tr.ta(
                    "mail-rule-body",
                    &[
                        ("rule", rule.as_str()),
                        ("workspace", self.workspace.as_str()),
                    ],
                ),
                tr.ta(
                    "mail-sla-message",
                    &[
                        ("author", self.message.author.as_str()),
                        ("channel", self.message.channel.as_str()),
                        ("text", &quoted(&self.message.excerpt)),
                        ("link", self.message.link.as_str()),
                    ],
                ),
            ],
            action: Some((tr.t("mail-rule-action"), self.message.link.clone())),
            closing: vec![tr.t("mail-rule-why")],
        }
    }
}

/// Messages an e-mail lists at most (the inbox has the others).
const MAX_LISTED: usize = 20;

impl MailMessage for SlaBreached {
    fn content(&self, tr: &Tr<'_>) -> Content {
        let workspace = [("workspace", self.workspace.as_str())];
        let mut paragraphs = vec![tr.tv(
            "mail-sla-body",
            &[
                ("count", FluentValue::from(self.messages.len() as i64)),
                ("workspace", FluentValue::from(self.workspace.as_str())),
            ],
        )];
        for m in self.messages.iter().take(MAX_LISTED) {
            paragraphs.push(tr.ta(
                "mail-sla-message",
                &[
                    ("author", m.author.as_str()),
                    ("channel", m.channel.as_str()),
                    ("text", &quoted(&m.excerpt)),
                    ("link", m.link.as_str()),
                ],
            ));
        }
        Content {
            subject: tr.ta("mail-sla-subject", &workspace),
            paragraphs,
            action: Some((tr.t("mail-sla-action"), self.link.clone())),
            closing: vec![tr.t(if self.assigned {
                "mail-sla-why-assigned"
            } else {
                "mail-sla-why-manager"
            })],
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
            Box::new(ApprovalRequest {
                workspace: "Boulangerie <Dupont> & fils".into(),
                author: Some("Élodie <script>".into()),
                title: Some("Les galettes".into()),
                channels: vec![
                    (
                        "Mastodon @dupont".into(),
                        "La galette <script> arrive\nDès lundi.".into(),
                    ),
                    ("Bluesky".into(), "x".repeat(3_000)),
                ],
                media: vec![
                    AttachedMedia {
                        name: "galette <script>.jpg".into(),
                        is_video: false,
                        alt: "Une galette <script> dorée".into(),
                    },
                    AttachedMedia {
                        name: "four.png".into(),
                        is_video: false,
                        alt: String::new(),
                    },
                    AttachedMedia {
                        name: "atelier.mp4".into(),
                        is_video: true,
                        alt: String::new(),
                    },
                ],
                scheduled_at: Some(1_800_000_000),
                timezone: "Europe/Paris".into(),
                link: "https://tribune.example.fr/a/tok".into(),
                link_expires_at: Some(1_800_600_000),
            }),
            Box::new(ApprovalRequest {
                workspace: "Dupont".into(),
                author: None,
                title: None,
                channels: vec![("Bluesky".into(), "Bonjour".into())],
                media: Vec::new(),
                scheduled_at: None,
                timezone: "Not/AZone".into(),
                link: "https://tribune.example.fr/w/1/posts/2".into(),
                link_expires_at: None,
            }),
            Box::new(PublishFailed {
                workspace: "Dupont".into(),
                channel: "Mastodon <script>".into(),
                excerpt: "La galette".into(),
                code: "network_refused".into(),
                network_message: Some("Text too long".into()),
                link: "https://tribune.example.fr/w/1/posts/2".into(),
            }),
            Box::new(PublishFailed {
                workspace: "Dupont".into(),
                channel: "Bluesky".into(),
                excerpt: "La galette".into(),
                code: "something_new".into(),
                network_message: None,
                link: "https://tribune.example.fr/w/1/posts/2".into(),
            }),
            Box::new(SlaBreached {
                workspace: "Dupont".into(),
                messages: vec![
                    BreachedMessage {
                        author: "Troll <script>alert(1)</script>".into(),
                        channel: "Mastodon".into(),
                        excerpt: "Colis perdu <script>".into(),
                        link: "https://tribune.example.fr/w/1/inbox/7".into(),
                    },
                    BreachedMessage {
                        author: "Alice".into(),
                        channel: "Bluesky".into(),
                        excerpt: "Livrez-vous le samedi ?".into(),
                        link: "https://tribune.example.fr/w/1/inbox/8".into(),
                    },
                ],
                link: "https://tribune.example.fr/w/1/inbox?sla=near".into(),
                assigned: false,
            }),
            Box::new(BuzzAlert {
                workspace: "Dupont".into(),
                count: 34,
                usual: 2.5,
                messages: vec![BreachedMessage {
                    author: "Client <b>fâché</b>".into(),
                    channel: "Bluesky".into(),
                    excerpt: "Intoxication alimentaire !".into(),
                    link: "https://tribune.example.fr/w/1/inbox/12".into(),
                }],
                link: "https://tribune.example.fr/w/1/inbox/alerts/3".into(),
            }),
            Box::new(RuleMatched {
                workspace: "Dupont".into(),
                rule: Some("Insultes <script>".into()),
                message: BreachedMessage {
                    author: "Troll".into(),
                    channel: "Mastodon".into(),
                    excerpt: "Escrocs !".into(),
                    link: "https://tribune.example.fr/w/1/inbox/9".into(),
                },
            }),
            Box::new(RuleMatched {
                workspace: "Dupont".into(),
                rule: None,
                message: BreachedMessage {
                    author: "Troll".into(),
                    channel: "Mastodon".into(),
                    excerpt: "Escrocs !".into(),
                    link: "https://tribune.example.fr/w/1/inbox/9".into(),
                },
            }),
        ]
    }

    #[test]
    fn decimals_are_written_as_each_language_writes_them() {
        assert_eq!(one_decimal(2.45, Lang::Fr), "2,5");
        assert_eq!(one_decimal(0.0, Lang::En), "0.0");
        let catalog = Catalog::load();
        let tr = Tr::new(&catalog, Lang::Fr);
        let messages = all_messages();
        let buzz = messages
            .iter()
            .find(|m| m.content(&tr).subject.contains("vague"))
            .unwrap();
        assert!(
            buzz.content(&tr).paragraphs[0].contains("contre 2,5"),
            "{:?}",
            buzz.content(&tr)
        );
    }

    #[test]
    fn a_breach_notice_lists_each_message_with_its_link() {
        let catalog = Catalog::load();
        let messages = all_messages();
        let notice = &messages[messages.len() - 4];
        for (lang, count) in [(Lang::Fr, "Ces 2 messages"), (Lang::En, "These 2 messages")] {
            let tr = Tr::new(&catalog, lang);
            let rendered = render(&notice.content(&tr), &tr).unwrap();
            assert!(rendered.text.contains(count), "{}", rendered.text);
            assert!(
                rendered
                    .text
                    .contains("https://tribune.example.fr/w/1/inbox/8")
            );
            assert!(rendered.text.contains("Dupont"));
        }
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
    fn approval_requests_write_the_time_in_the_workspace_zone_in_each_language() {
        let catalog = Catalog::load();
        let request = ApprovalRequest {
            workspace: "Dupont".into(),
            author: Some("Élodie".into()),
            title: None,
            channels: vec![("Mastodon".into(), "Bonjour".into())],
            media: Vec::new(),
            // 2027-01-15 08:00 UTC, 09:00 in Paris.
            scheduled_at: Some(1_800_000_000 - 1_800_000_000 % 86_400 + 8 * 3600),
            timezone: "Europe/Paris".into(),
            link: "https://tribune.example.fr/a/tok".into(),
            link_expires_at: Some(1_800_000_000),
        };
        let fr = request.content(&Tr::new(&catalog, Lang::Fr));
        let en = request.content(&Tr::new(&catalog, Lang::En));
        assert!(
            fr.paragraphs[1].contains("à 9\u{a0}h\u{a0}00 (Europe/Paris)"),
            "{fr:?}"
        );
        assert!(en.paragraphs[1].contains(", 9:00 (Europe/Paris)"), "{en:?}");
        assert!(fr.paragraphs[2].contains("Bonjour") && fr.paragraphs[2].contains("Mastodon"));
        assert_eq!(
            fr.action.as_ref().map(|a| a.1.as_str()),
            Some("https://tribune.example.fr/a/tok")
        );
    }

    #[test]
    fn a_publish_failure_says_what_to_do_for_its_code_or_in_general() {
        let catalog = Catalog::load();
        let tr = Tr::new(&catalog, Lang::En);
        let mut failed = PublishFailed {
            workspace: "Dupont".into(),
            channel: "Bluesky".into(),
            excerpt: "Bonjour".into(),
            code: "channel_refused".into(),
            network_message: Some("Invalid token".into()),
            link: "l".into(),
        };
        let known = failed.content(&tr);
        assert!(known.paragraphs.iter().any(|p| p.contains("Invalid token")));
        assert!(
            known
                .paragraphs
                .iter()
                .any(|p| p.contains("Reconnect the channel")),
            "{known:?}"
        );
        failed.code = "never_heard_of".into();
        let other = failed.content(&tr);
        assert!(
            !other.paragraphs.iter().any(|p| p.contains("mail-")),
            "{other:?}"
        );
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

    #[test]
    fn an_approval_request_lists_its_media_with_their_alt_text_or_its_absence() {
        let catalog = Catalog::load();
        let messages = all_messages();
        let request = &messages[5];
        for (lang, heading, missing, video) in [
            (
                Lang::En,
                "3 media are attached:",
                "2. four.png: no alt text",
                "3. atelier.mp4 (video)",
            ),
            (
                Lang::Fr,
                "3\u{a0}médias sont joints\u{a0}:",
                "2. four.png\u{a0}: pas de texte alternatif",
                "3. atelier.mp4 (vidéo)",
            ),
        ] {
            let tr = Tr::new(&catalog, lang);
            let rendered = render(&request.content(&tr), &tr).unwrap();
            for body in [&rendered.text, &rendered.html] {
                assert!(body.contains(heading), "{lang:?}: {body}");
                assert!(body.contains(missing), "{lang:?}: {body}");
                assert!(body.contains(video), "{lang:?}: {body}");
            }
            assert!(
                rendered.text.contains("1. galette <script>.jpg"),
                "{}",
                rendered.text
            );
            assert!(rendered.text.contains("Une galette <script> dorée"));
            assert!(
                rendered.html.contains("galette &#60;script&#62;.jpg"),
                "{}",
                rendered.html
            );
        }
        // One media: the singular.
        let one = ApprovalRequest {
            media: vec![AttachedMedia {
                name: "a.png".into(),
                is_video: false,
                alt: "Un chat".into(),
            }],
            ..ApprovalRequest {
                workspace: "Dupont".into(),
                author: None,
                title: None,
                channels: Vec::new(),
                media: Vec::new(),
                scheduled_at: None,
                timezone: "UTC".into(),
                link: "l".into(),
                link_expires_at: None,
            }
        };
        let en = one.content(&Tr::new(&catalog, Lang::En));
        assert!(
            en.paragraphs
                .iter()
                .any(|p| p.starts_with("One media is attached:\n1. a.png, alt text: “Un chat”")),
            "{en:?}"
        );
    }
}
