//! What the API answers: types of its own, made from the store's rows, so that a column added to
//! a store struct never reaches the API unnoticed and every id carries its kind.

use serde::Serialize;
use tribune_channels::{ChannelService, StateMessage};
use tribune_connectors::Capabilities;
use tribune_domain::{ChannelId, InvitationId, Lang, UserId, WorkspaceId};
use tribune_store::channels::{Channel, ChannelLimits, ChannelState};
use tribune_store::invitations::Invitation;
use tribune_store::members::Member;
use tribune_store::users::User;
use tribune_store::workspaces::{Workspace, WorkspaceSummary};

/// `GET /me`.
#[derive(Serialize)]
pub struct MeJson {
    id: UserId,
    email: String,
    name: String,
    locale: Option<String>,
    totp_enabled: bool,
}

impl From<User> for MeJson {
    fn from(user: User) -> Self {
        MeJson {
            id: user.user_id(),
            email: user.email,
            name: user.name,
            locale: user.locale,
            totp_enabled: user.totp_enabled,
        }
    }
}

/// One line of `GET /workspaces`.
#[derive(Serialize)]
pub struct WorkspaceSummaryJson {
    pub id: WorkspaceId,
    pub name: String,
    role: String,
}

impl From<WorkspaceSummary> for WorkspaceSummaryJson {
    fn from(summary: WorkspaceSummary) -> Self {
        WorkspaceSummaryJson {
            id: summary.id,
            name: summary.name,
            role: summary.role,
        }
    }
}

/// A workspace's profile.
#[derive(Serialize)]
pub struct WorkspaceJson {
    pub id: WorkspaceId,
    name: String,
    timezone: String,
    languages: Vec<Lang>,
    brand_voice: String,
    words_to_avoid: Vec<String>,
    guidelines: String,
    guidelines_public: bool,
    public_slug: String,
    has_logo: bool,
    created_at: i64,
    updated_at: i64,
}

impl From<Workspace> for WorkspaceJson {
    fn from(workspace: Workspace) -> Self {
        WorkspaceJson {
            id: workspace.id,
            name: workspace.name,
            timezone: workspace.timezone,
            languages: workspace.languages,
            brand_voice: workspace.brand_voice,
            words_to_avoid: workspace.words_to_avoid,
            guidelines: workspace.guidelines,
            guidelines_public: workspace.guidelines_public,
            public_slug: workspace.public_slug,
            has_logo: workspace.has_logo,
            created_at: workspace.created_at,
            updated_at: workspace.updated_at,
        }
    }
}

/// A member of a workspace.
#[derive(Serialize)]
pub struct MemberJson {
    pub user_id: UserId,
    pub name: String,
    email: String,
    role: String,
    joined_at: i64,
}

impl From<Member> for MemberJson {
    fn from(member: Member) -> Self {
        MemberJson {
            user_id: member.user_id,
            name: member.name,
            email: member.email,
            role: member.role,
            joined_at: member.joined_at,
        }
    }
}

/// A pending invitation (never its secret).
#[derive(Serialize)]
pub struct InvitationJson {
    pub id: InvitationId,
    email: String,
    role: String,
    pub created_at: i64,
    expires_at: i64,
}

impl From<Invitation> for InvitationJson {
    fn from(invitation: Invitation) -> Self {
        InvitationJson {
            id: invitation.id,
            email: invitation.email,
            role: invitation.role,
            created_at: invitation.created_at,
            expires_at: invitation.expires_at,
        }
    }
}

/// `POST /invitations`: the invitation and its link, which holds the secret and is shown only
/// here.
#[derive(Serialize)]
pub struct InvitationCreatedJson {
    pub invitation: InvitationJson,
    pub url: String,
}

/// A channel with its state and capabilities (never its credentials).
#[derive(Serialize)]
pub struct ChannelJson {
    pub id: ChannelId,
    network: String,
    remote_id: String,
    handle: String,
    display_name: String,
    avatar_url: Option<String>,
    profile_url: Option<String>,
    has_avatar: bool,
    state: ChannelState,
    state_message: String,
    state_changed_at: i64,
    token_expires_at: Option<i64>,
    rate_limited_until: Option<i64>,
    last_checked_at: Option<i64>,
    last_check_result: Option<String>,
    created_at: i64,
    updated_at: i64,
    capabilities: Capabilities,
    /// What the channel's server announced about posts (a Mastodon instance's own character
    /// limit, link weight, media count); `null` figures: the network's default applies.
    limits: ChannelLimits,
    /// When tribune itself broke the channel (not the network), why, as a code
    /// (`credentials_sealed`); `state_message` then stays empty: it holds only the network's
    /// words.
    #[serde(skip_serializing_if = "Option::is_none")]
    state_reason: Option<&'static str>,
}

impl From<Channel> for ChannelJson {
    fn from(mut channel: Channel) -> Self {
        let state_reason = match StateMessage::parse(&channel.state_message) {
            StateMessage::Tribune(reason) => Some(reason.code()),
            StateMessage::Empty | StateMessage::Network(_) => None,
        };
        if state_reason.is_some() {
            channel.state_message.clear();
        }
        ChannelJson {
            state_reason,
            capabilities: ChannelService::capabilities(&channel),
            limits: channel.limits,
            id: channel.id,
            network: channel.network,
            remote_id: channel.remote_id,
            handle: channel.handle,
            display_name: channel.display_name,
            avatar_url: channel.avatar_url,
            profile_url: channel.profile_url,
            has_avatar: channel.has_avatar,
            state: channel.state,
            state_message: channel.state_message,
            state_changed_at: channel.state_changed_at,
            token_expires_at: channel.token_expires_at,
            rate_limited_until: channel.rate_limited_until,
            last_checked_at: channel.last_checked_at,
            last_check_result: channel.last_check_result,
            created_at: channel.created_at,
            updated_at: channel.updated_at,
        }
    }
}
