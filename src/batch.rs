//! A whole run: the files checked, then insured-number resolution over all their receipts
//! with the evidence of the qualifications CSV and the history files. The command line and
//! the tests both go through here.

use crate::check::{check_bytes, CheckOptions, FileReport};
use crate::rules::qualification;

/// Evidence inputs besides the files checked.
#[derive(Debug, Default)]
pub struct Evidence {
    /// The qualifications CSV: (path as shown, bytes), or the error reading it.
    pub csv: Option<(String, Result<Vec<u8>, String>)>,
    /// Earlier months' claim files, already checked (their diagnostics are not reported).
    pub history: Vec<FileReport>,
}

/// Resolves every receipt of `reports` against the evidence and the batch itself; appends a
/// report for the CSV (unusable rows, Q011) and for any unreadable evidence file.
pub fn resolve(reports: &mut Vec<FileReport>, evidence: Evidence) {
    let mut rows = Vec::new();
    let mut extra = Vec::new();
    if let Some((path, bytes)) = evidence.csv {
        match bytes {
            Ok(b) => {
                // The CSV appears in the output only when something about it needs saying.
                let r = qualification::csv_rows(&mut rows, &path, &b);
                if r.unreadable.is_some() || !r.diagnostics.is_empty() {
                    extra.push(r);
                }
            }
            Err(e) => extra.push(FileReport {
                path,
                unreadable: Some(format!(
                    "資格情報 CSV を読み取れません / cannot read the qualifications CSV: {e}"
                )),
                ..FileReport::default()
            }),
        }
    }
    let mut history = Vec::new();
    for h in evidence.history {
        if h.unreadable.is_some() {
            extra.push(h);
        } else {
            history.push(h);
        }
    }
    qualification::resolve(reports, &history, rows);
    reports.extend(extra);
}

/// Checks a history file's bytes for its facts only (its findings are not reported).
pub fn history_report(path: &str, bytes: &[u8]) -> FileReport {
    let mut r = check_bytes(path, bytes, &CheckOptions::default());
    r.diagnostics.clear();
    r
}

/// Reads and checks a history file for its facts only.
pub fn history_file(path: &std::path::Path) -> FileReport {
    let mut r =
        crate::check::check_path(path, &path.display().to_string(), &CheckOptions::default());
    r.diagnostics.clear();
    r
}
