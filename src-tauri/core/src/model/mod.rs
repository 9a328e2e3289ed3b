//! Plain data: no IO, no SQL, and nothing of Folio outside this module. Everything else builds
//! on these types.

mod abstracts;
mod access;
mod attachment;
pub mod citekey;
mod creator;
mod date;
pub mod fields;
mod fingerprint;
mod hash;
mod item;
mod item_type;
mod tag;

pub use abstracts::{known_headings, Abstract, AbstractSection};
pub use access::{Access, AccessStatus};
pub use attachment::{mime_of, Attachment, AttachmentKind, FulltextState};
pub use creator::{split_particle, Creator, Name, Role};
pub use date::{month_abbrev, month_from_str, month_name, PartialDate};
pub use fields::{Field, Kind, TextSlot, DETAIL_FIELDS, FIELDS, TEXT_FIELDS};
pub use hash::{fnv1a, Fnv64};
pub use item::{is_issn, is_tag_name, normalize_doi, ExtraField, Item, ItemId, Origin, SourceRecord};
pub use item_type::{ItemType, TypeInfo};
pub use tag::{split_keywords, split_keywords_with, ItemTag, TagSource};
