//! The one error shape the UI sees: a stable `code` to branch on and a short `message` to show.

use serde::Serialize;
use ts_rs::TS;

/// A citation key the library protects, and why (cited in a registered `.aux`, or exported by
/// an auto-export).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(rename = "ProtectedKey")]
pub struct ProtectedKeyDto {
    pub key: String,
    pub reason: String,
}

/// A command's error as the UI receives it (the UI turns it into its `AppError`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    pub code: String,
    pub message: String,
    /// For `protected-key`: the keys the action would change, with why each is protected, so
    /// the UI can ask for confirmation and retry with `force`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<ProtectedKeyDto>>", optional)]
    pub protected: Vec<ProtectedKeyDto>,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> CommandError {
        CommandError {
            code: code.to_string(),
            message: message.into(),
            protected: Vec::new(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> CommandError {
        CommandError::new("invalid-input", message)
    }
}

impl From<folio::Error> for CommandError {
    fn from(e: folio::Error) -> Self {
        let protected = match &e {
            folio::Error::ProtectedKeys(keys) => keys
                .iter()
                .map(|k| ProtectedKeyDto {
                    key: k.key.clone(),
                    reason: k.reason.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        CommandError {
            code: e.code().to_string(),
            message: e.to_string(),
            protected,
        }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

pub type CmdResult<T> = Result<T, CommandError>;
