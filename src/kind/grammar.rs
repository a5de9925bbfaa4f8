//! The record layouts and code tables of the 記録条件仕様, loaded from the data in `grammar/`.
//!
//! Nothing about a record's fields is written in code: `grammar/medical/records.toml` lists every
//! record and field (mode, max bytes, fixed or variable, required, code table, special
//! format), and `grammar/common/tables.toml` every code table (別表). Both are embedded in the
//! binary and parsed once. Rules find the fields they need by a stable `key`
//! ([`Grammar::key`]), so a layout change is a data change.

use crate::parse::field::FieldType;
use serde::Deserialize;
use std::collections::BTreeMap;

/// 数字 / 英数 / 漢字 / 英数又は漢字.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// 数字: half-width digits (and `.` for decimal quantities).
    Num,
    /// 英数: half-width (single-byte) characters.
    Alnum,
    /// 漢字: full-width (double-byte) characters.
    Kanji,
    /// 英数又は漢字: all single-byte or all double-byte, never mixed.
    AlnumOrKanji,
    /// Not known (the specification's mode is not confirmed): no character check.
    Any,
}

impl Mode {
    pub fn label(self, ja: bool) -> &'static str {
        match (self, ja) {
            (Mode::Num, true) => "数字",
            (Mode::Alnum, true) => "英数",
            (Mode::Kanji, true) => "漢字",
            (Mode::AlnumOrKanji, true) => "英数又は漢字",
            (Mode::Num, false) => "numeric",
            (Mode::Alnum, false) => "half-width alphanumeric",
            (Mode::Kanji, false) => "full-width",
            (Mode::AlnumOrKanji, false) => "half-width or full-width",
            (Mode::Any, true) => "未確認",
            (Mode::Any, false) => "unconfirmed",
        }
    }
}

/// Special value syntax of a field beyond its mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// 年月: YYYYMM (西暦) or legacy GYYMM (和暦).
    Ym,
    /// 年月日: YYYYMMDD (西暦) or legacy GYYMMDD (和暦).
    Ymd,
    /// Fixed-width codes concatenated (`unit` bytes each).
    Concat,
    /// Decimal quantity with `int_digits` / `frac_digits`.
    Decimal,
    /// 保険者番号: 8 bytes, 6 or 8 digits right-aligned with leading spaces.
    Insurer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    File,
    Receipt,
    Donor,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    name: String,
    en: String,
    mode: Mode,
    /// Absent when the specification's length is not confirmed: no length check.
    bytes: Option<u16>,
    #[serde(default)]
    fixed: bool,
    #[serde(default)]
    required: bool,
    table: Option<String>,
    format: Option<Format>,
    unit: Option<u16>,
    int_digits: Option<u8>,
    frac_digits: Option<u8>,
    key: Option<String>,
    repeat: Option<u16>,
    #[serde(default)]
    sensitive: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecord {
    id: String,
    name: String,
    en: String,
    scope: Scope,
    order: Option<u8>,
    /// The field counts of the editions the record exists in (調剤 CZ: 54 and 71).
    #[serde(default)]
    counts: Vec<usize>,
    fields: Vec<RawField>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecords {
    record: Vec<RawRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    name: String,
    en: String,
    codes: BTreeMap<String, String>,
    #[serde(default)]
    legacy: Vec<String>,
    /// The last 診療年月 (YYYYMM) for which the `legacy` codes are valid.
    #[serde(default)]
    legacy_until: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTables {
    tables: BTreeMap<String, RawTable>,
}

/// One field of a record layout. Index 0 is the record identifier.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub en: String,
    pub mode: Mode,
    pub bytes: u16,
    pub fixed: bool,
    pub required: bool,
    /// Index into [`Grammar::tables`].
    pub table: Option<usize>,
    pub format: Option<Format>,
    pub unit: u16,
    pub int_digits: u8,
    pub frac_digits: u8,
    pub key: Option<String>,
    /// Patient data: masked by `--redact`.
    pub sensitive: bool,
    /// How its value is read (the typed field layer, `crate::parse::field`).
    pub ty: FieldType,
}

#[derive(Debug)]
pub struct RecordDef {
    pub id: String,
    pub name: String,
    pub en: String,
    pub scope: Scope,
    /// Position within a receipt (spec 第1章3(3)); `None` for IR and GO.
    pub order: Option<u8>,
    pub fields: Vec<FieldDef>,
    /// The field counts (with the id) of the editions the record exists in; the last one is
    /// `fields.len()`. One entry for a record of one layout.
    pub counts: Vec<usize>,
    /// Bit `i` set when field `i` (< 64) is required: with a record's non-empty mask, the
    /// value pass visits only the fields that hold something or must.
    pub required_mask: u64,
    /// The required fields' numbers, in order (the value pass of a record of more than 64
    /// fields reports the empty ones).
    pub required: Vec<u16>,
    /// Per field: what a non-empty value of a plain-ASCII record must satisfy, packed
    /// for the value pass's fast path (see [`Quick`]).
    pub quick: Vec<Quick>,
}

/// A field's checks on plain ASCII, packed: the most bytes it takes (`max`), whether that is
/// also the least (`fixed`), whether every byte must be a digit, and its code table. `SURE`
/// and `UNSURE` mark fields that always pass (the 保険者番号: I001 owns its shape) and that
/// need the full check (dates, decimals, concatenated codes, kanji fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quick(pub u32);

impl Quick {
    pub const SURE: Quick = Quick(1 << 31);
    pub const UNSURE: Quick = Quick(1 << 30);
    pub const FIXED: u32 = 1 << 16;
    pub const DIGITS: u32 = 1 << 17;
    /// A 年月 (with `DAY`, 年月日) field: passes when it is a real 西暦 date.
    pub const DATE: u32 = 1 << 18;
    pub const DAY: u32 = 1 << 19;
    /// Table index + 1 in bits 20–29 (0: no table).
    pub const TABLE_SHIFT: u32 = 20;

    fn of(f: &FieldDef, tables: &[Table]) -> Quick {
        match f.format {
            Some(Format::Insurer) => return Quick::SURE,
            // A whole number within the integer digits (see `value::plain_field_ok`).
            Some(Format::Decimal) if f.table.is_none() && !f.fixed => {
                let max = f.bytes.min(u16::from(f.int_digits.max(1)));
                return Quick(u32::from(max) | Quick::DIGITS);
            }
            // A 和暦 or broken date takes the full check (V009, V005).
            Some(Format::Ym) => return Quick(Quick::DATE),
            Some(Format::Ymd) => return Quick(Quick::DATE | Quick::DAY),
            Some(_) => return Quick::UNSURE,
            None => {}
        }
        let table = match f.table {
            // A code valid only for old months depends on the receipt's 診療年月.
            Some(t) if !tables[t].legacy.is_empty() => return Quick::UNSURE,
            Some(t) if t + 1 < 1 << 10 => (t as u32 + 1) << Quick::TABLE_SHIFT,
            Some(_) => return Quick::UNSURE,
            None => 0,
        };
        match f.mode {
            Mode::Kanji => Quick::UNSURE,
            m => Quick(
                u32::from(f.bytes)
                    | if f.fixed { Quick::FIXED } else { 0 }
                    | if m == Mode::Num { Quick::DIGITS } else { 0 }
                    | table,
            ),
        }
    }
}

/// A code table (別表).
#[derive(Debug)]
pub struct Table {
    pub id: String,
    pub name: String,
    pub en: String,
    pub codes: BTreeMap<String, String>,
    pub legacy: Vec<String>,
    /// The last 診療年月 (YYYYMM, as a number) for which the `legacy` codes are valid.
    pub legacy_until: Option<u32>,
    /// The codes of up to 7 bytes packed into integers, in an open-addressed hash table
    /// (0 marks a free slot; no code packs to 0): membership is a multiply and usually one
    /// compare, instead of string compares in a tree (a hot path: it runs for every coded
    /// field of every record).
    slots: Vec<u64>,
    /// The meaning of the code in each slot.
    slot_names: Vec<String>,
    /// Whether some code is longer than 7 bytes (then the tree is asked too).
    has_long: bool,
    /// When every code is one or two printable ASCII characters (診療識別, 負担区分, 受診等区分
    /// and the like: most lookups of a month): the codes as bits, see [`short_bit`].
    short: Option<Box<[u64; SHORT_WORDS]>>,
}

/// Printable ASCII characters: 0x20–0x7F, 96 of them.
const PRINTABLE: usize = 96;
const SHORT_WORDS: usize = (PRINTABLE + PRINTABLE * PRINTABLE).div_ceil(64);

/// Bit of a one- or two-character printable ASCII code in [`Table::short`].
#[inline]
fn short_bit(code: &[u8]) -> Option<usize> {
    let p = |c: u8| (0x20..0x80).contains(&c).then(|| usize::from(c - 0x20));
    match *code {
        [a] => p(a),
        [a, b] => Some(PRINTABLE + p(a)? * PRINTABLE + p(b)?),
        _ => None,
    }
}

/// `code` packed into an integer when it is 1 to 7 bytes long: the bytes in the low 56 bits,
/// the length in the top byte, so two codes pack alike only when they are equal.
fn pack(code: &[u8]) -> Option<u64> {
    if code.is_empty() || code.len() > 7 {
        return None;
    }
    Some(code.iter().fold(0u64, |a, &b| (a << 8) | b as u64) | ((code.len() as u64) << 56))
}

impl Table {
    fn new(
        id: String,
        name: String,
        en: String,
        codes: BTreeMap<String, String>,
        legacy: Vec<String>,
        legacy_until: Option<u32>,
    ) -> Table {
        // At most half full: a miss ends at a free slot after a probe or two.
        let size = (codes.len() * 2).next_power_of_two().max(2);
        let (mut slots, mut slot_names) = (vec![0u64; size], vec![String::new(); size]);
        for (c, n) in &codes {
            let Some(p) = pack(c.as_bytes()) else {
                continue;
            };
            let mut at = slot(p, size);
            while slots[at] != 0 {
                at = (at + 1) & (size - 1);
            }
            slots[at] = p;
            slot_names[at] = n.clone();
        }
        let has_long = codes.keys().any(|c| pack(c.as_bytes()).is_none());
        let short = codes
            .keys()
            .try_fold(Box::new([0u64; SHORT_WORDS]), |mut m, c| {
                let b = short_bit(c.as_bytes())?;
                m[b / 64] |= 1 << (b % 64);
                Some(m)
            });
        Table {
            id,
            name,
            en,
            codes,
            legacy,
            legacy_until,
            slots,
            slot_names,
            has_long,
            short,
        }
    }

    /// The slot holding `code`, when it packs; `Err` when it packs and is absent.
    fn find(&self, code: &[u8]) -> Option<Result<usize, ()>> {
        let p = pack(code)?;
        let size = self.slots.len();
        let mut at = slot(p, size);
        loop {
            match self.slots[at] {
                0 => return Some(Err(())),
                q if q == p => return Some(Ok(at)),
                _ => at = (at + 1) & (size - 1),
            }
        }
    }

    #[inline]
    pub fn contains(&self, code: &[u8]) -> bool {
        if let Some(m) = &self.short {
            return short_bit(code).is_some_and(|b| m[b / 64] >> (b % 64) & 1 == 1);
        }
        match self.find(code) {
            Some(Ok(_)) => true,
            Some(Err(())) if !self.has_long => false,
            _ => std::str::from_utf8(code).is_ok_and(|c| self.codes.contains_key(c)),
        }
    }

    /// Whether `code` is one of the codes valid only up to [`Table::legacy_until`], and
    /// `care_ym` (YYYYMM) is past that month.
    pub fn legacy_expired(&self, code: &[u8], care_ym: u32) -> bool {
        self.legacy_until.is_some_and(|until| care_ym > until)
            && self.legacy.iter().any(|c| c.as_bytes() == code)
    }

    pub fn get(&self, code: &[u8]) -> Option<&str> {
        match self.find(code) {
            Some(Ok(at)) => Some(&self.slot_names[at]),
            Some(Err(())) if !self.has_long => None,
            _ => std::str::from_utf8(code)
                .ok()
                .and_then(|c| self.codes.get(c))
                .map(String::as_str),
        }
    }
}

/// The home slot of a packed code in a table of `size` (a power of two) slots.
fn slot(p: u64, size: usize) -> usize {
    (p.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & (size - 1)
}

/// Index of a record layout in [`Grammar::records`].
pub type RecIdx = u8;

#[derive(Debug)]
pub struct Grammar {
    pub records: Vec<RecordDef>,
    pub tables: Vec<Table>,
    /// Two upper-case ASCII letters → record index.
    by_id: Vec<Option<RecIdx>>,
}

fn id_slot(id: &[u8]) -> Option<usize> {
    match id {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => Some((a - b'A') as usize * 26 + (b - b'A') as usize),
        _ => None,
    }
}

/// Why the embedded grammar could not be loaded (a build-time data error).
#[derive(Debug)]
pub struct GrammarError(pub String);

impl std::fmt::Display for GrammarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "grammar data: {}", self.0)
    }
}

impl Grammar {
    /// Parses grammar data. Used once for the embedded files; public so tests can feed variants.
    pub fn from_toml(records: &str, tables: &str) -> Result<Grammar, GrammarError> {
        let raw_tables: RawTables =
            toml::from_str(tables).map_err(|e| GrammarError(format!("tables.toml: {e}")))?;
        let raw_records: RawRecords =
            toml::from_str(records).map_err(|e| GrammarError(format!("records.toml: {e}")))?;
        let mut tables: Vec<Table> = Vec::with_capacity(raw_tables.tables.len());
        for (id, t) in raw_tables.tables {
            if let Some(c) = t.legacy.iter().find(|c| !t.codes.contains_key(*c)) {
                return Err(GrammarError(format!(
                    "table `{id}`: legacy code `{c}` is not among its codes"
                )));
            }
            let until = match (&t.legacy_until, t.legacy.is_empty()) {
                (None, true) => None,
                (Some(u), false) if u.len() == 6 && u.bytes().all(|b| b.is_ascii_digit()) => {
                    u.parse().ok()
                }
                _ => {
                    return Err(GrammarError(format!(
                        "table `{id}`: `legacy` needs `legacy_until` (YYYYMM) and the reverse"
                    )))
                }
            };
            tables.push(Table::new(id, t.name, t.en, t.codes, t.legacy, until));
        }
        let table_idx = |name: &str| -> Result<usize, GrammarError> {
            tables
                .iter()
                .position(|t| t.id == name)
                .ok_or_else(|| GrammarError(format!("unknown table `{name}`")))
        };
        let mut records = Vec::new();
        let mut by_id = vec![None; 26 * 26];
        for r in raw_records.record {
            let slot = id_slot(r.id.as_bytes())
                .ok_or_else(|| GrammarError(format!("record id `{}` is not two letters", r.id)))?;
            if by_id[slot].is_some() {
                return Err(GrammarError(format!("record `{}` defined twice", r.id)));
            }
            let mut fields = Vec::new();
            for f in r.fields {
                let n = f.repeat.unwrap_or(1);
                let table = f.table.as_deref().map(table_idx).transpose()?;
                if f.format == Some(Format::Concat) && f.unit.unwrap_or(0) == 0 {
                    return Err(GrammarError(format!(
                        "{}.{}: concat needs unit",
                        r.id, f.name
                    )));
                }
                if f.bytes.is_none() && (f.fixed || f.format == Some(Format::Decimal)) {
                    return Err(GrammarError(format!(
                        "{}.{}: a fixed-length or decimal field needs bytes",
                        r.id, f.name
                    )));
                }
                // A decimal's parser reads no table (crate::parse::field).
                if f.format == Some(Format::Decimal) && table.is_some() {
                    return Err(GrammarError(format!(
                        "{}.{}: a decimal takes no table",
                        r.id, f.name
                    )));
                }
                let ty = FieldType::of(
                    f.format,
                    table,
                    f.unit.unwrap_or(0),
                    f.int_digits.unwrap_or(0),
                    f.frac_digits.unwrap_or(0),
                );
                for k in 1..=n {
                    let sub = |s: &str| {
                        if f.repeat.is_some() {
                            s.replace("{n}", &k.to_string())
                        } else {
                            s.to_string()
                        }
                    };
                    fields.push(FieldDef {
                        name: sub(&f.name),
                        en: sub(&f.en),
                        mode: f.mode,
                        // Unknown: longer than any field of a record recelint reads whole.
                        bytes: f.bytes.unwrap_or(u16::MAX),
                        fixed: f.fixed,
                        required: f.required,
                        table,
                        format: f.format,
                        unit: f.unit.unwrap_or(0),
                        int_digits: f.int_digits.unwrap_or(0),
                        frac_digits: f.frac_digits.unwrap_or(0),
                        key: f.key.clone(),
                        sensitive: f.sensitive,
                        ty,
                    });
                }
            }
            by_id[slot] = Some(records.len() as RecIdx);
            let required_mask = fields
                .iter()
                .enumerate()
                .take(64)
                .filter(|(_, f)| f.required)
                .fold(0u64, |m, (i, _)| m | 1 << i);
            let required = (0..fields.len())
                .filter(|&i| fields[i].required)
                .map(|i| i as u16)
                .collect();
            let quick = fields.iter().map(|f| Quick::of(f, &tables)).collect();
            let counts = if r.counts.is_empty() {
                vec![fields.len()]
            } else {
                let mut c = r.counts.clone();
                c.sort_unstable();
                if c.last() != Some(&fields.len()) || c[0] < 1 {
                    return Err(GrammarError(format!(
                        "record `{}`: its longest edition ({:?}) must have its {} fields",
                        r.id,
                        c.last(),
                        fields.len()
                    )));
                }
                c
            };
            records.push(RecordDef {
                counts,
                required_mask,
                required,
                quick,
                id: r.id,
                name: r.name,
                en: r.en,
                scope: r.scope,
                order: r.order,
                fields,
            });
        }
        Ok(Grammar {
            records,
            tables,
            by_id,
        })
    }

    pub fn lookup(&self, id: &[u8]) -> Option<RecIdx> {
        id_slot(id).and_then(|s| self.by_id[s])
    }

    pub fn record(&self, idx: RecIdx) -> &RecordDef {
        &self.records[idx as usize]
    }

    pub fn record_by_id(&self, id: &str) -> Option<&RecordDef> {
        self.lookup(id.as_bytes()).map(|i| self.record(i))
    }

    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// Index of the (first) field with `key` in record `id`; `None` when absent.
    pub fn key(&self, id: &str, key: &str) -> Option<usize> {
        self.record_by_id(id)?
            .fields
            .iter()
            .position(|f| f.key.as_deref() == Some(key))
    }

    /// Indexes of every field with `key` in record `id` (the 31 day fields, say).
    /// The record `id`, or why a layout cannot be resolved without it.
    pub(crate) fn need_record(&self, id: &str) -> Result<RecIdx, String> {
        self.lookup(id.as_bytes())
            .ok_or(format!("record {id} missing"))
    }

    /// The field of record `id` with `key`, or why a layout cannot be resolved without it.
    pub(crate) fn need_key(&self, id: &str, key: &str) -> Result<usize, String> {
        self.key(id, key).ok_or(format!("{id}.{key} missing"))
    }

    /// The index of table `t`, or why a layout cannot be resolved without it.
    pub(crate) fn need_table(&self, t: &str) -> Result<usize, String> {
        self.tables
            .iter()
            .position(|x| x.id == t)
            .ok_or(format!("table {t} missing"))
    }

    pub fn keys(&self, id: &str, key: &str) -> Vec<usize> {
        self.record_by_id(id)
            .map(|r| {
                r.fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.key.as_deref() == Some(key))
                    .map(|(i, _)| i)
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLES: &str =
        "[tables.t]\nname = \"表\"\nen = \"t\"\n[tables.t.codes]\n\"1\" = \"一\"\n";

    fn one_record(fields: &str, extra: &str) -> Result<Grammar, GrammarError> {
        let records = format!(
            "[[record]]\nid = \"ZZ\"\nname = \"試\"\nen = \"test\"\nscope = \"file\"\n{extra}\nfields = [\n{{ name = \"id\", en = \"id\", mode = \"alnum\", bytes = 2, fixed = true, key = \"id\" }},\n{fields}\n]\n"
        );
        Grammar::from_toml(&records, TABLES)
    }

    /// A field whose mode or length the specification does not confirm (調剤) is read with
    /// no character or length check; a fixed-length one must say its length.
    #[test]
    fn unknown_modes_and_lengths_are_not_checked() {
        let g = one_record(r#"{ name = "a", en = "a", mode = "any" }"#, "").unwrap();
        let f = &g.records[0].fields[1];
        assert_eq!((f.mode, f.bytes), (Mode::Any, u16::MAX));
        let long = "ｱ漢".repeat(500);
        let bytes = crate::encoding::sjis::encode(&long);
        let scan = crate::encoding::sjis::scan(&bytes);
        let (r, notes) = crate::parse::field::read(&g, f, &bytes, &scan, None);
        assert!(r.is_ok() && notes == Default::default());
        let fixed = r#"{ name = "a", en = "a", mode = "any", fixed = true }"#;
        assert!(one_record(fixed, "").is_err());
    }

    /// A record of two editions accepts both counts; its longest must be its field list.
    #[test]
    fn a_record_of_two_editions_lists_both_counts() {
        let f = r#"{ name = "a", en = "a", mode = "num", bytes = 1, table = "t" },
                   { name = "b", en = "b", mode = "any" }"#;
        let g = one_record(f, "counts = [3, 2]").unwrap();
        assert_eq!(g.records[0].counts, vec![2, 3]);
        assert!(one_record(f, "counts = [2, 4]").is_err());
    }

    /// The packed slots and the short-code bits answer as the table's own map does, for
    /// every code of every table, every one- and two-byte string, and longer near misses.
    #[test]
    fn lookups_agree_with_the_code_map() {
        let g = &crate::kind::Spec::medical().grammar;
        let mut probes: Vec<Vec<u8>> = Vec::new();
        for a in 0..=255u8 {
            probes.push(vec![a]);
            for b in 0..=255u8 {
                probes.push(vec![a, b]);
            }
        }
        for t in &g.tables {
            for c in t.codes.keys() {
                let c = c.as_bytes().to_vec();
                probes.push([&c[..], b"0"].concat());
                probes.push(c[..c.len() - 1].to_vec());
                probes.push(c);
            }
        }
        let mut short = 0;
        for t in &g.tables {
            short += usize::from(t.short.is_some());
            for p in &probes {
                let want = std::str::from_utf8(p).ok().and_then(|s| t.codes.get(s));
                assert_eq!(t.contains(p), want.is_some(), "{} {p:?}", t.id);
                assert_eq!(t.get(p), want.map(String::as_str), "{} {p:?}", t.id);
            }
        }
        assert!(short >= 10, "{short} tables of short codes");
    }

    /// Legacy codes are data: the embedded tables name their last month, a later month
    /// expires them, and a table that gives one without the other is refused.
    #[test]
    fn legacy_codes_expire_after_their_month() {
        let g = &crate::kind::Spec::medical().grammar;
        let (records, tables) = crate::kind::Kind::Medical.grammar_text().unwrap();
        let tokki = g.tables.iter().find(|t| t.id == "tokki").unwrap();
        assert_eq!(tokki.legacy_until, Some(201807));
        assert!(!tokki.legacy_expired(b"17", 201807));
        assert!(tokki.legacy_expired(b"17", 201808));
        assert!(!tokki.legacy_expired(b"01", 202610));
        let gr = g.tables.iter().find(|t| t.id == "gr_reason").unwrap();
        assert!(gr.legacy_expired(b"07", 201804) && !gr.legacy_expired(b"07", 201803));
        let bad = tables.replace("legacy_until = \"201807\"\n", "");
        let e = Grammar::from_toml(records, &bad).unwrap_err();
        assert!(e.0.contains("tokki") && e.0.contains("legacy_until"), "{e}");
        let bad = tables.replace("legacy = [\"17\",", "legacy = [\"77\",");
        let e = Grammar::from_toml(records, &bad).unwrap_err();
        assert!(e.0.contains("`77`"), "{e}");
    }
}
