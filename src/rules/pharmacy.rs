//! P: what only 調剤 files have. A receipt's dispensing is nested: each prescription (処方基本,
//! SH) is followed by its dispensings (調剤, CZ), and each CZ by its drugs, materials and
//! comments (IY, TO, CO) (P001). A dispensing date comes on or after the prescription's date
//! of issue (P002). Most modes and byte lengths of the 調剤 layout are not confirmed, so the
//! grammar leaves them unchecked (`recelint rules` counts them).

use super::{args, rule, Cx};
use crate::encoding::sjis::decode_shown;
use crate::kind::own::Own;
use crate::kind::Kind;
use crate::parse::record::RecBuf;
use crate::parse::value::parse_date;
use crate::report::{bi, Rule};

pub static P001: Rule = rule!("P001", "dispensing-not-nested", Error,
    ja: "調剤のレコードが 処方基本 (SH) → 調剤 (CZ) → 医薬品等 の順に入れ子になっていない",
    "{0}",
    en: "pharmacy records are not nested prescription (SH) → dispensing (CZ) → drugs",
    "{0}");
pub static P002: Rule = rule!("P002", "dispensed-before-issued", Warning,
    ja: "調剤年月日が処方箋交付年月日より前",
    "調剤年月日 {0} が処方箋交付年月日 {1} より前です",
    en: "dispensed before the prescription was issued",
    "dispensed on {0}, before the prescription's date of issue {1}");

pub static RULES: &[&Rule] = &[&P001, &P002];

/// The kinds these rules apply to.
pub const KINDS: &[Kind] = &[Kind::Pharmacy];

/// P001 and P002 over one receipt.
pub fn on_receipt(cx: &mut Cx, buf: &RecBuf) {
    let spec = buf.spec;
    let Own::Pharmacy(p) = &spec.own else { return };
    let (mut sh, mut cz) = (false, false);
    for v in buf.views_after_first() {
        if v.is(p.sh) {
            sh = true;
            cz = false;
        } else if v.is(p.cz) {
            if !sh {
                cx.rec(
                    &P001,
                    &v,
                    args![bi(
                        "CZ（調剤）の前に SH（処方基本）がありません。CZ はその処方の SH の後に記録します",
                        "CZ (dispensing) without an SH (prescription) before it; a CZ follows its prescription's SH",
                    )],
                );
            }
            cz = true;
            let date = |i: usize| parse_date(v.field(i), true).ok();
            if let (Some(issued), Some(done)) = (date(p.cz_issue), date(p.cz_dispense)) {
                if done.ymd() < issued.ymd() {
                    cx.field(
                        &P002,
                        &v,
                        p.cz_dispense,
                        args![
                            decode_shown(v.field(p.cz_dispense)),
                            decode_shown(v.field(p.cz_issue))
                        ],
                    );
                }
            }
        } else if p.under_cz.iter().any(|&r| v.is(r)) && !cz {
            let id = v.def().map_or("", |d| d.id.as_str());
            let name = v.def().map_or("", |d| d.name.as_str());
            let en = v.def().map_or("", |d| d.en.as_str());
            cx.rec(
                &P001,
                &v,
                args![bi(
                    &format!("{id}（{name}）の前に CZ（調剤）がありません。{id} はその調剤の CZ の後に記録します"),
                    &format!("{id} ({en}) without a CZ (dispensing) before it; it follows its dispensing's CZ"),
                )],
            );
        }
    }
}
