//! The record ids, field positions and tables the rules use, resolved once per claim kind
//! from that kind's grammar by their stable keys, and from the roles `grammar/kinds.toml`
//! gives its records (the file header, the record that opens a receipt, the diagnosis and
//! the care records). If the grammar lacks one, [`Layout::resolve`] says which; a test proves
//! every embedded grammar has them all.

use crate::kind::grammar::{Grammar, RecIdx};
use crate::kind::KindDef;

/// A record the kind does not have: no record is ever it.
pub const ABSENT: RecIdx = RecIdx::MAX;

/// Positions of the fields of one record that the rules read.
#[derive(Debug)]
pub struct Layout {
    /// The file's header record (医科 IR, 歯科 UK).
    pub header: RecIdx,
    /// The record that opens a receipt (医科 RE; 歯科 IR, repeated before each RE).
    pub opener: RecIdx,
    pub re: RecIdx,
    pub ho: RecIdx,
    pub ko: RecIdx,
    pub sn: RecIdx,
    pub jd: RecIdx,
    /// The diagnosis record a receipt needs (医科 SY, 歯科 HS; [`ABSENT`] in 調剤).
    pub diag: RecIdx,
    /// Records that also count as the diagnosis record for S007 (DPC SY beside SB).
    pub diag_also: Vec<RecIdx>,
    /// Per record index: one of the care records a receipt needs one of (医科 SI / IY / TO,
    /// 歯科 SS / SI / IY / TO).
    pub is_care: Vec<bool>,
    pub co: RecIdx,
    /// 臓器提供者 records start (医科 TI; [`ABSENT`] in a kind without them).
    pub ti: RecIdx,
    pub go: RecIdx,

    /// When a receipt opens with its own record (歯科 IR): the fields it shares with the
    /// header, which must repeat the header's values (D002), as (header field, its field).
    pub same_as_header: Vec<(usize, usize)>,
    pub header_volume: usize,
    pub header_facility: usize,
    /// The header's 医療機関名称 (薬局 name in 調剤), when the kind's header has one.
    pub header_facility_name: Option<usize>,
    pub header_claim_ym: usize,
    pub re_care_ym: usize,
    pub re_sex: usize,
    pub re_birth: usize,
    /// RE 入院年月日 (none in 調剤).
    pub re_admission: Option<usize>,
    /// The diagnosis record's 診療開始日 (none in a kind without diagnoses).
    pub diag_start: Option<usize>,
    pub ho_days: usize,
    pub ko_days: usize,
    pub jd_payer: usize,
    pub ho_symbol: usize,
    pub re_no: usize,
    pub re_kind: usize,
    pub re_name: usize,
    pub re_kana: usize,
    pub re_karte: usize,
    pub ho_insurer: usize,
    pub ho_number: usize,
    pub ho_points: usize,
    pub ko_payer: usize,
    pub ko_recipient: usize,
    pub ko_points: usize,
    pub sn_confirm: usize,
    /// SN 負担者種別 and 枝番 (compared with オンライン資格確認 results).
    pub sn_payer: Option<usize>,
    pub sn_branch: Option<usize>,
    pub go_count: usize,
    pub go_points: usize,
    pub go_volume: usize,

    /// Per record index: position of 診療識別, 負担区分, 回数, and the day fields (SI/IY/TO/CO).
    pub care_kind: Vec<Option<usize>>,
    pub burden: Vec<Option<usize>>,
    pub times: Vec<Option<usize>>,
    /// The run of omitted 診療識別 that S013 reports (the kind's limit + 1; `u32::MAX` when
    /// its specification states none).
    pub omitted_report_at: u32,
    /// RE レセプト総括区分 (DPC): `2` and `3` are the detail receipts of a 総括 group, which
    /// repeat the group's レセプト番号 (S005), `1` the group's summary (no records of care).
    pub re_summary: Option<usize>,
    /// RE 未来院請求 (歯科): a claim without the visit, whose day columns may be empty (S014).
    pub re_unvisited: Option<usize>,
    pub days: Vec<Vec<usize>>,
    /// `days` as a bit mask, when they are consecutive fields below 64 (else `None`).
    pub days_mask: Vec<Option<u64>>,
    /// Per record index: the 摘要 text fields (CO 文字データ, SI/IY/TO 文字データ①–③).
    pub comment_text: Vec<Vec<usize>>,
    /// `comment_text` as a bit mask, when every such field is below 64 (else `None`).
    pub comment_mask: Vec<Option<u64>>,
    /// Main-sequence rank of receipt records and donor-block rank (grammar `order`).
    pub order: Vec<Option<u8>>,

    pub t_futan_payers: usize,
    pub t_hobetsu_insurance: usize,
    pub t_prefecture: usize,
    pub t_foreign: usize,
    /// Records of insurer-side data (S019).
    pub t_insurer_side: usize,
    pub t_foreign_en: usize,
}

/// The record ids, keys and tables the rules use besides the roles of `kinds.toml` (checked
/// by a test).
pub const RECORDS_USED: &[&str] = &["RE", "HO", "KO", "SN", "JD", "CO", "GO"];
/// The keys a receipt-opening record (歯科 IR) repeats from the file header (歯科 UK): the
/// dental notes §2 (IR 1–4 and 6 equal UK 1–4 and 7).
pub const SAME_AS_HEADER: &[&str] = &[
    "review_body",
    "prefecture",
    "fee_schedule",
    "facility_code",
    "claim_ym",
];

pub const TABLES_USED: &[&str] = &[
    "futan_payers",
    "hobetsu_insurance",
    "prefecture",
    "foreign_records",
    "foreign_records_en",
    "insurer_side_records",
];

/// Fields as a bit mask, when there are some and all are below 64.
fn mask(fields: &[usize]) -> Option<u64> {
    (!fields.is_empty() && fields.iter().all(|&i| i < 64))
        .then(|| fields.iter().fold(0u64, |m, &i| m | 1 << i))
}

impl Layout {
    /// The layout of the kind `k` in its grammar `g`.
    pub fn resolve(g: &Grammar, k: &KindDef) -> Result<Layout, String> {
        let rec = |id: &str| g.need_record(id);
        let mut is_care = vec![false; g.records.len()];
        for id in &k.care {
            is_care[rec(id)? as usize] = true;
        }
        let key = |id: &str, k: &str| g.need_key(id, k);
        let (h, d) = (k.header.as_str(), k.diagnosis.as_str());
        let same_as_header = if k.receipt == "RE" {
            Vec::new()
        } else {
            SAME_AS_HEADER
                .iter()
                .map(|name| Ok((key(h, name)?, key(&k.receipt, name)?)))
                .collect::<Result<_, String>>()?
        };
        let table = |t: &str| g.need_table(t);
        let per =
            |k: &str| -> Vec<Option<usize>> { g.records.iter().map(|r| g.key(&r.id, k)).collect() };
        let days: Vec<Vec<usize>> = g.records.iter().map(|r| g.keys(&r.id, "day")).collect();
        let comment_text: Vec<Vec<usize>> = g
            .records
            .iter()
            .map(|r| g.keys(&r.id, "comment_text"))
            .collect();
        Ok(Layout {
            // Day columns as a mask only when they are consecutive (see `RecView::nonempty_run`).
            days_mask: days
                .iter()
                .map(|d| mask(d).filter(|_| d.windows(2).all(|w| w[1] == w[0] + 1)))
                .collect(),
            comment_mask: comment_text.iter().map(|t| mask(t)).collect(),
            days,
            comment_text,
            header: rec(h)?,
            opener: rec(&k.receipt)?,
            is_care,
            same_as_header,
            re: rec("RE")?,
            ho: rec("HO")?,
            ko: rec("KO")?,
            sn: rec("SN")?,
            jd: rec("JD")?,
            // A kind without diagnosis records (調剤) has none: S007 does not apply.
            diag: if d.is_empty() { ABSENT } else { rec(d)? },
            diag_also: k
                .diagnosis_also
                .iter()
                .map(|id| rec(id))
                .collect::<Result<_, _>>()?,
            co: rec("CO")?,
            ti: g.lookup(b"TI").unwrap_or(ABSENT),
            go: rec("GO")?,
            header_volume: key(h, "volume")?,
            header_facility: key(h, "facility_code")?,
            header_facility_name: g.key(h, "facility_name"),
            header_claim_ym: key(h, "claim_ym")?,
            re_care_ym: key("RE", "care_ym")?,
            re_sex: key("RE", "sex")?,
            re_birth: key("RE", "birth_date")?,
            re_admission: g.key("RE", "admission_date"),
            // DPC SB has none.
            diag_start: g.key(d, "start_date"),
            ho_days: key("HO", "days")?,
            ko_days: key("KO", "days")?,
            jd_payer: key("JD", "payer_kind")?,
            ho_symbol: key("HO", "symbol")?,
            re_no: key("RE", "receipt_no")?,
            re_kind: key("RE", "receipt_kind")?,
            re_name: key("RE", "name")?,
            re_kana: key("RE", "kana_name")?,
            re_karte: key("RE", "karte_no")?,
            ho_insurer: key("HO", "insurer_number")?,
            ho_number: key("HO", "number")?,
            ho_points: key("HO", "points")?,
            ko_payer: key("KO", "payer_number")?,
            ko_recipient: key("KO", "recipient_number")?,
            ko_points: key("KO", "points")?,
            sn_confirm: key("SN", "confirm_kind")?,
            sn_payer: g.key("SN", "payer_kind"),
            sn_branch: g.key("SN", "branch"),
            go_count: key("GO", "total_count")?,
            go_points: key("GO", "total_points")?,
            go_volume: key("GO", "volume")?,
            care_kind: per("care_kind"),
            burden: per("burden"),
            times: per("times"),
            omitted_report_at: k.omitted_care_kind_max.map_or(u32::MAX, |m| m + 1),
            re_unvisited: g.key("RE", "unvisited_claim"),
            re_summary: g.key("RE", "summary_kind"),
            order: g.records.iter().map(|r| r.order).collect(),
            t_futan_payers: table("futan_payers")?,
            t_hobetsu_insurance: table("hobetsu_insurance")?,
            t_prefecture: table("prefecture")?,
            t_foreign: table("foreign_records")?,
            t_foreign_en: table("foreign_records_en")?,
            t_insurer_side: table("insurer_side_records")?,
        })
    }
}
