//! The `tribune` binary: one program for the web server, the admin commands and the text tools.

mod commands;
mod config;
mod errors;
mod lock;
mod table;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// tribune: self-hosted social media management for community managers.
#[derive(Parser)]
#[command(name = "tribune", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(flatten)]
    global: config::GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (UI, API, background maintenance).
    Serve(commands::serve::ServeArgs),
    /// Run background jobs (publishing, channel upkeep) without the web server.
    Worker(commands::worker::WorkerArgs),
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(commands::token::TokenCommand),
    /// List workspaces.
    #[command(subcommand)]
    Workspace(commands::workspace::WorkspaceCommand),
    /// Copy a consistent snapshot of the SQLite database to FILE (safe while serving).
    Backup(commands::backup::BackupArgs),
    /// Replace the SQLite database with a checked backup FILE (stop tribune first).
    Restore(commands::backup::RestoreArgs),
    /// Show the configuration.
    #[command(subcommand)]
    Config(commands::config::ConfigCommand),
    /// Check the e-mail settings.
    #[command(subcommand)]
    Mail(commands::mail::MailCommand),
    /// Text tools: query language, matcher, classifiers.
    Text(tribune_text::cli::TextArgs),
    /// Micro-entrepreneur figures: contribution estimates, ceilings, calendar, rate table.
    Business(commands::business::BusinessArgs),
    /// Benchmark pieces for scripts/bench-jobs.sh (feature `sink`).
    #[cfg(feature = "sink")]
    #[command(subcommand, hide = true)]
    Bench(commands::bench::BenchCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Text(args) = cli.command {
        // Text tools are synchronous and need no configuration or database.
        return report(tribune_text::cli::run(args));
    }
    let cli = match cli.command {
        // The business figures come from the rate table alone: no configuration or database.
        Command::Business(args) if !args.uses_database() => {
            return report(commands::business::run(args));
        }
        command => Cli {
            global: cli.global,
            command,
        },
    };
    let settings = match config::Settings::resolve(&cli.global) {
        Ok(settings) => settings,
        Err(error) => return report(Err(error)),
    };
    config::init_logging(&settings);
    let threads = match &cli.command {
        Command::Worker(args) => args.threads(),
        _ => None,
    };
    let runtime = match threads {
        // One thread: the current-thread runtime, without a scheduler handing tasks across.
        Some(1) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        Some(threads) => tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build(),
        None => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
    };
    let runtime = match runtime {
        Ok(runtime) => runtime,
        Err(error) => return report(Err(error.into())),
    };
    report(runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => commands::serve::run(settings, args).await,
            Command::Worker(args) => commands::worker::run(settings, args).await,
            Command::Migrate => commands::migrate(settings).await,
            Command::User(command) => commands::user::run(settings, command).await,
            Command::Token(command) => commands::token::run(settings, command).await,
            Command::Workspace(command) => commands::workspace::run(settings, command).await,
            Command::Backup(args) => commands::backup::backup(settings, args).await,
            Command::Restore(args) => commands::backup::restore(settings, args).await,
            Command::Config(command) => commands::config::run(settings, command),
            Command::Mail(command) => commands::mail::run(settings, command).await,
            Command::Business(args) => commands::business::run_with_database(settings, args).await,
            Command::Text(_) => Ok(()),
            #[cfg(feature = "sink")]
            Command::Bench(command) => commands::bench::run(settings, command).await,
        }
    }))
}

fn report(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tribune: {}", errors::describe(&error));
            ExitCode::FAILURE
        }
    }
}
