//! The hostile-input sweep of the command line (issue 8): every command,
//! each argument in turn given an empty, huge, SQL-looking, format-string,
//! control-character, out-of-range or missing value, and every input file
//! given an empty, garbage, invalid UTF-8, directory or missing path. Each
//! run must end without a panic, a failure must say `stationdesk: …` (or be
//! clap's usage error), and a failed run must leave the database exactly as
//! it was (its integrity check and the content of every table).
//!
//! The default run gives each hostile value to each argument position once,
//! the others left valid; `STATIONDESK_SWEEP_FULL=1` adds more values and
//! runs with every position hostile at once.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use clap::CommandFactory;

/// Every command the tool has, each with the arguments it is swept with.
/// `{name}` is an argument position: the valid value of that kind (see
/// [`Fixture::valid`]) unless it is the one being made hostile. A command
/// may appear more than once (options that exclude each other).
const COMMANDS: &[(&str, &str)] = &[
    ("init", "--passphrase-file {passfile}"),
    ("passphrase", "--new-file {newpassfile}"),
    ("demo", "--scale {scale} --seed {int}"),
    ("staff list", "--station {station} --format {format}"),
    (
        "supervision list",
        "--supervisor {supervisor} --month {month} --format json",
    ),
    ("supervision show", "{record} --format {format}"),
    ("case list", "--station {station} --owner {staff} --open"),
    ("case show", "{case} --format json"),
    (
        "overdue",
        "--as-of {day} --supervisor {supervisor} --format json",
    ),
    ("overdue", "--station {station}"),
    ("workload", "--month {month} --supervisor {supervisor}"),
    ("workload", "--station {station} --format json"),
    (
        "export-xlsx hours",
        "--station {station} --as-of {day} --out {out}",
    ),
    (
        "export-xlsx workload",
        "--month {month} --station {station} --out {out}",
    ),
    ("training list", "--station {station} --year {year}"),
    ("training show", "{training} --format json"),
    (
        "training hours",
        "--as-of {day} --station {station} --format json",
    ),
    ("policy show", "--month {month} --format json"),
    (
        "policy set",
        "{policykey} {int} --by {text} --from {month} --note {text}",
    ),
    ("policy history", "--format json"),
    (
        "import-xlsx",
        "roster {sheet} --station {station} --dry-run",
    ),
    ("import-xlsx", "{importkind} {sheet}"),
    ("template", "{importkind} --out {out}"),
    ("export", "--out {out} --since-last {text}"),
    ("import", "{bundle} --dry-run --format json"),
    ("import", "{bundle}"),
    ("conflicts list", "--all --format json"),
    ("conflicts keep", "{int} {side} --by {text}"),
    ("sync", "--format json"),
    ("verify", "--format json"),
    ("print supervision", "{record} --out {pdf}"),
    ("print signin", "{training} --out {pdf}"),
    (
        "print hours",
        "--station {station} --as-of {day} --out {pdf}",
    ),
    ("print hours", "--staff {staff} --out {pdf}"),
    (
        "print workload",
        "--month {month} --station {station} --out {pdf}",
    ),
    (
        "print summary",
        "--supervisor {supervisor} --month {month} --out {pdf}",
    ),
    ("check", ""),
    ("backup", "--out {out}"),
    ("backups", "--format {format}"),
    ("restore", "{backupfile}"),
    (
        "audit list",
        "--from {day} --to {day} --action {auditaction} --format {format}",
    ),
    ("audit export", "--out {out} --actor {text}"),
    ("retention list", "--as-of {day} --format {format}"),
    (
        "retention purge",
        "{purgecase} --confirm {purgecode} --by {text}",
    ),
];

/// Which positions take an input file, and so are also given bad files.
const INPUT_FILES: &[&str] = &["passfile", "newpassfile", "sheet", "bundle", "backupfile"];

/// Hostile values for any argument position.
fn hostile() -> Vec<String> {
    let mut values = vec![
        String::new(),
        "字".repeat(33_000), // ~100 kB
        "'; DROP TABLE staff; --".into(),
        "%s%n%x%p".into(),
        "\u{1}\u{7}\u{8}\t\r\n\u{1b}[2J\u{7f}".into(),
        "-1".into(),
        "99999999999999999999".into(),
        "0000-00-00".into(),
        "9999-12-31".into(),
        "2026-02-30".into(),
        "+275760-09-13".into(),
        "987654321".into(), // an id nobody has
    ];
    if full() {
        values.extend(
            [
                "0",
                "9223372036854775807",
                "-9223372036854775808",
                " 1",
                "1.5",
                "NaN",
                "null",
                "２０２６-11-01",
                "2026-13",
                "0000-00",
                "9999-12",
                "2026年13月",
                "\u{202e}evil",
                "😀",
                "../../../../etc/passwd",
                "--help",
            ]
            .map(String::from),
        );
    }
    values
}

fn full() -> bool {
    std::env::var_os("STATIONDESK_SWEEP_FULL").is_some_and(|v| v == "1")
}

/// What an input file may be instead of a good one.
const BAD_FILES: &[&str] = &["empty", "garbage", "invalid-utf8", "directory", "missing"];

/// The demo database, its content, and the ids and files the valid values
/// come from.
struct Fixture {
    dir: tempfile::TempDir,
    pristine: PathBuf,
    pristine_bytes: Vec<u8>,
    digest: String,
    supervisor: i64,
    staff: i64,
    record: i64,
    training: i64,
    case: String,
    /// A closed case past its retain-until date, and its code.
    purge: (i64, String),
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("tempdir");
        let pristine = dir.path().join("pristine.sqlite3");
        let run = |args: &[&str]| {
            let out = tool(&pristine, dir.path())
                .args(args)
                .output()
                .expect("run");
            assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
            out.stdout
        };
        run(&["demo"]);
        // Anything an open does once (seals, the sync identity) is done.
        run(&["verify"]);
        run(&["export", "--out", "good.bundle"]);
        run(&["backup", "--out", "good.backup"]);
        let due: serde_json::Value =
            serde_json::from_slice(&run(&["retention", "list", "--format", "json"])).expect("json");
        let purge = due
            .as_array()
            .expect("cases")
            .iter()
            .find(|c| c["purgeable"] == true)
            .map(|c| {
                (
                    c["case_id"].as_i64().expect("id"),
                    c["code"].as_str().expect("code").to_owned(),
                )
            })
            .expect("the demo has a case past its date");
        let staff: serde_json::Value =
            serde_json::from_slice(&run(&["staff", "list", "--format", "json"])).expect("json");
        let staff = staff.as_array().expect("staff");
        let id_of = |role: &str| {
            staff
                .iter()
                .find(|p| p["role"] == role)
                .and_then(|p| p["id"].as_i64())
                .expect("a person in that role")
        };
        let records: serde_json::Value =
            serde_json::from_slice(&run(&["supervision", "list", "--format", "json"]))
                .expect("json");
        let trainings: serde_json::Value =
            serde_json::from_slice(&run(&["training", "list", "--format", "json"])).expect("json");
        let cases: serde_json::Value =
            serde_json::from_slice(&run(&["case", "list", "--format", "json"])).expect("json");
        let first_id = |v: &serde_json::Value| v[0]["id"].as_i64().expect("an id");
        let write = |name: &str, bytes: &[u8]| {
            std::fs::write(dir.path().join(name), bytes).expect("write");
        };
        write("pass.txt", b"a good long passphrase\n");
        write(
            "roster.csv",
            "姓名,岗位,资格,入职日期\n测试员,frontline,none,2024-01-02\n".as_bytes(),
        );
        write("empty", b"");
        let mut garbage = Vec::with_capacity(1 << 20);
        let mut x: u32 = 2_463_534_242;
        while garbage.len() < 1 << 20 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            garbage.extend_from_slice(&x.to_le_bytes());
        }
        write("garbage", &garbage);
        write(
            "invalid-utf8",
            &b"\xff\xfe\xc3\x28\n\xa0\xa1,\xe2\x28\xa1\n".repeat(100),
        );
        std::fs::create_dir(dir.path().join("directory")).expect("mkdir");
        let digest = digest(&pristine).expect("the demo database reads");
        Fixture {
            supervisor: records[0]["supervisor_id"].as_i64().expect("a supervisor"),
            staff: id_of("frontline"),
            record: first_id(&records),
            training: first_id(&trainings),
            case: cases[0]["code"].as_str().expect("a code").to_owned(),
            purge,
            pristine_bytes: std::fs::read(&pristine).expect("pristine"),
            dir,
            pristine,
            digest,
        }
    }

    fn file(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    /// The valid value of an argument position.
    fn valid(&self, slot: &str) -> String {
        match slot {
            "passfile" | "newpassfile" => self.file("pass.txt"),
            "sheet" => self.file("roster.csv"),
            "bundle" => self.file("good.bundle"),
            "backupfile" => self.file("good.backup"),
            "purgecase" => self.purge.0.to_string(),
            "purgecode" => self.purge.1.clone(),
            "station" => "1".into(),
            "supervisor" => self.supervisor.to_string(),
            "staff" => self.staff.to_string(),
            "record" => self.record.to_string(),
            "training" => self.training.to_string(),
            "case" => self.case.clone(),
            "int" => "7".into(),
            "day" => "2026-11-01".into(),
            "month" => "2026-10".into(),
            "year" => "2026".into(),
            "text" => "周末复核".into(),
            "format" => "json".into(),
            "scale" => "station".into(),
            "importkind" => "roster".into(),
            "side" => "winner".into(),
            "policykey" => "ratio_supervisor".into(),
            "auditaction" => "create".into(),
            "out" => "out.file".into(),
            "pdf" => "out.pdf".into(),
            other => panic!("no valid value for {{{other}}}"),
        }
    }
}

/// The argument positions of a template, in order.
fn slots(template: &str) -> Vec<&str> {
    template
        .split(' ')
        .filter_map(|w| w.strip_prefix('{').and_then(|w| w.strip_suffix('}')))
        .collect()
}

/// One run: the command, its arguments, and what was made hostile.
#[derive(Clone)]
struct Case {
    command: &'static str,
    args: Vec<String>,
    what: String,
}

fn cases(fx: &Fixture) -> Vec<Case> {
    let values = hostile();
    let mut out = vec![];
    for &(command, template) in COMMANDS {
        let words: Vec<&str> = template.split(' ').filter(|w| !w.is_empty()).collect();
        let positions: Vec<usize> = (0..words.len())
            .filter(|&i| words[i].starts_with('{'))
            .collect();
        let build = |hostile_at: &dyn Fn(usize) -> Option<String>| -> Vec<String> {
            let mut args: Vec<String> = command.split(' ').map(String::from).collect();
            for (i, w) in words.iter().enumerate() {
                args.push(
                    match w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                        Some(slot) => hostile_at(i).unwrap_or_else(|| fx.valid(slot)),
                        None => (*w).to_owned(),
                    },
                );
            }
            args
        };
        out.push(Case {
            command,
            args: build(&|_| None),
            what: "all valid".into(),
        });
        for &at in &positions {
            let slot = &words[at][1..words[at].len() - 1];
            // A PDF takes a second to make in a debug build: its file name
            // gets only the values that fail (the others are `{out}`'s).
            let mut given: Vec<(String, String)> = if slot == "pdf" {
                vec![
                    (String::new(), "{pdf} = \"\"".into()),
                    (values[1].clone(), "{pdf} = a 100 kB name".into()),
                ]
            } else {
                values
                    .iter()
                    .map(|v| (v.clone(), format!("{{{slot}}} = {:.40?}", v)))
                    .collect()
            };
            if INPUT_FILES.contains(&slot) {
                given.extend(
                    BAD_FILES
                        .iter()
                        .map(|f| (fx.file(f), format!("{{{slot}}} = a {f} file"))),
                );
            }
            if slot == "out" || slot == "pdf" {
                for (path, why) in [
                    (fx.file("directory"), "a directory"),
                    (format!("{}/x.out", fx.file("garbage")), "under a file"),
                ] {
                    given.push((path, format!("{{{slot}}} = {why}")));
                }
            }
            for (value, what) in given {
                out.push(Case {
                    command,
                    args: build(&|i| (i == at).then(|| value.clone())),
                    what,
                });
            }
        }
        if full() && positions.len() > 1 {
            for v in &values {
                out.push(Case {
                    command,
                    args: build(&|_| Some(v.clone())),
                    what: format!("every position = {v:.40?}"),
                });
            }
        }
    }
    out
}

fn tool(db: &Path, cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("stationdesk").expect("binary");
    cmd.arg("--db")
        .arg(db)
        .current_dir(cwd)
        .env_remove("STATIONDESK_DB")
        .env_remove("STATIONDESK_PASSPHRASE")
        .env_remove("STATIONDESK_NEW_PASSPHRASE")
        .env_remove("STATIONDESK_EXPORT_DIR");
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The database's content: `integrity_check` must say ok, then the schema
/// and every row of every table go into one SHA-256.
fn digest(db: &Path) -> Result<String, String> {
    let store = stationdesk::Store::open(db).map_err(|e| e.to_string())?;
    let check = store.integrity_check().map_err(|e| e.to_string())?;
    if check != ["ok"] {
        return Err(format!("integrity_check: {check:?}"));
    }
    store.content_digest().map_err(|e| e.to_string())
}

/// Puts the pristine demo database at `db` again.
fn restore(fx: &Fixture, db: &Path) {
    for ext in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{ext}", db.display()));
        if side.exists() {
            std::fs::remove_file(&side).expect("remove");
        }
    }
    std::fs::copy(&fx.pristine, db).expect("copy");
}

/// How long one run of a command took.
type Timing = (&'static str, Duration);

/// What was wrong with one run, if anything.
fn judge(fx: &Fixture, case: &Case, out: &Output, db: &Path, cwd: &Path) -> Option<String> {
    let stderr = text(&out.stderr);
    let code = out.status.code();
    let fail = |why: &str| {
        Some(format!(
            "{} [{}]: {why}\n  exit {code:?}\n  stderr: {:.600}",
            case.command, case.what, stderr
        ))
    };
    if code == Some(101) || stderr.contains("panicked at") {
        return fail("panicked");
    }
    let Some(code) = code else {
        return fail("killed by a signal");
    };
    if code == 0 {
        return None;
    }
    if code == 2 {
        if !stderr.starts_with("error:") {
            return fail("exit 2 without clap's usage error");
        }
    } else {
        let Some(line) = stderr.lines().find(|l| l.starts_with("stationdesk: ")) else {
            return fail("no `stationdesk:` line");
        };
        // A message for a person, not a Rust value's debug dump.
        for leak in ["SqliteFailure", "Os { code", "Custom { kind", "Error {"] {
            if line.contains(leak) {
                return fail(&format!("the message shows `{leak}`"));
            }
        }
    }
    if code == 2 {
        // clap refused the arguments before anything was opened.
        return None;
    }
    // A failed command wrote nothing: not in the database (the same bytes
    // and no journal left are the same content; else compare the content)...
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let same_bytes = !wal.exists() && std::fs::read(db).expect("the database") == fx.pristine_bytes;
    match if same_bytes {
        Ok(fx.digest.clone())
    } else {
        digest(db)
    } {
        Ok(d) if d == fx.digest => {}
        Ok(_) => return fail("the database changed"),
        Err(e) => return fail(&format!("the database no longer reads: {e}")),
    }
    // ...and no half file beside where it was told to write.
    let left: Vec<String> = std::fs::read_dir(cwd)
        .expect("cwd")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if !left.is_empty() {
        return fail(&format!("left files behind: {left:?}"));
    }
    None
}

/// Every leaf subcommand clap knows, as words (`print supervision`).
fn clap_commands() -> BTreeSet<String> {
    fn walk(cmd: &clap::Command, prefix: &str, out: &mut BTreeSet<String>) {
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let path = if prefix.is_empty() {
                sub.get_name().to_owned()
            } else {
                format!("{prefix} {}", sub.get_name())
            };
            if sub.has_subcommands() {
                walk(sub, &path, out);
            } else {
                out.insert(path);
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(&stationdesk::cli::Cli::command(), "", &mut out);
    out
}

#[test]
fn the_sweep_covers_every_command() {
    let known = clap_commands();
    let swept: BTreeSet<String> = COMMANDS.iter().map(|(c, _)| (*c).to_owned()).collect();
    let missing: Vec<&String> = known.difference(&swept).collect();
    assert!(
        missing.is_empty(),
        "add these commands to COMMANDS in tests/it/sweep.rs: {missing:?}"
    );
    let stale: Vec<&String> = swept.difference(&known).collect();
    assert!(stale.is_empty(), "no such commands: {stale:?}");
    // Each argument position names a kind the fixture has a value for.
    let fx_kinds = [
        "passfile",
        "newpassfile",
        "sheet",
        "bundle",
        "station",
        "supervisor",
        "staff",
        "record",
        "training",
        "case",
        "int",
        "day",
        "month",
        "year",
        "text",
        "format",
        "scale",
        "importkind",
        "side",
        "policykey",
        "out",
        "pdf",
        "backupfile",
        "purgecase",
        "purgecode",
        "auditaction",
    ];
    for (command, template) in COMMANDS {
        for slot in slots(template) {
            assert!(fx_kinds.contains(&slot), "{command}: unknown {{{slot}}}");
        }
    }
}

#[test]
fn hostile_input_to_every_command_is_refused_cleanly() {
    let started = Instant::now();
    let fx = Fixture::new();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .min(4);
    // Each worker has its own copy of the database and its own folder.
    let work: Vec<(PathBuf, PathBuf)> = (0..threads)
        .map(|t| {
            let db = fx.dir.path().join(format!("work{t}.sqlite3"));
            restore(&fx, &db);
            (db, fx.dir.path().join(format!("cwd{t}")))
        })
        .collect();
    let all = cases(&fx);
    let total = all.len();
    let (problems, times): (Vec<Vec<String>>, Vec<Vec<Timing>>) = std::thread::scope(|s| {
        let handles: Vec<_> = work
            .iter()
            .enumerate()
            .map(|(t, (db, cwd))| {
                let fx = &fx;
                let mine: Vec<Case> = all.iter().skip(t).step_by(threads).cloned().collect();
                s.spawn(move || {
                    let mut problems = vec![];
                    let mut times = vec![];
                    for case in mine {
                        let t0 = Instant::now();
                        if cwd.exists() {
                            std::fs::remove_dir_all(cwd).expect("clean");
                        }
                        std::fs::create_dir(cwd).expect("cwd");
                        let out = tool(db, cwd).args(&case.args).output().expect("run");
                        if let Some(p) = judge(fx, &case, &out, db, cwd) {
                            problems.push(p);
                        }
                        if out.status.success() || !problems.is_empty() {
                            restore(fx, db);
                        }
                        times.push((case.command, t0.elapsed()));
                    }
                    (problems, times)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a worker"))
            .unzip()
    });
    let problems: Vec<String> = problems.into_iter().flatten().collect();
    let mut by_command: std::collections::BTreeMap<&str, (usize, Duration)> = Default::default();
    for (command, took) in times.into_iter().flatten() {
        let e = by_command.entry(command).or_default();
        e.0 += 1;
        e.1 += took;
    }
    let mut slowest: Vec<_> = by_command.into_iter().collect();
    slowest.sort_by_key(|(_, (_, t))| std::cmp::Reverse(*t));
    for (command, (n, t)) in slowest.iter().take(8) {
        eprintln!("  {command}: {n} runs, {t:.1?}");
    }
    eprintln!(
        "CLI sweep: {} commands, {total} runs in {:.1?}",
        COMMANDS.len(),
        started.elapsed()
    );
    assert!(
        problems.is_empty(),
        "{} of {total} runs went wrong:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_valid_run_in_the_sweep_succeeds() {
    // The sweep starts from runs that work, so each hostile value is the
    // only thing wrong with its run.
    let fx = Fixture::new();
    let db = fx.dir.path().join("valid.sqlite3");
    let cwd = fx.dir.path().join("cwd");
    let mut failed = vec![];
    for case in cases(&fx).into_iter().filter(|c| c.what == "all valid") {
        restore(&fx, &db);
        std::fs::create_dir_all(&cwd).expect("cwd");
        let out = tool(&db, &cwd).args(&case.args).output().expect("run");
        // `init --passphrase-file` on a plain file is refused by design, as
        // is a second demo; the demo has no conflict to keep.
        let refused_by_design = ["conflicts keep", "demo"].contains(&case.command)
            || (case.command == "init" && case.args.contains(&"--passphrase-file".into()));
        if out.status.success() == refused_by_design {
            failed.push(format!("{:?}: {}", case.args, text(&out.stderr)));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn a_hostile_database_path_is_refused_cleanly() {
    let fx = Fixture::new();
    let cwd = fx.dir.path().join("db-cwd");
    let mut problems = vec![];
    let mut given: Vec<(String, Option<&str>)> = hostile().into_iter().map(|v| (v, None)).collect();
    given.extend(BAD_FILES.iter().map(|f| (format!("db-{f}"), Some(*f))));
    for (value, file) in given {
        if cwd.exists() {
            std::fs::remove_dir_all(&cwd).expect("clean");
        }
        std::fs::create_dir(&cwd).expect("cwd");
        // A fresh copy of the bad file each time, in the run's own folder.
        let path = cwd.join(&value);
        match file {
            Some("directory") => std::fs::create_dir(&path).expect("mkdir"),
            Some("missing") | None => {}
            Some(f) => {
                std::fs::copy(fx.dir.path().join(f), &path).expect("copy");
            }
        }
        let before = std::fs::read(&path).ok();
        let out = tool(&path, &cwd)
            .args(["staff", "list"])
            .output()
            .expect("run");
        let case = Case {
            command: "--db",
            args: vec![],
            what: format!("--db {:.40?}", file.unwrap_or(&value)),
        };
        let stderr = text(&out.stderr);
        let code = out.status.code();
        if code == Some(101) || stderr.contains("panicked at") || code.is_none() {
            problems.push(format!("{}: panicked: {stderr:.600}", case.what));
        } else if code != Some(0) {
            if !(stderr.starts_with("error:") || stderr.starts_with("stationdesk: ")) {
                problems.push(format!("{}: unclear failure: {stderr:.600}", case.what));
            }
            if std::fs::read(&path).ok() != before {
                problems.push(format!("{}: the file changed", case.what));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
