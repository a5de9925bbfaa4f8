//! D: what only 歯科 files have. The 医療機関情報レコード (IR) is repeated at the head of
//! every receipt, right before its RE, and repeats what the file's 受付情報レコード (UK) says
//! (D001, D002); per receipt, the 歯式 codes (D003), the 診療識別 column of 入院 or 入院外
//! (D004), at most 99 HS (D005) and the outpatient 診療開始日 / 転帰区分 on RE (D006).
//! A file of another kind never reaches these rules.

use super::{args, field_label, rule, Cx};
use crate::encoding::sjis::decode_shown;
use crate::kind::grammar::{Grammar, RecIdx};
use crate::kind::own::{Dental, Own};
use crate::kind::Kind;
use crate::parse::record::{RecBuf, RecView};
use crate::report::{bi, Rule};

pub static D001: Rule = rule!("D001", "ir-re-not-paired", Error,
    ja: "歯科のレセプトが IR・RE の順に始まっていない",
    "{0}",
    en: "a dental receipt does not begin with IR followed by RE",
    "{0}");
pub static D002: Rule = rule!("D002", "ir-differs-from-uk", Error,
    ja: "IR の値が受付情報レコード (UK) と異なる",
    "IR の{0}「{1}」が受付情報レコード (UK) の「{2}」と異なります",
    en: "IR differs from the file header (UK)",
    "the IR {0} '{1}' differs from the file header (UK): '{2}'");

pub static D003: Rule = rule!("D003", "tooth-code", Warning,
    ja: "歯式コードが歯種・状態・部分の区分にない",
    "{0}「{1}」: {2}",
    en: "a tooth code is not in the tooth, state and part lists",
    "{0} '{1}': {2}");
pub static D004: Rule = rule!("D004", "care-kind-vs-inpatient", Warning,
    ja: "診療識別が入院・入院外の区分に合わない",
    "診療識別「{0}」は{1}のレセプトの区分にありません（レセプト種別 {2}）",
    en: "a care category that the receipt's inpatient / outpatient column does not have",
    "care category '{0}' is not in the {1} column (receipt kind {2})");
pub static D005: Rule = rule!("D005", "too-many-hs", Warning,
    ja: "傷病名部位レコード (HS) が 99 件を超える",
    "このレセプトには HS が {0} 件あります（1 レセプト 99 件まで）",
    en: "more than 99 diagnosis records (HS) in one receipt",
    "this receipt has {0} HS records (at most 99 per receipt)");
pub static D006: Rule = rule!("D006", "outpatient-start-or-outcome-empty", Warning,
    ja: "入院外のレセプトで RE の診療開始日・転帰区分が空",
    "入院外のレセプトですが RE の{0}が空です（歯科の入院外では RE に記録します）",
    en: "an outpatient receipt whose RE has no start of care or outcome",
    "outpatient receipt, but its RE {0} is empty (dental outpatient receipts record it on RE)");

pub static RULES: &[&Rule] = &[&D001, &D002, &D003, &D004, &D005, &D006];

/// The most HS records a receipt may have (dental.md: "1–99"; UNCONFIRMED, so D005 warns).
const MAX_HS: u32 = 99;

/// The kinds these rules apply to.
pub const KINDS: &[Kind] = &[Kind::Dental];

/// D001 at `v`: the receipt-opening record (IR) is not followed by RE (`opened`), or an RE
/// comes without its IR.
pub fn unpaired(cx: &mut Cx, v: &RecView, opened: bool) {
    let id = decode_shown(v.id());
    let text = if opened {
        bi(
            &format!("IR の次のレコードが RE ではなく「{id}」です。歯科では各レセプトの先頭に IR、そのすぐ次に RE を記録します"),
            &format!("the record after IR is '{id}', not RE; a dental receipt begins with IR and then RE"),
        )
    } else {
        bi(
            "RE の前に IR がありません。歯科では各レセプトの先頭に医療機関情報レコード (IR) を記録します",
            "RE without an IR before it; every dental receipt begins with the facility record (IR)",
        )
    };
    cx.rec(&D001, v, args![text]);
}

/// D002: each field the receipt's IR shares with the UK header holds the same value
/// (`header`: the header's values, as `Layout::same_as_header` lists them).
pub(crate) fn against_header(cx: &mut Cx, v: &RecView, header: &[Option<Vec<u8>>]) {
    let l = v.layout();
    for (k, &(_, at)) in l.same_as_header.iter().enumerate() {
        // No value when the header has none, or no header could be read (`header` empty).
        let (Some(Some(want)), got) = (header.get(k), v.field(at)) else {
            continue;
        };
        if !got.is_empty() && got != want.as_slice() {
            cx.field(
                &D002,
                v,
                at,
                args![field_label(v, at), decode_shown(got), decode_shown(want)],
            );
        }
    }
}

/// D003–D006 over one receipt (from RE to the next receipt's IR).
pub fn on_receipt(cx: &mut Cx, buf: &RecBuf) {
    let spec = buf.spec;
    let Own::Dental(p) = &spec.own else { return };
    let (g, l) = (&spec.grammar, buf.layout());
    let re = buf.view(0);
    // 入院 when the レセプト種別's 4th digit is odd; unknown when it is not a digit (V001).
    let kind = re.field(l.re_kind);
    let inpatient = match kind {
        [_, _, _, d @ b'0'..=b'9'] => Some((d - b'0') % 2 == 1),
        _ => None,
    };
    let mut hs = 0u32;
    for v in buf.views_after_first() {
        let Some(def) = v.rec.def else { continue };
        if v.is(l.diag) {
            hs += 1;
            if hs == MAX_HS + 1 {
                cx.rec_with(&D005, &v, || args![count_hs(buf, l.diag)]);
            }
        }
        for &f in &p.teeth[def as usize] {
            teeth(cx, g, p, &v, f);
        }
        if let (Some(ck), Some(inp)) = (l.care_kind[def as usize], inpatient) {
            let code = v.field(ck);
            let column = if inp { p.care_in } else { p.care_out };
            // A code of neither column is V004's.
            if !code.is_empty()
                && g.tables[p.care_any].contains(code)
                && !g.tables[column].contains(code)
            {
                let which = if inp {
                    bi("入院", "inpatient")
                } else {
                    bi("入院外", "outpatient")
                };
                cx.field_with(&D004, &v, ck, || {
                    args![decode_shown(code), which, decode_shown(kind)]
                });
            }
        }
    }
    if inpatient == Some(false) {
        for f in [p.re_start, p.re_outcome] {
            if re.field(f).is_empty() {
                cx.field(&D006, &re, f, args![field_label(&re, f)]);
            }
        }
    }
}

fn count_hs(buf: &RecBuf, hs: RecIdx) -> u32 {
    buf.views().filter(|v| v.is(hs)).count() as u32
}

/// D003 for one 歯式 field: each 6-character unit is 歯種 (4) + 状態 (1) + 部分 (1). A value
/// that is not whole units is V008's.
fn teeth(cx: &mut Cx, g: &Grammar, p: &Dental, v: &RecView, f: usize) {
    let val = v.field(f);
    if val.is_empty() || val.len() % 6 != 0 {
        return;
    }
    for unit in val.chunks_exact(6) {
        let (tooth, state, part) = (&unit[..4], &unit[4..5], &unit[5..]);
        let why = if !g.tables[p.shishu].contains(tooth) {
            Some(bi(
                &format!("歯種「{}」がありません", decode_shown(tooth)),
                &format!("no tooth '{}'", decode_shown(tooth)),
            ))
        } else if !g.tables[p.jotai].contains(state) {
            Some(bi(
                &format!("状態「{}」がありません（0–9）", decode_shown(state)),
                &format!("no state '{}' (0–9)", decode_shown(state)),
            ))
        } else if !g.tables[p.bubun].contains(part) {
            Some(bi(
                &format!("部分「{}」がありません（0–8）", decode_shown(part)),
                &format!("no part '{}' (0–8)", decode_shown(part)),
            ))
        } else {
            None
        };
        if let Some(why) = why {
            cx.field_with(&D003, v, f, || {
                args![field_label(v, f), decode_shown(unit), why]
            });
        }
    }
}
