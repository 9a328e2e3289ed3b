//! Items: add, edit, show, list, delete, restore, trash.

use crate::output::{item_json, items_json_by_id, print_item_text, print_json, truncate};
use crate::select::{filter_of, SelectArgs};
use anyhow::{anyhow, Result};
use clap::{Args, Subcommand};
use folio::export::ExportOptions;
use folio::format::Format;
use folio::model::{AccessStatus, Creator, Item, ItemTag, ItemType, Role};
use folio::store::search::{Filter, Sort};
use folio::Library;
use std::io::Write;

// Parsed once per run: boxing the larger argument structs would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
pub enum Cmd {
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
        /// Show as bibtex, biblatex, ris, json, csljson, cslyaml or hayagriva instead.
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
}

#[derive(Args)]
pub struct AddArgs {
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

#[derive(Args)]
pub struct ListArgs {
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

pub fn run(lib: &mut Library, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Add(a) => add(lib, a)?,
        Cmd::Edit { key, set, json, force } => {
            let item = lib.edit(&key, &parse_assignments(&set)?, force)?;
            print_item_or_key(lib, &item, json)?;
        }
        Cmd::Show { keys, json, format } => show(lib, &keys, json, format)?,
        Cmd::List(l) => list(lib, l)?,
        Cmd::Delete { keys } => {
            let n = lib.delete(&keys)?;
            eprintln!("moved {n} item(s) to the trash");
        }
        Cmd::Restore { keys } => {
            let n = lib.restore(&keys)?;
            eprintln!("restored {n} item(s)");
        }
        Cmd::Trash { empty, json } => trash(lib, empty, json)?,
    }
    Ok(())
}

/// The item as JSON with `--json`, else its key.
fn print_item_or_key(lib: &Library, item: &Item, json: bool) -> Result<()> {
    if json {
        print_json(&item_json(lib, item)?)?;
    } else {
        println!("{}", item.key);
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

/// The item `folio add` describes (before it has a key or an id).
fn new_item(a: &AddArgs) -> Result<Item> {
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
    Ok(item)
}

fn add(lib: &mut Library, a: AddArgs) -> Result<()> {
    let item = lib.add_in(new_item(&a)?, a.collection.as_deref())?;
    print_item_or_key(lib, &item, a.json)
}

fn show(lib: &Library, keys: &[String], json: bool, format: Option<Format>) -> Result<()> {
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
        (None, true) => print_json(&items.iter().map(|i| item_json(lib, i)).collect::<Result<Vec<_>>>()?)?,
        (None, false) => {
            for i in &items {
                print_item_text(lib, i)?;
            }
        }
    }
    Ok(())
}

fn list(lib: &Library, l: ListArgs) -> Result<()> {
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
        return print_json(&items_json_by_id(lib, rows.iter().map(|r| r.id))?);
    }
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
    Ok(())
}

fn trash(lib: &mut Library, empty: bool, json: bool) -> Result<()> {
    if empty {
        let n = lib.empty_trash()?;
        eprintln!("removed {n} item(s) for good (undo brings them back)");
        return Ok(());
    }
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
        print_json(&items_json_by_id(lib, rows.iter().map(|r| r.id))?)?;
    } else {
        for r in rows {
            println!("{:<24} {}", r.key, r.title);
        }
    }
    Ok(())
}
