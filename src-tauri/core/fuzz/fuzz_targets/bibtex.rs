//! See `folio::fuzzing::bibtex` for what is checked.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| folio::fuzzing::bibtex(data));
