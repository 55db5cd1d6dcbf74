//! Roles a member holds in a workspace, and what each may do.

use serde::{Deserialize, Serialize};

/// A member's role in one workspace. An account can hold different roles in different workspaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including deleting the workspace and naming other owners.
    Owner,
    /// Everything in the workspace except deleting it and changing owners.
    Manager,
    /// Writes drafts that need approval.
    Contributor,
    /// The brand: approves drafts, reads reports and the inbox.
    Client,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Manager, Role::Contributor, Role::Client];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::Contributor => "contributor",
            Role::Client => "client",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Edit the brand profile, guidelines and logo.
    pub fn can_edit_workspace(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }

    /// Invite, remove members and change their roles (owners only for the owner role).
    pub fn can_manage_members(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }

    /// Connect, reconnect and disconnect the workspace's network accounts.
    pub fn can_manage_channels(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }

    /// Whether this role may grant or take away `target`.
    pub fn can_assign(self, target: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Manager => target != Role::Owner,
            Role::Contributor | Role::Client => false,
        }
    }

    pub fn can_delete_workspace(self) -> bool {
        self == Role::Owner
    }

    /// Write posts (drafts, and submit them for approval).
    pub fn can_write_posts(self) -> bool {
        matches!(self, Role::Owner | Role::Manager | Role::Contributor)
    }

    /// Triage the inbox (status, assignee, labels, notes), reply and moderate. Clients read it.
    pub fn can_answer(self) -> bool {
        matches!(self, Role::Owner | Role::Manager | Role::Contributor)
    }

    /// Schedule and publish posts without someone else's approval (when the workspace's policy
    /// asks for none), pause and resume publishing, retry a failed post.
    pub fn can_publish(self) -> bool {
        matches!(self, Role::Owner | Role::Manager)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managers_cannot_create_owners() {
        assert!(Role::Owner.can_assign(Role::Owner));
        assert!(!Role::Manager.can_assign(Role::Owner));
        assert!(Role::Manager.can_assign(Role::Client));
        assert!(!Role::Contributor.can_assign(Role::Client));
    }

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }
}
