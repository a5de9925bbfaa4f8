//! `--format json`: one document, written as the files come:
//! `{"tool","version","diagnostics":[…],"files":[…],"summary":{…}}`.
//! Every severity is included.

use super::{Part, Renderer, Style, Totals};
use crate::qualify::Breakdown;
use crate::report::FileReport;
use crate::report::{Diagnostic, Severity};
use serde::Serialize;
use std::io::{self, Write};

pub struct Json {
    style: Style,
    started: bool,
    first_diag: bool,
    files: Vec<FileEntry>,
}

#[derive(Serialize)]
struct FileEntry {
    path: String,
    /// medical, dpc, dental, pharmacy; null when nothing tells.
    kind: Option<&'static str>,
    /// The editions of records that have several (調剤 CZ), most lines first; absent when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    editions: Vec<crate::report::Edition>,
    receipts: u32,
    records: u32,
    errors: usize,
    warnings: usize,
    infos: usize,
    qualification: Breakdown,
    top_rules: Vec<RuleCount>,
    /// Findings left out by --max-diagnostics.
    omitted: usize,
    /// Findings hidden by --baseline.
    baselined: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct RuleCount {
    code: &'static str,
    count: usize,
}

fn counts(v: Vec<(&'static str, usize)>, n: usize) -> Vec<RuleCount> {
    v.into_iter()
        .take(n)
        .map(|(code, count)| RuleCount { code, count })
        .collect()
}

/// One diagnostic as the `json` and `jsonl` formats write it.
#[derive(Serialize)]
pub struct DiagEntry<'a> {
    pub code: &'static str,
    pub severity: &'static str,
    pub path: &'a str,
    pub line: Option<u32>,
    pub receipt: Option<u32>,
    pub record: Option<&'a str>,
    pub field: Option<u16>,
    pub field_name: Option<&'static str>,
    pub value: Option<&'a str>,
    pub message: String,
}

impl<'a> DiagEntry<'a> {
    pub fn new(path: &'a str, d: &'a Diagnostic, lang: crate::report::Lang) -> Self {
        DiagEntry {
            code: d.rule.code,
            severity: d.severity.as_str(),
            path,
            line: d.line,
            receipt: d.receipt,
            record: d.record.as_deref(),
            field: d.field,
            field_name: d.field_label(lang),
            value: d.value.as_deref(),
            message: d.message(lang),
        }
    }
}

#[derive(Serialize)]
struct Summary {
    /// Files read and checked.
    files: usize,
    /// Paths that could not be read or held no claim file.
    unreadable: usize,
    receipts: u64,
    errors: usize,
    warnings: usize,
    infos: usize,
    qualification: Breakdown,
    top_rules: Vec<RuleCount>,
    omitted: usize,
    baselined: usize,
}

impl Json {
    pub fn new(style: Style) -> Self {
        Json {
            style,
            started: false,
            first_diag: true,
            files: Vec::new(),
        }
    }

    fn start(&mut self, out: &mut dyn Write) -> io::Result<()> {
        if !self.started {
            self.started = true;
            write!(
                out,
                "{{\"tool\":\"recelint\",\"version\":{},\"diagnostics\":[",
                serde_json::to_string(env!("CARGO_PKG_VERSION")).unwrap_or_default()
            )?;
        }
        Ok(())
    }

    fn entry<'a>(&self, path: &'a str, d: &'a Diagnostic) -> DiagEntry<'a> {
        DiagEntry::new(path, d, self.style.lang)
    }
}

impl Renderer for Json {
    fn part(&self, _index: usize, r: &FileReport) -> io::Result<Part> {
        // The file's entries, each but the first preceded by a comma: `put` adds the one
        // between files.
        let bytes = super::concat(&r.diagnostics, |i, d, buf| {
            if i > 0 {
                buf.push(b',');
            }
            buf.push(b'\n');
            serde_json::to_writer(&mut *buf, &self.entry(&r.path, d))?;
            Ok(())
        })?;
        Ok(Part { bytes, items: None })
    }

    fn put(&mut self, out: &mut dyn Write, r: &FileReport, part: Part) -> io::Result<()> {
        self.start(out)?;
        if !part.bytes.is_empty() {
            if !self.first_diag {
                out.write_all(b",")?;
            }
            self.first_diag = false;
            part.bytes.write_to(out)?;
        }
        self.files.push(FileEntry {
            path: r.path.clone(),
            kind: r.kind.map(crate::kind::Kind::as_str),
            editions: r.editions.clone(),
            receipts: r.receipts,
            records: r.records,
            errors: r.count(Severity::Error),
            warnings: r.count(Severity::Warning),
            infos: r.count(Severity::Info),
            qualification: r.breakdown,
            top_rules: counts(r.rule_counts(), 5),
            omitted: r.omitted_total(),
            baselined: r.baselined,
            error: r.unreadable.clone(),
        });
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, t: &Totals) -> io::Result<()> {
        self.start(out)?;
        out.write_all(b"\n],\"files\":")?;
        serde_json::to_writer(&mut *out, &self.files)?;
        out.write_all(b",\"summary\":")?;
        serde_json::to_writer(
            &mut *out,
            &Summary {
                files: t.files,
                unreadable: t.unreadable,
                receipts: t.receipts,
                errors: t.errors,
                warnings: t.warnings,
                infos: t.infos,
                qualification: t.qualification,
                top_rules: counts(t.top_rules(10), 10),
                omitted: t.omitted,
                baselined: t.baselined,
            },
        )?;
        out.write_all(b"}\n")
    }
}
