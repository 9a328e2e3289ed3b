//! The local HTTP API inside the app: `folio::serve` (Zotero's local API, Better BibTeX's
//! endpoints) on Tauri's tokio runtime while the window is open, with the app as its
//! [`Host`]: the settings (on/off, the port, "allow editors to change the library"), the
//! selection the UI reports, the citation picker window, and the app's own writer — a change an
//! editor asks for is one more action of the app (undoable, shown at once, auto-exports
//! follow). No rules live here: requests are answered by the core.

use crate::dto::{FilterDto, ServerSettingsDto, ServerStatusDto};
use crate::error::{CmdResult, CommandError};
use crate::events::ChangeScope;
use crate::state::AppState;
use folio::serve::{Host, PickFuture, WriteAction};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};
use tokio::sync::oneshot;

/// The picker window's label (its capability names it).
pub const PICKER: &str = "cayw";

/// The settings file: `FOLIO_SETTINGS`, else `settings.json` in the app's config folder.
fn settings_path<R: Runtime>(app: &AppHandle<R>) -> Option<PathBuf> {
    match std::env::var_os("FOLIO_SETTINGS") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => app.path().app_config_dir().ok().map(|d| d.join("settings.json")),
    }
}

/// The settings file's content; missing or unreadable → the defaults (on, port 23119,
/// read-only), with a note on stderr when it exists but cannot be read.
fn load(path: Option<&PathBuf>) -> ServerSettingsDto {
    let Some(p) = path else {
        return ServerSettingsDto::default();
    };
    let Ok(text) = std::fs::read_to_string(p) else {
        return ServerSettingsDto::default();
    };
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        eprintln!(
            "folio: settings {} cannot be read ({e}); using the defaults",
            p.display()
        );
        serde_json::Value::Null
    });
    v.get("server")
        .cloned()
        .and_then(|s| serde_json::from_value(s).ok())
        .unwrap_or_default()
}

/// Write the server's settings into the settings file (other sections kept), atomically.
fn save(path: &PathBuf, s: &ServerSettingsDto) -> CmdResult<()> {
    let mut v: serde_json::Value = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(serde_json::Value::is_object)
        .unwrap_or_else(|| serde_json::json!({}));
    v["server"] = serde_json::to_value(s).map_err(|e| CommandError::new("internal", e.to_string()))?;
    let io =
        |e: std::io::Error| CommandError::new("io", format!("cannot save the settings in {}: {e}", path.display()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, format!("{v:#}\n")).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

/// Where the server stands, and what the picker and the selection are.
#[derive(Default)]
struct Inner {
    settings: ServerSettingsDto,
    settings_path: Option<PathBuf>,
    /// The folder whose `.csl` files editors may name in `style=` (`styles/` beside the
    /// settings file), when it exists or could be made.
    styles: Option<PathBuf>,
    /// Listening: the port, the default port it fell back from, the switch that stops it.
    running: Option<(u16, Option<u16>, oneshot::Sender<()>)>,
    /// Why the last start failed.
    error: Option<String>,
    /// The UI's selection: keys, or "every row of this filter".
    selection: (Vec<String>, Option<FilterDto>),
    /// The open picker's answer channel.
    picker: Option<oneshot::Sender<Option<Vec<folio::app::cayw::Citation>>>>,
}

/// The server's state, managed by the app.
#[derive(Clone, Default)]
pub struct Server(Arc<Mutex<Inner>>);

impl Server {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn status(&self) -> ServerStatusDto {
        let i = self.lock();
        ServerStatusDto {
            settings: i.settings.clone(),
            port: i.running.as_ref().map(|r| r.0),
            fallback_from: i.running.as_ref().and_then(|r| r.1),
            error: i.error.clone(),
            styles_folder: i.styles.as_ref().map(|p| p.display().to_string()),
        }
    }

    pub fn set_selection(&self, keys: Vec<String>, filter: Option<FilterDto>) {
        self.lock().selection = (keys, filter);
    }

    /// The picker's answer (`None`: cancelled); false when no picker was waiting.
    pub fn answer(&self, keys: Option<Vec<folio::app::cayw::Citation>>) -> bool {
        match self.lock().picker.take() {
            Some(tx) => tx.send(keys).is_ok(),
            None => false,
        }
    }

    /// Stop the running server; whether one was running.
    fn stop(&self) -> bool {
        match self.lock().running.take() {
            Some((_, _, tx)) => {
                let _ = tx.send(());
                true
            }
            None => false,
        }
    }
}

/// The app as the server's host.
struct DesktopHost<R: Runtime> {
    app: AppHandle<R>,
    server: Server,
    state: AppState,
}

fn core_error(e: CommandError) -> folio::Error {
    folio::Error::remote(&e.code, e.message)
}

impl<R: Runtime> Host for DesktopHost<R> {
    fn writes_allowed(&self) -> bool {
        self.server.lock().settings.allow_writes
    }

    fn has_window(&self) -> bool {
        true
    }

    fn selected(&self) -> folio::Result<Vec<String>> {
        let (keys, filter) = self.server.lock().selection.clone();
        self.state
            .read(|lib| crate::ops::targets(lib, keys, filter.as_ref()))
            .map_err(core_error)
    }

    fn pick(&self) -> PickFuture {
        let (tx, rx) = oneshot::channel();
        {
            let mut i = self.server.lock();
            if i.picker.as_ref().is_some_and(|p| !p.is_closed()) {
                return Box::pin(async { Err(folio::Error::Conflict("the citation picker is already open".into())) });
            }
            i.picker = Some(tx);
        }
        let app = self.app.clone();
        let server = self.server.clone();
        let shown = self.app.run_on_main_thread(move || {
            if let Some(w) = app.get_webview_window(PICKER) {
                let _ = w.show();
                let _ = w.set_focus();
                return;
            }
            let built = WebviewWindowBuilder::new(&app, PICKER, WebviewUrl::App("index.html#cayw".into()))
                .title("Folio — Insert citation")
                .inner_size(620.0, 380.0)
                .always_on_top(true)
                .center()
                .focused(true)
                .build();
            match built {
                Ok(w) => {
                    let s = server.clone();
                    w.on_window_event(move |e| {
                        if let tauri::WindowEvent::Destroyed = e {
                            s.answer(None);
                        }
                    });
                }
                Err(e) => {
                    eprintln!("folio: cannot open the citation picker: {e}");
                    server.answer(None);
                }
            }
        });
        Box::pin(async move {
            shown.map_err(|e| folio::Error::Format(format!("cannot open the citation picker: {e}")))?;
            Ok(rx.await.unwrap_or(None))
        })
    }

    fn write(&self, action: WriteAction) -> folio::Result<serde_json::Value> {
        let out = self
            .state
            .with(move |open| action(&mut open.library).map_err(CommandError::from))
            .map_err(core_error)?;
        use ChangeScope::*;
        crate::events::changed(
            &self.app,
            vec![Items, Collections, Tags, AutoExports],
            "Changed by an editor (local API)",
        );
        Ok(out)
    }
}

/// Read the settings file (at start-up).
pub fn init_settings<R: Runtime>(app: &AppHandle<R>) {
    let server = app.state::<Server>().inner().clone();
    let mut i = server.lock();
    i.settings_path = settings_path(app);
    i.settings = load(i.settings_path.as_ref());
    i.styles = i.settings_path.as_ref().and_then(|p| styles_folder(p));
}

/// `styles/` beside the settings file, made if missing; `None` (bundled styles only) when
/// it cannot be made.
fn styles_folder(settings: &std::path::Path) -> Option<PathBuf> {
    let dir = settings.parent()?.join("styles");
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!(
            "folio: no styles folder for editors ({}: {e}); bundled styles only",
            dir.display()
        );
        return None;
    }
    std::fs::canonicalize(&dir).ok()
}

/// Read the settings and start the server when it is on (at start-up).
pub fn init<R: Runtime>(app: &AppHandle<R>) {
    init_settings(app);
    tauri::async_runtime::spawn(restart(app.clone()));
}

/// Stop the server and start it again on the open library with the current settings (after a
/// settings change or when another library is opened). Returns once it listens (or failed to).
pub async fn restart<R: Runtime>(app: AppHandle<R>) {
    let server = app.state::<Server>().inner().clone();
    let state = app.state::<AppState>().inner().clone();
    let was_running = server.stop();
    let settings = server.lock().settings.clone();
    server.lock().error = None;
    if !settings.enabled {
        return;
    }
    let Some(path) = state.library_path() else {
        server.lock().error = Some("no library is open".into());
        return;
    };
    let mut config = folio::serve::Config::new(&path);
    config.styles = server.lock().styles.clone();
    // The default port falls back to the next free one (Zotero may hold it); another port is
    // the user's choice and used exactly.
    config.port = (settings.port != folio::serve::DEFAULT_PORT).then_some(settings.port);
    config.host = Arc::new(DesktopHost {
        app: app.clone(),
        server: server.clone(),
        state,
    });
    // The server just stopped lets go of its port a moment later: try for up to 2 s.
    let mut tries = if was_running { 20 } else { 1 };
    let bound = loop {
        tries -= 1;
        match folio::serve::bind(&config).await {
            Ok(b) => break b,
            Err(_) if tries > 0 => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            Err(e) => {
                eprintln!("folio: the local API is off: {e}");
                server.lock().error = Some(e.to_string());
                return;
            }
        }
    };
    let port = bound.local_addr().port();
    match bound.fallback_from {
        Some(from) => eprintln!(
            "folio: port {from} is taken (is Zotero running?); the local API listens on http://127.0.0.1:{port}"
        ),
        None => eprintln!("folio: the local API listens on http://127.0.0.1:{port}"),
    }
    let (tx, rx) = oneshot::channel::<()>();
    server.lock().running = Some((port, bound.fallback_from, tx));
    tauri::async_runtime::spawn(async move {
        let stopped = bound
            .serve(async {
                let _ = rx.await;
            })
            .await;
        if let Err(e) = stopped {
            server.lock().error = Some(e.to_string());
        }
    });
}

/// Save new settings and apply them.
pub async fn configure<R: Runtime>(app: AppHandle<R>, settings: ServerSettingsDto) -> CmdResult<()> {
    if settings.port == 0 {
        return Err(CommandError::invalid("the port must be between 1 and 65535"));
    }
    let server = app.state::<Server>().inner().clone();
    let path = server.lock().settings_path.clone();
    if let Some(p) = &path {
        save(p, &settings)?;
    }
    server.lock().settings = settings;
    restart(app).await;
    Ok(())
}
