//! I: 保険者番号, 公費負担者番号, 受給者番号, 被保険者証の番号 and SN 確認区分.
//! The 不詳 fills (`77777777`, `77777779`) and the disaster fill (`99999999`) — and
//! incomplete 7-fills, which Q002 judges — are exempt from every check here.

use super::{args, rule, Cx};
use crate::encoding::sjis::{decode, decode_shown};
use crate::parse::record::{RecBuf, RecView};
use crate::parse::value::{check_digit, check_digit_ok, insurer_digits};
use crate::qualify::fill::classify_insurer;
use crate::report::{bi, Rule, Severity};

pub static I001: Rule = rule!("I001", "insurer-number-malformed", Error,
    ja: "保険者番号の形式が不正（8 バイトに右詰めの 6 桁または 8 桁でない）",
    "保険者番号「{0}」は 8 桁、または先頭を半角スペースで埋めた 6 桁（8 バイト）で記録してください",
    en: "insurer number malformed (not 6 or 8 digits right-aligned in 8 bytes)",
    "insurer number '{0}' must be 8 digits, or 6 digits right-aligned in 8 bytes with leading spaces");
pub static I002: Rule = rule!("I002", "insurer-check-digit", Error,
    ja: "保険者番号の検証番号が正しくない",
    "保険者番号「{0}」の検証番号（末尾の桁）が正しくありません（計算上は {1}）",
    en: "insurer number check digit (last digit) wrong",
    "insurer number '{0}' has a wrong check digit (last digit); it computes to {1}");
pub static I003: Rule = rule!("I003", "insurer-number-impossible", Error,
    ja: "保険者番号の法別番号または都道府県番号がありえない",
    "保険者番号「{0}」の{1}「{2}」はありえない値です",
    en: "law number or prefecture part of the insurer number impossible",
    "insurer number '{0}': the {1} '{2}' is impossible");
pub static I004: Rule = rule!("I004", "kohi-payer-number", Error,
    ja: "公費負担者番号の形式または検証番号が正しくない",
    "公費負担者番号「{0}」は{1}",
    en: "public-expense payer number malformed or check digit wrong",
    "public-expense payer number '{0}' is {1}");
pub static I005: Rule = rule!("I005", "kohi-recipient-number", Error,
    ja: "受給者番号の形式または検証番号が正しくない",
    "受給者番号「{0}」は{1}",
    en: "recipient number malformed or check digit wrong",
    "recipient number '{0}' is {1}");
pub static I006: Rule = rule!("I006", "insurer-kind-vs-receipt-kind", Warning,
    ja: "保険者番号の種類がレセプト種別と合わない",
    "保険者番号「{0}」は{1}ですが、レセプト種別 {2} は{3}です",
    en: "kind of insurer number disagrees with the receipt kind",
    "insurer number '{0}' is {1}, but receipt kind {2} is {3}");
pub static I007: Rule = rule!("I007", "sn-confirmation-kind", Error,
    ja: "一次請求で SN 確認区分が 01 以外",
    "資格確認レコードの確認区分が「{0}」です。一次請求では 01 だけを記録します（02〜14 は審査支払機関・保険者が記録）",
    en: "SN confirmation kind other than 01 in a first claim",
    "the SN confirmation kind is '{0}'; a first claim records 01 only (02–14 are written by the review body or insurer)");
pub static I008: Rule = rule!("I008", "insured-number-empty", Error,
    ja: "保険者レコードがあるのに被保険者証の番号が空",
    "被保険者証（手帳）等の番号が記録されていません",
    en: "card number empty on a receipt with an HO record",
    "the insured person's card number is empty");

pub static I009: Rule = rule!("I009", "kohi-recipient-number-empty", Error,
    ja: "公費の受給者番号が空（法別 30 以外）",
    "公費負担者番号「{0}」（法別 {1}）の受給者番号が記録されていません。受給者番号を省略できるのは医療観察法（法別 30）だけです",
    en: "recipient number empty for a public-expense program that needs one",
    "the recipient number for public-expense payer '{0}' (law number {1}) is empty; only the 医療観察法 program (law number 30) omits it");

pub static RULES: &[&Rule] = &[
    &I001, &I002, &I003, &I004, &I005, &I006, &I007, &I008, &I009,
];

fn is_local_program(num: &[u8]) -> bool {
    matches!(num.first(), Some(b'8' | b'9'))
}

fn pref_ok(v: &RecView, two: &[u8]) -> bool {
    v.spec().grammar.tables[v.layout().t_prefecture].contains(two)
}

/// Per receipt: every HO, KO and SN of the receipt's own part (not the donor block).
pub fn on_receipt(cx: &mut Cx, buf: &RecBuf) {
    let l = buf.layout();
    let kind = buf.view(0).field(l.re_kind);
    let d2 = kind.get(1).copied();
    for v in buf.views_after_first() {
        if v.is(l.ti) {
            break;
        }
        if v.is(l.ho) {
            check_ho(cx, &v, kind, d2);
        } else if v.is(l.ko) {
            check_ko(cx, &v);
        } else if v.is(l.sn) {
            let c = v.field(l.sn_confirm);
            if !c.is_empty() && c != b"01" {
                cx.field(&I007, &v, l.sn_confirm, args![decode_shown(c)]);
            }
        }
    }
}

fn check_ho(cx: &mut Cx, v: &RecView, kind: &[u8], d2: Option<u8>) {
    let l = v.layout();
    let g = &v.spec().grammar;
    let raw = v.field(l.ho_insurer);
    let fill = classify_insurer(raw);
    // On a 不詳 claim an empty 番号 is an incomplete 7-fill (Q002); the disaster fill with an
    // unknown insurer has no published rule for the number.
    if v.field(l.ho_number).is_empty() && !fill.is_exempt() {
        cx.field(&I008, v, l.ho_number, vec![]);
    }
    if fill.is_exempt() || raw.is_empty() {
        return; // empty: V007; fills: the fill rules
    }
    // The value as shown in messages, made only for a finding (this runs for every HO).
    let shown = || decode_shown(raw);
    let Some(d) = insurer_digits(raw) else {
        cx.field(&I001, v, l.ho_insurer, args![shown()]);
        return;
    };
    if !check_digit_ok(d) {
        let (body, _) = d.split_at(d.len() - 1);
        cx.field(&I002, v, l.ho_insurer, args![shown(), check_digit(body)]);
    }
    let (hobetsu, pref) = if d.len() == 8 {
        (Some(&d[..2]), &d[2..4])
    } else {
        (None, &d[..2])
    };
    if let Some(h) = hobetsu {
        if !g.tables[l.t_hobetsu_insurance].contains(h) {
            cx.field(
                &I003,
                v,
                l.ho_insurer,
                args![shown(), bi("法別番号", "law number"), decode(h)],
            );
        }
    }
    if !pref_ok(v, pref) {
        cx.field(
            &I003,
            v,
            l.ho_insurer,
            args![
                shown(),
                bi("都道府県番号", "prefecture number"),
                decode(pref)
            ],
        );
    }
    // I006: 後期高齢者 (法別 39) ⇔ 2nd digit 3; 退職者 (法別 67) ⇔ 2nd digit 4.
    let is_kouki = hobetsu == Some(b"39");
    let is_taishoku = hobetsu == Some(b"67");
    let mismatch = match d2 {
        Some(b'1') => is_kouki || is_taishoku,
        Some(b'3') => !is_kouki,
        Some(b'4') => !is_taishoku,
        _ => false,
    };
    if !mismatch {
        return;
    }
    let what_insurer = if is_kouki {
        bi(
            "後期高齢者医療の番号（法別 39）",
            "a late-elderly number (law 39)",
        )
    } else if is_taishoku {
        bi("退職者医療の番号（法別 67）", "a retiree number (law 67)")
    } else if d.len() == 6 {
        bi(
            "国民健康保険の番号（6 桁）",
            "a national health insurance number (6 digits)",
        )
    } else {
        bi("被用者保険の番号", "an employee insurance number")
    };
    let what_kind = match d2 {
        Some(b'3') => bi("後期高齢者", "late elderly"),
        Some(b'4') => bi("退職者", "retiree"),
        _ => bi("医保・国保", "health insurance"),
    };
    cx.field(
        &I006,
        v,
        l.ho_insurer,
        args![shown(), what_insurer, decode(kind), what_kind],
    );
}

fn check_ko(cx: &mut Cx, v: &RecView) {
    let l = v.layout();
    let payer = v.field(l.ko_payer);
    if payer.is_empty() || classify_insurer(payer).is_exempt() {
        return;
    }
    let local = is_local_program(payer);
    let sev = if local {
        Severity::Warning
    } else {
        Severity::Error
    };
    let local_note = |ja: &str, en: &str| {
        if local {
            bi(
                &format!("{ja}（地方単独事業のため警告）"),
                &format!("{en} (a local program: warning only)"),
            )
        } else {
            bi(ja, en)
        }
    };
    let problem = if payer.len() != 8 || !payer.iter().all(u8::is_ascii_digit) {
        Some(local_note("8 桁の数字ではありません", "not 8 digits"))
    } else if !check_digit_ok(payer) {
        let c = check_digit(&payer[..7]);
        Some(local_note(
            &format!("検証番号が正しくありません（計算上は {c}）"),
            &format!("wrong in its check digit (it computes to {c})"),
        ))
    } else if !pref_ok(v, &payer[2..4]) {
        Some(local_note(
            "都道府県番号がありえない値です",
            "impossible in its prefecture part",
        ))
    } else {
        None
    };
    if let Some(p) = problem {
        cx.field(&I004, v, l.ko_payer, args![decode_shown(payer), p])
            .severity = sev;
    }
    let rec = v.field(l.ko_recipient);
    if rec.is_empty() {
        // Omitted only for 医療観察法 (法別 30). A payer number that is not 8 digits was
        // I004 already; its 法別 cannot be read.
        let digits = payer.len() == 8 && payer.iter().all(u8::is_ascii_digit);
        if digits && &payer[..2] != b"30" {
            cx.field(
                &I009,
                v,
                l.ko_recipient,
                args![decode_shown(payer), decode(&payer[..2])],
            )
            .severity = sev;
        }
        return;
    }
    if classify_insurer(rec).is_exempt() {
        return;
    }
    let problem = if rec.len() != 7 || !rec.iter().all(u8::is_ascii_digit) {
        Some(local_note(
            "7 桁の数字ではありません（先頭を 0 で埋めて 7 桁）",
            "not 7 digits (pad with leading zeros)",
        ))
    } else if !check_digit_ok(rec) {
        let c = check_digit(&rec[..6]);
        Some(local_note(
            &format!("検証番号が正しくありません（計算上は {c}）"),
            &format!("wrong in its check digit (it computes to {c})"),
        ))
    } else {
        None
    };
    if let Some(p) = problem {
        cx.field(&I005, v, l.ko_recipient, args![decode_shown(rec), p])
            .severity = sev;
    }
}
