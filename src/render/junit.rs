//! `--format junit`: JUnit XML for CI test reports. One `<testsuite>` per file; each error or
//! warning is a failed `<testcase>` (named by code and line, its message and place in the
//! failure); a file without any is one passing test case, and a file that could not be read
//! is an `<error>`. Infos appear only with `-v`, as passed test cases.

use super::{Part, Renderer, Style, Totals};
use crate::report::FileReport;
use crate::report::Severity;
use std::fmt::Write as _;
use std::io::{self, Write};

pub struct Junit {
    pub style: Style,
    suites: Vec<u8>,
    tests: usize,
    failures: usize,
    errors: usize,
}

impl Junit {
    pub fn new(style: Style) -> Self {
        Junit {
            style,
            suites: Vec::new(),
            tests: 0,
            failures: 0,
            errors: 0,
        }
    }
}

/// Text for XML (attribute values and element text): the five special characters escaped,
/// and characters XML 1.0 cannot hold shown as symbols.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in super::visible(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A suite's counts, carried from `part` to `put` in the part's first bytes' stead.
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
}

impl Renderer for Junit {
    fn part(&self, _index: usize, r: &FileReport) -> io::Result<Part> {
        let lang = self.style.lang;
        let name = xml(&r.path);
        let mut cases = String::new();
        let (mut tests, mut failures, mut errors) = (0, 0, 0);
        if let Some(e) = &r.unreadable {
            tests += 1;
            errors += 1;
            let _ = writeln!(
                cases,
                "    <testcase name=\"X000\" classname=\"{name}\"><error message=\"{}\" type=\"X000\"/></testcase>",
                xml(e)
            );
        }
        for d in &r.diagnostics {
            let info = d.severity == Severity::Info;
            if info && !self.style.verbose {
                continue;
            }
            tests += 1;
            let at = match (d.line, d.field) {
                (Some(l), Some(f)) => format!("{}:{l}:{f}", r.path),
                (Some(l), None) => format!("{}:{l}", r.path),
                _ => r.path.clone(),
            };
            let case = match d.line {
                Some(l) => format!("{} line {l}", d.rule.code),
                None => d.rule.code.to_string(),
            };
            let msg = d.message(lang);
            if info {
                let _ = writeln!(
                    cases,
                    "    <testcase name=\"{}\" classname=\"{name}\"><system-out>{}</system-out></testcase>",
                    xml(&case),
                    xml(&format!("{at}: {msg}"))
                );
            } else {
                failures += 1;
                let _ = writeln!(
                    cases,
                    "    <testcase name=\"{}\" classname=\"{name}\"><failure message=\"{}\" type=\"{}\">{}</failure></testcase>",
                    xml(&case),
                    xml(&msg),
                    d.severity.as_str(),
                    xml(&format!("{at}: {} {msg}", d.rule.code))
                );
            }
        }
        if tests == 0 {
            tests = 1;
            let _ = writeln!(
                cases,
                "    <testcase name=\"{}\" classname=\"{name}\"/>",
                if lang.is_ja() { "検査" } else { "check" }
            );
        }
        let mut s = String::new();
        let _ = write!(
            s,
            "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n{cases}  </testsuite>\n"
        );
        Ok(Part {
            bytes: s.into_bytes().into(),
            items: Some(Box::new(Counts {
                tests,
                failures,
                errors,
            })),
        })
    }

    fn put(&mut self, _out: &mut dyn Write, _r: &FileReport, part: Part) -> io::Result<()> {
        if let Some(c) = part.items.and_then(|b| b.downcast::<Counts>().ok()) {
            self.tests += c.tests;
            self.failures += c.failures;
            self.errors += c.errors;
        }
        self.suites.extend_from_slice(&part.bytes.into_vec());
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _t: &Totals) -> io::Result<()> {
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"recelint\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
            self.tests, self.failures, self.errors
        )?;
        out.write_all(&self.suites)?;
        out.write_all(b"</testsuites>\n")
    }
}
