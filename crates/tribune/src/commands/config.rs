//! `tribune config show|example`.

use crate::config::{EXAMPLE, Settings};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print the resolved configuration (secrets redacted).
    Show,
    /// Print a commented example configuration file.
    Example,
}

pub fn run(settings: Settings, command: ConfigCommand) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Show => println!("{settings:#?}"),
        ConfigCommand::Example => print!("{EXAMPLE}"),
    }
    Ok(())
}
