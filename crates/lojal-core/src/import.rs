//! Importing an existing program: the merchant's CSV files of members (their
//! opening balances) and of past orders, read and checked row by row.
//!
//! The whole file is checked before anything is written: the caller gets the
//! good rows, and each bad one with its line number and what is wrong, and
//! decides (refuse the file, or skip those rows and report them). A problem
//! with the file itself (no header, a missing or unknown column, too many
//! rows) is an `Error`: no row can be read without it fixed.

use crate::birthday::Birthday;
use crate::expiry::{civil_from_unix, unix_from_civil};
use crate::identity::CustomerId;
use crate::requests::{check_external_id, LineItem, MAX_AMOUNT, MAX_ITEMS, MAX_QTY};
use crate::units::MAX_POINTS;
use crate::Error;
use serde::Serialize;
use std::collections::HashMap;

/// Rows per file at most; a larger program imports in several files.
pub const MAX_ROWS: usize = 1_000_000;
/// A time may be this far ahead of now (clocks differ), as for live orders.
const FUTURE_SLACK_SECS: i64 = 300;
/// How much of a bad value a message repeats.
const SHOWN_CHARS: usize = 40;

/// The columns of a members file; `id` and `points` are required.
pub const MEMBER_COLUMNS: [&str; 5] = ["id", "points", "lifetime_points", "birthday", "joined_at"];
/// The columns of an orders file (one line per item); `sku`, `qty` and
/// `price` go together and may be left out for orders without lines.
pub const ORDER_COLUMNS: [&str; 8] = ["id", "customer", "total", "currency", "created_at", "sku", "qty", "price"];

/// One member of a members file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    /// The file's line the row starts on (the header is line 1).
    pub line: u64,
    pub id: CustomerId,
    /// The opening balance.
    pub points: i64,
    /// Every point ever earned (what the tier goes by); at least `points`.
    pub lifetime_points: i64,
    pub birthday: Option<Birthday>,
    /// Unix seconds; a date alone is its midnight UTC.
    pub joined_at: Option<i64>,
}

impl MemberRow {
    /// The part of the lifetime points already spent (or expired) before
    /// the import.
    pub fn spent(&self) -> i64 {
        self.lifetime_points - self.points
    }
}

/// One order of an orders file: its consecutive lines with the same id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    /// The order's first line.
    pub line: u64,
    pub id: String,
    pub customer: CustomerId,
    /// Minor units.
    pub total: i64,
    pub currency: String,
    /// Unix seconds.
    pub created_at: i64,
    pub items: Vec<LineItem>,
}

/// A row that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadRow {
    pub line: u64,
    /// What is wrong, for the person who made the file.
    pub problem: String,
}

/// A file read: the rows that can be imported and those that cannot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<T> {
    pub rows: Vec<T>,
    pub bad: Vec<BadRow>,
    /// Data lines read (the header and blank lines not counted).
    pub lines: usize,
}

/// The bad rows in one sentence, the first few named: a refused file's
/// message.
pub fn summary(bad: &[BadRow]) -> String {
    const NAMED: usize = 10;
    let mut text = bad.iter().take(NAMED).map(|b| format!("line {}: {}", b.line, b.problem)).collect::<Vec<_>>();
    if bad.len() > NAMED {
        text.push(format!("and {} more", bad.len() - NAMED));
    }
    format!("{} bad rows: {}", bad.len(), text.join("; "))
}

/// The bad rows as a CSV file (`line,problem`), for the merchant to fix.
pub fn report_csv(bad: &[BadRow]) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    // Writing to memory cannot fail.
    let _ = out.write_record(["line", "problem"]);
    for row in bad {
        let _ = out.write_record([row.line.to_string().as_str(), row.problem.as_str()]);
    }
    String::from_utf8(out.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Reads a members file (header `id,points,lifetime_points,birthday,joined_at`,
/// any order, only `id` and `points` required). `now`: Unix seconds, for
/// dates in the future.
pub fn members(data: &[u8], now: i64) -> Result<Checked<MemberRow>, Error> {
    let (columns, records) =
        read(data, &MEMBER_COLUMNS, &["id", "points"], "id,points,lifetime_points,birthday,joined_at")?;
    let mut checked = Checked { rows: Vec::new(), bad: Vec::new(), lines: records.len() };
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, record) in records {
        let row = Row { columns: &columns, record: &record };
        match member(&row, line, now) {
            Ok(member) => match seen.get(member.id.as_str()) {
                Some(first) => checked.bad.push(BadRow {
                    line,
                    problem: format!("member `{}` is also on line {first}: one row per member", member.id),
                }),
                None => {
                    seen.insert(member.id.as_str().to_owned(), line);
                    checked.rows.push(member);
                }
            },
            Err(problem) => checked.bad.push(BadRow { line, problem }),
        }
    }
    Ok(checked)
}

fn member(row: &Row<'_>, line: u64, now: i64) -> Result<MemberRow, String> {
    row.complete()?;
    let id = row.get("id");
    let id = CustomerId::parse(id).map_err(|e| format!("id {}: {e}", shown(id)))?;
    let points = whole("points", row.get("points"), 0, MAX_POINTS)?;
    let lifetime_points = match row.get("lifetime_points") {
        "" => points,
        text => whole("lifetime_points", text, 0, MAX_POINTS)?,
    };
    if lifetime_points < points {
        return Err(format!(
            "lifetime_points ({lifetime_points}) is less than points ({points}): lifetime points are every point \
             ever earned, the balance is what is left of them (leave lifetime_points empty if they are the same)"
        ));
    }
    let birthday = match row.get("birthday") {
        "" => None,
        text => Some(birthday(text)?),
    };
    let joined_at = match row.get("joined_at") {
        "" => None,
        text => Some(past_time("joined_at", text, now)?),
    };
    Ok(MemberRow { line, id, points, lifetime_points, birthday, joined_at })
}

/// Reads an orders file (header `id,customer,total,currency,created_at,sku,qty,price`):
/// one line per item, the consecutive lines with one id one order, whose
/// `customer`, `total`, `currency` and `created_at` every line repeats. An
/// order with a bad line is refused whole. `currency`: the shop's.
pub fn orders(data: &[u8], currency: &str, now: i64) -> Result<Checked<OrderRow>, Error> {
    let (columns, records) = read(
        data,
        &ORDER_COLUMNS,
        &["id", "customer", "total", "currency", "created_at"],
        "id,customer,total,currency,created_at,sku,qty,price",
    )?;
    let item_columns = ["sku", "qty", "price"].iter().filter(|c| columns.contains_key(**c)).count();
    if item_columns != 0 && item_columns != 3 {
        return Err(invalid("the columns sku, qty and price go together: all three or none"));
    }
    let mut checked = Checked { rows: Vec::new(), bad: Vec::new(), lines: records.len() };
    // Where each order id first appeared.
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut current: Option<Building> = None;
    for (line, record) in records {
        let row = Row { columns: &columns, record: &record };
        if let Err(problem) = row.complete() {
            checked.bad.push(BadRow { line, problem });
            continue;
        }
        let id = row.get("id");
        if let Err(e) = check_external_id("id", id) {
            checked.bad.push(BadRow { line, problem: e.to_string() });
            continue;
        }
        match current.as_mut().filter(|order| order.id == id) {
            Some(order) => order.add_line(&row, line),
            None => {
                if let Some(order) = current.take() {
                    order.finish(&mut checked);
                }
                let mut order = Building::start(&row, line, currency, now);
                if let Some(first) = seen.get(id) {
                    order.fail(
                        line,
                        format!(
                            "order `{}` also starts on line {first}: put each order's lines together",
                            shown_raw(id)
                        ),
                    );
                } else {
                    seen.insert(id.to_owned(), line);
                }
                order.add_item(&row, line);
                current = Some(order);
            }
        }
    }
    if let Some(order) = current.take() {
        order.finish(&mut checked);
    }
    checked.bad.sort_by_key(|b| b.line);
    Ok(checked)
}

/// An order while its lines are read.
struct Building {
    id: String,
    line: u64,
    /// The first line's order fields as written, which the others repeat.
    fields: [String; 4],
    order: Result<OrderRow, BadRow>,
}

impl Building {
    fn start(row: &Row<'_>, line: u64, currency: &str, now: i64) -> Building {
        let fields = ["customer", "total", "currency", "created_at"].map(|c| row.get(c).to_owned());
        let order = Building::order_fields(row, line, currency, now).map_err(|problem| BadRow { line, problem });
        Building { id: row.get("id").to_owned(), line, fields, order }
    }

    fn order_fields(row: &Row<'_>, line: u64, currency: &str, now: i64) -> Result<OrderRow, String> {
        let customer = row.get("customer");
        let customer = CustomerId::parse(customer).map_err(|e| format!("customer {}: {e}", shown(customer)))?;
        let total = whole("total", row.get("total"), 0, MAX_AMOUNT)?;
        if row.get("currency") != currency {
            return Err(format!(
                "currency must be the shop's currency, {currency}, not {}",
                shown(row.get("currency"))
            ));
        }
        let created_at = past_time("created_at", row.get("created_at"), now)?;
        Ok(OrderRow {
            line,
            id: row.get("id").to_owned(),
            customer,
            total,
            currency: currency.to_owned(),
            created_at,
            items: Vec::new(),
        })
    }

    fn fail(&mut self, line: u64, problem: String) {
        if self.order.is_ok() {
            self.order = Err(BadRow { line, problem });
        }
    }

    fn add_line(&mut self, row: &Row<'_>, line: u64) {
        let fields = ["customer", "total", "currency", "created_at"];
        if fields.iter().zip(&self.fields).any(|(column, first)| row.get(column) != first) {
            let problem = format!(
                "customer, total, currency and created_at must be the same on every line of order `{}` (as on line {})",
                shown_raw(&self.id),
                self.line
            );
            self.fail(line, problem);
        }
        self.add_item(row, line);
    }

    fn add_item(&mut self, row: &Row<'_>, line: u64) {
        let (sku, qty, price) = (row.get("sku"), row.get("qty"), row.get("price"));
        if sku.is_empty() && qty.is_empty() && price.is_empty() {
            return;
        }
        let item = (|| {
            check_external_id("sku", sku).map_err(|e| e.to_string())?;
            let qty = whole("qty", qty, 1, MAX_QTY)?;
            let price = whole("price", price, 0, MAX_AMOUNT)?;
            Ok::<_, String>(LineItem { sku: sku.to_owned(), qty, price })
        })();
        match (item, &mut self.order) {
            (Ok(item), Ok(order)) if order.items.len() < MAX_ITEMS => order.items.push(item),
            (Ok(_), Ok(_)) => self.fail(line, format!("an order has at most {MAX_ITEMS} lines")),
            (Err(problem), _) => self.fail(line, problem),
            (Ok(_), Err(_)) => {}
        }
    }

    fn finish(self, checked: &mut Checked<OrderRow>) {
        match self.order {
            Ok(order) => checked.rows.push(order),
            Err(mut bad) => {
                bad.problem = format!("{} (order `{}` skipped whole)", bad.problem, shown_raw(&self.id));
                checked.bad.push(bad);
            }
        }
    }
}

/// Column name to its index in the file.
type Columns = HashMap<String, usize>;

/// One record, its fields read by column name.
struct Row<'a> {
    columns: &'a Columns,
    record: &'a Vec<Result<String, ()>>,
}

impl Row<'_> {
    /// Every field is there and is text.
    fn complete(&self) -> Result<(), String> {
        if self.record.len() != self.columns.len() {
            return Err(format!("has {} fields, the header {}", self.record.len(), self.columns.len()));
        }
        if self.record.iter().any(Result::is_err) {
            return Err("is not UTF-8 text".into());
        }
        Ok(())
    }

    /// The field of `column` trimmed; empty when the file has no such column.
    fn get(&self, column: &str) -> &str {
        match self.columns.get(column).and_then(|&i| self.record.get(i)) {
            Some(Ok(text)) => text.trim(),
            _ => "",
        }
    }
}

/// The header's columns and each data record with its line number. A
/// UTF-8 byte order mark and CRLF line ends are fine; blank lines are skipped.
#[allow(clippy::type_complexity)]
fn read(
    data: &[u8],
    known: &[&str],
    required: &[&str],
    example: &str,
) -> Result<(Columns, Vec<(u64, Vec<Result<String, ()>>)>), Error> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
    let mut records = reader.byte_records();
    let header = loop {
        match records.next() {
            None => return Err(invalid(format!("the file is empty: its first line must be the header, {example}"))),
            Some(Err(e)) => return Err(invalid(format!("the header cannot be read: {e}"))),
            Some(Ok(record)) if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) => continue,
            Some(Ok(record)) => break record,
        }
    };
    let mut columns = Columns::new();
    for (i, field) in header.iter().enumerate() {
        let name = std::str::from_utf8(field).map(|f| f.trim().to_ascii_lowercase()).unwrap_or_default();
        if !known.contains(&name.as_str()) {
            return Err(invalid(format!(
                "the header names an unknown column {}: the columns are {}",
                shown(&String::from_utf8_lossy(field)),
                known.join(",")
            )));
        }
        if columns.insert(name.clone(), i).is_some() {
            return Err(invalid(format!("the header names the column {name} twice")));
        }
    }
    if let Some(missing) = required.iter().find(|c| !columns.contains_key(**c)) {
        return Err(invalid(format!("the header has no column {missing}: it needs {}", required.join(","))));
    }
    let mut rows = Vec::new();
    // Lines counted up to a byte: the reader's own count lags a record
    // behind after a CRLF or blank lines.
    let (mut counted_to, mut line) = (0_usize, 1_u64);
    for record in records {
        let record = record.map_err(|e| invalid(format!("the file cannot be read: {e}")))?;
        let start = record.position().map_or(0, |p| p.byte() as usize).min(data.len());
        let start = start + data[start..].iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        line += data[counted_to.min(start)..start].iter().filter(|b| **b == b'\n').count() as u64;
        counted_to = counted_to.max(start);
        if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(invalid(format!("a file has at most {MAX_ROWS} rows: split it")));
        }
        let fields = record.iter().map(|f| std::str::from_utf8(f).map(str::to_owned).map_err(|_| ())).collect();
        rows.push((line, fields));
    }
    Ok((columns, rows))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidRequest(message.into())
}

/// A value from the file as a message repeats it: quoted, shortened, with
/// no control characters.
fn shown(text: &str) -> String {
    format!("`{}`", shown_raw(text))
}

fn shown_raw(text: &str) -> String {
    let mut out: String =
        text.chars().take(SHOWN_CHARS).map(|c| if c.is_control() || c == '`' { '?' } else { c }).collect();
    if text.chars().count() > SHOWN_CHARS {
        out.push('…');
    }
    out
}

/// A whole number from `min` to `max`.
fn whole(what: &str, text: &str, min: i64, max: i64) -> Result<i64, String> {
    match text.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ if text.is_empty() => Err(format!("{what} is missing: a whole number from {min} to {max}")),
        _ => Err(format!("{what} must be a whole number from {min} to {max}, not {}", shown(text))),
    }
}

/// `YYYY-MM-DD`, a real date from 1900 to 9999.
fn date(text: &str) -> Option<(i64, u32, u32)> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        let part = &text[range];
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse::<u32>().ok()).flatten()
    };
    let (y, m, d) = (i64::from(number(0..4)?), number(5..7)?, number(8..10)?);
    if y < 1900 || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    // A day past the month's end comes back as another date.
    (civil_from_unix(unix_from_civil(y, m, d)) == (y, m, d)).then_some((y, m, d))
}

/// `HH:MM:SS` with optional fractions, in seconds of the day.
fn clock_time(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 8 || bytes[2] != b':' || bytes[5] != b':' {
        return None;
    }
    let two = |at: usize| {
        let part = text.get(at..at + 2)?;
        part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse::<i64>().ok()).flatten()
    };
    let (h, m, s) = (two(0)?, two(3)?, two(6)?);
    let fraction = text.get(8..)?;
    let fraction_ok = fraction.is_empty()
        || (fraction.len() > 1 && fraction.starts_with('.') && fraction[1..].bytes().all(|b| b.is_ascii_digit()));
    (h < 24 && m < 60 && s < 61 && fraction_ok).then_some(h * 3600 + m * 60 + s.min(59))
}

/// A date (its midnight UTC) or an RFC 3339 time, in Unix seconds.
fn time(text: &str) -> Option<i64> {
    if let Some((y, m, d)) = date(text) {
        return Some(unix_from_civil(y, m, d));
    }
    let (day, rest) = (text.get(..10)?, text.get(10..)?);
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (y, m, d) = date(day)?;
    let (clock, offset) = if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        (clock, 0)
    } else {
        let at = rest.len().checked_sub(6).filter(|at| rest.is_char_boundary(*at))?;
        let (clock, zone) = rest.split_at(at);
        let sign = match zone.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        let minutes = clock_time(&format!("{}:00", &zone[1..]))? / 60;
        (clock, sign * minutes * 60)
    };
    Some(unix_from_civil(y, m, d) + clock_time(clock)? - offset)
}

/// A time no later than now (give or take clocks' skew).
fn past_time(what: &str, text: &str, now: i64) -> Result<i64, String> {
    let at = time(text).ok_or_else(|| {
        format!("{what} must be a date (2024-03-14) or an RFC 3339 time (2024-03-14T10:00:00Z), not {}", shown(text))
    })?;
    if at > now + FUTURE_SLACK_SECS {
        return Err(format!("{what} {} is in the future", shown(text)));
    }
    Ok(at)
}

/// `MM-DD`, `--MM-DD` or a full date `YYYY-MM-DD` (whose year is dropped).
fn birthday(text: &str) -> Result<Birthday, String> {
    let wrong = || format!("birthday must be MM-DD or YYYY-MM-DD (03-14, 1990-03-14), not {}", shown(text));
    let month_day = text.strip_prefix("--").unwrap_or(text);
    let birthday = if let Some((_, m, d)) = date(text) {
        Birthday { month: m, day: d }
    } else {
        let bytes = month_day.as_bytes();
        if bytes.len() != 5 || bytes[2] != b'-' || !month_day.bytes().filter(|b| *b != b'-').all(|b| b.is_ascii_digit())
        {
            return Err(wrong());
        }
        let (month, day) = (month_day[..2].parse().map_err(|_| wrong())?, month_day[3..].parse().map_err(|_| wrong())?);
        Birthday { month, day }
    };
    birthday.validate().map_err(|_| wrong())?;
    Ok(birthday)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-03-01T00:00:00Z.
    const NOW: i64 = 1_772_323_200;

    fn members_of(text: &str) -> Checked<MemberRow> {
        members(text.as_bytes(), NOW).unwrap()
    }

    fn problems<T>(checked: &Checked<T>) -> Vec<(u64, String)> {
        checked.bad.iter().map(|b| (b.line, b.problem.clone())).collect()
    }

    #[test]
    fn reads_members_with_every_column() {
        let read = members_of(
            "id,points,lifetime_points,birthday,joined_at\n\
             anna,500,2000,03-14,2021-06-01\n\
             bo@example.com,0,,1990-02-29,2022-01-05T10:30:00+01:00\n\
             cem,1200,1200,,\n",
        );
        assert_eq!(read.lines, 3);
        assert_eq!(
            read.rows[0],
            MemberRow {
                line: 2,
                id: CustomerId::parse("anna").unwrap(),
                points: 500,
                lifetime_points: 2000,
                birthday: Some(Birthday { month: 3, day: 14 }),
                joined_at: Some(1_622_505_600),
            }
        );
        assert_eq!(read.rows[0].spent(), 1500);
        // 1990 had no 29 February: a full date must be a real one.
        assert_eq!(read.rows.len(), 2);
        assert_eq!(read.bad[0].line, 3);
        assert!(read.bad[0].problem.starts_with("birthday must be"), "{:?}", read.bad);
        assert_eq!(read.rows[1].lifetime_points, 1200);
        assert_eq!((read.rows[1].birthday, read.rows[1].joined_at), (None, None));
    }

    #[test]
    fn lifetime_points_default_to_the_balance_and_columns_may_come_in_any_order() {
        let read = members_of("Points , ID\n40,x\n");
        assert_eq!(read.rows[0].lifetime_points, 40);
        assert_eq!(read.rows[0].id.as_str(), "x");
    }

    #[test]
    fn joined_dates_and_times() {
        let joined =
            |text: &str| members_of(&format!("id,points,joined_at\na,1,{text}\n")).rows.first().map(|r| r.joined_at);
        assert_eq!(joined("2022-01-05T10:30:00+01:00"), Some(Some(1_641_375_000)));
        assert_eq!(joined("2022-01-05T09:30:00Z"), Some(Some(1_641_375_000)));
        assert_eq!(joined("2022-01-05 09:30:00.250z"), Some(Some(1_641_375_000)));
        assert_eq!(joined("2022-01-05T04:30:00-05:00"), Some(Some(1_641_375_000)));
        for bad in
            ["2022-13-01", "2022-02-30", "05/01/2022", "2022-01-05T25:00:00Z", "2022-01-05T10:00:00", "yesterday"]
        {
            assert_eq!(joined(bad), None, "{bad}");
        }
        let future = members_of("id,points,joined_at\na,1,2026-03-02\n");
        assert!(future.bad[0].problem.contains("in the future"), "{:?}", future.bad);
    }

    #[test]
    fn birthdays_in_their_forms() {
        let birthday =
            |text: &str| members_of(&format!("id,points,birthday\na,1,{text}\n")).rows.first().and_then(|r| r.birthday);
        assert_eq!(birthday("03-14"), Some(Birthday { month: 3, day: 14 }));
        assert_eq!(birthday("--12-31"), Some(Birthday { month: 12, day: 31 }));
        assert_eq!(birthday("02-29"), Some(Birthday { month: 2, day: 29 }));
        assert_eq!(birthday("1992-02-29"), Some(Birthday { month: 2, day: 29 }));
        for bad in ["02-30", "13-01", "00-10", "3-14", "1993-02-29", "14.03", "+3-14", "03-1x"] {
            assert_eq!(birthday(bad), None, "{bad}");
        }
    }

    #[test]
    fn bad_rows_are_named_by_line_with_what_is_wrong() {
        let read = members_of(
            "id,points,lifetime_points\n\
             ok,1,1\n\
             has space,1,1\n\
             neg,-5,1\n\
             huge,99999999999999999999999,\n\
             over,1000000001,\n\
             less,100,50\n\
             short,1\n\
             text,ten,\n\
             empty,,\n\
             ok,2,2\n",
        );
        let lines: Vec<u64> = read.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7, 8, 9, 10, 11]);
        let text = |line: u64| read.bad.iter().find(|b| b.line == line).unwrap().problem.clone();
        assert!(text(3).starts_with("id `has space`: customer id must be"), "{}", text(3));
        assert!(text(4).contains("points must be a whole number from 0 to 1000000000, not `-5`"), "{}", text(4));
        assert!(text(5).contains("points must be a whole number"), "{}", text(5));
        assert!(text(6).contains("from 0 to 1000000000"));
        assert!(text(7).contains("lifetime_points (50) is less than points (100)"));
        assert_eq!(text(8), "has 2 fields, the header 3");
        assert!(text(9).contains("not `ten`"));
        assert_eq!(text(10), "points is missing: a whole number from 0 to 1000000000");
        assert_eq!(text(11), "member `ok` is also on line 2: one row per member");
        assert_eq!(read.rows.len(), 1);
        assert!(summary(&read.bad).starts_with("9 bad rows: line 3: id `has space`"));
    }

    #[test]
    fn the_summary_names_ten_and_counts_the_rest() {
        let bad: Vec<BadRow> = (2..30).map(|line| BadRow { line, problem: "x".into() }).collect();
        let text = summary(&bad);
        assert!(text.starts_with("28 bad rows: line 2: x; line 3: x;"));
        assert!(text.ends_with("line 11: x; and 18 more"), "{text}");
    }

    #[test]
    fn the_report_file_quotes_what_needs_it() {
        let bad = [BadRow { line: 3, problem: "points must be a whole number, not `1,5`".into() }];
        assert_eq!(report_csv(&bad), "line,problem\n3,\"points must be a whole number, not `1,5`\"\n");
        assert_eq!(report_csv(&[]), "line,problem\n");
    }

    #[test]
    fn a_byte_order_mark_crlf_quotes_and_blank_lines_are_fine() {
        let read = members_of("\u{feff}id,points\r\n\"a\",\"10\"\r\n\r\n b , 20 \r\n");
        assert_eq!(problems(&read), vec![]);
        let ids: Vec<(&str, i64, u64)> = read.rows.iter().map(|r| (r.id.as_str(), r.points, r.line)).collect();
        assert_eq!(ids, vec![("a", 10, 2), ("b", 20, 4)]);
        assert_eq!(read.lines, 2);
    }

    #[test]
    fn a_file_that_cannot_be_read_at_all_is_an_error() {
        let error = |text: &[u8]| match members(text, NOW) {
            Err(Error::InvalidRequest(message)) => message,
            other => panic!("{other:?}"),
        };
        assert!(error(b"").contains("the file is empty"));
        assert!(error(b"\xEF\xBB\xBF\n\n").contains("the file is empty"));
        assert!(error(b"id\nx\n").contains("no column points"));
        assert!(error(b"id,points,lifetme_points\n").contains("unknown column `lifetme_points`"));
        assert!(error(b"id,points,id\n").contains("column id twice"));
        assert!(error(b"id,\xff\n").contains("unknown column"));
        // A header alone is a file of no members.
        assert_eq!(members(b"id,points\n", NOW).unwrap().rows, vec![]);
    }

    #[test]
    fn hostile_fields_are_bad_rows_not_failures() {
        let read = members(b"id,points\n\xff\xfe,1\nnul\x00,1\n\"a,b\",1\n\"unterminated,1\n", NOW).unwrap();
        assert_eq!(read.rows.len(), 0);
        assert_eq!(read.bad[0].problem, "is not UTF-8 text");
        assert!(read.bad[1].problem.starts_with("id `nul?`"), "{:?}", read.bad);
        assert!(read.bad.iter().all(|b| !b.problem.contains('\0')));
        assert_eq!(read.bad.len(), 4);
        let long = format!("id,points\n{},1\n", "x".repeat(500));
        let read = members_of(&long);
        assert!(read.bad[0].problem.len() < 200, "{}", read.bad[0].problem);
    }

    #[test]
    fn too_many_rows_is_refused() {
        let mut text = String::from("id,points\n");
        for i in 0..=MAX_ROWS {
            text.push_str(&format!("m{i},1\n"));
        }
        assert!(matches!(members(text.as_bytes(), NOW), Err(Error::InvalidRequest(m)) if m.contains("at most")));
    }

    const ORDERS: &str = "id,customer,total,currency,created_at,sku,qty,price\n\
        1001,anna,5980,SEK,2024-05-01T10:00:00Z,milk,2,1990\n\
        1001,anna,5980,SEK,2024-05-01T10:00:00Z,bread,1,2000\n\
        1002,bo,0,SEK,2024-05-02,,,\n\
        1003,anna,100,SEK,2024-05-03,tea,1,100\n";

    #[test]
    fn consecutive_lines_with_one_id_are_one_order() {
        let read = orders(ORDERS.as_bytes(), "SEK", NOW).unwrap();
        assert_eq!(problems(&read), vec![]);
        assert_eq!(read.lines, 4);
        let ids: Vec<(&str, u64, usize)> = read.rows.iter().map(|o| (o.id.as_str(), o.line, o.items.len())).collect();
        assert_eq!(ids, vec![("1001", 2, 2), ("1002", 4, 0), ("1003", 5, 1)]);
        assert_eq!(read.rows[0].items[1], LineItem { sku: "bread".into(), qty: 1, price: 2000 });
        assert_eq!(read.rows[0].created_at, 1_714_557_600);
        assert_eq!(read.rows[1].created_at, 1_714_608_000);
        // Without item columns at all.
        let bare = orders(b"id,customer,total,currency,created_at\n9,c,1,SEK,2024-01-01\n", "SEK", NOW).unwrap();
        assert_eq!(bare.rows[0].items, vec![]);
    }

    #[test]
    fn an_order_with_a_bad_line_is_refused_whole() {
        let text = "id,customer,total,currency,created_at,sku,qty,price\n\
            1,a,100,SEK,2024-05-01,x,1,100\n\
            1,a,100,SEK,2024-05-01,y,0,100\n\
            2,a,100,EUR,2024-05-01,x,1,100\n\
            3,a,100,SEK,2024-05-01,x,1,100\n\
            3,b,100,SEK,2024-05-01,y,1,100\n\
            4,a,100,SEK,2030-01-01,x,1,100\n\
            5,a,100,SEK,2024-05-01,x,1,100\n\
            6,a,100,SEK,2024-05-01,x,1,100\n\
            5,a,100,SEK,2024-05-01,y,1,100\n\
            7,a,-1,SEK,2024-05-01,x,1,100\n\
            8,a,1,SEK,2024-05-01,,1,\n\
            ,a,1,SEK,2024-05-01,x,1,1\n";
        let read = orders(text.as_bytes(), "SEK", NOW).unwrap();
        let ids: Vec<&str> = read.rows.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, vec!["5", "6"]);
        let lines: Vec<u64> = read.bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![3, 4, 6, 7, 10, 11, 12, 13]);
        let text = |line: u64| read.bad.iter().find(|b| b.line == line).unwrap().problem.clone();
        assert!(text(3).starts_with("qty must be a whole number from 1 to 10000"), "{}", text(3));
        assert!(text(3).ends_with("(order `1` skipped whole)"));
        assert!(text(4).contains("the shop's currency, SEK, not `EUR`"));
        assert!(text(6).contains("the same on every line of order `3` (as on line 5)"));
        assert!(text(7).contains("in the future"));
        assert!(text(10).contains("order `5` also starts on line 8"));
        assert!(text(11).contains("total must be a whole number"));
        assert!(text(12).starts_with("sku must be 1 to 128 characters"));
        assert!(text(13).starts_with("id must be"));
    }

    #[test]
    fn an_orders_file_needs_its_order_columns() {
        let error = |text: &str| orders(text.as_bytes(), "SEK", NOW).unwrap_err().to_string();
        assert!(error("id,customer,total,currency\n").contains("no column created_at"));
        assert!(error("id,customer,total,currency,created_at,sku\n").contains("all three or none"));
        assert!(error("").contains("empty"));
    }

    #[test]
    fn an_order_has_at_most_max_items_lines() {
        let mut text = String::from("id,customer,total,currency,created_at,sku,qty,price\n");
        for i in 0..=MAX_ITEMS {
            text.push_str(&format!("1,a,1,SEK,2024-01-01,s{i},1,1\n"));
        }
        let read = orders(text.as_bytes(), "SEK", NOW).unwrap();
        assert_eq!(read.rows, vec![]);
        assert!(read.bad[0].problem.contains("at most 500 lines"));
    }
}
