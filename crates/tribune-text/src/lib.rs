//! Text intelligence shared by listening, moderation and the inbox.
