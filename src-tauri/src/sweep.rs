//! The hostile-input sweep of the window's commands (issue 8): every command
//! in `generate_handler!` is called through real IPC deserialisation on
//! Tauri's mock runtime (no window), first with arguments of the wrong type
//! or missing, then, unlocked, with well-typed hostile values (empty, huge,
//! SQL-looking, out-of-range dates, negative and unknown ids) in each field
//! in turn. Each call must answer, never panic or hang; a refusal of a
//! well-typed value is a `CommandError` with a kind the UI knows (and field
//! codes for `invalid`), and leaves the database as it was. After the sweep
//! the store still answers and the file passes `integrity_check`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex, Once};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use stationdesk::store::Passphrase;
use stationdesk::Store;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime};
use tauri::webview::InvokeRequest;
use tauri::{Manager, WebviewWindow};

use crate::vault::Vault;
use crate::App;

const PASSPHRASE: &str = "a sweep passphrase";
const CHANNEL: &str = "__CHANNEL__:1";

/// The kinds of error the UI has a sentence for (`ErrorKind`).
const KINDS: &[&str] = &[
    "invalid", "notFound", "conflict", "locked", "closed", "storage", "sync", "internal",
];

/// Ids from the demo station that make a call valid.
struct Ids {
    supervisor: i64,
    /// A record not yet signed, and who wrote it.
    unsigned: i64,
    writer: i64,
    today: String,
    session: (String, String),
    frontline: i64,
    record: i64,
    training: i64,
    case: i64,
    group: i64,
    bundle: String,
    sha256: String,
}

/// One command as the sweep calls it: a valid set of arguments, and the
/// fields (dotted paths) that may be null or missing.
struct Entry {
    name: &'static str,
    args: Value,
    optional: &'static [&'static str],
}

fn entry(name: &'static str, args: Value, optional: &'static [&'static str]) -> Entry {
    Entry {
        name,
        args,
        optional,
    }
}

/// Every command the window serves, each with valid arguments; a test
/// fails when `main.rs` registers one that is not here.
fn commands(ids: &Ids) -> Vec<Entry> {
    let staff_form = json!({
        "stationId": 1, "name": "测试员", "role": "frontline", "qualification": "none",
        "certificateNo": "", "registrationDate": "", "startDate": "2025-03-01",
        "active": true, "leftDate": ""
    });
    let record_form = json!({
        "supervisorId": ids.supervisor, "date": "2026-10-12", "startTime": "09:00",
        "endTime": "10:30", "place": "站内会议室", "mode": "individual",
        "functions": ["educational"],
        "supervisees": [{"staffId": ids.frontline, "attendance": "present"}],
        "cases": "", "topic": "个案评估", "previousReview": "", "reported": "汇报",
        "findings": "发现", "guidance": "指导", "reflection": "", "disagreement": "",
        "actionItems": [{"what": "补记录", "ownerId": ids.frontline, "due": "2026-10-30",
                         "done": "", "note": ""}]
    });
    let case_form = json!({
        "code": "SW-SWEEP-01", "stationId": 1, "ownerId": ids.frontline,
        "category": "elderly", "risk": "general", "stage": "intake", "difficult": false,
        "openedOn": "2026-10-01", "closedOn": "", "retainUntil": "2036-10-01"
    });
    let identity_form = json!({
        "realName": "王某", "idNumber": "", "birthDate": "1950-01-01", "phone": "",
        "guardian": "", "healthNotes": ""
    });
    let roster = "姓名,岗位,资格,入职日期\n导入员,frontline,none,2024-01-02\n";
    let import_form = json!({
        "kind": "roster", "fileName": "roster.csv", "bytes": roster.as_bytes(),
        "stationId": 1, "columns": null
    });
    vec![
        entry("vault_status", json!({}), &[]),
        entry(
            "unlock",
            json!({"passphrase": PASSPHRASE, "user": "测试督导"}),
            &[],
        ),
        entry(
            "set_up_passphrase",
            json!({"form": {"passphrase": PASSPHRASE, "again": PASSPHRASE, "user": "测试督导"}}),
            &[],
        ),
        entry("lock", json!({}), &[]),
        entry(
            "restore_latest",
            json!({"passphrase": PASSPHRASE, "user": "测试督导"}),
            &[],
        ),
        entry("list_backups_cmd", json!({}), &[]),
        entry("make_backup", json!({}), &[]),
        entry(
            "restore_backup",
            json!({"path": "no-such-backup.sqlite3"}),
            &[],
        ),
        entry("past_retention", json!({"stationId": 1}), &[]),
        entry(
            "audit_entries",
            json!({"filter": {"from": "2026-01-01", "to": "", "action": "", "actor": ""}, "page": 0}),
            &[],
        ),
        entry(
            "export_audit",
            json!({"filter": {"from": "", "to": "2026-12-31", "action": "create", "actor": ""}}),
            &[],
        ),
        entry("verify_seals", json!({}), &[]),
        entry(
            "purge_case",
            json!({"caseId": 1, "confirm": "not the code", "by": "测试督导"}),
            &[],
        ),
        entry(
            "change_passphrase",
            json!({"form": {"current": PASSPHRASE, "passphrase": PASSPHRASE, "again": PASSPHRASE}}),
            &[],
        ),
        entry("list_stations", json!({}), &[]),
        entry("list_staff", json!({"stationId": 1}), &[]),
        entry("create_staff", json!({"form": staff_form}), &[]),
        entry(
            "update_staff",
            json!({"id": ids.frontline, "form": staff_form}),
            &[],
        ),
        entry(
            "supervisor_candidates",
            json!({"superviseeId": ids.frontline}),
            &[],
        ),
        entry(
            "assign_supervisor",
            json!({"form": {"superviseeId": ids.frontline, "supervisorId": ids.supervisor,
                            "from": ids.today}}),
            &["form.supervisorId"],
        ),
        entry(
            "supervision_history",
            json!({"staffId": ids.frontline}),
            &[],
        ),
        entry(
            "list_records",
            json!({"supervisorId": ids.supervisor}),
            &["supervisorId"],
        ),
        entry("list_supervisors", json!({}), &[]),
        entry(
            "list_supervisees",
            json!({"supervisorId": ids.supervisor}),
            &[],
        ),
        entry("get_record", json!({"id": ids.record}), &[]),
        entry(
            "create_record",
            json!({"form": record_form}),
            &["form.actionItems.0.ownerId"],
        ),
        entry(
            "update_record",
            json!({"id": ids.unsigned, "form": record_form}),
            &["form.actionItems.0.ownerId"],
        ),
        entry(
            "sign_record",
            json!({"id": ids.unsigned, "staffId": ids.writer}),
            &[],
        ),
        entry(
            "amend_record",
            json!({"id": ids.record, "field": "guidance", "text": "更正", "reason": "笔误",
                   "by": "督导"}),
            &[],
        ),
        entry("open_items", json!({"ownerIds": [ids.frontline]}), &[]),
        entry("list_action_items", json!({"openOnly": true}), &[]),
        entry(
            "set_item_done",
            json!({"itemId": 1, "done": "2026-11-02", "note": "完成"}),
            &[],
        ),
        entry(
            "save_draft",
            json!({"key": "record:new", "body": "{\"topic\":\"草稿\"}"}),
            &[],
        ),
        entry("list_drafts", json!({"prefix": "record:"}), &[]),
        entry("delete_draft", json!({"key": "record:new"}), &[]),
        entry("export_record_pdf", json!({"id": ids.record}), &[]),
        entry(
            "list_cases",
            json!({"stationId": 1, "ownerId": ids.frontline, "openOnly": false}),
            &["ownerId"],
        ),
        entry("get_case", json!({"id": ids.case}), &[]),
        entry(
            "create_case",
            json!({"form": case_form, "identity": identity_form}),
            &["identity"],
        ),
        entry(
            "update_case",
            json!({"id": ids.case, "form": with(&case_form, "code", Some(json!("SW-SWEEP-02")))}),
            &[],
        ),
        entry(
            "set_identity",
            json!({"caseId": ids.case, "form": identity_form}),
            &[],
        ),
        entry(
            "add_contact",
            json!({"caseId": ids.case, "form": {"date": "2026-11-01", "kind": "phone",
                   "staffId": ids.frontline, "note": "电话回访"}}),
            &[],
        ),
        entry(
            "add_consent",
            json!({"caseId": ids.case, "form": {"kind": "processing", "givenOn": "2026-11-01",
                   "givenBy": "本人", "scope": "个案服务"}}),
            &[],
        ),
        entry("list_groups", json!({"stationId": 1}), &[]),
        entry(
            "create_group",
            json!({"form": {"stationId": 1, "kind": "group", "name": "长者小组",
                   "therapeutic": false, "leaderId": ids.frontline,
                   "startedOn": "2026-10-01"}}),
            &[],
        ),
        entry(
            "add_group_session",
            json!({"groupId": ids.group, "form": {"date": "2026-11-01", "participants": "8",
                   "note": ""}}),
            &[],
        ),
        entry(
            "overdue",
            json!({"supervisorId": ids.supervisor, "stationId": null}),
            &["supervisorId", "stationId"],
        ),
        entry(
            "workload",
            json!({"month": "2026-10", "supervisorId": null, "stationId": 1}),
            &["supervisorId", "stationId"],
        ),
        entry(
            "export_workload",
            json!({"month": "2026-10", "stationId": 1, "format": "xlsx"}),
            &["stationId"],
        ),
        entry("policy_settings", json!({"month": "2026-10"}), &[]),
        entry(
            "set_policy",
            json!({"form": {"key": "ratio_supervisor", "value": "14", "from": "2026-12",
                   "changedBy": "督导", "note": ""}}),
            &[],
        ),
        entry("list_trainings", json!({"stationId": 1}), &[]),
        entry("get_training", json!({"id": ids.training}), &[]),
        entry("list_trainers", json!({}), &[]),
        entry(
            "create_training",
            json!({"form": {"stationId": 1, "title": "伦理培训", "area": "ethics",
                   "method": "lecture", "trainerId": null, "date": "2026-11-05",
                   "start": "09:00", "end": "12:00", "place": "站内", "countsCe": true,
                   "planItemId": null}}),
            &["form.trainerId", "form.planItemId"],
        ),
        entry(
            "sign_in",
            json!({"trainingId": ids.training, "form": {"staffId": ids.frontline,
                   "guestName": "", "guestUnit": "", "status": "present", "arrived": ids.session.0,
                   "left": ids.session.1}}),
            &["form.staffId"],
        ),
        entry(
            "assess",
            json!({"trainingId": ids.training, "form": {"staffId": ids.frontline,
                   "kind": "exam", "score": "90", "passed": true}}),
            &[],
        ),
        entry("hours_ledger", json!({"stationId": 1}), &[]),
        entry("export_signin_pdf", json!({"id": ids.training}), &[]),
        entry("export_hours_xlsx", json!({"stationId": 1}), &[]),
        entry("training_plan", json!({"stationId": 1, "year": 2026}), &[]),
        entry(
            "add_plan_item",
            json!({"stationId": 1, "form": {"year": "2026", "title": "督导技巧",
                   "area": "skills", "method": "lecture", "month": "12", "trainerId": null,
                   "plannedHours": "3", "changedBy": "站长"}}),
            &["form.trainerId"],
        ),
        entry(
            "drop_plan_item",
            json!({"stationId": 1, "year": 2026, "id": 1, "reason": "取消",
                   "changedBy": "站长"}),
            &[],
        ),
        entry(
            "add_trainer",
            json!({"name": "李老师", "unit": "市社工协会", "expertise": "伦理"}),
            &[],
        ),
        entry(
            "import_preview",
            json!({"form": import_form}),
            &["form.columns"],
        ),
        entry(
            "import_apply",
            json!({"form": import_form}),
            &["form.columns"],
        ),
        entry("import_template", json!({"kind": "roster"}), &[]),
        entry("sync_status", json!({}), &[]),
        entry(
            "export_bundle",
            json!({"path": "sweep.bundle", "peer": "县办", "onProgress": CHANNEL}),
            &["path", "peer"],
        ),
        entry(
            "preview_bundle",
            json!({"path": ids.bundle, "onProgress": CHANNEL}),
            &[],
        ),
        entry(
            "apply_bundle",
            json!({"path": ids.bundle, "sha256": ids.sha256, "onProgress": CHANNEL}),
            &[],
        ),
        entry("list_conflicts", json!({"all": true}), &[]),
        entry(
            "resolve_conflict",
            json!({"id": 1, "keep": "winner", "by": "督导"}),
            &[],
        ),
    ]
}

/// A window on the mock runtime over a fresh database in `dir`.
fn window(dir: &Path) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>) {
    static EXPORTS: Once = Once::new();
    EXPORTS.call_once(|| {
        // Exports go to a scratch folder, never the user's documents.
        let scratch =
            std::env::temp_dir().join(format!("stationdesk-sweep-{}", std::process::id()));
        std::env::set_var("STATIONDESK_EXPORT_DIR", scratch);
    });
    let (vault, path) = crate::vault::initial(dir.join("desk.sqlite3"));
    let app = crate::serve(
        mock_builder(),
        App {
            store: Mutex::new(vault),
            path,
        },
    )
    .build(mock_context(noop_assets()))
    .expect("the mock app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("the mock window");
    (app, webview)
}

/// What one call came to.
#[derive(Debug)]
enum Answer {
    Ok(Value),
    Err(Value),
    Panicked,
    Hung,
}

/// Calls `cmd` through the IPC layer as the UI does, with a time limit.
fn call(webview: &WebviewWindow<MockRuntime>, cmd: &str, args: &Value) -> Answer {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().expect("url"),
        body: InvokeBody::Json(args.clone()),
        headers: Default::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_string(),
    };
    let (tx, rx) = mpsc::channel();
    let webview = webview.clone();
    // get_ipc_response panics when the command's task dies (a panic in the
    // command drops the reply): the thread's end is then the finding.
    std::thread::spawn(move || {
        let answer = get_ipc_response(&webview, request)
            .map(|b| b.deserialize::<Value>().expect("a JSON reply"));
        // The receiver may have given up waiting.
        let _ = tx.send(answer);
    });
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(Ok(v)) => Answer::Ok(v),
        Ok(Err(e)) => Answer::Err(e),
        Err(mpsc::RecvTimeoutError::Timeout) => Answer::Hung,
        Err(mpsc::RecvTimeoutError::Disconnected) => Answer::Panicked,
    }
}

fn ok(webview: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Value {
    match call(webview, cmd, &args) {
        Answer::Ok(v) => v,
        other => panic!("{cmd} {args}: {other:?}"),
    }
}

/// The store behind the window, for the sweep's own checks.
fn with_store<T>(app: &tauri::App<MockRuntime>, f: impl FnOnce(&Store) -> T) -> Option<T> {
    let state = app.state::<App>();
    let vault = state.store.lock().ok()?;
    match &*vault {
        Vault::Open(store) => Some(f(store)),
        _ => None,
    }
}

/// Unlocked, with the demo station; the ids the valid calls use.
fn unlocked(dir: &Path) -> (tauri::App<MockRuntime>, WebviewWindow<MockRuntime>, Ids) {
    let (app, webview) = window(dir);
    let status = ok(
        &webview,
        "set_up_passphrase",
        json!({"form": {"passphrase": PASSPHRASE, "again": PASSPHRASE, "user": "测试督导"}}),
    );
    assert_eq!(status["state"], "open");
    let staff = ok(&webview, "list_staff", json!({"stationId": 1}));
    let staff = staff.as_array().expect("staff");
    let id_of = |role: &str| {
        staff
            .iter()
            .find(|p| p["role"] == role)
            .and_then(|p| p["id"].as_i64())
            .expect("someone in the role")
    };
    let first = |v: Value| v[0]["id"].as_i64().expect("an id");
    let bundle = dir.join("good.bundle").display().to_string();
    ok(
        &webview,
        "export_bundle",
        json!({"path": bundle, "peer": null, "onProgress": CHANNEL}),
    );
    let preview = ok(
        &webview,
        "preview_bundle",
        json!({"path": bundle, "onProgress": CHANNEL}),
    );
    let records = ok(&webview, "list_records", json!({"supervisorId": null}));
    let unsigned = records
        .as_array()
        .and_then(|r| r.iter().find(|r| r["locked"] == false))
        .expect("a record waiting for signatures");
    let training = first(ok(&webview, "list_trainings", json!({"stationId": 1})));
    let session = ok(&webview, "get_training", json!({"id": training}));
    let text = |v: &Value| v.as_str().expect("text").to_owned();
    let ids = Ids {
        supervisor: first(ok(&webview, "list_supervisors", json!({}))),
        unsigned: unsigned["id"].as_i64().expect("id"),
        writer: unsigned["supervisorId"].as_i64().expect("id"),
        today: crate::commands::today().format("%Y-%m-%d").to_string(),
        session: (
            text(&session["summary"]["start"]),
            text(&session["summary"]["end"]),
        ),
        frontline: id_of("frontline"),
        record: first(records),
        training,
        case: first(ok(
            &webview,
            "list_cases",
            json!({"stationId": 1, "ownerId": null, "openOnly": false}),
        )),
        group: first(ok(&webview, "list_groups", json!({"stationId": 1}))),
        sha256: preview["sha256"].as_str().expect("sha").to_owned(),
        bundle,
    };
    (app, webview, ids)
}

/// Every value somewhere inside `args`, by dotted path (`form.name`,
/// `form.supervisees.0.staffId`), objects and arrays included.
fn paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_owned()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = join(k);
                out.push(p.clone());
                paths(v, &p, out);
            }
        }
        Value::Array(items) => {
            if let Some(first) = items.first() {
                // Bytes are one value, not thousands of fields.
                if !first.is_number() || items.len() < 8 {
                    let p = join("0");
                    out.push(p.clone());
                    paths(first, &p, out);
                }
            }
        }
        _ => {}
    }
}

fn get<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, k| match v {
        Value::Object(m) => m.get(k),
        Value::Array(a) => k.parse::<usize>().ok().and_then(|i| a.get(i)),
        _ => None,
    })
}

/// `args` with the value at `path` replaced (or removed, given `None`).
fn with(args: &Value, path: &str, new: Option<Value>) -> Value {
    let mut args = args.clone();
    let (parent, last) = match path.rsplit_once('.') {
        Some((p, l)) => (Some(p), l),
        None => (None, path),
    };
    let mut target = &mut args;
    if let Some(parent) = parent {
        for k in parent.split('.') {
            target = match target {
                Value::Object(m) => m.get_mut(k).expect("path"),
                Value::Array(a) => a.get_mut(k.parse::<usize>().expect("index")).expect("path"),
                _ => panic!("no {path}"),
            };
        }
    }
    match (target, new) {
        (Value::Object(m), Some(v)) => {
            m.insert(last.to_owned(), v);
        }
        (Value::Object(m), None) => {
            m.remove(last);
        }
        (Value::Array(a), Some(v)) => a[last.parse::<usize>().expect("index")] = v,
        (Value::Array(a), None) => {
            a.remove(last.parse::<usize>().expect("index"));
        }
        _ => panic!("no {path}"),
    }
    args
}

fn huge_string() -> String {
    "字".repeat(33_000)
}

/// Values of the wrong JSON type for `original` (and null, and missing).
fn wrong_types(original: &Value) -> Vec<(&'static str, Option<Value>)> {
    let all: Vec<(&'static str, Option<Value>)> = vec![
        ("missing", None),
        ("null", Some(Value::Null)),
        ("true", Some(json!(true))),
        ("1.5", Some(json!(1.5))),
        ("1e300", Some(json!(1e300))),
        ("u64::MAX", Some(json!(u64::MAX))),
        ("a number as text", Some(json!("7"))),
        ("a huge string", Some(json!(huge_string()))),
        ("an array", Some(json!([1, "two", null]))),
        ("an object", Some(json!({"x": 1}))),
    ];
    let same = |v: &Value| match (original, v) {
        (Value::String(_), Value::String(_)) | (Value::Bool(_), Value::Bool(_)) => true,
        (Value::Number(a), Value::Number(b)) => a.is_i64() && b.is_i64(),
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => true,
        _ => false,
    };
    all.into_iter()
        .filter(|(_, v)| v.as_ref().is_none_or(|v| !same(v)))
        .collect()
}

/// Well-typed hostile values for a field like `original`, named `key`.
fn hostile(key: &str, original: &Value, dir: &Path) -> Vec<(String, Value)> {
    let strings = [
        String::new(),
        huge_string(),
        "'; DROP TABLE staff; --".into(),
        "%s%n%x%p".into(),
        "\u{0}\u{1}\u{7}\t\r\n\u{1b}[2J\u{7f}".into(),
        "-1".into(),
        "99999999999999999999".into(),
        "0000-00-00".into(),
        "9999-12-31".into(),
        "2026-02-30".into(),
        "+275760-09-13".into(),
        "25:61".into(),
    ];
    let named = |v: &str| format!("{v:.40?}");
    match original {
        Value::String(_) if key == "onProgress" => vec![],
        Value::String(_) if key == "path" => {
            // Files: never relative, so nothing lands beside the test.
            let mut out: Vec<(String, Value)> = strings
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| {
                    (
                        format!("a file named {}", named(s)),
                        json!(dir.join("paths").join(s).display().to_string()),
                    )
                })
                .collect();
            out.push(("\"\"".into(), json!("")));
            for f in ["empty", "garbage", "invalid-utf8", "directory", "missing"] {
                out.push((
                    format!("a {f} file"),
                    json!(dir.join(f).display().to_string()),
                ));
            }
            out
        }
        Value::String(_) => strings.iter().map(|s| (named(s), json!(s))).collect(),
        Value::Number(_) => [-1, 0, 987_654_321, i64::from(i32::MAX), i64::MAX, i64::MIN]
            .into_iter()
            .map(|n| (n.to_string(), json!(n)))
            .collect(),
        Value::Bool(b) => vec![(format!("{}", !b), json!(!b))],
        Value::Array(items) if key == "bytes" => {
            let _ = items;
            files()
                .into_iter()
                .map(|(name, bytes)| (format!("{name} bytes"), json!(bytes)))
                .collect()
        }
        Value::Array(_) => vec![("[]".into(), json!([]))],
        _ => vec![],
    }
}

/// Bad file contents: named, with their bytes.
fn files() -> Vec<(&'static str, Vec<u8>)> {
    let mut garbage = Vec::with_capacity(1 << 20);
    let mut x: u32 = 2_463_534_242;
    while garbage.len() < 1 << 20 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        garbage.extend_from_slice(&x.to_le_bytes());
    }
    let mut zip = b"PK\x03\x04".to_vec();
    zip.extend_from_slice(&garbage[..4096]);
    vec![
        ("empty", vec![]),
        ("garbage", garbage),
        (
            "invalid-utf8",
            b"\xff\xfe\xc3\x28\n\xa0\xa1,\xe2\x28\xa1\n".repeat(100),
        ),
        ("zip-looking", zip),
        (
            "SQL-in-cells",
            "姓名,岗位,资格,入职日期\n'; DROP TABLE staff; --,frontline,none,0000-00-00\n%s%n,\u{1},x,9999-12-31\n"
                .as_bytes()
                .to_vec(),
        ),
    ]
}

/// What was wrong with one answer to a well-typed call, if anything.
fn judge_typed(answer: &Answer, number: bool) -> Option<String> {
    match answer {
        Answer::Ok(_) => None,
        Answer::Panicked => Some("panicked".into()),
        Answer::Hung => Some("did not answer".into()),
        // A number out of the field's range is refused by deserialisation.
        Answer::Err(Value::String(s)) if number && s.contains("invalid args") => None,
        Answer::Err(e) => {
            let kind = e["kind"].as_str().unwrap_or_default();
            if !KINDS.contains(&kind) {
                return Some(format!("not a CommandError the UI knows: {e}"));
            }
            if e["message"].as_str().is_none_or(str::is_empty) {
                return Some(format!("no message: {e}"));
            }
            // The file is sound: an input that fails as `storage` is one
            // the checks let through to the database.
            if kind == "storage" {
                return Some(format!(
                    "the input reached the database as `storage`: {e:.300}"
                ));
            }
            let fields = e["fields"].as_array().map(Vec::len).unwrap_or_default();
            if kind == "invalid" && fields == 0 {
                return Some(format!("`invalid` without field codes: {e}"));
            }
            None
        }
    }
}

/// Back to an open vault, whatever the last call did; true when it had to
/// be opened again.
fn reopen(webview: &WebviewWindow<MockRuntime>) -> bool {
    let status = ok(webview, "vault_status", json!({}));
    let closed = status["state"] != "open";
    if closed {
        ok(
            webview,
            "unlock",
            json!({"passphrase": PASSPHRASE, "user": "测试督导"}),
        );
    }
    closed
}

/// The commands that may put a new store behind the window.
const VAULT: &[&str] = &[
    "unlock",
    "set_up_passphrase",
    "lock",
    "change_passphrase",
    "restore_latest",
];

fn fixture_files(dir: &Path) {
    for (name, bytes) in files() {
        std::fs::write(dir.join(name), bytes).expect("write");
    }
    std::fs::create_dir_all(dir.join("directory")).expect("mkdir");
    std::fs::create_dir_all(dir.join("paths")).expect("mkdir");
}

/// The commands `main.rs` registers, read from its source.
fn registered() -> BTreeSet<String> {
    let source = include_str!("main.rs");
    let start = source
        .find("generate_handler![")
        .expect("generate_handler! in main.rs");
    let list = &source[start + "generate_handler![".len()..];
    let list = &list[..list.find(']').expect("the list's end")];
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit("::").next().unwrap_or(s).to_owned())
        .collect()
}

fn dummy_ids() -> Ids {
    Ids {
        supervisor: 1,
        unsigned: 1,
        writer: 1,
        today: String::new(),
        session: (String::new(), String::new()),
        frontline: 1,
        record: 1,
        training: 1,
        case: 1,
        group: 1,
        bundle: String::new(),
        sha256: String::new(),
    }
}

#[test]
fn the_sweep_covers_every_registered_command() {
    let swept: BTreeSet<String> = commands(&dummy_ids())
        .iter()
        .map(|e| e.name.to_owned())
        .collect();
    let registered = registered();
    assert!(registered.len() > 50, "{registered:?}");
    let missing: Vec<&String> = registered.difference(&swept).collect();
    assert!(
        missing.is_empty(),
        "add these commands to `commands` in src-tauri/src/sweep.rs: {missing:?}"
    );
    let stale: Vec<&String> = swept.difference(&registered).collect();
    assert!(stale.is_empty(), "not registered: {stale:?}");
}

#[test]
fn wrong_types_and_missing_arguments_are_refused() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    let (_app, webview, ids) = unlocked(dir.path());
    let mut problems = vec![];
    let mut calls = 0;
    for e in commands(&ids) {
        let mut tries: Vec<(String, Value, bool)> = vec![];
        // No arguments at all: refused unless every argument is optional.
        let required = e
            .args
            .as_object()
            .map(Map::keys)
            .into_iter()
            .flatten()
            .any(|k| !e.optional.contains(&k.as_str()));
        tries.push(("{}".into(), json!({}), required));
        tries.push(("an array for the arguments".into(), json!([1, 2]), required));
        let mut all = vec![];
        paths(&e.args, "", &mut all);
        for path in all {
            let original = get(&e.args, &path).expect("path");
            for (what, value) in wrong_types(original) {
                let nullish = value.as_ref().is_none_or(Value::is_null);
                // Null or missing is fine for an optional field, and the
                // last element of an array may go.
                if nullish && (e.optional.contains(&path.as_str()) || path.ends_with(".0")) {
                    continue;
                }
                if path.ends_with("onProgress") && value.is_none() {
                    continue;
                }
                tries.push((
                    format!("{path} = {what}"),
                    with(&e.args, &path, value),
                    true,
                ));
            }
        }
        for (what, args, must_fail) in tries {
            calls += 1;
            let answer = call(&webview, e.name, &args);
            let wrong = match &answer {
                Answer::Panicked => Some("panicked".to_owned()),
                Answer::Hung => Some("did not answer".to_owned()),
                Answer::Ok(v) if must_fail => Some(format!("accepted: {v:.200}")),
                _ => None,
            };
            if let Some(wrong) = wrong {
                problems.push(format!("{} [{what}]: {wrong}", e.name));
            }
            reopen(&webview);
        }
    }
    eprintln!(
        "Tauri sweep, wrong types: {} commands, {calls} calls in {:.1?}",
        commands(&ids).len(),
        started.elapsed()
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn hostile_values_are_refused_with_a_kind_and_nothing_half_written() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("tempdir");
    fixture_files(dir.path());
    let (app, webview, ids) = unlocked(dir.path());
    let mut problems = vec![];
    let mut calls = 0;
    let digest = |s: &Store| s.content_digest().expect("digest");
    let mut known: Option<(u64, String)> = None;
    let mut digests = 0;
    let mut answers: std::collections::BTreeMap<String, usize> = Default::default();
    for e in commands(&ids) {
        let mut tries: Vec<(String, Value, bool)> = vec![("valid".into(), e.args.clone(), false)];
        let mut all = vec![];
        paths(&e.args, "", &mut all);
        for path in all {
            let original = get(&e.args, &path).expect("path");
            let key = path.rsplit('.').next().unwrap_or(&path);
            for (what, value) in hostile(key, original, dir.path()) {
                tries.push((
                    format!("{path} = {what}"),
                    with(&e.args, &path, Some(value)),
                    original.is_number(),
                ));
            }
        }
        for (what, args, number) in tries {
            calls += 1;
            if e.name == "unlock" {
                ok(&webview, "lock", json!({}));
            }
            // The content before the call: the last digest taken, unless
            // something was written since (or the store was opened anew).
            let changes = with_store(&app, Store::total_changes);
            let before = match (&known, changes) {
                (Some((at, d)), Some(now)) if *at == now => Some(d.clone()),
                (_, Some(_)) => {
                    digests += 1;
                    with_store(&app, digest)
                }
                _ => None,
            };
            known = changes.zip(before.clone());
            let answer = call(&webview, e.name, &args);
            let kind = match &answer {
                Answer::Ok(_) => "ok".to_owned(),
                Answer::Err(Value::String(_)) => "out of range".to_owned(),
                Answer::Err(e) => e["kind"].as_str().unwrap_or("?").to_owned(),
                _ => "broken".to_owned(),
            };
            if what == "valid" && kind != "ok" {
                eprintln!("  {} [{what:.60}]: {answer:.300?}", e.name);
            }
            *answers.entry(kind).or_insert(0) += 1;
            if let Some(wrong) = judge_typed(&answer, number) {
                problems.push(format!("{} [{what}]: {wrong}", e.name));
            }
            // A refusal that wrote nothing leaves the change count alone;
            // one that wrote and rolled back leaves the content alone.
            if let (Answer::Err(_), Some(before), Some(at)) = (&answer, before, changes) {
                let after = with_store(&app, Store::total_changes);
                if after.is_some_and(|n| n != at) {
                    digests += 1;
                    if with_store(&app, digest).is_some_and(|d| d != before) {
                        problems.push(format!("{} [{what}]: refused, yet wrote", e.name));
                    }
                }
            }
            if reopen(&webview) || VAULT.contains(&e.name) {
                known = None;
            }
        }
    }
    eprintln!(
        "Tauri sweep, hostile values: {} commands, {calls} calls ({digests} digests) in {:.1?}",
        commands(&ids).len(),
        started.elapsed()
    );
    eprintln!("  answers: {answers:?}");
    // Nothing panicked while holding the store: it still answers.
    let stations = ok(&webview, "list_stations", json!({}));
    assert_eq!(stations.as_array().map(Vec::len), Some(1));
    assert!(with_store(&app, digest).is_some());
    ok(&webview, "lock", json!({}));
    let path: PathBuf = dir.path().join("desk.sqlite3");
    let key = Passphrase::given(PASSPHRASE).expect("passphrase");
    let store = Store::open_encrypted(&path, &key).expect("the file still opens");
    assert_eq!(store.integrity_check().expect("check"), ["ok"]);
    assert!(
        problems.is_empty(),
        "{}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
