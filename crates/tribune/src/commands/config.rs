//! `tribune config show|example`.

use crate::config::{EXAMPLE, Settings};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print the resolved configuration and where each value came from (secrets redacted).
    Show,
    /// Print a commented example configuration file.
    Example,
}

pub fn run(settings: Settings, command: ConfigCommand) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Show => print!("{}", settings.show()),
        ConfigCommand::Example => print!("{EXAMPLE}"),
    }
    Ok(())
}
