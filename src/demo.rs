//! Deterministic demo data: the same seed and day give the same station.
//! Tests, the first-run demo and the benchmarks all use it; later record
//! types extend it.

use chrono::{Days, Months, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::model::{NewStation, Qualification, Role, StaffRecord};
use crate::store::{Result, Store, StoreError};

/// How much to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// One station: 1 supervisor, 2 assistant supervisors, 1 trainee
    /// supervisor, a station head and 18 frontline workers.
    Station,
    /// A county: 50 stations, 1,000 staff.
    County,
}

/// A generated data set, not yet stored. Staff refer to stations, and
/// links to staff, by their index in these vectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demo {
    pub stations: Vec<NewStation>,
    pub staff: Vec<StaffRecord>,
    /// (supervisor index, supervisee index, from, to)
    pub links: Vec<(usize, usize, NaiveDate, Option<NaiveDate>)>,
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
const COUNTIES: &[&str] = &["青川县", "宁远县", "安化县", "丰城县", "石门县"];

/// Makes the data set for `scale` from `seed`, with dates before `today`.
pub fn generate(scale: Scale, seed: u64, today: NaiveDate) -> Demo {
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(seed),
        today,
        demo: Demo::empty(),
        used: vec![],
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
    g.demo
}

impl Demo {
    fn empty() -> Demo {
        Demo {
            stations: vec![],
            staff: vec![],
            links: vec![],
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
        self.with_tx(|tx| crate::store::insert_demo(tx, demo))
    }
}

struct Gen {
    rng: ChaCha8Rng,
    today: NaiveDate,
    demo: Demo,
    used: Vec<String>,
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
        let start = self.today - Days::new(self.rng.random_range(30..max_days));
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
            format!("SG{year}{:06}", self.rng.random_range(0..1_000_000))
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
