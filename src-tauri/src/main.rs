//! The StationDesk window: opens the store behind the lock screen (a demo
//! station on the first run), and serves the UI's commands. The only code that knows Tauri.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// The same allocator as the command line's (see `src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod audit;
mod cases;
mod commands;
mod dto;
mod error;
mod import;
mod records_dto;
mod retention;
#[cfg(test)]
mod sweep;
mod sync;
mod training;
mod vault;
mod workload;

use std::path::PathBuf;
use std::sync::Mutex;

use stationdesk::store::default_db_path;

/// What every command shares: the database file and the one open store
/// (closed while locked), or why it could not be opened (the window still
/// opens and says so, instead of vanishing).
pub struct App {
    pub store: Mutex<vault::Vault>,
    pub path: PathBuf,
}

/// `--db PATH` on the command line, else `STATIONDESK_DB`, else the OS's
/// per-user data directory (the same rule as the `stationdesk` tool).
fn db_path() -> PathBuf {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--db" {
            if let Some(path) = args.next() {
                return PathBuf::from(path);
            }
        } else if let Some(path) = arg.to_str().and_then(|a| a.strip_prefix("--db=")) {
            return PathBuf::from(path);
        }
    }
    match std::env::var_os("STATIONDESK_DB") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => default_db_path(),
    }
}

/// The window's state and every command it serves, on any runtime: the
/// real one in [`main`], the mock one in the sweep test.
fn serve<R: tauri::Runtime>(builder: tauri::Builder<R>, app: App) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .manage(app)
        .invoke_handler(tauri::generate_handler![
            vault::vault_status,
            vault::unlock,
            vault::set_up_passphrase,
            vault::lock,
            vault::restore_latest,
            vault::change_passphrase,
            vault::list_backups_cmd,
            vault::make_backup,
            vault::restore_backup,
            commands::list_stations,
            commands::list_staff,
            commands::create_staff,
            commands::update_staff,
            commands::supervisor_candidates,
            commands::assign_supervisor,
            commands::supervision_history,
            commands::list_records,
            commands::list_supervisors,
            commands::list_supervisees,
            commands::get_record,
            commands::create_record,
            commands::update_record,
            commands::sign_record,
            commands::amend_record,
            commands::open_items,
            commands::list_action_items,
            commands::set_item_done,
            commands::save_draft,
            commands::list_drafts,
            commands::delete_draft,
            commands::export_record_pdf,
            cases::list_cases,
            cases::get_case,
            cases::create_case,
            cases::update_case,
            cases::set_identity,
            cases::add_contact,
            cases::add_consent,
            cases::list_groups,
            cases::create_group,
            cases::add_group_session,
            cases::overdue,
            retention::past_retention,
            retention::purge_case,
            workload::workload,
            workload::export_workload,
            workload::policy_settings,
            workload::set_policy,
            training::list_trainings,
            training::get_training,
            training::list_trainers,
            training::create_training,
            training::sign_in,
            training::assess,
            training::hours_ledger,
            training::export_signin_pdf,
            training::export_hours_xlsx,
            training::training_plan,
            training::add_plan_item,
            training::drop_plan_item,
            training::add_trainer,
            import::import_preview,
            import::import_apply,
            import::import_template,
            sync::sync_status,
            sync::export_bundle,
            sync::preview_bundle,
            sync::apply_bundle,
            sync::list_conflicts,
            sync::resolve_conflict,
            audit::audit_entries,
            audit::export_audit,
            audit::verify_seals,
        ])
}

/// WebKitGTK's GPU compositing is turned off unless the environment says
/// otherwise (`WEBKIT_DISABLE_COMPOSITING_MODE=0` turns it back on). A page
/// of forms and lists does not need it; without it the web process keeps
/// about 95 MiB less (no layer tiles, no software GL where there is no GPU),
/// and the window does not come up blank on the GPU drivers where WebKit's
/// compositing is known to fail.
fn without_gpu_compositing() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_none() {
        // Before any thread starts: nothing else reads the environment yet.
        std::env::set_var(VAR, "1");
    }
}

fn main() {
    without_gpu_compositing();
    // The database opens on the lock screen, with its passphrase.
    let (vault, path) = vault::initial(db_path());
    let app = App {
        store: Mutex::new(vault),
        path,
    };
    let result = serve(tauri::Builder::default(), app).run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("StationDesk stopped: {e}");
        std::process::exit(1);
    }
}
