//! `folio`: the command-line interface to a Folio library. A stable contract for scripts,
//! LaTeX builds and tests: exit 0 on success, 1 on error (message on stderr), 2 on usage errors.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use folio::export::{ExportOptions, Selection};
use folio::format::json::item_to_json;
use folio::format::Format;
use folio::import::{DuplicatePolicy, ImportOptions, Progress};
use folio::model::{AccessStatus, Creator, Item, ItemTag, ItemType, Role};
use folio::store::search::{Filter, Sort};
use folio::{Library, Severity};
use serde_json::json;
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "folio",
    version,
    about = "Folio reference manager: manage a library of references from the command line"
)]
struct Cli {
    /// Library file (default: $FOLIO_LIBRARY, else the OS data folder's library.sqlite).
    #[arg(long, global = true, value_name = "PATH")]
    library: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run: boxing the larger argument structs would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Add an item.
    Add(AddArgs),
    /// Change fields of an item: `folio edit KEY --set title="New title" --set year=2021`.
    Edit {
        key: String,
        /// field=value (title, year, date, journal, volume, issue, pages, doi, type, access, abstract, any other name).
        #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
        set: Vec<String>,
        #[arg(long)]
        json: bool,
        /// Confirm changing a citation key that a paper depends on.
        #[arg(long)]
        force: bool,
    },
    /// Show one or more items.
    Show {
        #[arg(required = true)]
        keys: Vec<String>,
        #[arg(long)]
        json: bool,
        /// Show as bibtex, biblatex, ris or json instead.
        #[arg(long)]
        format: Option<Format>,
    },
    /// List items, filtered, sorted and paged.
    List(ListArgs),
    /// Move items to the trash.
    Delete {
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// Restore items from the trash.
    Restore {
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// List the trash, or empty it with --empty.
    Trash {
        #[arg(long)]
        empty: bool,
        #[arg(long)]
        json: bool,
    },
    /// Collections: create, rename, move, delete, list, add, remove.
    #[command(subcommand)]
    Collection(CollectionCmd),
    /// Keyword tags: add, remove, rename, merge, delete, list.
    #[command(subcommand)]
    Tag(TagCmd),
    /// Access status (open, free, restricted, unknown).
    #[command(subcommand)]
    Access(AccessCmd),
    /// Saved searches: save, list, delete (use with `list --saved NAME`).
    #[command(subcommand)]
    Search(SearchCmd),
    /// Citation keys: regenerate, fix, pattern, check.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Undo the last action.
    Undo,
    /// Redo the last undone action.
    Redo,
    /// The actions that can be undone (newest first).
    History {
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Import BibTeX/BibLaTeX, RIS, Web of Science, pasted search results or Folio JSON ("-" reads stdin).
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        format: Option<Format>,
        /// Text encoding (e.g. latin1, windows-1252, utf-16le); detected when omitted.
        #[arg(long)]
        encoding: Option<String>,
        /// File the imported items in this collection (created if missing).
        #[arg(long)]
        collection: Option<String>,
        /// Entries already in the library (same DOI, ISBN, or title + year + first author):
        /// skip them, merge them into the existing items, or keep both.
        #[arg(long, default_value = "skip")]
        duplicates: DuplicatePolicy,
        #[arg(long)]
        json: bool,
    },
    /// List duplicate groups (reason and confidence), or merge every identifier group.
    Duplicates {
        #[arg(long)]
        json: bool,
        /// Merge every group with the same DOI or ISBN (keeps the richest, then oldest item).
        #[arg(long)]
        merge_exact: bool,
    },
    /// Merge items into KEEP: it gains what it lacks; the others go to the trash. Undoable.
    Merge {
        keep: String,
        #[arg(required = true)]
        others: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Export items to BibTeX, BibLaTeX, RIS or Folio JSON.
    Export(ExportArgs),
    /// Files kept in sync with the library (Better BibTeX-style auto-export).
    #[command(subcommand, name = "auto-export")]
    AutoExport(AutoExportCmd),
    /// Registered LaTeX .aux files: the keys they cite are protected.
    #[command(subcommand)]
    Aux(AuxCmd),
    /// Print \cite{key1,key2} for the items (or a formatted reference with --style).
    Cite {
        #[arg(required = true)]
        keys: Vec<String>,
        /// The LaTeX command: cite, citep, citet, autocite, parencite, textcite, …
        #[arg(long, default_value = "cite")]
        command: String,
        /// A formatted reference instead: apa, chicago (author-date), ieee or harvard.
        #[arg(long)]
        style: Option<folio::cite::CiteStyle>,
        /// With --style: the in-text citation ("(Jaspers & Steen, 2019)") instead of references.
        #[arg(long, requires = "style")]
        in_text: bool,
    },
    /// Library location, schema version and counts.
    Info {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct AddArgs {
    #[arg(long = "type", default_value = "article")]
    item_type: String,
    #[arg(long, default_value = "")]
    title: String,
    /// "Family, Given" (repeat for more authors); {Name} for an organisation.
    #[arg(long = "author")]
    authors: Vec<String>,
    #[arg(long = "editor")]
    editors: Vec<String>,
    #[arg(long)]
    year: Option<String>,
    #[arg(long)]
    date: Option<String>,
    /// Journal, book or proceedings title.
    #[arg(long, alias = "container")]
    journal: Option<String>,
    #[arg(long)]
    volume: Option<String>,
    #[arg(long)]
    issue: Option<String>,
    #[arg(long)]
    pages: Option<String>,
    #[arg(long)]
    publisher: Option<String>,
    #[arg(long)]
    doi: Option<String>,
    #[arg(long)]
    issn: Option<String>,
    #[arg(long)]
    isbn: Option<String>,
    #[arg(long)]
    url: Option<String>,
    #[arg(long = "abstract")]
    abstract_text: Option<String>,
    #[arg(long = "tag")]
    tags: Vec<String>,
    #[arg(long)]
    access: Option<AccessStatus>,
    /// Citation key (generated from the library's pattern when omitted).
    #[arg(long)]
    key: Option<String>,
    /// Any other field as name=value.
    #[arg(long = "field", value_name = "NAME=VALUE")]
    fields: Vec<String>,
    #[arg(long)]
    collection: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Args, Default)]
struct SelectArgs {
    /// Items in this collection ("Parent/Child").
    #[arg(long)]
    collection: Option<String>,
    /// With --collection: include subcollections.
    #[arg(long)]
    recursive: bool,
    /// Items in no collection.
    #[arg(long)]
    unfiled: bool,
    /// Items with this tag (repeat: all of them).
    #[arg(long = "tag")]
    tags: Vec<String>,
    /// Items with this access status (repeat: any of them).
    #[arg(long = "access")]
    access: Vec<AccessStatus>,
    /// Search: words, "phrases", author:, title:, year:2019..2022, tag:, access:, type:, -negation, OR.
    #[arg(long, short = 'q')]
    query: Option<String>,
    /// Items matching this saved search (combined with the options above).
    #[arg(long)]
    saved: Option<String>,
}

#[derive(Args)]
struct ListArgs {
    #[command(flatten)]
    select: SelectArgs,
    /// List the trash instead.
    #[arg(long)]
    trash: bool,
    /// title, creators, year, container, type, access, added, key; prefix - for descending.
    #[arg(long, default_value = "title", allow_hyphen_values = true)]
    sort: String,
    #[arg(long)]
    limit: Option<usize>,
    #[arg(long, default_value_t = 0)]
    offset: usize,
    #[arg(long)]
    json: bool,
    /// Print only the number of matching items.
    #[arg(long)]
    count: bool,
}

#[derive(Args)]
struct ExportArgs {
    #[arg(long, default_value = "bibtex")]
    format: Format,
    /// Write here (atomically) instead of standard output.
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    select: SelectArgs,
    /// Export exactly these items.
    keys: Vec<String>,
    /// Export the entries a LaTeX .aux file cites (with their crossref parents); registers it.
    #[arg(long, conflicts_with = "keys")]
    aux: Option<PathBuf>,
    /// Write LaTeX escapes instead of UTF-8 (default for bibtex).
    #[arg(long, conflicts_with = "unicode")]
    ascii: bool,
    /// Write UTF-8 instead of LaTeX escapes (default for biblatex).
    #[arg(long)]
    unicode: bool,
    /// Leave out these fields (e.g. --omit abstract --omit file).
    #[arg(long = "omit")]
    omit: Vec<String>,
}

#[derive(Subcommand)]
enum CollectionCmd {
    /// Create a collection (missing parents are created too): `folio collection create "Thesis/Chapter 2"`.
    Create { path: String },
    /// Rename the last part of a collection's path.
    Rename { path: String, new_name: String },
    /// Move a collection under another (--to PARENT) or to the top level (--top).
    Move {
        path: String,
        #[arg(long, conflicts_with = "top")]
        to: Option<String>,
        #[arg(long)]
        top: bool,
    },
    /// Delete a collection and its subcollections (items stay in the library).
    Delete { path: String },
    /// Show the collection tree with item counts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Put items into a collection.
    Add {
        path: String,
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// Take items out of a collection.
    Remove {
        path: String,
        #[arg(required = true)]
        keys: Vec<String>,
    },
}

#[derive(Subcommand)]
enum TagCmd {
    /// Tag items: by key, or every item a selection matches (`--query`, `--collection`, …,
    /// `--all`). One undo step.
    Add {
        tag: String,
        keys: Vec<String>,
        #[command(flatten)]
        select: SelectArgs,
        /// Every item of the library.
        #[arg(long)]
        all: bool,
    },
    /// Untag items (by key or selection, as for `tag add`).
    Remove {
        tag: String,
        keys: Vec<String>,
        #[command(flatten)]
        select: SelectArgs,
        #[arg(long)]
        all: bool,
    },
    /// Remove the tags imports added (all of them, or only TAG), keeping your own.
    RemoveImported { tag: Option<String> },
    /// Rename a tag everywhere (onto an existing tag: merge).
    Rename { old: String, new: String },
    /// Merge tags into one: `folio tag merge coproduction co-prod --into co-production`.
    Merge {
        #[arg(required = true)]
        from: Vec<String>,
        #[arg(long)]
        into: String,
    },
    /// Remove a tag from all items.
    Delete { tag: String },
    /// Tags with item counts.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AccessCmd {
    /// Set the access status of items.
    Set {
        status: AccessStatus,
        #[arg(required = true)]
        keys: Vec<String>,
    },
    /// Item counts per access status.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum AutoExportCmd {
    /// Keep PATH in sync with a scope of the library (written now and after every change).
    Add {
        path: PathBuf,
        #[arg(long, default_value = "bibtex")]
        format: Format,
        #[arg(long)]
        collection: Option<String>,
        #[arg(long)]
        recursive: bool,
        #[arg(long)]
        tag: Option<String>,
        #[arg(long)]
        access: Option<AccessStatus>,
        /// A saved search.
        #[arg(long)]
        search: Option<String>,
        #[arg(long, conflicts_with = "unicode")]
        ascii: bool,
        #[arg(long)]
        unicode: bool,
        #[arg(long = "omit")]
        omit: Vec<String>,
    },
    /// The auto-exports and their last run.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Stop keeping PATH in sync (the file stays).
    Remove { path: PathBuf },
    /// Bring every auto-export up to date now.
    Run,
}

#[derive(Subcommand)]
enum AuxCmd {
    /// Register a .aux file (its cited keys become protected).
    Add {
        path: PathBuf,
    },
    Remove {
        path: PathBuf,
    },
    List,
}

#[derive(Subcommand)]
enum SearchCmd {
    /// Save a search under a name: `folio search save recent "year:2020.. access:open"`.
    Save {
        name: String,
        query: String,
        /// Only items in this collection.
        #[arg(long)]
        collection: Option<String>,
        #[arg(long)]
        recursive: bool,
    },
    /// The saved searches.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a saved search.
    Delete { name: String },
}

#[derive(Subcommand)]
enum KeyCmd {
    /// Give items new keys from the pattern (explicit, undoable).
    Regenerate {
        keys: Vec<String>,
        /// All items in the library.
        #[arg(long, conflicts_with = "keys")]
        all: bool,
        #[arg(long)]
        pattern: Option<String>,
        /// Confirm changing keys that a paper depends on (cited in a registered .aux or auto-exported).
        #[arg(long)]
        force: bool,
    },
    /// Repair keys LaTeX tools reject (' spaces braces non-ASCII, or differing from another
    /// only in case): drop or transliterate the offending characters, D'Ambrosio2007 ->
    /// DAmbrosio2007 (explicit, undoable; links of other entries follow).
    Fix {
        keys: Vec<String>,
        /// All items in the library.
        #[arg(long, conflicts_with = "keys")]
        all: bool,
        /// Only show what would change.
        #[arg(long)]
        dry_run: bool,
        /// Confirm changing keys that a paper depends on (cited in a registered .aux or auto-exported).
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Keys a paper depends on, and why.
    Protected {
        #[arg(long)]
        json: bool,
    },
    /// Show or set the library's key pattern, e.g. "[auth:lower][year]".
    Pattern { pattern: Option<String> },
    /// Report duplicate keys, keys LaTeX rejects and entries without keys.
    Check {
        #[arg(long)]
        json: bool,
    },
}

fn library_path(cli: &Cli) -> PathBuf {
    cli.library
        .clone()
        .or_else(|| {
            std::env::var_os("FOLIO_LIBRARY")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(folio::default_library_path)
}

impl SelectArgs {
    fn is_empty(&self) -> bool {
        self.collection.is_none()
            && !self.unfiled
            && self.tags.is_empty()
            && self.access.is_empty()
            && self.query.is_none()
            && self.saved.is_none()
    }
}

/// Keys of every item a filter matches (from the item table's rows, not whole items).
fn keys_of(lib: &Library, f: &Filter) -> Result<Vec<String>> {
    Ok(lib
        .list(f, Sort::default(), 0, usize::MAX >> 1)?
        .into_iter()
        .map(|r| r.key)
        .collect())
}

/// The keys a key command names, or every key with `--all`.
fn keys_or_all(lib: &Library, keys: Vec<String>, all: bool, what: &str) -> Result<Vec<String>> {
    if all {
        keys_of(lib, &Filter::default())
    } else if keys.is_empty() {
        bail!("name the items whose keys to {what}, or --all");
    } else {
        Ok(keys)
    }
}

/// The keys an action names, plus those of every item the selection matches (`--all`: the
/// whole library). Naming nothing is an error, never "everything".
fn selected_keys(lib: &Library, mut keys: Vec<String>, select: &SelectArgs, all: bool) -> Result<Vec<String>> {
    if all || !select.is_empty() {
        keys.extend(keys_of(lib, &filter_of(select, lib)?)?);
    } else if keys.is_empty() {
        bail!("name the items: their keys, a selection (--query, --collection, --tag, --access, --saved, --unfiled) or --all");
    }
    Ok(keys)
}

fn filter_of(s: &SelectArgs, lib: &Library) -> Result<Filter> {
    let query = match &s.query {
        Some(q) => folio::query::parse(q).map_err(|e| anyhow!("invalid search {q:?}: {e}"))?,
        None => Default::default(),
    };
    if s.recursive && s.collection.is_none() {
        bail!("--recursive needs --collection");
    }
    let mut f = match &s.saved {
        Some(name) => lib.saved_filter(name)?,
        None => Filter::default(),
    };
    if let Some(c) = &s.collection {
        if f.collection.is_some() {
            bail!(
                "the saved search {:?} is already scoped to a collection",
                s.saved.as_deref().unwrap_or("")
            );
        }
        f.collection = Some(lib.resolve_collection(c)?);
        f.recursive = s.recursive;
    }
    f.unfiled |= s.unfiled;
    f.tags.extend(s.tags.iter().cloned());
    f.access.extend(s.access.iter().copied());
    f.query.clauses.extend(query.clauses);
    Ok(f)
}

fn item_json(lib: &Library, item: &Item) -> Result<serde_json::Value> {
    let cols = lib.collections_of(item.id.unwrap_or_default())?;
    Ok(item_to_json(item, &cols))
}

fn print_json(v: &serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn print_item_text(lib: &Library, item: &Item) -> Result<()> {
    let mut o = std::io::stdout().lock();
    writeln!(o, "{} ({})", item.key, item.item_type)?;
    let line = |o: &mut std::io::StdoutLock, k: &str, v: &str| -> std::io::Result<()> {
        if !v.is_empty() {
            writeln!(o, "  {k:<11} {v}")?;
        }
        Ok(())
    };
    line(&mut o, "title", &item.full_title())?;
    for c in &item.creators {
        line(&mut o, c.role.as_str(), &c.display_inverted())?;
    }
    line(&mut o, "date", &item.date.iso())?;
    for f in folio::model::DETAIL_FIELDS.iter().copied() {
        line(&mut o, f, &item.get(f).unwrap_or_default())?;
    }
    line(
        &mut o,
        "access",
        &format!(
            "{}{}",
            item.access.status,
            if item.access.source.is_empty() {
                String::new()
            } else {
                format!(" (from {})", item.access.source)
            }
        ),
    )?;
    let tags: Vec<String> = item
        .tags
        .iter()
        .map(|t| {
            if t.source == folio::model::TagSource::Import {
                format!("{} (imported)", t.name)
            } else {
                t.name.clone()
            }
        })
        .collect();
    line(&mut o, "tags", &tags.join("; "))?;
    line(
        &mut o,
        "collections",
        &lib.collections_of(item.id.unwrap_or_default())?.join("; "),
    )?;
    for s in item.r#abstract.sections() {
        if s.heading.is_empty() {
            line(&mut o, "abstract", &s.text)?;
        } else {
            writeln!(o, "  {}:\n    {}", s.heading, s.text)?;
        }
    }
    for f in &item.extra {
        line(&mut o, &f.name, &f.value)?;
    }
    if lib.is_in_trash(item.id.unwrap_or_default())? {
        writeln!(o, "  (in the trash)")?;
    }
    Ok(())
}

fn parse_assignments(list: &[String]) -> Result<Vec<(String, String)>> {
    list.iter()
        .map(|s| {
            s.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .ok_or_else(|| anyhow!("expected FIELD=VALUE, got {s:?}"))
        })
        .collect()
}

fn run(cli: Cli) -> Result<()> {
    let path = library_path(&cli);
    let mut lib = Library::open(&path).with_context(|| format!("cannot open library {}", path.display()))?;
    let result = dispatch(&mut lib, cli.command, &path);
    // Every auto-export the command touched is up to date when the command returns.
    match lib.sync_if_changed() {
        Ok(results) => {
            for r in results.iter().filter(|r| r.error.is_some()) {
                eprintln!(
                    "folio: warning: auto-export {} failed: {} (the old file is untouched; the next change retries)",
                    r.path,
                    r.error.as_deref().unwrap_or_default()
                );
            }
        }
        Err(e) => eprintln!("folio: warning: auto-exports not updated: {e}"),
    }
    result
}

fn dispatch(lib: &mut Library, command: Command, path: &std::path::Path) -> Result<()> {
    let lib = &mut *lib;
    match command {
        Command::Add(a) => {
            let ty: ItemType = a.item_type.parse().map_err(|e: String| anyhow!(e))?;
            let mut item = Item::new(ty, a.title.trim());
            for s in &a.authors {
                item.creators.push(Creator::parse_name(Role::Author, s));
            }
            for s in &a.editors {
                item.creators.push(Creator::parse_name(Role::Editor, s));
            }
            let mut sets: Vec<(String, String)> = Vec::new();
            let opt = [
                ("year", &a.year),
                ("date", &a.date),
                ("container", &a.journal),
                ("volume", &a.volume),
                ("issue", &a.issue),
                ("pages", &a.pages),
                ("publisher", &a.publisher),
                ("doi", &a.doi),
                ("issn", &a.issn),
                ("isbn", &a.isbn),
                ("url", &a.url),
                ("abstract", &a.abstract_text),
                ("key", &a.key),
            ];
            for (k, v) in opt {
                if let Some(v) = v {
                    sets.push((k.to_string(), v.clone()));
                }
            }
            sets.extend(parse_assignments(&a.fields)?);
            for (k, v) in &sets {
                item.set(k, v).map_err(|e| anyhow!(e))?;
            }
            for t in &a.tags {
                item.add_tag(ItemTag::manual(t));
            }
            if let Some(acc) = a.access {
                item.access = folio::model::Access::new(acc, "user");
            }
            if let Some(c) = &a.collection {
                lib.resolve_collection(c)?;
            }
            let item = lib.add(item)?;
            if let Some(c) = &a.collection {
                lib.collection_add(c, std::slice::from_ref(&item.key))?;
            }
            let item = lib.get(&item.key)?;
            if a.json {
                print_json(&item_json(lib, &item)?)?;
            } else {
                println!("{}", item.key);
            }
        }
        Command::Edit { key, set, json, force } => {
            let item = lib.edit(&key, &parse_assignments(&set)?, force)?;
            if json {
                print_json(&item_json(lib, &item)?)?;
            } else {
                println!("{}", item.key);
            }
        }
        Command::Show { keys, json, format } => {
            let items: Vec<Item> = keys.iter().map(|k| lib.get(k)).collect::<Result<_, _>>()?;
            match (format, json) {
                (Some(f), _) => {
                    let w = lib.render(
                        &items,
                        &ExportOptions {
                            format: f,
                            ..Default::default()
                        },
                    )?;
                    print!("{}", w.text);
                }
                (None, true) if items.len() == 1 => print_json(&item_json(lib, &items[0])?)?,
                (None, true) => print_json(&serde_json::Value::Array(
                    items.iter().map(|i| item_json(lib, i)).collect::<Result<_>>()?,
                ))?,
                (None, false) => {
                    for i in &items {
                        print_item_text(lib, i)?;
                    }
                }
            }
        }
        Command::List(l) => {
            let mut filter = filter_of(&l.select, lib)?;
            filter.trash = l.trash;
            let sort: Sort = l.sort.parse().map_err(|e: String| anyhow!(e))?;
            if l.count {
                println!("{}", lib.count(&filter)?);
                return Ok(());
            }
            let limit = l.limit.unwrap_or(usize::MAX >> 1);
            let rows = lib.list(&filter, sort, l.offset, limit)?;
            if l.json {
                let items: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| item_json(lib, &lib.get_by_id(r.id)?))
                    .collect::<Result<_>>()?;
                print_json(&serde_json::Value::Array(items))?;
            } else {
                let mut o = std::io::stdout().lock();
                for r in &rows {
                    writeln!(
                        o,
                        "{:<24} {:>4}  {:<10} {:<24} {}",
                        truncate(&r.key, 24),
                        r.year.map(|y| y.to_string()).unwrap_or_default(),
                        r.access.as_str(),
                        truncate(&r.creators, 24),
                        truncate(if r.title.is_empty() { "(no title)" } else { &r.title }, 70)
                    )?;
                }
            }
        }
        Command::Delete { keys } => {
            let n = lib.delete(&keys)?;
            eprintln!("moved {n} item(s) to the trash");
        }
        Command::Restore { keys } => {
            let n = lib.restore(&keys)?;
            eprintln!("restored {n} item(s)");
        }
        Command::Trash { empty, json } => {
            if empty {
                let n = lib.empty_trash()?;
                eprintln!("removed {n} item(s) for good (undo brings them back)");
            } else {
                let rows = lib.list(
                    &Filter {
                        trash: true,
                        ..Default::default()
                    },
                    Sort::default(),
                    0,
                    usize::MAX >> 1,
                )?;
                if json {
                    let items: Vec<serde_json::Value> = rows
                        .iter()
                        .map(|r| item_json(lib, &lib.get_by_id(r.id)?))
                        .collect::<Result<_>>()?;
                    print_json(&serde_json::Value::Array(items))?;
                } else {
                    for r in rows {
                        println!("{:<24} {}", r.key, r.title);
                    }
                }
            }
        }
        Command::Collection(c) => match c {
            CollectionCmd::Create { path } => {
                lib.collection_create(&path)?;
            }
            CollectionCmd::Rename { path, new_name } => lib.collection_rename(&path, &new_name)?,
            CollectionCmd::Move { path, to, top } => {
                if to.is_none() && !top {
                    bail!("say where to: --to PARENT or --top");
                }
                lib.collection_move(&path, to.as_deref())?
            }
            CollectionCmd::Delete { path } => lib.collection_delete(&path)?,
            CollectionCmd::Add { path, keys } => {
                let n = lib.collection_add(&path, &keys)?;
                eprintln!("added {n} item(s) to {path}");
            }
            CollectionCmd::Remove { path, keys } => {
                let n = lib.collection_remove(&path, &keys)?;
                eprintln!("removed {n} item(s) from {path}");
            }
            CollectionCmd::List { json } => {
                let tree = lib.collection_tree()?;
                if json {
                    fn node(n: &folio::CollectionNode) -> serde_json::Value {
                        json!({"id": n.id, "name": n.name, "path": n.path, "items": n.items,
                               "children": n.children.iter().map(node).collect::<Vec<_>>()})
                    }
                    print_json(&serde_json::Value::Array(tree.iter().map(node).collect()))?;
                } else {
                    fn show(n: &folio::CollectionNode, depth: usize) {
                        println!("{}{} ({})", "  ".repeat(depth), n.name, n.items);
                        for c in &n.children {
                            show(c, depth + 1);
                        }
                    }
                    for n in &tree {
                        show(n, 0);
                    }
                }
            }
        },
        Command::Tag(t) => match t {
            TagCmd::Add { tag, keys, select, all } => {
                let keys = selected_keys(lib, keys, &select, all)?;
                let n = lib.tag_add(&tag, &keys)?;
                eprintln!("tagged {n} item(s) with {tag}");
            }
            TagCmd::Remove { tag, keys, select, all } => {
                let keys = selected_keys(lib, keys, &select, all)?;
                let n = lib.tag_remove(&tag, &keys)?;
                eprintln!("removed {tag} from {n} item(s)");
            }
            TagCmd::RemoveImported { tag } => {
                let n = lib.tag_remove_imported(tag.as_deref())?;
                eprintln!("removed imported tags from {n} item(s)");
            }
            TagCmd::Rename { old, new } => {
                let n = lib.tag_rename(&old, &new)?;
                eprintln!("renamed {old} to {new} on {n} item(s)");
            }
            TagCmd::Merge { from, into } => {
                let n = lib.tag_merge(&from, &into)?;
                eprintln!("merged into {into} on {n} item(s)");
            }
            TagCmd::Delete { tag } => {
                let n = lib.tag_delete(&tag)?;
                eprintln!("deleted {tag} from {n} item(s)");
            }
            TagCmd::List { json } => {
                let tags = lib.tag_list()?;
                if json {
                    print_json(&serde_json::Value::Array(
                        tags.iter()
                            .map(|t| json!({"name": t.name, "items": t.items, "imported": t.imported}))
                            .collect(),
                    ))?;
                } else {
                    for t in tags {
                        println!("{:>6}  {}", t.items, t.name);
                    }
                }
            }
        },
        Command::Access(a) => match a {
            AccessCmd::Set { status, keys } => {
                let n = lib.access_set(status, &keys)?;
                eprintln!("set access of {n} item(s) to {status}");
            }
            AccessCmd::List { json } => {
                let counts = lib.access_counts()?;
                if json {
                    print_json(&serde_json::Value::Object(
                        counts.iter().map(|(s, n)| (s.as_str().to_string(), json!(n))).collect(),
                    ))?;
                } else {
                    for (s, n) in counts {
                        println!("{n:>6}  {s}");
                    }
                }
            }
        },
        Command::Search(s) => match s {
            SearchCmd::Save {
                name,
                query,
                collection,
                recursive,
            } => lib.search_save(&name, &query, collection.as_deref(), recursive)?,
            SearchCmd::Delete { name } => lib.search_delete(&name)?,
            SearchCmd::List { json } => {
                let list = lib.saved_searches()?;
                let rows: Vec<(String, String, Option<String>, usize)> = list
                    .iter()
                    .map(|s| {
                        let path = s.collection_id.map(|c| lib.collection_path(c)).transpose()?;
                        let n = lib.count(&lib.saved_filter(&s.name)?)? as usize;
                        Ok((s.name.clone(), s.query.clone(), path, n))
                    })
                    .collect::<Result<_>>()?;
                if json {
                    print_json(&serde_json::Value::Array(
                        rows.iter()
                            .map(|(n, q, c, k)| json!({"name": n, "query": q, "collection": c, "items": k}))
                            .collect(),
                    ))?;
                } else {
                    for (n, q, c, k) in rows {
                        println!(
                            "{k:>6}  {n}: {q}{}",
                            c.map(|c| format!(" (in {c})")).unwrap_or_default()
                        );
                    }
                }
            }
        },
        Command::Key(k) => match k {
            KeyCmd::Protected { json } => {
                let p = lib.protected_keys()?;
                if json {
                    print_json(&serde_json::Value::Object(
                        p.into_iter().map(|(k, v)| (k, json!(v))).collect(),
                    ))?;
                } else {
                    for (k, why) in p {
                        println!("{k:<24} {why}");
                    }
                }
            }
            KeyCmd::Regenerate {
                keys,
                all,
                pattern,
                force,
            } => {
                let keys = keys_or_all(lib, keys, all, "regenerate")?;
                for (old, new) in lib.regenerate_keys(&keys, pattern.as_deref(), force)? {
                    println!("{old} -> {new}");
                }
            }
            KeyCmd::Fix {
                keys,
                all,
                dry_run,
                force,
                json,
            } => {
                let keys = keys_or_all(lib, keys, all, "fix")?;
                let fix = lib.fix_keys(&keys, force, dry_run)?;
                if json {
                    print_json(&json!({
                        "dry_run": dry_run,
                        "renamed": fix.renamed.iter().map(|(o, n)| json!({"old": o, "new": n})).collect::<Vec<_>>(),
                        "relinked": fix.relinked,
                    }))?;
                } else {
                    for (old, new) in &fix.renamed {
                        println!("{old} -> {new}");
                    }
                    if !fix.relinked.is_empty() {
                        eprintln!(
                            "links to them {} in: {}",
                            if dry_run { "would change" } else { "changed" },
                            fix.relinked.join(", ")
                        );
                    }
                    if fix.renamed.is_empty() {
                        eprintln!("no key needs fixing");
                    } else if dry_run {
                        eprintln!("(dry run: nothing changed)");
                    }
                }
            }
            KeyCmd::Pattern { pattern } => match pattern {
                Some(p) => lib.set_key_pattern(&p)?,
                None => println!("{}", lib.key_pattern()?),
            },
            KeyCmd::Check { json } => {
                let problems = lib.key_check()?;
                if json {
                    print_json(&serde_json::Value::Array(
                        problems.iter().map(|(k, m)| json!({"key": k, "problem": m})).collect(),
                    ))?;
                } else {
                    for (k, m) in &problems {
                        println!("{k}: {m}");
                    }
                }
                if !problems.is_empty() {
                    bail!(
                        "{} citation-key problem(s); `folio key fix --all` repairs them",
                        problems.len()
                    );
                }
            }
        },
        Command::Undo => {
            let label = lib.undo()?;
            eprintln!("undid: {label}");
        }
        Command::Redo => {
            let label = lib.redo()?;
            eprintln!("redid: {label}");
        }
        Command::History { limit, json } => {
            let h = lib.history(limit)?;
            if json {
                print_json(&serde_json::Value::Array(
                    h.iter()
                        .map(
                            |e| json!({"id": e.id, "label": e.label, "at": e.at, "done": e.done, "objects": e.objects}),
                        )
                        .collect(),
                ))?;
            } else {
                for e in h {
                    println!(
                        "{} {:<5} {}  {}",
                        e.at,
                        if e.done { "" } else { "(undone)" },
                        e.id,
                        e.label
                    );
                }
            }
        }
        Command::Import {
            files,
            format,
            encoding,
            collection,
            duplicates,
            json,
        } => {
            let opts = ImportOptions {
                format,
                encoding,
                collection,
                duplicates,
                cancel: None,
            };
            let report = if files.len() == 1 && files[0].as_os_str() == "-" {
                let mut bytes = Vec::new();
                std::io::stdin().read_to_end(&mut bytes)?;
                let text =
                    folio::format::decode(&bytes, opts.encoding.as_deref()).map_err(|e| anyhow!("stdin: {e}"))?;
                lib.import_text("-", &text.text, &opts)?
            } else {
                let tty = std::io::stderr().is_terminal() && !json;
                let mut progress = |p: Progress| {
                    if tty {
                        eprint!("\rimporting: {:3.0}% ({} entries)", p.fraction() * 100.0, p.entries);
                        if p.bytes_done == p.bytes_total {
                            eprintln!();
                        }
                    }
                };
                lib.import_files(&files, &opts, &mut progress)?
            };
            if json {
                print_json(&json!({
                    "files": report.files.iter().map(|f| json!({
                        "path": f.path, "format": f.format.as_str(), "encoding": f.encoding,
                        "dialect": f.dialect, "repairs": f.repairs, "entries": f.entries,
                        "added": f.added, "duplicates": f.duplicates, "keys": f.keys,
                        "decisions": f.decisions.iter().map(|d| json!({
                            "line": d.line, "entry_key": d.entry_key, "title": d.title,
                            "existing_key": d.existing_key, "reason": d.reason.as_str(),
                            "action": d.action,
                        })).collect::<Vec<_>>(),
                        "diagnostics": f.diagnostics.iter().map(|d| json!({
                            "line": d.line, "severity": d.severity.as_str(), "message": d.message
                        })).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>()
                }))?;
            }
            for f in &report.files {
                for d in &f.diagnostics {
                    if !json || d.severity == Severity::Error {
                        match d.line {
                            Some(l) => eprintln!("{}:{l}: {}: {}", f.path, d.severity.as_str(), d.message),
                            None => eprintln!("{}: {}: {}", f.path, d.severity.as_str(), d.message),
                        }
                    }
                }
                if !json {
                    let extra = f.dialect.as_ref().map(|d| format!(", {d}")).unwrap_or_default();
                    eprintln!(
                        "{}: {} ({}{extra}): {} added, {} duplicates, {} problems",
                        f.path,
                        f.format,
                        f.encoding,
                        f.added,
                        f.duplicates,
                        f.diagnostics.len()
                    );
                    for r in &f.repairs {
                        eprintln!("  repaired: {r}");
                    }
                    for d in &f.decisions {
                        eprintln!(
                            "{}:{}: duplicate ({}) of {}: {}",
                            f.path,
                            d.line,
                            d.reason.as_str(),
                            d.existing_key,
                            d.action
                        );
                    }
                }
            }
            if report.added() == 0 && report.errors() > 0 {
                bail!("nothing was imported");
            }
        }
        Command::Duplicates { json, merge_exact } => {
            if merge_exact {
                let reports = lib.merge_identifier_groups()?;
                for r in &reports {
                    println!("kept {} (merged {})", r.kept, r.merged.join(", "));
                }
                eprintln!("merged {} group(s); `folio undo` reverts all of it", reports.len());
                return Ok(());
            }
            let groups = lib.duplicates()?;
            if json {
                print_json(&serde_json::Value::Array(
                    groups
                        .iter()
                        .map(|g| {
                            json!({"reason": g.reason.as_str(), "certain": g.reason.is_certain(),
                                   "confidence": (g.confidence * 100.0).round() / 100.0, "keys": g.keys})
                        })
                        .collect(),
                ))?;
            } else {
                for g in &groups {
                    println!("{:.2}  {:<40} {}", g.confidence, g.reason.as_str(), g.keys.join(" "));
                }
            }
        }
        Command::Merge { keep, others, json } => {
            let r = lib.merge(&keep, &others)?;
            if json {
                print_json(&json!({
                    "kept": r.kept, "merged": r.merged,
                    "conflicts": r.conflicts.iter().map(|(k, c)| json!({
                        "from": k, "field": c.field, "kept": c.kept, "other": c.other
                    })).collect::<Vec<_>>(),
                }))?;
            } else {
                for (k, c) in &r.conflicts {
                    eprintln!(
                        "conflict in {}: kept {:?}, {k} had {:?} (kept in the trash)",
                        c.field, c.kept, c.other
                    );
                }
                eprintln!("merged {} into {}", r.merged.join(", "), r.kept);
            }
        }
        Command::Export(e) => {
            let filter = filter_of(&e.select, lib)?;
            let keys = match &e.aux {
                Some(aux) => {
                    let (items, missing) = lib.cited_items(aux)?;
                    for m in &missing {
                        eprintln!(
                            "folio: warning: {} cites {m}, which is not in the library",
                            aux.display()
                        );
                    }
                    lib.aux_add(aux)?;
                    if items.is_empty() {
                        bail!("{} cites nothing that is in the library", aux.display());
                    }
                    items.into_iter().map(|i| i.key).collect()
                }
                None => e.keys,
            };
            let sel = Selection { filter, keys };
            let ascii = if e.ascii {
                Some(true)
            } else if e.unicode {
                Some(false)
            } else {
                None
            };
            let opts = ExportOptions {
                format: e.format,
                ascii,
                omit_fields: e.omit,
            };
            let report = match &e.output {
                Some(path) => {
                    let r = lib.export_file(&sel, &opts, path)?;
                    eprintln!(
                        "exported {} item(s) to {}{}",
                        r.items,
                        path.display(),
                        if r.written { "" } else { " (unchanged)" }
                    );
                    r
                }
                None => {
                    let (text, r) = lib.export_text(&sel, &opts)?;
                    std::io::stdout().lock().write_all(text.as_bytes())?;
                    r
                }
            };
            for d in &report.diagnostics {
                eprintln!("{}: {}", d.severity.as_str(), d.message);
            }
        }
        Command::AutoExport(a) => match a {
            AutoExportCmd::Add {
                path,
                format,
                collection,
                recursive,
                tag,
                access,
                search,
                ascii,
                unicode,
                omit,
            } => {
                use folio::auto_export::{AutoExport, Scope};
                let scopes = [collection.is_some(), tag.is_some(), access.is_some(), search.is_some()];
                if scopes.iter().filter(|s| **s).count() > 1 {
                    bail!("choose one scope: --collection, --tag, --access or --search");
                }
                let scope = if let Some(c) = collection {
                    Scope::Collection {
                        id: lib.resolve_collection(&c)?,
                        recursive,
                    }
                } else if let Some(t) = tag {
                    Scope::Tag { name: t }
                } else if let Some(a) = access {
                    Scope::Access { status: a }
                } else if let Some(s) = search {
                    Scope::Search { name: s }
                } else {
                    Scope::Library
                };
                let ascii = if ascii {
                    Some(true)
                } else if unicode {
                    Some(false)
                } else {
                    None
                };
                let export = AutoExport {
                    path: path.to_string_lossy().into_owned(),
                    format: format.as_str().to_string(),
                    scope,
                    ascii,
                    omit_fields: omit,
                };
                let r = lib.auto_export_add(export)?;
                match r.error {
                    Some(e) => eprintln!("folio: warning: registered, but writing {} failed: {e}", r.path),
                    None => eprintln!("auto-export {} written ({} items)", r.path, r.items),
                }
            }
            AutoExportCmd::List { json } => {
                let list = lib.auto_exports()?;
                if json {
                    print_json(&serde_json::Value::Array(
                        list.iter()
                            .map(|s| {
                                json!({"path": s.export.path, "format": s.export.format,
                                       "scope": lib.scope_label(&s.export.scope), "last_run_at": s.last_run_at,
                                       "items": s.items, "last_error": s.last_error})
                            })
                            .collect(),
                    ))?;
                } else {
                    for s in list {
                        println!(
                            "{}  {} of {}{}",
                            s.export.path,
                            s.export.format,
                            lib.scope_label(&s.export.scope),
                            s.last_error.map(|e| format!("  FAILED: {e}")).unwrap_or_default()
                        );
                    }
                }
            }
            AutoExportCmd::Remove { path } => lib.auto_export_remove(&path.to_string_lossy())?,
            AutoExportCmd::Run => {
                let results = lib.sync_auto_exports()?;
                let mut failed = 0;
                for r in &results {
                    match &r.error {
                        Some(e) => {
                            failed += 1;
                            eprintln!("{}: FAILED: {e}", r.path)
                        }
                        None => eprintln!(
                            "{}: {} items{}",
                            r.path,
                            r.items,
                            if r.written { ", written" } else { ", unchanged" }
                        ),
                    }
                }
                if failed > 0 {
                    bail!("{failed} auto-export(s) failed");
                }
            }
        },
        Command::Aux(a) => match a {
            AuxCmd::Add { path } => lib.aux_add(&path)?,
            AuxCmd::Remove { path } => lib.aux_remove(&path)?,
            AuxCmd::List => {
                for p in lib.aux_files()? {
                    println!("{p}");
                }
            }
        },
        Command::Cite {
            keys,
            command,
            style,
            in_text,
        } => {
            let items: Vec<Item> = keys.iter().map(|k| lib.get(k)).collect::<Result<_, _>>()?;
            if let Some(style) = style {
                if in_text {
                    println!(
                        "{}",
                        folio::cite::format_citation(&items, style).map_err(|e| anyhow!(e))?
                    );
                } else {
                    for r in folio::cite::format_references(&items, style).map_err(|e| anyhow!(e))? {
                        println!("{r}");
                    }
                }
                return Ok(());
            }
            let cmd = command.trim_start_matches('\\');
            if cmd.is_empty() || !cmd.chars().all(|c| c.is_ascii_alphabetic() || c == '*') {
                bail!("invalid LaTeX command {command:?}");
            }
            println!("\\{cmd}{{{}}}", keys.join(","));
        }
        Command::Info { json } => {
            let live = lib.count(&Filter::default())?;
            let trash = lib.count(&Filter {
                trash: true,
                ..Default::default()
            })?;
            let v = json!({
                "library": path.display().to_string(),
                "schema_version": folio::store::schema_version(),
                "items": live,
                "trash": trash,
                "collections": lib.collection_tree()?.len(),
                "tags": lib.tag_list()?.len(),
                "key_pattern": lib.key_pattern()?,
            });
            if json {
                print_json(&v)?;
            } else {
                println!(
                    "library      {}\nitems        {live}\ntrash        {trash}\nkey pattern  {}",
                    path.display(),
                    lib.key_pattern()?
                );
            }
        }
    }
    Ok(())
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let result = run(cli);
    if std::env::var_os("FOLIO_TRACE").is_some() {
        // Peak resident memory of this process (Linux), for the benchmarks.
        if let Some(kb) = std::fs::read_to_string("/proc/self/status").ok().and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        }) {
            eprintln!("trace: peak memory: {:.1} MB", kb as f64 / 1024.0);
        }
    }
    if let Err(e) = result {
        // A closed pipe (`folio list | head`) is not an error.
        if e.chain().any(|c| {
            c.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        }) {
            std::process::exit(0);
        }
        eprintln!("folio: error: {e:#}");
        std::process::exit(1);
    }
}
