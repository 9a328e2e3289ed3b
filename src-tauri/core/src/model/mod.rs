//! Plain data: no IO, no SQL. Everything else builds on these types.

mod abstracts;
mod access;
mod creator;
mod date;
mod item;
mod item_type;
mod tag;

pub use abstracts::{known_headings, Abstract, AbstractSection};
pub use access::{Access, AccessStatus};
pub use creator::{split_particle, Creator, Name, Role};
pub use date::{month_abbrev, month_from_str, month_name, PartialDate};
pub use item::{fnv1a, normalize_doi, ExtraField, Item, ItemId, SourceRecord, DETAIL_FIELDS, TEXT_FIELDS};
pub use item_type::{ItemType, TypeInfo};
pub use tag::{split_keywords, ItemTag, TagSource};
