//! See `folio::fuzzing::bibtex` for what is checked. An input starting with
//! `folio::fuzzing::SHAPED` (0xFE) is read as one of the pathological shapes of
//! `folio::fuzzing::SHAPES` (`folio::fuzzing::input`), its payload spliced in; any other input
//! is checked as it is.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| folio::fuzzing::run("bibtex", data));
