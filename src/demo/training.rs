//! Demo training: a trainer pool and, per station, about one session a
//! fortnight over the staff's years (a lecture, a case discussion, a study
//! group, now and then an external course), with sign-ins (a few late,
//! leaving early, absent or excused) and assessments (mostly passed; one
//! worker per station failing twice in a row, for R15). County scale: about
//! 20,000 sessions and 300,000 sign-ins, the hours ledger benchmark's.

use chrono::{Datelike, Days, NaiveTime};
use rand::seq::IndexedRandom;
use rand::Rng;

use super::Gen;
use crate::model::{
    hours_between, Assessment, AssessmentKind, ContentArea, SignIn, SignedIn, Training,
    TrainingMethod,
};

/// A session with who signed in how and who was assessed (staff indexes).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoTraining {
    /// `station_id` is a station index, `trainer_id` a trainer index.
    pub training: Training,
    pub attendance: Vec<(usize, SignedIn)>,
    pub assessments: Vec<(usize, Assessment)>,
}

const TITLES: &[(&str, ContentArea)] = &[
    ("社会工作伦理与专业关系", ContentArea::Ethics),
    ("个案评估与服务计划", ContentArea::Skills),
    ("危机干预实务", ContentArea::Skills),
    ("会谈技巧与沟通", ContentArea::Skills),
    ("老年人社会救助政策解读", ContentArea::Knowledge),
    ("儿童保护与监护干预", ContentArea::Knowledge),
    ("团队协作与自我照顾", ContentArea::Ethics),
    ("小组工作方法", ContentArea::Skills),
    ("社区资源链接", ContentArea::Knowledge),
    ("社会工作记录写作", ContentArea::Skills),
];

const TRAINERS: &[(&str, &str, &str)] = &[
    ("周慧敏", "市社会工作协会", "个案管理"),
    ("林志坚", "省民政干部学校", "社会救助政策"),
    ("何晓兰", "县社会工作服务中心", "小组工作"),
    ("郑国强", "市第一人民医院", "心理危机干预"),
    ("梁静", "师范学院社会工作系", "社会工作伦理"),
];

impl Gen {
    pub(super) fn trainings(&mut self, per_year: u32) {
        self.demo.trainers = TRAINERS
            .iter()
            .map(|(n, u, e)| ((*n).to_owned(), (*u).to_owned(), (*e).to_owned()))
            .collect();
        let years = self.tenure.max(1);
        let stations = self.demo.stations.len();
        let step = 365 / per_year.max(1) as u64;
        for station in 0..stations {
            let members: Vec<usize> = (0..self.demo.staff.len())
                .filter(|&i| self.demo.staff[i].station_id as usize == station)
                .collect();
            // The one who fails twice, for R15.
            let struggling = members.last().copied();
            let mut day = self.today - Days::new(365 * years);
            let mut n = 0u32;
            while day < self.today {
                let (title, area) = *TITLES.choose(&mut self.rng).unwrap_or(&TITLES[0]);
                let method = match n % 8 {
                    0 | 3 | 5 => TrainingMethod::Lecture,
                    1 | 6 => TrainingMethod::CaseDiscussion,
                    2 => TrainingMethod::StudyGroup,
                    4 => TrainingMethod::Online,
                    _ => TrainingMethod::Course,
                };
                let start = NaiveTime::from_hms_opt(if n % 2 == 0 { 9 } else { 14 }, 0, 0)
                    .unwrap_or_default();
                let length = [90, 120, 180][(n % 3) as usize];
                let end = start + chrono::Duration::minutes(length);
                let training = Training {
                    station_id: station as i64,
                    title: title.to_owned(),
                    area,
                    method,
                    trainer_id: Some(self.rng.random_range(0..TRAINERS.len()) as i64),
                    date: day,
                    start,
                    end,
                    hours: hours_between(start, end),
                    place: if method == TrainingMethod::Course {
                        "县社会工作服务中心".to_owned()
                    } else {
                        "站点会议室".to_owned()
                    },
                    counts_ce: method != TrainingMethod::StudyGroup || n % 3 == 0,
                    plan_item_id: None,
                };
                let mut attendance = vec![];
                for &p in &members {
                    let s = &self.demo.staff[p];
                    if s.start_date > day || s.left_date.is_some_and(|l| l <= day) {
                        continue;
                    }
                    let roll = self.rng.random_range(0..100);
                    let (status, arrived, left) = match roll {
                        0..=79 => (SignIn::Present, None, None),
                        80..=86 => (
                            SignIn::Late,
                            Some(start + chrono::Duration::minutes(20)),
                            None,
                        ),
                        87..=91 => (
                            SignIn::LeftEarly,
                            None,
                            Some(end - chrono::Duration::minutes(30)),
                        ),
                        92..=95 => (SignIn::Excused, None, None),
                        _ => (SignIn::Absent, None, None),
                    };
                    let credited = match status {
                        SignIn::Absent | SignIn::Excused => 0.0,
                        _ => hours_between(arrived.unwrap_or(start), left.unwrap_or(end)),
                    };
                    attendance.push((
                        p,
                        SignedIn {
                            status,
                            arrived,
                            left,
                            credited_hours: credited,
                        },
                    ));
                }
                // Case discussions are assessed by case analysis.
                let mut assessments = vec![];
                if method == TrainingMethod::CaseDiscussion {
                    let recent = (self.today - day).num_days() < 200;
                    for (p, a) in &attendance {
                        if a.credited_hours == 0.0 {
                            continue;
                        }
                        let fails = recent && Some(*p) == struggling;
                        let score = if fails {
                            self.rng.random_range(40..59)
                        } else {
                            self.rng.random_range(62..98)
                        } as f64;
                        assessments.push((
                            *p,
                            Assessment {
                                kind: AssessmentKind::CaseAnalysis,
                                score: Some(score),
                                passed: score >= 60.0,
                                note: String::new(),
                            },
                        ));
                    }
                }
                self.demo.trainings.push(DemoTraining {
                    training,
                    attendance,
                    assessments,
                });
                n += 1;
                let jitter = self.rng.random_range(0..4);
                day = day + Days::new(step + jitter);
                // Nobody trains on a Sunday.
                if day.weekday() == chrono::Weekday::Sun {
                    day = day + Days::new(1);
                }
            }
        }
    }
}
