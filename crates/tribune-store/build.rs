//! `sqlx::migrate!` embeds the migration files at compile time, but cargo does not know they
//! are inputs: without this, a new migration file alone would not rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
