//! The positions a kind's own rules module reads (for 歯科, `rules::dental`), resolved by
//! key with the kind's grammar when its `Spec` is loaded, like the shared `Layout`.

use crate::kind::grammar::{Grammar, RecIdx};

/// What a kind's own rules read, if it has some.
#[derive(Debug)]
pub enum Own {
    None,
    Dental(Dental),
    Pharmacy(Pharmacy),
    Dpc(Dpc),
}

/// Where the 歯科 rules read, resolved with the 歯科 grammar by key.
#[derive(Debug)]
pub struct Dental {
    pub(crate) re_start: usize,
    pub(crate) re_outcome: usize,
    /// Per record: its 歯式 fields (HS, CO).
    pub(crate) teeth: Vec<Vec<usize>>,
    /// Tables: 歯種, 状態, 部分; 診療識別 入院 and 入院外; the union of both columns.
    pub(crate) shishu: usize,
    pub(crate) jotai: usize,
    pub(crate) bubun: usize,
    pub(crate) care_in: usize,
    pub(crate) care_out: usize,
    pub(crate) care_any: usize,
}

impl Dental {
    pub(crate) fn resolve(g: &Grammar) -> Result<Dental, String> {
        let key = |id: &str, k: &str| g.need_key(id, k);
        let table = |t: &str| g.need_table(t);
        Ok(Dental {
            re_start: key("RE", "start_date")?,
            re_outcome: key("RE", "outcome")?,
            teeth: g
                .records
                .iter()
                .map(|r| {
                    let mut t = g.keys(&r.id, "teeth");
                    t.extend(g.keys(&r.id, "comment_teeth"));
                    t
                })
                .collect(),
            shishu: table("dental_shishu")?,
            jotai: table("dental_shishiki_jotai")?,
            bubun: table("dental_shishiki_bubun")?,
            care_in: table("dental_shinryo_shikibetsu_nyuin")?,
            care_out: table("dental_shinryo_shikibetsu_gairai")?,
            care_any: table("dental_shinryo_shikibetsu")?,
        })
    }
}

/// Where the 調剤 rules read.
#[derive(Debug)]
pub struct Pharmacy {
    /// 処方基本 (SH), 調剤 (CZ), and the records that belong to a CZ (IY, TO, CO).
    pub(crate) sh: RecIdx,
    pub(crate) cz: RecIdx,
    pub(crate) under_cz: [RecIdx; 3],
    /// CZ 処方箋交付年月日 and 調剤年月日.
    pub(crate) cz_issue: usize,
    pub(crate) cz_dispense: usize,
}

impl Pharmacy {
    pub(crate) fn resolve(g: &Grammar) -> Result<Pharmacy, String> {
        let rec = |id: &str| g.need_record(id);
        let key = |id: &str, k: &str| g.need_key(id, k);
        Ok(Pharmacy {
            sh: rec("SH")?,
            cz: rec("CZ")?,
            under_cz: [rec("IY")?, rec("TO")?, rec("CO")?],
            cz_issue: key("CZ", "issue_date")?,
            cz_dispense: key("CZ", "dispense_date")?,
        })
    }
}

/// Where the DPC rules read.
#[derive(Debug)]
pub struct Dpc {
    pub(crate) ga: RecIdx,
    pub(crate) hh: RecIdx,
    pub(crate) gt: RecIdx,
    /// GA 診療年月 and 外泊等 (one character a day of the month).
    pub(crate) ga_ym: usize,
    pub(crate) ga_days: usize,
    /// HH 入院期間区分別点数, 入院日数, 包括小計点数.
    pub(crate) hh_points: usize,
    pub(crate) hh_days: usize,
    pub(crate) hh_total: usize,
    /// What ties an HH to its GT: 診療年月, 請求調整区分, 自他保険区分, 負担区分.
    pub(crate) hh_group: [usize; 4],
    pub(crate) gt_group: [usize; 4],
    /// GT 包括小計点数合算.
    pub(crate) gt_total: usize,
}

impl Dpc {
    pub(crate) fn resolve(g: &Grammar) -> Result<Dpc, String> {
        let rec = |id: &str| g.need_record(id);
        let key = |id: &str, k: &str| g.need_key(id, k);
        let group = |id: &str, ym: &str| -> Result<[usize; 4], String> {
            Ok([
                key(id, ym)?,
                key(id, "adjust_kind")?,
                key(id, "self_other")?,
                key(id, "burden")?,
            ])
        };
        Ok(Dpc {
            ga: rec("GA")?,
            hh: rec("HH")?,
            gt: rec("GT")?,
            ga_ym: key("GA", "ga_ym")?,
            ga_days: key("GA", "leave_days")?,
            hh_points: key("HH", "points")?,
            hh_days: key("HH", "days")?,
            hh_total: key("HH", "total")?,
            hh_group: group("HH", "hh_ym")?,
            gt_group: group("GT", "gt_ym")?,
            gt_total: key("GT", "total")?,
        })
    }
}
