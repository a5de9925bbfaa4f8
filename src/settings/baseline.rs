//! Baselines: claim files have no comment syntax and must not be edited, so instead of
//! per-line suppressions a vendor records today's findings (`--write-baseline FILE`) and later
//! runs hide exactly those (`--baseline FILE`), reporting only new ones and how many were
//! hidden.
//!
//! A finding is keyed by the file's name (not its folder), the receipt's identity — an
//! unkeyed hash of 医療機関コード + レセプト番号 + カルテ番号: no name or insurance number is
//! stored, but the short numbers can be recovered by trying values, so a baseline is to be
//! kept like the claim files — the record id, the field and the code. Keys are counted, so two identical findings need two
//! entries. Line numbers are not part of the key: a finding stays hidden when other receipts
//! are added or removed around it.

use crate::report::Diagnostic;
use crate::report::FileReport;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Clone)]
pub struct Entry {
    pub file: String,
    /// Hash of the receipt's identity; "-" for findings outside receipts.
    pub receipt: String,
    pub record: String,
    pub field: Option<u16>,
    pub code: String,
    pub count: usize,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// FNV-1a, 64 bits: stable across runs and platforms.
fn fnv(s: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

fn key(r: &FileReport, d: &Diagnostic) -> (String, String, String, Option<u16>, String) {
    let file = std::path::Path::new(&r.path)
        .file_name()
        .map_or(r.path.clone(), |f| f.to_string_lossy().into_owned());
    let receipt = match d.receipt.and_then(|n| r.labels.get(&n)) {
        Some(l) => fnv(&format!(
            "{}\u{1f}{}\u{1f}{}",
            r.facility, l.number, l.karte
        )),
        None => "-".into(),
    };
    (
        file,
        receipt,
        d.record.clone().unwrap_or_default(),
        d.field,
        d.rule.code.to_string(),
    )
}

/// A finding's fingerprint, stable when lines move: the baseline's key (file name, receipt
/// identity, record, field, code) hashed. Identical findings share it; a format that needs
/// unique fingerprints adds the occurrence.
pub(crate) fn fingerprint(r: &FileReport, d: &Diagnostic) -> String {
    let (file, receipt, record, field, code) = key(r, d);
    fnv(&format!(
        "{file}\u{1f}{receipt}\u{1f}{record}\u{1f}{}\u{1f}{code}",
        field.map(|f| f.to_string()).unwrap_or_default()
    ))
}

/// The baseline of these reports.
type Key = (String, String, String, Option<u16>, String);

/// A baseline being recorded, a batch of reports at a time (in input order).
#[derive(Debug, Default)]
pub struct Recorder {
    m: BTreeMap<Key, usize>,
}

impl Recorder {
    pub fn add(&mut self, reports: &[FileReport]) {
        for r in reports {
            for d in &r.diagnostics {
                *self.m.entry(key(r, d)).or_default() += 1;
            }
        }
    }

    pub fn finish(self) -> Baseline {
        Baseline {
            version: 1,
            findings: self
                .m
                .into_iter()
                .map(|((file, receipt, record, field, code), count)| Entry {
                    file,
                    receipt,
                    record,
                    field,
                    code,
                    count,
                })
                .collect(),
        }
    }
}

/// A baseline being applied, a batch of reports at a time: each entry hides as many
/// findings as it counts, the first ones in input order.
#[derive(Debug)]
pub struct Hider {
    left: BTreeMap<Key, usize>,
}

impl Hider {
    pub fn new(b: &Baseline) -> Hider {
        Hider {
            left: b
                .findings
                .iter()
                .map(|e| {
                    (
                        (
                            e.file.clone(),
                            e.receipt.clone(),
                            e.record.clone(),
                            e.field,
                            e.code.clone(),
                        ),
                        e.count,
                    )
                })
                .collect(),
        }
    }

    /// Hides the findings of `reports` the baseline still has entries for; returns how many.
    pub fn apply(&mut self, reports: &mut [FileReport]) -> usize {
        let mut hidden = 0;
        for r in reports.iter_mut() {
            if self.left.is_empty() {
                break;
            }
            let keys: Vec<_> = r.diagnostics.iter().map(|d| key(r, d)).collect();
            let mut keep = Vec::with_capacity(keys.len());
            for k in keys {
                match self.left.get_mut(&k) {
                    Some(n) if *n > 0 => {
                        *n -= 1;
                        keep.push(false);
                    }
                    _ => keep.push(true),
                }
            }
            let before = r.diagnostics.len();
            let mut it = keep.into_iter();
            r.diagnostics.retain(|_| it.next().unwrap_or(true));
            r.baselined += before - r.diagnostics.len();
            hidden += before - r.diagnostics.len();
        }
        hidden
    }
}

pub fn load(path: &std::path::Path) -> Result<Baseline, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: ベースラインとして読めません / not a baseline: {e}",
            path.display()
        )
    })
}

/// Writes a baseline file.
pub fn write(path: &std::path::Path, b: &Baseline) -> Result<(), String> {
    let text = serde_json::to_string_pretty(b).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
}
