//! Merging one item into another: the kept item gains every field it lacks; conflicts are
//! reported, never silently overwritten.

use crate::model::{Item, ItemTag, TagSource};

/// A field both items have with different values; the kept item's value stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub field: String,
    pub kept: String,
    pub other: String,
}

fn same(a: &str, b: &str) -> bool {
    crate::text::fold(a) == crate::text::fold(b)
}

/// Merge `other` into `keep`. Returns the conflicting fields.
pub fn merge_into(keep: &mut Item, other: &Item) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for f in crate::model::TEXT_FIELDS.iter().filter(|f| **f != "key") {
        let mine = keep.get(f).unwrap_or_default();
        let theirs = other.get(f).unwrap_or_default();
        if theirs.is_empty() {
            continue;
        }
        if mine.is_empty() {
            keep.set(f, &theirs)
                .expect("a value read from an item can be set again");
        } else if !same(&mine, &theirs) {
            conflicts.push(Conflict {
                field: f.to_string(),
                kept: mine,
                other: theirs,
            });
        }
    }
    if keep.date.year.is_none() && other.date.year.is_some() {
        keep.date = other.date.clone();
    } else if keep.date.year.is_some() && other.date.year.is_some() && keep.date.iso() != other.date.iso() {
        // Fill a missing month/day from the other when the years agree.
        if keep.date.year == other.date.year && keep.date.month.is_none() && other.date.month.is_some() {
            keep.date = other.date.clone();
        } else if keep.date.year != other.date.year {
            conflicts.push(Conflict {
                field: "date".into(),
                kept: keep.date.iso(),
                other: other.date.iso(),
            });
        }
    }
    if keep.creators.is_empty() {
        keep.creators = other.creators.clone();
    } else if !other.creators.is_empty() {
        // Roles the kept item lacks (e.g. editors) are added.
        for c in &other.creators {
            if !keep.creators.iter().any(|k| k.role == c.role) {
                let role = c.role;
                keep.creators
                    .extend(other.creators.iter().filter(|o| o.role == role).cloned());
            }
        }
    }
    if keep.r#abstract.is_empty() && !other.r#abstract.is_empty() {
        keep.r#abstract = other.r#abstract.clone();
    }
    for t in &other.tags {
        match keep
            .tags
            .iter_mut()
            .find(|k| k.name.to_lowercase() == t.name.to_lowercase())
        {
            Some(k) => {
                if t.source == TagSource::Manual {
                    k.source = TagSource::Manual;
                }
            }
            None => keep.tags.push(ItemTag {
                name: t.name.clone(),
                source: t.source,
            }),
        }
    }
    // The more open status wins only when a source vouches for it.
    if other.access.status.openness() > keep.access.status.openness() && !other.access.source.is_empty() {
        keep.access = other.access.clone();
    }
    for f in &other.extra {
        match keep.extra.iter().find(|k| k.name.eq_ignore_ascii_case(&f.name)) {
            Some(k) if k.value != f.value => conflicts.push(Conflict {
                field: f.name.clone(),
                kept: k.value.clone(),
                other: f.value.clone(),
            }),
            Some(_) => {}
            None => keep.extra.push(f.clone()),
        }
    }
    conflicts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Abstract, Access, AccessStatus, Creator, ExtraField, ItemType, PartialDate, Role};

    #[test]
    fn fills_gaps_unites_tags_and_reports_conflicts() {
        let mut keep = Item::new(ItemType::Article, "Title");
        keep.creators.push(Creator::person(Role::Author, "Doe", "J."));
        keep.volume = "3".into();
        keep.tags.push(ItemTag::imported("a"));
        keep.access = Access::new(AccessStatus::Restricted, "results-text:badge");
        let mut other = Item::new(ItemType::Article, "TITLE");
        other.creators.push(Creator::person(Role::Author, "Doe", "Jane"));
        other.creators.push(Creator::person(Role::Editor, "Ed", "E."));
        other.volume = "4".into();
        other.issue = "2".into();
        other.date = PartialDate::parse("2020-05");
        other.r#abstract = Abstract::plain("Text");
        other.tags = vec![ItemTag::manual("A"), ItemTag::imported("b")];
        other.access = Access::new(AccessStatus::Open, "bibtex:oa");
        other.extra.push(ExtraField::bibtex("eprint".into(), "1".into()));
        let c = merge_into(&mut keep, &other);
        assert_eq!(
            c,
            vec![Conflict {
                field: "volume".into(),
                kept: "3".into(),
                other: "4".into()
            }]
        );
        assert_eq!(keep.issue, "2");
        assert_eq!(keep.date.iso(), "2020-05");
        assert_eq!(keep.creators.len(), 2);
        assert_eq!(keep.creators[0].given(), "J.");
        assert_eq!(keep.r#abstract, Abstract::plain("Text"));
        assert_eq!(keep.tags, vec![ItemTag::manual("a"), ItemTag::imported("b")]);
        assert_eq!(keep.access.status, AccessStatus::Open);
        assert_eq!(keep.extra.len(), 1);
        // An unsourced "open" does not override.
        let mut k2 = Item::new(ItemType::Article, "x");
        k2.access = Access::new(AccessStatus::Restricted, "user");
        let mut o2 = Item::new(ItemType::Article, "x");
        o2.access = Access::new(AccessStatus::Open, "");
        merge_into(&mut k2, &o2);
        assert_eq!(k2.access.status, AccessStatus::Restricted);
    }
}
