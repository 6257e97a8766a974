//! Demo cases (with identities, consents and contacts) and groups and
//! activities. Most cases are kept in contact on time; a few lapse, a few
//! closed cases still wait for their follow-up visit, a few children lack a
//! guardian's consent: the Today view has real work to show.

use chrono::{Datelike, Days, NaiveDate};
use rand::seq::IndexedRandom;
use rand::Rng;

use super::{DemoCase, DemoGroup, Gen, GIVEN, SURNAMES};
use crate::model::{
    age_on, CaseRecord, Category, Consent, ConsentKind, Contact, ContactKind, GroupKind,
    GroupRecord, GroupSession, Identity, Risk, Role, Stage,
};

/// How many cases each worker carries.
#[derive(Debug, Clone, Copy)]
pub(super) struct CaseLoad {
    pub open: usize,
    pub closed: usize,
}

const NOTES: &[&str] = &[
    "了解近况，情绪平稳。",
    "协助申请临时救助，材料已提交。",
    "与家属沟通照护安排。",
    "评估居家安全，提醒防跌倒。",
    "跟进就学情况，与班主任电话沟通。",
    "",
    "",
];
const GROUPS: &[(&str, bool)] = &[
    ("隔代照料家长支持小组", true),
    ("独居老人互助小组", false),
    ("青少年情绪管理小组", true),
    ("残疾人康复交流小组", false),
];
const ACTIVITIES: &[&str] = &["重阳敬老活动", "儿童暑期安全讲座", "社区义诊", "邻里节"];

impl Gen {
    /// Cases for every frontline worker, assistant and trainee.
    pub(super) fn cases(&mut self, load: CaseLoad) {
        let owners: Vec<usize> = (0..self.demo.staff.len())
            .filter(|&i| {
                matches!(
                    self.demo.staff[i].role,
                    Role::Frontline | Role::AssistantSupervisor | Role::TraineeSupervisor
                )
            })
            .collect();
        for owner in owners {
            // Assistants carry nearly a frontline caseload (R7); trainees
            // a smaller one beside their practice quotas.
            let (open, closed) = match self.demo.staff[owner].role {
                Role::Frontline => (load.open, load.closed),
                Role::AssistantSupervisor => (load.open, load.closed.div_ceil(3)),
                _ => (load.open.div_ceil(3), load.closed.div_ceil(3)),
            };
            let left = self.demo.staff[owner].left_date;
            for k in 0..open + closed {
                self.case(owner, k >= open || left.is_some());
            }
        }
    }

    fn case(&mut self, owner: usize, closed: bool) {
        let today = self.today;
        let person = &self.demo.staff[owner];
        let station = person.station_id as usize;
        let end = person.left_date.unwrap_or(today);
        // Open cases began within the last year and a half.
        let start = if closed {
            person.start_date
        } else {
            person.start_date.max(end - Days::new(540))
        };
        let span = (end - start).num_days().max(2) as u64;
        let opened = start + Days::new(self.rng.random_range(0..span - 1));
        let category = *Category::ALL
            .choose(&mut self.rng)
            .unwrap_or(&Category::Other);
        let risk = match self.rng.random_range(0..100) {
            0..8 => Risk::High,
            8..38 => Risk::Priority,
            _ => Risk::General,
        };
        let every = match risk {
            Risk::High => 6,
            Risk::Priority => 25,
            Risk::General => 75,
        };
        // A closed case ran a few months; an open one runs to today.
        let closed_on = closed.then(|| {
            let room = (end - opened).num_days().max(1) as u64;
            opened + Days::new(self.rng.random_range(room.min(60)..=room.min(300)))
        });
        // Older closed cases were visited; a few recent ones wait.
        let visited = |rng: &mut rand_chacha::ChaCha8Rng, c: NaiveDate| {
            let age = (today - c).num_days();
            age > 90 || (age > 20 && rng.random_bool(0.9))
        };
        let stage = match closed_on {
            Some(c) if visited(&mut self.rng, c) => Stage::FollowUp,
            Some(_) => Stage::Closed,
            None => *[
                Stage::Intake,
                Stage::Assessment,
                Stage::Plan,
                Stage::Intervention,
                Stage::Intervention,
                Stage::Intervention,
                Stage::Evaluation,
                Stage::Review,
            ]
            .choose(&mut self.rng)
            .unwrap_or(&Stage::Intervention),
        };
        let staff_id = owner as i64;
        let mut contacts = vec![Contact {
            date: opened,
            kind: ContactKind::Intake,
            staff_id,
            note: "接案面谈，签署知情同意。".into(),
        }];
        let last_day = closed_on.unwrap_or(today);
        // Most open cases are in touch on time; one in eight has lapsed.
        let lapse = closed_on.is_none() && self.rng.random_bool(0.125);
        let stop = if lapse {
            last_day
                .checked_sub_days(Days::new(self.rng.random_range(every * 2..every * 4)))
                .unwrap_or(opened)
        } else {
            last_day
        };
        let mut day = opened;
        loop {
            let gap = self.rng.random_range((every / 2).max(1)..=every);
            day = day + Days::new(gap);
            if day >= stop {
                break;
            }
            let kind = *[
                ContactKind::Interview,
                ContactKind::HomeVisit,
                ContactKind::Phone,
                ContactKind::HomeVisit,
            ]
            .choose(&mut self.rng)
            .unwrap_or(&ContactKind::Phone);
            let note = NOTES
                .choose(&mut self.rng)
                .copied()
                .unwrap_or_default()
                .to_owned();
            contacts.push(Contact {
                date: day,
                kind,
                staff_id,
                note,
            });
        }
        if let Some(c) = closed_on {
            contacts.push(Contact {
                date: c,
                kind: ContactKind::Closing,
                staff_id,
                note: "目标达成，结案。".into(),
            });
            if stage == Stage::FollowUp {
                let visit = c + Days::new(self.rng.random_range(7..=28));
                contacts.push(Contact {
                    date: visit.min(today),
                    kind: ContactKind::FollowUp,
                    staff_id,
                    note: "结案回访，状况稳定。".into(),
                });
            }
        }
        let born = match category {
            Category::Children => today - Days::new(self.rng.random_range(4 * 365..17 * 365)),
            Category::Elderly => today - Days::new(self.rng.random_range(65 * 365..90 * 365)),
            _ => today - Days::new(self.rng.random_range(20 * 365..64 * 365)),
        };
        let child = age_on(born, opened) < 14;
        let mut consents = vec![Consent {
            kind: ConsentKind::Processing,
            given_on: opened,
            given_by: "服务对象".into(),
            scope: "个案服务所需的个人信息收集、存储与转介".into(),
        }];
        if self.rng.random_bool(0.9) {
            consents.push(Consent {
                kind: ConsentKind::Sensitive,
                given_on: opened,
                given_by: "服务对象".into(),
                scope: "健康状况与家庭经济状况".into(),
            });
        }
        // Most children's guardians signed at intake; a few did not yet.
        if child && (closed || self.rng.random_bool(0.85)) {
            consents.push(Consent {
                kind: ConsentKind::Guardian,
                given_on: opened,
                given_by: "监护人".into(),
                scope: "未成年人个人信息处理".into(),
            });
        }
        let surname = SURNAMES.choose(&mut self.rng).copied().unwrap_or("王");
        let given = GIVEN.choose(&mut self.rng).copied().unwrap_or("明");
        let identity = Identity {
            real_name: format!("{surname}{given}"),
            id_number: self.id_number(born),
            birth_date: Some(born),
            phone: format!("13{:09}", self.rng.random_range(0..1_000_000_000u64)),
            guardian: if child {
                format!(
                    "{surname}{}（父/母）",
                    GIVEN.choose(&mut self.rng).copied().unwrap_or("华")
                )
            } else {
                String::new()
            },
            health_notes: String::new(),
        };
        self.case_seq += 1;
        let code = format!("C{:02}-{}-{:05}", station + 1, opened.year(), self.case_seq);
        let interviews = contacts
            .iter()
            .filter(|c| matches!(c.kind, ContactKind::Interview | ContactKind::HomeVisit))
            .count();
        let difficult = interviews >= 4 && self.rng.random_bool(0.08);
        let keep_from = closed_on.unwrap_or(opened);
        self.demo.cases.push(DemoCase {
            case: CaseRecord {
                code,
                station_id: station as i64,
                owner_id: staff_id,
                category,
                risk,
                stage,
                difficult,
                opened_on: opened,
                closed_on,
                retain_until: keep_from
                    .with_year(keep_from.year() + 10)
                    .unwrap_or(keep_from + Days::new(3652)),
            },
            identity,
            consents,
            contacts,
        });
    }

    /// Gives `per_station` closed cases of each station (those closed
    /// earliest, at least 90 days ago) a retain-until date already past —
    /// 30 days after closing, as a short service agreement may set — so the
    /// retention list has work to show. Draws nothing from the generator:
    /// the rest of the demo is unchanged.
    pub(super) fn past_retention(&mut self, per_station: usize) {
        let today = self.today;
        for station in 0..self.demo.stations.len() {
            let mut closed: Vec<(NaiveDate, usize)> = self
                .demo
                .cases
                .iter()
                .enumerate()
                .filter(|(_, c)| c.case.station_id as usize == station)
                .filter_map(|(i, c)| c.case.closed_on.map(|d| (d, i)))
                .filter(|(d, _)| (today - *d).num_days() >= 90)
                .collect();
            closed.sort();
            for &(on, i) in closed.iter().take(per_station) {
                self.demo.cases[i].case.retain_until = on + Days::new(30);
            }
        }
    }

    /// An 18-character resident ID number with a correct check character.
    fn id_number(&mut self, born: NaiveDate) -> String {
        let region = *["430621", "430622", "430623", "431121", "431122"]
            .choose(&mut self.rng)
            .unwrap_or(&"430621");
        let body = format!(
            "{region}{}{:03}",
            born.format("%Y%m%d"),
            self.rng.random_range(0..1000)
        );
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
        let sum: u32 = body
            .chars()
            .zip(WEIGHTS)
            .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
            .sum();
        format!("{body}{}", CHECK[(sum % 11) as usize])
    }

    /// Two groups (one therapeutic) and two activities per station, led by
    /// its frontline workers, with their sessions.
    pub(super) fn groups(&mut self) {
        for station in 0..self.demo.stations.len() {
            let leaders: Vec<usize> = (0..self.demo.staff.len())
                .filter(|&i| {
                    let p = &self.demo.staff[i];
                    p.station_id as usize == station
                        && p.role == Role::Frontline
                        && p.left_date.is_none()
                })
                .collect();
            for k in 0..4 {
                let Some(&leader) = leaders.choose(&mut self.rng) else {
                    continue;
                };
                let started = self.today - Days::new(self.rng.random_range(20..300));
                let started = started.max(self.demo.staff[leader].start_date);
                let (kind, name, therapeutic, count) = if k < 2 {
                    let (name, therapeutic) = GROUPS[(station + k) % GROUPS.len()];
                    (
                        GroupKind::Group,
                        name,
                        therapeutic && k == 0,
                        self.rng.random_range(4..=8),
                    )
                } else {
                    let name = ACTIVITIES[(station + k) % ACTIVITIES.len()];
                    (
                        GroupKind::Activity,
                        name,
                        false,
                        self.rng.random_range(1..=2),
                    )
                };
                let mut sessions = vec![];
                let mut day = started;
                for _ in 0..count {
                    if day > self.today {
                        break;
                    }
                    sessions.push(GroupSession {
                        date: day,
                        participants: self.rng.random_range(6..=25),
                        note: String::new(),
                    });
                    day = day + Days::new(7);
                }
                self.demo.groups.push(DemoGroup {
                    group: GroupRecord {
                        station_id: station as i64,
                        kind,
                        name: name.to_owned(),
                        therapeutic,
                        leader_id: leader as i64,
                        started_on: started,
                    },
                    sessions,
                });
            }
        }
    }

    /// Up to two of the worker's open cases, high risk first, as a record's
    /// "cases discussed".
    pub(super) fn cases_to_discuss(&mut self, worker: usize, on: NaiveDate) -> String {
        let Some(list) = self.open_cases.get(&worker) else {
            return String::new();
        };
        let mine: Vec<&(String, Risk, NaiveDate)> = list.iter().filter(|c| c.2 <= on).collect();
        if mine.is_empty() || self.rng.random_bool(0.3) {
            return String::new();
        }
        let mut picked: Vec<&str> = mine
            .iter()
            .filter(|c| c.1 == Risk::High)
            .map(|c| c.0.as_str())
            .take(1)
            .collect();
        if let Some(c) = mine.choose(&mut self.rng) {
            if !picked.contains(&c.0.as_str()) {
                picked.push(&c.0);
            }
        }
        picked.join("、")
    }
}
