//! The freelancer's back office, as rules without I/O: money in integer cents, rates in basis
//! points, the dated table of rates and thresholds (shipped as `data/rates.toml`, checked at
//! load), the contribution estimate of a declaration period, the yearly ceilings, SIREN/SIRET
//! checks, the declaration calendar of a French micro-entrepreneur, and invoices: their lines,
//! totals, checks and mandatory mentions.
//!
//! The figures are legal and financial: nothing here uses floats, every rate and threshold
//! comes from the table with its source, and each rounding is written down where it happens
//! (see docs/BUSINESS.md for the whole list).

pub mod calendar;
pub mod category;
pub mod ceiling;
pub mod estimate;
pub mod invoice;
pub mod money;
pub mod period;
pub mod rate;
pub mod siren;
pub mod table;
pub mod tracker;

pub use category::{Category, UnknownCategory};
pub use ceiling::{CeilingError, Ceilings, Prorata, ceilings};
pub use estimate::{Estimate, EstimateError, Line, estimate};
pub use money::{Cents, MoneyError, parse_euros};
pub use period::{Period, PeriodError, Periodicity, parse_date};
pub use rate::BasisPoints;
pub use siren::{IdentifierError, Siren, Siret};
pub use table::{Dated, LookupError, RateKind, RateTable, Source, TableError, ThresholdKind};
pub use tracker::{MicroRegime, Standing, VatFranchise, standing};
