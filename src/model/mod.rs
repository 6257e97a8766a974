//! The records and the checks on them. Pure: no IO, no clock; "today" is a
//! parameter wherever a check needs it.

/// `code()` (snake_case, stored and sent), `label_zh()` and `from_code()`
/// for a fieldless enum.
macro_rules! codes {
    ($t:ty { $($v:ident => $code:literal, $zh:literal;)* }) => {
        impl $t {
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            pub fn code(self) -> &'static str { match self { $(<$t>::$v => $code),* } }
            pub fn label_zh(self) -> &'static str { match self { $(<$t>::$v => $zh),* } }
            pub fn from_code(code: &str) -> Option<$t> {
                Self::ALL.iter().copied().find(|x| x.code() == code)
            }
        }
    };
}

mod case;
mod date;
mod overdue;
mod plan;
mod policy;
mod record;
mod staff;
mod station;
mod summary;
mod supervision;
mod training;
mod validation;
mod workload;

pub use case::{
    age_on, parse_id_number, CaseInput, CaseRecord, Category, Consent, ConsentInput, ConsentKind,
    Contact, ContactInput, ContactKind, GroupInput, GroupKind, GroupRecord, GroupSession,
    GroupSessionInput, Identity, IdentityInput, Risk, Stage,
};
pub use date::{ascii_forms, format_date, parse_user_date, Month};
pub use overdue::{
    overdue, team_of, CaseFact, Facts, Flag, FlagKind, LinkFact, OpenItemFact, PersonFact, Rule,
    SeenFact, SubjectKind, TrainingFacts, UnsignedFact,
};
pub use plan::{PlanItem, PlanItemInput};
pub use policy::{Policy, PolicyChange, PolicyChangeInput, PolicySetting};
pub use record::{
    parse_time, signature_overdue, ActionItem, ActionItemInput, Attendance, AttendeeInput,
    Function, Mode, RecordContent, RecordInput, AMENDABLE_FIELDS, SIGN_WITHIN_DAYS,
};
pub use staff::{Qualification, Role, Staff, StaffInput, StaffRecord};
pub use station::{NewStation, Station};
pub use summary::{item_overdue, month_summary, ItemFact, MonthSummary, SessionFact};
pub use supervision::{check_assignment, AssignInput, Assignment, SupervisionLink};
pub use training::{
    hours_between, ledger_row, name_keys, required_hours, Assessment, AssessmentInput,
    AssessmentKind, ContentArea, LedgerRow, SignIn, SignInInput, SignedIn, Training, TrainingInput,
    TrainingMethod,
};
pub use validation::{Code, FieldError, Invalid};
pub use workload::{
    case_load, counting_day, worker_load, workload, AssistantFigures, ModeFigures, SupervisorMonth,
    TraineeFigures, TrendPoint, WorkCase, WorkFacts, WorkGroupSession, WorkPerson, WorkSession,
};
