//! StationDesk's core: the records (`model`), the SQLite store (`store`),
//! demo data (`demo`) and the command-line tool (`cli`). Nothing here knows
//! Tauri; the shell in `src-tauri/` is a thin adapter over this library.

pub mod audit_csv;
pub mod cli;
pub mod demo;
pub mod files;
pub mod import;
pub mod model;
pub mod pdf;
pub mod store;
pub mod sync;
pub mod xlsx;

pub use store::{Store, StoreError};
