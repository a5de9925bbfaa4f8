//! `--format github`: GitHub Actions workflow commands, one per finding, so findings show as
//! annotations on the run and the pull request:
//! `::error file=PATH,line=N,col=C,endColumn=E,title=CODE TITLE::MESSAGE` (`::warning`; `::notice` for info-level
//! findings with `--verbose`). A file that could not be read is an `::error` titled `X000`.

use super::{Part, Renderer, Style, Totals};
use crate::report::FileReport;
use crate::report::Severity;
use std::io::{self, Write};

pub struct Github {
    pub style: Style,
}

/// Escapes a command's message: `%`, CR and LF.
pub fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            // Other control characters would reach the log raw: show them as symbols.
            c if c < ' ' || c == '\u{7f}' => out.push_str(&super::visible(&c.to_string())),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a command property value: as [`escape_data`], and `:` and `,` (the escapes it
/// writes contain neither, so they are not touched twice).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

impl Renderer for Github {
    fn part(&self, _index: usize, r: &FileReport) -> io::Result<Part> {
        let mut buf = Vec::new();
        let out = &mut buf;
        let lang = self.style.lang;
        let file = escape_property(&r.path);
        if let Some(e) = &r.unreadable {
            let title = if lang.is_ja() {
                "X000 ファイルを読み取れません"
            } else {
                "X000 file cannot be read"
            };
            writeln!(
                out,
                "::error file={file},title={}::{}",
                escape_property(title),
                escape_data(e)
            )?;
        }
        for d in &r.diagnostics {
            if d.severity == Severity::Info && !self.style.verbose {
                continue;
            }
            write!(out, "::{} file={file}", command(d.severity))?;
            if let Some(l) = d.line {
                write!(out, ",line={l}")?;
                if let Some((col, end)) = super::columns(d) {
                    write!(out, ",col={col},endColumn={end}")?;
                }
            }
            let title = format!("{} {}", d.rule.code, d.rule.title(lang));
            writeln!(
                out,
                ",title={}::{}",
                escape_property(&title),
                escape_data(&d.message(lang))
            )?;
        }
        Ok(Part {
            bytes: buf.into(),
            items: None,
        })
    }

    fn put(&mut self, out: &mut dyn Write, _r: &FileReport, part: Part) -> io::Result<()> {
        part.bytes.write_to(out)
    }

    fn finish(&mut self, _out: &mut dyn Write, _t: &Totals) -> io::Result<()> {
        Ok(())
    }
}
