use std::fmt;

use serde::Serialize;

/// Why a field was refused. The UI turns the code into a sentence in the
/// user's language; `Display` gives the English one for the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    Required,
    TooLong,
    BadDate,
    FutureDate,
    BeforeStart,
    BeforeRegistration,
    UnknownRole,
    UnknownQualification,
    CertificateRequired,
    CertificateNotAllowed,
    RegistrationRequired,
    BadCertificate,
    CertificateTaken,
    QualificationTooLow,
    NotASupervisor,
    RankTooLow,
    SelfSupervision,
    SupervisionCycle,
    BeforeCurrentLink,
    SupervisorInactive,
    LeftDateRequired,
    NotFound,
    BadTime,
    EndBeforeStart,
    UnknownChoice,
    Duplicate,
    OwnerRequired,
    DueRequired,
    DueBeforeSession,
    Locked,
    ReasonRequired,
    NotASigner,
    AlreadySigned,
    NotAmendable,
    BadCaseCode,
    NotClosed,
    BeforeOpened,
    BadIdNumber,
    BirthDateMismatch,
    BadPhone,
    NotAGroup,
    BadNumber,
    TooLarge,
    CodeTaken,
    BadMonth,
    OutsideSession,
    BadScore,
    PassphraseTooShort,
    PassphraseMismatch,
    WrongPassphrase,
    ConfirmMismatch,
    RetentionNotPassed,
    CaseOpen,
    RetentionPassed,
    /// A character no text may hold (NUL).
    BadCharacter,
}

impl Code {
    /// The stable snake_case name used on the wire and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::TooLong => "too_long",
            Code::BadDate => "bad_date",
            Code::FutureDate => "future_date",
            Code::BeforeStart => "before_start",
            Code::BeforeRegistration => "before_registration",
            Code::UnknownRole => "unknown_role",
            Code::UnknownQualification => "unknown_qualification",
            Code::CertificateRequired => "certificate_required",
            Code::CertificateNotAllowed => "certificate_not_allowed",
            Code::RegistrationRequired => "registration_required",
            Code::BadCertificate => "bad_certificate",
            Code::CertificateTaken => "certificate_taken",
            Code::QualificationTooLow => "qualification_too_low",
            Code::NotASupervisor => "not_a_supervisor",
            Code::RankTooLow => "rank_too_low",
            Code::SelfSupervision => "self_supervision",
            Code::SupervisionCycle => "supervision_cycle",
            Code::BeforeCurrentLink => "before_current_link",
            Code::SupervisorInactive => "supervisor_inactive",
            Code::LeftDateRequired => "left_date_required",
            Code::NotFound => "not_found",
            Code::BadTime => "bad_time",
            Code::EndBeforeStart => "end_before_start",
            Code::UnknownChoice => "unknown_choice",
            Code::Duplicate => "duplicate",
            Code::OwnerRequired => "owner_required",
            Code::DueRequired => "due_required",
            Code::DueBeforeSession => "due_before_session",
            Code::Locked => "locked",
            Code::ReasonRequired => "reason_required",
            Code::NotASigner => "not_a_signer",
            Code::AlreadySigned => "already_signed",
            Code::NotAmendable => "not_amendable",
            Code::BadCaseCode => "bad_case_code",
            Code::NotClosed => "not_closed",
            Code::BeforeOpened => "before_opened",
            Code::BadIdNumber => "bad_id_number",
            Code::BirthDateMismatch => "birth_date_mismatch",
            Code::BadPhone => "bad_phone",
            Code::NotAGroup => "not_a_group",
            Code::BadNumber => "bad_number",
            Code::TooLarge => "too_large",
            Code::CodeTaken => "code_taken",
            Code::BadMonth => "bad_month",
            Code::OutsideSession => "outside_session",
            Code::BadScore => "bad_score",
            Code::PassphraseTooShort => "passphrase_too_short",
            Code::PassphraseMismatch => "passphrase_mismatch",
            Code::WrongPassphrase => "wrong_passphrase",
            Code::ConfirmMismatch => "confirm_mismatch",
            Code::RetentionNotPassed => "retention_not_passed",
            Code::CaseOpen => "case_open",
            Code::RetentionPassed => "retention_passed",
            Code::BadCharacter => "bad_character",
        }
    }

    /// The English reason, as the command line prints it after the field.
    pub fn sentence(self) -> &'static str {
        match self {
            Code::Required => "is required",
            Code::TooLong => "is too long",
            Code::BadDate => "is not a date (write it as 2024-03-05)",
            Code::FutureDate => "is after today",
            Code::BeforeStart => "is before the start date",
            Code::BeforeRegistration => "is before the registration date",
            Code::UnknownRole => "is not a known role",
            Code::UnknownQualification => "is not a known qualification",
            Code::CertificateRequired => "is required for a certified worker",
            Code::CertificateNotAllowed => "must be empty when there is no qualification",
            Code::RegistrationRequired => "is required for a certified worker",
            Code::BadCertificate => "may hold only letters, digits and '-', at most 32",
            Code::CertificateTaken => "is another member of staff's certificate number",
            Code::QualificationTooLow => {
                "is too low for this role (assistant social worker or higher)"
            }
            Code::NotASupervisor => "is not in a supervising role",
            Code::RankTooLow => "does not rank above the supervisee",
            Code::SelfSupervision => "cannot be the supervisee themself",
            Code::SupervisionCycle => "is supervised, directly or not, by the supervisee",
            Code::BeforeCurrentLink => "is before the current supervision began",
            Code::SupervisorInactive => "has left the station",
            Code::LeftDateRequired => "is required when the person has left",
            Code::NotFound => "does not exist",
            Code::BadTime => "is not a time (write it as 09:30)",
            Code::EndBeforeStart => "is not after the start time",
            Code::UnknownChoice => "holds a value that is not one of the choices",
            Code::Duplicate => "lists the same person twice",
            Code::OwnerRequired => "has an item without an owner",
            Code::DueRequired => "has an item without a due date",
            Code::DueBeforeSession => "has an item due before the session",
            Code::Locked => "cannot change: the record is signed (amend it instead)",
            Code::ReasonRequired => "is required for an amendment",
            Code::NotASigner => "is neither the supervisor nor a supervisee of this record",
            Code::AlreadySigned => "has already signed",
            Code::NotAmendable => "cannot be amended",
            Code::BadCaseCode => "may hold only letters, digits and '-', at most 32 (no names)",
            Code::NotClosed => "must be empty until the case is closed",
            Code::BeforeOpened => "is before the case was opened",
            Code::BadIdNumber => "is not a valid 18-character ID number",
            Code::BirthDateMismatch => "does not match the ID number",
            Code::BadPhone => "is not a phone number",
            Code::NotAGroup => "applies to groups only, not activities",
            Code::BadNumber => "is not a whole number",
            Code::TooLarge => "is larger than this figure can be",
            Code::CodeTaken => "is already used by another case",
            Code::BadMonth => "is not a month (write it as 2026-11)",
            Code::OutsideSession => "is outside the session's hours",
            Code::BadScore => "is not a score from 0 to 100",
            Code::PassphraseTooShort => "must be at least 8 characters",
            Code::PassphraseMismatch => "does not match the passphrase typed first",
            Code::WrongPassphrase => "does not open this database",
            Code::ConfirmMismatch => "does not match the case code (type the code again)",
            Code::RetentionNotPassed => "has not passed yet: the case must still be kept",
            Code::CaseOpen => "is not closed: close the case before purging it",
            Code::RetentionPassed => {
                "has passed: a closed case past it takes no new personal information"
            }
            Code::BadCharacter => "contains a character that cannot be stored (a control character such as NUL or a line break)",
        }
    }
}

/// One refused field: its snake_case name in the input and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: Code,
}

/// An input that was refused as a whole; nothing of it was saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: &'static str, code: Code) -> Self {
        Invalid(vec![FieldError { field, code }])
    }

    pub fn has(&self, field: &str, code: Code) -> bool {
        self.0.iter().any(|e| e.field == field && e.code == code)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{} {}", e.field, e.code.sentence()))
            .collect();
        write!(f, "invalid input: {}", parts.join("; "))
    }
}

/// Collects field errors while a form is checked, so the user sees every
/// problem at once instead of one per attempt.
#[derive(Default)]
pub(crate) struct Checker(Vec<FieldError>);

impl Checker {
    pub fn fail(&mut self, field: &'static str, code: Code) {
        self.0.push(FieldError { field, code });
    }

    pub fn check<T>(&mut self, field: &'static str, r: Result<T, Code>) -> Option<T> {
        r.map_err(|code| self.fail(field, code)).ok()
    }

    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Invalid> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(Invalid(self.0))
        }
    }
}
