//! `--format concise`: one line per finding, `path:line:column: CODE message`, the column
//! being the 1-based character where the finding's field starts (as editors and problem
//! matchers read it); `path:line:` for a finding about a whole record, `path:` for the file.

use super::{Part, Renderer, Style, Totals};
use crate::report::FileReport;
use crate::report::Severity;
use std::io::{self, Write};

pub struct Concise {
    pub style: Style,
}

impl Renderer for Concise {
    fn part(&self, _index: usize, r: &FileReport) -> io::Result<Part> {
        let mut buf = Vec::new();
        let out = &mut buf;
        if let Some(e) = &r.unreadable {
            writeln!(out, "{}: X000 {}", r.path, e)?;
        }
        let found = super::concat(&r.diagnostics, |_, d, out| {
            if d.severity == Severity::Info && !self.style.verbose {
                return Ok(());
            }
            write!(out, "{}", super::visible(&r.path))?;
            if let Some(l) = d.line {
                write!(out, ":{l}")?;
                if let Some((col, _)) = super::columns(d) {
                    write!(out, ":{col}")?;
                }
            }
            writeln!(
                out,
                ": {} {}",
                d.rule.code,
                super::visible(&d.message(self.style.lang))
            )
        })?;
        let mut bytes = super::Pieces::from(buf);
        bytes.append(found);
        Ok(Part { bytes, items: None })
    }

    fn put(&mut self, out: &mut dyn Write, r: &FileReport, part: Part) -> io::Result<()> {
        part.bytes.write_to(out)?;
        if r.omitted_total() > 0 {
            // Not a finding line: tell the person, keep stdout parseable. What is buffered
            // goes out first, so the note follows its file's lines.
            out.flush()?;
            eprintln!(
                "{}: {} more finding(s) not shown (--max-diagnostics)",
                r.path,
                r.omitted_total()
            );
        }
        Ok(())
    }

    fn finish(&mut self, _out: &mut dyn Write, _t: &Totals) -> io::Result<()> {
        Ok(())
    }
}
