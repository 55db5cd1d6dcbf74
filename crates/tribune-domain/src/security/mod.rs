//! Security primitives: nothing here touches the network or the disk.

pub mod password;
pub mod recovery_code;
pub mod secret_box;
pub mod signed;
pub mod token;
pub mod totp;
