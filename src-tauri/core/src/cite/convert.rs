//! Item → hayagriva `Entry`: the mapping of Folio's model onto hayagriva's entry tree.
//!
//! hayagriva models containment with parents: an article is an `Article` whose parent is a
//! `Periodical` (journal title, volume, issue); a chapter is a `Chapter` in a `Book` (book
//! title, editors, edition, publisher); a conference paper is an `Article` in `Proceedings`.
//! The CSL variables (container-title, volume, editor, publisher…) are read from the parent
//! where hayagriva looks for them, so fields are placed accordingly.

use crate::model::{Creator, Item, ItemType, Name, PartialDate, Role};
use hayagriva::types::{
    Date, EntryType, FormatString, MaybeTyped, Numeric, PageRanges, Person, PersonRole, PersonsWithRoles, Publisher,
    QualifiedUrl,
};
use hayagriva::Entry;

/// How an item type is laid out in hayagriva: the entry's own type and, when the item lives
/// in a container, the container's type.
fn layout(ty: ItemType) -> (EntryType, Option<EntryType>) {
    use EntryType as E;
    match ty {
        ItemType::Article | ItemType::MagazineArticle => (E::Article, Some(E::Periodical)),
        ItemType::NewspaperArticle => (E::Article, Some(E::Newspaper)),
        ItemType::Book | ItemType::Booklet => (E::Book, None),
        ItemType::InBook | ItemType::InCollection => (E::Chapter, Some(E::Book)),
        // A conference paper is a chapter of its proceedings volume. (As an `Article` in
        // `Proceedings`, hayagriva resolves the proceedings title as both container-title
        // and volume-title, and Chicago prints it twice as a "special issue"; a chapter
        // gives APA 7's form for proceedings published as a book.)
        ItemType::InProceedings => (E::Chapter, Some(E::Book)),
        ItemType::Proceedings => (E::Proceedings, None),
        // An edited book. (hayagriva's `Anthology` is CSL "collection", which APA prints as an
        // archival collection.)
        ItemType::Collection => (E::Book, None),
        ItemType::Reference => (E::Reference, None),
        ItemType::Thesis | ItemType::PhdThesis | ItemType::MastersThesis => (E::Thesis, None),
        ItemType::Report | ItemType::Standard => (E::Report, None),
        ItemType::Manual => (E::Reference, None),
        ItemType::Online => (E::Web, None),
        ItemType::Unpublished => (E::Manuscript, None),
        ItemType::Dataset | ItemType::Software => (E::Repository, None),
        ItemType::Patent => (E::Patent, None),
        ItemType::Periodical => (E::Periodical, None),
        ItemType::Audiovisual => (E::Video, None),
        ItemType::Case => (E::Case, None),
        ItemType::Legislation => (E::Legislation, None),
        ItemType::Map => (E::Artwork, None),
        ItemType::Presentation => (E::Misc, None),
        ItemType::Misc | ItemType::Letter | ItemType::Interview => (E::Misc, None),
    }
}

fn text(s: &str) -> Option<FormatString> {
    let t = s.trim();
    (!t.is_empty()).then(|| FormatString::with_value(t))
}

fn numeric(s: &str) -> Option<MaybeTyped<Numeric>> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.parse().unwrap_or_else(|_| MaybeTyped::String(t.to_string())))
}

/// Pages as a page range ("1-14", "1--14", "1–14", "e123", "5, 7-9"); anything hayagriva
/// cannot read as ranges is kept as text.
fn pages(s: &str) -> Option<MaybeTyped<PageRanges>> {
    let t = s.trim().replace("--", "-").replace('—', "-");
    if t.is_empty() {
        return None;
    }
    Some(match t.parse::<PageRanges>() {
        Ok(r) if !r.ranges.is_empty() => MaybeTyped::Typed(r),
        _ => MaybeTyped::String(t),
    })
}

/// Folio months and days are 1-based, hayagriva's are 0-based. A date without a year is no
/// date (the styles then print "n.d." or similar).
pub(crate) fn date(d: &PartialDate) -> Option<Date> {
    let year = d.year?;
    let month = d.month.filter(|m| (1..=12).contains(m)).map(|m| m - 1);
    let day = month.and(d.day.filter(|d| (1..=31).contains(d)).map(|d| d - 1));
    Some(Date {
        year,
        month,
        day,
        approximate: false,
        season: None,
    })
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A creator as a hayagriva person. Literal names (organisations) have only a family name,
/// which hayagriva treats as institutional (never abbreviated or inverted). `None` for a
/// creator whose name is empty.
pub(crate) fn person(c: &Creator) -> Option<Person> {
    match &c.name {
        Name::Literal { literal } => Some(Person {
            name: non_empty(literal)?,
            given_name: None,
            prefix: None,
            suffix: None,
            comma_suffix: false,
            alias: None,
        }),
        Name::Person {
            family,
            given,
            particle,
            suffix,
        } => {
            let (family, given) = match (non_empty(family), non_empty(given)) {
                (Some(f), g) => (f, g),
                // Only a given name: print it as the name rather than dropping the creator.
                (None, Some(g)) => (g, None),
                (None, None) => return None,
            };
            // The particle joins the family name: hayagriva then recognises it as a
            // non-dropping particle ("van der Berg, J." in APA, as citeproc-js does for
            // Zotero), matching Folio's own "van der Berg, Jan" display.
            let name = match non_empty(particle) {
                Some(p) => format!("{p} {family}"),
                None => family,
            };
            Some(Person {
                name,
                given_name: given,
                prefix: None,
                suffix: non_empty(suffix),
                comma_suffix: false,
                alias: None,
            })
        }
    }
}

fn people(item: &Item, role: Role) -> Vec<Person> {
    item.creators_with(role).filter_map(person).collect::<Vec<_>>()
}

/// A BCP 47 tag for the item's language: a code as stored ("en", "en-GB", "de") or a few
/// common English language names.
fn language_tag(lang: &str) -> Option<String> {
    let l = lang.trim().to_ascii_lowercase().replace('_', "-");
    let named = match l.as_str() {
        "english" => "en",
        "german" | "deutsch" => "de",
        "french" | "français" => "fr",
        "dutch" | "nederlands" => "nl",
        "spanish" | "español" => "es",
        "italian" => "it",
        "portuguese" => "pt",
        _ => "",
    };
    if !named.is_empty() {
        return Some(named.to_string());
    }
    let mut parts = l.split('-');
    let primary = parts.next()?;
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    ok.then_some(l)
}

/// The APA 7 wording for a thesis without an explicit genre.
fn thesis_genre(ty: ItemType) -> Option<&'static str> {
    match ty {
        ItemType::PhdThesis => Some("Doctoral dissertation"),
        ItemType::MastersThesis => Some("Master's thesis"),
        _ => None,
    }
}

/// Convert an item. `key` must be unique within one formatting run. With
/// `omit_publisher_if_author` (APA 7 §9.24) a publisher that is the same as the only author
/// (a group author publishing its own work) is left out.
pub(crate) fn entry(item: &Item, key: &str, omit_publisher_if_author: bool) -> Entry {
    let (own_type, parent_type) = layout(item.item_type);
    let mut e = Entry::new(key, own_type);
    let mut parent = parent_type.map(|t| Entry::new(key, t));

    // Titles: the main title carries the subtitle ("Title: Subtitle") and the short title.
    let full = item.full_title();
    if let Some(mut title) = text(&full) {
        if let Some(short) = text(&item.short_title) {
            title.short = Some(Box::new(short.value));
        }
        e.set_title(title);
    }
    set_creators(item, &mut e, parent.as_mut());
    if let Some(d) = date(&item.date) {
        e.set_date(d);
    }
    let series_number = set_container(item, key, &mut e, parent.as_mut());
    if let Some(p) = pages(&item.pages) {
        e.set_page_range(p);
    }
    set_publisher(item, omit_publisher_if_author, &mut e, parent.as_mut());
    set_series(item, key, series_number, &mut e, parent.as_mut());
    set_identifiers(item, &mut e);
    if let Some(p) = parent {
        let mut ps = vec![p];
        ps.extend(e.parents().iter().cloned());
        e.set_parents(ps);
    }
    e
}

fn set_creators(item: &Item, e: &mut Entry, mut parent: Option<&mut Entry>) {
    // Creators. Authors (inventors for patents when there are no authors) are the item's own;
    // editors belong to the container when there is one (the book of a chapter, the
    // proceedings of a paper), so the styles print "In E. Editor (Ed.), Book".
    let mut authors = people(item, Role::Author);
    if authors.is_empty() {
        authors = people(item, Role::Inventor);
    }
    if !authors.is_empty() {
        e.set_authors(authors);
    }
    let editors = people(item, Role::Editor);
    if !editors.is_empty() {
        match parent.as_mut() {
            Some(p) if matches!(p.entry_type(), EntryType::Book | EntryType::Proceedings) => p.set_editors(editors),
            _ => e.set_editors(editors),
        }
    }
    let book_authors = people(item, Role::BookAuthor);
    if let Some(p) = parent.as_mut().filter(|_| !book_authors.is_empty()) {
        p.set_authors(book_authors);
    }
    let mut affiliated = Vec::new();
    for (role, hrole) in [
        (Role::Translator, PersonRole::Translator),
        (Role::Contributor, PersonRole::Collaborator),
        (Role::Director, PersonRole::Director),
        (Role::Annotator, PersonRole::Annotator),
        (Role::Commentator, PersonRole::Commentator),
    ] {
        let names = people(item, role);
        if !names.is_empty() {
            affiliated.push(PersonsWithRoles::new(names, hrole));
        }
    }
    if !affiliated.is_empty() {
        e.set_affiliated(affiliated);
    }
}

/// Returns the volume's number within a series, for a stand-alone work in one.
fn set_container(item: &Item, key: &str, e: &mut Entry, mut parent: Option<&mut Entry>) -> Option<MaybeTyped<Numeric>> {
    // Container data: title, volume and issue go on the journal/book/proceedings; the item
    // keeps its own pages.
    let container = text(&item.container);
    let volume = numeric(&item.volume);
    let issue = numeric(&item.issue);
    let edition = numeric(&item.edition);
    let mut series_number = None;
    match parent.as_mut() {
        Some(p) => {
            if let Some(t) = container {
                p.set_title(t);
            }
            if let Some(v) = volume {
                p.set_volume(v);
            }
            if let Some(i) = issue {
                p.set_issue(i);
            }
            if let Some(ed) = edition {
                p.set_edition(ed);
            }
        }
        None => {
            // A stand-alone work: "container" is at most a series or website name. In a
            // series, the volume is the number within the series (CSL collection-number);
            // on the work itself hayagriva would also read it as part and chapter number.
            if let Some(v) = volume {
                if item.series.trim().is_empty() {
                    e.set_volume(v);
                } else {
                    series_number = Some(v);
                }
            }
            if let Some(i) = issue {
                if matches!(e.entry_type(), EntryType::Report | EntryType::Patent) {
                    e.set_keyed_serial_number("serial", i.to_string());
                } else {
                    e.set_issue(i);
                }
            }
            if let Some(ed) = edition {
                e.set_edition(ed);
            }
            // A web page's "container" is the website's name.
            if let Some(t) = container.filter(|_| matches!(e.entry_type(), EntryType::Web)) {
                let mut site = Entry::new(key, EntryType::Web);
                site.set_title(t);
                e.set_parents(vec![site]);
            }
        }
    }
    series_number
}

fn set_publisher(item: &Item, omit_publisher_if_author: bool, e: &mut Entry, mut parent: Option<&mut Entry>) {
    // Publisher and place. Theses and reports are "published" by their institution in CSL.
    let publisher_name = text(&item.publisher).or_else(|| {
        matches!(e.entry_type(), EntryType::Thesis | EntryType::Report)
            .then(|| text(&item.institution))
            .flatten()
    });
    let publisher_name = publisher_name.filter(|p| {
        let authors: Vec<_> = item.creators_with(Role::Author).collect();
        !(omit_publisher_if_author
            && authors.len() == 1
            && authors[0]
                .display_natural()
                .trim()
                .eq_ignore_ascii_case(&p.value.to_str()))
    });
    let place = text(&item.place);
    if publisher_name.is_some() || place.is_some() {
        let publisher = Publisher::new(publisher_name, place);
        match parent.as_mut() {
            Some(p) if matches!(p.entry_type(), EntryType::Book | EntryType::Proceedings) => p.set_publisher(publisher),
            _ => e.set_publisher(publisher),
        }
    }
    if !matches!(e.entry_type(), EntryType::Thesis | EntryType::Report) || !item.publisher.trim().is_empty() {
        if let Some(org) = text(&item.institution) {
            e.set_organization(org);
        }
    }
}

fn set_series(
    item: &Item,
    key: &str,
    series_number: Option<MaybeTyped<Numeric>>,
    e: &mut Entry,
    parent: Option<&mut Entry>,
) {
    // Series: a collection parent of the same type (CSL collection-title).
    if let Some(series) = text(&item.series) {
        let holder: &mut Entry = match parent {
            Some(p) => p,
            None => e,
        };
        let mut s = Entry::new(key, *holder.entry_type());
        s.set_title(series);
        if let Some(n) = series_number {
            s.set_volume(n);
        }
        let mut ps = holder.parents().to_vec();
        ps.push(s);
        holder.set_parents(ps);
    }
}

fn set_identifiers(item: &Item, e: &mut Entry) {
    // Identifiers.
    if let Some(doi) = non_empty(&item.doi) {
        e.set_doi(crate::model::normalize_doi(&doi));
    }
    // hayagriva reads ISBN and ISSN off the cited entry itself, not its parents.
    if let Some(isbn) = non_empty(&item.isbn) {
        e.set_isbn(isbn);
    }
    if let Some(issn) = non_empty(&item.issn) {
        e.set_issn(issn);
    }
    if let Some(url) = non_empty(&item.url) {
        if let Ok(u) = url.parse::<QualifiedUrl>() {
            e.set_url(u);
        }
    }
    // Language: styles title-case only English titles, so an unreadable language is left out
    // rather than guessed.
    if let Some(l) = language_tag(&item.language).and_then(|t| t.parse().ok()) {
        e.set_language(l);
    }

    // Genre: only where styles print it (thesis type, report type…); a journal's content
    // type such as "Research Article" is not part of a reference.
    if !matches!(
        e.entry_type(),
        EntryType::Article | EntryType::Chapter | EntryType::Book
    ) {
        if let Some(g) = text(&item.genre).or_else(|| thesis_genre(item.item_type).map(FormatString::with_value)) {
            e.set_genre(g);
        }
    }
    // `note` is not mapped: in Folio it is often a personal annotation, and styles that print
    // CSL `note` would put it into the reference.
}
