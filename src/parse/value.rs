//! Typed parsers for field values (nom 8): dates in both 西暦 and 和暦 form, decimal
//! quantities, 保険者番号, plus the 検証番号 check-digit algorithm.

use nom::bytes::complete::take_while_m_n;
use nom::character::complete::char;
use nom::combinator::{all_consuming, map, opt};
use nom::sequence::preceded;
use nom::{IResult, Parser};

/// Which calendar a date value is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForm {
    /// YYYYMM / YYYYMMDD (current editions).
    Seireki,
    /// GYYMM / GYYMMDD with 元号 code G (1 明治 … 5 令和; old editions).
    Wareki,
}

/// A parsed 年月 or 年月日, in the Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    /// `None` for a 年月 value.
    pub day: Option<u8>,
    pub form: DateForm,
}

impl Date {
    /// YYYYMM as a number, for comparisons.
    pub fn ym(&self) -> u32 {
        self.year as u32 * 100 + self.month as u32
    }
    /// YYYYMMDD as a number (day 0 for a 年月).
    pub fn ymd(&self) -> u32 {
        self.ym() * 100 + self.day.unwrap_or(0) as u32
    }
}

/// Why a date value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// Not of the form the field needs (length, non-digits, unknown era).
    Form,
    /// Well formed but not a real date (month 13, 30 February, year 0 of an era …).
    Impossible,
}

/// (元号 code, Gregorian year of its year 1 minus one, first day, last day as YYYYMMDD).
#[allow(clippy::inconsistent_digit_grouping)] // YYYY_MM_DD reads as a date
const ERAS: [(u8, u16, u32, u32); 5] = [
    (1, 1867, 1868_01_25, 1912_07_29), // 明治
    (2, 1911, 1912_07_30, 1926_12_24), // 大正
    (3, 1925, 1926_12_25, 1989_01_07), // 昭和
    (4, 1988, 1989_01_08, 2019_04_30), // 平成
    (5, 2018, 2019_05_01, 2117_12_31), // 令和 (open-ended)
];

fn digits(n: usize) -> impl FnMut(&[u8]) -> IResult<&[u8], u32> {
    move |i| {
        // The bytes are ASCII digits by then: their value needs no UTF-8 check or `str::parse`
        // (which were most of a date's cost on a whole month).
        map(
            take_while_m_n(n, n, |c: u8| c.is_ascii_digit()),
            |d: &[u8]| d.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0')),
        )
        .parse(i)
    }
}

/// Days of `month` (1–12) in `year`; 0 for another month.
pub(crate) fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether `v` is a real 西暦 年月 (YYYYMM) or 年月日 (YYYYMMDD): exactly when [`parse_date`]
/// reads it as a 西暦 date, without building the date (the value pass's fast path: most
/// dates of a month are such).
#[inline]
pub fn is_seireki(v: &[u8], with_day: bool) -> bool {
    let len = if with_day { 8 } else { 6 };
    // Every byte a digit, without a branch per byte (the values are 6 or 8 bytes).
    if v.len() != len || !v.iter().fold(true, |ok, c| ok & c.is_ascii_digit()) {
        return false;
    }
    let d = |i: usize| u32::from(v[i] - b'0');
    let (y, m) = (
        d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3),
        d(4) * 10 + d(5),
    );
    if !(1868..=2199).contains(&y) || !(1..=12).contains(&m) {
        return false;
    }
    !with_day || (1..=u32::from(days_in_month(y as u16, m as u8))).contains(&(d(6) * 10 + d(7)))
}

/// Parses a 年月 (`with_day == false`) or 年月日 value in either calendar.
pub fn parse_date(v: &[u8], with_day: bool) -> Result<Date, DateError> {
    let (sei_len, wa_len) = if with_day { (8, 7) } else { (6, 5) };
    let num = |d: &[u8]| d.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
    let parsed: Option<(u16, u32, u32, Option<u32>, DateForm)> = if v.len() == sei_len
        && v.iter().all(u8::is_ascii_digit)
    {
        // The usual case, all digits: what the parser below finds, without its machinery
        // (a date per care record made it 2 % of a check).
        let day = with_day.then(|| num(&v[6..8]));
        Some((0, num(&v[..4]), num(&v[4..6]), day, DateForm::Seireki))
    } else if v.len() == wa_len && v.iter().all(u8::is_ascii_digit) {
        // The same for a 和暦 value (生年月日 and most dates of a 医科 file).
        let day = with_day.then(|| num(&v[5..7]));
        let (era, y, m) = (num(&v[..1]), num(&v[1..3]), num(&v[3..5]));
        Some((era as u16, y, m, day, DateForm::Wareki))
    } else if v.len() == sei_len {
        let r: IResult<&[u8], _> = all_consuming((digits(4), digits(2), opt(digits(2)))).parse(v);
        r.ok().map(|(_, (y, m, d))| (0, y, m, d, DateForm::Seireki))
    } else if v.len() == wa_len {
        let r: IResult<&[u8], _> =
            all_consuming((digits(1), digits(2), digits(2), opt(digits(2)))).parse(v);
        r.ok()
            .map(|(_, (g, y, m, d))| (g as u16, y, m, d, DateForm::Wareki))
    } else {
        None
    };
    let (era, y, m, d, form) = parsed.ok_or(DateError::Form)?;
    let year = match form {
        DateForm::Seireki => {
            if !(1868..=2199).contains(&y) {
                return Err(DateError::Impossible);
            }
            y as u16
        }
        DateForm::Wareki => {
            let &(_, base, _, _) = ERAS
                .iter()
                .find(|e| e.0 as u16 == era)
                .ok_or(DateError::Form)?;
            if y == 0 {
                return Err(DateError::Impossible);
            }
            base + y as u16
        }
    };
    if !(1..=12).contains(&m) {
        return Err(DateError::Impossible);
    }
    let month = m as u8;
    if let Some(d) = d {
        if d == 0 || d > days_in_month(year, month) as u32 {
            return Err(DateError::Impossible);
        }
    }
    if form == DateForm::Wareki {
        // The date must fall within its era (平成31年5月 is 令和元年5月); a 年月 needs only
        // its month to overlap the era.
        let &(_, _, first, last) = ERAS
            .iter()
            .find(|e| e.0 as u16 == era)
            .ok_or(DateError::Form)?;
        let ymd = year as u32 * 10000 + month as u32 * 100;
        let inside = match d {
            Some(d) => (first..=last).contains(&(ymd + d)),
            None => ymd + 31 >= first && ymd < last,
        };
        if !inside {
            return Err(DateError::Impossible);
        }
    }
    Ok(Date {
        year,
        month,
        day: d.map(|d| d as u8),
        form,
    })
}

/// Checks a decimal quantity: up to `int` integer digits, optionally `.` and 1..=`frac`
/// fraction digits.
pub fn is_decimal(v: &[u8], int: u8, frac: u8) -> bool {
    let int_part = take_while_m_n(1, int.max(1) as usize, |c: u8| c.is_ascii_digit());
    let frac_part = opt(preceded(
        char('.'),
        take_while_m_n(1, frac.max(1) as usize, |c: u8| c.is_ascii_digit()),
    ));
    let r: IResult<&[u8], _> = all_consuming((int_part, frac_part)).parse(v);
    match r {
        Ok((_, (_, f))) => frac > 0 || f.is_none(),
        Err(_) => false,
    }
}

/// A 保険者番号 as recorded in the 8-byte field: 6 or 8 digits, right-aligned, leading spaces.
/// Returns the digits, or `None` when the field is malformed.
pub fn insurer_digits(v: &[u8]) -> Option<&[u8]> {
    let r: IResult<&[u8], (&[u8], &[u8])> = all_consuming((
        take_while_m_n(0, 2, |c: u8| c == b' '),
        take_while_m_n(6, 8, |c: u8| c.is_ascii_digit()),
    ))
    .parse(v);
    match r {
        Ok((_, (pad, d)))
            if v.len() == 8 && (d.len() == 6 || d.len() == 8) && pad.len() + d.len() == 8 =>
        {
            Some(d)
        }
        _ => None,
    }
}

/// 検証番号 of a body of ASCII digits (保険者番号, 公費負担者番号, 受給者番号 without their
/// last digit): weights 2, 1, 2, … from the right, digit sums of the products,
/// `(10 − sum mod 10) mod 10`.
pub fn check_digit(body: &[u8]) -> u8 {
    let mut sum = 0u32;
    let mut w = 2u32;
    for &c in body.iter().rev() {
        let p = (c.wrapping_sub(b'0') as u32 % 10) * w;
        sum += p / 10 + p % 10;
        w = 3 - w;
    }
    ((10 - sum % 10) % 10) as u8
}

/// True when `digits` (all ASCII digits) ends in its correct check digit.
pub fn check_digit_ok(digits: &[u8]) -> bool {
    match digits.split_last() {
        Some((&last, body)) if !body.is_empty() => check_digit(body) + b'0' == last,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_seireki_is_parse_date_in_seireki() {
        let mut probes: Vec<Vec<u8>> = Vec::new();
        for y in [
            1867u32, 1868, 1900, 2000, 2023, 2024, 2100, 2199, 2200, 9999, 0,
        ] {
            for m in 0..=13u32 {
                probes.push(format!("{y:04}{m:02}").into_bytes());
                for d in [0u32, 1, 28, 29, 30, 31, 32, 99] {
                    probes.push(format!("{y:04}{m:02}{d:02}").into_bytes());
                }
            }
        }
        probes.extend(
            [
                &b"2024010"[..],
                b"202401011",
                b"2024-1-1",
                b"20240\x82\x5001",
                b"4310430",
                b"50105",
                b"",
            ]
            .map(<[u8]>::to_vec),
        );
        for p in &probes {
            for day in [false, true] {
                let want = parse_date(p, day).is_ok_and(|d| d.form == DateForm::Seireki);
                assert_eq!(
                    is_seireki(p, day),
                    want,
                    "{:?} {day}",
                    String::from_utf8_lossy(p)
                );
            }
        }
    }

    #[test]
    fn dates_in_both_forms() {
        let d = parse_date(b"20211130", true).unwrap();
        assert_eq!(
            (d.year, d.month, d.day, d.form),
            (2021, 11, Some(30), DateForm::Seireki)
        );
        let d = parse_date(b"43101", false).unwrap();
        assert_eq!((d.year, d.month, d.form), (2019, 1, DateForm::Wareki));
        let d = parse_date(b"4070208", true).unwrap();
        assert_eq!((d.year, d.month, d.day), (1995, 2, Some(8)));
        assert_eq!(parse_date(b"20210230", true), Err(DateError::Impossible));
        assert_eq!(parse_date(b"20240229", true).map(|d| d.day), Ok(Some(29)));
        assert_eq!(parse_date(b"20230229", true), Err(DateError::Impossible));
        assert_eq!(parse_date(b"202113", false), Err(DateError::Impossible));
        assert_eq!(parse_date(b"2021-1", false), Err(DateError::Form));
        assert_eq!(parse_date(b"9010101", true), Err(DateError::Form));
        assert_eq!(parse_date(b"4320101", true), Err(DateError::Impossible)); // 平成32
        assert_eq!(parse_date(b"4310501", true), Err(DateError::Impossible)); // 平成31年5月1日 = 令和元年
        assert_eq!(parse_date(b"4310430", true).map(|d| d.ymd()), Ok(20190430));
        assert_eq!(parse_date(b"43105", false), Err(DateError::Impossible));
        assert_eq!(parse_date(b"43104", false).map(|d| d.ym()), Ok(201904));
        assert_eq!(parse_date(b"50105", false).map(|d| d.ym()), Ok(201905));
        assert_eq!(parse_date(b"6401231", true), Err(DateError::Form)); // no era 6
        assert_eq!(parse_date(b"4a10101", true), Err(DateError::Form));
        assert_eq!(parse_date(b"4a101", false), Err(DateError::Form));
        assert_eq!(parse_date(b"3640107", true).map(|d| d.ymd()), Ok(19890107)); // 昭和64年1月7日
        assert_eq!(parse_date(b"3640108", true), Err(DateError::Impossible));
    }

    #[test]
    fn decimals() {
        assert!(is_decimal(b"1", 5, 5));
        assert!(is_decimal(b"12345.12345", 5, 5));
        assert!(!is_decimal(b"123456", 5, 5));
        assert!(!is_decimal(b"1.", 5, 5));
        assert!(!is_decimal(b".5", 5, 5));
        assert!(!is_decimal(b"1.5", 5, 0));
    }

    #[test]
    fn insurer_numbers() {
        assert_eq!(insurer_digits(b"01130012"), Some(&b"01130012"[..]));
        assert_eq!(insurer_digits(b"  133066"), Some(&b"133066"[..]));
        assert_eq!(insurer_digits(b"133066  "), None);
        assert_eq!(insurer_digits(b" 1330661"), None);
        assert_eq!(insurer_digits(b"133066"), None);
        assert_eq!(insurer_digits(b"0113001X"), None);
    }

    #[test]
    fn check_digits_from_the_spec() {
        for n in [
            "01130012", "33120015", "39130000", "133066", "138057", "12131017", "21136015",
            "1234566", "0000000", "77777779",
        ] {
            assert!(check_digit_ok(n.as_bytes()), "{n}");
        }
        for n in ["77777777", "99999999", "01130013", "777777"] {
            assert!(!check_digit_ok(n.as_bytes()), "{n}");
        }
    }
}
