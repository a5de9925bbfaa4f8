//! C: the character repertoire — characters outside JIS X 0208, 「●」 in names (legal, and
//! never an error), and 外字 stand-ins.

use super::{args, field_label, rule, Cx};
use crate::encoding::sjis::{
    self, contains_char, decode, Dbl, Scan, BLACK_CIRCLE, FW_QUESTION, GETA,
};
use crate::parse::record::RecView;
use crate::report::{bi, Rule};

pub static C001: Rule = rule!("C001", "outside-jis-x-0208", Error,
    ja: "JIS X 0208 にない文字（NEC/IBM 拡張文字、ユーザー定義外字）",
    "「{0}」に JIS X 0208 にない文字「{1}」({2}, {3}) があります。受付不能の原因になります",
    en: "character outside JIS X 0208 (NEC/IBM extensions, user-defined non-standard characters)",
    "'{0}' holds '{1}' ({2}, {3}), which is not in JIS X 0208; such characters make a claim unacceptable");
pub static C002: Rule = rule!("C002", "black-circle-name", Info,
    ja: "氏名に「●」（そのまま請求できる）",
    "氏名に「●」があります。オンライン資格確認で表示できない文字で、このまま請求できます",
    en: "'●' in the name: accepted as it is",
    "the name contains '●' (a character the national systems cannot show); the claim is acceptable as it is");
pub static C003: Rule = rule!("C003", "black-circle-without-kana", Warning,
    ja: "氏名に「●」があり、カタカナ氏名が空",
    "氏名に「●」がありますが、カタカナ（氏名）が記録されていません。患者を特定できるようカタカナ氏名の記録を勧めます",
    en: "'●' in the name and the katakana name empty",
    "the name contains '●' and the katakana name is empty; recording the katakana name lets the patient be identified");
pub static C004: Rule = rule!("C004", "gaiji-stand-in", Warning,
    ja: "氏名に「〓」または「？」（外字の代替）",
    "「{0}」に外字の代わりと思われる「{1}」があります",
    en: "'〓' or '？' in a name (a stand-in for a non-standard character)",
    "'{0}' contains '{1}', probably standing in for a character that could not be written");

pub static RULES: &[&Rule] = &[&C001, &C002, &C003, &C004];

/// Per field scanned as text: C001 at the first character outside JIS X 0208. Returns true
/// when it reported (the caller reports one per record).
pub fn on_scan(cx: &mut Cx, v: &RecView, i: usize, scan: &Scan) -> bool {
    let Some((at, bytes, class)) = scan.ext else {
        return false;
    };
    let ch = decode(&bytes).into_owned();
    let hex = format!("0x{:02X}{:02X}", bytes[0], bytes[1]);
    let kind = match class {
        Dbl::UserDefined => bi("ユーザー定義外字", "user-defined character"),
        _ if bytes[0] == 0x87 => bi("NEC 特殊文字", "NEC special character"),
        _ => bi("NEC/IBM 拡張漢字", "NEC/IBM extension kanji"),
    };
    let d = cx.field(&C001, v, i, args![field_label(v, i), ch, hex, kind]);
    // Underline the character itself.
    if let Some((s, _)) = d.span {
        d.span = Some((s + at as u32, s + at as u32 + 2));
    }
    true
}

/// On an RE record: 「●」 and 外字 stand-ins in the names (C002–C004).
pub fn on_re(cx: &mut Cx, v: &RecView) {
    let l = v.layout();
    let name = v.field(l.re_name);
    let kana = v.field(l.re_kana);
    if contains_char(name, BLACK_CIRCLE) {
        cx.field(&C002, v, l.re_name, vec![]);
        if kana.is_empty() {
            cx.field(&C003, v, l.re_kana, vec![]);
        }
    }
    for i in [l.re_name, l.re_kana] {
        let text = v.field(i);
        let stand_in = sjis::chars(text).find(|c| *c == GETA || *c == FW_QUESTION || *c == b"?");
        if let Some(c) = stand_in {
            cx.field(&C004, v, i, args![field_label(v, i), decode(c)]);
        }
    }
}
