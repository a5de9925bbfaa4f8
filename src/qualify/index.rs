//! The evidence index: every known qualification — rows of the qualifications CSV, and the
//! ordinary claims of the history files and of the files being checked — found by
//! (医療機関コード, カルテ番号) and by (医療機関コード, 生年月日, 男女区分).
//!
//! Claim-file evidence is not copied: an entry is a (file, fact) reference into the reports'
//! [`ReceiptFact`]s, and the lookup tables are two sorted arrays of (key, entry), 16 bytes
//! per entry, searched by bisection. A patient claimed again on the same qualification keeps
//! one entry (the newest month), so a patient's entries stay as few as their distinct
//! qualifications, however many receipts they have.

use super::{mix, Claim, ReceiptFact, Row, Status};
use std::collections::HashMap;

/// A piece of evidence: a CSV row, or a fact of one of the claim files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ev {
    Row(usize),
    /// (file, fact): the file's position in the list given to [`Index::build`].
    Fact(usize, usize),
}

/// Bit of [`Slot::at`] set when the entry has a カルテ番号.
const HAS_KARTE: u64 = 1 << 63;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Slot {
    key: u64,
    /// The entry, as [`at_of`] encodes it (ordered as the evidence was given), plus
    /// [`HAS_KARTE`].
    at: u64,
}

fn at_of(ev: Ev) -> u64 {
    match ev {
        Ev::Row(i) => i as u64,
        Ev::Fact(f, i) => ((f as u64 + 1) << 32) | i as u64,
    }
}

fn ev_of(at: u64) -> Ev {
    let at = at & !HAS_KARTE;
    match at >> 32 {
        0 => Ev::Row(at as usize),
        f => Ev::Fact(f as usize - 1, (at & 0xFFFF_FFFF) as usize),
    }
}

fn karte_key(facility: &str, karte: u64) -> u64 {
    mix(&[facility.as_bytes(), b"k", &karte.to_le_bytes()])
}

fn birth_key(facility: &str, birth: u64) -> u64 {
    mix(&[facility.as_bytes(), b"b", &birth.to_le_bytes()])
}

/// A claim file as evidence: its 医療機関コード and its facts.
#[derive(Debug, Clone, Copy)]
pub struct FileFacts<'a> {
    pub facility: &'a str,
    pub facts: &'a [ReceiptFact],
}

#[derive(Debug, Default)]
pub struct Index {
    pub rows: Vec<Row>,
    karte: Vec<Slot>,
    birth: Vec<Slot>,
}

impl Index {
    /// Indexes `rows` and the ordinary claims of `files` (each claim is evidence that the
    /// patient has, or had, that qualification).
    pub fn build(rows: Vec<Row>, files: &[FileFacts]) -> Index {
        let mut ix = Index {
            rows: dedupe_rows(rows),
            ..Index::default()
        };
        for (i, r) in ix.rows.iter().enumerate() {
            let at = at_of(Ev::Row(i));
            slots_for(&mut ix.karte, &mut ix.birth, "", &r.keys, at);
        }
        // One entry per (facility, patient, qualification): the newest month, the first given
        // among equals. Grouped by a hash of all of it, sorted in the order given.
        let mut cand: Vec<(u64, u64)> = Vec::new();
        for (f, file) in files.iter().enumerate() {
            for (i, fact) in file.facts.iter().enumerate() {
                if let Claim::Ordinary(q) = fact.claim() {
                    let k = fact.keys();
                    let bk = if k.karte == 0 { k.birth_key() } else { 0 };
                    let group = mix(&[
                        file.facility.as_bytes(),
                        &k.karte.to_le_bytes(),
                        &k.name.to_le_bytes(),
                        &q.to_le_bytes(),
                        &bk.to_le_bytes(),
                    ]);
                    cand.push((group, at_of(Ev::Fact(f, i))));
                }
            }
        }
        cand.sort_unstable();
        let fact = |at: u64| match ev_of(at) {
            Ev::Fact(f, i) => (f, &files[f].facts[i]),
            Ev::Row(_) => unreachable!("only facts are candidates"),
        };
        let mut run = 0;
        while run < cand.len() {
            let group = cand[run].0;
            let mut end = run;
            let mut best = cand[run].1;
            while end < cand.len() && cand[end].0 == group {
                if fact(cand[end].1).1.ym() > fact(best).1.ym() {
                    best = cand[end].1;
                }
                end += 1;
            }
            let (f, kept) = fact(best);
            slots_for(
                &mut ix.karte,
                &mut ix.birth,
                files[f].facility,
                &kept.keys(),
                best,
            );
            run = end;
        }
        drop(cand);
        ix.karte.sort_unstable();
        ix.birth.sort_unstable();
        ix.karte.shrink_to_fit();
        ix.birth.shrink_to_fit();
        ix
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.karte.is_empty() && self.birth.is_empty()
    }

    /// Entries that may be about the patient with `keys` at `facility`, in the order the
    /// evidence was given: by カルテ番号 when the receipt has one (and by birth date the
    /// entries that have none), else by birth date and sex. The caller confirms each with
    /// [`super::same_patient`]. Entries of the facility and facility-less CSV rows are both
    /// looked up, so the usual case is a few bisections.
    pub fn about(&self, keys: &super::Keys, facility: &str) -> Vec<Ev> {
        let mut ats: Vec<u64> = Vec::new();
        let bk = keys.birth_key();
        let facilities: &[&str] = if facility.is_empty() {
            &[""]
        } else {
            &[facility, ""]
        };
        for f in facilities {
            if keys.karte != 0 {
                ats.extend(range(&self.karte, karte_key(f, keys.karte)));
                if bk != 0 {
                    ats.extend(
                        range(&self.birth, birth_key(f, bk)).filter(|at| at & HAS_KARTE == 0),
                    );
                }
            } else if bk != 0 {
                ats.extend(range(&self.birth, birth_key(f, bk)));
            }
        }
        for at in ats.iter_mut() {
            *at &= !HAS_KARTE;
        }
        ats.sort_unstable();
        ats.dedup();
        ats.into_iter().map(ev_of).collect()
    }
}

fn range(slots: &[Slot], key: u64) -> impl Iterator<Item = u64> + '_ {
    let start = slots.partition_point(|s| s.key < key);
    slots[start..]
        .iter()
        .take_while(move |s| s.key == key)
        .map(|s| s.at)
}

fn slots_for(
    karte: &mut Vec<Slot>,
    birth: &mut Vec<Slot>,
    facility: &str,
    keys: &super::Keys,
    at: u64,
) {
    let flag = if keys.karte != 0 { HAS_KARTE } else { 0 };
    if keys.karte != 0 {
        karte.push(Slot {
            key: karte_key(facility, keys.karte),
            at: at | flag,
        });
    }
    let bk = keys.birth_key();
    if bk != 0 {
        birth.push(Slot {
            key: birth_key(facility, bk),
            at: at | flag,
        });
    }
}

/// CSV rows that only say a qualification was seen (no current / past status) keep one row
/// per patient and qualification: the newest, the first among equals.
fn dedupe_rows(rows: Vec<Row>) -> Vec<Row> {
    let mut kept: Vec<Row> = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(u64, u64, u64, u64), usize> = HashMap::new();
    for r in rows {
        if r.status == Status::Seen {
            let bk = if r.keys.karte == 0 {
                r.keys.birth_key()
            } else {
                0
            };
            let key = (r.keys.karte, r.keys.name, r.qual.key(), bk);
            if let Some(&i) = seen.get(&key) {
                if r.ym > kept[i].ym {
                    kept[i] = r;
                }
                continue;
            }
            seen.insert(key, kept.len());
        }
        kept.push(r);
    }
    kept
}
