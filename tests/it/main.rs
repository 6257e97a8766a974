//! The one integration-test binary: the library's store and demo through
//! its public API, and the `stationdesk` command line as a user runs it.

mod audit;
mod backup;
mod cases;
mod cli;
mod crash;
mod demo;
mod encryption;
mod fixture;
mod import;
mod overdue;
mod print;
mod records;
mod retention;
mod seal;
mod store;
mod sweep;
mod sync;
mod sync_merge;
mod training;
mod workload;
