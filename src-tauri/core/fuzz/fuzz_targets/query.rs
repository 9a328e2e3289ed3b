//! See `folio::fuzzing::query` for what is checked.
#![no_main]
use libfuzzer_sys::fuzz_target;

thread_local! {
    static LIB: folio::Library = folio::fuzzing::query_library();
}

fuzz_target!(|data: &[u8]| LIB.with(|lib| folio::fuzzing::query(lib, data)));
