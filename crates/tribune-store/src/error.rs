use tribune_domain::ValidationError;

/// Why the store refused an action: a rule the request would break. Each has a catalogue key
/// (`key()`) that explains it to a person, in the web pages, the API and the CLI alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// First-run setup was already done.
    SetupDone,
    /// A workspace must keep at least one owner.
    LastOwner,
    /// The account may not create workspaces.
    CannotCreateWorkspace,
    /// The instance owner and one's own account cannot be disabled or demoted.
    AdminProtected,
    /// A TOTP code that cannot be a valid one.
    TotpWrong,
    /// The invitation was sent to another address than the account's.
    InvitationOtherEmail,
    InvitationUsed,
    InvitationExpired,
    /// The member who sent the invitation was removed or may no longer give that role.
    InvitationVoid,
    ResetLinkInvalid,
    /// `tribune backup` copies SQLite only; PostgreSQL has pg_dump.
    BackupPostgres,
    /// The post is going out or went out: it can no longer be changed or deleted.
    PostNotEditable,
    /// The member's role may not approve posts under the workspace's policy.
    NotApprover,
    /// Only a post waiting for approval can be approved or sent back.
    PostNotPending,
    /// A scheduled post, or one going out, uses the media: it cannot be deleted now.
    MediaInUse,
    /// The invoice was issued: it never changes; a credit note corrects it.
    InvoiceIssued,
    /// Only an issued invoice (not a draft, not a credit note) takes a payment or a credit note.
    InvoiceNotIssued,
    /// Numbers follow dates: an invoice cannot be dated before the last one of its series.
    InvoiceDateBeforeLast,
    /// The credit notes would cancel more than the invoice's amount.
    CreditExceedsInvoice,
    /// The payment is more than what is still due.
    PaymentExceedsBalance,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::SetupDone => "setup-done",
            Refusal::LastOwner => "error-last-owner",
            Refusal::CannotCreateWorkspace => "error-cannot-create-workspace",
            Refusal::AdminProtected => "error-admin-protected",
            Refusal::TotpWrong => "error-totp-wrong",
            Refusal::InvitationOtherEmail => "error-invitation-other-email",
            Refusal::InvitationUsed => "error-invitation-used",
            Refusal::InvitationExpired => "error-invitation-expired",
            Refusal::InvitationVoid => "error-invitation-void",
            Refusal::ResetLinkInvalid => "error-reset-link-invalid",
            Refusal::BackupPostgres => "backup-postgres-use-pg-dump",
            Refusal::PostNotEditable => "error-post-not-editable",
            Refusal::NotApprover => "error-not-approver",
            Refusal::PostNotPending => "error-post-not-pending",
            Refusal::MediaInUse => "error-media-in-use",
            Refusal::InvoiceIssued => "error-invoice-issued",
            Refusal::InvoiceNotIssued => "error-invoice-not-issued",
            Refusal::InvoiceDateBeforeLast => "error-invoice-date-before-last",
            Refusal::CreditExceedsInvoice => "error-invoice-credit-exceeds",
            Refusal::PaymentExceedsBalance => "error-invoice-payment-exceeds",
        }
    }

    /// Every refusal, for the test that each has a catalogue entry.
    pub const ALL: [Refusal; 20] = [
        Refusal::SetupDone,
        Refusal::LastOwner,
        Refusal::CannotCreateWorkspace,
        Refusal::AdminProtected,
        Refusal::TotpWrong,
        Refusal::InvitationOtherEmail,
        Refusal::InvitationUsed,
        Refusal::InvitationExpired,
        Refusal::InvitationVoid,
        Refusal::ResetLinkInvalid,
        Refusal::BackupPostgres,
        Refusal::PostNotEditable,
        Refusal::NotApprover,
        Refusal::PostNotPending,
        Refusal::MediaInUse,
        Refusal::InvoiceIssued,
        Refusal::InvoiceNotIssued,
        Refusal::InvoiceDateBeforeLast,
        Refusal::CreditExceedsInvoice,
        Refusal::PaymentExceedsBalance,
    ];
}

/// Which uniqueness rule a write broke. Each has the catalogue key that explains it
/// (`key()`), so the web, the API and the CLI say the same thing without matching on text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conflict {
    /// Another account has this e-mail address.
    EmailTaken,
    /// The person is already a member of the workspace.
    AlreadyMember,
    /// Any other unique index (the database did not say which one tribune could name).
    Unique,
}

impl Conflict {
    pub fn key(self) -> &'static str {
        match self {
            Conflict::EmailTaken => "error-email-taken",
            Conflict::AlreadyMember => "error-already-member",
            Conflict::Unique => "error-conflict",
        }
    }

    /// Every conflict, for the test that each has a catalogue entry.
    pub const ALL: [Conflict; 3] = [
        Conflict::EmailTaken,
        Conflict::AlreadyMember,
        Conflict::Unique,
    ];
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (expected sqlite:… or postgres://…)")]
    UnsupportedUrl,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("query could not be built: {0}")]
    Query(#[from] sea_query::error::Error),
    /// A uniqueness rule was broken.
    #[error("conflict: {}", .0.key())]
    Conflict(Conflict),
    #[error("not found")]
    NotFound,
    /// The member's role does not allow this action.
    #[error("forbidden")]
    Forbidden,
    /// The action would break a rule (e.g. removing the last owner).
    #[error("refused: {}", .0.key())]
    Refused(Refusal),
    /// Something that should not fail did (a hash could not be computed): a server error,
    /// logged with its cause, never shown as the user's fault.
    #[error("internal error: {0}")]
    Internal(String),
    /// Something that should not fail did, for a reason another library gave (a hash, a
    /// time-zone computation, a stored value that no longer parses): the cause is kept whole, so
    /// the server's log prints its chain; never shown as the user's fault.
    #[error("internal error: {context}")]
    Failed {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// An invoice, a line or a payment breaks a rule of `tribune_business::invoice` (typed, with
    /// its catalogue key and form field).
    #[error("invalid invoice: {0}")]
    Invoice(#[from] tribune_business::invoice::InvoiceError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// For `map_err`: an internal failure in `context`, keeping `error` as its source.
    pub fn failed<E>(context: &'static str) -> impl FnOnce(E) -> StoreError
    where
        E: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        move |error| StoreError::Failed {
            context,
            source: error.into(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error
            && db.is_unique_violation()
        {
            return StoreError::Conflict(Conflict::Unique);
        }
        // PostgreSQL refuses NUL characters in text (SQLSTATE 22021); SQLite would store them.
        // Either way it is bad input, not a server failure.
        if let sqlx::Error::Database(db) = &error
            && db.code().as_deref() == Some("22021")
        {
            return StoreError::Invalid(ValidationError::single("text", "error-nul-character"));
        }
        if matches!(error, sqlx::Error::RowNotFound) {
            return StoreError::NotFound;
        }
        StoreError::Database(error)
    }
}
