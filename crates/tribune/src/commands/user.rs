//! `tribune user create|list|reset-password|disable-2fa`: scripting accounts without the web UI.

use super::{open_store, read_password_stdin};
use crate::config::Settings;
use crate::table;
use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use tribune_domain::user::{UserNew, validate_password};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account (the password is read from stdin).
    Create(CreateArgs),
    /// List every account.
    List(ListArgs),
    /// Set a new password for an account (read from stdin) and log out its sessions.
    ResetPassword(ResetArgs),
    /// Turn off two-factor authentication for an account that lost its authenticator app.
    #[command(name = "disable-2fa")]
    Disable2fa(EmailArgs),
}

#[derive(Args)]
pub struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct EmailArgs {
    /// The account's e-mail address.
    #[arg(long)]
    email: String,
}

#[derive(Args)]
pub struct CreateArgs {
    /// The account's e-mail address.
    #[arg(long)]
    email: String,
    /// Display name (defaults to the part of the address before `@`).
    #[arg(long)]
    name: Option<String>,
    /// Read the password from standard input (required: passwords never go in arguments).
    #[arg(long, required = true)]
    password_stdin: bool,
    /// Make this account the instance's owner (does first-run setup when not done yet).
    #[arg(long)]
    owner: bool,
}

#[derive(Args)]
pub struct ResetArgs {
    /// The account's e-mail address.
    #[arg(long)]
    email: String,
    #[arg(long, required = true)]
    password_stdin: bool,
}

pub async fn run(settings: Settings, command: UserCommand) -> anyhow::Result<()> {
    let (store, _lock) = open_store(&settings).await?;
    match command {
        UserCommand::Create(args) => {
            let password = read_password_stdin()?;
            let name = args
                .name
                .unwrap_or_else(|| args.email.split('@').next().unwrap_or_default().to_owned());
            let new = UserNew::validate(&args.email, &name, &password)?;
            let user = if args.owner && !store.is_set_up().await? {
                store.create_first_owner(&new).await?
            } else {
                store.create_user(&new, args.owner).await?
            };
            println!("created user {} <{}>", user.id, user.email);
        }
        UserCommand::List(args) => list(&store, &args).await?,
        UserCommand::ResetPassword(args) => {
            let password = read_password_stdin()?;
            validate_password(&password)?;
            let Some(user) = store.user_by_email(&args.email).await? else {
                bail!("no account with the address {}", args.email);
            };
            store
                .set_password(user.user_id(), &password)
                .await
                .context("cannot set the password")?;
            let ended = store.delete_other_sessions(user.user_id(), None).await?;
            // Whoever knew the old password may have made tokens with it.
            let revoked = store.revoke_all_api_tokens(user.user_id()).await?;
            println!(
                "password changed for {}; {ended} session(s) logged out, {revoked} API token(s) revoked",
                user.email
            );
        }
        UserCommand::Disable2fa(args) => {
            let Some(user) = store.user_by_email(&args.email).await? else {
                bail!("no account with the address {}", args.email);
            };
            store.disable_totp(user.user_id()).await?;
            println!("two-factor authentication turned off for {}", user.email);
        }
    }
    store.close().await;
    Ok(())
}

async fn list(store: &tribune_store::Store, args: &ListArgs) -> anyhow::Result<()> {
    let users = store.list_users().await?;
    if args.json {
        let users: Vec<serde_json::Value> = users
            .iter()
            .map(|u| {
                serde_json::json!({
                    "id": u.id,
                    "email": u.email,
                    "name": u.name,
                    "admin": u.is_admin,
                    "two_factor": u.totp_enabled,
                    "created_at": table::rfc3339(u.created_at),
                })
            })
            .collect();
        return table::print_json(&users);
    }
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|u| {
            vec![
                u.id.to_string(),
                u.email.clone(),
                u.name.clone(),
                if u.is_admin { "yes" } else { "no" }.to_owned(),
                if u.totp_enabled { "on" } else { "off" }.to_owned(),
                table::date(u.created_at),
            ]
        })
        .collect();
    table::print(&["ID", "E-MAIL", "NAME", "ADMIN", "2FA", "CREATED"], &rows);
    Ok(())
}
