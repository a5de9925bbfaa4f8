//! D: what only 歯科 files have. The 医療機関情報レコード (IR) is repeated at the head of
//! every receipt, right before its RE, and repeats what the file's 受付情報レコード (UK) says.
//! A kind without a separate receipt-opening record (医科) never reaches these rules.

use super::{args, field_label, rule, Cx};
use crate::diag::{bi, Rule};
use crate::kind::Kind;
use crate::model::RecView;
use crate::sjis::decode_shown;

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

pub static RULES: &[&Rule] = &[&D001, &D002];

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

/// D002: each field the receipt's IR shares with the UK header holds the same value.
pub(crate) fn against_header(cx: &mut Cx, v: &RecView, header: &crate::scan::Header) {
    let l = v.layout();
    for (k, &(_, at)) in l.same_as_header.iter().enumerate() {
        let (Some(want), got) = (&header.same[k], v.field(at)) else {
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
