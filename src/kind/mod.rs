//! Claim kinds (医科, DPC, 歯科, 調剤): which one a file is, from its first record and, where
//! the content cannot tell, its name. The facts are data (`grammar/kinds.toml`).

pub mod grammar;
pub mod layout;
pub mod own;

use crate::kind::grammar::Grammar;
use crate::kind::layout::Layout;
use crate::kind::own::Own;
use serde::Deserialize;
use std::sync::OnceLock;

const KINDS_TOML: &str = include_str!("../../grammar/kinds.toml");
/// The 別表 every kind shares, then each kind's records and the tables only it has.
const COMMON_TABLES: &str = include_str!("../../grammar/common/tables.toml");
const MEDICAL_RECORDS: &str = include_str!("../../grammar/medical/records.toml");
const DENTAL_RECORDS: &str = include_str!("../../grammar/dental/records.toml");
const DENTAL_TABLES: &str = include_str!("../../grammar/dental/tables.toml");
const DPC_RECORDS: &str = include_str!("../../grammar/dpc/records.toml");
const DPC_TABLES: &str = include_str!("../../grammar/dpc/tables.toml");
const PHARMACY_RECORDS: &str = include_str!("../../grammar/pharmacy/records.toml");
const PHARMACY_TABLES: &str = include_str!("../../grammar/pharmacy/tables.toml");

/// A kind of claim file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// 医科 (`RECEIPTC.UKE`).
    Medical,
    /// DPC (`RECEIPTD.UKE`).
    Dpc,
    /// 歯科 (`RECEIPTS.UKE`).
    Dental,
    /// 調剤 (`RECEIPTY.CYO`).
    Pharmacy,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Medical, Kind::Dpc, Kind::Dental, Kind::Pharmacy];

    /// The kind's name in output: `medical`, `dpc`, `dental`, `pharmacy`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Medical => "medical",
            Kind::Dpc => "dpc",
            Kind::Dental => "dental",
            Kind::Pharmacy => "pharmacy",
        }
    }

    /// The kind named `s` (as [`Kind::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the data says about this kind.
    pub fn def(self) -> &'static KindDef {
        let k = kinds();
        k.kinds
            .iter()
            .find(|d| d.kind == self)
            .expect("every kind is in grammar/kinds.toml (a test checks it)")
    }

    /// The embedded grammar of a kind recelint checks: its records, and the common tables
    /// followed by its own (`None` for a kind without a grammar yet).
    pub fn grammar_text(self) -> Option<(&'static str, String)> {
        match self {
            Kind::Medical => Some((MEDICAL_RECORDS, COMMON_TABLES.to_string())),
            Kind::Dental => Some((DENTAL_RECORDS, format!("{COMMON_TABLES}\n{DENTAL_TABLES}"))),
            Kind::Pharmacy => Some((
                PHARMACY_RECORDS,
                format!("{COMMON_TABLES}\n{PHARMACY_TABLES}"),
            )),
            Kind::Dpc => Some((DPC_RECORDS, format!("{COMMON_TABLES}\n{DPC_TABLES}"))),
        }
    }

    /// The grammar and layout of a kind recelint checks, loaded once.
    pub fn spec(self) -> Option<&'static Spec> {
        static SPECS: [OnceLock<Option<Spec>>; 4] = [
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
        ];
        SPECS[self as usize]
            .get_or_init(|| {
                let (records, tables) = self.grammar_text()?;
                Some(Spec::load(self, records, &tables).unwrap_or_else(|e| {
                    panic!(
                        "embedded grammar of {}: {e} (a test covers this)",
                        self.as_str()
                    )
                }))
            })
            .as_ref()
    }

    /// The kind in a short label: 医科, DPC, 歯科, 調剤 / medical, DPC, dental, pharmacy.
    pub fn label(self, ja: bool) -> &'static str {
        match (self, ja) {
            (Kind::Medical, true) => "医科",
            (Kind::Dpc, true) => "DPC",
            (Kind::Dental, true) => "歯科",
            (Kind::Pharmacy, true) => "調剤",
            (Kind::Medical, false) => "medical",
            (Kind::Dpc, false) => "DPC",
            (Kind::Dental, false) => "dental",
            (Kind::Pharmacy, false) => "pharmacy",
        }
    }
}

/// What recelint knows of a kind it checks: its grammar, and where the rules find what they
/// read in it. Every rule receives the spec of the file it checks; there is no global one.
#[derive(Debug)]
pub struct Spec {
    pub kind: Kind,
    pub grammar: Grammar,
    pub layout: Layout,
    /// Where the kind's own rules read (歯科: [`own::Dental`]).
    pub own: Own,
}

impl Spec {
    /// A spec from grammar data (the embedded files, or variants in tests).
    pub fn load(kind: Kind, records: &str, tables: &str) -> Result<Spec, String> {
        let grammar = Grammar::from_toml(records, tables).map_err(|e| e.to_string())?;
        let layout = Layout::resolve(&grammar, kind.def())?;
        let own = match kind {
            Kind::Dental => Own::Dental(own::Dental::resolve(&grammar)?),
            Kind::Pharmacy => Own::Pharmacy(own::Pharmacy::resolve(&grammar)?),
            Kind::Dpc => Own::Dpc(own::Dpc::resolve(&grammar)?),
            _ => Own::None,
        };
        Ok(Spec {
            kind,
            grammar,
            layout,
            own,
        })
    }

    /// The 医科 spec: the kind of a file that tells nothing else, and of the tests.
    pub fn medical() -> &'static Spec {
        Kind::Medical.spec().expect("医科 has a grammar")
    }
}

/// A kind as `grammar/kinds.toml` declares it.
#[derive(Debug)]
pub struct KindDef {
    pub kind: Kind,
    /// As a message says it: 「歯科の請求ファイル」 / "a dental claim file".
    pub name: String,
    pub en: String,
    /// The file name the specification gives (`RECEIPTS.UKE`).
    pub file: String,
    /// The first record of the file.
    pub header: String,
    /// The record that opens a receipt.
    pub receipt: String,
    /// The diagnosis record every receipt needs (S007).
    pub diagnosis: String,
    /// Other records that count as its diagnoses (DPC: SY, in a 総括 group's 医科 receipt).
    pub diagnosis_also: Vec<String>,
    /// The care records a receipt needs one of (S008), and what they are, as a message
    /// names them.
    pub care: Vec<String>,
    pub care_name: String,
    pub care_en: String,
    /// Records only this kind has.
    pub marks: Vec<String>,
    /// The longest run of records with 診療識別 omitted (S013), where the kind's
    /// specification states one (医科 98; 歯科: no source).
    pub omitted_care_kind_max: Option<u32>,
    /// GO 総件数 may be the number of receipts instead of HO + KO records (S010), where the
    /// kind's specification does not say which (調剤).
    pub go_count_may_be_receipts: bool,
    /// HO / KO 診療実日数 is the number of JD visit days (S017); not in 調剤.
    pub jd_counts_days: bool,
    /// recelint checks this kind.
    pub supported: bool,
}

/// A file that is not a facility's claim, known by its first record.
#[derive(Debug)]
pub struct OtherDef {
    pub header: String,
    pub name: String,
    pub en: String,
}

struct Kinds {
    kinds: Vec<KindDef>,
    others: Vec<OtherDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    id: String,
    name: String,
    en: String,
    file: String,
    header: String,
    receipt: String,
    diagnosis: String,
    #[serde(default)]
    diagnosis_also: Vec<String>,
    care: Vec<String>,
    care_name: String,
    care_en: String,
    #[serde(default)]
    marks: Vec<String>,
    omitted_care_kind_max: Option<u32>,
    #[serde(default)]
    go_count_may_be_receipts: bool,
    #[serde(default = "yes")]
    jd_counts_days: bool,
    supported: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOther {
    header: String,
    name: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKinds {
    kind: Vec<RawKind>,
    #[serde(default)]
    other: Vec<RawOther>,
}

fn yes() -> bool {
    true
}

fn load(text: &str) -> Result<Kinds, String> {
    let raw: RawKinds = toml::from_str(text).map_err(|e| format!("kinds.toml: {e}"))?;
    let mut kinds = Vec::new();
    for r in raw.kind {
        let kind =
            Kind::parse(&r.id).ok_or_else(|| format!("kinds.toml: unknown kind {:?}", r.id))?;
        kinds.push(KindDef {
            kind,
            name: r.name,
            en: r.en,
            file: r.file,
            header: r.header,
            receipt: r.receipt,
            diagnosis: r.diagnosis,
            diagnosis_also: r.diagnosis_also,
            care: r.care,
            care_name: r.care_name,
            care_en: r.care_en,
            marks: r.marks,
            omitted_care_kind_max: r.omitted_care_kind_max,
            go_count_may_be_receipts: r.go_count_may_be_receipts,
            jd_counts_days: r.jd_counts_days,
            supported: r.supported,
        });
    }
    for k in Kind::ALL {
        if !kinds.iter().any(|d| d.kind == k) {
            return Err(format!("kinds.toml: kind {:?} is missing", k.as_str()));
        }
    }
    let others = raw
        .other
        .into_iter()
        .map(|o| OtherDef {
            header: o.header,
            name: o.name,
            en: o.en,
        })
        .collect();
    Ok(Kinds { kinds, others })
}

fn kinds() -> &'static Kinds {
    static K: OnceLock<Kinds> = OnceLock::new();
    K.get_or_init(|| load(KINDS_TOML).unwrap_or_else(|e| panic!("{e}")))
}

/// The first kind whose files start with the record `id` (医科 and DPC share IR: their
/// headers keep the facility at the same field, which a test below holds them to).
pub(crate) fn by_header(id: &[u8]) -> Option<Kind> {
    kinds()
        .kinds
        .iter()
        .find(|d| d.header.as_bytes() == id)
        .map(|d| d.kind)
}

/// What a file is, as far as its first bytes and its name tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// A claim file of this kind.
    Claim(Kind),
    /// A file that is not a facility's claim (a 返戻 file …).
    Other(&'static OtherDef),
    /// Nothing known: checked as 医科, whose first-record rule (S001) says what is wrong.
    Unknown,
}

impl PartialEq for OtherDef {
    fn eq(&self, o: &Self) -> bool {
        self.header == o.header
    }
}
impl Eq for OtherDef {}

/// How the kind was told: its first record, and the name or a kind-only record when the
/// first record is shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detection {
    pub what: Detected,
    /// The file's first record id (empty when there is none).
    pub header: String,
    /// The kind-only record seen, when that is what told it.
    pub mark: Option<String>,
    /// True when the file name told it.
    pub by_name: bool,
}

/// The first record id of `head` (after a UTF-8 BOM): the bytes before the first comma or
/// line end, at most 4.
fn first_id(head: &[u8]) -> &[u8] {
    let h = head.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(head);
    let end = h
        .iter()
        .take(5)
        .position(|&b| matches!(b, b',' | b'\r' | b'\n'))
        .unwrap_or(h.len().min(5));
    &h[..end]
}

/// The kind of the file named `path` (any folder part is ignored) that begins with `head`.
pub fn detect(path: &str, head: &[u8]) -> Detection {
    let k = kinds();
    let id = first_id(head);
    let header = String::from_utf8_lossy(id).into_owned();
    let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let candidates: Vec<&KindDef> = k
        .kinds
        .iter()
        .filter(|d| d.header.as_bytes() == id)
        .collect();
    if candidates.is_empty() {
        let what = match k.others.iter().find(|o| o.header.as_bytes() == id) {
            Some(o) => Detected::Other(o),
            None => Detected::Unknown,
        };
        return Detection {
            what,
            header,
            mark: None,
            by_name: false,
        };
    }
    // A kind-only record at a line start tells apart kinds that share their first record.
    for d in &candidates {
        for m in &d.marks {
            let mut pat = b"\n".to_vec();
            pat.extend_from_slice(m.as_bytes());
            pat.push(b',');
            if memchr::memmem::find(head, &pat).is_some() {
                return Detection {
                    what: Detected::Claim(d.kind),
                    header,
                    mark: Some(m.clone()),
                    by_name: false,
                };
            }
        }
    }
    // Then the name, then the first kind declared for the record.
    if candidates.len() > 1 {
        if let Some(d) = candidates
            .iter()
            .find(|d| d.file.eq_ignore_ascii_case(base))
        {
            return Detection {
                what: Detected::Claim(d.kind),
                header,
                mark: None,
                by_name: true,
            };
        }
    }
    Detection {
        what: Detected::Claim(candidates[0].kind),
        header,
        mark: None,
        by_name: false,
    }
}

#[cfg(test)]
mod tests {

    /// Kinds that share a header record read the facility from the same field of it, so a
    /// file's facility does not depend on which of them it turns out to be.
    #[test]
    fn kinds_sharing_a_header_keep_the_facility_at_one_field() {
        for a in &kinds().kinds {
            for b in &kinds().kinds {
                if a.header == b.header {
                    let (Some(x), Some(y)) = (a.kind.spec(), b.kind.spec()) else {
                        continue;
                    };
                    assert_eq!(
                        x.layout.header_facility, y.layout.header_facility,
                        "{:?} and {:?}",
                        a.kind, b.kind
                    );
                }
            }
        }
    }

    use super::*;

    #[test]
    fn the_data_declares_every_kind() {
        for k in Kind::ALL {
            assert_eq!(k.def().kind, k);
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert!(Kind::Medical.def().supported);
        // Every kind checked has a grammar whose layout resolves.
        for k in Kind::ALL.into_iter().filter(|k| k.def().supported) {
            assert_eq!(k.spec().map(|s| s.kind), Some(k));
        }
    }

    #[test]
    fn kinds_are_told_by_first_record_then_kind_only_records_then_name() {
        let d = |p: &str, h: &[u8]| detect(p, h).what;
        assert_eq!(
            d("x/RECEIPTC.UKE", b"IR,1,13,1,1234567"),
            Detected::Claim(Kind::Medical)
        );
        assert_eq!(
            d("a.UKE", b"UK,1,13,3,1234567,,"),
            Detected::Claim(Kind::Dental)
        );
        assert_eq!(
            d("a", b"\xEF\xBB\xBFYK,1,13,4"),
            Detected::Claim(Kind::Pharmacy)
        );
        assert_eq!(
            d("a.UKE", b"IR,1,13,1\r\nRE,1\r\nBU,1\r\n"),
            Detected::Claim(Kind::Dpc)
        );
        assert_eq!(
            d("x\\receiptd.uke", b"IR,1,13,1\r\n"),
            Detected::Claim(Kind::Dpc)
        );
        assert!(matches!(d("a", b"HI,1,202611"), Detected::Other(_)));
        assert_eq!(d("a", b"ZZ,1"), Detected::Unknown);
        assert_eq!(d("a", b""), Detected::Unknown);
        // A record id that merely contains a mark is not one.
        assert_eq!(
            d("a.UKE", b"IR,1\r\nCO,BU,1\r\n"),
            Detected::Claim(Kind::Medical)
        );
    }
}
