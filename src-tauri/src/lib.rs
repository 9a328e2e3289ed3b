//! Folio's desktop shell: window, plugins and commands that translate between the UI and the
//! `folio` core. No business logic lives here.

pub mod bindings;
pub mod commands;
pub mod dto;
pub mod error;
pub mod events;
pub mod indexer;
pub mod ops;
pub mod server;
pub mod share;
pub mod state;
pub mod watch;

use state::AppState;
use tauri::{Emitter, Manager, Runtime};

/// Every command the UI may call.
#[macro_export]
macro_rules! folio_handlers {
    () => {
        tauri::generate_handler![
            $crate::commands::list_page,
            $crate::commands::list_keys,
            $crate::commands::sidebar,
            $crate::commands::get_item,
            $crate::commands::history,
            $crate::commands::open_library,
            $crate::commands::library_status,
            $crate::commands::edit_field,
            $crate::commands::set_creators,
            $crate::commands::new_item,
            $crate::commands::delete_items,
            $crate::commands::restore_items,
            $crate::commands::empty_trash,
            $crate::commands::set_access,
            $crate::commands::undo,
            $crate::commands::redo,
            $crate::commands::collection_create,
            $crate::commands::collection_rename,
            $crate::commands::collection_move,
            $crate::commands::collection_delete,
            $crate::commands::collection_add,
            $crate::commands::collection_remove,
            $crate::commands::tag_add,
            $crate::commands::tag_remove,
            $crate::commands::tag_rename,
            $crate::commands::tag_delete,
            $crate::commands::attach_files,
            $crate::commands::detach_attachment,
            $crate::commands::open_attachment,
            $crate::commands::locate_attachment,
            $crate::commands::find_missing_files,
            $crate::commands::fulltext_index,
            $crate::commands::fulltext_hits,
            $crate::commands::attachment_pdf,
            $crate::commands::fulltext_start,
            $crate::commands::fulltext_cancel,
            $crate::commands::fulltext_progress,
            $crate::commands::import_files,
            $crate::commands::import_text,
            $crate::commands::export_file,
            $crate::commands::export_text,
            $crate::commands::import_cancel,
            $crate::commands::regenerate_keys,
            $crate::commands::fix_keys,
            $crate::commands::protected_keys,
            $crate::commands::format_references,
            $crate::commands::duplicates,
            $crate::commands::duplicate_count,
            $crate::commands::items_by_keys,
            $crate::commands::merge_items,
            $crate::commands::merge_exact,
            $crate::commands::auto_exports,
            $crate::commands::auto_export_add,
            $crate::commands::auto_export_remove,
            $crate::commands::auto_export_run,
            $crate::commands::saved_searches,
            $crate::commands::search_save,
            $crate::commands::search_delete,
            $crate::commands::aux_read,
            $crate::commands::export_aux,
            $crate::commands::aux_register,
            $crate::commands::server_status,
            $crate::commands::server_configure,
            $crate::commands::selection_changed,
            $crate::commands::cayw_answer,
            $crate::commands::cite_styles,
            $crate::commands::locator_labels,
            $crate::commands::check_style,
            $crate::commands::share_defaults,
            $crate::commands::remote_connect,
            $crate::commands::remote_disconnect,
            $crate::commands::sync_status,
            $crate::commands::sync_now,
            $crate::commands::sync_conflicts,
            $crate::commands::resolve_conflict,
            $crate::commands::shared_history,
        ]
    };
}

/// Add the state and the commands to a builder (the real one, or `tauri::test::mock_builder()`).
pub fn with_commands<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    let sharing = share::Sharing::default();
    let waker = sharing.clone();
    builder
        .manage(state)
        .manage(server::Server::default())
        .manage(indexer::Indexer::default())
        .manage(sharing)
        .manage(events::AfterChange(Box::new(move || waker.wake(false))))
        .invoke_handler(folio_handlers!())
}

/// Open the startup library, reporting a failure on stderr (the UI shows it from the status).
fn open_startup(state: &AppState, path: &std::path::Path) {
    if let Err(e) = state.open(path) {
        eprintln!("folio: cannot open {}: {}", path.display(), e.message);
    }
}

/// Start the app on the startup library (`FOLIO_LIBRARY`, else the OS default, created on
/// first run). A library that must be upgraded first (seconds for 100k items) is opened off
/// the main thread once the window exists, so the window shows the upgrade instead of nothing;
/// the `library-status` event says when it is done.
pub fn run() {
    let state = AppState::empty();
    let startup = state::startup_library_path();
    let upgrade = AppState::pending_upgrade(&startup).is_some();
    if !upgrade {
        open_startup(&state, &startup);
    }
    let watched = state.clone();
    with_commands(tauri::Builder::default(), state)
        .setup(move |app| {
            if upgrade {
                let (st, handle) = (watched.clone(), app.handle().clone());
                std::thread::spawn(move || {
                    open_startup(&st, &startup);
                    let _ = handle.emit(events::LIBRARY_STATUS, st.status());
                    tauri::async_runtime::spawn(server::restart(handle.clone()));
                    share::restart(&handle);
                    indexer::start(&handle);
                });
            }
            // The local HTTP API (editors, scripts, biber), once the library is open.
            if upgrade {
                // Started when the upgrade is done (below); the settings are read now.
                server::init_settings(app.handle());
            } else {
                server::init(app.handle());
                // A shared library syncs while it is open.
                share::restart(app.handle());
                // Files whose text was not read yet (a pass cut short by the last exit).
                indexer::start(app.handle());
            }
            // Changes made by the CLI or another process show up without a restart.
            watch::spawn(app.handle().clone(), watched, std::time::Duration::from_secs(1));
            Ok(())
        })
        // A second launch focuses the first window instead of opening another.
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .run(tauri::generate_context!())
        .expect("error while running Folio");
}
