//! Sync between laptops by files: which tables travel (`spec`), the bundle
//! file (`bundle`) and the pure merge plan (`plan`). The store gathers the
//! local side and applies a plan in one transaction (`store::sync`).

pub mod bundle;
pub mod plan;
pub mod spec;

use bundle::BundleError;

/// Why a bundle could not be written or merged, or a queue entry settled.
/// `code()` is the stable key the window picks its Chinese sentence by.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(
        "row {uid} of {table} refers to {refs} {parent}, which is neither here nor in the \
         bundle; import the earlier bundles from the same laptop first"
    )]
    MissingParent {
        table: &'static str,
        uid: String,
        refs: &'static str,
        parent: String,
    },
    #[error(
        "row {uid} of {table} has {key}, which another row here has already (each laptop \
         made one); change it on this laptop and import the bundle again, or change it on the \
         other laptop and export from there again"
    )]
    Taken {
        table: &'static str,
        uid: String,
        /// The clashing columns with the bundle's values, e.g. `code = "QX-031"`.
        key: String,
    },
    #[error("row {uid} of {table} cannot be written here: {reason}")]
    Refused {
        table: &'static str,
        uid: String,
        reason: String,
    },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("conflict {id} is already settled")]
    Settled { id: i64 },
    #[error(
        "conflict {id} is about a signed record or a deleted row; only the standing copy can be kept"
    )]
    StandingOnly { id: i64 },
    #[error("the row of conflict {id} no longer exists")]
    RowGone { id: i64 },
    #[error("sync bookkeeping is inconsistent: {0}")]
    Inconsistent(String),
}

impl SyncError {
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Bundle(b) => match b {
                BundleError::NotABundle => "not_a_bundle",
                BundleError::Truncated { .. } => "truncated",
                BundleError::Checksum => "checksum",
                BundleError::NewerFormat { .. } => "newer_format",
                BundleError::NewerSchema { .. } => "newer_schema",
                BundleError::Corrupt(_) => "corrupt",
            },
            SyncError::MissingParent { .. } => "missing_parent",
            SyncError::Taken { .. } => "taken",
            SyncError::Refused { .. } => "refused",
            SyncError::Write { .. } => "write_failed",
            SyncError::Settled { .. } => "settled",
            SyncError::StandingOnly { .. } => "standing_only",
            SyncError::RowGone { .. } => "row_gone",
            SyncError::Inconsistent(_) => "inconsistent",
        }
    }
}

/// The part of migration 0006 made from `spec::TABLES`: backfill existing
/// rows, then the triggers. Checked (and printed on request) by the test
/// `migration_0006_carries_the_generated_sql`.
pub fn generated_sql(tables: &[spec::Table]) -> String {
    let mut sql = String::new();
    for t in tables {
        sql.push_str(&spec::backfill_sql(t));
    }
    for t in tables {
        sql.push('\n');
        sql.push_str(&spec::triggers_sql(t));
    }
    sql
}

#[cfg(test)]
mod tests {
    /// Migration 0006 ends with exactly the generated backfill and triggers.
    /// With `STATIONDESK_PRINT_SYNC_SQL=1` it prints them (between <<< >>>),
    /// to paste when the spec of a table not yet landed changes shape.
    #[test]
    fn migration_0006_carries_the_generated_sql() {
        let generated = super::generated_sql(super::spec::TABLES);
        if std::env::var_os("STATIONDESK_PRINT_SYNC_SQL").is_some() {
            print!("<<<{generated}>>>");
        }
        assert!(crate::store::migration_sources()[5].ends_with(&generated));
    }

    #[test]
    fn every_synchronised_table_has_its_triggers_in_a_migration() {
        let all: String = crate::store::migration_sources().concat();
        for t in super::spec::TABLES {
            assert!(
                all.contains(&super::spec::triggers_sql(t)),
                "table {} lacks its sync triggers; add them in a new migration",
                t.name
            );
        }
    }
}
