//! The four activity categories of the micro-entrepreneur regime that tribune knows.

use std::fmt;
use std::str::FromStr;

/// The category decides every rate and threshold. Its text form is the one the command line,
/// the rate table and the database use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    /// Professions libérales non réglementées, Sécurité sociale des indépendants (BNC). The
    /// default: most community managers are here.
    BncSsi,
    /// Professions libérales réglementées relevant of the CIPAV (BNC).
    BncCipav,
    /// Prestations de services commerciales ou artisanales (BIC).
    BicServices,
    /// Achat-revente de marchandises, hébergement (BIC).
    BicSales,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::BncSsi,
        Category::BncCipav,
        Category::BicServices,
        Category::BicSales,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Category::BncSsi => "bnc-ssi",
            Category::BncCipav => "bnc-cipav",
            Category::BicServices => "bic-services",
            Category::BicSales => "bic-sales",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category {0:?}: expected bnc-ssi, bnc-cipav, bic-services or bic-sales")]
pub struct UnknownCategory(pub String);

impl FromStr for Category {
    type Err = UnknownCategory;

    fn from_str(text: &str) -> Result<Category, UnknownCategory> {
        Category::ALL
            .into_iter()
            .find(|category| category.as_str() == text)
            .ok_or_else(|| UnknownCategory(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_and_unknown_names_are_refused() {
        for category in Category::ALL {
            assert_eq!(category.as_str().parse::<Category>(), Ok(category));
        }
        assert!("BNC-SSI".parse::<Category>().is_err());
        assert!("bnc".parse::<Category>().is_err());
    }
}
