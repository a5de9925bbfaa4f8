//! The record ids, field positions and tables the rules use, resolved once from the grammar
//! by their stable keys. If the grammar lacks one, [`Layout::resolve`] says which; a test
//! proves the embedded grammar has them all.

use crate::grammar::{Grammar, RecIdx};
use std::sync::OnceLock;

/// Positions of the fields of one record that the rules read.
#[derive(Debug)]
pub struct Layout {
    pub ir: RecIdx,
    pub re: RecIdx,
    pub ho: RecIdx,
    pub ko: RecIdx,
    pub sn: RecIdx,
    pub jd: RecIdx,
    pub sy: RecIdx,
    pub si: RecIdx,
    pub iy: RecIdx,
    pub to: RecIdx,
    pub co: RecIdx,
    pub ti: RecIdx,
    pub go: RecIdx,

    pub ir_volume: usize,
    pub ir_facility: usize,
    pub ir_claim_ym: usize,
    pub re_care_ym: usize,
    pub re_sex: usize,
    pub re_birth: usize,
    pub re_admission: usize,
    pub sy_start: usize,
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
    pub go_count: usize,
    pub go_points: usize,
    pub go_volume: usize,

    /// Per record index: position of 診療識別, 負担区分, 回数, and the day fields (SI/IY/TO/CO).
    pub care_kind: Vec<Option<usize>>,
    pub burden: Vec<Option<usize>>,
    pub times: Vec<Option<usize>>,
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
    pub t_foreign_en: usize,
}

/// The record ids, keys and tables the rules use (checked by a test).
pub const RECORDS_USED: &[&str] = &[
    "IR", "RE", "HO", "KO", "SN", "JD", "SY", "SI", "IY", "TO", "CO", "TI", "GO",
];
pub const TABLES_USED: &[&str] = &[
    "futan_payers",
    "hobetsu_insurance",
    "prefecture",
    "foreign_records",
    "foreign_records_en",
];

/// Fields as a bit mask, when there are some and all are below 64.
fn mask(fields: &[usize]) -> Option<u64> {
    (!fields.is_empty() && fields.iter().all(|&i| i < 64))
        .then(|| fields.iter().fold(0u64, |m, &i| m | 1 << i))
}

impl Layout {
    pub fn resolve(g: &Grammar) -> Result<Layout, String> {
        let rec = |id: &str| {
            g.lookup(id.as_bytes())
                .ok_or(format!("record {id} missing"))
        };
        let key = |id: &str, k: &str| g.key(id, k).ok_or(format!("{id}.{k} missing"));
        let table = |t: &str| {
            g.tables
                .iter()
                .position(|x| x.id == t)
                .ok_or(format!("table {t} missing"))
        };
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
            ir: rec("IR")?,
            re: rec("RE")?,
            ho: rec("HO")?,
            ko: rec("KO")?,
            sn: rec("SN")?,
            jd: rec("JD")?,
            sy: rec("SY")?,
            si: rec("SI")?,
            iy: rec("IY")?,
            to: rec("TO")?,
            co: rec("CO")?,
            ti: rec("TI")?,
            go: rec("GO")?,
            ir_volume: key("IR", "volume")?,
            ir_facility: key("IR", "facility_code")?,
            ir_claim_ym: key("IR", "claim_ym")?,
            re_care_ym: key("RE", "care_ym")?,
            re_sex: key("RE", "sex")?,
            re_birth: key("RE", "birth_date")?,
            re_admission: key("RE", "admission_date")?,
            sy_start: key("SY", "start_date")?,
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
            go_count: key("GO", "total_count")?,
            go_points: key("GO", "total_points")?,
            go_volume: key("GO", "volume")?,
            care_kind: per("care_kind"),
            burden: per("burden"),
            times: per("times"),
            order: g.records.iter().map(|r| r.order).collect(),
            t_futan_payers: table("futan_payers")?,
            t_hobetsu_insurance: table("hobetsu_insurance")?,
            t_prefecture: table("prefecture")?,
            t_foreign: table("foreign_records")?,
            t_foreign_en: table("foreign_records_en")?,
        })
    }

    pub fn get() -> &'static Layout {
        static L: OnceLock<Layout> = OnceLock::new();
        L.get_or_init(|| {
            Layout::resolve(Grammar::get()).unwrap_or_else(|e| {
                panic!("grammar lacks what rules use: {e} (a test covers this)")
            })
        })
    }
}
