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

/// Slots sorted by key, with a directory of where each value of the key's top 16 bits
/// starts: a lookup reads the directory and then the few slots of its bucket, instead of
/// bisecting half a million slots (about 20 cache misses) for every receipt.
#[derive(Debug, Default)]
struct Table {
    slots: Vec<Slot>,
    /// `dir[b]..dir[b + 1]` are the slots whose key's top 16 bits are `b` (empty when the
    /// table is small enough to bisect).
    dir: Vec<u32>,
    /// Whether any slot is of an entry without 医療機関コード (CSV rows, or a file without IR).
    any_facilityless: bool,
}

const DIR_BITS: u32 = 16;

impl Table {
    fn push(&mut self, key: u64, at: u64, facilityless: bool) {
        self.slots.push(Slot { key, at });
        self.any_facilityless |= facilityless;
    }

    fn finish(&mut self) {
        // Slots are distinct (by entry), so the order is the same on any thread count.
        rayon::slice::ParallelSliceMut::par_sort_unstable(&mut self.slots[..]);
        self.slots.shrink_to_fit();
        if self.slots.len() > 4096 && self.slots.len() < u32::MAX as usize {
            let mut dir = vec![0u32; (1 << DIR_BITS) + 1];
            for s in &self.slots {
                dir[(s.key >> (64 - DIR_BITS)) as usize + 1] += 1;
            }
            for b in 1..dir.len() {
                dir[b] += dir[b - 1];
            }
            self.dir = dir;
        }
    }

    fn range(&self, key: u64) -> impl Iterator<Item = u64> + '_ {
        let bucket = if self.dir.is_empty() {
            &self.slots[..]
        } else {
            let b = (key >> (64 - DIR_BITS)) as usize;
            &self.slots[self.dir[b] as usize..self.dir[b + 1] as usize]
        };
        let start = bucket.partition_point(|s| s.key < key);
        bucket[start..]
            .iter()
            .take_while(move |s| s.key == key)
            .map(|s| s.at)
    }
}

/// What [`Index`] files one piece of evidence under: its table keys.
struct Entry {
    /// Key in the カルテ番号 table.
    karte: Option<u64>,
    /// Key in the birth-date tables.
    birth: Option<u64>,
    at: u64,
    /// [`HAS_KARTE`] when the entry has a カルテ番号.
    flag: u64,
    /// Without 医療機関コード.
    none: bool,
}

impl Entry {
    fn of(facility: &str, keys: &super::Keys, at: u64) -> Entry {
        let bk = keys.birth_key();
        Entry {
            karte: (keys.karte != 0).then(|| karte_key(facility, keys.karte)),
            birth: (bk != 0).then(|| birth_key(facility, bk)),
            at,
            flag: if keys.karte != 0 { HAS_KARTE } else { 0 },
            none: facility.is_empty(),
        }
    }

    /// The entry's slot in one of the tables, if it has one there.
    fn slot(&self, table: u8) -> Option<Slot> {
        match table {
            KARTE => self.karte.map(|key| Slot {
                key,
                at: self.at | HAS_KARTE,
            }),
            BIRTH => self.birth.map(|key| Slot {
                key,
                at: self.at | self.flag,
            }),
            _ => self
                .birth
                .filter(|_| self.flag == 0)
                .map(|key| Slot { key, at: self.at }),
        }
    }
}

/// The tables, as [`Entry::slot`] names them.
const KARTE: u8 = 0;
const BIRTH: u8 = 1;
const BIRTH_NO_KARTE: u8 = 2;

/// The three lookup tables of a set of entries, as [`Entry::slot`] names them.
#[derive(Debug, Default)]
struct Tables {
    /// Entries with a カルテ番号, by (facility, カルテ番号).
    karte: Table,
    /// Every entry with a birth date, by (facility, 生年月日, 男女区分).
    birth: Table,
    /// The same, for the entries without a カルテ番号 only (a receipt with one looks there).
    birth_no_karte: Table,
}

impl Tables {
    fn add(&mut self, facility: &str, keys: &super::Keys, at: u64) {
        let e = Entry::of(facility, keys, at);
        for (table, t) in [
            (KARTE, &mut self.karte),
            (BIRTH, &mut self.birth),
            (BIRTH_NO_KARTE, &mut self.birth_no_karte),
        ] {
            if let Some(s) = e.slot(table) {
                t.push(s.key, s.at, e.none);
            }
        }
    }

    fn finish(&mut self) {
        let Tables {
            karte,
            birth,
            birth_no_karte,
        } = self;
        rayon::join(
            || karte.finish(),
            || rayon::join(|| birth.finish(), || birth_no_karte.finish()),
        );
    }

    /// Appends the entries filed under `facility` that may be about `keys`; `any` says the
    /// facility is looked up as the facility-less second pass (only tables that have such
    /// entries are read).
    fn look(&self, keys: &super::Keys, facility: &str, second: bool, ats: &mut Vec<u64>) {
        let bk = keys.birth_key();
        let pass = |t: &Table| !second || t.any_facilityless;
        if keys.karte != 0 {
            if pass(&self.karte) {
                ats.extend(self.karte.range(karte_key(facility, keys.karte)));
            }
            if bk != 0 && pass(&self.birth_no_karte) {
                ats.extend(self.birth_no_karte.range(birth_key(facility, bk)));
            }
        } else if bk != 0 && pass(&self.birth) {
            ats.extend(self.birth.range(birth_key(facility, bk)));
        }
    }
}

/// The rows of the qualifications CSV, indexed once for a whole run: every facility's
/// resolution reads them (they belong to the clinic running the check, so they have no
/// 医療機関コード).
#[derive(Debug, Default)]
pub struct Rows {
    pub rows: Vec<Row>,
    tables: Tables,
    /// The オンライン資格確認 results among `rows`, by the [`Qualification::key`] of the
    /// qualification they answer for, newest first (see [`answers_by_card`]).
    ///
    /// [`Qualification::key`]: super::Qualification::key
    pub(crate) by_qual: HashMap<u64, Vec<usize>>,
}

impl Rows {
    pub fn build(rows: Vec<Row>) -> Rows {
        let mut r = Rows {
            rows: dedupe_rows(rows),
            ..Rows::default()
        };
        for i in 0..r.rows.len() {
            let keys = r.rows[i].keys;
            r.tables.add("", &keys, at_of(Ev::Row(i)));
        }
        r.tables.finish();
        r.by_qual = answers_by_card(&r.rows);
        r
    }
}

/// Most distinct オンライン資格確認 answers compared with a claim on one card (newest first).
pub(crate) const MAX_PER_CARD: usize = 64;

/// The オンライン資格確認 results of `rows` by the qualification they answer for, newest
/// first: a claim is compared with what the system answered for its own 保険者番号 and 番号.
/// Built once a run (it depends on the rows alone), not per facility.
///
/// The same answer again (a patient confirmed at the reader at every visit) says nothing
/// new: the newest of each is kept. A card with very many distinct answers (one number
/// claimed for thousands of people, as in damaged or generated data) keeps its newest
/// [`MAX_PER_CARD`] only, so the work stays linear.
fn answers_by_card(rows: &[Row]) -> HashMap<u64, Vec<usize>> {
    // (card, row) of every result, by card and then in the order given; a month's worth of
    // results (100,000) keyed in parallel, then grouped by one sort.
    use rayon::prelude::*;
    let mut pairs: Vec<(u64, usize)> = rows
        .par_iter()
        .enumerate()
        .filter_map(|(i, r)| r.onshi.is_some().then(|| (r.qual.key(), i)))
        .collect();
    pairs.par_sort_unstable();
    let cards = pairs.chunk_by(|a, b| a.0 == b.0).count();
    let mut by_qual: HashMap<u64, Vec<usize>> = HashMap::with_capacity(cards);
    for run in pairs.chunk_by(|a, b| a.0 == b.0) {
        let mut v: Vec<usize> = run.iter().map(|&(_, i)| i).collect();
        // One answer for a card (the usual case) is kept as it is.
        if v.len() > 1 {
            // Stable: among equal dates, the order the results were given.
            v.sort_by_key(|&i| {
                std::cmp::Reverse(rows[i].onshi.as_deref().map_or(0, |a| a.confirmed))
            });
            let mut seen = std::collections::HashSet::new();
            v.retain(|&i| {
                let r = &rows[i];
                let a = r.onshi.as_deref();
                seen.insert((
                    r.keys.name,
                    r.who.birth,
                    r.who.sex,
                    r.status,
                    &*r.branch,
                    a.map(|a| (a.acquired, a.lost, a.family, &*a.kana, a.institution)),
                ))
            });
            v.truncate(MAX_PER_CARD);
        }
        by_qual.insert(run[0].0, v);
    }
    by_qual
}

/// The evidence of one resolution: the run's CSV rows and the facts of its claim files.
#[derive(Debug)]
pub struct Index<'r> {
    pub rows: &'r [Row],
    row_tables: &'r Tables,
    facts: Tables,
}

impl<'r> Index<'r> {
    /// Indexes `rows` and the ordinary claims of `files` (each claim is evidence that the
    /// patient has, or had, that qualification).
    pub fn build(rows: &'r Rows, files: &[FileFacts]) -> Index<'r> {
        let mut ix = Index {
            rows: &rows.rows,
            row_tables: &rows.tables,
            facts: Tables::default(),
        };
        // One entry per (facility, patient, qualification): the newest month, the first given
        // among equals. Grouped by a hash of all of it; within a group sorted newest first,
        // then in the order given, so each group's first candidate is the one kept. This runs
        // after the scan, alone, over half a million facts a month: each step runs on every
        // thread, and the facts are read in order (by group they would be a cache miss each).
        use rayon::prelude::*;
        let mut cand: Vec<(u64, u32, u64)> = files
            .par_iter()
            .enumerate()
            .flat_map(|(f, file)| {
                file.facts
                    .par_iter()
                    .enumerate()
                    .filter_map(move |(i, fact)| {
                        let Claim::Ordinary(q) = fact.claim() else {
                            return None;
                        };
                        let k = fact.keys();
                        let bk = if k.karte == 0 { k.birth_key() } else { 0 };
                        let group = mix(&[
                            file.facility.as_bytes(),
                            &k.karte.to_le_bytes(),
                            &k.name.to_le_bytes(),
                            &q.to_le_bytes(),
                            &bk.to_le_bytes(),
                        ]);
                        Some((group, u32::MAX - fact.ym(), at_of(Ev::Fact(f, i))))
                    })
            })
            .collect();
        // Candidates are distinct (by entry), so the order is the same on any thread count.
        cand.par_sort_unstable();
        let mut keep: Vec<Vec<bool>> = files.iter().map(|f| vec![false; f.facts.len()]).collect();
        let mut run = 0;
        while run < cand.len() {
            let (group, _, best) = cand[run];
            if let Ev::Fact(f, i) = ev_of(best) {
                keep[f][i] = true;
            }
            while run < cand.len() && cand[run].0 == group {
                run += 1;
            }
        }
        drop(cand);
        // Each table's slots straight from the facts kept, in one parallel pass per table.
        let slots = |table: u8| -> Vec<Slot> {
            files
                .par_iter()
                .zip(keep.par_iter())
                .enumerate()
                .flat_map(|(f, (file, keep))| {
                    file.facts
                        .par_iter()
                        .zip(keep.par_iter())
                        .enumerate()
                        .filter_map(move |(i, (fact, &kept))| {
                            if !kept {
                                return None;
                            }
                            Entry::of(file.facility, &fact.keys(), at_of(Ev::Fact(f, i)))
                                .slot(table)
                        })
                })
                .collect()
        };
        let facilityless = |slots: &[Slot]| {
            files.iter().any(|f| f.facility.is_empty())
                && slots.iter().any(|s| match ev_of(s.at) {
                    Ev::Fact(f, _) => files[f].facility.is_empty(),
                    Ev::Row(_) => true,
                })
        };
        for (table, t) in [
            (KARTE, &mut ix.facts.karte),
            (BIRTH, &mut ix.facts.birth),
            (BIRTH_NO_KARTE, &mut ix.facts.birth_no_karte),
        ] {
            let s = slots(table);
            t.any_facilityless |= facilityless(&s);
            t.slots.extend(s);
        }
        ix.facts.finish();
        ix
    }

    /// Entries that may be about the patient with `keys` at `facility`, in the order the
    /// evidence was given: by カルテ番号 when the receipt has one (and by birth date the
    /// entries that have none), else by birth date and sex. The caller confirms each with
    /// [`super::same_patient`]. Entries of the facility and facility-less CSV rows are both
    /// looked up, so the usual case is a few bisections.
    pub fn about(&self, keys: &super::Keys, facility: &str) -> Vec<Ev> {
        // Usually one entry (the receipt's own claim) or none: one allocation at most.
        let mut ats: Vec<u64> = Vec::new();
        let facilities: &[&str] = if facility.is_empty() {
            &[""]
        } else {
            &[facility, ""]
        };
        for (n, f) in facilities.iter().enumerate() {
            // The second pass (no facility) only finds something if such entries exist. CSV
            // rows are all facility-less: they are read in that pass only.
            if f.is_empty() {
                self.row_tables.look(keys, f, n > 0, &mut ats);
            }
            self.facts.look(keys, f, n > 0, &mut ats);
        }
        for at in ats.iter_mut() {
            *at &= !HAS_KARTE;
        }
        if ats.len() > 1 {
            ats.sort_unstable();
            ats.dedup();
        }
        match ats[..] {
            [] => Vec::new(),
            [at] => vec![ev_of(at)],
            _ => ats.into_iter().map(ev_of).collect(),
        }
    }
}

/// CSV rows that only say a qualification was seen (no current / past status) keep one row
/// per patient and qualification: the newest, the first among equals.
fn dedupe_rows(rows: Vec<Row>) -> Vec<Row> {
    // Results and CSV rows with a status are all kept, in order.
    if !rows.iter().any(|r| r.status == Status::Seen) {
        return rows;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qualify::{Answer, Identity, Qualification};

    /// An オンライン資格確認 result for card `number`, answering for `name`, confirmed on
    /// 2026-10-`day`.
    fn answer(number: &str, name: &str, day: u32) -> Row {
        let who = Identity {
            name: name.into(),
            birth: 19700401,
            sex: 1,
            ..Identity::default()
        };
        Row {
            keys: who.keys(),
            who,
            qual: Qualification {
                insurer: "06139992".into(),
                symbol: Box::default(),
                number: number.into(),
            },
            status: Status::Current,
            ym: 202610,
            path: "res/r.xml".into(),
            row: 13,
            branch: "00".into(),
            onshi: Some(Box::new(Answer {
                validity: 1,
                confirmed: 20261000 + day,
                ..Answer::default()
            })),
        }
    }

    fn card(number: &str) -> u64 {
        Qualification {
            insurer: "06139992".into(),
            symbol: Box::default(),
            number: number.into(),
        }
        .key()
    }

    /// One card claimed for many people (damaged or generated data) is compared with its
    /// newest [`MAX_PER_CARD`] distinct answers only; the same answer again counts once
    /// (the newest is kept); other cards are not touched.
    #[test]
    fn a_card_keeps_its_newest_64_distinct_answers() {
        let mut rows = Vec::new();
        // 100 people on card 1 (confirmed on days 1..=28, several a day), each answered
        // twice, and one answer on card 2.
        for k in 0..100u32 {
            let day = 1 + k % 28;
            rows.push(answer("1", &format!("患者{k}"), day));
            rows.push(answer("1", &format!("患者{k}"), day));
        }
        rows.push(answer("2", "別人", 5));
        let r = Rows::build(rows);
        let kept = &r.by_qual[&card("1")];
        assert_eq!(kept.len(), MAX_PER_CARD);
        let date = |i: usize| r.rows[i].onshi.as_ref().unwrap().confirmed;
        // Newest first, and nothing dropped is newer than anything kept.
        assert!(kept.windows(2).all(|w| date(w[0]) >= date(w[1])));
        let oldest_kept = date(*kept.last().unwrap());
        let dropped_newer = (0..r.rows.len())
            .filter(|i| r.rows[*i].qual.number.as_ref() == "1" && !kept.contains(i))
            .filter(|&i| {
                !kept
                    .iter()
                    .any(|&j| r.rows[j].who.name == r.rows[i].who.name)
            })
            .any(|i| date(i) > oldest_kept);
        assert!(
            !dropped_newer,
            "a newer answer was dropped for an older one"
        );
        // Each kept answer is a distinct person (the repeat was folded into it), and of two
        // equal answers the first given is kept.
        let mut names: Vec<&str> = kept.iter().map(|&i| &*r.rows[i].who.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MAX_PER_CARD);
        assert!(kept.iter().all(|&i| i % 2 == 0), "{kept:?}");
        assert_eq!(r.by_qual[&card("2")].len(), 1);
    }

    /// Below the cap nothing is cut, and CSV rows (no answer) are not in the table.
    #[test]
    fn few_answers_are_all_kept_and_csv_rows_are_not_answers() {
        let mut rows: Vec<Row> = (0..MAX_PER_CARD as u32)
            .map(|k| answer("1", &format!("患者{k}"), 1 + k % 28))
            .collect();
        let mut csv = answer("1", "CSV の患者", 28);
        csv.onshi = None;
        rows.push(csv);
        let r = Rows::build(rows);
        assert_eq!(r.by_qual[&card("1")].len(), MAX_PER_CARD);
        assert!(r.by_qual[&card("1")]
            .iter()
            .all(|&i| r.rows[i].onshi.is_some()));
    }
}
