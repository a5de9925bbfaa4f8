//! G: what only DPC files have — the arithmetic of the 包括評価 (bundled payment) records. Per
//! receipt, each 包括評価レコード (HH) holds 点数 × 日数 as its 包括小計点数 (G001); each 合計調整
//! レコード (GT) sums the 包括小計 of the HH of its 診療年月, 請求調整区分, 自他保険区分 and 負担区分
//! (G002); and each 外泊レコード (GA) has one 外泊等 character for every day of its 診療年月 (G003).
//! dpc.md calls these rules inferred (the remark text of one transcription, verified on the
//! public sample), so they are warnings.

use super::{args, rule, Cx};
use crate::encoding::sjis::decode_shown;
use crate::kind::own::Own;
use crate::kind::Kind;
use crate::parse::record::{number, RecBuf};
use crate::parse::value::{days_in_month, parse_date};
use crate::report::Rule;

pub static G001: Rule = rule!("G001", "hh-subtotal", Warning,
    ja: "HH の包括小計点数が 点数 × 日数 と合わない",
    "包括小計点数は {0} ですが、入院期間区分別点数 {1} × 入院日数 {2} = {3} です",
    en: "an HH bundled subtotal differs from points × days",
    "the bundled subtotal is {0}, but points {1} × days {2} = {3}");
pub static G002: Rule = rule!("G002", "gt-sum-of-hh", Warning,
    ja: "GT の包括小計点数合算が同じ区分の HH の合計と合わない",
    "包括小計点数合算は {0} ですが、同じ診療年月・請求調整区分・自他保険区分・負担区分の HH の包括小計点数の合計は {1} です",
    en: "a GT sum of bundled subtotals differs from its HH records",
    "the sum of bundled subtotals is {0}, but the HH of the same month, adjustment, insurance and burden add up to {1}");
pub static G003: Rule = rule!("G003", "ga-days-of-month", Warning,
    ja: "GA の外泊等の文字数が診療年月の日数と合わない",
    "外泊等は {0} 文字ですが、診療年月 {1} は {2} 日あります（1 日 1 文字）",
    en: "a GA leave-code string does not have one character per day of its month",
    "the leave codes have {0} characters, but {1} has {2} days (one character a day)");

pub static RULES: &[&Rule] = &[&G001, &G002, &G003];

/// The kinds these rules apply to.
pub const KINDS: &[Kind] = &[Kind::Dpc];

/// G001–G003 over one receipt.
pub fn on_receipt(cx: &mut Cx, buf: &RecBuf) {
    let Own::Dpc(p) = &buf.spec.own else { return };
    // Σ 包括小計 per group of HH (at most a few groups a receipt).
    let mut sums: Vec<([&[u8]; 4], u64)> = Vec::new();
    for v in buf.views_after_first() {
        if v.is(p.hh) {
            let (pts, days, total) = (v.num(p.hh_points), v.num(p.hh_days), v.num(p.hh_total));
            if let (Some(pts), Some(days), Some(total)) = (pts, days, total) {
                let want = pts.saturating_mul(days);
                if want != total {
                    cx.field(&G001, &v, p.hh_total, args![total, pts, days, want]);
                }
            }
            if let Some(total) = total {
                let key = p.hh_group.map(|i| v.field(i));
                match sums.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, s)) => *s += total,
                    None => sums.push((key, total)),
                }
            }
        } else if v.is(p.gt) {
            let key = p.gt_group.map(|i| v.field(i));
            let got = number(v.field(p.gt_total));
            // Without an HH of its group there is nothing to compare with.
            if let (Some(got), Some((_, want))) = (got, sums.iter().find(|(k, _)| *k == key)) {
                if got != *want {
                    cx.field(&G002, &v, p.gt_total, args![got, *want]);
                }
            }
        } else if v.is(p.ga) {
            let leave = v.field(p.ga_days);
            if let (false, Ok(ym)) = (leave.is_empty(), parse_date(v.field(p.ga_ym), false)) {
                let days = days_in_month(ym.year, ym.month);
                if leave.len() != days as usize {
                    cx.field(
                        &G003,
                        &v,
                        p.ga_days,
                        args![leave.len(), decode_shown(v.field(p.ga_ym)), days],
                    );
                }
            }
        }
    }
}
