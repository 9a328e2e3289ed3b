//! Attachments: attach, detach, list (and the base folder of linked files).

use crate::output::{print_json, AttachmentJson};
use anyhow::Result;
use clap::Subcommand;
use folio::library::fulltext::FulltextOptions;
use folio::library::{AttachMode, AttachedFile, Relinked, WalkLimits};
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
    /// `attachments locate` and `attachments relink` find missing files again.
    #[command(args_conflicts_with_subcommands = true)]
    Attachments {
        #[command(subcommand)]
        action: Option<FindCmd>,
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
pub enum FindCmd {
    /// Point a missing attachment of KEY (OLD_PATH: its recorded path, file name, title or
    /// id) at NEW_FILE: a linked file records the new path, a stored copy is copied back.
    /// One undo step; a file with other content is taken with a warning.
    Locate {
        key: String,
        old_path: String,
        new_file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Find every missing file under a folder (after a folder of papers moved) and relink
    /// those found, in one undo step: by name, then size and SHA-256; the same layout wins.
    Relink {
        /// The folder to search (symbolic links to folders are not followed).
        #[arg(long, value_name = "DIR")]
        search: PathBuf,
        /// Only say what would be relinked.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
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
            action: Some(action), ..
        } => find(lib, action)?,
        Cmd::Attachments {
            action: None,
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

fn relinked_json(r: &Relinked) -> serde_json::Value {
    let mut v = serde_json::to_value(AttachmentJson::from(&r.file)).unwrap_or_default();
    v["old_path"] = r.old_path.clone().into();
    v["source"] = r.source.display().to_string().into();
    v["warning"] = r.warning.clone().into();
    v
}

fn find(lib: &mut Library, action: FindCmd) -> Result<()> {
    match action {
        FindCmd::Locate {
            key,
            old_path,
            new_file,
            json,
        } => {
            let r = lib.locate_attachment(&key, &old_path, &new_file)?;
            if json {
                print_json(&relinked_json(&r))?;
            } else {
                eprintln!("{key}: {} now at {}", r.old_path, r.file.attachment.path);
            }
            if let Some(w) = &r.warning {
                eprintln!("warning: {w}");
            }
        }
        FindCmd::Relink { search, dry_run, json } => {
            let r = lib.find_missing_files(&search, dry_run, WalkLimits::default())?;
            if json {
                print_json(&serde_json::json!({
                    "dry_run": dry_run,
                    "scanned": r.scanned,
                    "found": r.found.iter().map(relinked_json).collect::<Vec<_>>(),
                    "missing": r.missing.iter().map(AttachmentJson::from).collect::<Vec<_>>(),
                    "ambiguous": r.ambiguous.iter().map(|a| {
                        let mut v = serde_json::to_value(AttachmentJson::from(&a.file)).unwrap_or_default();
                        v["candidates"] = a.candidates.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().into();
                        v["reason"] = a.reason.clone().into();
                        v
                    }).collect::<Vec<_>>(),
                    "notes": r.notes,
                }))?;
                return Ok(());
            }
            let verb = if dry_run { "would relink" } else { "relinked" };
            for f in &r.found {
                println!("{verb}\t{}\t{}\t{}", f.file.key, f.old_path, f.source.display());
                if let Some(w) = &f.warning {
                    eprintln!("warning: {w}");
                }
            }
            for a in &r.ambiguous {
                println!(
                    "ambiguous\t{}\t{}\t{}: {}",
                    a.file.key,
                    a.file.attachment.path,
                    a.reason,
                    a.candidates
                        .iter()
                        .map(|c| c.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            for f in &r.missing {
                println!("missing\t{}\t{}", f.key, f.attachment.path);
            }
            for n in &r.notes {
                eprintln!("note: {n}");
            }
            eprintln!(
                "{} {verb}, {} still missing, {} ambiguous ({} files searched)",
                r.found.len(),
                r.missing.len(),
                r.ambiguous.len(),
                r.scanned
            );
        }
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
