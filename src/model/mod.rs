//! The records and the checks on them. Pure: no IO, no clock; "today" is a
//! parameter wherever a check needs it.

mod date;
mod record;
mod staff;
mod station;
mod summary;
mod supervision;
mod validation;

pub use date::{format_date, parse_user_date};
pub use record::{
    parse_time, signature_overdue, ActionItem, ActionItemInput, Attendance, AttendeeInput,
    Function, Mode, RecordContent, RecordInput, AMENDABLE_FIELDS, SIGN_WITHIN_DAYS,
};
pub use staff::{Qualification, Role, Staff, StaffInput, StaffRecord};
pub use station::{NewStation, Station};
pub use summary::{item_overdue, month_summary, ItemFact, MonthSummary, SessionFact};
pub use supervision::{check_assignment, AssignInput, Assignment, SupervisionLink};
pub use validation::{Code, FieldError, Invalid};
