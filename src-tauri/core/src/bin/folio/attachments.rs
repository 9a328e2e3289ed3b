//! Attachments: attach, detach, list (and the base folder of linked files).

use crate::output::{print_json, AttachmentJson};
use anyhow::Result;
use clap::Subcommand;
use folio::library::{AttachMode, AttachedFile};
use folio::Library;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum Cmd {
    /// Attach files to an item: copies kept in the library's files folder (`<library>.files/`,
    /// named after the item), or with --link the files where they are.
    Attach {
        key: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Leave the files where they are (recorded relative to the base folder when inside it).
        #[arg(long)]
        link: bool,
        #[arg(long)]
        json: bool,
    },
    /// Detach a file from an item (by file name, title or id). The file stays; a stored copy
    /// is deleted when the trash is emptied.
    Detach { key: String, file: String },
    /// The attachments of an item, or of the whole library; --missing: only files not found.
    Attachments {
        key: Option<String>,
        #[arg(long)]
        missing: bool,
        #[arg(long)]
        json: bool,
        /// Set the base folder linked files are recorded relative to (a synced folder).
        #[arg(long, value_name = "DIR", conflicts_with = "clear_base")]
        base: Option<PathBuf>,
        /// Forget the base folder.
        #[arg(long)]
        clear_base: bool,
    },
}

fn print(list: &[AttachedFile], json: bool) -> Result<()> {
    if json {
        return print_json(&list.iter().map(AttachmentJson::from).collect::<Vec<_>>());
    }
    for f in list {
        let j = AttachmentJson::from(f);
        println!(
            "{}\t{}\t{}\t{} bytes{}",
            j.key,
            if j.stored { "stored" } else { "linked" },
            j.path,
            j.bytes,
            if j.missing { "\tMISSING" } else { "" }
        );
    }
    Ok(())
}

pub fn run(lib: &mut Library, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Attach { key, files, link, json } => {
            let mode = if link { AttachMode::Link } else { AttachMode::Store };
            let added = lib.attach(&key, &files, mode)?;
            let all = lib.attachments(&key)?;
            let new: Vec<AttachedFile> = all
                .into_iter()
                .filter(|f| added.iter().any(|a| a.id == f.attachment.id))
                .collect();
            if json {
                print(&new, true)?;
            } else {
                for f in &new {
                    eprintln!(
                        "attached {} to {key}{}",
                        f.attachment.title,
                        f.file
                            .as_ref()
                            .filter(|_| !link)
                            .map(|p| format!(" (stored as {})", p.display()))
                            .unwrap_or_default()
                    );
                }
            }
        }
        Cmd::Detach { key, file } => {
            let a = lib.detach(&key, &file)?;
            eprintln!("detached {} from {key} (undo brings it back)", a.title);
        }
        Cmd::Attachments {
            key,
            missing,
            json,
            base,
            clear_base,
        } => {
            if let Some(dir) = base {
                lib.set_attachment_base(Some(&dir))?;
            } else if clear_base {
                lib.set_attachment_base(None)?;
            }
            let list = match key {
                Some(k) => lib.attachments(&k)?,
                None => lib.all_attachments()?,
            };
            let list: Vec<AttachedFile> = list.into_iter().filter(|f| !missing || f.missing).collect();
            print(&list, json)?;
        }
    }
    Ok(())
}
