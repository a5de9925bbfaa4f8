//! A whole run: the files checked, then insured-number resolution over all their receipts
//! with the evidence of the qualifications CSV and the history files. The command line and
//! the tests both go through here.

use crate::check::{check_bytes, CheckOptions, FileReport};
use crate::rules::qualification;

/// Evidence inputs besides the files checked.
#[derive(Debug, Default)]
pub struct Evidence {
    /// `--qualifications`: オンライン資格確認 result files (XML), folders and ZIP archives of
    /// them, and the qualifications CSV (see [`crate::qualify::onshi`]).
    pub qualifications: Vec<crate::qualify::onshi::Input>,
    /// Earlier months' claim files, already checked (their diagnostics are not reported).
    pub history: Vec<FileReport>,
}

/// Resolves every receipt of `reports` against the evidence and the batch itself; appends a
/// report for each evidence input with something to say (Q011–Q013) and for any unreadable
/// evidence file.
pub fn resolve(reports: &mut Vec<FileReport>, evidence: Evidence) {
    // An evidence file appears in the output only when something about it needs saying.
    let (rows, mut extra) = crate::qualify::onshi::read(evidence.qualifications);
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
