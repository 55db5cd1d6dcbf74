//! Reproducible synthetic corpus shared by the benchmarks: saved queries of realistic
//! shape (brands, products, complaints, hashtags, phrases, wildcards, exclusions) and
//! short FR/EN posts of about 200 bytes. A fixed-seed xorshift keeps runs comparable.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FR_WORDS: &[&str] = &[
    "livraison",
    "colis",
    "remboursement",
    "commande",
    "service",
    "client",
    "fibre",
    "panne",
    "réseau",
    "forfait",
    "facture",
    "boutique",
    "vendeur",
    "prix",
    "qualité",
    "retard",
    "attente",
    "application",
    "compte",
    "abonnement",
    "offre",
    "promo",
    "magasin",
    "baguette",
    "croissant",
    "baskets",
    "taille",
    "échange",
    "retour",
    "conseiller",
    "téléphone",
    "internet",
    "box",
];
const EN_WORDS: &[&str] = &[
    "delivery",
    "parcel",
    "refund",
    "order",
    "service",
    "customer",
    "fiber",
    "outage",
    "network",
    "plan",
    "bill",
    "store",
    "seller",
    "price",
    "quality",
    "delay",
    "waiting",
    "app",
    "account",
    "subscription",
    "offer",
    "deal",
    "shop",
    "bread",
    "sneakers",
    "size",
    "exchange",
    "return",
    "agent",
    "phone",
    "internet",
    "router",
];
const FILLERS: &[&str] = &[
    "je",
    "suis",
    "vraiment",
    "très",
    "pas",
    "content",
    "de",
    "la",
    "le",
    "et",
    "mais",
    "encore",
    "depuis",
    "hier",
    "the",
    "is",
    "really",
    "not",
    "happy",
    "with",
    "my",
    "and",
    "but",
    "again",
    "since",
    "yesterday",
    "c'est",
    "l'arnaque",
    "super",
    "nul",
    "great",
    "awful",
    "😡",
    "👍",
    "🔥",
];

pub fn brand(i: usize) -> String {
    const SYL: &[&str] = &[
        "or", "ve", "lo", "xa", "tri", "bu", "na", "ki", "mo", "ra", "zen", "pi",
    ];
    let a = SYL[i % SYL.len()];
    let b = SYL[(i / SYL.len()) % SYL.len()];
    let c = SYL[(i / (SYL.len() * SYL.len())) % SYL.len()];
    format!("{a}{b}{c}{}", i % 97)
}

pub fn queries(n: usize, seed: u64) -> Vec<String> {
    let mut r = Rng::new(seed);
    (0..n)
        .map(|i| {
            let b = brand(i);
            let fr = r.pick(FR_WORDS);
            let en = r.pick(EN_WORDS);
            let w = r.pick(FR_WORDS);
            match r.below(8) {
                0 => format!("{b} AND ({fr} OR {en})"),
                1 => format!("(\"{b} {w}\" OR #{b}) -{en}"),
                2 => format!("{b} {}* lang:fr", fr.chars().take(5).collect::<String>()),
                3 => format!("{b} NEAR/5 {en}"),
                4 => format!("\"{fr} {w}\"~3 AND {b}"),
                5 => format!("(@{b} OR {b}) AND NOT (promo OR offre)"),
                6 => format!("{b} AND ({fr} OR {w} OR {en}) AND NOT spam"),
                _ => format!("#{b} OR url:{b}.com OR from:{b}"),
            }
        })
        .collect()
}

pub fn posts(n: usize, brands: usize, seed: u64) -> Vec<String> {
    let mut r = Rng::new(seed);
    (0..n)
        .map(|_| {
            let mut s = String::with_capacity(220);
            let fr = r.below(2) == 0;
            while s.len() < 190 {
                let w = match r.below(10) {
                    0 => brand(r.below(brands * 2)),
                    1..=3 => (if fr {
                        r.pick(FR_WORDS)
                    } else {
                        r.pick(EN_WORDS)
                    })
                    .to_owned(),
                    _ => r.pick(FILLERS).to_owned(),
                };
                s.push_str(&w);
                s.push(' ');
            }
            s
        })
        .collect()
}
