//! Q: the insured-number order since the paper card ended — ① current qualification,
//! ② else the past (lost) one, ③ else the 不詳 7-fill with the 申立書's address and contact
//! in the 摘要. Per receipt (Q001–Q004, Q010) at scan time; against the evidence index
//! (Q005–Q009) after every file has been scanned; Q011 for unusable rows of the CSV.

use super::{args, rule, Cx};
use crate::encoding::sjis::{self, decode};
use crate::parse::record::RecBuf;
use crate::parse::value::parse_date;
use crate::qualify::fill::{classify_insurer, is_digit_fill, InsurerFill};
use crate::qualify::index::{Ev, FileFacts, Index, Rows};
use crate::qualify::reread::{keys_of, ordinary_key_of, Detail, Reader};
use crate::qualify::{
    same_patient, text, Breakdown, Claim, Identity, Keys, Qualification, ReceiptFact, Row, Source,
    Status,
};
use crate::report::FileReport;
use crate::report::{bi, Arg, Diagnostic, ReceiptLabel, Rule};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

pub static Q001: Rule = rule!("Q001", "unknown-fill", Info,
    ja: "不詳請求（保険者番号 77777777 / 77777779）",
    "不詳請求です（保険者番号「{0}」）。資格確認ができず、被保険者資格申立書による請求として扱います",
    en: "unknown-qualification claim recognised (77777777 / 77777779)",
    "an unknown-qualification claim (insurer number '{0}'), made on the patient's self-declaration form");
pub static Q002: Rule = rule!("Q002", "unknown-fill-incomplete", Error,
    ja: "7 埋めが不完全または不整合",
    "不詳請求の 7 埋めが正しくありません: {0}",
    en: "7-fill incomplete or inconsistent",
    "the unknown-qualification 7-fill is not right: {0}");
pub static Q003: Rule = rule!("Q003", "unknown-fill-without-address", Error,
    ja: "不詳請求で摘要欄に住所がない",
    "不詳請求ですが、摘要欄（コメント）に被保険者資格申立書の住所が見当たりません",
    en: "unknown-qualification claim without an address in the remarks",
    "an unknown-qualification claim, but no address from the self-declaration form was found in the remarks (comments)");
pub static Q004: Rule = rule!("Q004", "unknown-fill-without-phone", Warning,
    ja: "不詳請求で摘要欄に連絡先の電話番号がない",
    "不詳請求ですが、摘要欄（コメント）に連絡先の電話番号が見当たりません",
    en: "unknown-qualification claim without a contact phone number in the remarks",
    "an unknown-qualification claim, but no contact phone number was found in the remarks (comments)");
pub static Q005: Rule = rule!("Q005", "unknown-fill-but-known", Error,
    ja: "患者の資格が分かっているのに 7 埋め（不詳）で請求",
    "この患者の資格は分かっています（{0}）。不詳ではなく {1} で請求してください（①現在 → ②過去 → ③不詳 の順）",
    en: "7-fill used although a qualification of the patient is known",
    "this patient's qualification is known ({0}); claim on {1} instead of the unknown-qualification fill (order: ① current, ② past, ③ unknown)");
pub static Q006: Rule = rule!("Q006", "past-while-current-known", Error,
    ja: "現在の資格が分かっているのに過去の資格で請求",
    "過去（喪失済み）の資格で請求していますが、現在の資格が分かっています（{0}）。{1} で請求してください",
    en: "a past qualification claimed although a current one is known",
    "the claim is on a past (lost) qualification, but a current one is known ({0}); claim on {1}");
pub static Q007: Rule = rule!("Q007", "past-without-note", Warning,
    ja: "過去（喪失済み）の資格での請求で摘要に「旧資格」がない",
    "過去（喪失済み）の資格で請求しています（{0}）が、摘要欄に「旧資格情報」の記載がありません",
    en: "claim on a past (lost) qualification without the former-qualification note in the remarks",
    "the claim is on a past (lost) qualification ({0}) but the remarks do not carry the former-qualification note");
pub static Q008: Rule = rule!("Q008", "claim-matches-no-known-qualification", Warning,
    ja: "請求の保険者番号・番号が患者の既知の資格のどれとも合わない",
    "請求の保険者番号・番号は、この患者の既知の資格のどれとも合いません（{0}: {1}）",
    en: "claimed insurer number + card number match none of the patient's known qualifications",
    "the claimed insurer and number match none of this patient's known qualifications ({0}: {1})");
pub static Q009: Rule = rule!("Q009", "unknown-fill-on-revisit", Warning,
    ja: "再診のみのレセプトで不詳請求（過去の資格が分かるはず）",
    "再診のみのレセプトで不詳請求です。過去の受診時の資格（旧資格）が分かるはずです（②を③より先に）",
    en: "unknown-qualification claim on a revisit-only receipt with no other evidence",
    "an unknown-qualification claim on a revisit-only receipt; the qualification of the earlier visit should be known (② before ③)");
pub static Q010: Rule = rule!("Q010", "disaster-fill", Info,
    ja: "災害時の 9 埋め（99999999）",
    "災害時の請求（保険者番号「99999999」）です。不詳請求の順序ではなく災害時の取扱いとして扱います",
    en: "disaster fill (99999999) recognised",
    "a disaster-time claim (insurer number '99999999'): the disaster rules apply, not the unknown-qualification order");
pub static Q011: Rule = rule!("Q011", "qualification-row-unusable", Warning,
    ja: "資格情報 CSV の行が使えない",
    "資格情報 CSV のこの行は使えません: {0}",
    en: "a row of the qualifications CSV could not be used",
    "this row of the qualifications CSV cannot be used: {0}");

pub static RULES: &[&Rule] = &[
    &Q001, &Q002, &Q003, &Q004, &Q005, &Q006, &Q007, &Q008, &Q009, &Q010, &Q011,
];

/// 「旧」 in Shift_JIS: a comment holding it is decoded and asked whether it is the 旧資格 note
/// (with any spacing, e.g. 「旧　資格情報」; [`text::has_old_qualification_note`]).
const OLD: [u8; 2] = [0x8B, 0x8C];

/// The RE and HO lines of each fact, for a file that cannot be read again by offset (see
/// [`crate::qualify::reread::Body::Spool`]).
pub type Spool = (Vec<u8>, Vec<u64>);

/// A DPC 総括 group (the summary receipt and its detail receipts, one レセプト番号): its 摘要
/// may stand on any of its receipts, so whether the 不詳 fill's address and phone are there
/// (Q003, Q004) is judged for the group, when it ends.
#[derive(Debug, Default)]
pub struct Group {
    address: bool,
    phone: bool,
    pending: Vec<crate::report::Diagnostic>,
    /// The group began in the chunk before (its summary receipt is not here): it cannot be
    /// judged whole, and is not judged at all rather than judged wrong.
    partial: bool,
}

impl Group {
    /// A group whose summary receipt was in the chunk before.
    pub fn partial() -> Group {
        Group {
            partial: true,
            ..Default::default()
        }
    }

    /// Findings waiting for the group's end.
    pub fn waiting(&self) -> usize {
        self.pending.len()
    }

    /// The group has ended: its Q003 / Q004 for what none of its receipts had.
    pub fn finish(self, cx: &mut Cx) {
        if self.partial {
            return;
        }
        for d in self.pending {
            let has = if std::ptr::eq(d.rule, &Q003) {
                self.address
            } else {
                self.phone
            };
            if !has {
                cx.diags.push(d);
            }
        }
    }
}

/// Per receipt: Q001–Q004 and Q010, and the fact resolution needs (receipts with an HO);
/// with a `spool`, the receipt's RE and HO lines are kept in it. In a DPC 総括 group
/// (`group`), Q003 / Q004 wait for the group's end.
pub fn on_receipt(
    cx: &mut Cx,
    buf: &RecBuf,
    bd: &mut Breakdown,
    spool: Option<&mut Spool>,
    mut group: Option<&mut Group>,
) -> Option<ReceiptFact> {
    let l = buf.layout();
    let re = buf.view(0);
    if sjis::contains_char(re.field(l.re_name), sjis::BLACK_CIRCLE) {
        bd.black_circle_names += 1;
    }
    // The receipt's own part (before any organ-donor block).
    let own = buf.views().take_while(|v| !v.is(l.ti));
    let mut ho = None;
    let (mut first_visit, mut revisit, mut old_note) = (false, false, false);
    let mut texts: Vec<&[u8]> = Vec::new();
    for v in own {
        if v.is(l.ho) && ho.is_none() {
            ho = Some(v);
        }
        let Some(def) = v.rec.def else { continue };
        if let Some(ck) = l.care_kind[def as usize] {
            match v.field(ck) {
                b"11" => first_visit = true,
                b"12" => revisit = true,
                _ => {}
            }
        }
        // Most records have no text: one test of the non-empty mask says so.
        if l.comment_mask[def as usize].is_some_and(|m| m & v.rec.nonempty == 0) {
            continue;
        }
        for &t in &l.comment_text[def as usize] {
            let f = v.field(t);
            if !f.is_empty() {
                texts.push(f);
                if !old_note
                    && memchr::memmem::find_iter(f, &OLD).any(|at| aligned(f, at))
                    && text::has_old_qualification_note(&decode(f))
                {
                    old_note = true;
                }
            }
        }
    }
    if let Some(g) = group.as_deref_mut() {
        // The group's 摘要, whichever of its receipts holds it.
        for t in &texts {
            let t = decode(t);
            g.address |= text::has_address(&t);
            g.phone |= text::has_phone(&t);
        }
    }
    let ho = ho?;
    let raw = ho.field(l.ho_insurer);
    let fill = classify_insurer(raw);
    let symbol = ho.field(l.ho_symbol);
    let number = ho.field(l.ho_number);
    let claim = match fill {
        InsurerFill::Unknown => {
            bd.unknown_fill += 1;
            cx.field(&Q001, &ho, l.ho_insurer, args![decode(raw)]);
            let mut why: Vec<Arg> = Vec::new();
            if number.is_empty() {
                why.push(bi(
                    "番号が空です（7 で埋めてください）",
                    "the number is empty (fill it with 7s)",
                ));
            } else if !is_digit_fill(number, 7) {
                why.push(bi(
                    &format!("番号「{}」が 7 だけではありません", decode(number)),
                    &format!("the number '{}' is not all 7s", decode(number)),
                ));
            }
            if !symbol.is_empty() && !is_digit_fill(symbol, 7) {
                why.push(bi(
                    &format!("記号「{}」は空か 7 だけにします", decode(symbol)),
                    &format!("the symbol '{}' must be empty or all 7s", decode(symbol)),
                ));
            }
            for w in why {
                let i = if w.get(crate::report::Lang::Ja).contains("記号") {
                    l.ho_symbol
                } else {
                    l.ho_number
                };
                cx.field(&Q002, &ho, i, args![w]);
            }
            if let Some(g) = group {
                let mut aside = cx.aside();
                aside.field(&Q003, &ho, l.ho_insurer, vec![]);
                aside.field(&Q004, &ho, l.ho_insurer, vec![]);
                g.pending.append(&mut aside.diags);
            } else {
                let decoded: Vec<String> = texts.iter().map(|t| decode(t).into_owned()).collect();
                if !decoded.iter().any(|t| text::has_address(t)) {
                    cx.field(&Q003, &ho, l.ho_insurer, vec![]);
                }
                if !decoded.iter().any(|t| text::has_phone(t)) {
                    cx.field(&Q004, &ho, l.ho_insurer, vec![]);
                }
            }
            Claim::UnknownFill
        }
        InsurerFill::PartialSevens => {
            let shown = decode(raw).into_owned();
            cx.field(&Q002, &ho, l.ho_insurer, args![bi(
                &format!("保険者番号「{shown}」は 7 の数が足りません（77777777、できなければ 77777779）"),
                &format!("the insurer number '{shown}' has too few 7s (77777777, or 77777779)")
            )]);
            Claim::Other
        }
        InsurerFill::Disaster => {
            bd.disaster_fill += 1;
            cx.field(&Q010, &ho, l.ho_insurer, vec![]);
            Claim::DisasterFill
        }
        InsurerFill::PartialNines => Claim::Other,
        InsurerFill::None => match ordinary_key_of(l, |i| ho.field(i)) {
            Some(q) => {
                // Counted as current until evidence says the number is a past one.
                bd.current += 1;
                Claim::Ordinary(q)
            }
            None => Claim::Other,
        },
    };

    let ym = parse_date(re.field(l.re_care_ym), false)
        .map(|d| d.ym())
        .unwrap_or(0);
    let mut fact = ReceiptFact::new(keys_of(l, |i| re.field(i)), claim, ym);
    fact.revisit_only = revisit && !first_visit;
    fact.old_note = old_note;
    fact.re_offset = re.rec.offset as u64;
    fact.ho_delta = u32::try_from(ho.rec.offset.saturating_sub(re.rec.offset)).unwrap_or(u32::MAX);
    fact.re_line = re.rec.no;
    fact.line = ho.rec.no;
    fact.receipt = cx.receipt.unwrap_or(0);
    if let Some((bytes, at)) = spool {
        at.push(bytes.len() as u64);
        for raw in [re.rec.raw, ho.rec.raw] {
            bytes.extend_from_slice(raw);
            bytes.push(b'\n');
        }
    }
    Some(fact)
}

/// True when `at` starts a character of the Shift_JIS text `f`.
fn aligned(f: &[u8], at: usize) -> bool {
    let mut i = 0;
    for c in sjis::chars(f) {
        if i == at {
            return true;
        }
        i += c.len();
        if i > at {
            return false;
        }
    }
    false
}

/// A piece of evidence as resolution weighs it.
#[derive(Debug, Clone, Copy)]
struct Weighed {
    ev: Ev,
    status: Status,
    ym: u32,
    qual: u64,
}

/// The evidence to name first: current, then the newest seen, then past.
fn best(evid: &[Weighed]) -> Option<Weighed> {
    let rank = |e: &Weighed| match e.status {
        Status::Current => 2,
        Status::Seen => 1,
        Status::Past => 0,
    };
    evid.iter().copied().max_by_key(|e| (rank(e), e.ym))
}

/// A receipt's text read again, `None` when it could not be.
type ReadAgain = Option<Rc<Detail>>;

/// A resolution finding and the label of its receipt.
type Finding = (Diagnostic, Option<ReceiptLabel>);

/// The claim files of a resolution (history files first, then the files checked), and their
/// receipts' text read again on demand (the last few thousand kept: a ● name is compared with
/// each candidate, so the same receipt is often asked for again).
struct Files<'a> {
    reports: Vec<&'a FileReport>,
    history: usize,
    rows: &'a [Row],
    /// Opened on first use (a batch of a thousand files mostly reads none again).
    readers: RefCell<HashMap<usize, Reader<'a>>>,
    cache: RefCell<HashMap<(usize, usize), ReadAgain>>,
}

impl<'a> Files<'a> {
    fn new(reports: &[&'a FileReport], history: usize, rows: &'a [Row]) -> Files<'a> {
        Files {
            reports: reports.to_vec(),
            history,
            rows,
            readers: RefCell::new(HashMap::new()),
            cache: RefCell::new(HashMap::new()),
        }
    }

    fn detail(&self, f: usize, i: usize) -> Option<Rc<Detail>> {
        if let Some(d) = self.cache.borrow().get(&(f, i)) {
            return d.clone();
        }
        let r = self.reports[f];
        let d = self
            .readers
            .borrow_mut()
            .entry(f)
            .or_insert_with(|| Reader::new(&r.body, &r.facility, &r.spec().layout))
            .detail(i, &r.facts[i])
            .map(Rc::new);
        let mut cache = self.cache.borrow_mut();
        // Bounded: a month with many findings would otherwise keep every receipt it named.
        if cache.len() >= 4096 {
            cache.clear();
        }
        cache.insert((f, i), d.clone());
        d
    }

    fn name(&self, ev: Ev) -> String {
        match ev {
            Ev::Row(i) => self.rows[i].who.name.to_string(),
            Ev::Fact(f, i) => self
                .detail(f, i)
                .map(|d| d.who.name.to_string())
                .unwrap_or_default(),
        }
    }

    fn keys(&self, ev: Ev) -> (Keys, &str) {
        match ev {
            Ev::Row(i) => (self.rows[i].keys, ""),
            Ev::Fact(f, i) => (
                self.reports[f].facts[i].keys(),
                self.reports[f].facility.as_str(),
            ),
        }
    }

    fn weigh(&self, ev: Ev) -> Weighed {
        match ev {
            Ev::Row(i) => {
                let r = &self.rows[i];
                Weighed {
                    ev,
                    status: r.status,
                    ym: r.ym,
                    qual: r.qual.key(),
                }
            }
            Ev::Fact(f, i) => {
                let fact = &self.reports[f].facts[i];
                Weighed {
                    ev,
                    status: Status::Seen,
                    ym: fact.ym(),
                    qual: match fact.claim() {
                        Claim::Ordinary(q) => q,
                        _ => 0,
                    },
                }
            }
        }
    }

    /// Where the evidence comes from, for the message.
    fn source(&self, ev: Ev) -> Arg {
        let src = match ev {
            Ev::Row(i) => Source::Csv {
                path: self.rows[i].path.clone(),
                row: self.rows[i].row,
            },
            Ev::Fact(f, i) => {
                let r = self.reports[f];
                let line = r.facts[i].line;
                if f < self.history {
                    Source::History {
                        path: r.path.as_str().into(),
                        line,
                    }
                } else {
                    Source::Batch {
                        path: r.path.as_str().into(),
                        line,
                        number: self
                            .detail(f, i)
                            .map(|d| d.number.clone())
                            .unwrap_or_else(|| "?".into()),
                    }
                }
            }
        };
        bi(&src.describe(), &src.describe_en())
    }

    /// The evidence's qualification, for the message.
    fn qual(&self, ev: Ev) -> Arg {
        let q = match ev {
            Ev::Row(i) => Some(self.rows[i].qual.clone()),
            Ev::Fact(f, i) => self.detail(f, i).and_then(|d| d.qual.clone()),
        };
        match q {
            Some(q) => bi(&q.describe(), &q.describe_en()),
            None => bi(
                "（請求ファイルを読み直せませんでした）",
                "(the claim file could not be read again)",
            ),
        }
    }
}

/// A diagnostic on the 保険者番号 of fact `fi` of file `f`.
fn at_fact(files: &Files, f: usize, fi: usize, rule: &'static Rule, args: Vec<Arg>) -> Finding {
    let r = files.reports[f];
    let (g, l) = (&r.spec().grammar, &r.spec().layout);
    let fact = &r.facts[fi];
    let fd = &g.record(l.ho).fields[l.ho_insurer];
    let detail = files.detail(f, fi);
    let value = match fact.claim() {
        Claim::UnknownFill => "77777777".to_string(),
        _ => detail
            .as_ref()
            .and_then(|d| d.qual.as_ref())
            .map(|q| q.insurer.to_string())
            .unwrap_or_default(),
    };
    let source = detail.as_ref().filter(|_| r.source_lines).map(|d| {
        let dec = |b: &[u8]| decode(b).into_owned();
        let at = Some((d.span.0 as usize, d.span.1 as usize));
        crate::report::source_window(&d.ho, at, false, &dec)
    });
    let label = detail.as_ref().map(|d| ReceiptLabel {
        number: d.number.to_string(),
        karte: d.who.karte.to_string(),
        name: d.who.name.to_string(),
        line: fact.re_line,
    });
    let d = Diagnostic {
        rule,
        severity: rule.severity,
        line: Some(fact.line),
        offset: Some(fact.ho_offset() as usize),
        receipt: Some(fact.receipt),
        record: Some("HO".into()),
        field: Some(l.ho_insurer as u16),
        field_name: Some((fd.name.as_str(), fd.en.as_str())),
        span: detail.as_ref().map(|d| d.span),
        value: Some(value),
        args,
        source,
    };
    (d, label)
}

/// Q005–Q009 for every fact of every report, against the CSV `rows`, the `history` files'
/// receipts and the reports' own receipts; also completes each report's breakdown. (The
/// whole batch at once: the command line resolves a facility at a time, with
/// [`resolve_files`], and must give exactly this.)
pub fn resolve(reports: &mut [FileReport], history: &[FileReport], rows: Vec<Row>) {
    let evidence_given = !rows.is_empty() || !history.is_empty();
    let rows = Rows::build(rows);
    let history: Vec<&FileReport> = history.iter().collect();
    let found = {
        let batch: Vec<&FileReport> = reports.iter().collect();
        resolve_files(
            &history,
            &batch,
            &vec![true; batch.len()],
            &rows,
            evidence_given,
        )
    };
    for (r, found) in reports.iter_mut().zip(found) {
        if let Some(found) = found {
            apply(r, found);
        }
    }
}

/// What resolution found for one file.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    found: Vec<Finding>,
    /// Claims that turned out to be on a past qualification.
    past: u64,
    /// Ordinary claims that had any evidence at all.
    evidenced: u64,
    /// Whether the run was given any evidence (a CSV, history files).
    evidence_given: bool,
}

/// Resolves the facts of the `batch` files marked in `own` against the CSV `rows`, the
/// `history` files and every file of `batch` (the files not marked are evidence only). The
/// evidence order — history, then `batch` as given — decides which of equal pieces is named,
/// so a part of a batch given in its order resolves exactly as the whole. `evidence_given`:
/// whether the run (not only this part) was given a CSV or history files.
pub(crate) fn resolve_files(
    history: &[&FileReport],
    batch: &[&FileReport],
    own: &[bool],
    rows: &Rows,
    evidence_given: bool,
) -> Vec<Option<Resolved>> {
    let all: Vec<&FileReport> = history.iter().chain(batch.iter()).copied().collect();
    let facts: Vec<FileFacts> = all
        .iter()
        .map(|r| FileFacts {
            facility: &r.facility,
            facts: &r.facts,
        })
        .collect();
    let index = Index::build(rows, &facts);
    drop(facts);
    // Every report's facts in ranges, resolved in parallel (each range with its own readers),
    // then put back in order: the output does not depend on the number of threads.
    let h = history.len();
    const RANGE: usize = 16 * 1024;
    let mut ranges: Vec<(usize, usize, usize)> = Vec::new();
    for ri in (0..batch.len()).filter(|&ri| own[ri]) {
        let n = all[h + ri].facts.len();
        let mut a = 0;
        while a < n {
            ranges.push((ri, a, (a + RANGE).min(n)));
            a += RANGE;
        }
    }
    let parts: Vec<(usize, Vec<Finding>, u64, u64)> = {
        use rayon::prelude::*;
        ranges
            .par_iter()
            .map(|&(ri, a, b)| {
                let files = Files::new(&all, h, index.rows);
                let (found, past, evidenced) = resolve_range(&files, &index, h + ri, a..b);
                (ri, found, past, evidenced)
            })
            .collect()
    };
    let mut out: Vec<Option<Resolved>> = own
        .iter()
        .map(|&o| {
            o.then(|| Resolved {
                evidence_given,
                ..Resolved::default()
            })
        })
        .collect();
    for (ri, found, past, evidenced) in parts {
        if let Some(o) = &mut out[ri] {
            o.found.extend(found);
            o.past += past;
            o.evidenced += evidenced;
        }
    }
    out
}

/// Adds a file's resolution findings to its report (in order) and completes its breakdown.
pub(crate) fn apply(r: &mut FileReport, res: Resolved) {
    r.breakdown.current = r.breakdown.current.saturating_sub(res.past);
    r.breakdown.past += res.past;
    r.breakdown.evidenced = res.evidenced;
    r.breakdown.evidence_given = res.evidence_given;
    for (d, label) in res.found {
        if let (Some(n), Some(label)) = (d.receipt, label) {
            r.labels.entry(n).or_insert(label);
        }
        r.diagnostics.push(d);
    }
    r.diagnostics
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Q005–Q009 for facts `range` of file `f`: the findings, how many claims turned out to be
/// on a past qualification, and how many ordinary claims had any evidence at all.
fn resolve_range(
    files: &Files,
    index: &Index,
    f: usize,
    range: std::ops::Range<usize>,
) -> (Vec<Finding>, u64, u64) {
    let r = files.reports[f];
    let mut found = Vec::new();
    let mut past_claims = 0;
    let mut evidenced = 0;
    for fi in range {
        let fact = &r.facts[fi];
        let claim = fact.claim();
        if !matches!(claim, Claim::UnknownFill | Claim::Ordinary(_)) {
            continue;
        }
        let keys = fact.keys();
        let evid: Vec<Weighed> = index
            .about(&keys, &r.facility)
            .into_iter()
            .filter(|&ev| {
                ev != Ev::Fact(f, fi) && {
                    let (k, fac) = files.keys(ev);
                    same_patient((&keys, &r.facility), (&k, fac), || {
                        (files.name(Ev::Fact(f, fi)), files.name(ev))
                    })
                }
            })
            .map(|ev| files.weigh(ev))
            .collect();
        // A finding that names its evidence and the qualification it holds (Q005, Q006, Q008).
        let naming = |rule: &'static Rule, e: Weighed| {
            at_fact(
                files,
                f,
                fi,
                rule,
                args![files.source(e.ev), files.qual(e.ev)],
            )
        };
        match claim {
            Claim::UnknownFill => {
                if let Some(e) = best(&evid) {
                    found.push(naming(&Q005, e));
                } else if fact.revisit_only {
                    found.push(at_fact(files, f, fi, &Q009, vec![]));
                }
            }
            Claim::Ordinary(q) => {
                evidenced += u64::from(!evid.is_empty());
                let matching: Vec<&Weighed> = evid.iter().filter(|e| e.qual == q).collect();
                let past = matching.iter().any(|e| e.status == Status::Past)
                    && !matching.iter().any(|e| e.status == Status::Current);
                let current: Vec<Weighed> = evid
                    .iter()
                    .copied()
                    .filter(|e| e.status == Status::Current && e.qual != q)
                    .collect();
                if past {
                    past_claims += 1;
                    if let Some(c) = best(&current) {
                        found.push(naming(&Q006, c));
                    } else if !fact.old_note {
                        if let Some(p) = matching.iter().find(|e| e.status == Status::Past) {
                            found.push(at_fact(files, f, fi, &Q007, args![files.source(p.ev)]));
                        }
                    }
                } else if matching.is_empty() {
                    if let Some(e) = best(&evid) {
                        found.push(naming(&Q008, e));
                    }
                }
            }
            _ => {}
        }
    }
    (found, past_claims, evidenced)
}

/// Reads the qualifications CSV's rows (pushed onto `rows`); returns a report for the CSV
/// file carrying Q011 for every unusable row (or `unreadable` when nothing in it can be used).
pub fn csv_rows(rows_out: &mut Vec<Row>, path: &str, bytes: &[u8]) -> FileReport {
    let mut report = FileReport {
        path: path.to_string(),
        ..FileReport::default()
    };
    if bytes.len() > crate::qualify::csv::MAX_BYTES {
        // A clinic's qualifications fit in a few MB; a file this large is not one, and
        // reading it as a table would take memory many times its size.
        report.unreadable = Some(format!(
            "資格情報 CSV が大きすぎます（{} MiB を超えています） / the qualifications CSV is larger than {} MiB",
            crate::qualify::csv::MAX_BYTES >> 20,
            crate::qualify::csv::MAX_BYTES >> 20
        ));
        return report;
    }
    match crate::qualify::csv::parse(bytes) {
        Err((ja, en)) => report.unreadable = Some(format!("{ja} / {en}")),
        Ok((rows, problems)) => {
            let shown: Arc<str> = path.into();
            for row in rows {
                let ym = row
                    .checked_on
                    .as_deref()
                    .and_then(|c| c.get(..6))
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0);
                let who = Identity {
                    facility: Arc::from(""),
                    karte: row.patient_id.into(),
                    name: row.name.into(),
                    kana: Box::default(),
                    birth: row.birth_date.parse().unwrap_or(0),
                    sex: row.sex.parse().unwrap_or(0),
                };
                rows_out.push(Row {
                    keys: who.keys(),
                    who,
                    qual: Qualification {
                        insurer: row.insurer.into(),
                        symbol: row.symbol.into(),
                        number: row.number.into(),
                    },
                    status: row.status,
                    ym,
                    path: shown.clone(),
                    row: row.row,
                });
                report.records += 1;
            }
            // At most 100 rows are named; the last one named counts the rest.
            let more = problems.len().saturating_sub(100);
            for (k, mut p) in problems.into_iter().take(100).enumerate() {
                if k == 99 && more > 0 {
                    p.ja.push_str(&format!("（ほかに {more} 行も使えません）"));
                    p.en.push_str(&format!(" ({more} more row(s) cannot be used either)"));
                }
                report.diagnostics.push(Diagnostic {
                    rule: &Q011,
                    severity: Q011.severity,
                    line: Some(p.row as u32),
                    offset: None,
                    receipt: None,
                    record: None,
                    field: None,
                    field_name: None,
                    span: None,
                    value: None,
                    args: args![bi(&p.ja, &p.en)],
                    source: None,
                });
            }
        }
    }
    report
}
