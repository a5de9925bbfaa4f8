//! The report of one file: its findings, receipts, facts for resolution and counts.

use super::*;
use crate::kind::Spec;
use crate::qualify::{Breakdown, ReceiptFact};
use std::collections::BTreeMap;

/// One edition of a record that has several, as a file has it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Edition {
    /// The record id (`CZ`).
    pub record: String,
    /// Its field count in this edition, with the id.
    pub fields: u32,
    /// Lines of the file with it.
    pub lines: u64,
}

/// The result of checking one file.
#[derive(Debug, Default)]
pub struct FileReport {
    /// The path as given (or found in a folder).
    pub path: String,
    /// Set when the file could not be read at all (exit code 2).
    pub unreadable: Option<String>,
    pub receipts: u32,
    pub records: u32,
    /// Sorted by line, field, code.
    pub diagnostics: Vec<Diagnostic>,
    /// How to name each receipt that has findings (by ordinal).
    pub labels: BTreeMap<u32, ReceiptLabel>,
    /// One fact per receipt with an HO record, for insured-number resolution.
    pub facts: Vec<ReceiptFact>,
    /// Where those receipts can be read again (a finding names a receipt by its text).
    pub body: crate::qualify::reread::Body,
    /// Findings show a window of their line (text output): resolution's findings too.
    pub source_lines: bool,
    /// How the receipts were claimed (current / past / 不詳 / disaster / ● names).
    pub breakdown: Breakdown,
    /// Findings left out by `--max-diagnostics`, by severity (info, warning, error).
    pub omitted: [usize; 3],
    /// Findings hidden because the baseline lists them.
    pub baselined: usize,
    /// IR 医療機関コード.
    pub facility: String,
    /// The header's 医療機関名称 (調剤: the pharmacy's name), as recorded; empty when the file
    /// has none.
    pub facility_name: String,
    /// The header's 請求年月 as recorded (`202611`, or 和暦 `50811`); empty when unreadable.
    pub claim_ym: String,
    /// The file's claim kind (detected, or forced with `--kind`); `None` when nothing tells.
    pub kind: Option<crate::kind::Kind>,
    /// The editions of its records that have several (調剤 CZ: 54 or 71 fields), most lines
    /// first: the first is the file's edition.
    pub editions: Vec<Edition>,
    /// The same, by rule code.
    pub omitted_rules: BTreeMap<&'static str, usize>,
}

impl FileReport {
    /// The grammar and layout the file was read with (医科 when nothing told its kind).
    pub fn spec(&self) -> &'static Spec {
        self.kind
            .and_then(|k| k.spec())
            .unwrap_or_else(Spec::medical)
    }

    /// True when recelint itself failed on this file (X001): exit code 2.
    pub fn internal_error(&self) -> bool {
        self.diagnostics.iter().any(|d| d.rule.code == "X001")
    }

    /// Findings of severity `s`, including those left out of the output.
    pub fn count(&self, s: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == s).count() + self.omitted[s as usize]
    }

    /// Findings left out of the output.
    pub fn omitted_total(&self) -> usize {
        self.omitted.iter().sum()
    }

    /// How many findings each rule made (shown or not), most first.
    pub fn rule_counts(&self) -> Vec<(&'static str, usize)> {
        let mut m = self.omitted_rules.clone();
        for d in &self.diagnostics {
            *m.entry(d.rule.code).or_default() += 1;
        }
        top(m)
    }

    /// Keeps `n` findings, the most severe first (errors, then warnings, then infos), so a
    /// cap never hides an error behind a warning; within a severity the first in output
    /// order. Those kept stay in output order; the rest are counted as left out.
    pub fn limit(&mut self, n: usize) {
        if self.diagnostics.len() <= n {
            return;
        }
        // How many of each severity fit, most severe first.
        let mut room = [0usize; 3];
        let mut left = n;
        for s in [Severity::Error, Severity::Warning, Severity::Info] {
            let have = self.diagnostics.iter().filter(|d| d.severity == s).count();
            room[s as usize] = have.min(left);
            left -= room[s as usize];
        }
        let mut kept = Vec::with_capacity(n);
        for d in std::mem::take(&mut self.diagnostics) {
            let r = &mut room[d.severity as usize];
            if *r > 0 {
                *r -= 1;
                kept.push(d);
            } else {
                self.omitted[d.severity as usize] += 1;
                *self.omitted_rules.entry(d.rule.code).or_default() += 1;
            }
        }
        self.diagnostics = kept;
    }
}

/// Counts sorted by count (most first), then code.
pub fn top(m: BTreeMap<&'static str, usize>) -> Vec<(&'static str, usize)> {
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}
