//! The one error the UI receives: `{ kind, message, fields }`. The UI picks
//! its Chinese (or English) sentence by `kind` and by each field's code;
//! `message` is English detail for the log, never shown as is.

use serde::Serialize;
use stationdesk::model::Invalid;
use stationdesk::StoreError;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ErrorKind {
    /// The input was refused; `fields` says which and why.
    Invalid,
    NotFound,
    /// The request conflicts with the data (e.g. demo into a used database).
    Conflict,
    /// The record is signed: change it with an amendment.
    Locked,
    /// The database could not be read or written.
    Storage,
    /// The database is closed until its passphrase is typed (the window is
    /// locked); the UI shows the lock screen and retries after unlocking.
    Closed,
    /// A sync bundle was refused, or a queue entry could not be settled;
    /// `fields[0].code` says why (`SyncError::code`).
    Sync,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldError {
    /// The form field, camelCase as in the command's input.
    pub field: String,
    /// A snake_case reason code, e.g. `bad_date`.
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CommandError {
    pub kind: ErrorKind,
    pub message: String,
    pub fields: Vec<FieldError>,
}

/// The database's own check that a text is not empty, failed by a text the
/// form's checks passed: one that starts with a NUL character, where
/// SQLite's `length()` stops. The column names the field.
fn refused_text(message: &str) -> Option<FieldError> {
    let column = message
        .split("CHECK constraint failed: length(trim(")
        .nth(1)?
        .split(')')
        .next()?;
    Some(FieldError {
        field: camel_case(column),
        code: "bad_character".into(),
    })
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        if let Some(field) = matches!(e, StoreError::Sqlite(_))
            .then(|| refused_text(&message))
            .flatten()
        {
            return CommandError {
                kind: ErrorKind::Invalid,
                message,
                fields: vec![field],
            };
        }
        let (kind, fields) = match &e {
            StoreError::Invalid(invalid) => (ErrorKind::Invalid, fields_of(invalid)),
            StoreError::NotFound { .. } => (ErrorKind::NotFound, vec![]),
            StoreError::NotEmpty { .. } => (ErrorKind::Conflict, vec![]),
            StoreError::Locked { .. } => (ErrorKind::Locked, vec![]),
            StoreError::NeedsPassphrase { .. } => (ErrorKind::Closed, vec![]),
            StoreError::WrongPassphrase { .. } => (
                ErrorKind::Invalid,
                vec![FieldError {
                    field: "passphrase".into(),
                    code: "wrong_passphrase".into(),
                }],
            ),
            StoreError::BadBackup { .. } => (
                ErrorKind::Invalid,
                vec![FieldError {
                    field: "backup".into(),
                    code: "bad_backup".into(),
                }],
            ),
            StoreError::NotEncrypted { .. }
            | StoreError::NotPlain { .. }
            | StoreError::OldLayout { .. } => (ErrorKind::Conflict, vec![]),
            StoreError::Sync(s) => (
                ErrorKind::Sync,
                vec![FieldError {
                    field: "bundle".into(),
                    code: s.code().into(),
                }],
            ),
            StoreError::TooNew { .. }
            | StoreError::Damaged { .. }
            | StoreError::Open { .. }
            | StoreError::NotADatabase { .. }
            | StoreError::CreateDir { .. }
            | StoreError::Migrate(_)
            | StoreError::Io { .. }
            | StoreError::Sqlite(_) => (ErrorKind::Storage, vec![]),
        };
        if kind == ErrorKind::Storage {
            eprintln!("StationDesk storage error: {message}");
        }
        CommandError {
            kind,
            message,
            fields,
        }
    }
}

impl From<stationdesk::pdf::PrintError> for CommandError {
    fn from(e: stationdesk::pdf::PrintError) -> Self {
        eprintln!("StationDesk print error: {e}");
        CommandError {
            kind: ErrorKind::Storage,
            message: e.to_string(),
            fields: vec![],
        }
    }
}

impl CommandError {
    /// The database could not be opened at start-up; every command says so.
    pub fn unavailable(why: &str) -> Self {
        CommandError {
            kind: ErrorKind::Storage,
            message: why.to_owned(),
            fields: vec![],
        }
    }

    /// The window is locked: the database waits for its passphrase.
    pub fn closed() -> Self {
        CommandError {
            kind: ErrorKind::Closed,
            message: "the database is locked: type the passphrase to open it".into(),
            fields: vec![],
        }
    }

    /// The database file is damaged: the lock screen offers the latest
    /// backup.
    pub fn damaged() -> Self {
        CommandError {
            kind: ErrorKind::Storage,
            message: "the database file is damaged; restore the latest backup".into(),
            fields: vec![FieldError {
                field: "database".into(),
                code: "damaged".into(),
            }],
        }
    }

    /// One form field refused with `code`.
    pub fn invalid_field(field: &str, code: &str) -> Self {
        CommandError {
            kind: ErrorKind::Invalid,
            message: format!("{field}: {code}"),
            fields: vec![FieldError {
                field: field.to_owned(),
                code: code.to_owned(),
            }],
        }
    }

    /// Something that is the program's fault, not the user's.
    pub fn internal(why: &str) -> Self {
        eprintln!("StationDesk internal error: {why}");
        CommandError {
            kind: ErrorKind::Internal,
            message: why.to_owned(),
            fields: vec![],
        }
    }

    /// A command panicked while holding the store.
    pub fn poisoned() -> Self {
        CommandError {
            kind: ErrorKind::Internal,
            message: "an earlier command failed while holding the database".into(),
            fields: vec![],
        }
    }
}

fn fields_of(invalid: &Invalid) -> Vec<FieldError> {
    invalid
        .0
        .iter()
        .map(|e| FieldError {
            field: camel_case(e.field),
            code: e.code.as_str().to_owned(),
        })
        .collect()
}

/// `registration_date` → `registrationDate`: the core names fields in Rust's
/// case, the wire in JavaScript's.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use stationdesk::model::Code;

    #[test]
    fn field_names_reach_the_wire_in_camel_case() {
        let e: CommandError =
            StoreError::Invalid(Invalid::one("registration_date", Code::BadDate)).into();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(
            e.fields,
            [FieldError {
                field: "registrationDate".into(),
                code: "bad_date".into()
            }]
        );
        let json = serde_json::to_value(&e).expect("json");
        assert_eq!(json["kind"], "invalid");
    }

    #[test]
    fn a_text_the_database_refuses_is_invalid_with_its_field() {
        // What SQLite says of a name that starts with a NUL character.
        let sqlite = stationdesk::Store::open_in_memory()
            .expect("store")
            .with_tx(|tx| {
                tx.execute(
                    "INSERT INTO station (name, township, county) VALUES (?1, 'x', 'y')",
                    ["\0青溪"],
                )?;
                Ok(())
            })
            .expect_err("refused by the CHECK");
        let e: CommandError = sqlite.into();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(
            e.fields,
            [FieldError {
                field: "name".into(),
                code: "bad_character".into()
            }]
        );
    }

    #[test]
    fn not_found_is_its_own_kind() {
        let e: CommandError = StoreError::NotFound {
            what: "staff member",
            id: 9,
        }
        .into();
        assert_eq!(e.kind, ErrorKind::NotFound);
        assert!(e.fields.is_empty());
    }
}
