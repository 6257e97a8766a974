//! Deterministic demo data: the same seed and day give the same station.
//! Tests, the first-run demo and the benchmarks all use it; later record
//! types extend it.

mod cases;
mod training;

use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::{
    ActionItem, Attendance, CaseRecord, Consent, Contact, Function, GroupRecord, GroupSession,
    Identity, Mode, NewStation, Qualification, RecordContent, Risk, Role, StaffRecord,
};
use crate::store::{Result, Store, StoreError};
use cases::CaseLoad;
pub use training::DemoTraining;

/// How much to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// One station: 1 supervisor, 2 assistant supervisors, 1 trainee
    /// supervisor, a station head and 18 frontline workers.
    Station,
    /// A county: 50 stations, 1,000 staff, 100,000 cases with a million
    /// contacts, 200,000 supervision sessions with 400,000 action items.
    County,
}

/// A generated data set, not yet stored. Staff refer to stations, and
/// links to staff, by their index in these vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Demo {
    pub stations: Vec<NewStation>,
    pub staff: Vec<StaffRecord>,
    /// (supervisor index, supervisee index, from, to)
    pub links: Vec<(usize, usize, NaiveDate, Option<NaiveDate>)>,
    /// Supervision records. Staff ids in the content (the supervisor,
    /// supervisees, item owners) are indexes into `staff`.
    pub records: Vec<DemoRecord>,
    /// Cases; station and owner ids (also in contacts) are indexes.
    pub cases: Vec<DemoCase>,
    /// Groups and activities; station and leader ids are indexes.
    pub groups: Vec<DemoGroup>,
    /// The trainer pool: (name, unit, expertise).
    pub trainers: Vec<(String, String, String)>,
    /// Training sessions; station, trainer and staff ids are indexes.
    pub trainings: Vec<DemoTraining>,
}

/// A case with everything kept about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCase {
    pub case: CaseRecord,
    pub identity: Identity,
    pub consents: Vec<Consent>,
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoGroup {
    pub group: GroupRecord,
    pub sessions: Vec<GroupSession>,
}

/// A supervision record with who signed it when (staff indexes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRecord {
    pub content: RecordContent,
    pub signed: Vec<(usize, NaiveDateTime)>,
}

pub const DEFAULT_SEED: u64 = 2026;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁",
    "任", "卢", "姚", "沈", "钟", "姜", "崔", "谭", "陆", "范", "汪", "廖", "石", "金", "韦", "贾",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "兰", "萍", "红", "建", "文", "辉", "宁",
    "佳", "欣", "雪", "琳", "晨", "婷", "浩", "宇", "梅", "倩", "凤", "云", "春", "海", "燕", "蕾",
];
const PLACE_A: &[&str] = &[
    "青", "石", "桥", "柳", "白", "沙", "龙", "凤", "安", "长", "新", "河", "东", "西", "南", "北",
    "平", "永", "和", "兴", "丰", "清", "云", "松", "竹", "梅", "林", "溪", "湖", "山",
];
const PLACE_B: &[&str] = &[
    "溪", "坪", "口", "塘", "坝", "湾", "岭", "田", "阳", "源", "桥", "洲", "冈", "江", "庄", "泉",
];
const TOPICS: &[&str] = &[
    "高风险个案的家访安排",
    "独居老人探访记录的规范",
    "困境儿童个案的评估",
    "小组活动的招募与带领",
    "服务记录的完整性",
    "与村委会的协作",
    "工作压力与情绪调适",
    "低保家庭的需求评估",
    "个案转介流程",
    "结案与回访安排",
];
const REPORTS: &[&str] = &[
    "本月完成家访六次，其中两户情况有变化，已电话跟进。",
    "小组活动按计划进行第三节，出席率较上月提高。",
    "一名服务对象情绪波动较大，已联系家属并记录。",
    "服务记录尚有两份未录入系统，计划本周补齐。",
];
const FINDINGS: &[&str] = &[
    "预估记录较完整，但风险评估缺少依据。",
    "与服务对象建立了良好关系，专业界限需注意。",
    "记录及时，但目标描述不够具体，难以评估成效。",
    "对危机信号敏感，但未及时上报督导。",
];
const GUIDANCE: &[&str] = &[
    "按风险等级安排联系频次，高风险个案每周至少联系一次，理由：确保安全。",
    "服务计划目标改写为可测量的表述，下次督导时一同检查。",
    "遇到自伤风险须当日报告督导并记录，理由：依机构危机处理流程。",
    "每周留出固定时间整理记录，避免积压。",
];
const ITEMS: &[&str] = &[
    "补全本月家访记录",
    "修改服务计划的目标表述",
    "联系村委会核实低保情况",
    "整理小组活动签到与反馈",
    "完成个案转介表并提交",
];

const COUNTIES: &[&str] = &["青川县", "宁远县", "安化县", "丰城县", "石门县"];

/// Makes the data set for `scale` from `seed`, with dates before `today`.
pub fn generate(scale: Scale, seed: u64, today: NaiveDate) -> Demo {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        today,
        demo: Demo::empty(),
        used: vec![],
        case_seq: 0,
        open_cases: HashMap::new(),
        // A county's staff have served longer, so it has years of history.
        tenure: if scale == Scale::County { 5 } else { 1 },
    };
    let county = *COUNTIES.choose(&mut g.rng).unwrap_or(&COUNTIES[0]);
    match scale {
        Scale::Station => {
            g.station(county, true, 18);
        }
        Scale::County => {
            // Ten teams of five stations and 100 staff; each team's
            // supervisor sits in its first station and also supervises the
            // assistants and trainees of the other four.
            for _team in 0..10 {
                let (boss, _) = g.station(county, true, 16);
                for k in 1..5 {
                    let (_, unsupervised) = g.station(county, false, if k < 4 { 16 } else { 15 });
                    for a in unsupervised.into_iter().filter(|_| boss.is_some()) {
                        g.link(boss.unwrap_or_default(), a);
                    }
                }
            }
        }
    }
    // Station: six months of monthly sessions and a small caseload. County:
    // four years of weekly sessions and a long case history, the scale the
    // overdue benchmark asks for.
    let (load, months, per_month) = match scale {
        Scale::Station => (CaseLoad { open: 5, closed: 3 }, 6, 1),
        Scale::County => (
            CaseLoad {
                open: 12,
                closed: 108,
            },
            107,
            6,
        ),
    };
    g.cases(load);
    g.past_retention(2);
    g.index_open_cases();
    g.groups();
    g.records(months, per_month);
    // County: ~400 sessions per station over its five years (≈ 20,000,
    // ~300,000 sign-ins: the hours ledger benchmark's scale).
    g.trainings(if scale == Scale::County { 100 } else { 24 });
    g.demo
}

impl Demo {
    fn empty() -> Demo {
        Demo {
            stations: vec![],
            staff: vec![],
            links: vec![],
            records: vec![],
            cases: vec![],
            groups: vec![],
            trainers: vec![],
            trainings: vec![],
        }
    }
}

impl Store {
    /// Stores a demo data set in one transaction; refuses a database that
    /// already holds stations, so real data is never mixed with made-up data.
    pub fn load_demo(&mut self, demo: &Demo) -> Result<()> {
        let stations = self.station_count()?;
        if stations > 0 {
            return Err(StoreError::NotEmpty { stations });
        }
        // A county is a few hundred megabytes written in one transaction:
        // a large page cache keeps SQLite from spilling it twice.
        self.set_cache_mib(256)?;
        let actor = self.actor().to_owned();
        let loaded = self.with_tx(|tx| {
            // Millions of rows: the audit row triggers are taken out for
            // the load (quiet alone still costs each row a trigger call).
            crate::store::audit::without_row_triggers(tx, || crate::store::insert_demo(tx, demo))?;
            // One `create` entry for the whole set: the row triggers were
            // quiet while it loaded.
            crate::store::audit::set_quiet(tx, false)?;
            crate::store::audit::write_entry(
                tx,
                &actor,
                crate::store::AuditAction::Create,
                None,
                None,
                &[],
                &serde_json::json!({
                    "demo": true,
                    "stations": demo.stations.len(),
                    "staff": demo.staff.len(),
                    "cases": demo.cases.len(),
                    "groups": demo.groups.len(),
                    "records": demo.records.len(),
                }),
            )?;
            Ok(())
        });
        self.set_cache_mib(self.resting_cache_mib())?;
        loaded
    }
}

struct Gen {
    rng: ChaCha8Rng,
    today: NaiveDate,
    demo: Demo,
    used: Vec<String>,
    case_seq: usize,
    tenure: u64,
    /// Each owner's open cases: (code, risk, opened), for records to discuss.
    open_cases: HashMap<usize, Vec<(String, Risk, NaiveDate)>>,
}

impl Gen {
    /// Adds one station: a head, two assistant supervisors, a trainee
    /// supervisor and `frontline` workers, and with `with_supervisor` a
    /// supervisor (junior or intermediate) over the assistants and trainee.
    /// Returns that supervisor and the assistants and trainee still without
    /// one.
    fn station(
        &mut self,
        county: &str,
        with_supervisor: bool,
        frontline: usize,
    ) -> (Option<usize>, Vec<usize>) {
        let township = self.place();
        let suffix = if self.rng.random_bool(0.7) {
            "镇"
        } else {
            "乡"
        };
        let station = self.demo.stations.len();
        self.demo.stations.push(NewStation {
            name: format!("{township}{suffix}社工站"),
            township: format!("{township}{suffix}"),
            county: county.to_owned(),
        });
        self.person(station, Role::StationHead, 2000);
        let assistants = [
            self.person(station, Role::AssistantSupervisor, 1500),
            self.person(station, Role::AssistantSupervisor, 1200),
        ];
        let trainee = self.person(station, Role::TraineeSupervisor, 1300);
        let workers: Vec<usize> = (0..frontline)
            .map(|_| self.person(station, Role::Frontline, 1400))
            .collect();
        // Frontline workers: six each to the assistants, the rest to the
        // trainee, who must keep a small caseload of supervisees too.
        for (i, &w) in workers.iter().enumerate() {
            let boss = match i % 3 {
                0 => assistants[0],
                1 => assistants[1],
                _ => trainee,
            };
            self.link(boss, w);
        }
        // Teams change: one worker moved between assistants some months ago.
        if let Some(&moved) = workers.first() {
            self.move_link(moved, assistants[1]);
        }
        // And one left two months ago; their supervision ended that day.
        if let Some(&gone) = workers.last() {
            self.leave(gone, 60);
        }
        if with_supervisor {
            let role = if self.rng.random_bool(0.5) {
                Role::JuniorSupervisor
            } else {
                Role::IntermediateSupervisor
            };
            let sup = self.person(station, role, 3000);
            for &a in assistants.iter().chain([&trainee]) {
                self.link(sup, a);
            }
            (Some(sup), vec![])
        } else {
            (None, vec![assistants[0], assistants[1], trainee])
        }
    }

    fn person(&mut self, station: usize, role: Role, max_days: u64) -> usize {
        let name = self.name();
        // A county's longer history, but nobody started over 12 years ago.
        let longest = (max_days * self.tenure).min(4400);
        let start = self.today - Days::new(self.rng.random_range(30..longest));
        let qualification = match role {
            Role::Frontline | Role::StationHead => *[
                Qualification::None,
                Qualification::AssistantSocialWorker,
                Qualification::AssistantSocialWorker,
                Qualification::SocialWorker,
            ]
            .choose(&mut self.rng)
            .unwrap_or(&Qualification::None),
            Role::AssistantSupervisor | Role::TraineeSupervisor => {
                if self.rng.random_bool(0.6) {
                    Qualification::AssistantSocialWorker
                } else {
                    Qualification::SocialWorker
                }
            }
            _ => {
                if self.rng.random_bool(0.8) {
                    Qualification::SocialWorker
                } else {
                    Qualification::SeniorSocialWorker
                }
            }
        };
        let certified = qualification != Qualification::None;
        let registration_date = certified.then(|| {
            let back = self.rng.random_range(10..1080);
            self.today - Days::new(back)
        });
        let certificate_no = certified.then(|| {
            let year = registration_date
                .map(|d| d.format("%Y").to_string())
                .unwrap_or_default();
            // Each person their own number, as the store requires.
            loop {
                let no = format!("SG{year}{:06}", self.rng.random_range(0..1_000_000));
                if !self
                    .demo
                    .staff
                    .iter()
                    .any(|s| s.certificate_no.as_deref() == Some(no.as_str()))
                {
                    break no;
                }
            }
        });
        self.demo.staff.push(StaffRecord {
            station_id: station as i64,
            name,
            role,
            qualification,
            certificate_no,
            registration_date,
            start_date: start,
            left_date: None,
        });
        self.demo.staff.len() - 1
    }

    /// Supervision that began when the later of the two started.
    fn link(&mut self, supervisor: usize, supervisee: usize) {
        let from = self.demo.staff[supervisor]
            .start_date
            .max(self.demo.staff[supervisee].start_date);
        self.demo.links.push((supervisor, supervisee, from, None));
    }

    /// Ends the supervisee's current link a few months ago and opens one
    /// with `to` from that day.
    fn move_link(&mut self, supervisee: usize, to: usize) {
        let Some(pos) = self
            .demo
            .links
            .iter()
            .rposition(|l| l.1 == supervisee && l.3.is_none())
        else {
            return;
        };
        let old = self.demo.links[pos];
        let candidate = self
            .today
            .checked_sub_months(Months::new(3))
            .unwrap_or(self.today);
        let day = candidate.max(old.2).max(self.demo.staff[to].start_date);
        if old.0 == to || day == old.2 {
            return;
        }
        self.demo.links[pos].3 = Some(day);
        self.demo.links.push((to, supervisee, day, None));
    }

    fn index_open_cases(&mut self) {
        for c in self.demo.cases.iter().filter(|c| !c.case.stage.is_closed()) {
            self.open_cases
                .entry(c.case.owner_id as usize)
                .or_default()
                .push((c.case.code.clone(), c.case.risk, c.case.opened_on));
        }
    }

    /// `months` months of supervision for every current link, `per_month`
    /// sessions a month, with gaps, some items past due and some records
    /// still unsigned.
    fn records(&mut self, months: u32, per_month: u32) {
        let first_month = self
            .today
            .with_day(1)
            .and_then(|d| d.checked_sub_months(Months::new(months - 1)))
            .unwrap_or(self.today);
        let links: Vec<_> = self
            .demo
            .links
            .iter()
            .filter(|l| l.3.is_none())
            .copied()
            .collect();
        for (boss, worker, from, _) in links {
            if self.demo.staff[worker].left_date.is_some() {
                continue;
            }
            let mut month = first_month;
            while month <= self.today {
                // One month in ten nobody met: the overdue list has work.
                if self.rng.random_bool(0.9) {
                    let last = if month.month() == self.today.month()
                        && month.year() == self.today.year()
                    {
                        self.today.day()
                    } else {
                        28
                    };
                    for week in 0..per_month {
                        let lo = 1 + week * 28 / per_month;
                        let hi = ((week + 1) * 28 / per_month).min(last);
                        if lo > hi {
                            break;
                        }
                        let day = month
                            .with_day(self.rng.random_range(lo..=hi))
                            .unwrap_or(month);
                        if day >= from {
                            self.record(boss, worker, day, if per_month > 1 { 2 } else { 1 });
                        }
                    }
                }
                month = match month.checked_add_months(Months::new(1)) {
                    Some(m) => m,
                    None => break,
                };
            }
        }
        // Stored in the order they were held, so 第 n 次 follows the dates.
        self.demo
            .records
            .sort_by_key(|r| (r.content.date, r.content.start_time));
    }

    fn record(&mut self, boss: usize, worker: usize, date: NaiveDate, items: usize) {
        let pick = |rng: &mut ChaCha8Rng, list: &[&str]| {
            list.choose(rng).copied().unwrap_or_default().to_owned()
        };
        let start_hour = *[9u32, 10, 14, 15].choose(&mut self.rng).unwrap_or(&9);
        let minutes = *[60u32, 90, 120].choose(&mut self.rng).unwrap_or(&60);
        let start = NaiveTime::from_hms_opt(start_hour, 0, 0).unwrap_or_default();
        let end = start + chrono::Duration::minutes(minutes.into());
        let age = (self.today - date).num_days();
        // Items are mostly closed; the recent months leave some open past due.
        let keep_open = if age < 90 { 0.1 } else { 0.0 };
        let action_items = (0..items)
            .map(|_| {
                let due = date + Days::new(self.rng.random_range(7..=21));
                let done = (due + Days::new(3) < self.today && !self.rng.random_bool(keep_open))
                    .then(|| due - Days::new(self.rng.random_range(0..5)));
                ActionItem {
                    what: pick(&mut self.rng, ITEMS),
                    owner_id: worker as i64,
                    due,
                    done,
                    note: String::new(),
                }
            })
            .collect();
        let cases = self.cases_to_discuss(worker, date);
        let station = self.demo.staff[boss].station_id as usize;
        let content = RecordContent {
            supervisor_id: boss as i64,
            date,
            start_time: start,
            end_time: end,
            place: format!("{}会议室", self.demo.stations[station].name),
            mode: if self.rng.random_bool(0.85) {
                Mode::Individual
            } else {
                Mode::FollowUp
            },
            functions: vec![Function::Administrative, Function::Educational],
            supervisees: vec![(worker as i64, Attendance::Present)],
            cases,
            topic: pick(&mut self.rng, TOPICS),
            previous_review: String::new(),
            reported: pick(&mut self.rng, REPORTS),
            findings: pick(&mut self.rng, FINDINGS),
            guidance: pick(&mut self.rng, GUIDANCE),
            reflection: String::new(),
            disagreement: String::new(),
            action_items,
        };
        // Older records are signed within a few days; recent ones may not be.
        let signed_on = |rng: &mut ChaCha8Rng| {
            (date + Days::new(rng.random_range(0..4)))
                .and_hms_opt(17, 30, 0)
                .unwrap_or_default()
        };
        let signed = if age > 14 || self.rng.random_bool(0.5) {
            vec![
                (boss, signed_on(&mut self.rng)),
                (worker, signed_on(&mut self.rng)),
            ]
        } else {
            vec![]
        };
        self.demo.records.push(DemoRecord { content, signed });
    }

    fn leave(&mut self, who: usize, days_ago: u64) {
        let day = self.today - Days::new(days_ago);
        let start = self.demo.staff[who].start_date;
        let day = day.max(start);
        self.demo.staff[who].left_date = Some(day);
        for link in self
            .demo
            .links
            .iter_mut()
            .filter(|l| l.1 == who && l.3.is_none())
        {
            link.3 = Some(day.max(link.2));
        }
    }

    /// A name not used yet in this data set, so people can tell staff apart.
    fn name(&mut self) -> String {
        loop {
            let surname = SURNAMES.choose(&mut self.rng).copied().unwrap_or("王");
            let given: String = (0..self.rng.random_range(1..=2))
                .map(|_| GIVEN.choose(&mut self.rng).copied().unwrap_or("明"))
                .collect();
            let name = format!("{surname}{given}");
            if !self.used.contains(&name) {
                self.used.push(name.clone());
                return name;
            }
        }
    }

    fn place(&mut self) -> String {
        loop {
            let a = PLACE_A.choose(&mut self.rng).copied().unwrap_or("青");
            let b = PLACE_B.choose(&mut self.rng).copied().unwrap_or("溪");
            let name = format!("{a}{b}");
            if a != b
                && !self
                    .demo
                    .stations
                    .iter()
                    .any(|s| s.township.starts_with(&name))
            {
                return name;
            }
        }
    }
}
