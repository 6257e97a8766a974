//! The monthly supervision summary for the upper office: a pure count over
//! facts the store gathers.

use chrono::NaiveDate;

/// One session held in the month.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionFact {
    pub hours: f64,
    /// Supervisees who attended (present or late).
    pub attended: Vec<i64>,
}

/// One action item from the supervisor's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFact {
    pub due: NaiveDate,
    pub done: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MonthSummary {
    pub sessions: u32,
    pub hours: f64,
    /// People supervised at the end of the month (or today, if earlier).
    pub supervisees_total: u32,
    /// Of those, how many attended at least one session in the month (R3).
    pub supervisees_covered: u32,
    pub open_items: u32,
    /// Open and past their due date on `today` (R8).
    pub overdue_items: u32,
}

/// An action item is overdue when it is not done and its due date has
/// passed (R8).
pub fn item_overdue(due: NaiveDate, done: Option<NaiveDate>, today: NaiveDate) -> bool {
    done.is_none() && due < today
}

pub fn month_summary(
    sessions: &[SessionFact],
    supervisees: &[i64],
    items: &[ItemFact],
    today: NaiveDate,
) -> MonthSummary {
    let covered = supervisees
        .iter()
        .filter(|id| sessions.iter().any(|s| s.attended.contains(id)))
        .count();
    let open: Vec<&ItemFact> = items.iter().filter(|i| i.done.is_none()).collect();
    MonthSummary {
        sessions: sessions.len() as u32,
        hours: sessions.iter().map(|s| s.hours).sum(),
        supervisees_total: supervisees.len() as u32,
        supervisees_covered: covered as u32,
        open_items: open.len() as u32,
        overdue_items: open
            .iter()
            .filter(|i| item_overdue(i.due, i.done, today))
            .count() as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).expect("date")
    }

    #[test]
    fn counts_sessions_hours_coverage_and_items() {
        let sessions = [
            SessionFact {
                hours: 1.5,
                attended: vec![1],
            },
            SessionFact {
                hours: 1.0,
                attended: vec![1, 9],
            },
        ];
        let items = [
            ItemFact {
                due: day(10),
                done: None,
            },
            ItemFact {
                due: day(30),
                done: None,
            },
            ItemFact {
                due: day(5),
                done: Some(day(4)),
            },
        ];
        let s = month_summary(&sessions, &[1, 2, 3], &items, day(22));
        assert_eq!(
            s,
            MonthSummary {
                sessions: 2,
                hours: 2.5,
                supervisees_total: 3,
                supervisees_covered: 1,
                open_items: 2,
                overdue_items: 1
            }
        );
    }

    #[test]
    fn an_empty_month_is_all_zero() {
        let s = month_summary(&[], &[], &[], day(1));
        assert_eq!((s.sessions, s.hours, s.supervisees_covered), (0, 0.0, 0));
    }
}
