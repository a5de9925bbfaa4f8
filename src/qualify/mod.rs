//! Insured-number resolution: was the claim filled in the order the rules require —
//! ① the current qualification, ② else the past one (「資格（無効）」), ③ else the 不詳 7-fill?
//!
//! The scan emits one small [`ReceiptFact`] per receipt; resolution runs afterwards over those
//! facts and an evidence index built from the clinic's qualifications CSV ([`csv`]), earlier
//! months' claim files (`--history`) and the other receipts of the batch.

pub(crate) mod csv;
pub(crate) mod fill;
pub(crate) mod fold;
pub(crate) mod index;
pub mod onshi;
pub mod reread;
pub(crate) mod text;

/// Whether a qualification is the patient's current one, a lost (past) one, or merely seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Confirmed current (CSV `current` / `有効`).
    Current,
    /// Lost, as on the 「資格（無効）」 screen (CSV `past` / `無効`).
    Past,
    /// Claimed on an earlier or another receipt; current or not is unknown.
    Seen,
    /// オンライン資格確認 answered 該当資格なし (資格有効性 4) for this qualification: evidence
    /// that it did not exist on that date, never a qualification of the patient.
    NotFound,
}

use crate::encoding::sjis::shown_str;
use std::sync::Arc;

/// Who a receipt is for, as far as the claim file tells (all folded for comparison).
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// IR 医療機関コード; empty for CSV rows (they belong to the clinic running the check).
    pub facility: Arc<str>,
    pub karte: Box<str>,
    pub name: Box<str>,
    pub kana: Box<str>,
    /// YYYYMMDD (西暦) as a number, 0 when unknown.
    pub birth: u32,
    /// 男女区分 (1 or 2), 0 when unknown.
    pub sex: u8,
}

/// An insured-person qualification: 保険者番号 (6 or 8 digits), 記号, 番号 (folded).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Qualification {
    pub insurer: Box<str>,
    pub symbol: Box<str>,
    pub number: Box<str>,
}

impl Qualification {
    /// Same 保険者番号 and 番号 (the 記号 is often left out on one side).
    pub fn same_as(&self, other: &Qualification) -> bool {
        self.insurer == other.insurer && self.number == other.number
    }
    /// For messages: 保険者番号 01130012・記号 123・番号 4567 (each part cut like any shown
    /// value: a CSV row or a damaged field can hold 50,000 characters).
    pub fn describe(&self) -> String {
        let mut s = format!("保険者番号 {}", shown_str(&self.insurer));
        if !self.symbol.is_empty() {
            s.push_str(&format!("・記号 {}", shown_str(&self.symbol)));
        }
        s.push_str(&format!("・番号 {}", shown_str(&self.number)));
        s
    }
    pub fn describe_en(&self) -> String {
        let mut s = format!("insurer {}", shown_str(&self.insurer));
        if !self.symbol.is_empty() {
            s.push_str(&format!(", symbol {}", shown_str(&self.symbol)));
        }
        s.push_str(&format!(", number {}", shown_str(&self.number)));
        s
    }
}

/// What a receipt claims on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// An ordinary insured-person number, by the [`Qualification::key`] of its 保険者番号 and 番号.
    Ordinary(u64),
    /// The 不詳 fill (`77777777` / `77777779`).
    UnknownFill,
    /// The disaster fill (`99999999`).
    DisasterFill,
    /// A malformed or partial fill: other rules report it; resolution leaves it alone.
    Other,
}

/// Where a piece of evidence comes from, to name it in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A row of the qualifications CSV.
    Csv { path: Arc<str>, row: usize },
    /// A receipt of an earlier month's claim file.
    History { path: Arc<str>, line: u32 },
    /// Another receipt of the files being checked.
    Batch {
        path: Arc<str>,
        line: u32,
        number: Box<str>,
    },
    /// A result of an オンライン資格確認 result file (XML): the file, the line of the result's
    /// element and its path in the message.
    Result {
        path: Arc<str>,
        line: usize,
        element: Arc<str>,
    },
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Csv { path, row } => format!("資格情報 {path} の {row} 行目"),
            Source::History { path, line } => format!("過去の請求ファイル {path} の {line} 行目"),
            Source::Batch { path, line, number } => {
                format!("{path} の {line} 行目（レセプト番号 {number}）")
            }
            Source::Result {
                path,
                line,
                element,
            } => format!("資格確認結果 {path}:{line} {element}"),
        }
    }
    pub fn describe_en(&self) -> String {
        match self {
            Source::Csv { path, row } => format!("qualifications file {path}, row {row}"),
            Source::History { path, line } => format!("earlier claim file {path}, line {line}"),
            Source::Batch { path, line, number } => {
                format!("{path}, line {line} (receipt number {number})")
            }
            Source::Result {
                path,
                line,
                element,
            } => format!("eligibility result {path}:{line} {element}"),
        }
    }
}

/// One known qualification of a patient: a row of the qualifications CSV, or one result of
/// an オンライン資格確認 result file ([`onshi`]), kept as text.
#[derive(Debug, Clone)]
pub struct Row {
    pub who: Identity,
    pub keys: Keys,
    pub qual: Qualification,
    pub status: Status,
    /// The `checked_on` month (YYYYMM) or the result's confirmation month, 0 when unknown.
    pub ym: u32,
    pub path: Arc<str>,
    /// The CSV row, or the line of the result's element in its XML file.
    pub row: usize,
    /// 枝番 (folded), "" when unknown.
    pub branch: Box<str>,
    /// What an オンライン資格確認 result says beyond the CSV's columns (`None` for a CSV row).
    pub onshi: Option<Box<Answer>>,
}

/// The facts of one オンライン資格確認 result that a CSV row does not have.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// 資格有効性 (QualificationValidity): 1 有効, 2 無効, 3 無効（新しい資格あり）, 4 該当資格なし.
    pub validity: u8,
    /// 資格確認日 (QualificationConfirmationDate) YYYYMMDD, 0 when unknown.
    pub confirmed: u32,
    /// 資格取得年月日 (QualificationDate) YYYYMMDD, 0 when absent.
    pub acquired: u32,
    /// 資格喪失年月日 (DisqualificationDate) YYYYMMDD, 0 when absent.
    pub lost: u32,
    /// 本人・家族の別 (PersonalFamilyClassification): 1 本人, 2 家族, 0 unknown.
    pub family: u8,
    /// 氏名カナ (NameKana), folded tight; only ever a confirmation of a match.
    pub kana: Box<str>,
    /// The result's element, as a path from the root (`MessageBody/ResultList/
    /// ResultOfQualificationConfirmation`, `MessageBody/BulkConfirmUnit[3]/…`; shared by the
    /// results of a folder).
    pub element: Arc<str>,
    /// The facility that asked (MessageHeader/MedicalInstitutionCode) when it is 10 digits,
    /// as a number; 0 when absent or of another form. Its last 7 digits are the 医療機関コード
    /// (10 = 都道府県 2 + 点数表 1 + 医療機関コード 7 per onshi.md: inferred, so a result of
    /// another facility is still evidence, with a warning, Q019).
    pub institution: u64,
}

impl Answer {
    /// Whether the result names a facility other than `facility` (a claim file's 7-digit
    /// IR 医療機関コード): only when both are known and their 7-digit codes differ.
    pub fn other_facility(&self, facility: &str) -> bool {
        self.institution != 0
            && facility.len() == 7
            && facility.bytes().all(|b| b.is_ascii_digit())
            && facility.parse::<u64>().ok() != Some(self.institution % 10_000_000)
    }
}

impl Row {
    /// Where the row comes from, for a message.
    pub fn source(&self) -> Source {
        match &self.onshi {
            Some(a) => Source::Result {
                path: self.path.clone(),
                line: self.row,
                element: a.element.clone(),
            },
            None => Source::Csv {
                path: self.path.clone(),
                row: self.row,
            },
        }
    }
}

/// A window of a line decoded for display, and a field's span in it (if it fits).
pub type ShownLine = (Box<str>, Option<(usize, usize)>);

/// The comparison keys of an [`Identity`]: 64-bit hashes of the folded text (0 when empty),
/// so a month of receipts costs a few words each instead of their strings. Only texts whose
/// keys collide in 64 bits could be taken for one another; names with 「●」 are compared as
/// text (see [`Keys::circle`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Keys {
    pub karte: u64,
    /// The name folded tight (no spaces), as [`fold::names_match`] compares it.
    pub name: u64,
    /// The カタカナ氏名 (a 32-bit key: it only ever confirms a match found by name).
    pub kana: u32,
    /// YYYYMMDD, 0 when unknown.
    pub birth: u32,
    pub sex: u8,
    /// The name holds 「●」, which matches any one character: such a name is compared as text.
    pub circle: bool,
}

/// The key of a text: a 64-bit hash, never 0 (0 stands for empty).
pub fn text_key(s: &str) -> u64 {
    bytes_key(s.as_bytes())
}

/// [`text_key`] of text given as its UTF-8 bytes.
pub(crate) fn bytes_key(b: &[u8]) -> u64 {
    if b.is_empty() {
        return 0;
    }
    mix(&[b]).max(1)
}

/// A 64-bit hash of byte strings; the same in every run. Eight bytes at a time, each folded
/// in by a 64 x 64 -> 128-bit multiply whose halves are xored (the mixing step of wyhash and
/// rapidhash); each part's length is mixed in, so part boundaries count. It replaced SipHash,
/// which was 1.4 % of a whole check for the handful of short keys per receipt. Keys are only
/// compared within one run, never stored.
pub fn mix(parts: &[&[u8]]) -> u64 {
    const K0: u64 = 0xa076_1d64_78bd_642f;
    const K1: u64 = 0xe703_7ed1_a0b4_28db;
    const K2: u64 = 0x8ebc_6af0_9c88_c6e3;
    let mum = |a: u64, b: u64| {
        let r = u128::from(a) * u128::from(b);
        (r as u64) ^ ((r >> 64) as u64)
    };
    let mut h = K0;
    for p in parts {
        h = mum(h ^ K1, (p.len() as u64) ^ K2);
        let mut words = p.chunks_exact(8);
        for w in &mut words {
            let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            h = mum(h ^ w, K1);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let w = rest
                .iter()
                .rev()
                .fold(0u64, |a, &b| (a << 8) | u64::from(b));
            h = mum(h ^ w ^ K2, K1);
        }
    }
    mum(h ^ K2, K0 ^ (parts.len() as u64))
}

impl Identity {
    pub fn keys(&self) -> Keys {
        let tight = fold::fold_tight(&self.name);
        Keys {
            karte: text_key(&self.karte),
            name: text_key(&tight),
            kana: text_key(&self.kana) as u32 | u32::from(!self.kana.is_empty()),
            birth: self.birth,
            sex: self.sex,
            circle: tight.contains(fold::BLACK_CIRCLE),
        }
    }
}

impl Keys {
    /// 生年月日 and 男女区分 as one number; 0 when there is no date.
    pub fn birth_key(&self) -> u64 {
        if self.birth == 0 {
            0
        } else {
            self.birth as u64 * 10 + self.sex.min(9) as u64
        }
    }
}

impl Qualification {
    /// The key [`Qualification::same_as`] compares: 保険者番号 and 番号.
    pub fn key(&self) -> u64 {
        mix(&[self.insurer.as_bytes(), self.number.as_bytes()]).max(1)
    }
}

/// The per-receipt fact the scan emits (receipts with an HO record only): the keys
/// resolution compares, and where to read the receipt again when a finding needs its text.
/// Kept to 72 bytes on purpose: a month holds hundreds of thousands of them (64 until the
/// days of care, 本人・家族 and 枝番 were added to compare with オンライン資格確認 results).
#[derive(Debug, Clone, Copy, Default)]
pub struct ReceiptFact {
    karte: u64,
    name: u64,
    /// [`Qualification::key`] of an ordinary claim, 0 otherwise.
    qual: u64,
    /// File offset of the RE line (for a file read from a pipe: its place in the spool).
    pub re_offset: u64,
    kana: u32,
    birth: u32,
    /// The HO line starts this many bytes after the RE line.
    pub ho_delta: u32,
    /// Line of the RE record and of the HO record.
    pub re_line: u32,
    pub line: u32,
    /// Receipt ordinal in the file.
    pub receipt: u32,
    /// 診療年月 as months (year × 12 + month − 1), 0 when unknown.
    months: u16,
    sex: u8,
    circle: bool,
    /// 0 ordinary, 1 不詳 fill, 2 disaster fill, 3 other.
    kind: u8,
    /// 再診 (診療識別 12) without 初診 (11).
    pub revisit_only: bool,
    /// 「旧資格」 in the 摘要.
    pub old_note: bool,
    /// Days of care in the 診療年月: bit `d - 1` for day `d` (0 when no record gave a day).
    pub days: u32,
    /// 本人 (1) or 家族 (2) by the レセプト種別's last digit, 0 when it says neither.
    pub family: u8,
    /// SN 枝番 (負担者種別 1): its value + 1 when it is one or two digits, 0 when there is
    /// none, [`BRANCH_OTHER`] for anything else.
    pub branch: u8,
}

/// [`ReceiptFact::branch`] of a 枝番 that is not one or two digits.
pub const BRANCH_OTHER: u8 = u8::MAX;

/// A 枝番 as [`ReceiptFact::branch`] keeps it ("" → 0).
pub fn branch_code(s: &str) -> u8 {
    let s = s.trim();
    if s.is_empty() {
        0
    } else if s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse::<u8>().map_or(BRANCH_OTHER, |v| v + 1)
    } else {
        BRANCH_OTHER
    }
}

impl ReceiptFact {
    pub fn new(keys: Keys, claim: Claim, ym: u32) -> ReceiptFact {
        let (kind, qual) = match claim {
            Claim::Ordinary(q) => (0, q),
            Claim::UnknownFill => (1, 0),
            Claim::DisasterFill => (2, 0),
            Claim::Other => (3, 0),
        };
        let (y, m) = (ym / 100, ym % 100);
        let months = if ym == 0 || !(1..=12).contains(&m) || y >= 5000 {
            0
        } else {
            (y * 12 + m - 1) as u16
        };
        ReceiptFact {
            karte: keys.karte,
            name: keys.name,
            kana: keys.kana,
            birth: keys.birth,
            sex: keys.sex,
            circle: keys.circle,
            qual,
            kind,
            months,
            ..ReceiptFact::default()
        }
    }

    pub fn keys(&self) -> Keys {
        Keys {
            karte: self.karte,
            name: self.name,
            kana: self.kana,
            birth: self.birth,
            sex: self.sex,
            circle: self.circle,
        }
    }

    pub fn claim(&self) -> Claim {
        match self.kind {
            0 => Claim::Ordinary(self.qual),
            1 => Claim::UnknownFill,
            2 => Claim::DisasterFill,
            _ => Claim::Other,
        }
    }

    /// 診療年月 YYYYMM, 0 when unknown.
    pub fn ym(&self) -> u32 {
        if self.months == 0 {
            0
        } else {
            let m = self.months as u32;
            m / 12 * 100 + m % 12 + 1
        }
    }

    /// File offset of the HO line.
    pub fn ho_offset(&self) -> u64 {
        self.re_offset + self.ho_delta as u64
    }
}

/// How the receipts of a file were claimed (the summary breakdown). `past` counts the
/// ordinary claims that evidence showed to be on a past qualification; `current` the other
/// ordinary claims, whether or not anything was compared with them ([`Breakdown::known`]
/// says how many were). In JSON: these five counts, then `checked` and `not_checked` (of
/// `current` + `past`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Breakdown {
    pub current: u64,
    pub past: u64,
    pub unknown_fill: u64,
    pub disaster_fill: u64,
    pub black_circle_names: u64,
    /// Of `current` and `past`, the receipts that resolution found evidence about (a row of
    /// the qualifications CSV, a history receipt or another receipt of the run for the same
    /// patient); the rest were compared with nothing.
    pub evidenced: u64,
    /// Evidence was given (usable CSV rows or history files).
    pub evidence_given: bool,
}

/// What is known of the qualifications of the ordinary receipts (claimed current or past):
/// only receipts compared with evidence are called current or past, the others unchecked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    /// Compared with evidence (a result, a CSV row, a history receipt, another receipt).
    pub checked: u64,
    /// Of `checked`, those claimed on a current qualification.
    pub checked_current: u64,
    /// Claimed on a past qualification.
    pub past: u64,
    /// Compared with nothing.
    pub unchecked: u64,
    /// Whether any evidence was given at all (else every receipt is unchecked).
    pub evidence_given: bool,
}

impl Known {
    /// No evidence was given and none was found: nothing is known beyond the claim.
    pub fn nothing(&self) -> bool {
        !self.evidence_given && self.checked == 0
    }
}

impl serde::Serialize for Breakdown {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let k = self.known();
        let mut m = s.serialize_struct("Breakdown", 7)?;
        m.serialize_field("current", &self.current)?;
        m.serialize_field("past", &self.past)?;
        m.serialize_field("unknown_fill", &self.unknown_fill)?;
        m.serialize_field("disaster_fill", &self.disaster_fill)?;
        m.serialize_field("black_circle_names", &self.black_circle_names)?;
        m.serialize_field("checked", &k.checked)?;
        m.serialize_field("not_checked", &k.unchecked)?;
        m.end()
    }
}

impl Breakdown {
    /// What is known of the ordinary receipts (see [`Known`]).
    pub fn known(&self) -> Known {
        let ordinary = self.current + self.past;
        let checked = self.evidenced.min(ordinary);
        Known {
            checked,
            checked_current: checked.saturating_sub(self.past),
            past: self.past,
            unchecked: ordinary - checked,
            evidence_given: self.evidence_given,
        }
    }

    pub fn add(&mut self, o: &Breakdown) {
        self.evidenced += o.evidenced;
        self.evidence_given |= o.evidence_given;
        self.current += o.current;
        self.past += o.past;
        self.unknown_fill += o.unknown_fill;
        self.disaster_fill += o.disaster_fill;
        self.black_circle_names += o.black_circle_names;
    }
}

/// The patient-identity rule: within one 医療機関コード (CSV rows match any), the カルテ番号
/// when both sides have one; otherwise 氏名 + 生年月日 + 男女区分 with 「●」 matching any single
/// character, and the カタカナ氏名 agreeing when both sides have it.
///
/// `names` gives both names as text; it is called only when a side's name holds 「●」 (the
/// keys cannot tell then), so a claim file's receipt is read again only in that case.
pub fn same_patient(
    a: (&Keys, &str),
    b: (&Keys, &str),
    names: impl FnOnce() -> (String, String),
) -> bool {
    let ((a, fa), (b, fb)) = (a, b);
    if !fa.is_empty() && !fb.is_empty() && fa != fb {
        return false;
    }
    if a.karte != 0 && b.karte != 0 {
        return a.karte == b.karte;
    }
    if a.birth == 0 || a.birth != b.birth || a.sex != b.sex || a.name == 0 || b.name == 0 {
        return false;
    }
    if a.kana != 0 && b.kana != 0 && a.kana != b.kana {
        return false;
    }
    if a.circle || b.circle {
        let (x, y) = names();
        fold::names_match(&x, &y)
    } else {
        a.name == b.name
    }
}

#[cfg(test)]
mod tests {
    use super::index::{Ev, FileFacts, Index};
    use super::*;

    fn who(karte: &str, name: &str) -> Keys {
        Identity {
            facility: "".into(),
            karte: karte.into(),
            name: name.into(),
            kana: Box::default(),
            birth: 19700401,
            sex: 1,
        }
        .keys()
    }

    fn fact(keys: Keys, number: &str, ym: u32) -> ReceiptFact {
        let q = Qualification {
            insurer: "01130012".into(),
            symbol: Box::default(),
            number: number.into(),
        };
        ReceiptFact::new(keys, Claim::Ordinary(q.key()), ym)
    }

    #[test]
    fn repeated_claims_keep_one_entry_with_the_newest_month() {
        let facts: Vec<ReceiptFact> = (0..10_000)
            .map(|k| fact(who("1001", "山田 太郎"), "4567", 202601 + k % 9))
            .collect();
        let files = [FileFacts {
            facility: "1234567",
            facts: &facts,
        }];
        let none = super::index::Rows::default();
        let ix = Index::build(&none, &files);
        let found = ix.about(&who("1001", "山田 太郎"), "1234567");
        assert_eq!(found, vec![Ev::Fact(0, 8)], "the first of the newest month");
        let mut more = facts.clone();
        more.push(fact(who("1001", "山田 太郎"), "9999", 202610));
        let files = [FileFacts {
            facility: "1234567",
            facts: &more,
        }];
        let none = super::index::Rows::default();
        let ix = Index::build(&none, &files);
        assert_eq!(
            ix.about(&who("1001", "山田 太郎"), "1234567").len(),
            2,
            "a second qualification is a second entry"
        );
    }

    #[test]
    fn karte_numbers_of_other_facilities_are_other_patients() {
        let facts = [fact(who("1001", "山田 太郎"), "4567", 202609)];
        let files = [FileFacts {
            facility: "1111111",
            facts: &facts,
        }];
        let none = super::index::Rows::default();
        let ix = Index::build(&none, &files);
        assert!(ix.about(&who("1001", "山田 太郎"), "2222222").is_empty());
        assert_eq!(ix.about(&who("1001", "別人 の名"), "1111111").len(), 1);
    }

    #[test]
    fn black_circles_match_by_name_and_plain_names_by_key() {
        let a = who("", "山田 太郎");
        let circled = who("", "●田 太郎");
        assert!(circled.circle && !a.circle);
        let names = || ("山田太郎".to_string(), "●田太郎".to_string());
        assert!(same_patient((&a, "1"), (&circled, ""), names));
        assert!(same_patient(
            (&a, "1"),
            (&who("", "山田　太郎"), "1"),
            || { unreachable!("no ●: compared by key") }
        ));
        assert!(!same_patient(
            (&a, "1"),
            (&who("", "山田 次郎"), "1"),
            || { unreachable!() }
        ));
        assert!(
            !same_patient((&a, "1"), (&who("", "山田 太郎"), "2"), || unreachable!()),
            "another facility"
        );
        let with_karte = who("1001", "山田 ●郎");
        assert!(same_patient((&with_karte, "1"), (&a, ""), || (
            "山田●郎".into(),
            "山田太郎".into()
        )));
    }

    #[test]
    fn large_tables_find_every_entry_and_facilityless_ones_everywhere() {
        // Over 4,096 entries the tables use their bucket directory.
        let keyed = |k: u32| {
            let mut w = who(&format!("{k}"), &format!("患者{k}"));
            w.birth = 19000101 + k % 28 + (k / 28 % 12) * 100 + (k / 336) * 10000;
            w
        };
        let without_karte = |k: u32| {
            let mut w = keyed(k);
            w.karte = 0;
            w
        };
        let a: Vec<ReceiptFact> = (0..20_000)
            .map(|k| fact(keyed(k), &format!("{k}"), 202610))
            .collect();
        let b: Vec<ReceiptFact> = (0..20_000)
            .map(|k| fact(without_karte(k), &format!("{k}"), 202610))
            .collect();
        let none = [fact(keyed(7), "7", 202609)];
        let files = [
            FileFacts {
                facility: "1111111",
                facts: &a,
            },
            FileFacts {
                facility: "2222222",
                facts: &b,
            },
            FileFacts {
                facility: "",
                facts: &none,
            },
        ];
        let none = super::index::Rows::default();
        let ix = Index::build(&none, &files);
        for k in (0..20_000).step_by(97) {
            assert!(ix
                .about(&keyed(k), "1111111")
                .contains(&Ev::Fact(0, k as usize)));
            assert!(ix
                .about(&without_karte(k), "2222222")
                .contains(&Ev::Fact(1, k as usize)));
            // A receipt with a カルテ番号 also finds entries without one, by birth date.
            assert!(ix
                .about(&keyed(k), "2222222")
                .contains(&Ev::Fact(1, k as usize)));
        }
        assert_eq!(
            ix.about(&keyed(7), "3333333"),
            vec![Ev::Fact(2, 0)],
            "an entry without 医療機関コード is found from every facility"
        );
    }

    /// A result names another facility only when its MedicalInstitutionCode was 10 digits
    /// and the claim file's code is 7 digits, and the last 7 differ (leading zeros count).
    #[test]
    fn a_result_of_another_facility_needs_both_codes() {
        let a = |institution: u64| Answer {
            institution,
            ..Answer::default()
        };
        assert!(!a(1311234567).other_facility("1234567"));
        assert!(a(1317654321).other_facility("1234567"));
        assert!(
            !a(11_0000012).other_facility("0000012"),
            "北海道 (01…) has a leading zero"
        );
        assert!(a(11_0000012).other_facility("0000013"));
        assert!(!a(0).other_facility("1234567"), "no code in the result");
        assert!(!a(1317654321).other_facility(""), "a file without IR");
        assert!(
            !a(1317654321).other_facility("123456"),
            "not a 7-digit code"
        );
    }

    #[test]
    fn fact_months_round_trip() {
        let f = ReceiptFact::new(Keys::default(), Claim::UnknownFill, 202612);
        assert_eq!(f.ym(), 202612);
        assert_eq!(f.claim(), Claim::UnknownFill);
        assert_eq!(ReceiptFact::new(Keys::default(), Claim::Other, 0).ym(), 0);
        assert_eq!(std::mem::size_of::<ReceiptFact>(), 72);
    }
}
