//! Insured-number resolution: was the claim filled in the order the rules require —
//! ① the current qualification, ② else the past one (「資格（無効）」), ③ else the 不詳 7-fill?
//!
//! The scan emits one small [`ReceiptFact`] per receipt; resolution runs afterwards over those
//! facts and an evidence index built from the clinic's qualifications CSV ([`csv`]), earlier
//! months' claim files (`--history`) and the other receipts of the batch.

pub mod csv;
pub mod fold;
pub mod text;

/// Whether a qualification is the patient's current one, a lost (past) one, or merely seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Confirmed current (CSV `current` / `有効`).
    Current,
    /// Lost, as on the 「資格（無効）」 screen (CSV `past` / `無効`).
    Past,
    /// Claimed on an earlier or another receipt; current or not is unknown.
    Seen,
}

use crate::diag::ReceiptLabel;
use crate::sjis::shown_str;
use std::collections::HashMap;
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// An ordinary insured-person number.
    Ordinary(Arc<Qualification>),
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
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Csv { path, row } => format!("資格情報 {path} の {row} 行目"),
            Source::History { path, line } => format!("過去の請求ファイル {path} の {line} 行目"),
            Source::Batch { path, line, number } => {
                format!("{path} の {line} 行目（レセプト番号 {number}）")
            }
        }
    }
    pub fn describe_en(&self) -> String {
        match self {
            Source::Csv { path, row } => format!("qualifications file {path}, row {row}"),
            Source::History { path, line } => format!("earlier claim file {path}, line {line}"),
            Source::Batch { path, line, number } => {
                format!("{path}, line {line} (receipt number {number})")
            }
        }
    }
}

/// One known qualification of a patient.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub who: Arc<Identity>,
    pub qual: Arc<Qualification>,
    pub status: Status,
    pub source: Source,
    /// 診療年月 (YYYYMM) for claim-file evidence, `checked_on` month for CSV rows; 0 unknown.
    pub ym: u32,
    /// (file, fact) of a batch receipt, so a receipt is never evidence against itself.
    pub origin: Option<(u32, u32)>,
}

/// A window of a line decoded for display, and a field's span in it (if it fits).
pub type ShownLine = (Box<str>, Option<(usize, usize)>);

/// Where to report on a receipt: its HO 保険者番号 field.
#[derive(Debug, Clone, Default)]
pub struct Loc {
    pub line: u32,
    pub offset: usize,
    pub span: (u32, u32),
    pub receipt: u32,
    /// A window of the HO line decoded, and the 保険者番号's span in it, when the output shows
    /// source lines.
    pub source: Option<ShownLine>,
    /// レセプト番号 as recorded, and the line of the RE record.
    pub number: Box<str>,
    pub re_line: u32,
}

/// The per-receipt fact the scan emits (receipts with an HO record only).
#[derive(Debug, Clone)]
pub struct ReceiptFact {
    pub who: Arc<Identity>,
    pub claim: Claim,
    /// 診療年月 YYYYMM.
    pub ym: u32,
    /// 再診 (診療識別 12) without 初診 (11).
    pub revisit_only: bool,
    /// 「旧資格」 in the 摘要.
    pub old_note: bool,
    pub loc: Loc,
}

impl ReceiptFact {
    /// How to name the receipt (カルテ番号 and 氏名 as compared, i.e. width-folded).
    pub fn label(&self) -> ReceiptLabel {
        ReceiptLabel {
            number: self.loc.number.to_string(),
            karte: self.who.karte.to_string(),
            name: self.who.name.to_string(),
            line: self.loc.re_line,
        }
    }
}

/// How the receipts of a file were claimed (the summary breakdown).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Breakdown {
    pub current: u64,
    pub past: u64,
    pub unknown_fill: u64,
    pub disaster_fill: u64,
    pub black_circle_names: u64,
}

impl Breakdown {
    pub fn add(&mut self, o: &Breakdown) {
        self.current += o.current;
        self.past += o.past;
        self.unknown_fill += o.unknown_fill;
        self.disaster_fill += o.disaster_fill;
        self.black_circle_names += o.black_circle_names;
    }
}

/// All known qualifications, indexed by (医療機関コード, カルテ番号) and by (医療機関コード,
/// 生年月日, 男女区分). CSV rows have no 医療機関コード and are found from every facility.
///
/// Keys are 64-bit hashes (a collision only costs a comparison: every candidate is confirmed
/// by [`same_patient`]) and each key's entries are chained through the entries themselves, so
/// the index costs a few words per entry and no allocation per key.
#[derive(Debug, Default)]
pub struct Index {
    pub evidence: Vec<Evidence>,
    karte: Chains,
    birth: Chains,
    birth_no_karte: Chains,
}

const END: u32 = u32::MAX;

/// Hash → first entry, and each entry → the next entry with the same hash.
#[derive(Debug, Default)]
struct Chains {
    head: HashMap<u64, u32>,
    next: Vec<u32>,
}

impl Chains {
    /// Links entry `i` (the newest) under `key`, or records that it is in no chain here.
    fn link(&mut self, key: Option<u64>, i: usize) {
        let next = match key {
            Some(k) => self.head.insert(k, i as u32).unwrap_or(END),
            None => END,
        };
        self.next.push(next);
    }

    fn chain(&self, key: u64) -> impl Iterator<Item = usize> + '_ {
        let mut at = self.head.get(&key).copied().unwrap_or(END);
        std::iter::from_fn(move || {
            (at != END).then(|| {
                let i = at as usize;
                at = self.next[i];
                i
            })
        })
    }
}

fn hash_of(facility: &str, key: impl std::hash::Hash) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h =
        std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
            .build_hasher();
    facility.hash(&mut h);
    key.hash(&mut h);
    h.finish()
}

use std::hash::Hash;

/// 生年月日 and 男女区分 as one number; 0 when there is no date.
fn birth_key(who: &Identity) -> u64 {
    if who.birth == 0 {
        0
    } else {
        who.birth as u64 * 10 + who.sex.min(9) as u64
    }
}

impl Index {
    /// Adds an entry. A claim seen again for the same patient and qualification only updates
    /// the month of the entry already there, so a patient's entries stay as few as their
    /// distinct qualifications, however many receipts they have.
    pub fn add(&mut self, e: Evidence) {
        let key = birth_key(&e.who);
        let kk = (!e.who.karte.is_empty()).then(|| hash_of(&e.who.facility, &*e.who.karte));
        let bk = (key != 0).then(|| hash_of(&e.who.facility, key));
        if e.status == Status::Seen {
            let candidates: Vec<usize> = match (kk, bk) {
                (Some(k), _) => self.karte.chain(k).collect(),
                (None, Some(b)) => self.birth.chain(b).collect(),
                _ => Vec::new(),
            };
            let same = candidates.into_iter().find(|&i| {
                let o = &self.evidence[i];
                o.status == Status::Seen
                    && o.qual.same_as(&e.qual)
                    && o.who.facility == e.who.facility
                    && o.who.karte == e.who.karte
                    && o.who.name == e.who.name
            });
            if let Some(i) = same {
                if e.ym > self.evidence[i].ym {
                    self.evidence[i].ym = e.ym;
                    self.evidence[i].source = e.source;
                    self.evidence[i].origin = e.origin;
                }
                return;
            }
        }
        let i = self.evidence.len();
        self.karte.link(kk, i);
        self.birth.link(bk, i);
        self.birth_no_karte.link(bk.filter(|_| kk.is_none()), i);
        self.evidence.push(e);
    }

    pub fn is_empty(&self) -> bool {
        self.evidence.is_empty()
    }

    /// Evidence about the patient `who`, never the entry `exclude` (the receipt's own).
    ///
    /// A receipt with a カルテ番号 is compared by カルテ番号 with entries that have one, and by
    /// name with the entries that have none; a receipt without one, by name with every entry
    /// of the same facility, birth date and sex. Entries of the facility and facility-less CSV
    /// rows are both looked up. So the usual case is two hash lookups.
    pub fn about<'a>(
        &'a self,
        who: &'a Identity,
        exclude: Option<(u32, u32)>,
    ) -> impl Iterator<Item = &'a Evidence> + 'a {
        let mut ids: Vec<usize> = Vec::new();
        let key = birth_key(who);
        let facilities: &[&str] = if who.facility.is_empty() {
            &[""]
        } else {
            &[&who.facility, ""]
        };
        for f in facilities {
            if !who.karte.is_empty() {
                ids.extend(self.karte.chain(hash_of(f, &*who.karte)));
                if key != 0 {
                    ids.extend(self.birth_no_karte.chain(hash_of(f, key)));
                }
            } else if key != 0 {
                ids.extend(self.birth.chain(hash_of(f, key)));
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(move |i| &self.evidence[i])
            .filter(move |e| {
                (exclude.is_none() || e.origin != exclude) && same_patient(who, &e.who)
            })
    }
}

/// The patient-identity rule: within one 医療機関コード (CSV rows match any), the カルテ番号
/// when both sides have one; otherwise 氏名 + 生年月日 + 男女区分 with 「●」 matching any single
/// character, and the カタカナ氏名 agreeing when both sides have it.
pub fn same_patient(a: &Identity, b: &Identity) -> bool {
    if !a.facility.is_empty() && !b.facility.is_empty() && a.facility != b.facility {
        return false;
    }
    if !a.karte.is_empty() && !b.karte.is_empty() {
        return a.karte == b.karte;
    }
    a.birth != 0
        && a.birth == b.birth
        && a.sex == b.sex
        && !a.name.is_empty()
        && fold::names_match(&a.name, &b.name)
        && (a.kana.is_empty() || b.kana.is_empty() || a.kana == b.kana)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(facility: &str, karte: &str, name: &str) -> Arc<Identity> {
        Arc::new(Identity {
            facility: facility.into(),
            karte: karte.into(),
            name: name.into(),
            kana: Box::default(),
            birth: 19700401,
            sex: 1,
        })
    }

    fn seen(w: Arc<Identity>, number: &str, ym: u32, origin: u32) -> Evidence {
        Evidence {
            who: w,
            qual: Arc::new(Qualification {
                insurer: "01130012".into(),
                symbol: Box::default(),
                number: number.into(),
            }),
            status: Status::Seen,
            source: Source::History {
                path: "h".into(),
                line: origin,
            },
            ym,
            origin: Some((0, origin)),
        }
    }

    #[test]
    fn repeated_claims_keep_one_entry_with_the_newest_month() {
        let mut ix = Index::default();
        for k in 0..10_000 {
            ix.add(seen(
                who("1234567", "1001", "山田 太郎"),
                "4567",
                202601 + k % 9,
                k,
            ));
        }
        assert_eq!(ix.evidence.len(), 1);
        assert_eq!(ix.evidence[0].ym, 202609);
        ix.add(seen(who("1234567", "1001", "山田 太郎"), "9999", 202610, 1));
        assert_eq!(
            ix.evidence.len(),
            2,
            "a second qualification is a second entry"
        );
    }

    #[test]
    fn karte_numbers_of_other_facilities_are_other_patients() {
        let mut ix = Index::default();
        ix.add(seen(who("1111111", "1001", "山田 太郎"), "4567", 202609, 1));
        let other = who("2222222", "1001", "山田 太郎");
        assert_eq!(ix.about(&other, None).count(), 0);
        let same = who("1111111", "1001", "別人 の名");
        assert_eq!(
            ix.about(&same, None).count(),
            1,
            "カルテ番号 decides within a facility"
        );
    }

    #[test]
    fn csv_rows_match_every_facility_and_black_circles_match_by_name() {
        let mut ix = Index::default();
        let mut row = seen(who("", "", "山田 太郎"), "4567", 0, 1);
        row.status = Status::Current;
        row.origin = None;
        ix.add(row);
        let receipt = who("1234567", "", "●田 太郎");
        assert_eq!(ix.about(&receipt, None).count(), 1);
        let with_karte = who("1234567", "1001", "山田 ●郎");
        assert_eq!(
            ix.about(&with_karte, None).count(),
            1,
            "a receipt with a カルテ番号 still name-matches entries without one"
        );
        let other = who("1234567", "", "山田 次郎");
        assert_eq!(ix.about(&other, None).count(), 0);
    }
}
