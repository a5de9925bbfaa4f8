//! `--format gitlab`: a GitLab Code Quality report, one JSON array of issues
//! (`description`, `check_name`, `fingerprint`, `severity`, `location.path`,
//! `location.lines.begin`), for merge-request widgets.

use super::{Part, Renderer, Style, Totals};
use crate::report::FileReport;
use crate::report::Severity;
use serde::Serialize;
use std::collections::HashMap;
use std::io::{self, Write};

pub struct Gitlab {
    pub style: Style,
    first: bool,
    /// Occurrences of each finding fingerprint so far: GitLab needs them unique.
    seen: HashMap<String, usize>,
}

impl Gitlab {
    pub fn new(style: Style) -> Self {
        Gitlab {
            style,
            first: true,
            seen: HashMap::new(),
        }
    }
}

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// Code Quality severities: info, minor, major, critical, blocker.
fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

/// A path as GitLab shows it: relative, with forward slashes.
fn path(p: &str) -> String {
    p.trim_start_matches("./").replace('\\', "/")
}

impl Renderer for Gitlab {
    fn part(&self, _index: usize, r: &FileReport) -> io::Result<Part> {
        // Fingerprints are made unique in `put`, which sees every finding in order.
        let lang = self.style.lang;
        let p = path(&r.path);
        let mut items: Vec<Issue> = Vec::new();
        let mut one = |description: String, code: &'static str, sev: &'static str, line, fp| {
            items.push(Issue {
                description,
                check_name: code,
                fingerprint: fp,
                severity: sev,
                location: Location {
                    path: p.clone(),
                    lines: Lines { begin: line },
                },
            });
        };
        if let Some(e) = &r.unreadable {
            one(e.clone(), "X000", "blocker", 1, format!("X000:{p}"));
        }
        for d in &r.diagnostics {
            if d.severity == Severity::Info && !self.style.verbose {
                continue;
            }
            let description = format!("{} {}", d.rule.code, d.message(lang));
            let fp = crate::settings::baseline::fingerprint(r, d);
            one(
                description,
                d.rule.code,
                severity(d.severity),
                d.line.unwrap_or(1),
                fp,
            );
        }
        Ok(Part {
            bytes: Default::default(),
            items: Some(Box::new(items)),
        })
    }

    fn put(&mut self, out: &mut dyn Write, _r: &FileReport, part: Part) -> io::Result<()> {
        let items = part
            .items
            .and_then(|b| b.downcast::<Vec<Issue>>().ok())
            .map(|b| *b)
            .unwrap_or_default();
        for mut issue in items {
            let n = self.seen.entry(issue.fingerprint.clone()).or_default();
            *n += 1;
            if *n > 1 {
                issue.fingerprint = format!("{}-{n}", issue.fingerprint);
            }
            out.write_all(if self.first { b"[\n" } else { b",\n" })?;
            self.first = false;
            serde_json::to_writer(&mut *out, &issue)?;
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _t: &Totals) -> io::Result<()> {
        out.write_all(if self.first { b"[]\n" } else { b"\n]\n" })
    }
}
