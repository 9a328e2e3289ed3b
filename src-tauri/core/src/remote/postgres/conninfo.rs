//! The connection URL: libpq's `postgresql://` URLs (or `key=value` strings) as tokio-postgres
//! reads them, plus the TLS settings it does not (`sslmode=verify-ca`/`verify-full`,
//! `sslrootcert`), and the server's name for messages, without the password.

use super::tls::{Check, Rustls};
use crate::error::{Error, Result};
use percent_encoding::percent_decode_str;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::Config;

/// Where and how to connect.
#[derive(Clone)]
pub struct ConnInfo {
    pub config: Config,
    /// `None`: no TLS (`sslmode=disable`).
    pub tls: Option<Rustls>,
    /// `postgresql://user@host:port/db`, for messages.
    pub server: String,
}

impl ConnInfo {
    /// Reads `url`; `password`, when given, replaces the URL's.
    pub fn parse(url: &str, password: Option<&str>, timeout: Duration) -> Result<ConnInfo> {
        let (rest, mode, root_cert) = take_tls_options(url.trim())?;
        let mut config = Config::from_str(&rest)
            .map_err(|e| Error::InvalidInput(format!("not a PostgreSQL connection URL: {e}")))?;
        if let Some(p) = password {
            config.password(p);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(timeout);
        }
        config.keepalives_idle(Duration::from_secs(30));
        if config.get_application_name().is_none() {
            config.application_name("folio");
        }
        let check = match mode.as_str() {
            "disable" | "allow" | "prefer" | "require" => Check::Nothing,
            "verify-ca" => Check::Chain,
            "verify-full" => Check::Full,
            other => {
                return Err(Error::InvalidInput(format!(
                    "sslmode={other}: expected disable, allow, prefer, require, verify-ca or verify-full"
                )))
            }
        };
        config.ssl_mode(match mode.as_str() {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            _ => SslMode::Require,
        });
        let tls = if mode == "disable" {
            None
        } else {
            Some(Rustls::new(check, root_cert.as_deref()).map_err(|e| Error::InvalidInput(format!("TLS: {e}")))?)
        };
        let server = describe(&config);
        Ok(ConnInfo { config, tls, server })
    }
}

/// `postgresql://user@host:port/db`.
fn describe(config: &Config) -> String {
    let user = config.get_user().unwrap_or("");
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) if h.contains(':') => format!("[{h}]"),
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let db = config.get_dbname().unwrap_or(user);
    let at = if user.is_empty() {
        String::new()
    } else {
        format!("{user}@")
    };
    format!("postgresql://{at}{host}:{port}/{db}")
}

/// Takes `sslmode` and `sslrootcert` out of the URL (tokio-postgres knows neither
/// `verify-*` nor root files): the rest, the mode (libpq's default `prefer`) and the file.
fn take_tls_options(url: &str) -> Result<(String, String, Option<PathBuf>)> {
    let mut mode = None;
    let mut root = None;
    let mut take = |key: &str, value: String| match key {
        "sslmode" => {
            mode = Some(value);
            true
        }
        "sslrootcert" => {
            root = Some(PathBuf::from(value));
            true
        }
        _ => false,
    };
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match url.split_once('?') {
            None => url.to_string(),
            Some((base, query)) => {
                let mut kept = Vec::new();
                for pair in query.split('&').filter(|p| !p.is_empty()) {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    let value = percent_decode_str(v).decode_utf8_lossy().into_owned();
                    if !take(k, value) {
                        kept.push(pair);
                    }
                }
                if kept.is_empty() {
                    base.to_string()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
        }
    } else {
        let mut kept = Vec::new();
        for token in url.split_whitespace() {
            let taken = match token.split_once('=') {
                Some((k, v)) => take(k.trim(), v.trim_matches('\'').to_string()),
                None => false,
            };
            if !taken {
                kept.push(token);
            }
        }
        kept.join(" ")
    };
    let mode = mode.unwrap_or_else(|| "prefer".into());
    Ok((rest, mode, root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_options_are_taken_out_and_the_password_never_shown() {
        let i = ConnInfo::parse(
            "postgresql://ann:secret@db.example.org:5433/refs?sslmode=verify-full&application_name=x",
            None,
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(i.server, "postgresql://ann@db.example.org:5433/refs");
        assert_eq!(i.config.get_ssl_mode(), SslMode::Require);
        assert_eq!(i.config.get_password(), Some(&b"secret"[..]));
        let i = ConnInfo::parse(
            "postgresql://ann@h/refs?sslmode=disable",
            Some("pw"),
            Duration::from_secs(5),
        )
        .unwrap();
        assert!(i.tls.is_none());
        assert_eq!(i.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(i.server, "postgresql://ann@h:5432/refs");
        let i = ConnInfo::parse("host=h user=u dbname=d sslmode=require", None, Duration::from_secs(5)).unwrap();
        assert_eq!(i.config.get_ssl_mode(), SslMode::Require);
        assert_eq!(i.server, "postgresql://u@h:5432/d");
        let e = ConnInfo::parse("postgresql://h/d?sslmode=sometimes", None, Duration::from_secs(5))
            .err()
            .unwrap();
        assert!(e.to_string().contains("sslmode=sometimes"), "{e}");
        let e = ConnInfo::parse(
            "postgresql://h/d?sslmode=verify-full&sslrootcert=/nonexistent/root.crt",
            None,
            Duration::from_secs(5),
        )
        .err()
        .unwrap();
        assert!(e.to_string().contains("/nonexistent/root.crt"), "{e}");
        assert!(ConnInfo::parse("postgresql://h:notaport/d", None, Duration::from_secs(5)).is_err());
    }
}
