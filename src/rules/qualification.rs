//! Q: the insured-number order since the paper card ended — ① current qualification,
//! ② else the past (lost) one, ③ else the 不詳 7-fill with the 申立書's address and contact
//! in the 摘要. Per receipt (Q001–Q004, Q010) at scan time; against the evidence index
//! (Q005–Q009) after every file has been scanned; Q011 for unusable rows of the CSV.

use super::{args, rule, Cx};
use crate::encoding::sjis::{self, decode, shown_str};
use crate::parse::record::RecBuf;
use crate::parse::value::parse_date;
use crate::qualify::fill::{classify_insurer, is_digit_fill, InsurerFill};
use crate::qualify::index::{Ev, FileFacts, Index, Rows};
use crate::qualify::reread::{keys_of, ordinary_key_of, Detail, Reader};
use crate::qualify::{
    fold, same_patient, text, Breakdown, Claim, Identity, Keys, Qualification, ReceiptFact, Row,
    Source, Status,
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

pub static Q012: Rule = rule!("Q012", "eligibility-result-unusable", Warning,
    ja: "資格確認結果ファイル（XML）の結果が使えない、または食い違いがある",
    "オンライン資格確認の資格確認結果: {0}",
    en: "an オンライン資格確認 result file (XML) holds a result that cannot be used, or disagrees with itself",
    "eligibility result: {0}");
pub static Q013: Rule = rule!("Q013", "eligibility-result-several-matches", Info,
    ja: "資格確認結果が複数該当（資格有効性 5）のため根拠に使わない",
    "オンライン資格確認の資格確認結果: {0}",
    en: "eligibility result with several matches (validity 5), not used as evidence",
    "eligibility result: {0}");
pub static Q014: Rule = rule!("Q014", "care-outside-qualification-dates", Warning,
    ja: "診療日が資格確認結果の資格取得日より前、または喪失日以後",
    "{0} の診療が、請求した資格の期間の外です: {1}（{2}）",
    en: "a day of care before the result's qualification date or on or after its disqualification date",
    "care on {0} lies outside the claimed qualification's dates: {1} ({2})");
pub static Q015: Rule = rule!("Q015", "family-differs-from-result", Warning,
    ja: "レセプト種別の本人・家族が資格確認結果と違う",
    "レセプト種別「{0}」は{1}ですが、資格確認結果では{2}です（{3}）",
    en: "the receipt kind's 本人 / 家族 digit disagrees with the eligibility result",
    "the receipt kind '{0}' says {1}, but the eligibility result says {2} ({3})");
pub static Q016: Rule = rule!("Q016", "identity-differs-from-result", Warning,
    ja: "生年月日または男女区分が、同じ資格の資格確認結果と違う",
    "{0}「{1}」が、同じ資格の資格確認結果と違います（{2}）",
    en: "birth date or sex differs from the eligibility result of the same qualification",
    "{0} '{1}' differs from the eligibility result of the same qualification ({2})");
pub static Q017: Rule = rule!("Q017", "branch-differs-from-result", Warning,
    ja: "SN の枝番が資格確認結果の枝番と違う",
    "SN の枝番「{0}」が、この患者の資格確認結果の枝番と違います（{1}）",
    en: "the SN branch number differs from the eligibility result's",
    "the SN branch number '{0}' differs from this patient's eligibility result ({1})");
pub static Q018: Rule = rule!("Q018", "claimed-qualification-not-found", Warning,
    ja: "請求した資格がオンライン資格確認で該当資格なし（資格有効性 4）",
    "請求した {0} は、オンライン資格確認で該当資格なし（資格有効性 4）と回答されています（{1}）",
    en: "the claimed qualification was answered 'no qualification found' (validity 4)",
    "the claimed {0} was answered 'no qualification found' (validity 4) by オンライン資格確認 ({1})");

pub static Q019: Rule = rule!("Q019", "eligibility-result-of-another-facility", Warning,
    ja: "根拠にした資格確認結果が別の医療機関のもの（MedicalInstitutionCode が IR の医療機関コードと違う）",
    "この指摘の根拠の資格確認結果は、別の医療機関の照会です: MedicalInstitutionCode「{0}」の医療機関コード（下 7 桁）「{1}」が、この請求ファイルの医療機関コード「{2}」と違います（{3}）。--qualifications に渡したファイル・フォルダがこの医療機関のものか確認してください",
    en: "an eligibility result used as evidence was asked by another facility (its MedicalInstitutionCode differs from the IR 医療機関コード)",
    "the eligibility result this receipt's findings rest on was asked by another facility: MedicalInstitutionCode '{0}' has the facility code (last 7 digits) '{1}', not this claim file's '{2}' ({3}); check that the files given to --qualifications are this facility's");

pub static RULES: &[&Rule] = &[
    &Q001, &Q002, &Q003, &Q004, &Q005, &Q006, &Q007, &Q008, &Q009, &Q010, &Q011,
];

/// The rules added with the オンライン資格確認 result files, listed after every other family so
/// that the SARIF rule indexes of the rules before them stay put.
pub static LATER: &[&Rule] = &[&Q012, &Q013, &Q014, &Q015, &Q016, &Q017, &Q018, &Q019];

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
    let (mut days, mut branch) = (0u32, None);
    for v in own {
        if v.is(l.ho) && ho.is_none() {
            ho = Some(v);
        }
        if v.is(l.sn) && branch.is_none() {
            if let (Some(p), Some(b)) = (l.sn_payer, l.sn_branch) {
                if v.field(p) == b"1" {
                    branch = Some(v.field(b));
                }
            }
        }
        let Some(def) = v.rec.def else { continue };
        if let Some(ck) = l.care_kind[def as usize] {
            match v.field(ck) {
                b"11" => first_visit = true,
                b"12" => revisit = true,
                _ => {}
            }
        }
        days |= care_days(l, &v, def);
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
    fact.days = days;
    fact.family = family_of(re.field(l.re_kind));
    fact.branch = branch.map_or(0, |b| {
        crate::qualify::branch_code(&fold::fold_tight(&decode(b)))
    });
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

/// The days of care a record names (its day columns that hold something), as bits of
/// [`ReceiptFact::days`].
#[inline]
fn care_days(l: &crate::kind::layout::Layout, v: &crate::parse::record::RecView, def: u8) -> u32 {
    let d = def as usize;
    if let Some(run) = l.days_mask[d] {
        // Consecutive columns below field 64: the non-empty mask says which hold something.
        return ((v.rec.nonempty & run) >> run.trailing_zeros()) as u32;
    }
    let days = &l.days[d];
    let mut bits = 0;
    if days.is_empty() {
        return 0;
    }
    if days.windows(2).all(|w| w[1] == w[0] + 1) {
        // Consecutive columns past field 64 (歯科 SS: 78–108): one walk over the commas.
        for (k, f) in v
            .run(days.first().copied().unwrap_or(0), days.len().min(31))
            .enumerate()
        {
            bits |= u32::from(!f.is_empty()) << k;
        }
    } else {
        for (k, &i) in days.iter().take(31).enumerate() {
            bits |= u32::from(!v.field(i).is_empty()) << k;
        }
    }
    bits
}

/// 本人 (1) or 家族 (2) from a レセプト種別 of four digits: the second digit 1 (医保) or 4 (退職),
/// the last 1 / 2 (本人) or 5 / 6 (家族); 0 for every other code (公費, 後期, 未就学, 高齢受給者).
pub(crate) fn family_of(kind: &[u8]) -> u8 {
    match kind {
        [_, b'1' | b'4', _, b'1' | b'2'] => 1,
        [_, b'1' | b'4', _, b'5' | b'6'] => 2,
        _ => 0,
    }
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
    /// Dated near the receipt's days of care (always, for evidence without a date).
    near: bool,
}

/// The evidence to name first: current, then the newest seen, then past.
fn best(evid: &[Weighed]) -> Option<Weighed> {
    let rank = |e: &Weighed| match e.status {
        Status::Current => 3,
        Status::Seen => 2,
        Status::Past => 1,
        Status::NotFound => 0,
    };
    evid.iter().copied().max_by_key(|e| (rank(e), e.ym))
}

/// A date YYYYMMDD as a day count (days since 1970-01-01), for distances between dates.
fn day_number(ymd: u32) -> i64 {
    let (y, m, d) = (
        i64::from(ymd / 10000),
        i64::from(ymd / 100 % 100),
        i64::from(ymd % 100),
    );
    // The proleptic Gregorian day count of a civil date (March-based years).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A result dated this many days before the first day of care, or [`NEAR_AFTER`] after the
/// last, is "near" the care: it answers for those days (Q005; a current result for Q006).
const NEAR_BEFORE: i64 = 92;
const NEAR_AFTER: i64 = 31;

/// A receipt's days of care: the 診療年月 and the days its records name.
#[derive(Debug, Clone, Copy)]
struct Care {
    ym: u32,
    days: u32,
}

impl Care {
    fn of(fact: &ReceiptFact) -> Option<Care> {
        let ym = fact.ym();
        (ym != 0).then_some(Care {
            ym,
            days: fact.days,
        })
    }

    fn month_days(&self) -> u32 {
        u32::from(crate::parse::value::days_in_month(
            (self.ym / 100) as u16,
            (self.ym % 100) as u8,
        ))
    }

    /// The days of care, YYYYMMDD (every day of the month when no record named one).
    fn each(&self) -> impl Iterator<Item = u32> + '_ {
        let n = self.month_days();
        (1..=n)
            .filter(move |d| self.days == 0 || self.days >> (d - 1) & 1 == 1)
            .map(move |d| self.ym * 100 + d)
    }

    fn first(&self) -> u32 {
        self.each().next().unwrap_or(self.ym * 100 + 1)
    }

    fn last(&self) -> u32 {
        self.each().last().unwrap_or(self.ym * 100 + 1)
    }

    /// The first day of care for which `outside` holds; when no day is known, the first of
    /// the month only if it holds for every day of the month (a finding needs a day of care).
    fn day_where(&self, outside: impl Fn(u32) -> bool) -> Option<u32> {
        if self.days == 0 {
            self.each().all(&outside).then(|| self.first())
        } else {
            self.each().find(|&d| outside(d))
        }
    }

    /// Whether a result of `date` answers for these days of care.
    fn near(&self, date: u32) -> bool {
        let at = day_number(date);
        at >= day_number(self.first()) - NEAR_BEFORE && at <= day_number(self.last()) + NEAR_AFTER
    }
}

/// A result's status for one receipt's days of care. A current answer dated far from them is
/// only a qualification seen; a lost qualification is past only for care on or after its
/// 喪失日 (or, without one, its 資格確認日) — care before that was on a valid qualification.
fn status_for(row: &Row, care: Option<Care>) -> (Status, bool) {
    let (Some(a), Some(care)) = (row.onshi.as_deref(), care) else {
        return (row.status, true);
    };
    let near = a.confirmed == 0 || care.near(a.confirmed);
    let status = match row.status {
        Status::Current if !near => Status::Seen,
        Status::Past => {
            let from = if a.lost != 0 { a.lost } else { a.confirmed };
            if from == 0 || care.day_where(|d| d >= from).is_some() {
                Status::Past
            } else {
                Status::Current
            }
        }
        s => s,
    };
    (status, near)
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
    /// The オンライン資格確認 results the current receipt's findings name (rows).
    cited: RefCell<Vec<usize>>,
}

impl<'a> Files<'a> {
    fn new(reports: &[&'a FileReport], history: usize, rows: &'a [Row]) -> Files<'a> {
        Files {
            reports: reports.to_vec(),
            history,
            rows,
            readers: RefCell::new(HashMap::new()),
            cache: RefCell::new(HashMap::new()),
            cited: RefCell::new(Vec::new()),
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

    fn weigh(&self, ev: Ev, care: Option<Care>) -> Weighed {
        match ev {
            Ev::Row(i) => {
                let r = &self.rows[i];
                let (status, near) = status_for(r, care);
                Weighed {
                    ev,
                    status,
                    ym: r.ym,
                    qual: r.qual.key(),
                    near,
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
                    near: true,
                }
            }
        }
    }

    /// Where the evidence comes from, for the message.
    fn source(&self, ev: Ev) -> Arg {
        if let Ev::Row(i) = ev {
            if self.rows[i].onshi.is_some() {
                self.cited.borrow_mut().push(i);
                return answer(&self.rows[i]);
            }
        }
        let src = match ev {
            Ev::Row(i) => self.rows[i].source(),
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

/// 資格有効性 as the result says it.
fn validity_label(v: u8) -> (&'static str, &'static str) {
    match v {
        1 => ("有効", "valid"),
        2 => ("無効", "invalid"),
        3 => (
            "無効（新しい資格あり）",
            "invalid, a newer qualification exists",
        ),
        4 => ("該当資格なし", "no qualification found"),
        _ => ("?", "?"),
    }
}

/// A result named as evidence: its file, line and element, its 資格有効性 and 資格確認日.
fn answer(row: &Row) -> Arg {
    let a = row.onshi.as_deref().expect("a result row");
    let (vj, ve) = validity_label(a.validity);
    let date = |ja: bool| match (a.confirmed, ja) {
        (0, true) => String::new(),
        (0, false) => String::new(),
        (d, true) => format!("、QualificationConfirmationDate「{d}」"),
        (d, false) => format!(", QualificationConfirmationDate '{d}'"),
    };
    bi(
        &format!(
            "資格確認結果 {}:{} {} の QualificationValidity「{}」{vj}{}",
            shown_str(&row.path),
            row.row,
            a.element,
            a.validity,
            date(true)
        ),
        &format!(
            "eligibility result {}:{} {}: QualificationValidity '{}' ({ve}){}",
            shown_str(&row.path),
            row.row,
            a.element,
            a.validity,
            date(false)
        ),
    )
}

/// A result's element and value named as evidence: `res/….xml:12 …/DisqualificationDate「20260401」`.
fn cite(row: &Row, child: &str, value: &str) -> Arg {
    let a = row.onshi.as_deref().expect("a result row");
    let (vj, ve) = validity_label(a.validity);
    bi(
        &format!(
            "資格確認結果 {}:{} {}/{child}「{}」、QualificationValidity「{}」{vj}",
            shown_str(&row.path),
            row.row,
            a.element,
            shown_str(value),
            a.validity
        ),
        &format!(
            "eligibility result {}:{} {}/{child} '{}', QualificationValidity '{}' ({ve})",
            shown_str(&row.path),
            row.row,
            a.element,
            shown_str(value),
            a.validity
        ),
    )
}

/// A diagnostic on RE field `field` of fact `fi` of file `f` (the receipt read again for
/// its text; without it, the finding still stands, with the line and no value).
fn at_re(
    files: &Files,
    f: usize,
    fi: usize,
    rule: &'static Rule,
    field: usize,
    args: Vec<Arg>,
) -> Finding {
    let r = files.reports[f];
    let (g, l) = (&r.spec().grammar, &r.spec().layout);
    let fact = &r.facts[fi];
    let fd = g.record(l.re).fields.get(field);
    let detail = files.detail(f, fi);
    let span = detail.as_ref().and_then(|d| {
        let mut spans = Vec::new();
        crate::parse::split_fields(&d.re, &mut spans);
        spans.get(field).copied()
    });
    let value = detail
        .as_ref()
        .zip(span)
        .map(|(d, (a, b))| decode(&d.re[a as usize..b as usize]).into_owned());
    let source = detail.as_ref().filter(|_| r.source_lines).map(|d| {
        let dec = |b: &[u8]| decode(b).into_owned();
        crate::report::source_window(
            &d.re,
            span.map(|(a, b)| (a as usize, b as usize)),
            false,
            &dec,
        )
    });
    let label = label_of(detail.as_deref(), fact.re_line);
    let d = Diagnostic {
        rule,
        severity: rule.severity,
        line: Some(fact.re_line),
        offset: Some(fact.re_offset as usize),
        receipt: Some(fact.receipt),
        record: Some("RE".into()),
        field: Some(field as u16),
        field_name: fd.map(|fd| (fd.name.as_str(), fd.en.as_str())),
        span,
        value,
        args,
        source,
    };
    (d, label)
}

/// How a finding names the receipt read again as `detail` (its RE on `re_line`).
fn label_of(detail: Option<&Detail>, re_line: u32) -> Option<ReceiptLabel> {
    detail.map(|d| ReceiptLabel {
        number: d.number.to_string(),
        karte: d.who.karte.to_string(),
        name: d.who.name.to_string(),
        line: re_line,
    })
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
    let label = label_of(detail.as_deref(), fact.re_line);
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
    // The オンライン資格確認 results by the card they answer for: indexed once a run.
    let by_qual = &rows.by_qual;
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
                let (found, past, evidenced) = resolve_range(&files, &index, by_qual, h + ri, a..b);
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
    by_qual: &HashMap<u64, Vec<usize>>,
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
        let care = Care::of(fact);
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
            .map(|ev| files.weigh(ev, care))
            // 該当資格なし is no qualification of the patient.
            .filter(|e| e.status != Status::NotFound)
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
                // A result dated far from the care does not say the qualification was known.
                let near: Vec<Weighed> = evid.iter().copied().filter(|e| e.near).collect();
                if let Some(e) = best(&near) {
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
                        // A result saying a newer qualification exists (3) is Q014's: step ②
                        // does not apply to it.
                        let newer = |e: &&&Weighed| match e.ev {
                            Ev::Row(i) => files.rows[i]
                                .onshi
                                .as_ref()
                                .is_some_and(|a| a.validity == 3),
                            Ev::Fact(..) => false,
                        };
                        if let Some(p) = matching
                            .iter()
                            .filter(|e| e.status == Status::Past)
                            .find(|e| !newer(e))
                        {
                            found.push(at_fact(files, f, fi, &Q007, args![files.source(p.ev)]));
                        }
                    }
                } else if matching.is_empty() {
                    if let Some(e) = best(&evid) {
                        found.push(naming(&Q008, e));
                    }
                }
                if let (Some(rows), Some(care)) = (by_qual.get(&q), care) {
                    against_results(files, f, fi, care, rows, &mut found);
                }
            }
            _ => {}
        }
        // Q019: a finding above rests on a result another facility asked for. The result
        // stays evidence (that its code is this file's IR code is inferred): this says so.
        let cited = std::mem::take(&mut *files.cited.borrow_mut());
        if let Some(row) = cited.into_iter().map(|i| &files.rows[i]).find(|row| {
            row.onshi
                .as_deref()
                .is_some_and(|a| a.other_facility(&r.facility))
        }) {
            let code = row.onshi.as_deref().map_or(0, |a| a.institution);
            found.push(at_fact(
                files,
                f,
                fi,
                &Q019,
                args![
                    format!("{code:010}"),
                    format!("{:07}", code % 10_000_000),
                    r.facility.clone(),
                    answer(row)
                ],
            ));
        }
    }
    (found, past_claims, evidenced)
}

/// How a result of the claimed card stands to the receipt's patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relation {
    /// The patient: the same 枝番, or (without 枝番 on both sides) the same name, カナ, or
    /// birth date and sex.
    Patient,
    /// The patient by name and birth date, under another 枝番.
    OtherBranch,
    /// Someone else on the card (a family member).
    Other,
}

fn relation(files: &Files, f: usize, fi: usize, row: &Row) -> Relation {
    let fact = &files.reports[f].facts[fi];
    let keys = fact.keys();
    let rb = crate::qualify::branch_code(&row.branch);
    let known = |b: u8| b != 0 && b != crate::qualify::BRANCH_OTHER;
    let name = row.keys.name != 0
        && keys.name != 0
        && if row.keys.circle || keys.circle {
            fold::names_match(&row.who.name, &files.name(Ev::Fact(f, fi)))
        } else {
            row.keys.name == keys.name
        };
    // The カナ only ever confirms: it can make the patient, never unmake one.
    let kana = row.onshi.as_deref().is_some_and(|a| {
        !a.kana.is_empty()
            && keys.kana != 0
            && (crate::qualify::text_key(&a.kana) as u32 | 1) == keys.kana
    });
    let birth = row.who.birth != 0 && row.who.birth == keys.birth;
    let sex = row.who.sex != 0 && row.who.sex == keys.sex;
    if known(fact.branch) && known(rb) {
        if fact.branch == rb {
            Relation::Patient
        } else if (name || kana) && birth {
            Relation::OtherBranch
        } else {
            Relation::Other
        }
    } else if name || kana || (birth && sex) {
        Relation::Patient
    } else {
        Relation::Other
    }
}

/// Q014–Q018: the claim against what オンライン資格確認 answered for its own qualification
/// (`rows`, newest first). Each rule at most once per receipt, on the newest result.
fn against_results(
    files: &Files,
    f: usize,
    fi: usize,
    care: Care,
    rows: &[usize],
    found: &mut Vec<Finding>,
) {
    let fact = &files.reports[f].facts[fi];
    let l = &files.reports[f].spec().layout;
    let mut fired: Vec<&'static str> = Vec::new();
    // Each finding names its result (row `i`): kept for Q019.
    let push = |found: &mut Vec<Finding>, fired: &mut Vec<&'static str>, i: usize, x: Finding| {
        if !fired.contains(&x.0.rule.code) {
            fired.push(x.0.rule.code);
            found.push(x);
            files.cited.borrow_mut().push(i);
        }
    };
    let patient: Vec<(usize, &Row, Relation)> = rows
        .iter()
        .map(|&i| (i, &files.rows[i]))
        .map(|(i, r)| {
            let rel = if r.status == Status::NotFound {
                // Only the search is known: the patient unless the birth dates differ.
                if r.who.birth != 0 && fact.keys().birth != 0 && r.who.birth != fact.keys().birth {
                    Relation::Other
                } else {
                    Relation::Patient
                }
            } else {
                relation(files, f, fi, r)
            };
            (i, r, rel)
        })
        .filter(|(_, _, rel)| *rel != Relation::Other)
        .collect();
    let answered = patient
        .iter()
        .any(|(_, r, rel)| *rel == Relation::Patient && r.status != Status::NotFound);
    let claimed = || {
        files
            .detail(f, fi)
            .and_then(|d| d.qual.clone())
            .map(|q| bi(&q.describe(), &q.describe_en()))
            .unwrap_or_else(|| bi("資格", "qualification"))
    };
    for &(ri, row, rel) in &patient {
        let Some(a) = row.onshi.as_deref() else {
            continue;
        };
        if a.validity == 4 {
            // 該当資格なし in the month of care, and no other answer for the card.
            if !answered && (a.confirmed == 0 || a.confirmed / 100 == care.ym) {
                let x = at_fact(files, f, fi, &Q018, args![claimed(), answer(row)]);
                push(found, &mut fired, ri, x);
            }
            continue;
        }
        if rel == Relation::OtherBranch {
            let shown = files
                .detail(f, fi)
                .map(|_| format!("{:02}", fact.branch.saturating_sub(1)))
                .unwrap_or_else(|| format!("{:02}", fact.branch.saturating_sub(1)));
            let x = at_fact(
                files,
                f,
                fi,
                &Q017,
                args![shown, cite(row, "InsuredBranchNumber", &row.branch)],
            );
            push(found, &mut fired, ri, x);
            continue;
        }
        // Q014: a day of care before the qualification began, or after it was lost when the
        // claim is not the step-② claim on a lost qualification (validity 2: Q007's).
        let q014 = |d: u32, why, element: &str, date: u32| {
            at_fact(
                files,
                f,
                fi,
                &Q014,
                args![d, why, cite(row, element, &date.to_string())],
            )
        };
        if a.acquired != 0 {
            if let Some(d) = care.day_where(|d| d < a.acquired) {
                let why = bi(
                    &format!("資格取得日より前の日です（{d} < {}）", a.acquired),
                    &format!("before the qualification date ({d} < {})", a.acquired),
                );
                let x = q014(d, why, "QualificationDate", a.acquired);
                push(found, &mut fired, ri, x);
            }
        }
        if a.lost != 0 && a.validity != 2 {
            if let Some(d) = care.day_where(|d| d >= a.lost) {
                let why = if a.validity == 3 {
                    bi(
                        &format!("資格喪失日以後の日で（{d} ≥ {}）、新しい資格があると回答されています（旧資格ではなく①現在の資格で請求します）", a.lost),
                        &format!("on or after the disqualification date ({d} ≥ {}), and a newer qualification is reported (claim on ① the current one, not the old one)", a.lost),
                    )
                } else {
                    bi(
                        &format!("資格喪失日以後の日です（{d} ≥ {}）", a.lost),
                        &format!("on or after the disqualification date ({d} ≥ {})", a.lost),
                    )
                };
                let x = q014(d, why, "DisqualificationDate", a.lost);
                push(found, &mut fired, ri, x);
            }
        }
        // Q015: 本人 / 家族.
        if fact.family != 0 && a.family != 0 && fact.family != a.family {
            let label = |v: u8| {
                if v == 1 {
                    ("本人", "the insured person (本人)")
                } else {
                    ("家族", "a dependant (家族)")
                }
            };
            let (rj, re) = label(fact.family);
            let (xj, xe) = label(a.family);
            let kind = files
                .detail(f, fi)
                .map(|d| {
                    let mut sp = Vec::new();
                    crate::parse::split_fields(&d.re, &mut sp);
                    sp.get(l.re_kind)
                        .map(|&(s, e)| decode(&d.re[s as usize..e as usize]).into_owned())
                        .unwrap_or_default()
                })
                .unwrap_or_default();
            let x = at_re(
                files,
                f,
                fi,
                &Q015,
                l.re_kind,
                args![
                    kind,
                    bi(rj, re),
                    bi(xj, xe),
                    cite(row, "PersonalFamilyClassification", &a.family.to_string())
                ],
            );
            push(found, &mut fired, ri, x);
        }
        // Q016: 生年月日 / 男女区分 of the same person on the same card.
        let keys = fact.keys();
        if row.who.birth != 0 && keys.birth != 0 && row.who.birth != keys.birth {
            let x = at_re(
                files,
                f,
                fi,
                &Q016,
                l.re_birth,
                args![
                    bi("生年月日", "birth date"),
                    keys.birth,
                    cite(row, "Birthdate", &row.who.birth.to_string())
                ],
            );
            push(found, &mut fired, ri, x);
        } else if (1..=2).contains(&row.who.sex)
            && (1..=2).contains(&keys.sex)
            && row.who.sex != keys.sex
        {
            let x = at_re(
                files,
                f,
                fi,
                &Q016,
                l.re_sex,
                args![
                    bi("男女区分", "sex"),
                    keys.sex,
                    cite(row, "Sex1", &row.who.sex.to_string())
                ],
            );
            push(found, &mut fired, ri, x);
        }
        // The newest answer of the patient decides; older ones are history.
        if rel == Relation::Patient {
            break;
        }
    }
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
                    branch: row.branch.into(),
                    onshi: None,
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
