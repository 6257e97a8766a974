//! `stationdesk policy show|set|history`: the figures the rules use.

use std::io::Write;

use chrono::NaiveDateTime;
use serde::Serialize;

use super::{CliError, Format};
use crate::model::{Code, Month, Policy, PolicyChangeInput};
use crate::store::Store;

#[derive(Debug, clap::Subcommand)]
pub enum PolicyCommand {
    /// Every figure in force in a month, with its default, rule and source
    Show {
        /// The month [default: this month]
        #[arg(long, value_name = "YYYY-MM", value_parser = super::parse_month)]
        month: Option<Month>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Change one figure from a month on (the change is kept with who and when)
    Set {
        /// The figure's key, as `policy show` lists it
        key: String,
        /// A positive whole number
        value: String,
        /// Who makes the change
        #[arg(long, value_name = "NAME")]
        by: String,
        /// The first month the figure counts for [default: this month]
        #[arg(long, value_name = "YYYY-MM")]
        from: Option<String>,
        /// Why
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Every change ever made, oldest first
    History {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

/// One figure as `policy show --format json` prints it.
#[derive(Serialize)]
struct FigureJson {
    key: &'static str,
    rule: &'static str,
    label_zh: &'static str,
    source: &'static str,
    default: u32,
    /// The largest value the figure takes.
    max: u32,
    value: u32,
}

pub fn policy(
    store: &mut Store,
    command: PolicyCommand,
    now: NaiveDateTime,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let this_month = Month::of(now.date());
    match command {
        PolicyCommand::Show { month, format } => {
            let policy = store.policy_for(month.unwrap_or(this_month))?;
            let rows: Vec<FigureJson> = Policy::SETTINGS
                .iter()
                .map(|s| FigureJson {
                    key: s.key,
                    rule: s.rule,
                    label_zh: s.label_zh,
                    source: s.source,
                    default: s.default,
                    max: s.max,
                    value: policy.get(s.key).unwrap_or(s.default),
                })
                .collect();
            match format {
                Format::Json => super::json(&rows, out)?,
                Format::Table => {
                    let mut t = comfy_table::Table::new();
                    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                    t.set_header(["规则", "项目", "现值", "默认", "最大", "来源", "key"]);
                    for r in &rows {
                        t.add_row([
                            r.rule.to_owned(),
                            r.label_zh.to_owned(),
                            if r.value == r.default {
                                r.value.to_string()
                            } else {
                                format!("{} *", r.value)
                            },
                            r.default.to_string(),
                            r.max.to_string(),
                            r.source.to_owned(),
                            r.key.to_owned(),
                        ]);
                    }
                    writeln!(out, "{t}")?;
                }
            }
        }
        PolicyCommand::Set {
            key,
            value,
            by,
            from,
            note,
        } => {
            let input = PolicyChangeInput {
                key,
                value,
                from: from.unwrap_or_else(|| this_month.to_string()),
                changed_by: by,
                note,
            };
            if let Err(invalid) = input.validate() {
                // Said for the command line: the options by their names,
                // the figure's range, the way to the keys.
                let setting = Policy::SETTINGS.iter().find(|s| s.key == input.key);
                let said: Vec<String> = invalid
                    .0
                    .iter()
                    .map(|e| match (e.field, e.code, setting) {
                        ("key", _, _) => format!(
                            "there is no figure {:?}: `stationdesk policy show` lists them (the key column)",
                            input.key
                        ),
                        ("value", Code::TooLarge, Some(s)) => format!(
                            "{} can be at most {} (given {})",
                            s.key,
                            s.max,
                            input.value.trim()
                        ),
                        ("value", Code::BadNumber, _) => {
                            "value must be a whole number from 1".to_string()
                        }
                        (field, code, _) => {
                            let name = match field {
                                "changed_by" => "--by",
                                "from" => "--from",
                                "note" => "--note",
                                other => other,
                            };
                            format!("{name} {}", code.sentence())
                        }
                    })
                    .collect();
                return Err(CliError::Usage(said.join("; ")));
            }
            let id = store.set_policy(&input, now)?;
            writeln!(
                out,
                "change {id}: {} = {} from {}",
                input.key,
                input.value.trim(),
                input.from.trim()
            )?;
        }
        PolicyCommand::History { format } => {
            let history = store.policy_history()?;
            match format {
                Format::Json => super::json(&history, out)?,
                Format::Table => {
                    let mut t = comfy_table::Table::new();
                    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED);
                    t.set_header([
                        "#",
                        "项目",
                        "新值",
                        "起始月份",
                        "修改人",
                        "修改时间",
                        "说明",
                    ]);
                    for c in &history {
                        let label = Policy::SETTINGS
                            .iter()
                            .find(|s| s.key == c.key)
                            .map_or(c.key.as_str(), |s| s.label_zh);
                        t.add_row([
                            c.id.to_string(),
                            label.to_owned(),
                            c.value.to_string(),
                            c.from.to_string(),
                            c.changed_by.clone(),
                            c.changed_at.format("%Y-%m-%d %H:%M").to_string(),
                            c.note.clone(),
                        ]);
                    }
                    writeln!(out, "{t}")?;
                }
            }
        }
    }
    Ok(())
}
