//! A whole run: the files checked, then insured-number resolution over their receipts with
//! the evidence of the qualifications CSV and the history files. The command line and the
//! tests both go through here.
//!
//! Patients are matched within one 医療機関コード, so a month partitions by facility: the
//! run is planned from each file's first line ([`plan`]), and [`stream`] checks a window of
//! facilities at a time, resolves each as soon as its files and history are scanned, hands
//! the reports on in input order and drops them. Memory is then set by the largest facility
//! and the window, not by the month; the findings are exactly those of resolving the whole
//! batch at once ([`resolve`], kept as the reference).

use crate::check::{check_bytes, CheckOptions, FileReport};
pub use crate::qualify::index::Rows;
use crate::rules::qualification;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

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

/// Where a file belongs, from its first bytes ([`crate::scan::facility_of`]).
pub fn place(start: &[u8], forced: Option<crate::kind::Kind>) -> Place {
    match crate::scan::facility_of(start, forced) {
        f if f.is_empty() => Place::Common,
        f => Place::Facility(f.into()),
    }
}

/// Where the file at `path` belongs; [`Place::Alone`] when it cannot be opened or read.
pub fn place_of_path(path: &Path, forced: Option<crate::kind::Kind>) -> Place {
    use std::io::Read;
    let Ok(f) = std::fs::File::open(path) else {
        return Place::Alone;
    };
    let mut start = Vec::with_capacity(crate::scan::FACILITY_BYTES);
    match f
        .take(crate::scan::FACILITY_BYTES as u64)
        .read_to_end(&mut start)
    {
        Ok(_) => place(&start, forced),
        Err(_) => Place::Alone,
    }
}

/// What a file of the run belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Place {
    /// A facility (its 医療機関コード as the first line gives it).
    Facility(Arc<str>),
    /// No facility: a file whose first line names none. Such files are evidence to every
    /// facility (as resolution has always treated them), so they are checked first and kept.
    Common,
    /// Nothing to resolve with (unreadable, or not a file): a group of its own. (A history
    /// file that cannot be read is reported after the inputs.)
    Alone,
}

/// One facility's part of a run: the inputs and history files that belong to it, each in
/// the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    pub inputs: Vec<usize>,
    pub history: Vec<usize>,
}

/// A run planned by facility.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Groups in the order of their first input (facility-less inputs are in one group).
    pub groups: Vec<Group>,
    /// Inputs and history files without a facility: evidence to every group.
    pub common_inputs: Vec<usize>,
    pub common_history: Vec<usize>,
    /// History files that could not be read: reported after the inputs.
    pub unreadable_history: Vec<usize>,
    /// Whether any history file was given that could be read (evidence was given).
    pub history_given: bool,
}

/// `--shard K/N`: this run checks the facilities whose hash falls in shard K of N, so a
/// month can be split over machines by facility (every facility's files and history land
/// in the same shard). Facility-less and unreadable inputs are reported by shard 1 (the
/// facility-less ones are read by every shard: they are evidence to every facility).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub k: u32,
    pub n: u32,
}

impl Shard {
    pub fn parse(s: &str) -> Result<Shard, String> {
        let bad = || {
            format!("--shard は K/N の形で指定してください（1 ≤ K ≤ N）/ --shard takes K/N with 1 ≤ K ≤ N, not '{s}'")
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (k, n): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }

    /// Whether this shard checks a file of `place`. The hash is FNV-1a of the facility
    /// code: fixed, so every machine of a split agrees.
    pub fn holds(&self, place: &Place) -> bool {
        let h = match place {
            Place::Facility(f) => {
                let mut h: u64 = 0xcbf29ce484222325;
                for b in f.bytes() {
                    h ^= b as u64;
                    h = h.wrapping_mul(0x100000001b3);
                }
                h
            }
            Place::Common | Place::Alone => 0,
        };
        (h % self.n as u64) as u32 == self.k - 1
    }
}

/// Groups the inputs (by their places) and the history files (by theirs) into facilities.
/// History files of facilities not among the inputs are left out: nothing would read them.
/// With a shard, only its facilities' inputs are planned (the others are not in any group).
pub fn plan(inputs: &[Place], history: &[Place], shard: Option<Shard>) -> Plan {
    let mut plan = Plan::default();
    let mut by_facility: HashMap<&Place, usize> = HashMap::new();
    for (i, place) in inputs.iter().enumerate() {
        // Facility-less inputs are evidence in every shard, and reported by the first.
        if *place == Place::Common {
            plan.common_inputs.push(i);
        }
        if shard.is_some_and(|s| !s.holds(place)) {
            continue;
        }
        let g = match place {
            Place::Alone => None,
            p => by_facility.get(p).copied(),
        };
        match g {
            Some(g) => plan.groups[g].inputs.push(i),
            None => {
                if *place != Place::Alone {
                    by_facility.insert(place, plan.groups.len());
                }
                plan.groups.push(Group {
                    inputs: vec![i],
                    history: Vec::new(),
                });
            }
        }
    }
    plan.history_given = history.iter().any(|p| *p != Place::Alone);
    for (i, place) in history.iter().enumerate() {
        match place {
            Place::Alone => plan.unreadable_history.push(i),
            Place::Common => {
                plan.common_history.push(i);
                if let Some(&g) = by_facility.get(&Place::Common) {
                    plan.groups[g].history.push(i);
                }
            }
            p => {
                if let Some(&g) = by_facility.get(p) {
                    plan.groups[g].history.push(i);
                }
            }
        }
    }
    plan
}

/// What to do with the reports of a group whose resolution hit a bug (the panic's payload).
pub type Bug<'a> = dyn Fn(&mut [FileReport], Box<dyn std::any::Any + Send>) + Sync + 'a;

/// What [`stream`] checks with.
pub struct Steps<'a> {
    /// Checks input `i`.
    pub input: &'a (dyn Fn(usize) -> FileReport + Sync),
    /// Checks history file `i` for its facts.
    pub history: &'a (dyn Fn(usize) -> FileReport + Sync),
    /// The size of input `i` in bytes (for the window), when known.
    pub size: &'a (dyn Fn(usize) -> u64 + Sync),
    /// Input bytes and files scanned at a time (whole groups, at least one) before their
    /// facilities are resolved and handed on: [`WINDOW_BYTES`], [`WINDOW_FILES`].
    pub window: (u64, usize),
}

/// Bytes of input scanned at a time before their facilities are resolved and handed on: a
/// few times the chunk window of one large file, small next to the memory target.
pub const WINDOW_BYTES: u64 = 24 << 20;
/// Files scanned at a time at most (many tiny files).
pub const WINDOW_FILES: usize = 256;

/// Checks the planned run a window of facilities at a time and hands every report to
/// `emit` in input order (several at a time, each batch contiguous); returns the reports of
/// the history files that could not be read, in their order. A bug in resolving a group
/// gives its reports an X001 (through `bug`) instead of ending the run.
pub fn stream(
    plan: &Plan,
    rows: &Rows,
    steps: &Steps,
    bug: &Bug<'_>,
    emit: &mut dyn FnMut(Vec<FileReport>),
) -> Vec<FileReport> {
    use rayon::prelude::*;
    let mut unreadable: Vec<(usize, FileReport)> = plan
        .unreadable_history
        .par_iter()
        .map(|&i| (i, (steps.history)(i)))
        .collect();
    // Facility-less files first: they are evidence to every facility.
    let common_history: Vec<(usize, FileReport)> = plan
        .common_history
        .par_iter()
        .map(|&i| (i, (steps.history)(i)))
        .collect();
    let (common_history, bad): (Vec<_>, Vec<_>) = common_history
        .into_iter()
        .partition(|(_, r)| r.unreadable.is_none());
    unreadable.extend(bad);
    let mut common_real: HashMap<usize, FileReport> = plan
        .common_inputs
        .par_iter()
        .map(|&i| (i, (steps.input)(i)))
        .collect();
    let common_inputs: HashMap<usize, FileReport> = common_real
        .iter()
        .map(|(&i, r)| (i, as_evidence(r)))
        .collect();
    // Input order of the planned inputs, for handing reports on in order.
    let mut order: Vec<usize> = plan.groups.iter().flat_map(|g| g.inputs.clone()).collect();
    order.sort_unstable();
    let mut next = 0; // position in `order` of the next report to hand on
    let mut ready: std::collections::BTreeMap<usize, FileReport> = Default::default();
    let mut g = 0;
    while g < plan.groups.len() {
        // A window of whole groups: at least one, then while it stays small.
        let mut end = g;
        let (mut bytes, mut files) = (0u64, 0usize);
        while end < plan.groups.len()
            && (end == g || (bytes < steps.window.0 && files < steps.window.1))
        {
            for &i in &plan.groups[end].inputs {
                bytes += (steps.size)(i);
                files += 1;
            }
            end += 1;
        }
        let window = &plan.groups[g..end];
        // Every input and history file of the window, largest first (the last to finish
        // is then a small one), each scanned once.
        let mut jobs: Vec<(u64, bool, usize)> = Vec::new();
        for grp in window {
            for &i in grp.inputs.iter().filter(|i| !common_inputs.contains_key(i)) {
                jobs.push(((steps.size)(i), true, i));
            }
            for &h in grp
                .history
                .iter()
                .filter(|h| !plan.common_history.contains(h))
            {
                jobs.push((0, false, h));
            }
        }
        jobs.sort_by_key(|j| std::cmp::Reverse(j.0));
        let done: Vec<(bool, usize, FileReport)> = jobs
            .par_iter()
            .map(|&(_, input, i)| {
                let r = if input {
                    (steps.input)(i)
                } else {
                    (steps.history)(i)
                };
                (input, i, r)
            })
            .collect();
        let mut inputs: HashMap<usize, FileReport> = HashMap::new();
        let mut history: HashMap<usize, FileReport> = HashMap::new();
        for (input, i, r) in done {
            if input {
                inputs.insert(i, r);
            } else if r.unreadable.is_some() {
                unreadable.push((i, r));
            } else {
                history.insert(i, r);
            }
        }
        // Each group's reports, moved out (a facility-less input is also kept as evidence).
        let mut own: Vec<Vec<(usize, FileReport)>> = window
            .iter()
            .map(|grp| {
                grp.inputs
                    .iter()
                    .map(|&i| {
                        let r = inputs.remove(&i).or_else(|| common_real.remove(&i));
                        (i, r.unwrap_or_default())
                    })
                    .collect()
            })
            .collect();
        // Each group resolved on its own (in parallel: a window of small facilities).
        own.par_iter_mut()
            .zip(window.par_iter())
            .for_each(|(own, grp)| {
                let evidence = GroupEvidence {
                    plan,
                    history: &history,
                    common_history: &common_history,
                    common_inputs: &common_inputs,
                    rows,
                };
                resolve_group(&evidence, grp, own, bug)
            });
        drop(history);
        for (i, r) in own.into_iter().flatten() {
            ready.insert(i, r);
        }
        // Hand on what is now contiguous.
        let mut batch = Vec::new();
        while next < order.len() {
            match ready.remove(&order[next]) {
                Some(r) => {
                    batch.push(r);
                    next += 1;
                }
                None => break,
            }
        }
        if !batch.is_empty() {
            emit(batch);
        }
        g = end;
    }
    unreadable.sort_by_key(|(i, _)| *i);
    unreadable.into_iter().map(|(_, r)| r).collect()
}

/// What resolution reads of a report, for a facility-less file that is evidence to every
/// facility while its own report goes on.
fn as_evidence(r: &FileReport) -> FileReport {
    FileReport {
        path: r.path.clone(),
        unreadable: r.unreadable.clone(),
        receipts: r.receipts,
        records: r.records,
        facts: r.facts.clone(),
        body: r.body.clone(),
        source_lines: r.source_lines,
        facility: r.facility.clone(),
        kind: r.kind,
        ..FileReport::default()
    }
}

/// The evidence a group is resolved with besides its own files.
struct GroupEvidence<'a> {
    plan: &'a Plan,
    /// The window's history files that were read, by position.
    history: &'a HashMap<usize, FileReport>,
    /// The facility-less history files, in order, by position.
    common_history: &'a [(usize, FileReport)],
    common_inputs: &'a HashMap<usize, FileReport>,
    rows: &'a Rows,
}

/// Resolves one group's reports `own` (input order) with the group's history, the
/// facility-less files and its own files as evidence, in the order the whole batch would
/// have them: history in the order given, then inputs in input order.
fn resolve_group(ev: &GroupEvidence, grp: &Group, own: &mut [(usize, FileReport)], bug: &Bug<'_>) {
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::rules::internal::test_panic(crate::rules::internal::Stage::Resolution);
        // History: the group's own and the facility-less ones, merged by position.
        let mut h: Vec<(usize, &FileReport)> = grp
            .history
            .iter()
            .filter_map(|i| ev.history.get(i).map(|r| (*i, r)))
            .collect();
        h.extend(ev.common_history.iter().map(|(i, r)| (*i, r)));
        h.sort_by_key(|(i, _)| *i);
        h.dedup_by_key(|(i, _)| *i);
        let h: Vec<&FileReport> = h.into_iter().map(|(_, r)| r).collect();
        // The batch: the group's inputs and the facility-less ones, merged by position.
        let mut b: Vec<(usize, &FileReport, bool)> =
            own.iter().map(|(i, r)| (*i, r, true)).collect();
        for (&i, r) in ev.common_inputs {
            if !grp.inputs.contains(&i) {
                b.push((i, r, false));
            }
        }
        b.sort_by_key(|(i, _, _)| *i);
        let batch: Vec<&FileReport> = b.iter().map(|(_, r, _)| *r).collect();
        let mine: Vec<bool> = b.iter().map(|(_, _, m)| *m).collect();
        let given = !ev.rows.rows.is_empty() || ev.plan.history_given;
        let found = qualification::resolve_files(&h, &batch, &mine, ev.rows, given);
        found.into_iter().flatten().collect::<Vec<_>>()
    }));
    match run {
        Ok(found) => {
            for ((_, r), f) in own.iter_mut().zip(found) {
                qualification::apply(r, f);
            }
        }
        Err(p) => {
            let mut reports: Vec<FileReport> =
                own.iter_mut().map(|(_, r)| std::mem::take(r)).collect();
            bug(&mut reports, p);
            for ((_, r), back) in own.iter_mut().zip(reports) {
                *r = back;
            }
        }
    }
}
