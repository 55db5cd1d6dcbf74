//! Password checks off the async workers: Argon2 costs tens of milliseconds of CPU, which on
//! the request threads would stall every other request on the node.

use tribune_domain::security::password::verify_password;

/// Whether `password` matches the stored hash; run on the blocking pool.
pub(crate) async fn verify(password: &str, phc: &str) -> bool {
    let (password, phc) = (password.to_owned(), phc.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false)
}
