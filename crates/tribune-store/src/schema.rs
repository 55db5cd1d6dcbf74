//! Table and column names, for sea-query.

use sea_query::Iden;

#[derive(Iden, Clone, Copy)]
pub enum Users {
    Table,
    Id,
    Email,
    Name,
    PasswordHash,
    Locale,
    IsAdmin,
    TotpSecret,
    TotpEnabled,
    TotpLastStep,
    CanCreateWorkspaces,
    DisabledAt,
    LastLoginAt,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum SmtpSettings {
    Table,
    Id,
    Host,
    Port,
    Tls,
    Username,
    PasswordSealed,
    FromAddress,
    UpdatedAt,
    UpdatedBy,
}

#[derive(Iden, Clone, Copy)]
pub enum InstanceSetup {
    Table,
    Id,
    UserId,
    At,
}

#[derive(Iden, Clone, Copy)]
pub enum Sessions {
    Table,
    Id,
    TokenHash,
    UserId,
    CsrfToken,
    TotpPending,
    UserAgent,
    Ip,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(Iden, Clone, Copy)]
pub enum LoginAttempts {
    Table,
    Id,
    Key,
    At,
}

#[derive(Iden, Clone, Copy)]
pub enum ApiTokens {
    Table,
    Id,
    UserId,
    Name,
    TokenHash,
    CreatedAt,
    LastUsedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Workspaces {
    Table,
    Id,
    Name,
    Timezone,
    Languages,
    BrandVoice,
    WordsToAvoid,
    Guidelines,
    GuidelinesPublic,
    PublicSlug,
    Logo,
    LogoType,
    ApprovalPolicy,
    PublishingPausedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Memberships {
    Table,
    WorkspaceId,
    UserId,
    Role,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Invitations {
    Table,
    Id,
    WorkspaceId,
    Email,
    Role,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Channels {
    Table,
    Id,
    WorkspaceId,
    Network,
    RemoteId,
    Handle,
    DisplayName,
    AvatarUrl,
    ProfileUrl,
    Avatar,
    AvatarType,
    Capabilities,
    Credentials,
    State,
    StateMessage,
    StateChangedAt,
    TokenExpiresAt,
    RateLimitedUntil,
    InboxCursor,
    ConnectedBy,
    LastCheckedAt,
    LastCheckResult,
    MaxCharacters,
    CharactersReservedPerUrl,
    MaxMediaAttachments,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Notifications {
    Table,
    Id,
    WorkspaceId,
    Kind,
    ChannelId,
    Message,
    CreatedAt,
    ResolvedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum OauthApps {
    Table,
    Network,
    Server,
    RedirectUri,
    ClientId,
    ClientSecret,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum OauthStates {
    Table,
    StateHash,
    WorkspaceId,
    UserId,
    Network,
    Server,
    Verifier,
    CreatedAt,
    ExpiresAt,
}

#[derive(Iden, Clone, Copy)]
pub enum AuditEvents {
    Table,
    Id,
    WorkspaceId,
    At,
    ActorUserId,
    Actor,
    Action,
    ObjectKind,
    ObjectId,
    Details,
}

#[derive(Iden, Clone, Copy)]
pub enum Posts {
    Table,
    Id,
    WorkspaceId,
    AuthorUserId,
    Status,
    Title,
    Text,
    Link,
    ScheduledAt,
    ApprovedBy,
    ApprovedAt,
    CreatedAt,
    UpdatedAt,
    Version,
    CategoryId,
    RecycledFrom,
}

#[derive(Iden, Clone, Copy)]
pub enum PostTargets {
    Table,
    Id,
    WorkspaceId,
    PostId,
    ChannelId,
    Text,
    Status,
    IdempotencyKey,
    Attempts,
    AttemptStartedAt,
    RemoteRef,
    RemoteUrl,
    PublishedAt,
    ErrorCode,
    ErrorMessage,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum PostEvents {
    Table,
    Id,
    WorkspaceId,
    PostId,
    TargetId,
    At,
    ActorUserId,
    Actor,
    Action,
    Comment,
}

#[derive(Iden, Clone, Copy)]
pub enum Jobs {
    Table,
    Id,
    Kind,
    WorkspaceId,
    Payload,
    DedupKey,
    RunAt,
    Attempts,
    LockedBy,
    LockedUntil,
    LastError,
    FailedAt,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Media {
    Table,
    Id,
    WorkspaceId,
    Kind,
    Mime,
    Bytes,
    Width,
    Height,
    DurationMs,
    Alt,
    FileName,
    StorageKey,
    ThumbnailKey,
    Sha256,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum PostMedia {
    Table,
    WorkspaceId,
    PostId,
    MediaId,
    Position,
}

#[derive(Iden, Clone, Copy)]
pub enum CalendarFeeds {
    Table,
    Id,
    WorkspaceId,
    UserId,
    TokenHash,
    CreatedAt,
    LastUsedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum Links {
    Table,
    Id,
    WorkspaceId,
    Code,
    Target,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmTerm,
    UtmContent,
    PostId,
    ChannelId,
    CreatedBy,
    CreatedAt,
    DeletedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum LinkClicks {
    Table,
    WorkspaceId,
    LinkId,
    Day,
    Network,
    Clicks,
}

#[derive(Iden, Clone, Copy)]
pub enum Categories {
    Table,
    Id,
    WorkspaceId,
    Name,
    Colour,
    Evergreen,
    Recycle,
    RecycleAfterDays,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum QueueSlots {
    Table,
    Id,
    WorkspaceId,
    ChannelId,
    Weekday,
    LocalTime,
    CategoryId,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum PostMetrics {
    Table,
    WorkspaceId,
    TargetId,
    ChannelId,
    PublishedAt,
    Likes,
    Replies,
    Reposts,
    Clicks,
    CollectedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxItems {
    Table,
    Id,
    WorkspaceId,
    ChannelId,
    RemoteRef,
    Kind,
    InReplyTo,
    RootRef,
    ThreadRef,
    AuthorRemoteId,
    AuthorHandle,
    AuthorName,
    AuthorUrl,
    Text,
    Url,
    Links,
    Images,
    SearchText,
    CreatedAt,
    ReceivedAt,
    Lang,
    Sentiment,
    Toxicity,
    Spam,
    NetworkStatus,
    Status,
    SnoozedUntil,
    AssigneeId,
    FirstResponseAt,
    DoneAt,
    Raw,
    DueAt,
    BreachCheckedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxItemLabels {
    Table,
    WorkspaceId,
    ItemId,
    Label,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxNotes {
    Table,
    Id,
    WorkspaceId,
    ItemId,
    AuthorId,
    Body,
    CreatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxReplies {
    Table,
    Id,
    WorkspaceId,
    ItemId,
    ChannelId,
    AuthorId,
    Text,
    State,
    AttemptStartedAt,
    RemoteRef,
    Url,
    Error,
    CreatedAt,
    SentAt,
    IdempotencyKey,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxCursors {
    Table,
    ChannelId,
    WorkspaceId,
    Cursor,
    FetchedAt,
    IdleFetches,
    LastError,
}

#[derive(Iden, Clone, Copy)]
pub enum SavedReplies {
    Table,
    Id,
    WorkspaceId,
    Title,
    Body,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

/// SQLite's full-text index of the inbox (FTS5, contentless: row ids only).
#[derive(Iden, Clone, Copy)]
pub enum InboxFts {
    Table,
    Rowid,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxRules {
    Table,
    Id,
    WorkspaceId,
    Name,
    Position,
    Enabled,
    Query,
    Conditions,
    Actions,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxSla {
    Table,
    WorkspaceId,
    TargetMinutes,
    WarnMinutes,
    Hours,
    FrenchHolidays,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxContacts {
    Table,
    Id,
    WorkspaceId,
    Network,
    RemoteKey,
    Handle,
    Name,
    Tags,
    Note,
    UpdatedBy,
    UpdatedAt,
    PersonId,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxAlerts {
    Table,
    Id,
    WorkspaceId,
    StartedAt,
    Count,
    Baseline,
    Peak,
    UpdatedAt,
    ResolvedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxBuzzSettings {
    Table,
    WorkspaceId,
    MinCount,
    Factor,
    WebhookSealed,
    WebhookHost,
    DeliveredAt,
    DeliveryError,
    UpdatedAt,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxStreamLeases {
    Table,
    ChannelId,
    Holder,
    ExpiresAt,
}

#[derive(Iden, Clone, Copy)]
pub enum InboxOriginals {
    Table,
    WorkspaceId,
    ChannelId,
    AskedRef,
    RemoteRef,
    AuthorRemoteId,
    AuthorHandle,
    AuthorName,
    AuthorUrl,
    Text,
    Url,
    CreatedAt,
    Error,
    FetchedAt,
}
