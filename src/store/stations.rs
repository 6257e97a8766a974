use rusqlite::{params, Row};

use super::{Result, Store, StoreError};
use crate::model::{NewStation, Station};

/// A station with how many active staff it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationSummary {
    pub station: Station,
    pub active_staff: i64,
}

impl Store {
    pub fn list_stations(&self) -> Result<Vec<StationSummary>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.name, s.township, s.county,
                    (SELECT count(*) FROM staff p WHERE p.station_id = s.id AND p.left_date IS NULL)
             FROM station s ORDER BY s.county, s.township, s.name, s.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StationSummary {
                station: station_from_row(r)?,
                active_staff: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every station's name by id, for reports.
    pub fn station_names(&self) -> Result<std::collections::HashMap<i64, String>> {
        Ok(self
            .list_stations()?
            .into_iter()
            .map(|s| (s.station.id, s.station.name))
            .collect())
    }

    pub fn station(&self, id: i64) -> Result<Station> {
        self.conn
            .query_row(
                "SELECT id, name, township, county FROM station WHERE id = ?1",
                [id],
                station_from_row,
            )
            .map_err(|e| not_found(e, "station", id))
    }

    pub fn add_station(&mut self, new: &NewStation) -> Result<Station> {
        self.with_tx(|tx| insert_station(tx, new))
    }
}

pub(super) fn insert_station(tx: &rusqlite::Transaction, new: &NewStation) -> Result<Station> {
    tx.execute(
        "INSERT INTO station (name, township, county) VALUES (?1, ?2, ?3)",
        params![new.name, new.township, new.county],
    )?;
    Ok(Station {
        id: tx.last_insert_rowid(),
        name: new.name.clone(),
        township: new.township.clone(),
        county: new.county.clone(),
    })
}

fn station_from_row(r: &Row) -> rusqlite::Result<Station> {
    Ok(Station {
        id: r.get(0)?,
        name: r.get(1)?,
        township: r.get(2)?,
        county: r.get(3)?,
    })
}

/// Turns "no row" into the store's not-found error.
pub(super) fn not_found(e: rusqlite::Error, what: &'static str, id: i64) -> StoreError {
    match e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound { what, id },
        e => e.into(),
    }
}
