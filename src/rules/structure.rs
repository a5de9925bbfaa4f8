//! S: the order and counts of records — IR first, GO last, receipts numbered 1, 2, 3 …,
//! the payer records a レセプト種別 needs, GO totals, multi-volume ids, 回数 against days.

use super::{args, rule, Cx, Tallies};
use crate::encoding::sjis::{self, decode};
use crate::kind::grammar::{RecIdx, Scope};
use crate::kind::layout::Layout;
use crate::parse::record::{number, RecBuf, RecView};
use crate::report::Diagnostic;
use crate::report::{bi, Arg, Rule};
use std::collections::BTreeMap;

pub static S001: Rule = rule!("S001", "first-record-not-ir", Error,
    ja: "最初のレコードがファイルの先頭レコード（医科 IR・歯科 UK）でない",
    "最初のレコードが{1} ({2}) ではなく「{0}」です",
    en: "first record is not the file header (medical IR, dental UK)",
    "the first record is '{0}', not the {1} ({2})");
pub static S002: Rule = rule!("S002", "go-missing-or-misplaced", Error,
    ja: "GO がない、重複している、または最後のレコードでない",
    "{0}",
    en: "GO missing, repeated, or not the last record",
    "{0}");
pub static S003: Rule = rule!("S003", "unknown-record", Error,
    ja: "不明なレコード識別情報",
    "医科の記録条件仕様にないレコード識別情報「{0}」です{2}（このファイルで {1} 行）",
    en: "unknown record identifier",
    "'{0}' is not a record identifier of the medical specification{2} ({1} line(s) in this file)");
pub static S004: Rule = rule!("S004", "record-before-first-re", Error,
    ja: "最初の RE より前にレセプトのレコードがある",
    "レセプト共通レコード (RE) より前に {0} レコードがあります（RE より前のレコードはこのファイルで {1} 行）",
    en: "a receipt-level record before the first RE",
    "a {0} record comes before the first receipt header (RE) ({1} such line(s) in this file)");
pub static S005: Rule = rule!("S005", "receipt-number-sequence", Error,
    ja: "レセプト番号が 1, 2, 3 … の連番でない",
    "レセプト番号が {0} ですが、連番では {1} のはずです",
    en: "receipt number not 1, 2, 3 … in order",
    "receipt number is {0}; in sequence it should be {1}");
pub static S006: Rule = rule!("S006", "payer-records-vs-kind", Error,
    ja: "HO / KO レコードがレセプト種別と合わない",
    "レセプト種別 {0} では HO {1} 件・KO {2} 件が必要ですが、HO {3} 件・KO {4} 件です",
    en: "HO / KO records do not match the receipt kind",
    "receipt kind {0} needs {1} HO and {2} KO record(s), but the receipt has {3} HO and {4} KO");
pub static S007: Rule = rule!("S007", "receipt-without-sy", Error,
    ja: "傷病名のレコード（医科 SY・歯科 HS）のないレセプト",
    "このレセプトには{0} ({1}) がありません",
    en: "receipt without its diagnosis records (medical SY, dental HS)",
    "this receipt has no {0} record ({1})");
pub static S008: Rule = rule!("S008", "receipt-without-care", Error,
    ja: "診療行為・医薬品・特定器材のレコードのないレセプト",
    "このレセプトには{0}レコード ({1}) が 1 件もありません",
    en: "receipt without any procedure, drug or material record",
    "this receipt has no {0} record ({1})");
pub static S009: Rule = rule!("S009", "field-count", Warning,
    ja: "レコードの項目数がレイアウトと異なる",
    "{0} レコードの項目数が {1} です（仕様では {2}）。同じ項目数の {0} がこのファイルに {3} 行あります",
    en: "record has a different number of fields than its layout",
    "the {0} record has {1} fields (the layout has {2}); {3} {0} line(s) of this file have this count");
pub static S018: Rule = rule!("S018", "editions-mixed", Warning,
    ja: "同じレコードに二つの版の項目数が混在している",
    "{0} レコードに {1} 項目の版（{2} 行）と {3} 項目の版（{4} 行）が混在しています",
    en: "records of one kind in two editions in the same file",
    "the {0} records are of two editions: {1} fields ({2} lines) and {3} fields ({4} lines)");
pub static S019: Rule = rule!("S019", "insurer-side-records", Warning,
    ja: "審査支払機関・保険者側のレコードがある（医療機関の請求ファイルではない）",
    "このファイルには審査支払機関・保険者側のデータのレコード（{0}）があります。医療機関が提出する請求ファイルには含まれません。ファイル全体の構成（IR・GO・レセプト番号の連番など）は検査していません",
    en: "records of insurer-side data (not a facility's claim file)",
    "this file holds records of insurer-side data ({0}), which a facility's claim file never has; the file's make-up as a whole (IR, GO, receipt numbering …) was not checked");
pub static S010: Rule = rule!("S010", "go-total-count", Error,
    ja: "GO 総件数が HO + KO レコード数と合わない",
    "GO の総件数は {0} ですが、HO と KO のレコード数の合計は {1} です",
    en: "GO total count ≠ number of HO + KO records",
    "GO total count is {0}, but the file has {1} HO and KO records");
pub static S011: Rule = rule!("S011", "go-total-points", Error,
    ja: "GO 総合計点数が各レセプトの合計点数の和と合わない",
    "GO の総合計点数は {0} ですが、各レセプトの合計点数（HO、HO がなければ最初の KO）の和は {1} です",
    en: "GO total points ≠ sum of the receipts' points",
    "GO total points is {0}, but the receipts' points (HO, or the first KO without HO) add up to {1}");
pub static S012: Rule = rule!("S012", "multi-volume-ids", Error,
    ja: "先頭レコード（医科 IR・歯科 UK）と GO のマルチボリューム識別情報が矛盾している",
    "マルチボリューム識別情報が矛盾しています: {2} は「{0}」、GO は「{1}」（GO は最終巻で 99、それ以外は {2} の値 + 1）",
    en: "multi-volume identifiers of the file header (medical IR, dental UK) and GO inconsistent",
    "multi-volume identifiers disagree: {2} '{0}', GO '{1}' (GO is 99 on the last volume, else {2} + 1)");
pub static S013: Rule = rule!("S013", "care-kind-omitted-run", Error,
    ja: "診療識別を省略したレコードが 98 件を超えて連続している",
    "診療識別を省略したレコードが 98 件を超えて連続しています（ここで {0} 件目）",
    en: "more than 98 consecutive records with the care category omitted",
    "more than 98 consecutive records omit the care category (this is number {0})");
pub static S014: Rule = rule!("S014", "times-vs-days", Error,
    ja: "回数が算定日ごとの回数の合計と合わない",
    "回数は {0} ですが、1日〜31日の情報の合計は {1} です",
    en: "times ≠ sum of its day counts",
    "times is {0}, but the day counts (days 1–31) add up to {1}");
pub static S015: Rule = rule!("S015", "burden-payer-missing", Error,
    ja: "負担区分がレセプトにない負担者を指している",
    "負担区分「{0}」は{1}を指していますが、このレセプトにはその負担者のレコードがありません",
    en: "burden code names a payer the receipt does not have",
    "burden code '{0}' names {1}, but the receipt has no record for that payer");
pub static S016: Rule = rule!("S016", "record-order", Error,
    ja: "レコードの順序が記録条件仕様と異なる",
    "{0}",
    en: "record out of the order of the specification",
    "{0}");

pub static S017: Rule = rule!("S017", "days-vs-visit-days", Warning,
    ja: "診療実日数が受診日等レコード（JD）の日数と合わない",
    "{0} の診療実日数は {1} 日ですが、受診日等レコード（JD、負担者種別 {2}）で実日数に数える日（受診等区分 1）は {3} 日です",
    en: "days of care differ from the days counted in the visit-days record (JD)",
    "{0} gives {1} days of care, but the visit-days record (JD, payer kind {2}) counts {3} day(s) (visit type 1)");

pub static RULES: &[&Rule] = &[
    &S001, &S002, &S003, &S004, &S005, &S006, &S007, &S008, &S009, &S010, &S011, &S012, &S013,
    &S014, &S015, &S016, &S017,
];

/// Rules added after the first release, listed at the end of the registry so that the
/// indexes of the others (SARIF `ruleIndex`) stay put.
pub static LATER: &[&Rule] = &[&S018, &S019];

/// What S019 leaves out: on insurer-side data, the checks of a facility's file as a whole
/// (one IR, GO last with its totals, receipts numbered 1, 2, 3 …, payer records, the EOF mark)
/// judge how the data was put together, not the claims in it.
pub const NOT_ON_INSURER_SIDE: &[&str] = &[
    "F004", "S002", "S005", "S006", "S010", "S011", "S012", "S016",
];

/// Per receipt: each JD's days of visit type 1 (counted in 診療実日数) against the 診療実日数
/// of its payer (負担者種別 1: HO; 2–5: the first to fourth KO). A warning: the JD is optional
/// and the spec asks only that it "correspond" to the billing days.
pub fn visit_days(cx: &mut Cx, buf: &RecBuf) {
    let l = buf.layout();
    let own = || buf.views_after_first().take_while(|v| !v.is(l.ti));
    if !own().any(|v| v.is(l.jd)) {
        return;
    }
    let days = &l.days[l.jd as usize];
    for jd in own().filter(|v| v.is(l.jd)) {
        let kind = jd.field(l.jd_payer);
        let payer = match kind {
            b"1" => own().find(|v| v.is(l.ho)),
            [k @ b'2'..=b'5'] => own().filter(|v| v.is(l.ko)).nth(usize::from(k - b'2')),
            _ => None,
        };
        let Some(payer) = payer else { continue };
        let at = if payer.is(l.ho) { l.ho_days } else { l.ko_days };
        let Some(claimed) = number(payer.field(at)) else {
            continue;
        };
        let counted = days.iter().filter(|&&i| jd.field(i) == b"1").count() as u64;
        if counted != claimed {
            let rec = decode(payer.id()).into_owned();
            cx.field(
                &S017,
                &payer,
                at,
                args![rec, claimed, decode(kind), counted],
            );
        }
    }
}

/// What the S rules keep while one chunk of a file is read (a file is read in chunks that
/// start at receipt boundaries; [`FileStructure::merge`] folds them in order).
#[derive(Debug, Default)]
pub struct Structure {
    /// The chunk is the file's first (it holds the IR).
    pub first_chunk: bool,
    records: u32,
    ir: Option<String>,
    go: Option<Go>,
    after_go: bool,
    unknown: Tallies<Vec<u8>>,
    field_counts: Tallies<(RecIdx, u32)>,
    /// Records of several editions (調剤 CZ): how many lines of each field count.
    editions: BTreeMap<(RecIdx, u32), u64>,
    /// Records of insurer-side data (MN, EX, RC, JY), by id.
    insurer_side: BTreeMap<Vec<u8>, u64>,
    before_re: Tallies<()>,
    next_no: Option<u64>,
    /// Receipts of the chunk, and those before its first readable レセプト番号.
    receipts: u64,
    pending: u64,
    /// The chunk's first readable receipt number and the S005 to report if the file's
    /// numbering does not lead to it (args filled at merge).
    first_no: Option<(u64, Diagnostic)>,
    /// The IR's volume id as seen in this chunk before that receipt.
    ir_before_first: Option<String>,
    /// An S002 to report if a previous chunk ended with GO (this chunk's first record).
    after_earlier_go: Option<Diagnostic>,
    /// The chunk's own first "record after GO" S002, reported only if the file has none yet.
    after_go_diag: Option<Diagnostic>,
    /// An S016 for this chunk's first IR, reported only if an earlier chunk had one.
    ir_second: Option<Diagnostic>,
    /// A diagnostic about the current receipt was set aside: name the receipt.
    pub want_label: bool,
    /// Σ (HO + KO records) and Σ main payer points over receipts (for GO).
    sum_count: u64,
    sum_points: u64,
}

/// The GO record as far as the file-level rules need it.
#[derive(Debug, Clone)]
pub struct Go {
    line: u32,
    offset: usize,
    count: Option<u64>,
    points: Option<u64>,
    volume: String,
    /// Spans of the fields, for underlining.
    spans: Vec<(u32, u32)>,
    /// An S002 to report if an earlier chunk already had a GO.
    repeated: Diagnostic,
}

impl Go {
    /// Moves the chunk-relative line to the file's numbering.
    fn shift(&mut self, lines: u32) {
        self.line += lines;
        self.repeated.line = self.repeated.line.map(|l| l + lines);
    }
}

/// What the S rules keep for the whole file across chunks.
#[derive(Debug, Default)]
pub struct FileStructure {
    records: u32,
    ir: Option<String>,
    go: Option<Go>,
    after_go: bool,
    unknown: Tallies<Vec<u8>>,
    field_counts: Tallies<(RecIdx, u32)>,
    editions: BTreeMap<(RecIdx, u32), u64>,
    insurer_side: BTreeMap<Vec<u8>, u64>,
    before_re: Tallies<()>,
    next_no: Option<u64>,
    receipts: u64,
    sum_count: u64,
    sum_points: u64,
    /// The IR as it was before the chunk being merged.
    ir_prev: Option<String>,
}

impl Structure {
    /// The state for a chunk; `first_chunk` when it starts the file (and holds the IR).
    pub fn new(first_chunk: bool) -> Self {
        Structure {
            first_chunk,
            ..Default::default()
        }
    }

    /// The diagnostics kept aside for the merge (to give them their source line).
    pub fn pending_mut(&mut self) -> impl Iterator<Item = &mut Diagnostic> {
        self.first_no
            .as_mut()
            .map(|(_, d)| d)
            .into_iter()
            .chain(self.after_earlier_go.as_mut())
            .chain(self.after_go_diag.as_mut())
            .chain(self.ir_second.as_mut())
            .chain(self.go.as_mut().map(|g| &mut g.repeated))
    }
}

impl FileStructure {
    /// The file holds insurer-side data (S019).
    pub fn insurer_side(&self) -> bool {
        !self.insurer_side.is_empty()
    }

    /// The editions of the file's records of several editions: (record, field count, lines),
    /// most lines first.
    pub fn editions(&self) -> Vec<(RecIdx, u32, u64)> {
        let mut v: Vec<_> = self
            .editions
            .iter()
            .map(|(&(d, f), &n)| (d, f, n))
            .collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)));
        v
    }

    /// Folds the next chunk's state in; `lines` is the number of lines before the chunk and
    /// `offset` where its diagnostics were appended in `cx` (duplicates of tallied reports go
    /// to `drop`).
    pub fn merge(
        &mut self,
        cx: &mut Cx,
        c: Structure,
        lines: u32,
        receipts: u32,
        offset: usize,
        drop: &mut Vec<usize>,
    ) {
        let shift = |mut d: Diagnostic| {
            d.line = d.line.map(|l| l + lines);
            d.receipt = d.receipt.map(|r| r + receipts);
            d
        };
        // One "record after GO" per file: the first record after an earlier chunk's GO, else
        // the chunk's own.
        if !self.after_go {
            let d = if self.go.is_some() {
                c.after_earlier_go.or(c.after_go_diag)
            } else {
                c.after_go_diag
            };
            if let Some(d) = d {
                self.after_go = true;
                cx.diags.push(shift(d));
            }
        }
        // The file's first IR is its header wherever it stands; a later one is S016. (S005
        // below judges a first volume only by an IR seen before the receipt.)
        self.ir_prev = self.ir.clone();
        match (&self.ir, c.ir) {
            (None, ir) => self.ir = ir,
            (Some(_), Some(_)) => {
                if let Some(d) = c.ir_second {
                    cx.diags.push(shift(d));
                }
            }
            _ => {}
        }
        // S005 at the chunk's first readable number: the file's numbering so far (or 1 on a
        // first volume, judged by an IR seen before it) plus the receipts before it whose
        // number could not be read.
        let ir_before = self.ir_prev.as_deref().or(c.ir_before_first.as_deref());
        let exp = match self.next_no {
            Some(n) => Some(n + c.pending),
            None if ir_before.is_none_or(|v| v == "00" || v.is_empty()) => {
                Some(1 + self.receipts + c.pending)
            }
            None => None,
        };
        if let (Some(exp), Some((no, d))) = (exp, c.first_no) {
            if no != exp {
                let mut d = shift(d);
                d.args = args![no, exp];
                cx.diags.push(d);
            }
        }
        if c.next_no.is_some() {
            self.next_no = c.next_no;
        } else if let Some(n) = self.next_no.as_mut() {
            *n += c.receipts;
        }
        self.receipts += c.receipts;
        match (&self.go, c.go) {
            (None, Some(mut g)) => {
                g.shift(lines);
                self.go = Some(g);
            }
            (Some(_), Some(g)) => cx.diags.push(shift(g.repeated)),
            _ => {}
        }
        self.records += c.records;
        self.unknown.merge(c.unknown, offset, drop);
        self.field_counts.merge(c.field_counts, offset, drop);
        for (k, n) in c.editions {
            *self.editions.entry(k).or_default() += n;
        }
        for (k, n) in c.insurer_side {
            *self.insurer_side.entry(k).or_default() += n;
        }
        self.before_re.merge(c.before_re, offset, drop);
        self.sum_count += c.sum_count;
        self.sum_points += c.sum_points;
    }
}

/// Per record, before it joins a block: S001, S002 (GO repeated / not last), S003, S004,
/// S009, S016 (second IR), and what IR / GO say.
#[inline]
pub fn on_record(cx: &mut Cx, st: &mut Structure, v: &RecView, in_receipt: bool) {
    let l = v.layout();
    st.records += 1;
    let first = st.records == 1;
    let after_go = || {
        args![bi(
            "GO の後にレコードがあります。GO は最後のレコードです",
            "a record follows GO; GO must be the last record"
        )]
    };
    if first && st.first_chunk && !v.is(l.header) {
        let h = v.spec().grammar.record(l.header);
        cx.rec(&S001, v, args![shown_id(v.id()), bi(&h.name, &h.en), &h.id]);
    }
    if first && !st.first_chunk {
        let mut scratch = cx.aside();
        scratch.rec(&S002, v, after_go());
        st.after_earlier_go = scratch.diags.pop();
        st.want_label = true;
    }
    if st.go.is_some() && !st.after_go {
        st.after_go = true;
        let mut scratch = cx.aside();
        scratch.rec(&S002, v, after_go());
        st.after_go_diag = scratch.diags.pop();
        st.want_label = true;
    }
    let Some(def) = v.rec.def else {
        let id = v.id();
        // Records a review body or insurer adds (MN, EX, RC, JY): counted for S019.
        let l = v.layout();
        if v.spec().grammar.tables[l.t_insurer_side].contains(id) {
            *st.insurer_side.entry(id.to_vec()).or_default() += 1;
            return;
        }
        let t = st.unknown.get(id.to_vec());
        if t.hit() {
            let shown = if id.is_empty() {
                bi("（空行）", "(empty line)")
            } else {
                Arg::Text(shown_id(id))
            };
            let g = &v.spec().grammar;
            let what = match (
                g.tables[l.t_foreign].get(id),
                g.tables[l.t_foreign_en].get(id),
            ) {
                (Some(ja), Some(en)) => bi(&format!("（{ja}）"), &format!(" ({en})")),
                _ => Arg::default(),
            };
            cx.rec(&S003, v, args![shown, "", what]);
            st.unknown.get(id.to_vec()).mark(cx);
        }
        return;
    };
    let rd = v.spec().grammar.record(def);
    let expected = rd.fields.len() as u32;
    let nf = v.nfields() as u32;
    // A record of several editions (調剤 CZ) may have the count of any of them; the file's
    // edition is what its records have (S018 when they disagree).
    if rd.counts.len() > 1 && rd.counts.contains(&(nf as usize)) {
        *st.editions.entry((def, nf)).or_default() += 1;
    }
    if nf != expected && !rd.counts.contains(&(nf as usize)) && st.field_counts.get((def, nf)).hit()
    {
        cx.rec(&S009, v, args![&rd.id, nf, expected, ""]);
        st.field_counts.get((def, nf)).mark(cx);
    }
    if v.is(l.header) {
        let second = || {
            let h = &rd.id;
            args![bi(
                &format!("{h} が 2 回目です。{h} はファイルの先頭に 1 件だけ記録します"),
                &format!("a second {h}; the file header comes once, first in the file")
            )]
        };
        if st.ir.is_some() {
            cx.rec(&S016, v, second());
        } else {
            st.ir = Some(sjis::decode_shown(v.field(l.header_volume)));
            if !st.first_chunk || st.records > 1 {
                // A second IR if an earlier chunk had one (decided at the merge).
                let mut scratch = cx.aside();
                scratch.rec(&S016, v, second());
                st.ir_second = scratch.diags.pop();
            }
        }
    } else if v.is(l.go) {
        if st.go.is_some() {
            cx.rec(&S002, v, args![bi("GO が重複しています", "GO is repeated")]);
        } else {
            let mut scratch = cx.aside();
            scratch.rec(&S002, v, args![bi("GO が重複しています", "GO is repeated")]);
            st.go = Some(Go {
                line: v.rec.no,
                offset: v.rec.offset,
                count: v.num(l.go_count),
                points: v.num(l.go_points),
                volume: sjis::decode_shown(v.field(l.go_volume)),
                spans: (0..4).map(|i| v.span(i)).collect(),
                repeated: scratch.diags.pop().expect("just reported"),
            });
        }
    } else if rd.scope != Scope::File && !in_receipt && !v.is(l.re) && !v.is(l.opener) {
        // Once per file with a count: a file of receipt records without RE would otherwise
        // give one finding per line.
        if st.before_re.get(()).hit() {
            cx.rec(&S004, v, args![&rd.id, ""]);
            st.before_re.get(()).mark(cx);
        }
    }
}

/// A record id as shown in a message: at most 16 bytes of it (a garbage line's "id" can be
/// megabytes long).
fn shown_id(id: &[u8]) -> String {
    if id.len() <= 16 {
        return decode(id).into_owned();
    }
    let mut end = 16;
    while end > 0
        && !sjis::chars(&id[..end])
            .map(<[u8]>::len)
            .sum::<usize>()
            .eq(&end)
    {
        end -= 1;
    }
    format!("{}…", decode(&id[..end]))
}

/// Rank of a record in the donor block (TI TR TS SY SI/IY/TO/CO SJ).
fn donor_rank(main: u8) -> Option<u8> {
    match main {
        11..=13 => Some(main),
        8..=10 => Some(main + 6),
        _ => None,
    }
}

/// S014: 回数 = Σ days (SI / IY / TO; 歯科 SS too). Donor receipts of another facility, and
/// 歯科 未来院請求 receipts, may omit the days (`may_omit`).
#[inline(always)]
fn s014(cx: &mut Cx, l: &Layout, v: &RecView, def: RecIdx, may_omit: bool) {
    let Some(ti) = l.times[def as usize] else {
        return;
    };
    let (times, sum, any, ok) = match l.days_mask[def as usize] {
        // The usual layout: 回数 and the day columns below field 64. Only the days that hold
        // something are read (most are empty); they are consecutive spans.
        Some(run) if ti < 64 => {
            let m = v.rec.nonempty;
            if m >> ti & 1 == 0 {
                return; // no 回数
            }
            let below = |i: u32| (m & ((1u64 << i) - 1)).count_ones() as usize;
            let (spans, raw) = (v.nonempty_spans(), v.rec.raw);
            let (s, e) = spans[below(ti as u32)];
            let Some(times) = number(&raw[s as usize..e as usize]) else {
                return;
            };
            // 31 days of up to 18 digits overflow u64.
            let (mut sum, mut ok) = (0u128, true);
            for d in v.nonempty_run(run) {
                match *d {
                    // Most days hold one digit.
                    [c @ b'0'..=b'9'] => sum += u128::from(c - b'0'),
                    _ => match number(d) {
                        Some(d) => sum += u128::from(d),
                        None => ok = false,
                    },
                }
            }
            (times, sum, m & run != 0, ok)
        }
        _ => {
            let days = &l.days[def as usize];
            if days.is_empty() {
                return;
            }
            let Some(times) = v.num(ti) else { return };
            let (mut sum, mut any, mut ok) = (0u128, false, true);
            let mut add = |d: &[u8]| {
                if !d.is_empty() {
                    any = true;
                    match number(d) {
                        Some(n) => sum += u128::from(n),
                        None => ok = false,
                    }
                }
            };
            // Day columns past field 64 (歯科 SS: 78–108): one walk over the commas, not a
            // search for each day.
            if days.windows(2).all(|w| w[1] == w[0] + 1) {
                v.run(days[0], days.len()).for_each(add);
            } else {
                for &d in days {
                    add(v.field(d));
                }
            }
            (times, sum, any, ok)
        }
    };
    if ok && (any || !may_omit) && sum != u128::from(times) {
        cx.field(&S014, v, ti, args![times, sum]);
    }
}

/// Per receipt (the block starting with RE): S005–S008, S013–S016, and the GO sums.
pub fn on_receipt(cx: &mut Cx, st: &mut Structure, buf: &RecBuf) {
    let l = buf.layout();
    let g = &buf.spec.grammar;
    let re = buf.view(0);

    // S005: numbering. A later volume may start anywhere; a later chunk's first receipt is
    // judged when the chunks are merged.
    st.receipts += 1;
    // DPC: the summary (総括区分 1) and detail (2, 3) receipts of a 総括 group.
    let summary = l.re_summary.map(|i| re.field(i));
    let detail = matches!(summary, Some(b"2" | b"3"));
    if let (true, Some(no)) = (detail, re.num(l.re_no)) {
        // A detail receipt repeats its group's number. At a chunk's start it is not judged
        // (the group began in the chunk before).
        match st.next_no {
            Some(next) if no + 1 != next => {
                cx.field(&S005, &re, l.re_no, args![no, next - 1]);
            }
            Some(_) => {}
            None => st.next_no = Some(no + 1),
        }
    } else if let Some(no) = re.num(l.re_no) {
        if let Some(exp) = st.next_no {
            if no != exp {
                cx.field(&S005, &re, l.re_no, args![no, exp]);
            }
        } else {
            let mut scratch = cx.aside();
            scratch.field(&S005, &re, l.re_no, vec![]);
            st.first_no = scratch.diags.pop().map(|d| (no, d));
            st.ir_before_first = st.ir.clone();
            st.want_label = true;
        }
        st.next_no = Some(no + 1);
    } else if let Some(exp) = st.next_no.as_mut() {
        *exp += 1;
    } else {
        st.pending += 1;
    }

    // Walk the records once: order, counts, and per-record S013 / S014 / S015.
    let (mut ho, mut ko, mut sy, mut care) = (0u32, 0u32, 0u32, 0u32);
    let mut points: Option<u64> = None;
    let mut first_ko_points: Option<u64> = None;
    let mut donor = false;
    // 歯科 未来院請求 (`01`): the care was planned, not given, so its day columns may be empty.
    let unvisited = l.re_unvisited.is_some_and(|i| re.field(i) == b"01");
    let mut prev: Option<(u8, RecIdx)> = None;
    let mut omitted_run = 0u32;
    for v in buf.views_after_first() {
        let Some(def) = v.rec.def else { continue };
        let rank = l.order[def as usize];
        if v.is(l.ti) {
            donor = true;
        }
        // S016: order.
        if let Some(r) = rank {
            let r = if donor { donor_rank(r) } else { Some(r) };
            match (r, prev) {
                (None, _) => {
                    cx.rec_with(&S016, &v, || {
                        args![bi(
                            &format!(
                                "{} は臓器提供者レセプト情報の中には記録できません",
                                g.record(def).id
                            ),
                            &format!(
                                "{} cannot appear inside the organ-donor block",
                                g.record(def).id
                            )
                        )]
                    });
                }
                (Some(r), Some((p, pdef))) if r < p && !(r == 11 || (r == 12 && p >= 12)) => {
                    let (a, b) = (&g.record(def).id, &g.record(pdef).id);
                    cx.rec_with(&S016, &v, || {
                        args![bi(
                            &format!("{a} は {b} より前に記録します"),
                            &format!("{a} must come before {b}")
                        )]
                    });
                }
                _ => {}
            }
            if let Some(r) = r {
                prev = Some((r, def));
            }
        }
        if !donor {
            if v.is(l.ho) {
                ho += 1;
                if points.is_none() {
                    points = v.num(l.ho_points);
                }
            } else if v.is(l.ko) {
                ko += 1;
                if ko == 1 {
                    first_ko_points = v.num(l.ko_points);
                }
            } else if v.is(l.diag) || l.diag_also.iter().any(|&d| v.is(d)) {
                sy += 1;
            } else if v.rec.def.is_some_and(|d| l.is_care[d as usize]) {
                care += 1;
            }
        }
        // S013: runs of omitted 診療識別 over SI / IY / TO / CO.
        if let Some(ck) = l.care_kind[def as usize] {
            if v.field(ck).is_empty() {
                omitted_run += 1;
                if omitted_run == l.omitted_report_at {
                    cx.field(&S013, &v, ck, args![omitted_run]);
                }
            } else {
                omitted_run = 0;
            }
        }
        s014(cx, l, &v, def, donor || unvisited);
    }
    // S015 needs the payer counts, so it runs after the walk.
    let payers = &g.tables[l.t_futan_payers];
    // The first payer a burden code names that the receipt lacks. Most records of a receipt
    // carry the same code: the last answer is kept.
    let lacking = |code: &[u8]| -> Option<char> {
        payers.get(code)?.chars().find(|&c| match c {
            'H' => ho == 0,
            n @ '1'..='4' => ko < n as u32 - '0' as u32,
            _ => false,
        })
    };
    let mut last: Option<(&[u8], Option<char>)> = None;
    for v in buf.views_after_first() {
        let Some(def) = v.rec.def else { continue };
        let Some(bi_) = l.burden[def as usize] else {
            continue;
        };
        let code = v.field(bi_);
        let missing = match last {
            // Byte by byte: codes are a character or two, shorter than a call to memcmp.
            Some((c, m)) if c.len() == code.len() && c.iter().zip(code).all(|(a, b)| a == b) => m,
            _ => {
                let m = lacking(code);
                last = Some((code, m));
                m
            }
        };
        if let Some(c) = missing {
            let who = match c {
                'H' => bi("医療保険 (HO)", "health insurance (HO)"),
                n => bi(
                    &format!("第{n}公費 (KO)"),
                    &format!("public-expense program {n} (KO)"),
                ),
            };
            cx.field(&S015, &v, bi_, args![sjis::decode_shown(code), who]);
        }
    }

    // S006: payer records against the レセプト種別.
    let kind = re.field(l.re_kind);
    if kind.len() == 4 && kind.iter().all(u8::is_ascii_digit) {
        let (d2, d3) = (kind[1] - b'0', kind[2] - b'0');
        let need = match d2 {
            1 | 3 | 4 if (1..=5).contains(&d3) => Some((1, d3 as u32 - 1)),
            2 if (1..=4).contains(&d3) => Some((0, d3 as u32)),
            _ => None,
        };
        if let Some((nh, nk)) = need {
            if (nh, nk) != (ho, ko) {
                cx.field(&S006, &re, l.re_kind, args![decode(kind), nh, nk, ho, ko]);
            }
        }
    }
    // A 総括 group's summary receipt (DPC 総括区分 1) holds only payers and remarks.
    let group_summary = matches!(summary, Some(b"1"));
    if sy == 0 && l.diag != crate::kind::layout::ABSENT && !group_summary {
        let d = g.record(l.diag);
        cx.rec(&S007, &re, args![bi(&d.name, &d.en), &d.id]);
    }
    if care == 0 && !group_summary {
        let k = buf.spec.kind.def();
        cx.rec(
            &S008,
            &re,
            args![bi(&k.care_name, &k.care_en), k.care.join(" / ")],
        );
    }
    st.sum_count += (ho + ko) as u64;
    st.sum_points += if ho > 0 { points } else { first_ko_points }.unwrap_or(0);
}

/// At the end of the file: GO missing (S002), S003 / S009 counts, S010–S012.
pub fn on_end(cx: &mut Cx, st: &FileStructure, spec: &'static crate::kind::Spec) {
    st.unknown.finish(cx, 1);
    st.field_counts.finish(cx, 3);
    // S019: insurer-side data.
    if !st.insurer_side.is_empty() {
        let list: Vec<String> = st
            .insurer_side
            .iter()
            .map(|(id, n)| format!("{} {n}", sjis::decode_shown(id)))
            .collect();
        cx.file(&S019, args![list.join(", ")]);
    }
    // S018: one record in two editions.
    let g = &spec.grammar;
    let mut by_record: BTreeMap<RecIdx, Vec<(u32, u64)>> = BTreeMap::new();
    for (&(def, nf), &n) in &st.editions {
        by_record.entry(def).or_default().push((nf, n));
    }
    for (def, seen) in by_record {
        if let [(a, na), (b, nb), ..] = seen[..] {
            cx.file(&S018, args![&g.record(def).id, a, na, b, nb]);
        }
    }
    st.before_re.finish(cx, 1);
    if st.records == 0 {
        return;
    }
    let Some(go) = &st.go else {
        cx.file(
            &S002,
            args![bi(
                "GO（診療報酬請求書レコード）がありません",
                "the claim trailer record (GO) is missing"
            )],
        );
        return;
    };
    let l = &spec.layout;
    let ir_vol = st.ir.as_deref();
    let at = |cx: &mut Cx, rule: &'static Rule, field: usize, a: Vec<Arg>| {
        let d = cx.line(rule, go.line, go.offset, a);
        d.record = Some("GO".into());
        d.field = Some(field as u16);
        d.span = go.spans.get(field).copied();
        // The GO line was decoded with the chunk that held it (kept on `repeated`); GO is
        // ASCII, so its byte span is also its UTF-8 span.
        d.source = go.repeated.source.as_ref().map(|(text, _)| {
            let span = d
                .span
                .filter(|_| text.is_ascii())
                .map(|(s, e)| (s as usize, e as usize));
            (text.clone(), span)
        });
        d.field_name = spec
            .grammar
            .record_by_id("GO")
            .and_then(|r| r.fields.get(field))
            .map(|f| (f.name.as_str(), f.en.as_str()));
    };
    // S012: IR 00, 01, … ; GO 99 on the last (or only) volume, else IR + 1.
    if let Some(ir) = ir_vol {
        let ok = go.volume == "99"
            || (ir.len() == 2
                && ir
                    .parse::<u32>()
                    .ok()
                    .map(|n| format!("{:02}", n + 1))
                    .as_deref()
                    == Some(go.volume.as_str()));
        if !ok {
            let h = &spec.grammar.record(l.header).id;
            at(cx, &S012, l.go_volume, args![ir, &go.volume, h]);
        }
    }
    // S010 / S011 on a single-volume file, where GO holds the file's own totals.
    if ir_vol == Some("00") && go.volume == "99" {
        let totals = [
            (&S010, go.count, st.sum_count, l.go_count),
            (&S011, go.points, st.sum_points, l.go_points),
        ];
        // Where the kind's specification does not say whether 総件数 counts payer records or
        // receipts (調剤), either is accepted.
        let receipts_ok = spec.kind.def().go_count_may_be_receipts;
        for (rule, recorded, actual, field) in totals {
            let also = std::ptr::eq(rule, &S010) && receipts_ok && recorded == Some(st.receipts);
            if recorded != Some(actual) && !also {
                let shown =
                    recorded.map_or_else(|| bi("（空）", "(empty)"), |c| Arg::Text(c.to_string()));
                at(cx, rule, field, args![shown, actual]);
            }
        }
    }
}
