//! Workspaces (one per client) and the scope that guards everything inside them.

use crate::Refusal;
use crate::audit::Actor;
use crate::schema::{Memberships, Workspaces};
use crate::{Store, StoreError, unix_now};
use sea_query::{Expr, ExprTrait, Order, Query};
use serde::Serialize;
use tribune_domain::security::token::random_token;
use tribune_domain::workspace::WorkspaceProfile;
use tribune_domain::{Lang, Role, UserId, WorkspaceId};

/// Proof that an actor may work in a workspace, with the role it acts with. Only the store makes
/// one: [`Store::scope`] from a membership row, or the store itself for background work it hands
/// out (a system actor, recorded as such in the audit), so every workspace-scoped call is
/// isolated by construction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkspaceScope {
    workspace: WorkspaceId,
    actor: Actor,
    role: Role,
}

impl WorkspaceScope {
    pub fn workspace(&self) -> WorkspaceId {
        self.workspace
    }

    /// The member acting, or `None` for tribune's background work.
    pub fn user(&self) -> Option<UserId> {
        self.actor.user()
    }

    /// The member acting; `Forbidden` for background work, which acts for nobody in particular
    /// and so cannot do what only a person can (invite, authorise an app).
    pub fn member(&self) -> Result<UserId, StoreError> {
        self.actor.user().ok_or(StoreError::Forbidden)
    }

    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// A scope for background work on `workspace`, acting as `task`. Crate-private: only store
    /// methods that hand out work rows (channels due for a check, due jobs) create one, from the
    /// row's own workspace.
    /// A member acting with their role, as read from their membership by the caller.
    pub(crate) fn of_member(workspace: WorkspaceId, user: UserId, role: Role) -> WorkspaceScope {
        WorkspaceScope {
            workspace,
            actor: Actor::User(user),
            role,
        }
    }

    pub(crate) fn system(workspace: WorkspaceId, task: &'static str) -> WorkspaceScope {
        WorkspaceScope {
            workspace,
            actor: Actor::System(task),
            role: Role::Manager,
        }
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// Fails with `Forbidden` unless the member's role passes `allowed`.
    pub fn require(&self, allowed: impl Fn(Role) -> bool) -> Result<(), StoreError> {
        if allowed(self.role) {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct WorkspaceRow {
    id: WorkspaceId,
    name: String,
    timezone: String,
    languages: String,
    brand_voice: String,
    words_to_avoid: String,
    guidelines: String,
    guidelines_public: bool,
    public_slug: String,
    logo_type: Option<String>,
    created_at: i64,
    updated_at: i64,
}

/// A workspace's brand profile as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    pub timezone: String,
    pub languages: Vec<Lang>,
    pub brand_voice: String,
    pub words_to_avoid: Vec<String>,
    pub guidelines: String,
    pub guidelines_public: bool,
    pub public_slug: String,
    pub has_logo: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<WorkspaceRow> for Workspace {
    fn from(row: WorkspaceRow) -> Self {
        Workspace {
            id: row.id,
            name: row.name,
            timezone: row.timezone,
            languages: row
                .languages
                .split(',')
                .filter_map(Lang::from_tag)
                .collect(),
            brand_voice: row.brand_voice,
            words_to_avoid: row
                .words_to_avoid
                .lines()
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect(),
            guidelines: row.guidelines,
            guidelines_public: row.guidelines_public,
            public_slug: row.public_slug,
            has_logo: row.logo_type.is_some(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// One line of "my workspaces".
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct WorkspaceSummary {
    pub id: WorkspaceId,
    pub name: String,
    pub role: String,
    /// For dates on pages outside a workspace; not part of the API's summary.
    #[serde(skip)]
    pub timezone: String,
}

/// The workspaces a user belongs to, as the store read them (with the session, in one query,
/// or on their own). Only the store makes one, so a scope taken from it
/// ([`UserWorkspaces::scope`]) still comes from a real membership row, read for this request.
#[derive(Debug, Clone)]
pub struct UserWorkspaces {
    user: UserId,
    list: Vec<WorkspaceSummary>,
}

impl UserWorkspaces {
    pub(crate) fn new(user: UserId, list: Vec<WorkspaceSummary>) -> UserWorkspaces {
        UserWorkspaces { user, list }
    }

    pub fn user(&self) -> UserId {
        self.user
    }

    /// By name, for the switcher.
    pub fn list(&self) -> &[WorkspaceSummary] {
        &self.list
    }

    /// The user's scope in `workspace`, from their membership row in the list. A non-member
    /// gets `NotFound`, as from [`Store::scope`].
    pub fn scope(&self, workspace: WorkspaceId) -> Result<WorkspaceScope, StoreError> {
        let role = self
            .list
            .iter()
            .find(|w| w.id == workspace)
            .and_then(|w| Role::parse(&w.role))
            .ok_or(StoreError::NotFound)?;
        Ok(WorkspaceScope::of_member(workspace, self.user, role))
    }
}

const WORKSPACE_COLUMNS: [Workspaces; 12] = [
    Workspaces::Id,
    Workspaces::Name,
    Workspaces::Timezone,
    Workspaces::Languages,
    Workspaces::BrandVoice,
    Workspaces::WordsToAvoid,
    Workspaces::Guidelines,
    Workspaces::GuidelinesPublic,
    Workspaces::PublicSlug,
    Workspaces::LogoType,
    Workspaces::CreatedAt,
    Workspaces::UpdatedAt,
];

fn profile_values(profile: &WorkspaceProfile) -> [(Workspaces, sea_query::Value); 7] {
    let languages: Vec<&str> = profile.languages.iter().map(|l| l.code()).collect();
    [
        (Workspaces::Name, profile.name.clone().into()),
        (Workspaces::Timezone, profile.timezone.clone().into()),
        (Workspaces::Languages, languages.join(",").into()),
        (Workspaces::BrandVoice, profile.brand_voice.clone().into()),
        (
            Workspaces::WordsToAvoid,
            profile.words_to_avoid.join("\n").into(),
        ),
        (Workspaces::Guidelines, profile.guidelines.clone().into()),
        (
            Workspaces::GuidelinesPublic,
            profile.guidelines_public.into(),
        ),
    ]
}

/// A readable, unguessable slug for the public guidelines page; it never changes on rename.
fn public_slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let suffix: String = random_token()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    format!(
        "{}{}{}",
        slug.trim_end_matches('-'),
        if slug.is_empty() { "" } else { "-" },
        suffix.to_lowercase()
    )
}

impl Store {
    /// The member's scope in a workspace. A non-member gets `NotFound`, the same answer as for a
    /// workspace that does not exist, so ids cannot be probed.
    pub async fn scope(
        &self,
        user: UserId,
        workspace: WorkspaceId,
    ) -> Result<WorkspaceScope, StoreError> {
        let row: Option<(String,)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .column(Memberships::Role)
                    .from(Memberships::Table)
                    .and_where(Expr::col(Memberships::WorkspaceId).eq(workspace.0))
                    .and_where(Expr::col(Memberships::UserId).eq(user.0))
                    .to_owned(),
            )
            .await?;
        let role = row
            .and_then(|(r,)| Role::parse(&r))
            .ok_or(StoreError::NotFound)?;
        Ok(WorkspaceScope {
            workspace,
            actor: Actor::User(user),
            role,
        })
    }

    /// Creates a workspace; its creator becomes its owner. Only instance admins and the people
    /// they allowed may (never someone who only holds client roles).
    pub async fn create_workspace(
        &self,
        creator: UserId,
        profile: &WorkspaceProfile,
    ) -> Result<WorkspaceScope, StoreError> {
        if !self.may_create_workspaces(creator).await? {
            return Err(StoreError::Refused(Refusal::CannotCreateWorkspace));
        }
        let now = unix_now();
        let mut tx = self.db.begin().await?;
        let mut values: Vec<(Workspaces, sea_query::Value)> = profile_values(profile).into();
        values.extend([
            (Workspaces::PublicSlug, public_slug(&profile.name).into()),
            (Workspaces::CreatedAt, now.into()),
            (Workspaces::UpdatedAt, now.into()),
        ]);
        let (columns, row): (Vec<_>, Vec<_>) = values.into_iter().unzip();
        let (id,): (WorkspaceId,) = tx
            .conn()
            .fetch_one(
                &Query::insert()
                    .into_table(Workspaces::Table)
                    .columns(columns)
                    .values(row.into_iter().map(Expr::val))?
                    .returning_col(Workspaces::Id)
                    .to_owned(),
            )
            .await?;
        tx.conn()
            .execute(
                &Query::insert()
                    .into_table(Memberships::Table)
                    .columns([
                        Memberships::WorkspaceId,
                        Memberships::UserId,
                        Memberships::Role,
                        Memberships::CreatedAt,
                    ])
                    .values([
                        id.0.into(),
                        creator.0.into(),
                        Role::Owner.as_str().into(),
                        now.into(),
                    ])?
                    .to_owned(),
            )
            .await?;
        tx.commit().await?;
        Ok(WorkspaceScope {
            workspace: id,
            actor: Actor::User(creator),
            role: Role::Owner,
        })
    }

    /// The workspaces a user belongs to, by name.
    pub async fn workspaces_of(&self, user: UserId) -> Result<Vec<WorkspaceSummary>, StoreError> {
        self.db
            .fetch_all(
                &Query::select()
                    .column((Workspaces::Table, Workspaces::Id))
                    .column((Workspaces::Table, Workspaces::Name))
                    .column((Memberships::Table, Memberships::Role))
                    .column((Workspaces::Table, Workspaces::Timezone))
                    .from(Workspaces::Table)
                    .inner_join(
                        Memberships::Table,
                        Expr::col((Memberships::Table, Memberships::WorkspaceId))
                            .equals((Workspaces::Table, Workspaces::Id)),
                    )
                    .and_where(Expr::col((Memberships::Table, Memberships::UserId)).eq(user.0))
                    .order_by((Workspaces::Table, Workspaces::Name), Order::Asc)
                    .limit(1000)
                    .to_owned(),
            )
            .await
    }

    /// The member's scope in `workspace` together with all their workspaces (for the switcher),
    /// in one query: what every workspace page needs before anything else when the session's
    /// query did not bring the list (API tokens). A non-member gets `NotFound`, as from
    /// [`Store::scope`].
    pub async fn scope_and_workspaces(
        &self,
        user: UserId,
        workspace: WorkspaceId,
    ) -> Result<(WorkspaceScope, UserWorkspaces), StoreError> {
        let all = UserWorkspaces::new(user, self.workspaces_of(user).await?);
        Ok((all.scope(workspace)?, all))
    }

    /// The workspace and how many of its channels are broken (for the banner), in one query.
    pub async fn workspace_with_broken_channels(
        &self,
        scope: &WorkspaceScope,
    ) -> Result<(Workspace, i64), StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            workspace: WorkspaceRow,
            broken_channels: i64,
        }
        let mut select = Query::select();
        for column in WORKSPACE_COLUMNS {
            select.column((Workspaces::Table, column));
        }
        let row: Row = self
            .db
            .fetch_one(
                &select
                    .expr_as(
                        Expr::cust_with_values(
                            "(SELECT COUNT(*) FROM channels \
                              WHERE channels.workspace_id = workspaces.id AND channels.state = 'broken')",
                            Vec::<sea_query::Value>::new(),
                        ),
                        "broken_channels",
                    )
                    .from(Workspaces::Table)
                    .and_where(Expr::col((Workspaces::Table, Workspaces::Id)).eq(scope.workspace.0))
                    .to_owned(),
            )
            .await?;
        Ok((row.workspace.into(), row.broken_channels))
    }

    pub async fn workspace(&self, scope: &WorkspaceScope) -> Result<Workspace, StoreError> {
        let row: WorkspaceRow = self
            .db
            .fetch_one(
                &Query::select()
                    .columns(WORKSPACE_COLUMNS)
                    .from(Workspaces::Table)
                    .and_where(Expr::col(Workspaces::Id).eq(scope.workspace.0))
                    .to_owned(),
            )
            .await?;
        Ok(row.into())
    }

    pub async fn update_workspace(
        &self,
        scope: &WorkspaceScope,
        profile: &WorkspaceProfile,
    ) -> Result<Workspace, StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let mut values: Vec<(Workspaces, sea_query::Value)> = profile_values(profile).into();
        values.push((Workspaces::UpdatedAt, unix_now().into()));
        self.db
            .execute(
                &Query::update()
                    .table(Workspaces::Table)
                    .values(values.into_iter().map(|(c, v)| (c, Expr::val(v))))
                    .and_where(Expr::col(Workspaces::Id).eq(scope.workspace.0))
                    .to_owned(),
            )
            .await?;
        self.workspace(scope).await
    }

    /// Sets or clears the logo; bytes must already be checked with `logo_media_type`.
    pub async fn set_logo(
        &self,
        scope: &WorkspaceScope,
        logo: Option<(Vec<u8>, &str)>,
    ) -> Result<(), StoreError> {
        scope.require(Role::can_edit_workspace)?;
        let (bytes, media_type) = match logo {
            Some((bytes, media_type)) => (Some(bytes), Some(media_type.to_owned())),
            None => (None, None),
        };
        self.db
            .execute(
                &Query::update()
                    .table(Workspaces::Table)
                    .values([
                        (Workspaces::Logo, bytes.into()),
                        (Workspaces::LogoType, media_type.into()),
                        (Workspaces::UpdatedAt, unix_now().into()),
                    ])
                    .and_where(Expr::col(Workspaces::Id).eq(scope.workspace.0))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    pub async fn logo(
        &self,
        scope: &WorkspaceScope,
    ) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        let row: (Option<Vec<u8>>, Option<String>) = self
            .db
            .fetch_one(
                &Query::select()
                    .columns([Workspaces::Logo, Workspaces::LogoType])
                    .from(Workspaces::Table)
                    .and_where(Expr::col(Workspaces::Id).eq(scope.workspace.0))
                    .to_owned(),
            )
            .await?;
        Ok(match row {
            (Some(bytes), Some(media_type)) => Some((bytes, media_type)),
            _ => None,
        })
    }

    /// Deletes the workspace and everything in it (owners only).
    pub async fn delete_workspace(&self, scope: &WorkspaceScope) -> Result<(), StoreError> {
        scope.require(Role::can_delete_workspace)?;
        self.db
            .execute(
                &Query::delete()
                    .from_table(Workspaces::Table)
                    .and_where(Expr::col(Workspaces::Id).eq(scope.workspace.0))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    /// The workspace behind a published charter page (`/g/{slug}`), for its name, logo and
    /// language; `None` when the slug is unknown or the charter is not published.
    pub async fn public_workspace(&self, slug: &str) -> Result<Option<Workspace>, StoreError> {
        if slug.len() > 80 {
            return Ok(None);
        }
        let row: Option<WorkspaceRow> = self
            .db
            .fetch_optional(
                &Query::select()
                    .columns(WORKSPACE_COLUMNS)
                    .from(Workspaces::Table)
                    .and_where(Expr::col(Workspaces::PublicSlug).eq(slug))
                    .and_where(Expr::col(Workspaces::GuidelinesPublic).eq(true))
                    .to_owned(),
            )
            .await?;
        Ok(row.map(Workspace::from))
    }

    /// The logo shown on a published charter page: public like the page itself.
    pub async fn public_logo(&self, slug: &str) -> Result<Option<(Vec<u8>, String)>, StoreError> {
        if slug.len() > 80 {
            return Ok(None);
        }
        let row: Option<(Option<Vec<u8>>, Option<String>)> = self
            .db
            .fetch_optional(
                &Query::select()
                    .columns([Workspaces::Logo, Workspaces::LogoType])
                    .from(Workspaces::Table)
                    .and_where(Expr::col(Workspaces::PublicSlug).eq(slug))
                    .and_where(Expr::col(Workspaces::GuidelinesPublic).eq(true))
                    .to_owned(),
            )
            .await?;
        Ok(match row {
            Some((Some(bytes), Some(media_type))) => Some((bytes, media_type)),
            _ => None,
        })
    }

    /// The public community-guidelines page, if the workspace published it.
    pub async fn public_guidelines(
        &self,
        slug: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        if slug.len() > 80 {
            return Ok(None);
        }
        self.db
            .fetch_optional(
                &Query::select()
                    .columns([Workspaces::Name, Workspaces::Guidelines])
                    .from(Workspaces::Table)
                    .and_where(Expr::col(Workspaces::PublicSlug).eq(slug))
                    .and_where(Expr::col(Workspaces::GuidelinesPublic).eq(true))
                    .to_owned(),
            )
            .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_are_readable_and_suffixed() {
        let slug = super::public_slug("Boulangerie Dupont & Fils");
        assert!(slug.starts_with("boulangerie-dupont-fils-"), "{slug}");
        assert_eq!(slug.len(), "boulangerie-dupont-fils-".len() + 8);
        assert_eq!(super::public_slug("!!!").len(), 8);
    }
}
