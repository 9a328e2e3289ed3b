// Prevents an extra console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Imports run in a second copy of this program (see `ops::import_files`), so that a reader
    // which aborts on a hostile file cannot take the window down.
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == folio::app::isolated::WORKER_ARG)
    {
        std::process::exit(folio::app::isolated::serve_stdio());
    }
    // PDFs are read in a second copy of this program too (`folio::pdf::read_isolated`), with
    // limits on its time and memory.
    if std::env::args_os().nth(1).is_some_and(|a| a == folio::pdf::WORKER_ARG) {
        std::process::exit(match folio::pdf::worker_main() {
            c if c == std::process::ExitCode::SUCCESS => 0,
            _ => 1,
        });
    }
    folio_desktop::run();
}
