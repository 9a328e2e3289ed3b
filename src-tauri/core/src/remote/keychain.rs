//! A shared library's password in the operating system's keychain (the `keyring` crate):
//! the macOS Keychain, the Windows Credential Manager, or the Secret Service on Linux and the
//! BSDs (GNOME Keyring, KWallet), so a member types it once and later syncs (the CLI's, the
//! app's background sync) find it. The library file never holds it.
//!
//! An entry is named by the service [`SERVICE`] and the account `user@host:port/database`,
//! so two libraries on the same server and role share one entry, as `~/.pgpass` lines do.

use crate::error::{Error, Result};

/// The keychain service name of every entry Folio keeps.
pub const SERVICE: &str = "Folio shared library";

/// The account an address's password is kept under: `user@host:port/database`.
pub fn account(user: &str, host: &str, port: &str, database: &str) -> String {
    format!("{user}@{host}:{port}/{database}")
}

fn entry(account: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, account).map_err(unavailable)
}

fn unavailable(e: keyring::Error) -> Error {
    Error::InvalidInput(format!("the OS keychain cannot be used: {e}"))
}

/// Keep `password` for `account`, replacing what was kept. An error says why the keychain
/// cannot be used (no Secret Service on a headless machine, a locked keychain the user did
/// not open).
pub fn store(account: &str, password: &str) -> Result<()> {
    entry(account)?.set_password(password).map_err(unavailable)
}

/// The password kept for `account`, if any. A keychain that cannot be reached counts as
/// holding none: the caller falls back to `~/.pgpass`, as libpq does.
pub fn read(account: &str) -> Option<String> {
    entry(account).ok()?.get_password().ok()
}

/// Forget the password kept for `account`; whether there was one.
pub fn forget(account: &str) -> Result<bool> {
    match entry(account)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(unavailable(e)),
    }
}
