//! `tribune mail test ADDRESS`: checks the SMTP settings by sending a test e-mail and waiting
//! for the server's answer.

use crate::config::Settings;
use anyhow::Context;
use clap::{Args, Subcommand};
use tribune_domain::Lang;

#[derive(Subcommand)]
pub enum MailCommand {
    /// Send a test e-mail to ADDRESS and report what the SMTP server answered.
    Test(TestArgs),
}

#[derive(Args)]
pub struct TestArgs {
    /// Where to send it.
    address: String,
    /// Language of the message: fr or en.
    #[arg(long, default_value = "fr")]
    lang: String,
}

pub async fn run(settings: Settings, command: MailCommand) -> anyhow::Result<()> {
    let MailCommand::Test(args) = command;
    let lang = Lang::from_tag(&args.lang).context("the language must be fr or en")?;
    let Some(mailer) = settings.mailer()? else {
        anyhow::bail!(
            "e-mail is off: set the [smtp] section of the configuration file or TRIBUNE_SMTP_HOST"
        );
    };
    let message = tribune_mail::TestEmail {
        instance_url: settings
            .public_url
            .clone()
            .unwrap_or_else(|| "tribune".to_owned()),
    };
    mailer
        .send(&args.address, lang, &message)
        .await
        .with_context(|| format!("the test e-mail to {} was not sent", args.address))?;
    println!("test e-mail sent to {}", args.address);
    Ok(())
}
