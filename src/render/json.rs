//! `--format json`: one document, written as the files come:
//! `{"tool","version","diagnostics":[…],"files":[…],"summary":{…}}`.
//! Every severity is included.

use super::{Renderer, Style, Totals};
use crate::check::FileReport;
use crate::diag::{Diagnostic, Severity};
use crate::qualify::Breakdown;
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

#[derive(Serialize)]
struct DiagEntry<'a> {
    code: &'static str,
    severity: &'static str,
    path: &'a str,
    line: Option<u32>,
    receipt: Option<u32>,
    record: Option<&'a str>,
    field: Option<u16>,
    field_name: Option<&'static str>,
    value: Option<&'a str>,
    message: String,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
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
        DiagEntry {
            code: d.rule.code,
            severity: d.severity.as_str(),
            path,
            line: d.line,
            receipt: d.receipt,
            record: d.record.as_deref(),
            field: d.field,
            field_name: d.field_label(self.style.lang),
            value: d.value.as_deref(),
            message: d.message(self.style.lang),
        }
    }
}

impl Renderer for Json {
    fn file(&mut self, out: &mut dyn Write, r: &FileReport) -> io::Result<()> {
        self.start(out)?;
        for d in &r.diagnostics {
            if !self.first_diag {
                out.write_all(b",")?;
            }
            self.first_diag = false;
            out.write_all(b"\n")?;
            serde_json::to_writer(&mut *out, &self.entry(&r.path, d))?;
        }
        self.files.push(FileEntry {
            path: r.path.clone(),
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
