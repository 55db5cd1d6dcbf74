//! `tribune bench inbox-seed` (hidden, feature `sink`): fills a workspace's inbox with ITEMS
//! generated comments and mentions, through the same code as the fetch job (classification by
//! `tribune_inbox::prepare`, then `Store::ingest_inbox` in batches with a cursor, then the
//! workspace's moderation rules on what was stored: five rules a bakery's community manager
//! would write, labelling, assigning and filing away), and prints the ingestion rate beside its
//! three parts measured in the same run: classification, storage and rules alone.
//! `scripts/bench-inbox.sh` then measures the list and the search under load.

use super::open_store;
use crate::config::Settings;
use anyhow::Context;
use clap::Args;
use std::time::Instant;
use tribune_connectors::{Author, CommentStatus, InboxItem, InboxKind, RemoteRef};
use tribune_domain::inbox::{ItemStatus, RuleAction, RuleConditions, Tone};
use tribune_domain::user::UserNew;
use tribune_domain::workspace::WorkspaceInput;
use tribune_store::channels::ChannelNew;
use tribune_store::rules::RuleInput;
use tribune_store::unix_now;

#[derive(Args)]
pub struct InboxSeedArgs {
    /// Items to generate.
    #[arg(long, default_value_t = 1_000_000)]
    items: u64,
    /// Items stored per transaction (a fetch brings at most a page of this order).
    #[arg(long, default_value_t = 500)]
    batch: usize,
}

const EMAIL: &str = "inbox-bench@example.invalid";

/// A small deterministic generator (xorshift64*): the same items on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

const FR_OPENINGS: &[&str] = &[
    "Bonjour,",
    "Coucou",
    "Franchement",
    "Sérieusement",
    "Merci",
    "Bravo",
    "Alors",
    "Euh",
    "Salut l'équipe",
    "Honnêtement",
];
const FR_SUBJECTS: &[&str] = &[
    "ma livraison",
    "le colis",
    "la galette",
    "votre service client",
    "la nouvelle collection",
    "le remboursement",
    "ma commande",
    "le magasin de Lyon",
    "l'application",
    "le prix",
];
const FR_PREDICATES: &[&str] = &[
    "est en retard depuis une semaine",
    "est arrivé cassé",
    "est vraiment parfaite",
    "ne répond jamais",
    "est magnifique",
    "n'est toujours pas arrivé",
    "est trop cher",
    "m'a beaucoup plu",
    "plante tout le temps",
    "est une arnaque",
];
const FR_ENDINGS: &[&str] = &[
    "!",
    " ?",
    "...",
    " 😡",
    " 😍",
    " merci !",
    " vous abusez",
    " à bientôt",
    " #déçu",
    " @boulangerie",
];
const EN_OPENINGS: &[&str] = &["Hi,", "Honestly", "Wow", "Hey team", "Seriously", "Thanks,"];
const EN_SUBJECTS: &[&str] = &[
    "my order",
    "the parcel",
    "your support",
    "the new collection",
    "the refund",
    "the app",
];
const EN_PREDICATES: &[&str] = &[
    "is late again",
    "arrived broken",
    "is just perfect",
    "never answers",
    "looks amazing",
    "still has not arrived",
    "is a scam",
];
const SPAM: &[&str] = &[
    "Gagnez un iPhone gratuit ici https://gagne-vite.example/promo",
    "Earn 500$ a day from home, DM me now https://crypto-boost.example",
    "Follow back? Check my profile for free followers",
];

fn generated(rng: &mut Rng, i: u64, now: i64) -> InboxItem {
    let roll = rng.next() % 100;
    let text = if roll < 5 {
        rng.pick(SPAM).to_owned()
    } else if roll < 30 {
        format!(
            "{} {} {}{}",
            rng.pick(EN_OPENINGS),
            rng.pick(EN_SUBJECTS),
            rng.pick(EN_PREDICATES),
            rng.pick(&["!", "?", ".", " 😡", " ❤️"])
        )
    } else {
        format!(
            "{} {} {}{}",
            rng.pick(FR_OPENINGS),
            rng.pick(FR_SUBJECTS),
            rng.pick(FR_PREDICATES),
            rng.pick(FR_ENDINGS)
        )
    };
    let author = rng.next() % 20_000;
    InboxItem {
        remote_ref: RemoteRef(format!("bench:{i}")),
        kind: if rng.next().is_multiple_of(4) {
            InboxKind::Mention
        } else {
            InboxKind::Comment
        },
        in_reply_to: Some(RemoteRef(format!("post:{}", i / 40))),
        root: Some(RemoteRef(format!("post:{}", i / 40))),
        author: Author {
            remote_id: Some(format!("user:{author}")),
            handle: format!("fan{author}"),
            display_name: format!("Fan {author}"),
            avatar_url: None,
            profile_url: None,
        },
        text,
        html: None,
        url: Some(format!("https://social.example/bench/{i}")),
        links: Vec::new(),
        images: Vec::new(),
        created_at: now - 3600 * 24 * 365 + i as i64 % (3600 * 24 * 365),
        status: CommentStatus::Visible,
        raw: String::new(),
    }
}

/// Five rules of the kind a bakery's community manager writes: they run on every new message.
fn bench_rules(cm: tribune_domain::UserId) -> Vec<RuleInput> {
    let rule =
        |name: &str, query: &str, conditions: RuleConditions, actions: Vec<RuleAction>| RuleInput {
            name: name.into(),
            enabled: true,
            query: query.into(),
            conditions,
            actions,
        };
    vec![
        rule(
            "Livraisons en retard",
            r#"(livraison OR colis OR commande OR order OR parcel) AND (retard OR "pas arrivé" OR late OR "not arrived")"#,
            RuleConditions::default(),
            vec![
                RuleAction::Label {
                    label: "livraison".into(),
                },
                RuleAction::Assign { user: cm },
            ],
        ),
        rule(
            "Spam",
            "",
            RuleConditions {
                spam: true,
                ..RuleConditions::default()
            },
            vec![RuleAction::Status {
                status: ItemStatus::Done,
            }],
        ),
        rule(
            "Arnaque",
            "arnaque OR scam OR escroc*",
            RuleConditions::default(),
            vec![RuleAction::Label {
                label: "à surveiller".into(),
            }],
        ),
        rule(
            "Compliments",
            "",
            RuleConditions {
                sentiment: vec![Tone::Positive],
                ..RuleConditions::default()
            },
            vec![RuleAction::Label {
                label: "fan".into(),
            }],
        ),
        rule(
            "Trolls",
            "",
            RuleConditions {
                author_tags: vec!["troll".into()],
                ..RuleConditions::default()
            },
            vec![RuleAction::Status {
                status: ItemStatus::Done,
            }],
        ),
    ]
}

pub async fn seed(settings: Settings, args: InboxSeedArgs) -> anyhow::Result<()> {
    let (store, _lock) = open_store(&settings).await?;
    let user = store
        .create_user(
            &UserNew::validate(EMAIL, "Inbox bench", "bench password, not a secret")
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            false,
        )
        .await?;
    let profile = WorkspaceInput {
        name: "Inbox bench".into(),
        ..Default::default()
    }
    .validate()
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let scope = store.create_workspace(user.user_id(), &profile).await?;
    // A channel without credentials and without the inbox capability: nothing fetches it, the
    // items come from here.
    let channel = store
        .connect_channel(
            &scope,
            ChannelNew {
                network: "mastodon".into(),
                remote_id: "bench:inbox".into(),
                handle: "boulangerie@social.example".into(),
                display_name: "Bench".into(),
                avatar_url: None,
                profile_url: None,
                avatar: None,
                capabilities: String::new(),
                sealed_credentials: String::new(),
                token_expires_at: None,
            },
            unix_now(),
        )
        .await?
        .id;
    for rule in bench_rules(user.user_id()) {
        store
            .create_inbox_rule(&scope, &rule, unix_now())
            .await
            .context("creating a rule")?;
    }
    // No network is called: the rules label, assign and file away.
    let channels = super::serve::channel_service(&settings, store.clone(), settings.secret_box()?)?;
    let now = unix_now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let batch = args.batch.max(1) as u64;
    let (mut classify_secs, mut store_secs, mut rules_secs) = (0f64, 0f64, 0f64);
    let mut matched = 0usize;
    let started = Instant::now();
    let mut done = 0u64;
    while done < args.items {
        let n = batch.min(args.items - done);
        let raw: Vec<InboxItem> = (done..done + n)
            .map(|i| generated(&mut rng, i, now))
            .collect();
        let t = Instant::now();
        let prepared: Vec<_> = raw.iter().map(tribune_inbox::prepare).collect();
        classify_secs += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let stored = store
            .ingest_inbox(
                &scope,
                channel,
                &prepared,
                Some(&format!("bench-{}", done + n)),
                unix_now(),
            )
            .await
            .context("storing a batch")?;
        // As the fetch job does after storing (an `ANALYZE` when the tables grew past
        // autovacuum's threshold on a PostgreSQL without autovacuum; nothing otherwise).
        store
            .refresh_stale_statistics()
            .await
            .context("refreshing statistics")?;
        store_secs += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let report = tribune_inbox::ingest::run_rules(&channels, &scope, &stored, None, unix_now())
            .await
            .context("running the rules")?;
        rules_secs += t.elapsed().as_secs_f64();
        matched += report.matched.len();
        done += n;
        if done.is_multiple_of(100_000) {
            eprintln!("{done} items…");
        }
    }
    let total = started.elapsed().as_secs_f64();
    let rate = |secs: f64| args.items as f64 / secs.max(1e-9);
    println!("items={}", args.items);
    println!(
        "ingest_per_sec={:.0}",
        rate(classify_secs + store_secs + rules_secs)
    );
    println!("classify_per_sec={:.0}", rate(classify_secs));
    println!("store_per_sec={:.0}", rate(store_secs));
    println!("rules_per_sec={:.0}", rate(rules_secs));
    println!("rules_matched={matched}");
    println!("wall_secs={total:.1}");
    if !settings.is_sqlite() {
        let pool = sqlx::PgPool::connect(&settings.database_url).await?;
        sqlx::query("ANALYZE").execute(&pool).await?;
        pool.close().await;
    }
    let (token, _) = store
        .create_api_token(user.user_id(), "inbox bench", unix_now())
        .await?;
    println!("workspace={}", scope.workspace());
    println!("token={token}");
    store.close().await;
    Ok(())
}
