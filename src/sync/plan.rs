//! The merge plan: a pure function from the incoming bundle and the local
//! copies of the same rows to what to write (gather → plan → apply).
//!
//! A row lives in incarnations: made, deleted, perhaps made again (a
//! natural key re-added). Each is stamped with the version that began it,
//! and the later one stands whole on every laptop; what the other side had
//! changed without seeing it goes to the review queue (a deletion that
//! lost, too). A deletion comes after everything its laptop had seen of the
//! row, so it wins over any edit of the life it ends. A row whose parent is
//! deleted here goes with it, and to the queue.
//!
//! Within one incarnation, per field:
//! - the same version on both sides: nothing to do;
//! - one side had seen the other's version when it wrote (its version
//!   vector covers it): that side's value stands, no conflict;
//! - neither had: the edits were concurrent. The greater version (clock,
//!   then origin) wins on every laptop whatever the order bundles arrive
//!   in, and when the values differ the loser goes to the review queue.
//!
//! On top of that, a signed supervision record is never overwritten: a
//! differing copy becomes a conflict to review, and a signed copy beats an
//! unsigned one.

use std::borrow::Cow;
use std::collections::BTreeMap;

use foldhash::{HashMap, HashSet};

use serde::Serialize;
use serde_json::Value;
use sha2::Digest;

use super::bundle::{Dot, Row, Section, VersionVector};
use super::spec::{self, Table};

/// Everything the plan needs to know about this database. Local rows are
/// read in the same shape as bundle rows.
#[derive(Debug, Default)]
pub struct LocalState {
    /// Local rows by uid, for the uids in the bundle.
    pub rows: HashMap<String, Row>,
    /// Supervision records signed here.
    pub signed: HashSet<String>,
    /// Conflicts already in the queue (by uid).
    pub conflicts: HashSet<String>,
    /// Rows deleted here that new rows of the bundle point to.
    pub dead: HashSet<String>,
    /// For each row the bundle deletes, the live rows here that go with
    /// it (children and theirs) and that the bundle does not carry: made
    /// here without the deleting laptop knowing.
    pub children: HashMap<String, Vec<(&'static str, Row)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ConflictKind {
    /// Both sides changed the same field.
    Field,
    /// A signed record's copy differs: the signed one stands.
    Signed,
    /// One side deleted a row the other had changed.
    Deleted,
}

impl ConflictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::Field => "field",
            ConflictKind::Signed => "signed",
            ConflictKind::Deleted => "deleted",
        }
    }
}

/// A value that lost, for the review queue. Everything in it follows from
/// the losing version, so every laptop that meets the same loss makes the
/// same entry (and a settled entry stays settled).
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub uid: String,
    pub table: &'static str,
    pub row_uid: String,
    /// The field (a group's first column), or `*` for the whole row.
    pub field: String,
    pub kind: ConflictKind,
    pub sensitive: bool,
    /// A JSON object of the field's columns (the whole row for `*`).
    pub loser: Value,
    /// The losing version.
    pub lost: Dot,
}

/// What to do with one incoming row. A row taken as it came is borrowed
/// from the bundle, not copied: a large import is mostly such rows.
#[derive(Debug, Clone, PartialEq)]
pub enum Op<'a> {
    /// A row this database has never seen.
    Insert(&'a Row),
    /// A row deleted here and made again elsewhere after that deletion.
    Revive(Row),
    /// A deletion of a row this database has never seen: keep the tombstone
    /// so an older copy arriving later does not bring it back.
    Tombstone(Cow<'a, Row>),
    /// Set these columns from `row` and take its versions.
    Update { row: Row, cols: Vec<usize> },
    /// Delete the local row and keep `row` as its tombstone.
    Delete(Row),
    /// Only the versions change (the values here already stand).
    Versions(Row),
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Summary {
    pub new: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
    pub conflicts: u64,
    /// Conflicts a person must decide (sensitive fields, signed records).
    pub needs_decision: u64,
}

#[derive(Debug, Clone, Default)]
pub struct TablePlan<'a> {
    pub table: Option<&'static Table>,
    pub ops: Vec<Op<'a>>,
}

#[derive(Debug, Clone, Default)]
pub struct Plan<'a> {
    pub tables: Vec<TablePlan<'a>>,
    pub conflicts: Vec<Conflict>,
    pub summary: Summary,
}

/// Whether `winner`'s author had seen all of `loser`: its incarnation (for
/// a tombstone, the deletion) and every field edited since.
fn seen_all(winner: &Row, loser: &Row) -> bool {
    winner.has_seen(&Dot(loser.created, loser.origin.clone()))
        && loser.dots.values().all(|d| winner.has_seen(d))
}

fn merged_vv(a: &VersionVector, b: &VersionVector) -> VersionVector {
    let mut out = a.clone();
    for (o, &h) in b.iter() {
        let e = out.entry(o.clone()).or_insert(h);
        *e = (*e).max(h);
    }
    out
}

/// The origin of the version an entry of the queue takes when two laptops
/// settled it differently: sorts after every real origin (hex digits).
const REOPENED: &str = "~reopened";

/// Which life of a row this is: made (created, origin) — for a tombstone,
/// deleted. A deletion or a making-again is a new incarnation, later than
/// everything its laptop had seen; a tombstone wins a tie.
fn incarnation(row: &Row) -> (Dot, bool) {
    (Dot(row.created, row.origin.clone()), row.deleted)
}

/// The row's latest version as a dot.
fn latest(row: &Row) -> Dot {
    row.vv
        .iter()
        .map(|(o, &h)| Dot(h, o.clone()))
        .max()
        .unwrap_or_else(|| Dot(row.hlc, row.origin.clone()))
}

fn field_value(t: &Table, row: &Row, idx: &[usize]) -> Value {
    let mut m = serde_json::Map::new();
    for &i in idx {
        m.insert(
            t.cols[i].name.to_string(),
            row.values.get(i).cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(m)
}

fn whole_row(t: &Table, row: &Row) -> Value {
    let idx: Vec<usize> = (0..t.cols.len()).collect();
    field_value(t, row, &idx)
}

/// The uid of the supervision record a row belongs to, when its table is
/// locked by a signature.
fn record_of<'a>(t: &Table, row: &'a Row) -> Option<&'a str> {
    match t.name {
        "supervision_record" => Some(&row.uid),
        _ if !t.locked.is_empty() => t
            .col_index("record_id")
            .and_then(|i| row.values.get(i))
            .and_then(|v| v.as_str()),
        _ => None,
    }
}

struct Planner<'a> {
    local: &'a LocalState,
    plan: Plan<'a>,
    seen: HashSet<String>,
    /// Rows deleted here, or by this plan, that new rows may point to.
    dead: HashSet<String>,
}

impl<'a> Planner<'a> {
    fn conflict(
        &mut self,
        t: &'static Table,
        row_uid: &str,
        field: &str,
        kind: ConflictKind,
        loser: Value,
        lost: Dot,
    ) {
        if t.name == "sync_conflict" {
            return;
        }
        // A deleted identity or consent was purged: what was lost is said
        // (whose row), never its personal values.
        let loser = if kind == ConflictKind::Deleted && spec::PERSONAL.contains(&t.name) {
            spec::redacted(t, &loser)
        } else {
            loser
        };
        // The losing value's own digest too: two laptops may hold different
        // contents under the same latest version (merged from others).
        let digest = sha2::Sha256::digest(loser.to_string().as_bytes());
        let uid = format!(
            "{row_uid}|{field}|{}@{}|{}",
            lost.0,
            lost.1,
            hex::encode(&digest[..8])
        );
        if self.local.conflicts.contains(&uid) || !self.seen.insert(uid.clone()) {
            return;
        }
        let sensitive = kind == ConflictKind::Signed || t.sensitive.contains(&field);
        self.plan.summary.conflicts += 1;
        if sensitive {
            self.plan.summary.needs_decision += 1;
        }
        self.plan.conflicts.push(Conflict {
            uid,
            table: t.name,
            row_uid: row_uid.to_string(),
            field: field.to_string(),
            kind,
            sensitive,
            loser,
            lost,
        });
    }

    fn row(&mut self, t: &'static Table, inc: &'a Row) -> Option<Op<'a>> {
        let local = self.local.rows.get(&inc.uid);
        let orphan = !inc.deleted
            && t.cols.iter().zip(&inc.values).any(|(c, v)| {
                c.refs.is_some() && v.as_str().is_some_and(|u| self.dead.contains(u))
            });
        if orphan {
            // Its parent is deleted here: it goes too, and to the queue
            // unless the deletion here had seen all of it.
            self.dead.insert(inc.uid.clone());
            if local.is_none_or(|l| !l.deleted || !seen_all(l, inc)) {
                self.conflict(
                    t,
                    &inc.uid,
                    "*",
                    ConflictKind::Deleted,
                    whole_row(t, inc),
                    latest(inc),
                );
            }
            let mut gone = inc.clone();
            gone.deleted = true;
            gone.values.clear();
            return match local {
                None => Some(Op::Tombstone(Cow::Owned(gone))),
                Some(loc) if loc.deleted => {
                    self.plan.summary.unchanged += 1;
                    let vv = merged_vv(&loc.vv, &inc.vv);
                    (vv != loc.vv).then(|| {
                        let mut r = loc.clone();
                        r.vv = vv;
                        Op::Versions(r)
                    })
                }
                Some(loc) => {
                    self.plan.summary.deleted += 1;
                    gone.vv = merged_vv(&loc.vv, &inc.vv);
                    Some(Op::Delete(gone))
                }
            };
        }
        // A tombstone carries no values: its record is the local copy's.
        let record = record_of(t, inc).or_else(|| local.and_then(|l| record_of(t, l)));
        let local_signed = record.is_some_and(|r| self.local.signed.contains(r));
        let Some(loc) = local else {
            if t.name == "sync_conflict" && self.seen.contains(&inc.uid) {
                // Found here too: keep the copy that travelled (counted below).
                if let Some(i) = self.plan.conflicts.iter().position(|c| c.uid == inc.uid) {
                    let c = self.plan.conflicts.remove(i);
                    self.plan.summary.conflicts -= 1;
                    if c.sensitive {
                        self.plan.summary.needs_decision -= 1;
                    }
                }
            }
            if inc.deleted {
                self.dead.insert(inc.uid.clone());
                return Some(Op::Tombstone(Cow::Borrowed(inc)));
            }
            if local_signed && t.name != "supervision_record" {
                // A part added elsewhere to a record signed here.
                self.conflict(
                    t,
                    &inc.uid,
                    "*",
                    ConflictKind::Signed,
                    whole_row(t, inc),
                    latest(inc),
                );
                return None;
            }
            self.plan.summary.new += 1;
            if t.name == "sync_conflict" {
                // An entry found elsewhere, now in this laptop's queue too.
                let value = |col: &str| t.col_index(col).and_then(|i| inc.values.get(i));
                if value("status").and_then(|v| v.as_str()) == Some("open") {
                    self.plan.summary.conflicts += 1;
                    if value("sensitive").and_then(|v| v.as_i64()) == Some(1) {
                        self.plan.summary.needs_decision += 1;
                    }
                }
            }
            return Some(Op::Insert(inc));
        };
        let vv = merged_vv(&loc.vv, &inc.vv);
        let versions_only = |loc: &Row| {
            if vv == loc.vv {
                None
            } else {
                let mut r = loc.clone();
                r.vv = vv.clone();
                r.hlc = r.hlc.max(inc.hlc);
                Some(Op::Versions(r))
            }
        };
        // The same incarnation on both sides: merge field by field.
        if loc.deleted {
            // Unless a later life of the row arrives, it stays deleted here.
            self.dead.insert(inc.uid.clone());
        }
        if incarnation(loc) == incarnation(inc) {
            if loc.deleted {
                self.plan.summary.unchanged += 1;
                return versions_only(loc);
            }
            return self.fields(t, loc, inc, local_signed, vv);
        }
        // Otherwise the later incarnation (a deletion, or the row made
        // again) stands whole, and what the other side had changed without
        // seeing it goes to the queue.
        // A signed copy beats an unsigned one; otherwise the later life.
        let incoming_wins = (inc.locked && !local_signed) || incarnation(inc) > incarnation(loc);
        if incoming_wins && local_signed {
            self.plan.summary.unchanged += 1;
            let loser = if inc.deleted {
                Value::Null
            } else {
                whole_row(t, inc)
            };
            self.conflict(t, &inc.uid, "*", ConflictKind::Signed, loser, latest(inc));
            return versions_only(loc);
        }
        let (winner, loser) = if incoming_wins {
            (inc, loc)
        } else {
            (loc, inc)
        };
        let seen = seen_all(winner, loser);
        if !seen && !loser.deleted && (winner.deleted || winner.values != loser.values) {
            let kind = if winner.deleted {
                ConflictKind::Deleted
            } else {
                ConflictKind::Field
            };
            self.conflict(t, &inc.uid, "*", kind, whole_row(t, loser), latest(loser));
        } else if !seen && loser.deleted && !winner.deleted {
            // A deletion undone by the row made again elsewhere meanwhile
            // (or by the signed copy, which stands).
            let kind = if winner.locked {
                ConflictKind::Signed
            } else {
                ConflictKind::Deleted
            };
            self.conflict(t, &inc.uid, "*", kind, Value::Null, latest(loser));
        }
        if !incoming_wins {
            self.plan.summary.unchanged += 1;
            return versions_only(loc);
        }
        let mut row = inc.clone();
        row.vv = vv;
        row.hlc = loc.hlc.max(inc.hlc);
        match (loc.deleted, inc.deleted) {
            (true, true) => {
                self.plan.summary.unchanged += 1;
                Some(Op::Versions(row))
            }
            (true, false) => {
                self.plan.summary.new += 1;
                self.dead.remove(&row.uid);
                Some(Op::Revive(row))
            }
            (false, true) => {
                self.plan.summary.deleted += 1;
                self.dead.insert(row.uid.clone());
                // What was made here under it, unknown to the deleting side.
                for (name, kid) in self.local.children.get(&row.uid).into_iter().flatten() {
                    if let Some(kt) = spec::table(name) {
                        self.dead.insert(kid.uid.clone());
                        self.conflict(
                            kt,
                            &kid.uid,
                            "*",
                            ConflictKind::Deleted,
                            whole_row(kt, kid),
                            latest(kid),
                        );
                    }
                }
                Some(Op::Delete(row))
            }
            (false, false) => {
                let cols: Vec<usize> = (0..t.cols.len())
                    .filter(|&i| loc.values[i] != inc.values[i])
                    .collect();
                if cols.is_empty() {
                    self.plan.summary.unchanged += 1;
                    Some(Op::Versions(row))
                } else {
                    self.plan.summary.updated += 1;
                    Some(Op::Update { row, cols })
                }
            }
        }
    }

    fn fields(
        &mut self,
        t: &'static Table,
        loc: &Row,
        inc: &Row,
        local_signed: bool,
        vv: VersionVector,
    ) -> Option<Op<'a>> {
        let inc_signed = inc.locked;
        let mut reopened = 0;
        let mut merged = loc.clone();
        let mut dots: BTreeMap<&str, Dot> = BTreeMap::new();
        let mut cols = Vec::new();
        for (field, idx) in t.fields() {
            let ld = loc.dot(field);
            let id = inc.dot(field);
            let same_value = idx.iter().all(|&i| loc.values[i] == inc.values[i]);
            let locked = idx.iter().any(|&i| t.locked.contains(&t.cols[i].name));
            let take = if ld == id {
                false
            } else if locked && local_signed {
                if !same_value {
                    self.conflict(
                        t,
                        &loc.uid,
                        field,
                        ConflictKind::Signed,
                        field_value(t, inc, &idx),
                        id.clone(),
                    );
                }
                false
            } else if locked && inc_signed {
                if !same_value && !inc.has_seen(&ld) {
                    self.conflict(
                        t,
                        &loc.uid,
                        field,
                        ConflictKind::Signed,
                        field_value(t, loc, &idx),
                        ld.clone(),
                    );
                }
                true
            } else if inc.has_seen(&ld) {
                true
            } else if loc.has_seen(&id) {
                false
            } else if t.name == "sync_conflict" && field == "status" && !same_value {
                // Two laptops settled the same entry differently without
                // knowing: it opens again, the same way everywhere.
                let top = ld.clone().max(id.clone());
                for &i in &idx {
                    let v = if i == idx[0] {
                        Value::from("open")
                    } else {
                        Value::Null
                    };
                    if merged.values[i] != v {
                        merged.values[i] = v;
                        cols.push(i);
                    }
                }
                dots.insert(field, Dot(top.0, REOPENED.into()));
                // Whoever merges the reopening has seen it, so a later
                // settlement there stands.
                reopened = reopened.max(top.0);
                continue;
            } else {
                let take = id > ld;
                if !same_value {
                    let (l, lw) = if take { (loc, &ld) } else { (inc, &id) };
                    self.conflict(
                        t,
                        &loc.uid,
                        field,
                        ConflictKind::Field,
                        field_value(t, l, &idx),
                        lw.clone(),
                    );
                }
                take
            };
            if take {
                for &i in &idx {
                    if merged.values[i] != inc.values[i] {
                        merged.values[i] = inc.values[i].clone();
                        cols.push(i);
                    }
                }
                dots.insert(field, id);
            } else {
                dots.insert(field, ld);
            }
        }
        // Both copies of a row made on two laptops (a natural key) settle on
        // the greater creation version, so every laptop keeps the same one.
        let created =
            Dot(loc.created, loc.origin.clone()).max(Dot(inc.created, inc.origin.clone()));
        merged.created = created.0;
        merged.origin = created.1.clone();
        merged.dots = dots
            .into_iter()
            .filter(|(_, d)| *d != created)
            .map(|(f, d)| (f.to_string(), d))
            .collect();
        merged.hlc = loc.hlc.max(inc.hlc);
        merged.vv = vv;
        if reopened > 0 {
            let e = merged.vv.entry(REOPENED.to_string()).or_insert(reopened);
            *e = (*e).max(reopened);
        }
        merged.locked = loc.locked || inc.locked;
        let meta_same = merged.vv == loc.vv
            && merged.dots == loc.dots
            && merged.created == loc.created
            && merged.origin == loc.origin
            && merged.hlc == loc.hlc;
        if cols.is_empty() {
            self.plan.summary.unchanged += 1;
            if meta_same {
                None
            } else {
                Some(Op::Versions(merged))
            }
        } else {
            self.plan.summary.updated += 1;
            cols.sort_unstable();
            Some(Op::Update { row: merged, cols })
        }
    }
}

/// Plans the merge of `sections` into a database whose copies of the same
/// rows are `local`. Pure: the same inputs give the same plan.
pub fn plan<'a>(sections: &'a [Section], local: &'a LocalState) -> Plan<'a> {
    let mut p = Planner {
        local,
        plan: Plan::default(),
        seen: HashSet::default(),
        dead: local.dead.clone(),
    };
    for s in sections {
        let Some(t) = spec::table(&s.table) else {
            continue;
        };
        let mut tp = TablePlan {
            table: Some(t),
            ops: Vec::new(),
        };
        for inc in &s.rows {
            if let Some(op) = p.row(t, inc) {
                tp.ops.push(op);
            }
        }
        p.plan.tables.push(tp);
    }
    p.plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::bundle::FieldVersions;

    fn station(uid: &str, origin: &str, hlc: i64, name: &str) -> Row {
        Row {
            uid: uid.into(),
            origin: origin.into(),
            created: hlc,
            hlc,
            deleted: false,
            locked: false,
            vv: VersionVector::from_iter([(origin.to_string(), hlc)]),
            dots: FieldVersions::new(),
            values: vec![name.into(), "镇".into(), "县".into()],
        }
    }

    fn edit(row: &Row, origin: &str, hlc: i64, name: &str) -> Row {
        let mut r = row.clone();
        r.values[0] = name.into();
        r.dots.insert("name".into(), Dot(hlc, origin.into()));
        r.vv.insert(origin.into(), hlc);
        r.hlc = hlc;
        r
    }

    fn section(rows: Vec<Row>) -> Vec<Section> {
        vec![Section {
            table: "station".into(),
            columns: vec!["name".into(), "township".into(), "county".into()],
            rows,
        }]
    }

    fn with_local(rows: &[Row]) -> LocalState {
        LocalState {
            rows: rows.iter().map(|r| (r.uid.clone(), r.clone())).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_new_row_is_inserted_and_the_same_row_is_unchanged() {
        let r = station("s1", "a", 10, "东站");
        let (s, l) = (section(vec![r.clone()]), LocalState::default());
        let p = plan(&s, &l);
        assert_eq!(p.summary.new, 1);
        assert!(matches!(&p.tables[0].ops[0], Op::Insert(x) if **x == r));
        let (s, l) = (section(vec![r.clone()]), with_local(&[r]));
        let p = plan(&s, &l);
        assert_eq!(p.summary.unchanged, 1);
        assert!(p.tables[0].ops.is_empty());
    }

    #[test]
    fn a_later_edit_made_knowing_ours_is_taken_without_conflict() {
        let base = station("s1", "a", 10, "东站");
        let theirs = edit(&base, "b", 20, "东风站");
        let (s, l) = (
            section(vec![theirs.clone()]),
            with_local(std::slice::from_ref(&base)),
        );
        let p = plan(&s, &l);
        assert_eq!(p.summary.updated, 1);
        assert!(p.conflicts.is_empty());
        // And an older copy does not undo ours.
        let (s, l) = (section(vec![base]), with_local(&[theirs]));
        let p = plan(&s, &l);
        assert_eq!(p.summary.unchanged, 1);
        assert!(p.conflicts.is_empty());
    }

    #[test]
    fn concurrent_edits_of_one_field_keep_the_loser_in_either_order() {
        let base = station("s1", "a", 10, "东站");
        let ours = edit(&base, "a", 30, "东方站");
        let theirs = edit(&base, "b", 20, "东风站");
        let (s, l) = (
            section(vec![theirs.clone()]),
            with_local(std::slice::from_ref(&ours)),
        );
        let here = plan(&s, &l);
        let (s, l) = (
            section(vec![ours.clone()]),
            with_local(std::slice::from_ref(&theirs)),
        );
        let there = plan(&s, &l);
        assert_eq!(here.conflicts.len(), 1);
        assert_eq!(here.conflicts, there.conflicts);
        assert_eq!(here.conflicts[0].loser["name"], "东风站");
        assert!(here.tables[0]
            .ops
            .iter()
            .all(|op| !matches!(op, Op::Update { .. })));
        match &there.tables[0].ops[0] {
            Op::Update { row, cols } => {
                assert_eq!(row.values[0], "东方站");
                assert_eq!(cols, &vec![0]);
            }
            other => panic!("expected an update, got {other:?}"),
        }
    }

    #[test]
    fn different_fields_merge_without_conflict() {
        let base = station("s1", "a", 10, "东站");
        let ours = edit(&base, "a", 30, "东方站");
        let mut theirs = base.clone();
        theirs.values[1] = "西镇".into();
        theirs.dots.insert("township".into(), Dot(20, "b".into()));
        theirs.vv.insert("b".into(), 20);
        let (s, l) = (section(vec![theirs]), with_local(&[ours]));
        let p = plan(&s, &l);
        assert!(p.conflicts.is_empty());
        match &p.tables[0].ops[0] {
            Op::Update { row, .. } => {
                assert_eq!(row.values[0], "东方站");
                assert_eq!(row.values[1], "西镇");
            }
            other => panic!("expected an update, got {other:?}"),
        }
    }

    #[test]
    fn a_row_made_again_after_its_deletion_comes_back_everywhere() {
        let base = station("s1", "a", 10, "东站");
        let mut gone = base.clone();
        gone.deleted = true;
        gone.values.clear();
        gone.vv.insert("a".into(), 20);
        gone.hlc = 20;
        gone.created = 20;
        let mut again = base.clone();
        again.created = 30;
        again.hlc = 30;
        again.vv.insert("a".into(), 30);
        let (s, l) = (
            section(vec![again.clone()]),
            with_local(std::slice::from_ref(&gone)),
        );
        let p = plan(&s, &l);
        assert!(matches!(&p.tables[0].ops[0], Op::Revive(r) if *r == again));
        assert!(p.conflicts.is_empty());
        let (s, l) = (section(vec![gone]), with_local(&[again]));
        let p = plan(&s, &l);
        assert!(p.tables[0].ops.is_empty());
        assert!(p.conflicts.is_empty());
    }

    #[test]
    fn a_deletion_wins_and_an_unseen_edit_is_queued() {
        let base = station("s1", "a", 10, "东站");
        let ours = edit(&base, "a", 30, "东方站");
        let mut gone = base.clone();
        gone.deleted = true;
        gone.values.clear();
        gone.vv.insert("b".into(), 20);
        gone.hlc = 20;
        gone.created = 20;
        gone.origin = "b".into();
        let (s, l) = (section(vec![gone]), with_local(&[ours]));
        let p = plan(&s, &l);
        assert!(matches!(p.tables[0].ops[0], Op::Delete(_)));
        assert_eq!(p.conflicts.len(), 1);
        assert_eq!(p.conflicts[0].kind, ConflictKind::Deleted);
        assert_eq!(p.conflicts[0].loser["name"], "东方站");
    }
}
