//! Points expiry: points expire a configured number of months after they
//! were earned, and spending uses the oldest points first (FIFO), so what
//! expires is what was earned longest ago and not yet spent.
//!
//! The ledger is the only truth: [`expired_by`] replays a member's ledger
//! and says how many points should have expired by a moment. The server
//! writes the difference from what it already wrote as an `expiry` row, so
//! the result does not depend on when (or how often) it runs.

/// One ledger row as expiry sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    /// Unix seconds.
    pub at: i64,
    /// Positive: points credited (they expire); negative: points spent or
    /// reversed (they use the credits that expire first).
    pub delta: i64,
    /// Rows written by expiry itself are left out of the replay.
    pub is_expiry: bool,
    /// The credit a row belongs to (the caller's key, e.g. one per order
    /// and kind of points): a credit opens this lot, and a debit with the
    /// same key reverses it, taking what is left of that lot first and the
    /// points that expire first after (the part of the lot already spent).
    pub lot: Option<u32>,
    /// When a credit's points expire, fixed when it was written (`None`:
    /// never): a later change of the rule does not touch them.
    pub expires_at: Option<i64>,
}

impl Movement {
    /// A row that belongs to no particular credit and never expires.
    pub fn new(at: i64, delta: i64) -> Movement {
        Movement { at, delta, is_expiry: false, lot: None, expires_at: None }
    }

    /// A credit made at `at` expiring `after_months` later.
    pub fn expiring(at: i64, delta: i64, after_months: u32) -> Movement {
        Movement { expires_at: Some(add_months(at, after_months)), ..Movement::new(at, delta) }
    }
}

/// What the replay found at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExpiryState {
    /// Points that should have expired by `now`, in all.
    pub expired: i64,
    /// When the next still-unspent credit expires, if any.
    pub next_expiry_at: Option<i64>,
    /// How many points expire at `next_expiry_at`.
    pub next_expiry_points: i64,
}

/// One keyed credit as the replay leaves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Lot {
    /// Points it credited.
    pub credited: i64,
    /// Points reversed against it since.
    pub reversed: i64,
    /// Points of it that expired unspent.
    pub expired: i64,
}

impl Lot {
    /// What a reversal may still take back: the credit less what was
    /// reversed and what expired (expired points are gone already; taking
    /// them again would take them twice). Points of it that were spent can
    /// still be taken back, which may leave the balance negative.
    pub fn reversible(&self) -> i64 {
        (self.credited - self.reversed - self.expired).max(0)
    }
}

/// The whole replay: the totals and each keyed credit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Replay {
    pub state: ExpiryState,
    pub lots: std::collections::HashMap<u32, Lot>,
}

/// Points that should have expired by `now`: see [`replay`].
pub fn expired_by(movements: &[Movement], now: i64) -> ExpiryState {
    replay(movements, now).state
}

/// A credit not yet spent: (expires_at, remaining, lot).
type Open = (i64, i64, Option<u32>);

/// Replays `movements` in ledger order (the order they were written) up to
/// `now`. The clock only moves forward: a row dated before the one written
/// ahead of it (an order placed long ago, sent late) is replayed when it
/// was written, so it never changes what earlier rows already took, and a
/// row dated after `now` counts as of `now`. Debits take the points that
/// expire first.
pub fn replay(movements: &[Movement], now: i64) -> Replay {
    let mut open: std::collections::VecDeque<Open> = Default::default();
    let mut lots: std::collections::HashMap<u32, Lot> = Default::default();
    // Points spent beyond all credits (a refund of points already spent):
    // later credits fill this hole before they can expire.
    let mut deficit = 0_i64;
    let mut expired = 0_i64;
    let mut clock = i64::MIN;
    let expire_until = |t: i64,
                        open: &mut std::collections::VecDeque<Open>,
                        lots: &mut std::collections::HashMap<u32, Lot>,
                        expired: &mut i64| {
        // `open` is in order of expiry: what is due is at the front.
        while let Some(&(expires_at, remaining, lot)) = open.front() {
            if expires_at > t {
                break;
            }
            *expired += remaining;
            if let Some(lot) = lot.and_then(|k| lots.get_mut(&k)) {
                lot.expired += remaining;
            }
            open.pop_front();
        }
    };
    for m in movements.iter().filter(|m| !m.is_expiry) {
        clock = clock.max(m.at.min(now));
        expire_until(clock, &mut open, &mut lots, &mut expired);
        if m.delta > 0 {
            if let Some(k) = m.lot {
                lots.entry(k).or_default().credited += m.delta;
            }
            let covered = m.delta.min(deficit);
            deficit -= covered;
            let expires_at = m.expires_at.unwrap_or(i64::MAX);
            if m.delta > covered {
                let position = open.partition_point(|o| o.0 <= expires_at);
                open.insert(position, (expires_at, m.delta - covered, m.lot));
            }
            // A credit already past its expiry (sent late) expires at once.
            expire_until(clock, &mut open, &mut lots, &mut expired);
            continue;
        }
        let mut to_spend = -m.delta;
        if let Some(k) = m.lot {
            lots.entry(k).or_default().reversed += to_spend;
            // A reversal takes what is left of its own credit first.
            for o in open.iter_mut().filter(|o| o.2 == Some(k)) {
                let used = o.1.min(to_spend);
                o.1 -= used;
                to_spend -= used;
            }
            open.retain(|o| o.1 > 0);
        }
        while to_spend > 0 {
            let Some(front) = open.front_mut() else {
                deficit += to_spend;
                break;
            };
            let used = front.1.min(to_spend);
            front.1 -= used;
            to_spend -= used;
            if front.1 == 0 {
                open.pop_front();
            }
        }
    }
    expire_until(now, &mut open, &mut lots, &mut expired);
    let next = open.front().map(|o| o.0).filter(|at| *at != i64::MAX);
    let next_expiry_points = next.map_or(0, |at| open.iter().filter(|o| o.0 == at).map(|o| o.1).sum());
    Replay { state: ExpiryState { expired, next_expiry_at: next, next_expiry_points }, lots }
}

/// `t` plus `months` calendar months, at the same time of day; a day past
/// the end of the target month is clamped to its last day (31 Jan + 1
/// month = 28 or 29 Feb).
pub fn add_months(t: i64, months: u32) -> i64 {
    let days = t.div_euclid(86_400);
    let seconds = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let month_index = y * 12 + (m as i64 - 1) + months as i64;
    let (ny, nm) = (month_index.div_euclid(12), (month_index.rem_euclid(12) + 1) as u32);
    let nd = d.min(days_in_month(ny, nm));
    days_from_civil(ny, nm, nd) * 86_400 + seconds
}

/// (year, month, day) of a Unix time, UTC.
pub fn civil_from_unix(t: i64) -> (i64, u32, u32) {
    civil_from_days(t.div_euclid(86_400))
}

/// Unix time of midnight UTC starting a date.
pub fn unix_from_civil(y: i64, m: u32, d: u32) -> i64 {
    days_from_civil(y, m, d) * 86_400
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's algorithms between days since 1970-01-01 and the
// proleptic Gregorian calendar (http://howardhinnant.github.io/date_algorithms.html).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    const JAN_15_2025: i64 = 1_736_899_200; // 2025-01-15T00:00:00Z
    const DAY: i64 = 86_400;

    fn credit(at: i64, delta: i64) -> Movement {
        Movement::expiring(at, delta, 12)
    }

    fn debit(at: i64, points: i64) -> Movement {
        Movement::new(at, -points)
    }

    #[test]
    fn months_are_calendar_months_clamped_to_the_month_end() {
        assert_eq!(add_months(JAN_15_2025, 12), 1_768_435_200); // 2026-01-15
        assert_eq!(add_months(JAN_15_2025 + 3_600, 1), 1_739_577_600 + 3_600); // 2025-02-15 01:00
        let jan_31_2024 = 1_706_659_200;
        assert_eq!(add_months(jan_31_2024, 1), 1_709_164_800); // 2024-02-29, a leap year
        assert_eq!(add_months(jan_31_2024, 13), 1_740_700_800); // 2025-02-28
        assert_eq!(add_months(0, 0), 0);
    }

    #[test]
    fn points_expire_exactly_at_their_expiry_moment_not_before() {
        let ledger = [credit(JAN_15_2025, 100)];
        let expires = add_months(JAN_15_2025, 12);
        assert_eq!(expired_by(&ledger, expires - 1).expired, 0);
        assert_eq!(expired_by(&ledger, expires).expired, 100);
        let pending = expired_by(&ledger, expires - 1);
        assert_eq!((pending.next_expiry_at, pending.next_expiry_points), (Some(expires), 100));
    }

    #[test]
    fn spending_uses_the_oldest_points_first() {
        let ledger = [credit(JAN_15_2025, 100), credit(JAN_15_2025 + 30 * DAY, 50), debit(JAN_15_2025 + 60 * DAY, 120)];
        // The first 100 and 20 of the second credit were spent: 30 remain, from the second.
        let after_first = expired_by(&ledger, add_months(JAN_15_2025, 12));
        assert_eq!(after_first.expired, 0);
        let after_second = expired_by(&ledger, add_months(JAN_15_2025 + 30 * DAY, 12));
        assert_eq!(after_second.expired, 30);
    }

    #[test]
    fn recorded_expiry_rows_are_not_spent_again() {
        let at = add_months(JAN_15_2025, 12);
        let ledger = [credit(JAN_15_2025, 100), Movement { is_expiry: true, ..Movement::new(at, -100) }];
        assert_eq!(expired_by(&ledger, at + DAY).expired, 100);
    }

    #[test]
    fn a_deficit_is_filled_by_later_credits_before_they_can_expire() {
        // Refund of points already spent leaves -40; a later 100 covers it first.
        let ledger = [
            credit(JAN_15_2025, 100),
            debit(JAN_15_2025 + DAY, 100),
            debit(JAN_15_2025 + 2 * DAY, 40),
            credit(JAN_15_2025 + 3 * DAY, 100),
        ];
        assert_eq!(expired_by(&ledger, add_months(JAN_15_2025 + 3 * DAY, 12)).expired, 60);
    }

    #[test]
    fn an_empty_ledger_expires_nothing() {
        assert_eq!(expired_by(&[], JAN_15_2025), ExpiryState::default());
    }

    fn keyed(at: i64, delta: i64, lot: u32) -> Movement {
        Movement { lot: Some(lot), ..credit(at, delta) }
    }

    #[test]
    fn points_that_expired_cannot_be_reversed_again() {
        let expires = add_months(JAN_15_2025, 12);
        let replayed = replay(&[keyed(JAN_15_2025, 100, 1)], expires + DAY);
        assert_eq!(replayed.lots[&1], Lot { credited: 100, reversed: 0, expired: 100 });
        assert_eq!(replayed.lots[&1].reversible(), 0);
    }

    #[test]
    fn the_spent_part_of_a_credit_stays_reversible_and_the_expired_part_does_not() {
        let ledger = [keyed(JAN_15_2025, 100, 1), debit(JAN_15_2025 + DAY, 30)];
        let replayed = replay(&ledger, add_months(JAN_15_2025, 12));
        assert_eq!(replayed.lots[&1].expired, 70);
        assert_eq!(replayed.lots[&1].reversible(), 30);
    }

    #[test]
    fn a_reversal_takes_its_own_credit_first() {
        // Two purchases; the second is refunded: the first's points remain
        // and expire on the first's date, not the second's.
        let ledger =
            [keyed(JAN_15_2025, 100, 1), keyed(JAN_15_2025 + 30 * DAY, 100, 2), keyed(JAN_15_2025 + 31 * DAY, -100, 2)];
        let state = expired_by(&ledger, JAN_15_2025 + 32 * DAY);
        assert_eq!((state.next_expiry_at, state.next_expiry_points), (Some(add_months(JAN_15_2025, 12)), 100));
        let replayed = replay(&ledger, JAN_15_2025 + 32 * DAY);
        assert_eq!(replayed.lots[&2].reversible(), 0);
        assert_eq!(replayed.lots[&1].reversible(), 100);
    }

    #[test]
    fn without_a_rule_nothing_expires_and_lots_are_still_kept() {
        let never = |at, delta| Movement { lot: Some(1), ..Movement::new(at, delta) };
        let ledger = [never(JAN_15_2025, 100), never(JAN_15_2025 + DAY, -40)];
        let replayed = replay(&ledger, JAN_15_2025 + 3_000 * DAY);
        assert_eq!(replayed.state, ExpiryState::default());
        assert_eq!(replayed.lots[&1].reversible(), 60);
    }

    #[test]
    fn each_credit_keeps_the_expiry_it_was_written_with() {
        // Earned under "24 months", spent in part; the rule then became 12
        // months: the old credit still expires at 24, the new one at 12.
        let ledger = [
            Movement::expiring(JAN_15_2025, 1_000, 24),
            debit(JAN_15_2025 + 400 * DAY, 900),
            Movement::expiring(JAN_15_2025 + 401 * DAY, 50, 12),
        ];
        let at_13_months = add_months(JAN_15_2025, 13);
        assert_eq!(expired_by(&ledger, at_13_months).expired, 0, "nothing is re-expired by the new rule");
        assert_eq!(expired_by(&ledger, add_months(JAN_15_2025, 24)).expired, 100);
    }

    #[test]
    fn a_credit_dated_long_ago_but_written_late_does_not_rewrite_what_was_spent() {
        // A spends; A's refund is taken from what A's spending left; an
        // order placed before A but sent after all that changes none of it.
        let ledger = [
            keyed(JAN_15_2025, 100, 1),
            debit(JAN_15_2025 + DAY, 100),
            keyed(add_months(JAN_15_2025, 13), -100, 1),
            keyed(JAN_15_2025 - DAY, 100, 2),
        ];
        let replayed = replay(&ledger, add_months(JAN_15_2025, 13) + DAY);
        assert_eq!(replayed.lots[&1], Lot { credited: 100, reversed: 100, expired: 0 });
        // The late credit was already past its expiry when written: it fills
        // the refund's deficit first, so nothing of it is left to expire.
        assert_eq!(replayed.state.expired, 0);
    }

    #[test]
    fn rows_dated_after_now_count_as_of_now() {
        let ledger = [credit(JAN_15_2025, 100), credit(add_months(JAN_15_2025, 30), 10)];
        // The future row does not move the clock past the first credit's expiry.
        assert_eq!(expired_by(&ledger, JAN_15_2025 + DAY).expired, 0);
    }
}
