//! tribune's e-mail. One type per message ([`Invitation`], [`PasswordReset`], [`NewDeviceLogin`],
//! [`AccountLocked`], [`ApprovalRequest`], [`PublishFailed`], [`TestEmail`]), each written in French and English from this crate's own
//! Fluent catalogue, sent as plain text plus HTML (`multipart/alternative`) through SMTP with
//! `lettre`. A request never waits for the SMTP server: [`Mailer::send_in_background`] renders the
//! message, hands it to a task with a deadline and logs a failure.
//!
//! No SMTP settings means no [`Mailer`]: the web layer then shows links to copy instead.

mod catalog;
mod chat;
mod config;
mod mailer;
mod message;

pub use chat::{chat_buzz_text, chat_escape, chat_test_text};
pub use config::{SmtpConfig, TlsMode};
pub use mailer::{MailError, Mailer};
pub use message::one_decimal;
pub use message::{
    AccountLocked, ApprovalRequest, AttachedMedia, BreachedMessage, BuzzAlert, Content, Invitation,
    MailMessage, NewDeviceLogin, PasswordReset, PublishFailed, Rendered, RuleMatched, SlaBreached,
    TestEmail,
};
