//! A structure-aware fuzzer for recelint that works on stable Rust, with no extra crates.
//!
//! ```sh
//! cargo run --release --example fuzz -- --iterations 1000000 --seed 1 [--seconds 600] [--jobs 1]
//! ```
//!
//! Seeds: the bundled sample, every fixture of `testdata/rules/*.txt` and
//! `testdata/qualify/*/*.txt` built into bytes, and the public corpus files. Each execution
//! takes a seed (or a recent mutant), applies a stack of mutations that know about records,
//! fields and line ends (splice records between inputs, duplicate / delete / swap lines, set a
//! field to a random value, insert 0x1A / `"` / Shift_JIS lead bytes, truncate, flip CR / LF,
//! blow a field up to 100 KB, insert thousands of commas, …), then runs what `recelint check`
//! runs: `check_bytes` (with source lines; one input in eight from a temporary file on disk
//! with `check_path`, so resolution reads receipts again by offset), the insured-number
//! resolution, and every output format, inside `catch_unwind`. The JSON output must parse.
//!
//! A panic writes the input to `testdata/fuzz/crash-<hash>.bin` (and a smaller input that
//! panics at the same place to `crash-<hash>.min.bin`) and prints where it panicked;
//! `tests/fuzz_smoke.rs` re-checks every file there. An input that takes more than 1 s is
//! flagged (and kept in `target/fuzz/slow-<hash>.bin`); one that takes more than `--hang-secs`
//! is saved as a hang while it is still running.
//!
//! The logic is in `pub` functions so `tests/fuzz_smoke.rs` can include this file as a module.

use recelint::batch::{self, Evidence};
use recelint::check::{check_bytes, CheckOptions, FileReport};
use recelint::render::{render_all, Format, Style};
use recelint::report::Lang;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashSet};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// PRNG

/// splitmix64: small, fast, and the same sequence for the same seed everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6A09_E667_F3BC_C908)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// True one time in `n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }
}

/// FNV-1a, 64 bits: names saved inputs by their content.
pub fn hash(data: &[u8]) -> u64 {
    let mut h = 0xCBF2_9CE4_8422_2325u64;
    for &b in data {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

// ---------------------------------------------------------------------------------------
// Seeds

/// The project folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where crashing inputs are kept (regression inputs for `tests/fuzz_smoke.rs`).
pub fn crash_dir() -> PathBuf {
    root().join("testdata/fuzz")
}

/// Builds a fixture's text form (`testdata/README.md`) into bytes; expectations are ignored.
pub fn build_fixture(src: &str) -> Vec<u8> {
    recelint::fixture::build(src).bytes
}

fn sorted_files(dir: &Path, pred: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.is_file() && pred(p));
    v.sort();
    v
}

/// The marker of recelint's test hook (see [`load_seeds`]).
pub const TEST_PANIC: &[u8] = b"RECELINT-TEST-PANIC";

/// Every seed input: claim files, and qualification CSVs (second element of the pair).
pub fn load_seeds() -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let r = root();
    let mut claims = Vec::new();
    if let Ok(b) = std::fs::read(r.join("testdata/sample/RECEIPTC.UKE")) {
        claims.push(b);
    }
    let is_txt = |p: &Path| p.extension().is_some_and(|e| e == "txt");
    for p in sorted_files(&r.join("testdata/rules"), is_txt) {
        if let Ok(s) = std::fs::read_to_string(&p) {
            claims.push(build_fixture(&s));
        }
    }
    let mut csvs = Vec::new();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(r.join("testdata/qualify"))
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    cases.sort();
    for c in cases.iter().filter(|c| c.is_dir()) {
        for p in sorted_files(c, is_txt) {
            if let Ok(s) = std::fs::read_to_string(&p) {
                claims.push(build_fixture(&s));
            }
        }
        for p in sorted_files(c, |p| p.extension().is_some_and(|e| e == "csv")) {
            if let Ok(b) = std::fs::read(&p) {
                csvs.push(b);
            }
        }
    }
    // The public samples seed the fuzzer too when the opt-in suite's folder is given.
    let corpus = std::env::var_os("RECELINT_PUBLIC_CORPUS").map(|d| r.join(d));
    for rel in corpus.iter().flat_map(|c| {
        [
            "receiptisan/RECEIPTC_GAIRAI_SAMPLE.UKE",
            "receparser/ikasample.csv",
            "receparser/dpcsample.csv",
        ]
        .map(|rel| c.join(rel))
    }) {
        if let Ok(b) = std::fs::read(rel) {
            claims.push(b);
        }
    }
    // recelint's own test hook: in debug builds an input holding this marker panics on
    // purpose (to prove a panic becomes X001). Not a bug to find again and again.
    for c in &mut claims {
        while let Some(i) = memchr::memmem::find(c, TEST_PANIC) {
            c[i + TEST_PANIC.len() - 1] = b'X';
        }
    }
    if claims.is_empty() {
        claims.push(b"IR,1,13,1,1234567,,X,202611,00,\r\nGO,0,0,99\r\n\x1A".to_vec());
    }
    if csvs.is_empty() {
        csvs.push(b"patient_id,status,insurer,number\n1,current,01130012,1\n".to_vec());
    }
    (claims, csvs)
}

// ---------------------------------------------------------------------------------------
// The mutator

/// Splits into lines, each with its terminator (CR LF, LF or CR) if it has one.
pub fn split_lines(b: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                out.push(b[start..i + 2].to_vec());
                i += 2;
                start = i;
            }
            b'\r' | b'\n' => {
                out.push(b[start..=i].to_vec());
                i += 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < b.len() {
        out.push(b[start..].to_vec());
    }
    out
}

/// A line without its terminator, and the terminator.
fn body_term(line: &[u8]) -> (&[u8], &[u8]) {
    let n = line
        .iter()
        .rev()
        .take(2)
        .take_while(|&&c| c == b'\r' || c == b'\n')
        .count();
    line.split_at(line.len() - n)
}

/// Record ids worth trying: the 医科 records, DPC / 歯科 / 調剤 ones, near misses.
const IDS: &[&str] = &[
    "IR", "RE", "HO", "KO", "SN", "JD", "MF", "SY", "SI", "IY", "TO", "CO", "SJ", "TI", "GO", "GR",
    "KH", "TK", "BU", "SB", "KK", "CD", "GA", "GT", "HH", "SK", "EX", "JY", "MN", "RC", "HS", "SS",
    "TS", "SH", "SZ", "HI", "ir", "re", "I", "R", "", " RE", "RE ", "ＲＥ", "99",
];

/// Values that tend to break number, date and code handling.
const SPECIAL: &[&str] = &[
    "0",
    "00",
    "-1",
    "+1",
    "1.5",
    "1e9",
    "４",
    "１２３",
    "0x10",
    "99",
    "100",
    "255",
    "256",
    "32767",
    "32768",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999999999",
    "77777777",
    "77777779",
    "99999999",
    "7777777",
    "７７７７７７７",
    "999999999",
    "01130012",
    "  138057",
    "39130000",
    "06132013",
    "21136015",
    "12131017",
    "20261001",
    "20260229",
    "20250229",
    "20261301",
    "20261232",
    "00000000",
    "99991231",
    "202610",
    "202613",
    "000000",
    "4061001",
    "5081231",
    "R080101",
    "H300101",
    "1",
    "2",
    "3",
    "9",
    "1112",
    "1116",
    "1318",
    "1122",
    "1212",
    "9999",
    "●",
    "●●●●",
    "〓",
    "？",
    "?",
    "　",
    " ",
    "ｱｲｳ",
    "住所",
    "電話０３－１２３４－５６７８",
    "旧資格",
    "111000110",
    "620000402",
    "810000001",
    "4019001",
    "0000999",
    "8",
    "12",
    "01",
    "02",
    "99",
];

/// Shift_JIS pairs of interest: ●, 〓, ？, ７, full-width space, a NEC circled digit, an IBM
/// kanji, a user-defined 外字, an invalid pair.
const SJIS_PAIRS: &[[u8; 2]] = &[
    [0x81, 0x9C],
    [0x81, 0xAC],
    [0x81, 0x48],
    [0x82, 0x56],
    [0x81, 0x40],
    [0x87, 0x40],
    [0xFA, 0x40],
    [0xF0, 0x40],
    [0x85, 0x40],
    [0x82, 0xA0],
    [0x88, 0x9F],
    [0xEA, 0xA4],
];

/// A structure-aware mutator over claim files.
pub struct Mutator {
    pub seeds: Vec<Vec<u8>>,
    pub csvs: Vec<Vec<u8>>,
    /// Field values seen in the seeds (for "dictionary" replacements).
    dict: Vec<Vec<u8>>,
    /// Recent mutants, so mutations stack up over time.
    pool: Vec<Vec<u8>>,
    pool_next: usize,
    /// Inputs are cut back to this size (except, when it is at least `MAX_INPUT`, the rare
    /// "big file" mutation that makes several MiB).
    pub max_input: usize,
}

/// Largest input kept for further mutation.
const POOL_MAX_INPUT: usize = 256 << 10;
const POOL_SIZE: usize = 256;
/// Inputs are cut back to this size (except the rare "big file" mutation).
const MAX_INPUT: usize = 2 << 20;
/// No input ever grows past this, even between mutation steps (more than two of the
/// reader's 16 MiB no-boundary cuts, so the long-line path is still reached).
const HARD_MAX_INPUT: usize = 40 << 20;
/// Line-level mutations only below this size (see [`Mutator::mutate`]).
const LINE_OPS_MAX: usize = 4 << 20;

impl Mutator {
    pub fn new(seeds: Vec<Vec<u8>>, csvs: Vec<Vec<u8>>) -> Mutator {
        let mut set = HashSet::new();
        for s in &seeds {
            for l in split_lines(s) {
                for f in body_term(&l).0.split(|&c| c == b',') {
                    if f.len() <= 64 {
                        set.insert(f.to_vec());
                    }
                }
            }
        }
        let mut dict: Vec<Vec<u8>> = set.into_iter().collect();
        dict.sort();
        Mutator {
            seeds,
            csvs,
            dict,
            pool: Vec::new(),
            pool_next: 0,
            max_input: MAX_INPUT,
        }
    }

    /// The next input: a seed or a recent mutant, mutated 1 to 8 times.
    pub fn next_input(&mut self, rng: &mut Rng) -> Vec<u8> {
        let mut data = if !self.pool.is_empty() && rng.below(10) < 3 {
            rng.pick(&self.pool).clone()
        } else {
            rng.pick(&self.seeds).clone()
        };
        let n = if rng.one_in(4) { rng.range(2, 8) } else { 1 };
        for _ in 0..n {
            data = self.mutate(rng, data);
            // Each step may copy blocks of the input several times: chained, that grew one
            // input past 20 GB and the kernel killed the campaign (the harness, not recelint:
            // `--generate` re-created the sequence without running it and was killed too).
            data.truncate(HARD_MAX_INPUT);
        }
        let big_ok = self.max_input >= MAX_INPUT && rng.one_in(50);
        if data.len() > self.max_input && !big_ok {
            data.truncate(self.max_input);
        }
        if data.len() <= POOL_MAX_INPUT && rng.one_in(8) {
            if self.pool.len() < POOL_SIZE {
                self.pool.push(data.clone());
            } else {
                self.pool[self.pool_next] = data.clone();
                self.pool_next = (self.pool_next + 1) % POOL_SIZE;
            }
        }
        data
    }

    /// A qualifications CSV for this execution, mutated.
    pub fn next_csv(&self, rng: &mut Rng) -> Vec<u8> {
        let mut c = rng.pick(&self.csvs).clone();
        for _ in 0..rng.range(1, 4) {
            c = self.mutate(rng, c);
        }
        c.truncate(self.max_input);
        c
    }

    /// A random value of random length.
    pub fn value(&self, rng: &mut Rng) -> Vec<u8> {
        let len = match rng.below(20) {
            0..=3 => 0,
            4..=11 => rng.range(1, 8),
            12..=16 => rng.range(9, 64),
            17..=18 => rng.range(65, 1000),
            _ => rng.range(1001, 5000),
        };
        let mut v = Vec::with_capacity(len + 2);
        match rng.below(10) {
            0 => return SPECIAL[rng.below(SPECIAL.len())].as_bytes().to_vec(),
            1 => {
                let s = SPECIAL[rng.below(SPECIAL.len())];
                return recelint::encoding::sjis::encode(s);
            }
            2 if !self.dict.is_empty() => return rng.pick(&self.dict).clone(),
            3 => {
                while v.len() < len {
                    v.push(b'0' + rng.below(10) as u8);
                }
            }
            4 => {
                while v.len() < len {
                    v.push(rng.range(0x20, 0x7E) as u8);
                }
            }
            5 => {
                while v.len() < len {
                    let p: [u8; 2] = *rng.pick(SJIS_PAIRS);
                    v.extend_from_slice(&p);
                }
            }
            6 => {
                // Any lead byte with any trail byte (valid, extension, 外字 or invalid).
                while v.len() < len {
                    let lead = if rng.one_in(2) {
                        rng.range(0x81, 0x9F)
                    } else {
                        rng.range(0xE0, 0xFC)
                    } as u8;
                    v.push(lead);
                    v.push(rng.range(0x30, 0xFF) as u8);
                }
            }
            7 => {
                while v.len() < len {
                    v.push(rng.range(0xA1, 0xDF) as u8);
                }
            }
            _ => {
                while v.len() < len {
                    v.push(rng.byte());
                }
            }
        }
        v
    }

    fn interesting_byte(rng: &mut Rng) -> u8 {
        match rng.below(12) {
            0 => 0x1A,
            1 => b'"',
            2 => b',',
            3 => b'\r',
            4 => b'\n',
            5 => 0x00,
            6 => rng.range(0x81, 0x9F) as u8,
            7 => rng.range(0xE0, 0xFC) as u8,
            8 => rng.range(0xA0, 0xDF) as u8,
            9 => *rng.pick(&[0x7F, 0x80, 0xFD, 0xFE, 0xFF, 0x1B, 0x09, 0x08]),
            _ => rng.byte(),
        }
    }

    /// One mutation.
    pub fn mutate(&self, rng: &mut Rng, data: Vec<u8>) -> Vec<u8> {
        // An input over LINE_OPS_MAX gets byte-level operations only: line-level ones split
        // it into one vector per line and may copy blocks of them several times, which on
        // tens of MiB of short lines took gigabytes.
        let op = if data.len() > LINE_OPS_MAX {
            rng.below(8)
        } else {
            rng.below(26)
        };
        // Byte-level operations.
        match op {
            0 => {
                // Insert interesting bytes anywhere.
                let mut d = data;
                let at = rng.below(d.len() + 1);
                let n = rng.range(1, 16);
                let ins: Vec<u8> = (0..n).map(|_| Self::interesting_byte(rng)).collect();
                d.splice(at..at, ins);
                return d;
            }
            1 => {
                // Truncate.
                let mut d = data;
                let at = rng.below(d.len() + 1);
                d.truncate(at);
                return d;
            }
            2 => {
                // Flip bits or set bytes.
                let mut d = data;
                if d.is_empty() {
                    return vec![Self::interesting_byte(rng)];
                }
                for _ in 0..rng.range(1, 8) {
                    let i = rng.below(d.len());
                    if rng.one_in(2) {
                        d[i] ^= 1 << rng.below(8);
                    } else {
                        d[i] = Self::interesting_byte(rng);
                    }
                }
                return d;
            }
            3 => {
                // Crossover: the start of this input, the end of another.
                let other = rng.pick(&self.seeds);
                let a = rng.below(data.len() + 1);
                let b = rng.below(other.len() + 1);
                let mut d = data[..a].to_vec();
                d.extend_from_slice(&other[b..]);
                return d;
            }
            4 => {
                // A Shift_JIS lead byte just before a comma, a line end or the end, so the
                // "character" takes the separator as its trail byte.
                let mut d = data;
                let seps: Vec<usize> = d
                    .iter()
                    .enumerate()
                    .filter(|(_, &c)| matches!(c, b',' | b'\r' | b'\n' | 0x1A))
                    .map(|(i, _)| i)
                    .collect();
                let at = if seps.is_empty() || rng.one_in(8) {
                    d.len()
                } else {
                    *rng.pick(&seps)
                };
                let lead = if rng.one_in(2) {
                    rng.range(0x81, 0x9F)
                } else {
                    rng.range(0xE0, 0xFC)
                } as u8;
                d.insert(at, lead);
                return d;
            }
            5 => {
                // The encoding's first bytes.
                let prefix: &[u8] = rng.pick::<&[u8]>(&[
                    &[0xEF, 0xBB, 0xBF][..],
                    &[0xFF, 0xFE][..],
                    &[0xFE, 0xFF][..],
                    &[0xEF, 0xBB][..],
                    &[0xFF][..],
                    &[0x00][..],
                ]);
                let mut d = prefix.to_vec();
                d.extend_from_slice(&data);
                return d;
            }
            6 => {
                // Interleave NULs (UTF-16-like without a BOM), over a part or all of it.
                let mut d = Vec::with_capacity(data.len() * 2);
                let be = rng.one_in(2);
                let upto = if rng.one_in(2) {
                    data.len()
                } else {
                    rng.below(data.len() + 1)
                };
                for (i, &c) in data.iter().enumerate() {
                    if i < upto {
                        if be {
                            d.push(0);
                            d.push(c);
                        } else {
                            d.push(c);
                            d.push(0);
                        }
                    } else {
                        d.push(c);
                    }
                }
                return d;
            }
            7 => {
                // The 0x1A mark: remove every one, or add one with or without data after it.
                let mut d = data;
                match rng.below(3) {
                    0 => d.retain(|&c| c != 0x1A),
                    1 => d.push(0x1A),
                    _ => {
                        d.push(0x1A);
                        let v = self.value(rng);
                        d.extend_from_slice(&v);
                    }
                }
                return d;
            }
            _ => {}
        }
        let mut lines = split_lines(&data);
        if lines.is_empty() {
            lines.push(b"\r\n".to_vec());
        }
        let li = rng.below(lines.len());
        match op {
            8 | 9 => {
                // Splice records from another input.
                let src: &Vec<u8> = rng.pick(&self.seeds);
                let other = split_lines(src);
                if !other.is_empty() {
                    let a = rng.below(other.len());
                    let n = rng.range(1, 20).min(other.len() - a);
                    let at = rng.below(lines.len() + 1);
                    lines.splice(at..at, other[a..a + n].iter().cloned());
                }
            }
            10 => {
                // Duplicate a line, sometimes many times.
                let n = match rng.below(10) {
                    0..=6 => 1,
                    7 | 8 => rng.range(2, 200),
                    _ => rng.range(500, 5000),
                };
                let l = lines[li].clone();
                lines.splice(li..li, std::iter::repeat_n(l, n));
            }
            11 => {
                let n = rng.range(1, 5).min(lines.len() - li);
                lines.drain(li..li + n);
            }
            12 => {
                let j = rng.below(lines.len());
                lines.swap(li, j);
            }
            13..=15 => {
                // A field set to a random value.
                let v = self.value(rng);
                set_field(&mut lines[li], rng, v);
            }
            16 => {
                // A field blown up to 100 KB.
                let unit: Vec<u8> = match rng.below(5) {
                    0 => b"9".to_vec(),
                    1 => vec![0x81, 0x9C],
                    2 => vec![0x82, 0xA0],
                    3 => b" ".to_vec(),
                    _ => self.value(rng),
                };
                let unit = if unit.is_empty() { b"x".to_vec() } else { unit };
                let mut v = Vec::with_capacity(100 << 10);
                while v.len() < 100 << 10 {
                    v.extend_from_slice(&unit);
                }
                set_field(&mut lines[li], rng, v);
            }
            17 => {
                // Many commas inside a line.
                let n = match rng.below(4) {
                    0 => rng.range(1, 50),
                    1 => rng.range(100, 1000),
                    _ => rng.range(1000, 20000),
                };
                let (body, _) = body_term(&lines[li]);
                let at = rng.below(body.len() + 1);
                lines[li].splice(at..at, std::iter::repeat_n(b',', n));
            }
            18 => {
                // Line ends: CR LF, LF, CR, LF CR or nothing, for one line or all of them.
                let term: &[u8] = rng.pick::<&[u8]>(&[b"\r\n", b"\n", b"\r", b"\n\r", b""]);
                let all = rng.one_in(2);
                for (i, l) in lines.iter_mut().enumerate() {
                    if all || i == li {
                        let body = body_term(l).0.to_vec();
                        *l = [&body[..], term].concat();
                    }
                }
            }
            19 => {
                // Another record id.
                let id = recelint::encoding::sjis::encode(rng.pick::<&str>(IDS));
                let (body, term) = body_term(&lines[li]);
                let rest = match memchr::memchr(b',', body) {
                    Some(i) => &body[i..],
                    None => &[][..],
                };
                lines[li] = [&id[..], rest, term].concat();
            }
            20 => {
                // A value seen elsewhere in the seeds.
                if !self.dict.is_empty() {
                    let v = rng.pick(&self.dict).clone();
                    set_field(&mut lines[li], rng, v);
                }
            }
            21 => {
                // Remove or add one comma: every later field shifts.
                let (body, _) = body_term(&lines[li]);
                let commas: Vec<usize> = memchr::memchr_iter(b',', body).collect();
                if !commas.is_empty() && rng.one_in(2) {
                    let c = *rng.pick(&commas);
                    lines[li].remove(c);
                } else {
                    let at = rng.below(body.len() + 1);
                    lines[li].insert(at, b',');
                }
            }
            22 => {
                // A new line of random fields with a known id.
                let mut l = recelint::encoding::sjis::encode(rng.pick::<&str>(IDS));
                for _ in 0..rng.range(0, 50) {
                    l.push(b',');
                    let v = self.value(rng);
                    l.extend_from_slice(&v);
                }
                l.extend_from_slice(b"\r\n");
                let at = rng.below(lines.len() + 1);
                lines.insert(at, l);
            }
            23 => {
                // Duplicate a whole receipt (RE up to the next RE) many times.
                let res: Vec<usize> = (0..lines.len())
                    .filter(|&i| lines[i].starts_with(b"RE,"))
                    .collect();
                if let Some(&a) = res.get(rng.below(res.len().max(1))) {
                    let b = (a + 1..lines.len())
                        .find(|&i| lines[i].starts_with(b"RE,") || lines[i].starts_with(b"GO,"))
                        .unwrap_or(lines.len());
                    let block: Vec<Vec<u8>> = lines[a..b].to_vec();
                    let n = if rng.one_in(4) {
                        rng.range(10, 500)
                    } else {
                        rng.range(1, 3)
                    };
                    let at = b;
                    let copies: Vec<Vec<u8>> = (0..n).flat_map(|_| block.iter().cloned()).collect();
                    lines.splice(at..at, copies);
                }
            }
            24 => {
                // Rarely, a big file (several MiB, more than one chunk of the reader): the
                // receipts repeated.
                if rng.one_in(200) {
                    let target = rng.range(4 << 20, 9 << 20);
                    let body: Vec<Vec<u8>> = lines
                        .iter()
                        .filter(|l| !l.starts_with(b"IR,") && !l.starts_with(b"GO,"))
                        .cloned()
                        .collect();
                    let size: usize = body.iter().map(Vec::len).sum::<usize>().max(1);
                    let reps = target / size;
                    if reps > 1 {
                        let head: Vec<Vec<u8>> = lines
                            .iter()
                            .take_while(|l| !l.starts_with(b"RE,"))
                            .cloned()
                            .collect();
                        let tail: Vec<Vec<u8>> = lines
                            .iter()
                            .filter(|l| l.starts_with(b"GO,"))
                            .cloned()
                            .collect();
                        let mut out = head.concat();
                        for _ in 0..reps {
                            for l in &body {
                                out.extend_from_slice(l);
                            }
                        }
                        out.extend(tail.concat());
                        return out;
                    }
                }
                lines.reverse();
            }
            _ => {
                // A run of records with the 診療識別 omitted, or a line emptied.
                if rng.one_in(2) {
                    let term = body_term(&lines[li]).1.to_vec();
                    lines[li] = term;
                } else {
                    let mut l = b"SI,,1,111000110,,291,1".to_vec();
                    l.extend(std::iter::repeat_n(b',', 37));
                    l.extend_from_slice(b"\r\n");
                    let n = rng.range(90, 300);
                    lines.splice(li..li, std::iter::repeat_n(l, n));
                }
            }
        }
        lines.concat()
    }
}

/// Replaces one field (or a new one past the last) of a line with `v`.
fn set_field(line: &mut Vec<u8>, rng: &mut Rng, v: Vec<u8>) {
    let (body, term) = body_term(line);
    let term = term.to_vec();
    let mut fields: Vec<Vec<u8>> = body.split(|&c| c == b',').map(<[u8]>::to_vec).collect();
    let i = if rng.one_in(10) {
        fields.len() + rng.below(3)
    } else {
        rng.below(fields.len())
    };
    while fields.len() <= i {
        fields.push(Vec::new());
    }
    fields[i] = v;
    let mut out = fields.join(&b',');
    out.extend_from_slice(&term);
    *line = out;
}

// ---------------------------------------------------------------------------------------
// Running one input

/// Where and why an execution panicked.
#[derive(Debug, Clone)]
pub struct Crash {
    pub message: String,
    /// `file:line:column` of the panic.
    pub location: String,
    /// The frames of the backtrace inside this project (first time a location is seen).
    pub backtrace: String,
}

thread_local! {
    static IN_EXEC: Cell<bool> = const { Cell::new(false) };
    static LAST: RefCell<Option<Crash>> = const { RefCell::new(None) };
}

/// Executions running now (on any thread).
static ACTIVE: AtomicU64 = AtomicU64::new(0);

/// A panic on another thread (a rayon worker of the check) while an execution was running:
/// recelint may catch it and report X001 instead, so it is kept here to be found.
fn other_thread_panic() -> &'static Mutex<Option<Crash>> {
    static S: OnceLock<Mutex<Option<Crash>>> = OnceLock::new();
    S.get_or_init(|| Mutex::new(None))
}

fn seen_locations() -> &'static Mutex<HashSet<String>> {
    static S: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    S.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Installs (once) a panic hook that records panics during an execution quietly and leaves
/// every other panic to the previous hook (so test failures still print).
pub fn install_hook() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let prev = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let here = IN_EXEC.with(Cell::get);
            if !here {
                // Not the fuzzed code on this thread: the usual message (a failing test).
                prev(info);
                if ACTIVE.load(Ordering::SeqCst) == 0 {
                    return;
                }
            }
            let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
                s.to_string()
            } else if let Some(s) = info.payload().downcast_ref::<String>() {
                s.clone()
            } else {
                "(non-string panic payload)".to_string()
            };
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            let new = seen_locations()
                .lock()
                .map(|mut s| s.insert(location.clone()))
                .unwrap_or(false);
            let backtrace = if new {
                let bt = std::backtrace::Backtrace::force_capture().to_string();
                project_frames(&bt)
            } else {
                String::new()
            };
            let c = Crash {
                message,
                location,
                backtrace,
            };
            if here {
                LAST.with(|l| *l.borrow_mut() = Some(c));
            } else if let Ok(mut o) = other_thread_panic().lock() {
                o.get_or_insert(c);
            }
        }));
    });
}

/// The lines of a rendered backtrace that point into this project's sources (and the
/// function names just before them).
fn project_frames(bt: &str) -> String {
    let lines: Vec<&str> = bt.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        if t.starts_with("at ")
            && (t.contains("/src/") || t.contains("./src/"))
            && !t.contains("/rustc/")
            && !t.contains("/.cargo/")
        {
            if i > 0 {
                out.push(lines[i - 1].trim().to_string());
            }
            out.push(format!("    {t}"));
        }
    }
    out.join("\n")
}

/// Variations of one execution beside the input.
#[derive(Debug, Clone, Default)]
pub struct ExecOptions {
    pub lang_en: bool,
    pub verbose: bool,
    pub color: bool,
    /// Use the input as a history file (evidence) too.
    pub as_history: bool,
    pub csv: Option<Vec<u8>>,
    /// Render the formats besides text, concise and JSON too (SARIF writes the whole rule
    /// catalogue each time, which costs more than the rest of an execution).
    pub other_formats: bool,
}

impl ExecOptions {
    /// A short description, for messages.
    pub fn describe(&self) -> String {
        format!(
            "lang {}, verbose {}, color {}, as history {}, all formats {}, CSV {}",
            if self.lang_en { "en" } else { "ja" },
            self.verbose,
            self.color,
            self.as_history,
            self.other_formats,
            self.csv
                .as_ref()
                .map_or("none".to_string(), |c| format!("{} bytes", c.len()))
        )
    }

    pub fn random(rng: &mut Rng, m: &Mutator) -> ExecOptions {
        ExecOptions {
            lang_en: rng.one_in(2),
            verbose: rng.one_in(2),
            color: rng.one_in(2),
            as_history: rng.one_in(8),
            csv: rng.one_in(8).then(|| m.next_csv(rng)),
            other_formats: rng.one_in(8),
        }
    }
}

/// What `recelint check` does with one file, all formats rendered. Returns the message of
/// an internal-error finding (X…: a panic that recelint caught itself), if any. JSON output
/// that does not parse is a panic here.
#[allow(clippy::needless_update)]
pub fn run_once(input: &[u8], o: &ExecOptions) -> (Option<String>, Duration) {
    let start = Instant::now();
    let opts = CheckOptions {
        source_lines: true,
        ..Default::default()
    };
    // One input in eight (chosen by its hash, so a replay does the same) is checked from a
    // file on disk, as the command line does: its findings' receipts are then read again by
    // offset instead of from the lines kept in memory.
    let from_disk = hash(input) % 8 == 3;
    let on_disk = from_disk.then(|| {
        let p = std::env::temp_dir().join(format!(
            "recelint-fuzz-{}-{:?}.UKE",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&p, input).map(|_| p)
    });
    let first = match &on_disk {
        Some(Ok(p)) => recelint::check::check_path(p, "fuzz/RECEIPTC.UKE", &opts),
        _ => check_bytes("fuzz/RECEIPTC.UKE", input, &opts),
    };
    let mut reports: Vec<FileReport> = vec![first];
    let history = if o.as_history {
        vec![batch::history_report("fuzz/history.UKE", input)]
    } else {
        Vec::new()
    };
    let qualifications = o
        .csv
        .iter()
        .map(|b| recelint::qualify::onshi::Input::Bytes {
            path: "fuzz/quals.csv".to_string(),
            bytes: Ok(b.clone()),
        })
        .collect();
    batch::resolve(
        &mut reports,
        Evidence {
            qualifications,
            history,
        },
    );
    if let Some(Ok(p)) = &on_disk {
        let _ = std::fs::remove_file(p);
    }
    let style = Style {
        lang: if o.lang_en { Lang::En } else { Lang::Ja },
        verbose: o.verbose,
        color: o.color,
        // Quiet text on a share of the inputs (English, not verbose) without a new option.
        quiet: o.lang_en && !o.verbose,
    };
    // What one `recelint check` would take: the check and resolution, then one format (the
    // slowest of those rendered here); the 1 s limit applies to that, not to the sum of the
    // three to seven formats this harness renders per input.
    let checked = start.elapsed();
    let mut slowest_render = Duration::ZERO;
    for f in <Format as clap::ValueEnum>::value_variants() {
        let main = matches!(f, Format::Text | Format::Concise | Format::Json);
        if !main && !o.other_formats {
            continue;
        }
        let t = Instant::now();
        let out = render_all(*f, style, &reports);
        slowest_render = slowest_render.max(t.elapsed());
        if *f == Format::Json {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(&out) {
                panic!("the JSON output does not parse: {e}");
            }
        }
    }
    let internal = reports
        .iter()
        .flat_map(|r| &r.diagnostics)
        .find(|d| d.rule.code.starts_with('X'))
        .map(|d| format!("{}: {}", d.rule.code, d.message(Lang::En)));
    (internal, checked + slowest_render)
}

/// Runs one input inside `catch_unwind`; `Err` with where it panicked (also when recelint
/// caught the panic itself and reported an internal error).
pub fn exec(input: &[u8], o: &ExecOptions) -> Result<Duration, Crash> {
    let ((internal, one_run), _all) = catch(|| run_once(input, o))?;
    match internal {
        None => Ok(one_run),
        Some(msg) => Err(Crash {
            message: msg,
            location: "(caught inside recelint: no location)".into(),
            backtrace: String::new(),
        }),
    }
}

/// Runs `f` inside `catch_unwind` with the quiet panic hook; `Err` with where it panicked,
/// also when the panic was caught inside `f` (by recelint) or happened on a thread `f`
/// started.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<(T, Duration), Crash> {
    install_hook();
    LAST.with(|l| l.borrow_mut().take());
    let start = Instant::now();
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    IN_EXEC.with(|c| c.set(true));
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    IN_EXEC.with(|c| c.set(false));
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    let took = start.elapsed();
    let recorded = LAST
        .with(|l| l.borrow_mut().take())
        .or_else(|| other_thread_panic().lock().ok().and_then(|mut o| o.take()));
    match (r, recorded) {
        (Ok(v), None) => Ok((v, took)),
        (Ok(_), Some(mut c)) => {
            c.message = format!("{} (the panic was caught inside recelint)", c.message);
            Err(c)
        }
        (Err(_), c) => Err(c.unwrap_or(Crash {
            message: "panic (not recorded)".into(),
            location: String::new(),
            backtrace: String::new(),
        })),
    }
}

/// `--chunks`: checks `input` whole and in chunks of `chunk` bytes; the findings (code,
/// line, field, receipt, message) and counts must be the same. Returns a signature of the
/// first difference and a description, if they differ.
#[allow(clippy::needless_update)]
pub fn chunk_diff(input: &[u8], chunk: usize) -> Option<(String, String)> {
    let key = |cs: usize| {
        let r = check_bytes(
            "x",
            input,
            &CheckOptions {
                source_lines: false,
                chunk_size: cs,
                ..Default::default()
            },
        );
        let mut v: Vec<String> = r
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} line {:?} field {:?} receipt {:?}: {}",
                    d.rule.code,
                    d.line,
                    d.field,
                    d.receipt,
                    d.message(Lang::En)
                )
            })
            .collect();
        v.push(format!("receipts {} records {}", r.receipts, r.records));
        v
    };
    let (whole, chunked) = (key(1 << 40), key(chunk));
    if whole == chunked {
        return None;
    }
    let only_whole: Vec<&String> = whole.iter().filter(|x| !chunked.contains(x)).collect();
    let only_chunked: Vec<&String> = chunked.iter().filter(|x| !whole.contains(x)).collect();
    let code = |v: &[&String]| {
        v.first()
            .map_or("-".to_string(), |s| s.chars().take(4).collect())
    };
    let sig = format!(
        "whole {} / chunked {}",
        code(&only_whole),
        code(&only_chunked)
    );
    let mut detail = String::new();
    for s in only_whole.iter().take(3) {
        detail.push_str(&format!("  whole only:   {s}\n"));
    }
    for s in only_chunked.iter().take(3) {
        detail.push_str(&format!("  chunked only: {s}\n"));
    }
    Some((sig, detail))
}

/// A smaller input that still panics at `location`: lines removed, then byte ranges.
pub fn minimize(input: &[u8], o: &ExecOptions, location: &str, budget: usize) -> Vec<u8> {
    let same = |d: &[u8]| matches!(exec(d, o), Err(c) if c.location == location);
    let mut best = input.to_vec();
    let mut tries = 0;
    // Lines, in halving chunks.
    let mut lines = split_lines(&best);
    let mut chunk = lines.len().max(1) / 2;
    while chunk >= 1 && tries < budget {
        let mut i = 0;
        while i < lines.len() && tries < budget {
            let mut cand = lines.clone();
            let end = (i + chunk).min(cand.len());
            cand.drain(i..end);
            tries += 1;
            if same(&cand.concat()) {
                lines = cand;
            } else {
                i += chunk;
            }
        }
        chunk /= 2;
    }
    best = lines.concat();
    // Bytes, in halving chunks.
    let mut chunk = best.len() / 2;
    while chunk >= 1 && tries < budget {
        let mut i = 0;
        while i < best.len() && tries < budget {
            let mut cand = best.clone();
            let end = (i + chunk).min(cand.len());
            cand.drain(i..end);
            tries += 1;
            if same(&cand) {
                best = cand;
            } else {
                i += chunk;
            }
        }
        chunk /= 2;
    }
    best
}

// ---------------------------------------------------------------------------------------
// The campaign

/// How to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub iterations: u64,
    pub seed: u64,
    pub seconds: Option<f64>,
    pub jobs: usize,
    /// Where crashing inputs are written (None: not written).
    pub crash_dir: Option<PathBuf>,
    /// Where slow inputs are written (None: not written).
    pub slow_dir: Option<PathBuf>,
    /// An input slower than this is flagged.
    pub slow: Duration,
    /// An input still running after this is saved as a hang.
    pub hang: Duration,
    /// Print progress every so many seconds (0: never).
    pub progress_secs: u64,
    /// Executions spent minimizing each new crash (0: no minimizing).
    pub minimize_budget: usize,
    /// Also check one input in this many with a small chunk size and compare (0: never).
    pub chunks: usize,
    /// Largest input (see [`Mutator::max_input`]).
    pub max_input: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            iterations: 10_000,
            seed: 1,
            seconds: None,
            jobs: 1,
            crash_dir: Some(crash_dir()),
            slow_dir: Some(root().join("target/fuzz")),
            slow: Duration::from_secs(1),
            hang: Duration::from_secs(30),
            progress_secs: 10,
            minimize_budget: 3000,
            chunks: 0,
            max_input: MAX_INPUT,
        }
    }
}

/// One distinct crash (by panic location).
#[derive(Debug, Clone)]
pub struct CrashReport {
    pub crash: Crash,
    /// How many inputs panicked there.
    pub count: u64,
    /// Saved files (original, minimized).
    pub files: Vec<PathBuf>,
    pub input_len: usize,
    pub min_len: usize,
}

/// The outcome of a campaign.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub executions: u64,
    pub elapsed: Duration,
    /// Inputs that panicked, in total.
    pub crashes: u64,
    /// By panic location.
    pub distinct: BTreeMap<String, CrashReport>,
    pub slowest: Duration,
    pub slowest_len: usize,
    pub slowest_hash: u64,
    pub slowest_options: String,
    /// Inputs over the `slow` limit.
    pub slow_inputs: u64,
    pub hangs: u64,
    /// `--chunks`: inputs whose findings depend on the chunk size, by first difference.
    pub chunk_diffs: BTreeMap<String, (u64, Vec<PathBuf>)>,
}

impl Summary {
    pub fn exec_per_sec(&self) -> f64 {
        self.executions as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Saves an input as `<prefix>-<hash>.bin`, and the CSV it ran with (if any) beside it as
/// `<prefix>-<hash>.csv`; with `as_history`, an empty `<prefix>-<hash>.history` marks it.
pub fn save_case(dir: &Path, prefix: &str, input: &[u8], o: &ExecOptions) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = save(dir, prefix, input, ".bin").into_iter().collect();
    let stem = dir.join(format!("{prefix}-{:016x}", hash(input)));
    if let Some(c) = &o.csv {
        let p = stem.with_extension("csv");
        if std::fs::write(&p, c).is_ok() {
            out.push(p);
        }
    }
    if o.as_history {
        let p = stem.with_extension("history");
        if std::fs::write(&p, b"").is_ok() {
            out.push(p);
        }
    }
    out
}

/// The ways a saved input is run again: every output variant, as history, with its own CSV
/// (a `.csv` beside it) and with each CSV seed.
pub fn replay_variants(path: &Path, csv_seeds: &[Vec<u8>]) -> Vec<(String, ExecOptions)> {
    let mut v = vec![
        (
            "plain".to_string(),
            ExecOptions {
                other_formats: true,
                ..ExecOptions::default()
            },
        ),
        (
            "en+verbose+color".to_string(),
            ExecOptions {
                lang_en: true,
                verbose: true,
                color: true,
                other_formats: true,
                ..ExecOptions::default()
            },
        ),
        (
            "as history".to_string(),
            ExecOptions {
                as_history: true,
                ..ExecOptions::default()
            },
        ),
    ];
    let own = path.with_extension("csv");
    let csvs: Vec<(String, Vec<u8>)> = std::fs::read(&own)
        .ok()
        .map(|b| (format!("with {}", own.display()), b))
        .into_iter()
        .chain(
            csv_seeds
                .iter()
                .enumerate()
                .map(|(i, b)| (format!("with CSV seed {i}"), b.clone())),
        )
        .collect();
    for (name, c) in csvs {
        v.push((
            name,
            ExecOptions {
                csv: Some(c),
                as_history: path.with_extension("history").exists(),
                ..ExecOptions::default()
            },
        ));
    }
    v
}

fn save(dir: &Path, prefix: &str, data: &[u8], suffix: &str) -> Option<PathBuf> {
    std::fs::create_dir_all(dir).ok()?;
    let p = dir.join(format!("{prefix}-{:016x}{suffix}", hash(data)));
    std::fs::write(&p, data).ok()?;
    Some(p)
}

struct Shared {
    executions: AtomicU64,
    stop: AtomicBool,
    summary: Mutex<Summary>,
}

/// Per worker: the input running now and when it started (for the hang watchdog).
struct Slot {
    started: Mutex<Option<(Instant, u64)>>,
    input: Mutex<Vec<u8>>,
    reported: AtomicU64,
}

/// Runs a campaign: `jobs` workers, each with its own PRNG (`seed`, `seed + 1`, …), until
/// `iterations` executions or `seconds` elapsed.
pub fn run(cfg: &Config) -> Summary {
    install_hook();
    let (claims, csvs) = load_seeds();
    let start = Instant::now();
    let deadline = cfg.seconds.map(|s| start + Duration::from_secs_f64(s));
    let shared = Arc::new(Shared {
        executions: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        summary: Mutex::new(Summary::default()),
    });
    let jobs = cfg.jobs.max(1);
    let slots: Vec<Arc<Slot>> = (0..jobs)
        .map(|_| {
            Arc::new(Slot {
                started: Mutex::new(None),
                input: Mutex::new(Vec::new()),
                reported: AtomicU64::new(u64::MAX),
            })
        })
        .collect();
    std::thread::scope(|s| {
        // Watchdog: hangs, progress, the deadline.
        {
            let shared = shared.clone();
            let slots = slots.clone();
            let cfg = cfg.clone();
            s.spawn(move || {
                let mut last_progress = Instant::now();
                // Past the deadline it keeps watching until every worker's last input is done:
                // campaign M's one long input began just before the deadline and ran unwatched.
                loop {
                    let busy = slots.iter().any(|s| s.started.lock().unwrap().is_some());
                    if shared.stop.load(Ordering::Relaxed) && !busy {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        shared.stop.store(true, Ordering::Relaxed);
                    }
                    for slot in &slots {
                        let cur = *slot.started.lock().unwrap();
                        if let Some((t, id)) = cur {
                            if t.elapsed() > cfg.hang && slot.reported.load(Ordering::Relaxed) != id {
                                slot.reported.store(id, Ordering::Relaxed);
                                let data = slot.input.lock().unwrap().clone();
                                let p = cfg
                                    .crash_dir
                                    .as_ref()
                                    .and_then(|d| save(d, "hang", &data, ".bin"));
                                eprintln!(
                                    "HANG: an input of {} bytes has run for {:?} (saved: {:?})",
                                    data.len(),
                                    t.elapsed(),
                                    p
                                );
                                shared.summary.lock().unwrap().hangs += 1;
                            }
                        }
                    }
                    if cfg.progress_secs > 0
                        && last_progress.elapsed() >= Duration::from_secs(cfg.progress_secs)
                    {
                        last_progress = Instant::now();
                        let n = shared.executions.load(Ordering::Relaxed);
                        let sm = shared.summary.lock().unwrap();
                        eprintln!(
                            "[{:>7.1}s] {} executions, {:.0}/s, {} crashes ({} distinct), slowest {:?}",
                            start.elapsed().as_secs_f64(),
                            n,
                            n as f64 / start.elapsed().as_secs_f64(),
                            sm.crashes,
                            sm.distinct.len(),
                            sm.slowest
                        );
                    }
                }
            });
        }
        let mut workers = Vec::new();
        for (w, slot) in slots.iter().enumerate() {
            let shared = shared.clone();
            let slot = slot.clone();
            let mut m = Mutator::new(claims.clone(), csvs.clone());
            m.max_input = cfg.max_input;
            let cfg = cfg.clone();
            workers.push(s.spawn(move || {
                let mut rng = Rng::new(cfg.seed.wrapping_add(w as u64));
                let mut id = 0u64;
                while !shared.stop.load(Ordering::Relaxed) {
                    if shared.executions.fetch_add(1, Ordering::Relaxed) >= cfg.iterations {
                        shared.executions.fetch_sub(1, Ordering::Relaxed);
                        break;
                    }
                    let input = m.next_input(&mut rng);
                    let o = ExecOptions::random(&mut rng, &m);
                    {
                        let mut cur = slot.input.lock().unwrap();
                        cur.clear();
                        cur.extend_from_slice(&input);
                    }
                    id += 1;
                    *slot.started.lock().unwrap() = Some((Instant::now(), id));
                    let r = exec(&input, &o);
                    let diff = (r.is_ok() && cfg.chunks > 0 && rng.one_in(cfg.chunks))
                        .then(|| {
                            // At most ~4,096 chunks: per-chunk scanner state is a few KB, so a
                            // 40 MB input in 16-byte chunks would hold gigabytes (campaign M).
                            let cs = *rng.pick(&[16usize, 64, 300, 1024, 4096, 65536]);
                            let cs = cs.max(input.len() / 4096);
                            catch(|| chunk_diff(&input, cs)).ok().and_then(|(d, _)| d).map(|d| (cs, d))
                        })
                        .flatten();
                    *slot.started.lock().unwrap() = None;
                    if let Some((cs, (sig, detail))) = diff {
                        let mut sm = shared.summary.lock().unwrap();
                        let e = sm.chunk_diffs.entry(sig.clone()).or_insert((0, Vec::new()));
                        e.0 += 1;
                        if e.0 == 1 {
                            let files: Vec<PathBuf> = cfg
                                .slow_dir
                                .as_ref()
                                .and_then(|d| save(d, "chunkdiff", &input, &format!(".cs{cs}.bin")))
                                .into_iter()
                                .collect();
                            e.1 = files.clone();
                            drop(sm);
                            eprintln!("CHUNK DIFFERENCE {sig} (chunk size {cs}, saved {files:?}):\n{detail}");
                        }
                    }
                    match r {
                        Ok(took) => {
                            let slowest = shared.summary.lock().unwrap().slowest;
                            if took > slowest.max(Duration::from_millis(50)) || took > cfg.slow {
                                // Time it again: another process may have had the CPU.
                                let took = exec(&input, &o).map_or(took, |t| t.min(took));
                                let mut sm = shared.summary.lock().unwrap();
                                if took > sm.slowest {
                                    sm.slowest = took;
                                    sm.slowest_len = input.len();
                                    sm.slowest_hash = hash(&input);
                                    sm.slowest_options = o.describe();
                                }
                                if took > cfg.slow {
                                    sm.slow_inputs += 1;
                                    drop(sm);
                                    let p = cfg
                                        .slow_dir
                                        .as_ref()
                                        .map(|d| save_case(d, "slow", &input, &o));
                                    eprintln!(
                                        "SLOW: {:?} for an input of {} bytes, {} (saved: {:?})",
                                        took,
                                        input.len(),
                                        o.describe(),
                                        p
                                    );
                                }
                            }
                        }
                        Err(c) => {
                            let new = {
                                let mut sm = shared.summary.lock().unwrap();
                                sm.crashes += 1;
                                match sm.distinct.get_mut(&c.location) {
                                    Some(e) => {
                                        e.count += 1;
                                        false
                                    }
                                    None => true,
                                }
                            };
                            if new {
                                let mut files = Vec::new();
                                if let Some(d) = &cfg.crash_dir {
                                    files.extend(save_case(d, "crash", &input, &o));
                                }
                                let min = if cfg.minimize_budget > 0 {
                                    minimize(&input, &o, &c.location, cfg.minimize_budget)
                                } else {
                                    input.clone()
                                };
                                if let Some(d) = &cfg.crash_dir {
                                    if min.len() < input.len() {
                                        files.extend(save(d, "crash", &min, ".min.bin"));
                                        if let Some(c) = &o.csv {
                                            files.extend(save(d, "crash", &min, ".min.csv").inspect(|p| {
                                                let _ = std::fs::write(p, c);
                                            }));
                                        }
                                    }
                                }
                                eprintln!(
                                    "CRASH at {}: {}\n  input {} bytes ({}), minimized {} bytes, saved {:?}\n{}",
                                    c.location,
                                    c.message,
                                    input.len(),
                                    o.describe(),
                                    min.len(),
                                    files,
                                    c.backtrace
                                );
                                let mut sm = shared.summary.lock().unwrap();
                                sm.distinct.entry(c.location.clone()).or_insert(CrashReport {
                                    crash: c,
                                    count: 1,
                                    files,
                                    input_len: input.len(),
                                    min_len: min.len(),
                                });
                            }
                        }
                    }
                }
            }));
        }
        for w in workers {
            let _ = w.join();
        }
        shared.stop.store(true, Ordering::Relaxed);
    });
    let mut sm = shared.summary.lock().unwrap().clone();
    sm.executions = shared.executions.load(Ordering::Relaxed);
    sm.elapsed = start.elapsed();
    sm
}

/// Prints the end-of-run summary.
/// This process's peak resident memory (VmHWM), in MiB, where /proc tells it.
pub fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

pub fn print_summary(sm: &Summary) {
    println!("executions: {}", sm.executions);
    println!("elapsed: {:.1} s", sm.elapsed.as_secs_f64());
    println!("exec/s: {:.1}", sm.exec_per_sec());
    if let Some(m) = peak_rss_mib() {
        println!("peak RSS of the whole campaign (all jobs): {m} MiB");
    }
    println!(
        "crashes: {} ({} distinct panic locations)",
        sm.crashes,
        sm.distinct.len()
    );
    for (loc, c) in &sm.distinct {
        println!(
            "  {loc}: {} ({} inputs; first {} bytes, minimized {} bytes; {:?})",
            c.crash.message, c.count, c.input_len, c.min_len, c.files
        );
    }
    println!(
        "slowest input: {:.3} s ({} bytes, hash {:016x}, {})",
        sm.slowest.as_secs_f64(),
        sm.slowest_len,
        sm.slowest_hash,
        sm.slowest_options
    );
    println!("inputs over 1 s: {}", sm.slow_inputs);
    println!("hangs: {}", sm.hangs);
    if !sm.chunk_diffs.is_empty() {
        println!("chunk-size differences: {}", sm.chunk_diffs.len());
        for (sig, (n, files)) in &sm.chunk_diffs {
            println!("  {sig}: {n} inputs {files:?}");
        }
    }
}

/// Runs saved inputs again (every output variant, as history, with each CSV seed), printing
/// the time and any panic; returns the exit code (1 if any panicked).
pub fn replay(files: &[String]) -> i32 {
    let (_, csvs) = load_seeds();
    let mut code = 0;
    for f in files {
        let data = match std::fs::read(f) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{f}: {e}");
                code = 2;
                continue;
            }
        };
        for (name, o) in &replay_variants(Path::new(f), &csvs) {
            match exec(&data, o) {
                Ok(t) => println!("{f}: {name}: ok in {:.3} s", t.as_secs_f64()),
                Err(c) => {
                    code = 1;
                    println!(
                        "{f}: {name}: PANIC at {}: {}\n{}",
                        c.location, c.message, c.backtrace
                    );
                }
            }
        }
    }
    code
}

#[allow(dead_code)]
fn main() {
    let mut cfg = Config::default();
    let mut args = std::env::args().skip(1);
    let usage = "usage: fuzz --iterations N --seed S [--seconds T] [--jobs J] [--hang-secs H] [--no-minimize]\n       fuzz --replay FILE...";
    while let Some(a) = args.next() {
        let mut val = |name: &str| -> String {
            args.next().unwrap_or_else(|| {
                eprintln!("{name} needs a value\n{usage}");
                std::process::exit(2)
            })
        };
        let num = |s: String| -> f64 {
            s.replace('_', "").parse().unwrap_or_else(|_| {
                eprintln!("not a number: {s}\n{usage}");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--iterations" => cfg.iterations = num(val("--iterations")) as u64,
            "--seed" => cfg.seed = num(val("--seed")) as u64,
            "--seconds" => cfg.seconds = Some(num(val("--seconds"))),
            "--jobs" => cfg.jobs = num(val("--jobs")) as usize,
            "--hang-secs" => cfg.hang = Duration::from_secs_f64(num(val("--hang-secs"))),
            "--no-minimize" => cfg.minimize_budget = 0,
            "--chunks" => cfg.chunks = num(val("--chunks")) as usize,
            "--time-seeds" => {
                let (claims, _) = load_seeds();
                for (i, c) in claims.iter().enumerate() {
                    let t = exec(c, &ExecOptions::default());
                    println!(
                        "seed {i}: {} bytes: {:?}",
                        c.len(),
                        t.map_err(|c| c.location)
                    );
                }
                return;
            }
            "--replay" => {
                let files: Vec<String> = args.by_ref().collect();
                std::process::exit(replay(&files));
            }
            "--generate" => {
                // `--generate WORKER UPTO MIN_BYTES`: re-creates worker WORKER's inputs of a
                // `--seed` campaign (its PRNG sequence does not depend on what the inputs do)
                // without running them, and saves those of at least MIN_BYTES with their
                // index and options, to find what a killed run was executing.
                let w = num(val("--generate")) as u64;
                let upto = num(val("--generate")) as u64;
                let min = num(val("--generate")) as usize;
                let (claims, csvs) = load_seeds();
                let mut m = Mutator::new(claims, csvs);
                let mut rng = Rng::new(cfg.seed.wrapping_add(w));
                let dir = root().join("target/fuzz/generated");
                let _ = std::fs::create_dir_all(&dir);
                for i in 1..=upto {
                    let input = m.next_input(&mut rng);
                    let o = ExecOptions::random(&mut rng, &m);
                    if input.len() >= min {
                        let files = save_case(&dir, &format!("w{w}-{i:08}"), &input, &o);
                        println!("{i}\t{}\t{}\t{files:?}", input.len(), o.describe());
                    }
                }
                return;
            }
            "-h" | "--help" => {
                println!("{usage}");
                return;
            }
            other => {
                eprintln!("unknown argument {other}\n{usage}");
                std::process::exit(2);
            }
        }
    }
    let (claims, csvs) = load_seeds();
    eprintln!(
        "fuzz: seed {}, {} iterations{}, {} job(s); {} claim seeds, {} CSV seeds",
        cfg.seed,
        cfg.iterations,
        cfg.seconds.map_or(String::new(), |s| format!(" or {s} s")),
        cfg.jobs,
        claims.len(),
        csvs.len()
    );
    let sm = run(&cfg);
    print_summary(&sm);
    if sm.crashes > 0 || sm.hangs > 0 {
        std::process::exit(1);
    }
}
