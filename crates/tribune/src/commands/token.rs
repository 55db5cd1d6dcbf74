//! `tribune token create|list|revoke`: personal API tokens for scripts.

use super::open_store;
use crate::config::Settings;
use crate::table;
use anyhow::bail;
use clap::{Args, Subcommand};
use tribune_domain::ApiTokenId;
use tribune_store::{StoreError, unix_now};

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create a token for an account and print it (only this once).
    Create(CreateArgs),
    /// List tokens (never the tokens themselves: only a digest is stored).
    List(ListArgs),
    /// Revoke a token by its id (see `tribune token list`).
    Revoke(RevokeArgs),
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

#[derive(Args)]
pub struct ListArgs {
    /// Only this account's tokens.
    #[arg(long)]
    email: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct RevokeArgs {
    /// The token's id.
    id: i64,
}

pub async fn run(settings: Settings, command: TokenCommand) -> anyhow::Result<()> {
    let (store, _lock) = open_store(&settings).await?;
    let result = match command {
        TokenCommand::Create(args) => create(&store, args).await,
        TokenCommand::List(args) => list(&store, args).await,
        TokenCommand::Revoke(args) => match store.revoke_any_api_token(ApiTokenId(args.id)).await {
            Ok(()) => {
                println!("token {} revoked", args.id);
                Ok(())
            }
            Err(StoreError::NotFound) => Err(anyhow::anyhow!("no token has the id {}", args.id)),
            Err(error) => Err(error.into()),
        },
    };
    store.close().await;
    result
}

async fn create(store: &tribune_store::Store, args: CreateArgs) -> anyhow::Result<()> {
    let Some(user) = store.user_by_email(&args.email).await? else {
        bail!("no account with the address {}", args.email);
    };
    let (token, _) = store
        .create_api_token(user.user_id(), &args.name, unix_now())
        .await?;
    println!("{token}");
    Ok(())
}

async fn list(store: &tribune_store::Store, args: ListArgs) -> anyhow::Result<()> {
    if let Some(email) = &args.email
        && store.user_by_email(email).await?.is_none()
    {
        bail!("no account with the address {email}");
    }
    let tokens = store.list_api_tokens(args.email.as_deref()).await?;
    if args.json {
        let tokens: Vec<serde_json::Value> = tokens
            .iter()
            .map(|t| {
                serde_json::json!({
                    "id": t.id,
                    "user_id": t.user_id,
                    "email": t.email,
                    "name": t.name,
                    "created_at": table::rfc3339(t.created_at),
                    "last_used_at": t.last_used_at.map(table::rfc3339),
                })
            })
            .collect();
        return table::print_json(&tokens);
    }
    let rows: Vec<Vec<String>> = tokens
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                t.email.clone(),
                t.name.clone(),
                table::date(t.created_at),
                t.last_used_at
                    .map_or_else(|| "never".to_owned(), table::date),
            ]
        })
        .collect();
    table::print(&["ID", "ACCOUNT", "NAME", "CREATED", "LAST USED"], &rows);
    Ok(())
}
