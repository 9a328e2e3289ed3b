//! The core's one integration-test binary: store, migrations, collections, tags, access,
//! search, undo/redo, import/export plumbing and the CLI end to end, on temporary libraries.

mod access;
mod app;
mod attachments;
mod cli;
mod cli_json;
mod collections;
mod csl;
mod duplicates;
mod export_validity;
mod fields;
mod filelinks;
mod formats;
mod fuzz;
mod hostile_files;
mod hostile_records;
mod hostile_text;
mod isolated;
mod latex_compile;
mod matrix;
mod migrations;
mod pdf;
mod pdf_import;
mod pg;
mod reliability;
mod search;
mod serve;
mod store;
mod styles;
mod support;
mod tags;
mod tex;
mod tidy;
mod undo;
mod versions;
mod workflow;
