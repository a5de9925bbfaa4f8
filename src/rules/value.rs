//! V: each field's value against its layout in the grammar — mode, length, code table,
//! dates, concatenated codes, required fields.

use super::{args, field_label, rule, Cx, Tally};
use crate::encoding::sjis::{decode, decode_shown, Scan};
use crate::kind::grammar::{FieldDef, Grammar, Quick};
#[cfg(test)]
use crate::kind::grammar::{Format, Mode};
use crate::parse::field::{self, FieldError, FieldType, Value};
use crate::parse::record::RecView;
use crate::parse::value::{is_seireki, parse_date, Date, DateError, DateForm};
use crate::parse::Span;
use crate::report::{bi, Rule};

pub static V001: Rule = rule!("V001", "mode", Error,
    ja: "項目のモードに合わない値（数字項目に数字以外、英数項目に全角、漢字項目に半角）",
    "「{0}」は{1}で記録する項目ですが、{2}が含まれています",
    en: "value not allowed by the field's mode",
    "'{0}' is a {1} field but holds {2}");
pub static V002: Rule = rule!("V002", "too-long", Error,
    ja: "最大バイト数を超える値",
    "「{0}」は最大 {1} バイトですが、{2} バイトあります",
    en: "value longer than the field's max bytes",
    "'{0}' takes at most {1} bytes but has {2}");
pub static V003: Rule = rule!("V003", "fixed-length", Error,
    ja: "固定長項目の長さが違う",
    "「{0}」は固定長 {1} バイトですが、{2} バイトです",
    en: "fixed-length field of the wrong length",
    "'{0}' is fixed at {1} bytes but has {2}");
pub static V004: Rule = rule!("V004", "unknown-code", Error,
    ja: "コードが別表にない",
    "「{0}」のコード「{1}」は{2}にありません",
    en: "code not in its table (appendix)",
    "'{0}': code '{1}' is not in {2}");
pub static V005: Rule = rule!("V005", "bad-date", Error,
    ja: "ありえない日付、または形式の違う日付",
    "「{0}」の値「{1}」は{2}",
    en: "impossible date, or a date not of the form the field needs",
    "'{0}': '{1}' is {2}");
pub static V006: Rule = rule!("V006", "mixed-width", Error,
    ja: "英数又は漢字の項目に半角と全角が混在している",
    "「{0}」に半角文字と全角文字が混在しています（どちらかに統一してください）",
    en: "half-width-or-full-width field mixes half- and full-width characters",
    "'{0}' mixes half-width and full-width characters (use one or the other)");
pub static V007: Rule = rule!("V007", "required-empty", Error,
    ja: "必須項目が空",
    "「{0}」は必須ですが、記録されていません",
    en: "required field empty",
    "'{0}' is required but empty");
pub static V008: Rule = rule!("V008", "concat-width", Error,
    ja: "連結コード項目の長さがコード幅の倍数でない",
    "「{0}」は {1} バイトのコードを並べる項目ですが、{2} バイトです",
    en: "concatenated code field not a multiple of its code width",
    "'{0}' holds {1}-byte codes but has {2} bytes");
pub static V009: Rule = rule!("V009", "wareki-date", Warning,
    ja: "和暦の日付形式（旧版の記録条件仕様）",
    "「{0}」が和暦形式（{1}）です。現行の記録条件仕様は西暦です。このファイルで和暦の日付は {2} 件です",
    en: "Japanese-era date form: file follows an old edition of the spec",
    "'{0}' is a Japanese-era date ({1}); current editions use the Gregorian calendar. {2} such date(s) in this file");

pub static V010: Rule = rule!("V010", "date-after-care-month", Error,
    ja: "診療年月より後の日付（生年月日・入院年月日・診療開始日）",
    "「{0}」{1} が診療年月 {2} より後です",
    en: "a date after the month of care (birth, admission, start of care)",
    "'{0}' {1} is after the month of care {2}");
pub static V011: Rule = rule!("V011", "start-before-birth", Error,
    ja: "診療開始日が生年月日より前",
    "診療開始日 {0} が生年月日 {1} より前です",
    en: "start of care before the date of birth",
    "the start of care {0} is before the date of birth {1}");
pub static V012: Rule = rule!("V012", "care-month-after-claim-month", Error,
    ja: "診療年月が請求年月より後",
    "診療年月 {0} が請求年月 {1}（IR）より後です。診療が済んだ月の分しか請求できません",
    en: "month of care after the claim month",
    "the month of care {0} is after the claim month {1} (IR); only months already over can be claimed");

pub static RULES: &[&Rule] = &[
    &V001, &V002, &V003, &V004, &V005, &V006, &V007, &V008, &V009, &V010, &V011, &V012,
];

/// State of the V rules over one file (or chunk; [`Values::merge`] folds chunks).
#[derive(Debug, Default)]
pub struct Values {
    wareki: Tally,
    /// 診療年月 (YYYYMM) of the receipt being read, for codes valid only in old months and
    /// for its dates.
    pub care_ym: Option<u32>,
    /// 生年月日 (YYYYMMDD) of the receipt being read, when readable and not after its month.
    birth_ymd: Option<u32>,
    /// 請求年月 (YYYYMM) of the file's header.
    pub claim_ym: Option<u32>,
}

impl Values {
    pub fn merge(&mut self, other: Values, offset: usize, drop: &mut Vec<usize>) {
        self.wareki.merge(other.wareki, offset, drop);
    }
}

/// What a field's text holds: plain ASCII, or the result of a CP932 scan.
pub fn plain_scan(v: &[u8]) -> Scan {
    Scan {
        single: v.len() as u32,
        ..Scan::default()
    }
}

/// Checks every field of a known record. `scans[i]` is field i's scan when the record has
/// non-ASCII bytes; `None` means the whole record is plain ASCII. `text_ok` is false when
/// the file is not Shift_JIS, so character-based checks would only repeat F002.
pub fn on_record(cx: &mut Cx, st: &mut Values, v: &RecView, scans: Option<&[Scan]>, text_ok: bool) {
    let g = &v.spec().grammar;
    let Some(def) = v.rec.def.map(|d| g.record(d)) else {
        return;
    };
    let n = v.nfields().min(def.fields.len());
    let raw = v.rec.raw;
    let visit = |cx: &mut Cx, st: &mut Values, i: usize, f: &FieldDef, (s, e): Span| {
        if s == e {
            if f.required {
                cx.field_with(&V007, v, i, || args![field_label(v, i)]);
            }
            return;
        }
        let val = &raw[s as usize..e as usize];
        let scan = match scans {
            Some(s) => s[i],
            None => plain_scan(val),
        };
        if scan.bad.is_some() || (!text_ok && scan.double + scan.single != val.len() as u32) {
            return; // F001 / F002 already say why
        }
        // Names and remarks: most are fine, as their scan shows.
        if field::text_ok(f, val, &scan) {
            return;
        }
        check_field(cx, st, v, i, f, val, &scan);
    };
    if n <= 64 {
        // Only the fields that hold something or must: most of a care record is empty day
        // columns. In field order, as the full walk would report them.
        let within = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
        let nonempty = v.rec.nonempty;
        let spans = v.nonempty_spans();
        let mut todo = (nonempty | def.required_mask) & within & !1;
        // Spans in field order: the n-th non-empty field visited has the n-th span after the
        // id's.
        let mut next = usize::from(nonempty & 1 == 1);
        let quick = &def.quick[..n.min(def.quick.len())];
        while todo != 0 {
            let i = todo.trailing_zeros() as usize;
            todo &= todo - 1;
            let span = if nonempty >> i & 1 == 1 {
                next += 1;
                let (s, e) = spans[next - 1];
                // Most fields of a month: checked here, in the loop. In a record with text,
                // so are its fields of plain ASCII (an RE's numbers, sex, dates...).
                let plain = scans.is_none_or(|sc| sc[i].is_plain());
                if plain && quick_ok(g, quick[i], &raw[s as usize..e as usize]) {
                    continue;
                }
                (s, e)
            } else {
                (0, 0)
            };
            visit(cx, st, i, &def.fields[i], span);
        }
    } else {
        // A record of more than 64 fields (歯科 SS, 調剤 CZ / KI): most are empty day columns
        // and 加算 pairs. Its non-empty fields come from their spans, and the required fields
        // between them are empty: in field order, as a walk over every field would go.
        let mut required = def
            .required
            .iter()
            .map(|&r| r as usize)
            .filter(|&r| r >= 1 && r < n);
        let mut next_required = required.next();
        for (i, span) in v.numbered_spans() {
            if i >= n {
                break;
            }
            while let Some(r) = next_required.filter(|&r| r <= i) {
                if r < i {
                    cx.field_with(&V007, v, r, || args![field_label(v, r)]);
                }
                next_required = required.next();
            }
            if i == 0 {
                continue;
            }
            let plain = scans.is_none_or(|sc| sc[i].is_plain());
            if plain && quick_ok(g, def.quick[i], &raw[span.0 as usize..span.1 as usize]) {
                continue;
            }
            visit(cx, st, i, &def.fields[i], span);
        }
        for r in next_required.into_iter().chain(required) {
            cx.field_with(&V007, v, r, || args![field_label(v, r)]);
        }
    }
    // Required fields missing from a short record.
    for (i, f) in def.fields.iter().enumerate().skip(n.max(1)) {
        if f.required {
            cx.field_with(&V007, v, i, || args![field_label(v, i)]);
        }
    }
}

/// Whether a field of a plain-ASCII record passes every V check, decided without building
/// its scan: digits in a number field, the length, and the code table. Most fields of a
/// month take this path; `false` means "not sure", and [`check_field`] decides and reports.
#[cfg(test)]
fn plain_field_ok(g: &Grammar, f: &FieldDef, val: &[u8]) -> bool {
    match f.format {
        // I001 owns the 保険者番号's shape (check_field returns at once too).
        Some(Format::Insurer) => return true,
        // A real 西暦 date passes; a 和暦 one may be V009.
        Some(f @ (Format::Ym | Format::Ymd)) => {
            return parse_date(val, f == Format::Ymd).is_ok_and(|d| d.form == DateForm::Seireki)
        }
        // A whole number of at most `int_digits` digits is a decimal quantity (IY's 使用量,
        // 39,000 of them in a 20 MB month); anything else gets the full check.
        Some(Format::Decimal) if f.table.is_none() && !f.fixed => {
            return val.len() <= (f.bytes as usize).min(f.int_digits.max(1) as usize)
                && val.iter().all(u8::is_ascii_digit);
        }
        Some(_) => return false,
        None => {}
    }
    match f.mode {
        Mode::Num if !val.iter().all(u8::is_ascii_digit) => return false,
        // Half-width text in a kanji field is V001.
        Mode::Kanji => return false,
        _ => {}
    }
    let (len, max) = (val.len(), f.bytes as usize);
    if len > max || (f.fixed && len != max) {
        return false;
    }
    match f.table {
        Some(t) => {
            let t = &g.tables[t];
            t.contains(val) && t.legacy.is_empty()
        }
        None => true,
    }
}

/// [`plain_field_ok`] from the field's packed checks.
#[inline(always)]
fn quick_ok(g: &Grammar, q: Quick, val: &[u8]) -> bool {
    if q.0 >= Quick::UNSURE.0 {
        return q == Quick::SURE;
    }
    if q.0 & Quick::DATE != 0 {
        return is_seireki(val, q.0 & Quick::DAY != 0);
    }
    let (len, max) = (val.len(), (q.0 & 0xFFFF) as usize);
    if len > max || (q.0 & Quick::FIXED != 0 && len != max) {
        return false;
    }
    if q.0 & Quick::DIGITS != 0 && !val.iter().all(u8::is_ascii_digit) {
        return false;
    }
    match q.0 >> Quick::TABLE_SHIFT {
        0 => true,
        t => g.tables[t as usize - 1].contains(val),
    }
}

#[inline(never)]
fn check_field(
    cx: &mut Cx,
    st: &mut Values,
    v: &RecView,
    i: usize,
    f: &FieldDef,
    val: &[u8],
    scan: &Scan,
) {
    let g = &v.spec().grammar;
    let (read, notes) = field::read(g, f, val, scan, st.care_ym);
    if notes.mixed {
        cx.field_with(&V006, v, i, || args![field_label(v, i)]);
    }
    if let Some(len) = notes.too_long {
        cx.field_with(&V002, v, i, || args![field_label(v, i), f.bytes, len]);
    }
    match read {
        Ok(Value::Date(d)) => {
            if d.form == DateForm::Wareki && st.wareki.hit() {
                let form = if d.day.is_some() { "GYYMMDD" } else { "GYYMM" };
                cx.field_with(&V009, v, i, || args![field_label(v, i), form, ""]);
                st.wareki.mark(cx);
            }
        }
        Ok(_) => {}
        Err(FieldError::Date(e)) => {
            let with_day = f.ty == FieldType::Date { day: true };
            let why = match (e, with_day) {
                (DateError::Impossible, _) => bi("ありえない日付です", "not a real date"),
                (DateError::Form, true) => bi(
                    "年月日の形式 (YYYYMMDD) ではありません",
                    "not a date of the form YYYYMMDD",
                ),
                (DateError::Form, false) => bi(
                    "年月の形式 (YYYYMM) ではありません",
                    "not a year-month of the form YYYYMM",
                ),
            };
            cx.field(
                &V005,
                v,
                i,
                args![field_label(v, i), decode_shown(val), why],
            );
        }
        Err(FieldError::Mode(ja, en)) => {
            cx.field_with(&V001, v, i, || {
                let mode = bi(f.mode.label(true), f.mode.label(false));
                args![field_label(v, i), mode, bi(ja, en)]
            });
        }
        Err(FieldError::Fixed { want, len }) => {
            cx.field_with(&V003, v, i, || args![field_label(v, i), want, len]);
        }
        Err(FieldError::Decimal { int, frac }) => {
            cx.field_with(&V001, v, i, || {
                let shape = bi(
                    &format!("整数部 {int} 桁・小数部 {frac} 桁までの数値でない値"),
                    &format!(
                        "a value that is not a number with at most {int} integer and {frac} fraction digits"
                    ),
                );
                let mode = bi(f.mode.label(true), f.mode.label(false));
                args![field_label(v, i), mode, shape]
            });
        }
        Err(FieldError::Width { unit, len }) => {
            cx.field_with(&V008, v, i, || args![field_label(v, i), unit as usize, len]);
        }
        Err(FieldError::Unknown(code)) => {
            let t = &g.tables[f.table.expect("a code field has a table")];
            // One code of a concatenation is shown as it is; a whole field, as shown.
            let shown = if matches!(f.ty, FieldType::Codes { .. }) {
                decode(code).into_owned()
            } else {
                decode_shown(code)
            };
            cx.field(
                &V004,
                v,
                i,
                args![field_label(v, i), shown, bi(&t.name, &t.en)],
            );
        }
        Err(FieldError::Legacy(code)) => {
            let t = &g.tables[f.table.expect("a code field has a table")];
            legacy_code(cx, st, v, i, t, code);
        }
    }
}

/// V004 for a code the table keeps only for old months (`legacy_until`), used in a later one.
fn legacy_code(
    cx: &mut Cx,
    st: &Values,
    v: &RecView,
    i: usize,
    t: &crate::kind::grammar::Table,
    code: &[u8],
) {
    let until = t.legacy_until.unwrap_or(0);
    let care = st.care_ym.unwrap_or(0);
    let (code_s, care_s) = (decode(code), show_ym(care));
    let table = bi(
        &format!(
            "{}（診療年月 {care_s} の版。「{code_s}」は {}年{}月診療分までのコード）",
            t.name,
            until / 100,
            until % 100
        ),
        &format!(
            "{} for the month of care {care_s} ('{code_s}' is valid only up to {}-{:02})",
            t.en,
            until / 100,
            until % 100
        ),
    );
    cx.field(&V004, v, i, args![field_label(v, i), decode(code), table]);
}

/// YYYYMM shown as YYYY-MM.
fn show_ym(ym: u32) -> String {
    format!("{}-{:02}", ym / 100, ym % 100)
}

/// A date value shown as written (e.g. `20261105`) or, for a 和暦 value, with its Gregorian
/// reading.
fn show_date(raw: &[u8], d: &Date) -> String {
    match d.form {
        DateForm::Seireki => decode(raw).into_owned(),
        DateForm::Wareki => format!("{}（{}）", decode(raw), d.ymd()),
    }
}

/// Per RE and SY record: dates against the receipt's 診療年月 (V010), the 診療開始日 against
/// the 生年月日 (V011), the 診療年月 against the file's 請求年月 (V012). Run as the records are
/// read (the RE's dates are kept in [`Values`] for its SY records), so a receipt is not walked
/// again. Values that do not parse are V005's business and are skipped here.
pub fn on_dates(cx: &mut Cx, st: &mut Values, v: &RecView) {
    let l = v.layout();
    let date = |i: usize| parse_date(v.field(i), true).ok();
    if v.is(l.re) {
        st.birth_ymd = None;
        let Some(care) = st.care_ym else { return };
        if let Some(claim) = st.claim_ym.filter(|&c| care > c) {
            cx.field(&V012, v, l.re_care_ym, args![care, claim]);
        }
        let birth = date(l.re_birth);
        // A date of birth after the month of care is V010 already; comparing the 診療開始日
        // with it would repeat that on every SY.
        st.birth_ymd = birth.filter(|b| b.ym() <= care).map(|b| b.ymd());
        let admission = l.re_admission.map(|i| (i, date(i)));
        for (i, d) in [(l.re_birth, birth)].into_iter().chain(admission) {
            if let Some(d) = d.filter(|d| d.ym() > care) {
                let shown = show_date(v.field(i), &d);
                cx.field(&V010, v, i, args![field_label(v, i), shown, care]);
            }
        }
    } else if let (true, Some(ds)) = (v.is(l.diag), l.diag_start) {
        let (Some(care), Some(start)) = (st.care_ym, date(ds)) else {
            return;
        };
        if start.ym() > care {
            let shown = show_date(v.field(ds), &start);
            cx.field(&V010, v, ds, args![field_label(v, ds), shown, care]);
        } else if let Some(b) = st.birth_ymd.filter(|&b| start.ymd() < b) {
            let shown = show_date(v.field(ds), &start);
            cx.field(&V011, v, ds, args![shown, b]);
        }
    }
}

/// At the end of the file: V009's count.
pub fn on_end(cx: &mut Cx, st: &Values) {
    st.wareki.finish(cx, 2);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::Kind;
    use crate::parse::value::is_decimal;

    /// The packed checks agree with the field definitions for every field of every record,
    /// on values of each field's table, digits, letters, a date and a decimal, at every
    /// length up to 70 and at the field's maximum and one past it, in every kind.
    #[test]
    fn packed_checks_agree_with_the_field_definitions() {
        let mut fields = 0;
        let kinds = [Kind::Medical, Kind::Dental, Kind::Pharmacy, Kind::Dpc];
        for g in kinds.iter().filter_map(|k| k.spec()).map(|s| &s.grammar) {
            for def in &g.records {
                for (i, f) in def.fields.iter().enumerate() {
                    let mut probes: Vec<Vec<u8>> = Vec::new();
                    if let Some(t) = f.table {
                        probes.extend(g.tables[t].codes.keys().map(|c| c.as_bytes().to_vec()));
                    }
                    for seed in [
                        &b"1234567890"[..],
                        b"ABCDEFGHIJ",
                        b"20261015",
                        b"12.5",
                        b" 123456",
                    ] {
                        // Every short length, and the limit and one past it of long fields.
                        let max = f.bytes as usize;
                        for len in (1..=(max + 1).min(70)).chain([max, max + 1]) {
                            probes.push(seed.iter().cycle().take(len).copied().collect());
                        }
                    }
                    for p in &probes {
                        let ok = plain_field_ok(g, f, p);
                        assert_eq!(
                            quick_ok(g, def.quick[i], p),
                            ok,
                            "{} field {i} {p:?}",
                            def.id
                        );
                        // A decimal passed on the fast path is one the full check passes.
                        if ok && f.format == Some(Format::Decimal) {
                            assert!(is_decimal(p, f.int_digits, f.frac_digits), "{p:?}");
                            assert!(p.len() <= f.bytes as usize && !f.fixed, "{p:?}");
                        }
                    }
                    fields += 1;
                }
            }
        }
        assert!(fields > 1000, "{fields}");
    }
}
