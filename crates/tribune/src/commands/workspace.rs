//! `tribune workspace list`: every workspace of the instance, with its member count.

use super::open_store;
use crate::config::Settings;
use crate::table;
use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum WorkspaceCommand {
    /// List every workspace.
    List(ListArgs),
}

#[derive(Args)]
pub struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn run(settings: Settings, command: WorkspaceCommand) -> anyhow::Result<()> {
    let (store, _lock) = open_store(&settings).await?;
    let WorkspaceCommand::List(args) = command;
    let workspaces = store.list_workspaces().await;
    store.close().await;
    let workspaces = workspaces?;
    if args.json {
        let workspaces: Vec<serde_json::Value> = workspaces
            .iter()
            .map(|w| {
                serde_json::json!({
                    "id": w.id,
                    "name": w.name,
                    "members": w.members,
                    "created_at": table::rfc3339(w.created_at),
                })
            })
            .collect();
        return table::print_json(&workspaces);
    }
    let rows: Vec<Vec<String>> = workspaces
        .iter()
        .map(|w| {
            vec![
                w.id.to_string(),
                w.name.clone(),
                w.members.to_string(),
                table::date(w.created_at),
            ]
        })
        .collect();
    table::print(&["ID", "NAME", "MEMBERS", "CREATED"], &rows);
    Ok(())
}
