//! `folio serve`: the local HTTP API (Zotero's local API, Better BibTeX's endpoints) without
//! the desktop app, for a build server or an editor over SSH.

use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::Path;

#[derive(Subcommand)]
pub enum Cmd {
    /// Answer Zotero local-API and Better BibTeX requests on 127.0.0.1 until interrupted.
    /// Default port 23119 (Zotero's), else the next free one. Read-only unless
    /// --allow-writes.
    Serve {
        /// Listen on this port (0: any free port); it is an error when it is taken.
        #[arg(long)]
        port: Option<u16>,
        /// Let editors change the library: Better BibTeX's `collection.scanAUX` and
        /// `autoexport.add` (each one undoable action, as from the CLI).
        #[arg(long)]
        allow_writes: bool,
        /// A folder of .csl files clients may name in `style=` (by file name or path inside
        /// it); without it, clients get the bundled styles only.
        #[arg(long, value_name = "DIR")]
        styles: Option<std::path::PathBuf>,
    },
}

pub fn run(cmd: Cmd, path: &Path) -> Result<()> {
    let Cmd::Serve {
        port,
        allow_writes,
        styles,
    } = cmd;
    let mut config = folio::serve::Config::new(path);
    config.port = port;
    config.styles = match styles {
        None => None,
        Some(dir) => Some(
            std::fs::canonicalize(&dir)
                .ok()
                .filter(|d| d.is_dir())
                .with_context(|| format!("--styles {}: not a folder", dir.display()))?,
        ),
    };
    config.host = std::sync::Arc::new(folio::serve::Headless {
        library: path.to_path_buf(),
        allow_writes,
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    rt.block_on(async {
        let bound = folio::serve::bind(&config).await?;
        let addr = bound.local_addr();
        if let Some(from) = bound.fallback_from {
            eprintln!(
                "folio: port {from} is taken (is Zotero running?); serving on {} instead",
                addr.port()
            );
        }
        // The address on stdout, flushed, so that a script (or a test) can read the port.
        println!("listening on http://{addr}");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        bound
            .serve(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok::<_, anyhow::Error>(())
    })
}
