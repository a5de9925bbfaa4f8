//! `--format jsonl`: JSON Lines. One object per finding, written as each file comes (every
//! severity), with the same fields as the `json` format's diagnostics; a file that could not
//! be read is one line with code `X000`. The last line is `{"summary":{…}}`.

use super::json::DiagEntry;
use super::{Part, Renderer, Style, Totals};
use crate::report::Diagnostic;
use crate::report::FileReport;
use serde::Serialize;
use std::io::{self, Write};

/// Code of the line reporting a file that could not be read.
const UNREADABLE: &str = "X000";

pub struct Jsonl {
    style: Style,
}

impl Jsonl {
    pub fn new(style: Style) -> Self {
        Jsonl { style }
    }
}

#[derive(Serialize)]
struct SummaryLine {
    summary: Summary,
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
}

impl Jsonl {
    /// One line: the fields (and their order) of the `json` format's diagnostics.
    fn line<'a>(&self, path: &'a str, d: &'a Diagnostic) -> DiagEntry<'a> {
        DiagEntry::new(path, d, self.style.lang)
    }
}

fn write_line<T: Serialize>(out: &mut dyn Write, v: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, v)?;
    out.write_all(b"\n")
}

impl Renderer for Jsonl {
    fn part(&self, _index: usize, r: &FileReport) -> io::Result<Part> {
        let mut buf = Vec::new();
        let out = &mut buf;
        if let Some(e) = &r.unreadable {
            write_line(
                out,
                &DiagEntry {
                    code: UNREADABLE,
                    severity: "error",
                    path: &r.path,
                    line: None,
                    receipt: None,
                    record: None,
                    field: None,
                    field_name: None,
                    value: None,
                    message: e.clone(),
                },
            )?;
        }
        let found = super::concat(&r.diagnostics, |_, d, buf| {
            write_line(buf, &self.line(&r.path, d))
        })?;
        let mut bytes = super::Pieces::from(buf);
        bytes.append(found);
        Ok(Part { bytes, items: None })
    }

    fn put(&mut self, out: &mut dyn Write, _r: &FileReport, part: Part) -> io::Result<()> {
        part.bytes.write_to(out)
    }

    fn finish(&mut self, out: &mut dyn Write, t: &Totals) -> io::Result<()> {
        write_line(
            out,
            &SummaryLine {
                summary: Summary {
                    files: t.files,
                    unreadable: t.unreadable,
                    receipts: t.receipts,
                    errors: t.errors,
                    warnings: t.warnings,
                    infos: t.infos,
                },
            },
        )
    }
}
