//! The one diagnostic model every rule reports into and every renderer reads.

use serde::Serialize;

mod file;
pub mod redact;
pub(crate) mod source;

pub use file::{top, Edition, FileReport};
pub(crate) use source::source_window;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Severity::Error, Lang::Ja) => "エラー",
            (Severity::Warning, Lang::Ja) => "警告",
            (Severity::Info, Lang::Ja) => "情報",
            (s, Lang::En) => s.as_str(),
        }
    }
}

/// Language of messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ja,
    En,
}

impl Lang {
    pub fn is_ja(self) -> bool {
        self == Lang::Ja
    }
}

/// A rule: stable code, default severity, one-line title, message template and explanation,
/// each in Japanese and English. Templates use `{0}`, `{1}`, … for the diagnostic's args.
#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub title_ja: &'static str,
    pub title_en: &'static str,
    pub message_ja: &'static str,
    pub message_en: &'static str,
    pub explain_ja: &'static str,
    pub explain_en: &'static str,
}

impl Rule {
    pub fn title(&self, lang: Lang) -> &'static str {
        if lang.is_ja() {
            self.title_ja
        } else {
            self.title_en
        }
    }
    pub fn explain(&self, lang: Lang) -> &'static str {
        if lang.is_ja() {
            self.explain_ja
        } else {
            self.explain_en
        }
    }
    /// Fills the message template with `args`.
    pub fn message(&self, lang: Lang, args: &[Arg]) -> String {
        let t = if lang.is_ja() {
            self.message_ja
        } else {
            self.message_en
        };
        fill(t, args, lang)
    }
}

/// One argument of a message: plain text (a value, a count, a record id) shown as it is in
/// both languages, or a phrase with a Japanese and an English form (a field name, say), so no
/// sentence mixes languages. A typed pair: no byte of an input can split it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Bi { ja: String, en: String },
}

impl Arg {
    /// The form of the argument for `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match self {
            Arg::Text(t) => t,
            Arg::Bi { ja, en } => {
                if lang.is_ja() {
                    ja
                } else {
                    en
                }
            }
        }
    }

    /// Every text the argument holds (both forms of a pair), for masking.
    pub fn texts_mut(&mut self) -> impl Iterator<Item = &mut String> {
        let (a, b) = match self {
            Arg::Text(t) => (t, None),
            Arg::Bi { ja, en } => (ja, Some(en)),
        };
        std::iter::once(a).chain(b)
    }
}

/// A plain-text argument equals its text (a pair never equals one string).
impl PartialEq<&str> for Arg {
    fn eq(&self, other: &&str) -> bool {
        matches!(self, Arg::Text(t) if t == other)
    }
}

impl Default for Arg {
    fn default() -> Self {
        Arg::Text(String::new())
    }
}

/// Anything a message can take as an argument: an [`Arg`] as it is, anything displayable as
/// plain text. `args![…]` builds argument lists with it.
pub trait IntoArg {
    fn into_arg(self) -> Arg;
}

impl IntoArg for Arg {
    fn into_arg(self) -> Arg {
        self
    }
}

impl<T: std::fmt::Display> IntoArg for T {
    fn into_arg(self) -> Arg {
        Arg::Text(self.to_string())
    }
}

/// An argument with a Japanese and an English form.
pub fn bi(ja: &str, en: &str) -> Arg {
    Arg::Bi {
        ja: ja.to_string(),
        en: en.to_string(),
    }
}

fn fill(template: &str, args: &[Arg], lang: Lang) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after
            .find('}')
            .and_then(|j| after[..j].parse::<usize>().ok().map(|n| (j, n)))
        {
            Some((j, n)) => {
                out.push_str(args.get(n).map(|a| a.get(lang)).unwrap_or(""));
                rest = &after[j + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    /// 1-based line (record) number; `None` for a finding about the whole file.
    pub line: Option<u32>,
    /// Byte offset of the line in the file.
    pub offset: Option<usize>,
    /// 1-based ordinal of the receipt in its file.
    pub receipt: Option<u32>,
    /// Record identifier as found (decoded).
    pub record: Option<String>,
    /// 0-based field index (0 = record id); `None` for a whole record or file.
    pub field: Option<u16>,
    /// Japanese and English field names, when the field is known to the grammar.
    pub field_name: Option<(&'static str, &'static str)>,
    /// Byte span within the line (Shift_JIS bytes) to underline.
    pub span: Option<(u32, u32)>,
    /// The offending value, decoded for display.
    pub value: Option<String>,
    pub args: Vec<Arg>,
    /// The line decoded to UTF-8 and the span to underline in it (UTF-8 byte offsets),
    /// for renderers that show source (filled in by the checker on request).
    pub source: Option<(String, Option<(usize, usize)>)>,
}

impl Diagnostic {
    pub fn message(&self, lang: Lang) -> String {
        self.rule.message(lang, &self.args)
    }
    pub fn field_label(&self, lang: Lang) -> Option<&'static str> {
        self.field_name
            .map(|(ja, en)| if lang.is_ja() { ja } else { en })
    }
    /// Deterministic output order: line (file-level first), field, code.
    pub fn sort_key(&self) -> (u32, u32, &'static str) {
        (
            self.line.unwrap_or(0),
            self.field.map(|f| f as u32 + 1).unwrap_or(0),
            self.rule.code,
        )
    }
}

/// How to identify a receipt to a person: the way a レセコン shows it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReceiptLabel {
    /// レセプト番号 as recorded.
    pub number: String,
    /// カルテ番号等.
    pub karte: String,
    /// 氏名.
    pub name: String,
    /// Line of the RE record.
    pub line: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_in_order_and_keep_stray_braces() {
        let a = vec![Arg::Text("HO".into()), Arg::Text("3".into())];
        assert_eq!(fill("{0} は {1} 件 {x}", &a, Lang::Ja), "HO は 3 件 {x}");
        assert_eq!(fill("{2}", &a, Lang::Ja), "");
        let b = vec![bi("保険者番号", "insurer number")];
        assert_eq!(fill("「{0}」", &b, Lang::Ja), "「保険者番号」");
        assert_eq!(fill("'{0}'", &b, Lang::En), "'insurer number'");
    }
}
