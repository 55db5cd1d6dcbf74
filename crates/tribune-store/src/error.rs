use tribune_domain::ValidationError;

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
    /// A uniqueness rule was broken; the text names which (e.g. `email`).
    #[error("conflict on {0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    /// The member's role does not allow this action.
    #[error("forbidden")]
    Forbidden,
    /// The action would break a rule (e.g. removing the last owner); the text is an i18n key.
    #[error("refused: {0}")]
    Refused(&'static str),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error
            && db.is_unique_violation()
        {
            return StoreError::Conflict("unique");
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
