use chrono::NaiveDateTime;
use rusqlite::params;

use super::{Result, Store};

/// A form saved while it was being typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// What the draft is of, e.g. `supervision:new` or `supervision:12`.
    pub key: String,
    /// The form as the UI holds it (JSON); the store does not read it.
    pub body: String,
    pub updated_at: NaiveDateTime,
}

impl Store {
    /// Saves (or replaces) the draft under `key`: one small committed write,
    /// so a crash loses at most what was typed since the last call.
    pub fn save_draft(&mut self, key: &str, body: &str, now: NaiveDateTime) -> Result<()> {
        self.with_tx(|tx| {
            tx.execute(
                "INSERT INTO draft (key, body, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                params![key, body, now],
            )?;
            Ok(())
        })
    }

    /// Drafts whose key starts with `prefix`, newest first.
    pub fn drafts(&self, prefix: &str) -> Result<Vec<Draft>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT key, body, updated_at FROM draft WHERE substr(key, 1, length(?1)) = ?1
             ORDER BY updated_at DESC",
        )?;
        let rows = stmt.query_map([prefix], |r| {
            Ok(Draft {
                key: r.get(0)?,
                body: r.get(1)?,
                updated_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn delete_draft(&mut self, key: &str) -> Result<()> {
        self.with_tx(|tx| {
            tx.execute("DELETE FROM draft WHERE key = ?1", [key])?;
            Ok(())
        })
    }
}
