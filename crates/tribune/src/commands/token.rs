//! `tribune token create`: a personal API token for scripts.

use super::open_store;
use crate::config::Settings;
use anyhow::bail;
use clap::{Args, Subcommand};
use tribune_store::unix_now;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a token for an account and print it (only this once).
    Create(CreateArgs),
}

#[derive(Args)]
pub struct CreateArgs {
    /// The account's e-mail address.
    #[arg(long)]
    email: String,
    /// A name to recognise the token by in the account page.
    #[arg(long, default_value = "cli")]
    name: String,
}

pub async fn run(settings: Settings, command: TokenCommand) -> anyhow::Result<()> {
    let store = open_store(&settings).await?;
    match command {
        TokenCommand::Create(args) => {
            let Some(user) = store.user_by_email(&args.email).await? else {
                bail!("no account with the address {}", args.email);
            };
            let (token, _) = store
                .create_api_token(user.user_id(), &args.name, unix_now())
                .await?;
            println!("{token}");
        }
    }
    store.close().await;
    Ok(())
}
