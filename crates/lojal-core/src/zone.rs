//! A shop's time zone, and the calendar every rule with days or months in
//! it reads: campaign days, reward opening days, birthday months, action
//! limits per day, week, month or year, expiry after N months, and the
//! merchant's figures by month.
//!
//! The calendar arithmetic itself (dates, months) is done on the shop's
//! wall clock (`local = instant + offset`) by the plain civil functions of
//! [`crate::expiry`]; the zone only says the offset at an instant and which
//! instant a wall-clock time is. Those offsets come from the IANA time zone
//! database, bundled by `jiff` behind the `time-zones` feature (on by
//! default; the widget leaves it off, as it draws no calendar rule and the
//! database would only weigh down its wasm). Without it, only `UTC` exists.

use crate::expiry::{civil_from_unix, unix_from_civil};
use crate::Error;

/// `YYYY-MM-DD` as Unix seconds at 00:00 UTC; `None` if it is not a real date.
pub fn parse_date(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let t = unix_from_civil(y, m, d);
    // 2026-02-30 would roll over into March: refuse it instead.
    (civil_from_unix(t) == (y, m, d)).then_some(t)
}

/// The UTC day of Unix time `t` as `YYYY-MM-DD`: the inverse of [`parse_date`].
pub fn format_date(t: i64) -> String {
    let (y, m, d) = civil_from_unix(t);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A time zone by its IANA name (`Europe/Stockholm`), or UTC.
#[derive(Debug, Clone, Default)]
pub struct Zone {
    #[cfg(feature = "time-zones")]
    inner: Option<(String, jiff::tz::TimeZone)>,
}

/// The name a program without one has.
pub const UTC: &str = "UTC";

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name() == other.name()
    }
}

impl Zone {
    pub fn utc() -> Zone {
        Zone::default()
    }

    /// The zone named `name` in the IANA database (`Europe/Stockholm`,
    /// `America/New_York`, `UTC`); the error names what was refused.
    pub fn named(name: &str) -> Result<Zone, Error> {
        if name == UTC {
            return Ok(Zone::utc());
        }
        let unknown = || {
            Error::InvalidProgram(format!(
                "time_zone `{}` is not an IANA time zone name such as Europe/Stockholm",
                name.chars().take(64).collect::<String>()
            ))
        };
        #[cfg(feature = "time-zones")]
        {
            // Names are case-sensitive in the database's files but jiff finds
            // them in any case; the stored name is the one given, so that
            // what the merchant sent back is what they sent.
            if name.is_empty() || name.len() > 64 || name.chars().any(char::is_control) {
                return Err(unknown());
            }
            let zone = jiff::tz::TimeZone::get(name).map_err(|_| unknown())?;
            Ok(Zone { inner: Some((name.to_owned(), zone)) })
        }
        #[cfg(not(feature = "time-zones"))]
        {
            Err(unknown())
        }
    }

    pub fn name(&self) -> &str {
        #[cfg(feature = "time-zones")]
        if let Some((name, _)) = &self.inner {
            return name;
        }
        UTC
    }

    pub fn is_utc(&self) -> bool {
        self.name() == UTC
    }

    /// Seconds the shop's clocks are ahead of UTC at instant `t`.
    pub fn offset_at(&self, t: i64) -> i64 {
        #[cfg(feature = "time-zones")]
        if let Some((_, zone)) = &self.inner {
            let Ok(instant) = jiff::Timestamp::from_second(t) else { return 0 };
            return i64::from(zone.to_offset(instant).seconds());
        }
        let _ = t;
        0
    }

    /// The instant the shop's clocks show `local` (wall-clock seconds since
    /// 1970-01-01 00:00). A time skipped by a change to summer time is read
    /// as the same length of time after the change (02:30 on the morning
    /// clocks jump from 02:00 to 03:00 is 03:30); a time shown twice, when
    /// clocks go back, is its first showing.
    pub fn instant_of(&self, local: i64) -> i64 {
        #[cfg(feature = "time-zones")]
        if let Some((_, zone)) = &self.inner {
            let wall = jiff::Timestamp::from_second(local)
                .map(|t| jiff::tz::TimeZone::UTC.to_datetime(t))
                .and_then(|dt| zone.to_ambiguous_timestamp(dt).compatible());
            if let Ok(instant) = wall {
                return instant.as_second();
            }
        }
        local
    }

    /// The wall-clock time at instant `t`, as seconds since 1970-01-01 00:00.
    pub fn local(&self, t: i64) -> i64 {
        t.saturating_add(self.offset_at(t))
    }

    /// The shop's calendar date at instant `t`: (year, month, day).
    pub fn date_of(&self, t: i64) -> (i64, u32, u32) {
        civil_from_unix(self.local(t))
    }

    /// The first instant of a date in the shop (its midnight, or when the
    /// day begins if a clock change skips midnight).
    pub fn start_of(&self, y: i64, m: u32, d: u32) -> i64 {
        self.instant_of(unix_from_civil(y, m, d))
    }

    /// The first instant of the shop's day holding `t`.
    pub fn start_of_day(&self, t: i64) -> i64 {
        let (y, m, d) = self.date_of(t);
        self.start_of(y, m, d)
    }

    /// `YYYY-MM-DD` as the instant that day begins in the shop; `None`
    /// when it is not a real date.
    pub fn parse_date(&self, date: &str) -> Option<i64> {
        parse_date(date).map(|utc_midnight| self.instant_of(utc_midnight))
    }

    /// `t` plus `months` calendar months at the same wall-clock time in the
    /// shop, clamped to the target month's last day (see
    /// [`crate::expiry::add_months`]).
    pub fn add_months(&self, t: i64, months: u32) -> i64 {
        self.instant_of(crate::expiry::add_months(self.local(t), months))
    }
}

#[cfg(all(test, feature = "time-zones"))]
mod tests {
    use super::*;

    const HOUR: i64 = 3600;

    fn stockholm() -> Zone {
        Zone::named("Europe/Stockholm").unwrap()
    }

    /// Instant of a UTC wall-clock time.
    fn utc(y: i64, m: u32, d: u32, hour: i64, minute: i64) -> i64 {
        unix_from_civil(y, m, d) + hour * HOUR + minute * 60
    }

    #[test]
    fn names_are_checked_against_the_database() {
        assert_eq!(stockholm().name(), "Europe/Stockholm");
        assert!(Zone::named("UTC").unwrap().is_utc());
        for bad in ["", "Europe/Stockholmm", "Mars/Olympus", "CET\0", "../etc/passwd", &"A/".repeat(40)] {
            assert!(matches!(Zone::named(bad), Err(Error::InvalidProgram(_))), "{bad:?}");
        }
    }

    #[test]
    fn a_swedish_day_starts_at_local_midnight_in_winter_and_summer() {
        let z = stockholm();
        // Winter: UTC+1. 1 December begins at 23:00 UTC on 30 November.
        assert_eq!(z.start_of(2026, 12, 1), utc(2026, 11, 30, 23, 0));
        // Summer: UTC+2.
        assert_eq!(z.start_of(2026, 7, 1), utc(2026, 6, 30, 22, 0));
        // 00:30 on 1 December in Stockholm is 23:30 UTC on 30 November.
        assert_eq!(z.date_of(utc(2026, 11, 30, 23, 30)), (2026, 12, 1));
        assert_eq!(Zone::utc().date_of(utc(2026, 11, 30, 23, 30)), (2026, 11, 30));
    }

    #[test]
    fn both_sides_of_the_spring_change_to_summer_time() {
        // 29 March 2026: at 01:00 UTC clocks jump from 02:00 to 03:00.
        let z = stockholm();
        let change = utc(2026, 3, 29, 1, 0);
        assert_eq!(z.offset_at(change - 1), HOUR);
        assert_eq!(z.offset_at(change), 2 * HOUR);
        assert_eq!(z.start_of(2026, 3, 29), utc(2026, 3, 28, 23, 0));
        assert_eq!(z.start_of(2026, 3, 30), utc(2026, 3, 29, 22, 0), "the day is 23 hours long");
        // 02:30 never shows: read as 03:30 summer time.
        assert_eq!(z.instant_of(unix_from_civil(2026, 3, 29) + 2 * HOUR + 1800), change + 1800);
        // A month after 28 February 12:00 is 28 March 12:00, an hour fewer
        // of UTC before the change than after it.
        let feb = z.instant_of(unix_from_civil(2026, 2, 28) + 12 * HOUR);
        assert_eq!(z.add_months(feb, 1), utc(2026, 3, 28, 11, 0));
        assert_eq!(z.add_months(feb, 2), utc(2026, 4, 28, 10, 0));
    }

    #[test]
    fn both_sides_of_the_autumn_change_back() {
        // 25 October 2026: at 01:00 UTC clocks go back from 03:00 to 02:00.
        let z = stockholm();
        let change = utc(2026, 10, 25, 1, 0);
        assert_eq!(z.offset_at(change - 1), 2 * HOUR);
        assert_eq!(z.offset_at(change), HOUR);
        assert_eq!(z.start_of(2026, 10, 25), utc(2026, 10, 24, 22, 0));
        assert_eq!(z.start_of(2026, 10, 26), utc(2026, 10, 25, 23, 0), "the day is 25 hours long");
        // 02:30 shows twice: the first one, still summer time.
        assert_eq!(z.instant_of(unix_from_civil(2026, 10, 25) + 2 * HOUR + 1800), change - 1800);
        assert_eq!(z.date_of(utc(2026, 10, 25, 22, 59)), (2026, 10, 25));
        assert_eq!(z.date_of(utc(2026, 10, 25, 23, 0)), (2026, 10, 26));
    }

    #[test]
    fn utc_is_what_it_always_was() {
        let z = Zone::utc();
        let t = utc(2026, 3, 29, 1, 30);
        assert_eq!(z.local(t), t);
        assert_eq!(z.start_of_day(t), utc(2026, 3, 29, 0, 0));
        assert_eq!(z.add_months(t, 1), crate::expiry::add_months(t, 1));
        assert_eq!(z.parse_date("2026-03-29"), parse_date("2026-03-29"));
    }
}
