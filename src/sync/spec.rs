//! Which tables travel in a sync bundle, their columns, the tables their
//! foreign keys point to, the fields edited as one unit, and which fields
//! need a person's decision when two sides disagree.
//!
//! The triggers that stamp every local write with a version are generated
//! from this list (`triggers_sql`) and checked into the migrations; a test
//! checks that every table here has its triggers in some migration. A new
//! record type adds its table here and its triggers in its own migration.

/// How a row's globally unique id is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uid {
    /// Time-ordered random (UUID v7-like: 48 bits of milliseconds, 80 random).
    Random,
    /// From the row's natural key: these columns (a foreign key by the uid
    /// of its row) joined by `~`, then the suffix. Two devices adding the
    /// same attendee to the same record make the same row, not a duplicate.
    Natural(&'static [&'static str], &'static str),
}

/// A column that travels. `refs` names the table a foreign key points to;
/// in a bundle it carries that row's uid instead of the local id.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub name: &'static str,
    pub refs: Option<&'static str>,
}

/// One synchronised table.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub cols: &'static [Col],
    pub uid: Uid,
    /// Columns edited as one field (a change to any of them is a change to
    /// the field, and a merge never takes half of it): those a CHECK ties
    /// together. A column in no group is a field of its own.
    pub groups: &'static [&'static [&'static str]],
    /// Fields whose conflicts need a person's decision (risk, stage,
    /// closure, consent).
    pub sensitive: &'static [&'static str],
    /// Columns of a supervision record's content that its signature locks.
    pub locked: &'static [&'static str],
}

const fn c(name: &'static str) -> Col {
    Col { name, refs: None }
}

const fn fk(name: &'static str, table: &'static str) -> Col {
    Col {
        name,
        refs: Some(table),
    }
}

/// The version of the rows' schema a bundle's manifest carries: the number
/// of the last migration that changed what travels (a table or column here,
/// or the values a column allows), or a later one already written into
/// bundles. A bundle with a higher number is refused; a migration that
/// changes only this laptop's schema (an index, a local table, a CHECK
/// written another way, as 0010) leaves it, so laptops a program version
/// apart still exchange bundles. `the_rows_schema_moves_with_what_travels`
/// fails when the synchronised tables change and this does not.
pub const ROWS_SCHEMA: u32 = 9;

/// Parents before children, so an import inserts in this order and deletes
/// in the reverse.
pub const TABLES: &[Table] = &[
    Table {
        name: "station",
        cols: &[c("name"), c("township"), c("county")],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "staff",
        cols: &[
            fk("station_id", "station"),
            c("name"),
            c("role"),
            c("qualification"),
            c("certificate_no"),
            c("registration_date"),
            c("start_date"),
            c("left_date"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "supervision_link",
        cols: &[
            fk("supervisor_id", "staff"),
            fk("supervisee_id", "staff"),
            c("from_date"),
            c("to_date"),
        ],
        uid: Uid::Random,
        groups: &[
            &["supervisor_id", "supervisee_id"],
            &["from_date", "to_date"],
        ],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "supervision_record",
        cols: &[
            fk("supervisor_id", "staff"),
            c("year"),
            c("number"),
            c("date"),
            c("start_time"),
            c("end_time"),
            c("place"),
            c("mode"),
            c("functions"),
            c("cases"),
            c("topic"),
            c("previous_review"),
            c("reported"),
            c("findings"),
            c("guidance"),
            c("reflection"),
            c("disagreement"),
            c("created_at"),
            c("updated_at"),
        ],
        uid: Uid::Random,
        groups: &[
            &["supervisor_id", "year", "number"],
            &["start_time", "end_time"],
        ],
        sensitive: &[],
        locked: &[
            "supervisor_id",
            "year",
            "number",
            "date",
            "start_time",
            "end_time",
            "place",
            "mode",
            "functions",
            "cases",
            "topic",
            "previous_review",
            "reported",
            "findings",
            "guidance",
            "reflection",
            "disagreement",
            "created_at",
            "updated_at",
        ],
    },
    Table {
        name: "record_attendee",
        cols: &[
            fk("record_id", "supervision_record"),
            fk("staff_id", "staff"),
            c("attendance"),
        ],
        uid: Uid::Natural(&["record_id", "staff_id"], ""),
        groups: &[&["record_id", "staff_id"]],
        sensitive: &[],
        locked: &["record_id", "attendance"],
    },
    Table {
        name: "action_item",
        cols: &[
            fk("record_id", "supervision_record"),
            c("position"),
            c("what"),
            fk("owner_id", "staff"),
            c("due_date"),
            c("done_date"),
            c("note"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &["record_id", "position", "what", "owner_id", "due_date"],
    },
    Table {
        name: "record_signature",
        cols: &[
            fk("record_id", "supervision_record"),
            fk("staff_id", "staff"),
            c("role"),
            c("name"),
            c("signed_at"),
        ],
        uid: Uid::Natural(&["record_id", "staff_id"], "~sig"),
        groups: &[&["record_id", "staff_id"]],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "record_amendment",
        cols: &[
            fk("record_id", "supervision_record"),
            c("field"),
            c("original"),
            c("amended"),
            c("reason"),
            c("by_name"),
            c("at"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "client_case",
        cols: &[
            c("code"),
            fk("station_id", "station"),
            fk("owner_id", "staff"),
            c("category"),
            c("risk"),
            c("risk_since"),
            c("stage"),
            c("difficult"),
            c("opened_on"),
            c("closed_on"),
            c("retain_until"),
        ],
        uid: Uid::Random,
        groups: &[&["risk", "risk_since"], &["stage", "closed_on"]],
        sensitive: &["risk", "stage"],
        locked: &[],
    },
    Table {
        name: "case_identity",
        cols: &[
            fk("case_id", "client_case"),
            c("real_name"),
            c("id_number"),
            c("birth_date"),
            c("phone"),
            c("guardian"),
            c("health_notes"),
        ],
        uid: Uid::Natural(&["case_id"], "~identity"),
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "case_consent",
        cols: &[
            fk("case_id", "client_case"),
            c("kind"),
            c("given_on"),
            c("given_by"),
            c("scope"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &["case_id", "kind", "given_on", "given_by", "scope"],
        locked: &[],
    },
    Table {
        name: "case_contact",
        cols: &[
            fk("case_id", "client_case"),
            c("date"),
            c("kind"),
            fk("staff_id", "staff"),
            c("note"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "group_work",
        cols: &[
            fk("station_id", "station"),
            c("kind"),
            c("name"),
            c("therapeutic"),
            fk("leader_id", "staff"),
            c("started_on"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "group_session",
        cols: &[
            fk("group_id", "group_work"),
            c("date"),
            c("participants"),
            c("note"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "record_case",
        cols: &[
            fk("record_id", "supervision_record"),
            fk("case_id", "client_case"),
        ],
        uid: Uid::Natural(&["record_id", "case_id"], "~case"),
        groups: &[&["record_id", "case_id"]],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "policy_change",
        cols: &[
            c("key"),
            c("value"),
            c("from_month"),
            c("changed_by"),
            c("changed_at"),
            c("note"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "trainer",
        cols: &[
            c("name"),
            c("unit"),
            c("expertise"),
            fk("staff_id", "staff"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "training_plan_item",
        cols: &[
            fk("station_id", "station"),
            c("year"),
            c("title"),
            c("area"),
            c("method"),
            c("month"),
            fk("trainer_id", "trainer"),
            c("planned_hours"),
            c("dropped_on"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "training_plan_change",
        cols: &[
            fk("item_id", "training_plan_item"),
            c("what"),
            c("changed_by"),
            c("changed_at"),
            c("reason"),
        ],
        uid: Uid::Random,
        groups: &[],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "training",
        cols: &[
            fk("station_id", "station"),
            fk("plan_item_id", "training_plan_item"),
            c("title"),
            c("area"),
            c("method"),
            fk("trainer_id", "trainer"),
            c("date"),
            c("start_time"),
            c("end_time"),
            c("hours"),
            c("place"),
            c("counts_ce"),
        ],
        uid: Uid::Random,
        groups: &[&["date", "start_time", "end_time", "hours"]],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "training_attendance",
        cols: &[
            fk("training_id", "training"),
            fk("staff_id", "staff"),
            c("guest_name"),
            c("guest_unit"),
            c("status"),
            c("arrived"),
            c("left_at"),
            c("credited_hours"),
            c("session_date"),
            c("counts_ce"),
            c("signed_at"),
        ],
        // One sign-in per person and session, whichever laptop took it.
        uid: Uid::Natural(&["training_id", "staff_id"], "~att"),
        groups: &[
            &["staff_id", "guest_name", "guest_unit"],
            &["status", "arrived", "left_at", "credited_hours"],
        ],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "assessment",
        cols: &[
            fk("training_id", "training"),
            fk("staff_id", "staff"),
            c("kind"),
            c("score"),
            c("passed"),
            c("assessed_on"),
            c("note"),
        ],
        uid: Uid::Natural(&["training_id", "staff_id", "kind"], "~assess"),
        groups: &[&["score", "passed"]],
        sensitive: &[],
        locked: &[],
    },
    Table {
        name: "sync_conflict",
        cols: &[
            c("tbl"),
            c("row_uid"),
            c("field"),
            c("kind"),
            c("sensitive"),
            c("loser_value"),
            c("loser_origin"),
            c("lost_version"),
            c("status"),
            c("resolved_by"),
            c("resolved_at"),
        ],
        uid: Uid::Random,
        groups: &[&["status", "resolved_by", "resolved_at"]],
        sensitive: &[],
        locked: &[],
    },
];

/// Tables of the client's personal information. Their rows are deleted
/// only by a retention purge (`Store::purge_case`), so a merge never keeps
/// their values once the row is deleted: a losing edit of a deleted row is
/// queued with its foreign keys alone ([`redacted`]), and the queue entries
/// still holding a value of a deleted row are removed.
pub const PERSONAL: &[&str] = &["case_identity", "case_consent"];

/// `value` (a queue entry's JSON object of a row's columns) without the
/// columns that are no foreign key: it still says whose row it was.
pub fn redacted(t: &Table, value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .filter(|(k, _)| t.cols.iter().any(|c| c.name == *k && c.refs.is_some()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether a queue entry's value (JSON text) holds a column of `t` that
/// is no foreign key (unreadable text counts as holding one).
pub fn holds_personal_value(t: &Table, value: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(value) {
        Ok(v) => redacted(t, &v) != v,
        Err(_) => true,
    }
}

impl Table {
    /// The field a column belongs to: its group's first column, or itself.
    pub fn field_of(&self, col: &str) -> &'static str {
        for g in self.groups {
            if g.contains(&col) {
                return g[0];
            }
        }
        self.cols
            .iter()
            .find(|c| c.name == col)
            .map(|c| c.name)
            .unwrap_or("")
    }

    /// The fields in column order, each with its columns' positions.
    pub fn fields(&self) -> Vec<(&'static str, Vec<usize>)> {
        let mut out: Vec<(&'static str, Vec<usize>)> = Vec::new();
        for (i, col) in self.cols.iter().enumerate() {
            let f = self.field_of(col.name);
            match out.iter_mut().find(|(name, _)| *name == f) {
                Some((_, idx)) => idx.push(i),
                None => out.push((f, vec![i])),
            }
        }
        out
    }

    pub fn col_index(&self, name: &str) -> Option<usize> {
        self.cols.iter().position(|c| c.name == name)
    }
}

pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// The next version of the local clock: a hybrid logical clock as one
/// integer, milliseconds since 1970 shifted left 16 bits plus a counter,
/// never less than one past the last version seen. (`julianday`, not
/// `unixepoch('subsec')`: older SQLite builds, such as the `sqlite3` shell
/// of Debian 12, must be able to write to the file too.)
const TICK: &str = "UPDATE sync_state SET seq = seq + 1, \
    clock = max(clock + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) << 16);";

pub(crate) const NOT_APPLYING: &str = "(SELECT applying FROM sync_state) = 0";

fn uid_sql(t: &Table) -> String {
    match t.uid {
        Uid::Random => {
            "printf('%012x', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)) \
                        || lower(hex(randomblob(10)))"
                .to_string()
        }
        Uid::Natural(cols, suffix) => {
            let parts: Vec<String> = cols
                .iter()
                .map(
                    |name| match t.cols.iter().find(|c| c.name == *name).and_then(|c| c.refs) {
                        Some(refs) => format!(
                            "(SELECT uid FROM sync_row WHERE tbl = '{refs}' AND rid = NEW.{name})"
                        ),
                        None => format!("NEW.{name}"),
                    },
                )
                .collect();
            let mut sql = parts.join(" || '~' || ");
            if !suffix.is_empty() {
                sql.push_str(&format!(" || '{suffix}'"));
            }
            // A key with an empty part (a guest's sign-in has no staff
            // row) is no key: such a row gets a random uid.
            format!(
                "coalesce({sql}, {})",
                uid_sql(&Table {
                    uid: Uid::Random,
                    ..*t
                })
            )
        }
    }
}

/// The insert, update and delete triggers of one table.
pub fn triggers_sql(t: &Table) -> String {
    let name = t.name;
    let uid = uid_sql(t);
    let changed: Vec<String> = t
        .cols
        .iter()
        .map(|c| format!("OLD.{0} IS NOT NEW.{0}", c.name))
        .collect();
    let fields: Vec<String> = t
        .fields()
        .iter()
        .map(|(f, idx)| {
            let cond: Vec<String> = idx
                .iter()
                .map(|&i| format!("OLD.{0} IS NOT NEW.{0}", t.cols[i].name))
                .collect();
            format!("SELECT '{f}' AS field WHERE {}", cond.join(" OR "))
        })
        .collect();
    format!(
        "CREATE TRIGGER sync_{name}_insert AFTER INSERT ON {name} WHEN {NOT_APPLYING}
BEGIN
    {TICK}
    INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
    SELECT {uid}, '{name}', NEW.rowid, s.origin, s.clock, s.clock, s.seq, 0,
        json_object(s.origin, s.clock)
    FROM sync_state s WHERE true
    ON CONFLICT (uid) DO UPDATE SET rid = excluded.rid, origin = excluded.origin,
        created = excluded.created, hlc = excluded.hlc, seq = excluded.seq, deleted = 0,
        vv = json_set(sync_row.vv, '$.\"' || excluded.origin || '\"', excluded.hlc);
    DELETE FROM sync_field WHERE uid = (SELECT uid FROM sync_row WHERE tbl = '{name}' AND rid = NEW.rowid);
END;

CREATE TRIGGER sync_{name}_update AFTER UPDATE ON {name} WHEN {NOT_APPLYING}
    AND ({changed} OR OLD.rowid IS NOT NEW.rowid)
BEGIN
    {TICK}
    UPDATE sync_row SET rid = NEW.rowid, hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$.\"' || s.origin || '\"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = '{name}' AND sync_row.rid = OLD.rowid;
    INSERT INTO sync_field (uid, field, hlc, origin)
    SELECT r.uid, f.field, s.clock, s.origin
    FROM sync_row r, sync_state s, ({fields}) f
    WHERE r.tbl = '{name}' AND r.rid = NEW.rowid
    ON CONFLICT (uid, field) DO UPDATE SET hlc = excluded.hlc, origin = excluded.origin;
END;

CREATE TRIGGER sync_{name}_delete AFTER DELETE ON {name}
BEGIN
    {TICK}
    UPDATE sync_row SET rid = NULL, deleted = 1, origin = s.origin, created = s.clock,
        hlc = s.clock, seq = s.seq,
        vv = json_set(vv, '$.\"' || s.origin || '\"', s.clock)
    FROM sync_state s WHERE sync_row.tbl = '{name}' AND sync_row.rid = OLD.rowid;
END;
",
        changed = changed.join(" OR "),
        fields = fields.join(" UNION ALL "),
    )
}

/// Gives every existing row of a table its uid and first version.
pub fn backfill_sql(t: &Table) -> String {
    let uid = uid_sql(t).replace("NEW.", "x.");
    format!(
        "INSERT INTO sync_row (uid, tbl, rid, origin, created, hlc, seq, deleted, vv)
SELECT {uid}, '{name}', x.rowid, s.origin, s.clock, s.clock, s.seq, 0, json_object(s.origin, s.clock)
FROM {name} x, sync_state s ORDER BY x.rowid;
",
        name = t.name,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_and_reference_is_known() {
        for (i, t) in TABLES.iter().enumerate() {
            for col in t.cols {
                if let Some(r) = col.refs {
                    let parent = TABLES.iter().position(|p| p.name == r);
                    assert!(
                        parent.is_some_and(|p| p < i),
                        "{}.{} refers to {r}, which must come earlier",
                        t.name,
                        col.name
                    );
                }
            }
            for g in t.groups {
                for col in *g {
                    assert!(t.col_index(col).is_some(), "{}: group names {col}", t.name);
                }
            }
            for f in t.sensitive.iter().chain(t.locked) {
                assert!(t.col_index(f).is_some(), "{}: {f}", t.name);
            }
        }
    }

    #[test]
    fn fields_group_columns_a_check_ties_together() {
        let case = table("client_case").expect("test value");
        let fields = case.fields();
        let stage = fields
            .iter()
            .find(|(f, _)| *f == "stage")
            .expect("test value");
        assert_eq!(stage.1.len(), 2);
        assert!(!fields.iter().any(|(f, _)| *f == "closed_on"));
        assert_eq!(case.field_of("closed_on"), "stage");
    }
}
