//! Attachments: attach, detach, list (and the base folder of linked files).

use crate::output::{print_json, AttachmentJson};
use anyhow::Result;
use clap::Subcommand;
use folio::library::fulltext::FulltextOptions;
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
        /// Name stored files by this pattern and rename them all (one undo step): [auth],
        /// [authors], [year], [title], [shorttitle], [key]; "default" for "[auth] [year] - [title]".
        #[arg(long, value_name = "PATTERN")]
        pattern: Option<String>,
        /// Rename the stored files (of KEY, else all) whose names do not fit the pattern.
        #[arg(long)]
        rename: bool,
    },
    /// The full text of attached files: `index` extracts what is new or changed (resumable:
    /// an interrupted pass keeps what it did), `status` tells how far it is, `search` shows which
    /// attachment and page match a query's `fulltext:` terms (with --everything, its words).
    Fulltext {
        #[command(subcommand)]
        action: FulltextCmd,
    },
}

#[derive(Subcommand)]
pub enum FulltextCmd {
    /// Extract and index the text of attachments not indexed yet or changed since.
    Index {
        /// Hash every file again; re-extract those whose content changed.
        #[arg(long)]
        recheck: bool,
        /// Stop after this many files.
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long)]
        json: bool,
    },
    /// How many attachments are indexed, pending, without text or failed.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// The items whose attachments match, with the page and a snippet of each hit.
    Search {
        query: String,
        /// Words without a field search the attachments too (as `fulltext:`).
        #[arg(long)]
        everything: bool,
        #[arg(long)]
        json: bool,
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
            pattern,
            rename,
        } => {
            if let Some(dir) = base {
                lib.set_attachment_base(Some(&dir))?;
            } else if clear_base {
                lib.set_attachment_base(None)?;
            }
            if let Some(p) = pattern {
                let p = Some(p.as_str()).filter(|p| *p != "default");
                let n = lib.set_attachment_name_pattern(p)?;
                eprintln!(
                    "stored files are named \"{}\"; {n} renamed",
                    lib.attachment_name_pattern()?
                );
            }
            if rename {
                let keys: Vec<String> = key.iter().cloned().collect();
                let n = lib.rename_attachments(&keys)?;
                eprintln!("{n} stored file(s) renamed");
            }
            let list = match key {
                Some(k) => lib.attachments(&k)?,
                None => lib.all_attachments()?,
            };
            let list: Vec<AttachedFile> = list.into_iter().filter(|f| !missing || f.missing).collect();
            print(&list, json)?;
        }
        Cmd::Fulltext { action } => fulltext(lib, action)?,
    }
    Ok(())
}

fn fulltext(lib: &mut Library, action: FulltextCmd) -> Result<()> {
    match action {
        FulltextCmd::Index { recheck, limit, json } => {
            // Each file is its own transaction: an interrupted pass keeps what it did and the
            // next one resumes.
            let opts = FulltextOptions { recheck, limit };
            let report = lib.index_fulltext(&opts, &mut |p| {
                if !json {
                    eprintln!("[{}/{}] {}", p.done + 1, p.total, p.title);
                }
                true
            })?;
            if json {
                return print_json(&report);
            }
            for (title, why) in &report.failures {
                eprintln!("failed: {title}: {why}");
            }
            eprintln!(
                "indexed {} file(s) ({} pages); {} without text, {} failed, {} unchanged, {} missing{}",
                report.indexed,
                report.pages,
                report.no_text,
                report.failed,
                report.unchanged,
                report.missing,
                if report.cancelled {
                    "; stopped (the rest stay pending)"
                } else {
                    ""
                }
            );
        }
        FulltextCmd::Status { json } => {
            let s = lib.fulltext_status()?;
            if json {
                return print_json(&s);
            }
            println!(
                "{} attachment(s): {} indexed, {} pending, {} without text, {} failed; {} pages, {} bytes of text",
                s.attachments, s.indexed, s.pending, s.no_text, s.failed, s.pages, s.text_bytes
            );
        }
        FulltextCmd::Search {
            query,
            everything,
            json,
        } => {
            let spec = folio::app::FilterSpec {
                query: query.clone(),
                everything,
                ..Default::default()
            };
            let filter = folio::app::filter(lib, &spec)?;
            let items = lib.items(&filter, Default::default())?;
            let mut out = Vec::new();
            for it in items {
                let hits = lib.fulltext_hits(&it.key, &query, everything)?;
                out.push(serde_json::json!({"key": it.key, "title": it.title, "hits": hits}));
                if !json {
                    println!("{}\t{}", it.key, it.title);
                    for h in &hits {
                        println!("  {} p. {}: {}", h.title, h.page, h.snippet.replace('\n', " "));
                    }
                }
            }
            if json {
                return print_json(&out);
            }
        }
    }
    Ok(())
}
