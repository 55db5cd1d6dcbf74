//! Runs `tribune text …` before the main binary exists:
//! `cargo run -p tribune-text --features cli --example text -- eval --task spam FILE --json`.

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "tribune text",
    about = "Query language, matcher and classifiers"
)]
struct Cli {
    #[command(flatten)]
    args: tribune_text::cli::TextArgs,
}

fn main() -> anyhow::Result<()> {
    tribune_text::cli::run(Cli::parse().args)
}
