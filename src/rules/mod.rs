//! The rule registry and the context rules report into.
//!
//! One file per rule family: [`file`] (F: bytes, encoding, line ends), [`structure`]
//! (S: record order and counts), [`value`] (V: field values against the grammar),
//! [`chars`] (C: character repertoire, 「●」 and 外字 stand-ins), [`insurer`]
//! (I: insurer and 公費 numbers), [`qualification`] (Q: the insured-number order — current,
//! past, 不詳 — against the evidence). Each rule is a `static Rule` with a stable code,
//! a one-line title, a message template and its explanation (`explain/{ja,en}/CODE.md`).
//! Codes are a public interface: never reuse or renumber one.

pub mod chars;
pub mod dental;
pub mod dpc;
pub mod file;
pub mod insurer;
pub mod internal;
pub mod pharmacy;
pub mod qualification;
pub mod structure;
pub mod value;

use crate::parse::record::RecView;
use crate::report::{Arg, Diagnostic, Rule};

/// Declares a rule; the explanation is read from `src/rules/explain/{ja,en}/CODE.md`.
macro_rules! rule {
    ($code:literal, $name:literal, $sev:ident,
     ja: $title_ja:literal, $msg_ja:literal,
     en: $title_en:literal, $msg_en:literal $(,)?) => {
        crate::report::Rule {
            code: $code,
            name: $name,
            severity: crate::report::Severity::$sev,
            title_ja: $title_ja,
            title_en: $title_en,
            message_ja: $msg_ja,
            message_en: $msg_en,
            explain_ja: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/rules/explain/ja/",
                $code,
                ".md"
            )),
            explain_en: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/rules/explain/en/",
                $code,
                ".md"
            )),
        }
    };
}
pub(crate) use rule;

/// Builds a message argument list from anything displayable.
macro_rules! args {
    ($($a:expr),* $(,)?) => { vec![$(crate::report::IntoArg::into_arg($a)),*] };
}
pub(crate) use args;

/// Every rule, in code order.
pub fn all() -> impl Iterator<Item = &'static Rule> {
    file::RULES
        .iter()
        .chain(structure::RULES)
        .chain(value::RULES)
        .chain(chars::RULES)
        .chain(insurer::RULES)
        .chain(qualification::RULES)
        .chain(internal::RULES)
        // Kind-specific rules come after the shared ones (rule indexes in SARIF stay put).
        .chain(dental::RULES)
        .chain(pharmacy::RULES)
        .chain(structure::LATER)
        .chain(dpc::RULES)
        .chain(qualification::LATER)
        .copied()
}

/// The claim kinds the shared rule families (F, S, V, C, I, Q, X) apply to: every kind
/// recelint checks, each with the fields at that kind's positions.
pub const SHARED_KINDS: &[crate::kind::Kind] = &[
    crate::kind::Kind::Medical,
    crate::kind::Kind::Dental,
    crate::kind::Kind::Pharmacy,
    crate::kind::Kind::Dpc,
];

/// Shared rules that apply only to the kinds whose data says they mean something there.
#[allow(clippy::type_complexity)]
const ONLY_WHERE: &[(&Rule, fn(&crate::kind::KindDef) -> bool)] = &[
    // Kinds with diagnosis records (not 調剤).
    (&structure::S007, |k| !k.diagnosis.is_empty()),
    // Kinds whose specification states the limit (not 歯科).
    (&structure::S013, |k| k.omitted_care_kind_max.is_some()),
    // Kinds whose HO / KO days are JD visit days (not 調剤).
    (&structure::S017, |k| k.jd_counts_days),
];

/// The claim kinds `rule` applies to (`recelint rules` shows them).
pub fn kinds(rule: &Rule) -> Vec<crate::kind::Kind> {
    let own = [
        (dental::RULES, dental::KINDS),
        (pharmacy::RULES, pharmacy::KINDS),
        (dpc::RULES, dpc::KINDS),
    ];
    if let Some((_, k)) = own
        .iter()
        .find(|(rules, _)| rules.iter().any(|r| std::ptr::eq(*r, rule)))
    {
        return k.to_vec();
    }
    let only = ONLY_WHERE.iter().find(|(r, _)| std::ptr::eq(*r, rule));
    SHARED_KINDS
        .iter()
        .copied()
        .filter(|k| only.is_none_or(|(_, f)| f(k.def())))
        .collect()
}

/// The rule with this code (case-insensitive).
pub fn find(code: &str) -> Option<&'static Rule> {
    all().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// Where rules report: the file's diagnostic buffer and the current receipt.
#[derive(Debug, Default)]
pub struct Cx {
    pub diags: Vec<Diagnostic>,
    /// Ordinal of the receipt being checked.
    pub receipt: Option<u32>,
    /// Findings per rule so far, and how many of them were past [`MAX_PER_RULE`] (counted,
    /// not kept). Looked up by the rule's address: a flood of one finding counts it millions
    /// of times, and a few dozen rules at most fire in one chunk.
    counts: Vec<RuleCount>,
    /// Where a finding past the cap is built and thrown away.
    sink: Option<Diagnostic>,
}

#[derive(Debug)]
struct RuleCount {
    rule: &'static Rule,
    seen: usize,
    over: usize,
}

/// Most findings of one rule kept per file (and per chunk while reading): a file whose every
/// record breaks a rule would otherwise hold millions of findings in memory. The rest are
/// counted as left out, like `--max-diagnostics`.
pub const MAX_PER_RULE: usize = 10_000;

impl Cx {
    /// An empty context for the same receipt: builds a diagnostic that is kept aside (to be
    /// reported, or not, when chunks are merged) instead of reported now.
    pub fn aside(&self) -> Cx {
        Cx {
            receipt: self.receipt,
            ..Cx::default()
        }
    }

    fn count(&mut self, rule: &'static Rule) -> &mut RuleCount {
        let at = match self.counts.iter().position(|c| std::ptr::eq(c.rule, rule)) {
            Some(at) => at,
            None => {
                self.counts.push(RuleCount {
                    rule,
                    seen: 0,
                    over: 0,
                });
                self.counts.len() - 1
            }
        };
        &mut self.counts[at]
    }

    /// Counts one finding of `rule`; true when it is past [`MAX_PER_RULE`] (only counted).
    fn tick(&mut self, rule: &'static Rule) -> bool {
        let c = self.count(rule);
        c.seen += 1;
        let over = c.seen > MAX_PER_RULE;
        if over {
            c.over += 1;
        }
        over
    }

    /// The findings counted but not kept, by rule code; the count starts again.
    pub fn take_overflow(&mut self) -> std::collections::BTreeMap<&'static str, usize> {
        let mut out = std::collections::BTreeMap::new();
        for c in &mut self.counts {
            if c.over > 0 {
                *out.entry(c.rule.code).or_default() += std::mem::take(&mut c.over);
            }
        }
        out
    }

    fn push(&mut self, rule: &'static Rule, args: Vec<Arg>) -> &mut Diagnostic {
        let over = self.tick(rule);
        let d = Diagnostic {
            rule,
            severity: rule.severity,
            line: None,
            offset: None,
            receipt: None,
            record: None,
            field: None,
            field_name: None,
            span: None,
            value: None,
            args,
            source: None,
        };
        if over {
            return self.sink.insert(d);
        }
        self.diags.push(d);
        self.diags.last_mut().expect("just pushed")
    }

    /// A finding about the whole file.
    pub fn file(&mut self, rule: &'static Rule, args: Vec<Arg>) -> &mut Diagnostic {
        self.push(rule, args)
    }

    /// A finding about a line that is not (or not only) a record.
    pub fn line(
        &mut self,
        rule: &'static Rule,
        no: u32,
        offset: usize,
        args: Vec<Arg>,
    ) -> &mut Diagnostic {
        let receipt = self.receipt;
        let d = self.push(rule, args);
        d.line = Some(no);
        d.offset = Some(offset);
        d.receipt = receipt;
        d
    }

    /// True when `rule` has reached [`MAX_PER_RULE`] here: its next finding is only counted,
    /// so nothing about it needs decoding.
    fn capped(&self, rule: &'static Rule) -> bool {
        self.counts
            .iter()
            .any(|c| std::ptr::eq(c.rule, rule) && c.seen >= MAX_PER_RULE)
    }

    /// A finding about a whole record.
    pub fn rec(&mut self, rule: &'static Rule, v: &RecView, args: Vec<Arg>) -> &mut Diagnostic {
        let capped = self.capped(rule);
        let d = self.line(rule, v.rec.no, v.rec.offset, args);
        if !capped {
            d.record = Some(crate::encoding::sjis::decode_shown(v.id()));
        }
        d
    }

    /// [`Cx::field`], with the message's arguments built only if the finding is kept (past
    /// [`MAX_PER_RULE`] it is only counted): for the rules that can fire on every field.
    pub fn field_with(
        &mut self,
        rule: &'static Rule,
        v: &RecView,
        i: usize,
        args: impl FnOnce() -> Vec<Arg>,
    ) {
        if self.capped(rule) {
            self.tick(rule);
        } else {
            self.field(rule, v, i, args());
        }
    }

    /// [`Cx::rec`], with the message's arguments built only if the finding is kept.
    pub fn rec_with(&mut self, rule: &'static Rule, v: &RecView, args: impl FnOnce() -> Vec<Arg>) {
        if self.capped(rule) {
            self.tick(rule);
        } else {
            self.rec(rule, v, args());
        }
    }

    /// A finding about one field of a record: keeps its span, value and name.
    pub fn field(
        &mut self,
        rule: &'static Rule,
        v: &RecView,
        i: usize,
        args: Vec<Arg>,
    ) -> &mut Diagnostic {
        if self.capped(rule) {
            // Counted and thrown away: a flood of one finding (a receipt of 684,291 records,
            // found by the fuzzer) spent a quarter of its time decoding values nobody sees.
            return self.rec(rule, v, args);
        }
        let name = v.field_def(i).map(|f| (f.name.as_str(), f.en.as_str()));
        let span = v.span(i);
        let value = crate::encoding::sjis::decode_shown(v.field(i));
        let d = self.rec(rule, v, args);
        d.field = Some(i as u16);
        d.field_name = name;
        d.span = Some(span);
        d.value = Some(value);
        d
    }
}

/// The field's name for messages, in both languages (`項目N` when the grammar has none).
pub fn field_label(v: &RecView, i: usize) -> Arg {
    match v.field_def(i) {
        Some(f) => crate::report::bi(&f.name, &f.en),
        None => crate::report::bi(&format!("項目{i}"), &format!("field {i}")),
    }
}

/// A finding reported once, at its first occurrence, with a count filled in at the end.
///
/// A file is checked in chunks, each with its own tallies; [`Tally::merge`] folds a chunk's
/// into the file's, keeping the earliest report and dropping the chunk's duplicate.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    first: Option<usize>,
    pub count: u32,
}

impl Tally {
    /// Counts one occurrence; returns true for the first, which the caller reports and
    /// hands back with [`Tally::mark`].
    pub fn hit(&mut self) -> bool {
        self.count += 1;
        self.count == 1
    }

    /// Remembers the diagnostic just pushed as this tally's report.
    pub fn mark(&mut self, cx: &Cx) {
        self.first = cx.diags.len().checked_sub(1);
    }

    /// Folds a chunk's tally whose report is at index `first + offset` of the file's
    /// diagnostics (the chunk's were appended at `offset`); a duplicate report goes to `drop`.
    pub fn merge(&mut self, other: Tally, offset: usize, drop: &mut Vec<usize>) {
        let theirs = other.first.map(|i| i + offset);
        match (self.first, theirs) {
            (None, t) => self.first = t,
            (Some(_), Some(t)) => drop.push(t),
            _ => {}
        }
        self.count += other.count;
    }

    /// Writes the final count into argument `arg` of the reported diagnostic.
    pub fn finish(&self, cx: &mut Cx, arg: usize) {
        if let Some(d) = self.first.and_then(|i| cx.diags.get_mut(i)) {
            if d.args.len() <= arg {
                d.args.resize(arg + 1, Arg::default());
            }
            d.args[arg] = Arg::Text(self.count.to_string());
        }
    }
}

/// Tallies by key (record id, field count, …).
#[derive(Debug, Clone)]
pub struct Tallies<K> {
    entries: Vec<(K, Tally)>,
}

impl<K> Default for Tallies<K> {
    fn default() -> Self {
        Tallies {
            entries: Vec::new(),
        }
    }
}

impl<K: PartialEq> Tallies<K> {
    /// The tally for `key`, created on first use.
    pub fn get(&mut self, key: K) -> &mut Tally {
        let pos = match self.entries.iter().position(|(k, _)| *k == key) {
            Some(p) => p,
            None => {
                self.entries.push((key, Tally::default()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[pos].1
    }

    pub fn merge(&mut self, other: Tallies<K>, offset: usize, drop: &mut Vec<usize>) {
        for (k, t) in other.entries {
            self.get(k).merge(t, offset, drop);
        }
    }

    pub fn finish(&self, cx: &mut Cx, arg: usize) {
        for (_, t) in &self.entries {
            t.finish(cx, arg);
        }
    }
}
