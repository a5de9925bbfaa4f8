//! The typed field layer: each field of the grammar gets a parser, chosen once when the
//! grammar loads ([`FieldType::of`]), that reads a value into a typed [`Value`] or says what
//! is wrong with it ([`FieldError`]), which the value rules report as V001–V008.
//!
//! It runs behind two faster layers: the SIMD line split (`split.rs`) that finds the field
//! spans, and the value pass's plain-ASCII check of packed limits (`grammar::Quick`), which
//! accepts most fields of a month without reaching a parser. What reaches here is a field that
//! may be wrong, so the parsers favour exact answers over speed. They are nom parsers over the
//! field's bytes; the character classes of text come from the Shift_JIS scan of the field.

use crate::encoding::sjis::Scan;
use crate::kind::grammar::{FieldDef, Format, Grammar, Mode};
use crate::parse::value::{is_decimal, parse_date, Date, DateError};
use nom::bytes::complete::take;
use nom::character::complete::digit1;
use nom::combinator::{all_consuming, rest, verify};
use nom::multi::fold_many0;
use nom::{IResult, Parser};

/// How a field's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// 保険者番号: its shape is the insurer rules' (I001), so it is taken as it is.
    Insurer,
    /// 年月 (`day: false`) or 年月日, in 西暦 or 和暦.
    Date { day: bool },
    /// A quantity with at most `int` integer and `frac` fraction digits.
    Decimal { int: u8, frac: u8 },
    /// Codes of `unit` bytes, concatenated, each from `table` (when it has one).
    Codes { unit: u16, table: Option<usize> },
    /// One code of a table.
    Code { table: usize },
    /// Anything else: a number or text of the field's mode.
    Plain,
}

impl FieldType {
    /// The parser of a field, from its grammar entry.
    pub fn of(format: Option<Format>, table: Option<usize>, unit: u16, int: u8, frac: u8) -> Self {
        match (format, table) {
            (Some(Format::Insurer), _) => FieldType::Insurer,
            (Some(Format::Ym), _) => FieldType::Date { day: false },
            (Some(Format::Ymd), _) => FieldType::Date { day: true },
            (Some(Format::Decimal), _) => FieldType::Decimal { int, frac },
            (Some(Format::Concat), table) => FieldType::Codes { unit, table },
            (None, Some(table)) => FieldType::Code { table },
            (None, None) => FieldType::Plain,
        }
    }
}

/// A field's value, read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    Insurer(&'a [u8]),
    Date(Date),
    Decimal(&'a [u8]),
    Codes(&'a [u8]),
    Code(&'a [u8]),
    /// Digits of a number field, or text of the field's mode.
    Plain(&'a [u8]),
}

/// Why a field's value cannot be read as its type. Each maps to one value rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldError<'a> {
    /// Characters the field's mode does not allow (V001), in both languages.
    Mode(&'static str, &'static str),
    /// Not of the length a fixed-length field has (V003).
    Fixed { want: u16, len: usize },
    /// Not a date of the field's form, or not a real one (V005).
    Date(DateError),
    /// Not a number of the field's integer and fraction digits (V001).
    Decimal { int: u8, frac: u8 },
    /// Not a whole number of `unit`-byte codes (V008).
    Width { unit: u16, len: usize },
    /// A code (or one of the concatenated codes) that is not in the table (V004).
    Unknown(&'a [u8]),
    /// A code the table keeps only for months up to its `legacy_until`, used in a later
    /// month of care (V004).
    Legacy(&'a [u8]),
}

/// What a read found that does not stop it: the rules report these beside the result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Notes {
    /// Half-width and full-width characters mixed in an 英数又は漢字 field (V006).
    pub mixed: bool,
    /// Longer than the field's most bytes (V002): the length.
    pub too_long: Option<usize>,
}

/// Reads a non-empty field `val` of definition `f` in grammar `g`. `scan` is the field's
/// Shift_JIS scan; `care_ym` the receipt's 診療年月 (YYYYMM), for codes of old months.
pub fn read<'a>(
    g: &Grammar,
    f: &FieldDef,
    val: &'a [u8],
    scan: &Scan,
    care_ym: Option<u32>,
) -> (Result<Value<'a>, FieldError<'a>>, Notes) {
    let mut notes = Notes::default();
    match f.ty {
        FieldType::Insurer => return (Ok(Value::Insurer(val)), notes),
        FieldType::Date { day } => {
            return (
                parse_date(val, day)
                    .map(Value::Date)
                    .map_err(FieldError::Date),
                notes,
            )
        }
        _ => {}
    }
    if let Some((ja, en)) = mode_problem(f, val, scan) {
        return (Err(FieldError::Mode(ja, en)), notes);
    }
    notes.mixed = f.mode == Mode::AlnumOrKanji && scan.is_mixed();
    let len = val.len();
    if f.fixed && len != f.bytes as usize {
        return (Err(FieldError::Fixed { want: f.bytes, len }), notes);
    }
    if len > f.bytes as usize {
        notes.too_long = Some(len);
    }
    let r = match f.ty {
        FieldType::Decimal { int, frac } => {
            if is_decimal(val, int, frac) {
                Ok(Value::Decimal(val))
            } else {
                Err(FieldError::Decimal { int, frac })
            }
        }
        FieldType::Codes { unit, table } => codes(g, val, unit, table, care_ym),
        FieldType::Code { table } => code(g, val, table, care_ym),
        _ => Ok(Value::Plain(val)),
    };
    (r, notes)
}

/// Whether [`read`] would accept the text field `val` with nothing to note, decided from its
/// scan alone: the fast path for names and remarks (漢字, 英数又は漢字 fields without a
/// table), which the plain-ASCII check never accepts.
#[inline]
pub fn text_ok(f: &FieldDef, val: &[u8], scan: &Scan) -> bool {
    let chars = match f.mode {
        Mode::Kanji => scan.single == 0,
        Mode::AlnumOrKanji => !scan.is_mixed(),
        _ => return false,
    };
    let (len, max) = (val.len(), f.bytes as usize);
    f.ty == FieldType::Plain && chars && len <= max && (!f.fixed || len == max)
}

/// What is wrong with the field's characters for its mode, in both languages.
fn mode_problem(f: &FieldDef, val: &[u8], scan: &Scan) -> Option<(&'static str, &'static str)> {
    match f.mode {
        Mode::Num => {
            let ok = if matches!(f.ty, FieldType::Decimal { .. }) {
                val.iter().all(|c| c.is_ascii_digit() || *c == b'.')
            } else {
                all_digits(val)
            };
            (!ok).then_some(("数字以外の文字", "characters other than digits"))
        }
        Mode::Alnum => (scan.double > 0).then_some(("全角文字", "full-width characters")),
        Mode::Kanji => (scan.single > 0).then_some(("半角文字", "half-width characters")),
        Mode::AlnumOrKanji | Mode::Any => None,
    }
}

/// Every byte an ASCII digit (and at least one).
fn all_digits(val: &[u8]) -> bool {
    let r: IResult<&[u8], &[u8]> = all_consuming(digit1).parse(val);
    r.is_ok()
}

/// One code of table `t`.
fn code<'a>(
    g: &Grammar,
    val: &'a [u8],
    t: usize,
    care_ym: Option<u32>,
) -> Result<Value<'a>, FieldError<'a>> {
    let t = &g.tables[t];
    let r: IResult<&[u8], &[u8]> = verify(rest, |c: &[u8]| t.contains(c)).parse(val);
    match r {
        Err(_) => Err(FieldError::Unknown(val)),
        Ok(_) if care_ym.is_some_and(|ym| t.legacy_expired(val, ym)) => {
            Err(FieldError::Legacy(val))
        }
        Ok(_) => Ok(Value::Code(val)),
    }
}

/// Codes of `unit` bytes, concatenated: the first unknown one is the error, then the first of
/// an old month's.
fn codes<'a>(
    g: &Grammar,
    val: &'a [u8],
    unit: u16,
    table: Option<usize>,
    care_ym: Option<u32>,
) -> Result<Value<'a>, FieldError<'a>> {
    let width = unit as usize;
    // A unit of 0 bytes would never end: the grammar loader refuses it, and so does this.
    if width == 0 || val.len() % width != 0 {
        return Err(FieldError::Width {
            unit,
            len: val.len(),
        });
    }
    let Some(t) = table.map(|t| &g.tables[t]) else {
        return Ok(Value::Codes(val));
    };
    // The first unit the table lacks, and the first it keeps only for old months.
    let first = |pick: &dyn Fn(&[u8]) -> bool| -> Option<&'a [u8]> {
        let r: IResult<&'a [u8], Option<&'a [u8]>> = all_consuming(fold_many0(
            take(width),
            || None,
            |found: Option<&'a [u8]>, c: &'a [u8]| found.or_else(|| pick(c).then_some(c)),
        ))
        .parse(val);
        r.ok().and_then(|(_, found)| found)
    };
    if let Some(bad) = first(&|c| !t.contains(c)) {
        return Err(FieldError::Unknown(bad));
    }
    if let Some(ym) = care_ym {
        if let Some(old) = first(&|c| t.legacy_expired(c, ym)) {
            return Err(FieldError::Legacy(old));
        }
    }
    Ok(Value::Codes(val))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::sjis;
    use crate::kind::Spec;

    fn field(rec: &str, key: &str) -> &'static FieldDef {
        let g = &Spec::medical().grammar;
        let r = g.record_by_id(rec).expect("record");
        &r.fields[g.key(rec, key).expect("key")]
    }

    fn read_str(rec: &str, key: &str, val: &str) -> Result<Value<'static>, FieldError<'static>> {
        let bytes: &'static [u8] = sjis::encode(val).leak();
        let g = &Spec::medical().grammar;
        read(g, field(rec, key), bytes, &sjis::scan(bytes), Some(202610)).0
    }

    #[test]
    fn each_type_reads_a_good_value_into_its_kind() {
        assert!(
            matches!(read_str("RE", "care_ym", "202610"), Ok(Value::Date(d)) if d.ym() == 202610)
        );
        assert!(matches!(read_str("RE", "sex", "1"), Ok(Value::Code(b"1"))));
        assert!(matches!(
            read_str("RE", "special_notes", "0102"),
            Ok(Value::Codes(b"0102"))
        ));
        assert!(matches!(
            read_str("HO", "insurer_number", "  138057"),
            Ok(Value::Insurer(_))
        ));
        assert!(matches!(
            read_str("RE", "name", "山田　太郎"),
            Ok(Value::Plain(_))
        ));
    }

    #[test]
    fn each_wrong_value_says_why() {
        assert_eq!(
            read_str("RE", "care_ym", "202613"),
            Err(FieldError::Date(DateError::Impossible))
        );
        assert_eq!(read_str("RE", "sex", "9"), Err(FieldError::Unknown(b"9")));
        assert_eq!(
            read_str("RE", "sex", "12"),
            Err(FieldError::Fixed { want: 1, len: 2 })
        );
        assert_eq!(
            read_str("RE", "special_notes", "010"),
            Err(FieldError::Width { unit: 2, len: 3 })
        );
        assert_eq!(
            read_str("RE", "special_notes", "0199"),
            Err(FieldError::Unknown(b"99"))
        );
        assert!(matches!(
            read_str("RE", "receipt_no", "12a"),
            Err(FieldError::Mode(_, _))
        ));
    }

    #[test]
    fn the_text_fast_path_accepts_only_what_read_accepts_without_notes() {
        let g = &Spec::medical().grammar;
        for (rec, key) in [("RE", "name"), ("RE", "kana_name"), ("CO", "comment_text")] {
            let f = field(rec, key);
            for val in ["山田　太郎", "ﾔﾏﾀﾞ", "山田 太郎", "ABC", "", "●"] {
                let bytes = sjis::encode(val);
                let scan = sjis::scan(&bytes);
                let (r, notes) = read(g, f, &bytes, &scan, None);
                if text_ok(f, &bytes, &scan) {
                    assert!(
                        r.is_ok() && notes == Notes::default(),
                        "{rec}.{key} {val:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_long_value_is_noted_and_still_read() {
        let bytes = b"1234567";
        let g = &Spec::medical().grammar;
        let f = field("RE", "receipt_no");
        let (r, notes) = read(g, f, bytes, &sjis::scan(bytes), None);
        assert!(r.is_ok());
        assert_eq!(notes.too_long, Some(7));
    }
}
