//! `--redact`: masks patient data in every output so a report can go to a vendor's support
//! desk. Which fields are patient data is data (`sensitive = true` in `grammar/<kind>/records.toml`):
//! 氏名, カタカナ氏名, 生年月日, カルテ番号, 被保険者証の記号・番号, 受給者番号 and free text.
//!
//! A masked value keeps its length and the class of each character (digit → 9 / ９, letter
//! → X, kana and kanji → ＊), and keeps 「●」「〓」「？」 and spaces, so the vendor still sees
//! which field, how long, and what class of problem — never the content.

use crate::kind::grammar::Grammar;
use crate::report::Diagnostic;
use crate::report::FileReport;

/// Masks one value, character by character.
pub fn mask(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => '9',
            'A'..='Z' | 'a'..='z' => 'X',
            ' ' | '\u{3000}' | '●' | '〓' | '？' | '?' => c,
            '０'..='９' => '９',
            c if c.is_ascii() => '*',
            '\u{FF61}'..='\u{FF9F}' => 'ｶ',
            _ => '＊',
        })
        .collect()
}

/// Masks the sensitive fields of a decoded record line; returns the masked line and the
/// original values it masked (longest first, to scrub them from messages).
fn mask_line(g: &Grammar, text: &str) -> (String, Vec<String>) {
    let mut fields: Vec<String> = text.split(',').map(str::to_string).collect();
    let mut hidden = Vec::new();
    if let Some(def) = fields.first().and_then(|id| g.record_by_id(id)) {
        for (i, f) in fields.iter_mut().enumerate() {
            if def.fields.get(i).is_some_and(|fd| fd.sensitive) && !f.is_empty() {
                hidden.push(std::mem::take(f));
                *f = mask(hidden.last().expect("just pushed"));
            }
        }
    }
    hidden.sort_by_key(|h| std::cmp::Reverse(h.chars().count()));
    (fields.join(","), hidden)
}

/// Replaces every occurrence of the hidden values in `s` (values of one character are left:
/// they would mask unrelated text).
fn scrub(s: &mut String, hidden: &[String]) {
    for h in hidden {
        if h.chars().count() >= 2 && s.contains(h.as_str()) {
            *s = s.replace(h.as_str(), &mask(h));
        }
    }
}

/// Masks what follows the labels of a qualification in a message (記号 / 番号 of the
/// evidence named by Q005, Q006, Q008).
fn mask_qualification_text(s: &mut String) {
    for label in ["記号 ", "番号 ", "symbol ", "number "] {
        let mut out = String::with_capacity(s.len());
        let mut rest = s.as_str();
        while let Some(i) = rest.find(label) {
            let start = i + label.len();
            out.push_str(&rest[..start]);
            let tail = &rest[start..];
            let end = tail
                .find(['・', ',', '）', ')', ';', ' '])
                .unwrap_or(tail.len());
            out.push_str(&mask(&tail[..end]));
            rest = &tail[end..];
        }
        out.push_str(rest);
        *s = out;
    }
}

/// Elements of an オンライン資格確認 result that hold patient data.
const RESULT_ELEMENTS: &[&str] = &[
    "InsuredCardSymbol",
    "InsuredIdentificationNumber",
    "Birthdate",
    "Name",
    "NameKana",
    "NameOfOther",
    "NameOfOtherKana",
    "InsuredName",
    "Address",
    "PostNumber",
];

/// Masks the values a message cites from a result file (`Birthdate「19850505」`, `Birthdate
/// '19850505'`): the file, line and element stay, the value is masked.
fn mask_result_values(s: &mut String) {
    for el in RESULT_ELEMENTS {
        for (open, close) in [("「", "」"), (" '", "'")] {
            let label = format!("{el}{open}");
            let mut out = String::with_capacity(s.len());
            let mut rest = s.as_str();
            while let Some(i) = rest.find(&label) {
                // Only the element itself, not one whose name ends with it (`…Name「`).
                let whole = rest[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !c.is_ascii_alphanumeric());
                let start = i + label.len();
                out.push_str(&rest[..start]);
                let tail = &rest[start..];
                let end = tail.find(close).unwrap_or(tail.len());
                if whole {
                    out.push_str(&mask(&tail[..end]));
                } else {
                    out.push_str(&tail[..end]);
                }
                rest = &tail[end..];
            }
            out.push_str(rest);
            *s = out;
        }
    }
}

fn redact_diag(g: &Grammar, d: &mut Diagnostic) {
    let mut hidden = Vec::new();
    if let Some((text, span)) = d.source.take().filter(|(t, _)| !t.starts_with('…')) {
        // (A window cut from the middle of a long line cannot be split into its fields, so
        // it is not shown at all under --redact.)
        let (masked, h) = mask_line(g, &text);
        hidden = h;
        // Masking keeps the characters' UTF-8 widths for everything but rare symbols; find
        // the field again rather than trust the old offsets.
        let span = match (d.field, span) {
            (Some(f), Some(_)) => {
                let start: usize = masked
                    .split(',')
                    .take(f as usize)
                    .map(|x| x.len() + 1)
                    .sum();
                masked
                    .split(',')
                    .nth(f as usize)
                    .map(|x| (start, start + x.len()))
            }
            _ => span,
        };
        d.source = Some((masked, span));
    }
    let sensitive = d
        .record
        .as_deref()
        .and_then(|r| g.record_by_id(r))
        .zip(d.field)
        .and_then(|(r, f)| r.fields.get(f as usize))
        .is_some_and(|f| f.sensitive);
    if let Some(v) = d.value.as_mut() {
        if sensitive && !v.is_empty() {
            hidden.push(v.clone());
            *v = mask(v);
        }
    }
    hidden.sort_by_key(|h| std::cmp::Reverse(h.chars().count()));
    for a in d.args.iter_mut().flat_map(crate::report::Arg::texts_mut) {
        scrub(a, &hidden);
        if d.rule.code.starts_with('Q') {
            mask_qualification_text(a);
            mask_result_values(a);
        }
        // A single character of a sensitive field (C001 names the offending character and
        // its code): mask both.
        if sensitive && d.rule.code == "C001" && (a.chars().count() == 1 || a.starts_with("0x")) {
            *a = mask(a);
        }
    }
}

/// Masks patient data in every report (diagnostics, their source lines, receipt labels).
pub fn redact(reports: &mut [FileReport]) {
    for r in reports {
        // Which fields are patient data depends on the file's kind.
        let g = &r.spec().grammar;
        for d in &mut r.diagnostics {
            redact_diag(g, d);
        }
        for l in r.labels.values_mut() {
            l.name = mask(&l.name);
            l.karte = mask(&l.karte);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_length_and_class() {
        assert_eq!(mask("山田　●子"), "＊＊　●＊");
        assert_eq!(mask("19700401"), "99999999");
        assert_eq!(mask("ＡＢ１２"), "＊＊９９");
        assert_eq!(mask("ﾔﾏﾀﾞ"), "ｶｶｶｶ");
        assert_eq!(mask("ab-1"), "XX*9");
    }

    #[test]
    fn lines_lose_only_their_sensitive_fields() {
        let g = &crate::kind::Spec::medical().grammar;
        let (m, hidden) = mask_line(g, "HO,01130012,１２３,４５６７,1,361,,,,,,,,,");
        assert_eq!(m, "HO,01130012,９９９,９９９９,1,361,,,,,,,,,");
        assert_eq!(hidden, vec!["４５６７".to_string(), "１２３".to_string()]);
    }

    #[test]
    fn values_cited_from_result_files_are_masked() {
        let mut s = "res/a.xml:15 MessageBody/ResultList/ResultOfQualificationConfirmation/Birthdate「19700101」、QualificationValidity「1」; …/NameKana 'ｶｸｳ ﾊﾅｺ', InsuredBranchNumber「01」".to_string();
        mask_result_values(&mut s);
        assert_eq!(s, "res/a.xml:15 MessageBody/ResultList/ResultOfQualificationConfirmation/Birthdate「99999999」、QualificationValidity「1」; …/NameKana 'ｶｶｶ ｶｶｶ', InsuredBranchNumber「01」");
    }

    #[test]
    fn qualification_numbers_in_messages_are_masked() {
        let mut s = "保険者番号 01130012・記号 123・番号 4567 で".to_string();
        mask_qualification_text(&mut s);
        assert_eq!(s, "保険者番号 99999999・記号 999・番号 9999 で");
    }
}
