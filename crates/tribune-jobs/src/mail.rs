//! The `mail` job: writes and sends one e-mail of the outbox (see `tribune_store::mail_jobs`).
//!
//! The job names a post (or a failed target) and a member; the message is written when the job
//! runs, from the post as it stands then, in the member's language. A request that no longer
//! applies (the post was decided or edited, the member left) sends nothing. The mailer is that
//! of the configuration, else that of the settings saved on the administration page, read at
//! each message ([`MailerSource`]): a change there reaches running workers at once. Without
//! SMTP settings the job ends at once and nothing is sent (the pages say so, and approvers
//! decide from the web page).
//!
//! Sending is at least once: should the worker die between the SMTP server's answer and the
//! job's deletion, the message goes again (for a client, with a second link; both are bound to
//! the same post version and only one decision can be made).

use crate::runner::{Handler, Outcome};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tribune_domain::publishing::retry_delay_secs;
use tribune_domain::security::secret_box::{SecretBox, SecretError};
use tribune_domain::{ChannelId, Lang};
use tribune_mail::{
    ApprovalRequest, AttachedMedia, BreachedMessage, BuzzAlert, MailError, MailMessage, Mailer,
    PublishFailed, RuleMatched, SlaBreached, SmtpConfig, TlsMode,
};
use tribune_store::jobs::Job;
use tribune_store::mail_jobs::{MAIL_JOB, MailJob};
use tribune_store::smtp_settings::StoredSmtp;
use tribune_store::users::User;
use tribune_store::workspaces::Workspace;
use tribune_store::{Store, StoreError, WorkspaceScope, unix_now};

/// What the `mail` job needs to send: where its mailer comes from, and the address links
/// point at.
#[derive(Clone)]
pub struct MailSettings {
    pub mailer: MailerSource,
    /// `https://tribune.example.fr`, without a trailing slash needed.
    pub public_url: String,
}

/// Where e-mail goes through: the SMTP server the configuration file or the environment names
/// (it wins), else the one saved on the administration page, read from the database at each
/// message so that every node and every runner follows a change at once, without a restart.
#[derive(Clone)]
pub enum MailerSource {
    /// Given at start: the configuration file or the `TRIBUNE_SMTP_*` variables.
    Fixed(Mailer),
    /// Saved on the administration page (or not: then e-mail is off until it is).
    Saved(Arc<SavedMailer>),
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mailer = match &self.mailer {
            MailerSource::Fixed(_) => "fixed",
            MailerSource::Saved(_) => "saved",
        };
        f.debug_struct("MailSettings")
            .field("mailer", &mailer)
            .field("public_url", &self.public_url)
            .finish()
    }
}

impl MailerSource {
    /// The saved settings, opened with `secrets`.
    pub fn saved(store: Store, secrets: SecretBox) -> Self {
        MailerSource::Saved(Arc::new(SavedMailer::new(store, secrets)))
    }

    /// The mailer to use now; `None` when e-mail is off.
    pub async fn mailer(&self) -> Result<Option<Mailer>, SavedMailError> {
        match self {
            MailerSource::Fixed(mailer) => Ok(Some(mailer.clone())),
            MailerSource::Saved(saved) => saved.mailer().await,
        }
    }
}

/// Why the saved SMTP settings give no mailer.
#[derive(Debug, thiserror::Error)]
pub enum SavedMailError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot open the SMTP password saved on the administration page: {0}")]
    Sealed(#[from] SecretError),
    #[error("invalid SMTP settings saved on the administration page: {0}")]
    Invalid(#[from] MailError),
}

/// The mailer built from the saved settings, kept while they stay the same (`updated_at`).
pub struct SavedMailer {
    store: Store,
    secrets: SecretBox,
    cached: Mutex<Option<(i64, Mailer)>>,
}

impl SavedMailer {
    pub fn new(store: Store, secrets: SecretBox) -> Self {
        SavedMailer {
            store,
            secrets,
            cached: Mutex::new(None),
        }
    }

    /// The mailer for the settings saved now; `None` when none are saved.
    pub async fn mailer(&self) -> Result<Option<Mailer>, SavedMailError> {
        let Some(stored) = self.store.smtp_settings().await? else {
            return Ok(None);
        };
        if let Ok(cached) = self.cached.lock()
            && let Some((at, mailer)) = cached.as_ref()
            && *at == stored.updated_at
        {
            return Ok(Some(mailer.clone()));
        }
        let mailer = Mailer::new(saved_smtp_config(&stored, &self.secrets)?)?;
        if let Ok(mut cached) = self.cached.lock() {
            *cached = Some((stored.updated_at, mailer.clone()));
        }
        Ok(Some(mailer))
    }
}

/// The SMTP settings a saved row stands for, with its password opened.
pub fn saved_smtp_config(
    stored: &StoredSmtp,
    secrets: &SecretBox,
) -> Result<SmtpConfig, SecretError> {
    let password = match &stored.password_sealed {
        Some(sealed) => Some(secrets.open(sealed)?),
        None => None,
    };
    Ok(SmtpConfig {
        host: stored.host.clone(),
        port: u16::try_from(stored.port).unwrap_or(587),
        tls: TlsMode::parse(&stored.tls).unwrap_or(TlsMode::Starttls),
        user: stored.username.clone(),
        password,
        from: stored.from_address.clone(),
        timeout: SmtpConfig::DEFAULT_TIMEOUT,
    })
}

pub struct MailSender {
    store: Store,
    settings: Option<MailSettings>,
}

/// Why one attempt did not send.
enum Failure {
    Store(StoreError),
    Mail(MailError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Store(error)
    }
}

impl From<MailError> for Failure {
    fn from(error: MailError) -> Self {
        Failure::Mail(error)
    }
}

/// One inbox message as an e-mail lists it: who, where, its beginning, its page.
fn breached_message(
    base: &str,
    ws: tribune_domain::WorkspaceId,
    names: &HashMap<ChannelId, String>,
    item: &tribune_store::inbox::Item,
) -> BreachedMessage {
    BreachedMessage {
        author: match item.author.name.trim() {
            "" => item.author.handle.clone(),
            name => name.to_owned(),
        },
        channel: names.get(&item.channel).cloned().unwrap_or_default(),
        excerpt: item.text.chars().take(280).collect(),
        link: format!("{base}/w/{ws}/inbox/{}", item.id),
    }
}

impl MailSender {
    pub fn new(store: Store, settings: Option<MailSettings>) -> Self {
        MailSender { store, settings }
    }

    /// Channel names as messages show them: "Name (Network)".
    async fn channel_names(
        &self,
        scope: &WorkspaceScope,
    ) -> Result<HashMap<ChannelId, String>, StoreError> {
        Ok(self
            .store
            .channels(scope)
            .await?
            .into_iter()
            .map(|c| {
                let network = c
                    .network
                    .parse::<tribune_connectors::Network>()
                    .map_or(c.network.clone(), |n| n.display_name().to_owned());
                (c.id, format!("{} ({network})", c.display_name))
            })
            .collect())
    }

    async fn send(
        &self,
        settings: &MailSettings,
        mailer: &Mailer,
        job: &Job,
        scope: &WorkspaceScope,
        mail: MailJob,
    ) -> Result<(), Failure> {
        let base = settings.public_url.trim_end_matches('/');
        let ws = scope.workspace();
        let now = unix_now();
        let (recipient, workspace, message): (User, Workspace, Box<dyn MailMessage + Send + Sync>) =
            match mail {
                MailJob::ApprovalRequest {
                    post,
                    version,
                    user,
                } => {
                    let Some(prepared) = self
                        .store
                        .prepare_approval_mail(scope, post, version, user, now)
                        .await?
                    else {
                        tracing::debug!(job = job.id.0, "approval request no longer applies");
                        return Ok(());
                    };
                    let workspace = self.store.workspace(scope).await?;
                    let names = self.channel_names(scope).await?;
                    let author = match prepared.post.author {
                        Some(id) => Some(self.store.user(id).await?.name),
                        None => None,
                    };
                    let link = match &prepared.token {
                        Some(token) => format!("{base}/a/{token}"),
                        None => format!("{base}/w/{ws}/posts/{}", prepared.post.id),
                    };
                    let post = &prepared.post;
                    let message = ApprovalRequest {
                        workspace: workspace.name.clone(),
                        author,
                        title: post.title.clone(),
                        channels: post
                            .targets
                            .iter()
                            .map(|t| {
                                (
                                    names.get(&t.channel_id).cloned().unwrap_or_default(),
                                    post.text_for(t),
                                )
                            })
                            .collect(),
                        media: post
                            .media
                            .iter()
                            .map(|m| AttachedMedia {
                                name: m.file_name.clone().unwrap_or_else(|| format!("#{}", m.id)),
                                is_video: m.kind == tribune_domain::media::MediaKind::Video,
                                alt: m.alt.clone(),
                            })
                            .collect(),
                        scheduled_at: post.scheduled_at,
                        timezone: workspace.timezone.clone(),
                        link,
                        link_expires_at: prepared
                            .token
                            .as_ref()
                            .map(|_| now + tribune_store::approval_links::APPROVAL_LINK_TTL_SECS),
                    };
                    (prepared.recipient, workspace, Box::new(message))
                }
                MailJob::PublishFailed { target, user } => {
                    let Some(prepared) = self
                        .store
                        .prepare_publish_failed_mail(scope, target, user)
                        .await?
                    else {
                        tracing::debug!(job = job.id.0, "failure notice no longer applies");
                        return Ok(());
                    };
                    let workspace = self.store.workspace(scope).await?;
                    let names = self.channel_names(scope).await?;
                    let text = prepared.post.text_for(&prepared.target);
                    let message = PublishFailed {
                        workspace: workspace.name.clone(),
                        channel: names
                            .get(&prepared.target.channel_id)
                            .cloned()
                            .unwrap_or_default(),
                        excerpt: text.chars().take(280).collect(),
                        code: prepared.target.error_code.clone().unwrap_or_default(),
                        network_message: prepared.target.error_message.clone(),
                        link: format!("{base}/w/{ws}/posts/{}", prepared.post.id),
                    };
                    (prepared.recipient, workspace, Box::new(message))
                }
                MailJob::SlaBreached { user, items } => {
                    let Some(prepared) = self
                        .store
                        .prepare_sla_breach_mail(scope, user, &items)
                        .await?
                    else {
                        tracing::debug!(job = job.id.0, "breach notice no longer applies");
                        return Ok(());
                    };
                    let workspace = self.store.workspace(scope).await?;
                    let names = self.channel_names(scope).await?;
                    let message = SlaBreached {
                        workspace: workspace.name.clone(),
                        messages: prepared
                            .items
                            .iter()
                            .map(|item| breached_message(base, ws, &names, item))
                            .collect(),
                        link: format!("{base}/w/{ws}/inbox?sla=near"),
                        assigned: prepared.assigned,
                    };
                    (prepared.recipient, workspace, Box::new(message))
                }
                MailJob::BuzzAlert { user, alert } => {
                    let Some((recipient, alert, items)) = self
                        .store
                        .prepare_buzz_mail(scope, user, alert, now)
                        .await?
                    else {
                        tracing::debug!(job = job.id.0, "buzz alert no longer applies");
                        return Ok(());
                    };
                    let workspace = self.store.workspace(scope).await?;
                    let names = self.channel_names(scope).await?;
                    let message = BuzzAlert {
                        workspace: workspace.name.clone(),
                        count: alert.count,
                        usual: alert.baseline,
                        messages: items
                            .iter()
                            .map(|item| breached_message(base, ws, &names, item))
                            .collect(),
                        link: format!("{base}/w/{ws}/inbox/alerts/{}", alert.id),
                    };
                    (recipient, workspace, Box::new(message))
                }
                MailJob::RuleMatched { user, item, rule } => {
                    let Some((recipient, item, rule)) = self
                        .store
                        .prepare_rule_notice_mail(scope, user, item, rule)
                        .await?
                    else {
                        tracing::debug!(job = job.id.0, "rule notice no longer applies");
                        return Ok(());
                    };
                    let workspace = self.store.workspace(scope).await?;
                    let names = self.channel_names(scope).await?;
                    let message = RuleMatched {
                        workspace: workspace.name.clone(),
                        rule,
                        message: breached_message(base, ws, &names, &item),
                    };
                    (recipient, workspace, Box::new(message))
                }
            };
        let lang = recipient
            .lang()
            .or_else(|| workspace.languages.first().copied())
            .unwrap_or(Lang::default());
        mailer
            .send(&recipient.email, lang, message.as_ref())
            .await?;
        Ok(())
    }
}

#[async_trait]
impl Handler for MailSender {
    fn kind(&self) -> &'static str {
        MAIL_JOB
    }

    async fn run(&self, job: &Job) -> Outcome {
        let Some(settings) = &self.settings else {
            // E-mail is off on this instance: nothing is sent.
            return Outcome::Done;
        };
        let Some(scope) = job.scope() else {
            return Outcome::Fail("a mail job without a workspace".into());
        };
        let Some(mail) = MailJob::parse(&job.payload) else {
            return Outcome::Fail("a mail job whose payload cannot be read".into());
        };
        let mailer = match settings.mailer.mailer().await {
            Ok(Some(mailer)) => mailer,
            // E-mail is off on this instance (no settings saved yet): nothing is sent.
            Ok(None) => return Outcome::Done,
            Err(error) => {
                return Outcome::Retry {
                    at: unix_now() + retry_delay_secs(job.attempts),
                    error: error.to_string(),
                };
            }
        };
        match self.send(settings, &mailer, job, scope, mail).await {
            Ok(()) => Outcome::Done,
            // A recipient address the mailer refuses will not get better.
            Err(Failure::Mail(error @ MailError::Address(_))) => Outcome::Fail(error.to_string()),
            Err(Failure::Mail(error)) => Outcome::Retry {
                at: unix_now() + retry_delay_secs(job.attempts),
                error: error.to_string(),
            },
            Err(Failure::Store(error)) => Outcome::Retry {
                at: unix_now() + retry_delay_secs(job.attempts),
                error: error.to_string(),
            },
        }
    }

    fn max_attempts(&self) -> u32 {
        10
    }
}
