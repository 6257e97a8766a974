//! `stationdesk case ...` and `stationdesk overdue`.

use std::io::Write;

use chrono::NaiveDate;
use clap::Subcommand;
use serde::Serialize;

use super::{json, CliError, Format};
use crate::model::{format_date, Category, ConsentKind, ContactKind, Flag, Risk, Stage};
use crate::store::{CaseFilter, CaseSummary, CaseView, Store};

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// List cases by code (never with the client's identity)
    List {
        #[arg(long, value_name = "ID")]
        station: Option<i64>,
        /// Only this worker's cases
        #[arg(long, value_name = "ID")]
        owner: Option<i64>,
        /// Only cases not yet closed (结案)
        #[arg(long)]
        open: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Show one case in full, with the client's identity, consents and contacts
    Show {
        /// The case's id or code
        case: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

/// One case in `case list --format json`. Stable keys.
#[derive(Debug, Serialize)]
pub struct CaseJson {
    pub id: i64,
    pub code: String,
    pub station_id: i64,
    pub station: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub category: &'static str,
    pub risk: &'static str,
    pub stage: &'static str,
    pub difficult: bool,
    pub opened_on: String,
    pub closed_on: Option<String>,
    pub retain_until: String,
    pub last_contact: Option<String>,
    pub contacts: i64,
}

impl From<&CaseSummary> for CaseJson {
    fn from(c: &CaseSummary) -> Self {
        CaseJson {
            id: c.id,
            code: c.case.code.clone(),
            station_id: c.case.station_id,
            station: c.station_name.clone(),
            owner_id: c.case.owner_id,
            owner_name: c.owner_name.clone(),
            category: c.case.category.code(),
            risk: c.case.risk.code(),
            stage: c.case.stage.code(),
            difficult: c.case.difficult,
            opened_on: format_date(c.case.opened_on),
            closed_on: c.case.closed_on.map(format_date),
            retain_until: format_date(c.case.retain_until),
            last_contact: c.last_contact.map(format_date),
            contacts: c.contacts,
        }
    }
}

/// `case show --format json`: the case, the identity apart under its own key.
#[derive(Debug, Serialize)]
pub struct CaseDetailJson {
    #[serde(flatten)]
    pub case: CaseJson,
    pub identity: Option<IdentityJson>,
    pub consents: Vec<ConsentJson>,
    pub contacts_list: Vec<ContactJson>,
    pub discussed_in: Vec<DiscussedJson>,
}

#[derive(Debug, Serialize)]
pub struct IdentityJson {
    pub real_name: String,
    pub id_number: String,
    pub birth_date: Option<String>,
    pub phone: String,
    pub guardian: String,
    pub health_notes: String,
}

#[derive(Debug, Serialize)]
pub struct ConsentJson {
    pub kind: &'static str,
    pub given_on: String,
    pub given_by: String,
    pub scope: String,
}

#[derive(Debug, Serialize)]
pub struct ContactJson {
    pub id: i64,
    pub date: String,
    pub kind: &'static str,
    pub staff_id: i64,
    pub staff_name: String,
    pub note: String,
}

#[derive(Debug, Serialize)]
pub struct DiscussedJson {
    pub record_id: i64,
    pub date: String,
    pub year: i32,
    pub number: i64,
}

impl From<&CaseView> for CaseDetailJson {
    fn from(v: &CaseView) -> Self {
        CaseDetailJson {
            case: CaseJson::from(&v.summary),
            identity: v.identity.as_ref().map(|i| IdentityJson {
                real_name: i.real_name.clone(),
                id_number: i.id_number.clone(),
                birth_date: i.birth_date.map(format_date),
                phone: i.phone.clone(),
                guardian: i.guardian.clone(),
                health_notes: i.health_notes.clone(),
            }),
            consents: v
                .consents
                .iter()
                .map(|c| ConsentJson {
                    kind: c.consent.kind.code(),
                    given_on: format_date(c.consent.given_on),
                    given_by: c.consent.given_by.clone(),
                    scope: c.consent.scope.clone(),
                })
                .collect(),
            contacts_list: v
                .contacts
                .iter()
                .map(|c| ContactJson {
                    id: c.id,
                    date: format_date(c.contact.date),
                    kind: c.contact.kind.code(),
                    staff_id: c.contact.staff_id,
                    staff_name: c.staff_name.clone(),
                    note: c.contact.note.clone(),
                })
                .collect(),
            discussed_in: v
                .discussed_in
                .iter()
                .map(|d| DiscussedJson {
                    record_id: d.record_id,
                    date: format_date(d.date),
                    year: d.year,
                    number: d.number,
                })
                .collect(),
        }
    }
}

/// One flag in `overdue --format json`. Stable keys.
#[derive(Debug, Serialize)]
pub struct FlagJson {
    pub rule: &'static str,
    pub kind: crate::model::FlagKind,
    pub subject_kind: crate::model::SubjectKind,
    pub subject_id: i64,
    pub record_id: Option<i64>,
    pub person_id: i64,
    pub due: String,
    pub days_overdue: i64,
    pub message: String,
}

impl From<&Flag> for FlagJson {
    fn from(f: &Flag) -> Self {
        FlagJson {
            rule: f.rule.code(),
            kind: f.kind,
            subject_kind: f.subject_kind,
            subject_id: f.subject_id,
            record_id: f.record_id,
            person_id: f.person_id,
            due: format_date(f.due),
            days_overdue: f.days_overdue,
            message: f.message.clone(),
        }
    }
}

fn table() -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
    t
}

pub fn case(store: &Store, command: CaseCommand, out: &mut dyn Write) -> Result<(), CliError> {
    match command {
        CaseCommand::List {
            station,
            owner,
            open,
            format,
        } => {
            // An id that names no one is said, not answered with an empty list.
            if let Some(id) = station {
                store.station(id)?;
            }
            if let Some(id) = owner {
                store.staff(id)?;
            }
            let cases = store.list_cases(CaseFilter {
                station_id: station,
                owner_id: owner,
                open_only: open,
            })?;
            let rows: Vec<CaseJson> = cases.iter().map(CaseJson::from).collect();
            match format {
                Format::Json => json(&rows, out)?,
                Format::Table => {
                    let mut t = table();
                    t.set_header([
                        "ID",
                        "个案编号",
                        "类别",
                        "风险",
                        "阶段",
                        "负责社工",
                        "接案",
                        "上次联系",
                    ]);
                    for c in &cases {
                        t.add_row([
                            c.id.to_string(),
                            format!(
                                "{}{}",
                                c.case.code,
                                if c.case.difficult { "（疑难）" } else { "" }
                            ),
                            c.case.category.label_zh().to_owned(),
                            c.case.risk.label_zh().to_owned(),
                            c.case.stage.label_zh().to_owned(),
                            c.owner_name.clone(),
                            format_date(c.case.opened_on),
                            c.last_contact.map(format_date).unwrap_or_default(),
                        ]);
                    }
                    writeln!(out, "{t}")?;
                }
            }
        }
        CaseCommand::Show { case, format } => {
            let id = match case.trim().parse::<i64>() {
                Ok(id) => id,
                Err(_) => store
                    .case_id(&case)?
                    .ok_or_else(|| CliError::Usage(format!("no case has the code {case:?}")))?,
            };
            let view = store.case_view(id)?;
            let detail = CaseDetailJson::from(&view);
            match format {
                Format::Json => json(&detail, out)?,
                Format::Table => write_case(&detail, out)?,
            }
        }
    }
    Ok(())
}

fn write_case(c: &CaseDetailJson, out: &mut dyn Write) -> std::io::Result<()> {
    let k = &c.case;
    writeln!(
        out,
        "个案 {}  {} · {} · {}",
        k.code,
        Category::from_code(k.category).map_or(k.category, Category::label_zh),
        Risk::from_code(k.risk).map_or(k.risk, Risk::label_zh),
        Stage::from_code(k.stage).map_or(k.stage, Stage::label_zh),
    )?;
    writeln!(
        out,
        "负责社工 {}  接案 {}  结案 {}  保存至 {}",
        k.owner_name,
        k.opened_on,
        k.closed_on.as_deref().unwrap_or("—"),
        k.retain_until
    )?;
    if let Some(i) = &c.identity {
        writeln!(
            out,
            "服务对象 {}  身份证 {}  出生 {}  电话 {}  监护人 {}",
            i.real_name,
            i.id_number,
            i.birth_date.as_deref().unwrap_or("—"),
            i.phone,
            i.guardian
        )?;
    }
    for s in &c.consents {
        let kind = ConsentKind::from_code(s.kind).map_or(s.kind, ConsentKind::label_zh);
        writeln!(
            out,
            "{} {}（{}）：{}",
            s.given_on, kind, s.given_by, s.scope
        )?;
    }
    let mut t = table();
    t.set_header(["日期", "方式", "社工", "记录"]);
    for x in &c.contacts_list {
        let kind = ContactKind::from_code(x.kind).map_or(x.kind, ContactKind::label_zh);
        t.add_row([
            x.date.clone(),
            kind.to_owned(),
            x.staff_name.clone(),
            x.note.clone(),
        ]);
    }
    writeln!(out, "{t}")
}

pub fn overdue(
    store: &Store,
    as_of: NaiveDate,
    supervisor: Option<i64>,
    station: Option<i64>,
    format: Format,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let scope = super::scope(store, supervisor, station)?;
    let flags = store.overdue(scope, as_of)?;
    match format {
        Format::Json => {
            let rows: Vec<FlagJson> = flags.iter().map(FlagJson::from).collect();
            json(&rows, out)?;
        }
        Format::Table => {
            let mut t = table();
            t.set_header(["规则", "到期", "逾期天数", "事项"]);
            for f in &flags {
                t.add_row([
                    f.rule.code().to_owned(),
                    format_date(f.due),
                    f.days_overdue.to_string(),
                    f.message.clone(),
                ]);
            }
            writeln!(out, "{t}")?;
            writeln!(
                out,
                "共 {} 项逾期（截至 {}）",
                flags.len(),
                format_date(as_of)
            )?;
        }
    }
    Ok(())
}
