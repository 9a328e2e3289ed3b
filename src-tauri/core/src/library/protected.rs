//! Citation keys a paper depends on (cited in a registered `.aux` file, or exported by an
//! auto-export), which edits and key changes refuse to change unless forced.

use super::Library;
use crate::error::{Error, ProtectedKey, Result};
use crate::store::search::Sort;
use std::collections::BTreeMap;
use std::path::Path;

impl Library {
    /// Keys that a paper depends on, with why: cited in a registered `.aux` file, or exported
    /// by an auto-export.
    pub fn protected_keys(&self) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for aux in self.aux_files()? {
            if let Ok(c) = crate::aux::read_aux(Path::new(&aux)) {
                for k in c.keys {
                    out.entry(k).or_insert_with(|| format!("cited in {aux}"));
                }
            }
        }
        for e in self.auto_exports()? {
            if let Ok(f) = self.scope_filter(&e.export.scope) {
                for id in self.ids(&f, Sort::default())? {
                    let it = self.get_by_id(id)?;
                    out.entry(it.key)
                        .or_insert_with(|| format!("exported to {}", e.export.path));
                }
            }
        }
        Ok(out)
    }

    /// Refuse to change protected keys unless forced.
    pub(crate) fn check_key_changes(&self, old_keys: &[String], force: bool) -> Result<()> {
        if force || old_keys.is_empty() {
            return Ok(());
        }
        let protected = self.protected_keys()?;
        let hits: Vec<ProtectedKey> = old_keys
            .iter()
            .filter_map(|k| {
                protected.get(k).map(|why| ProtectedKey {
                    key: k.clone(),
                    reason: why.clone(),
                })
            })
            .collect();
        if hits.is_empty() {
            Ok(())
        } else {
            Err(Error::ProtectedKeys(hits))
        }
    }
}
