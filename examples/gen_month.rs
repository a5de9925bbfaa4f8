//! Synthetic claim month for recelint: writes realistic 医科 `RECEIPTC.UKE` files (Shift_JIS,
//! CR LF, 0x1A) for 診療年月 202610 / 請求年月 202611 — or 歯科 `RECEIPTS.UKE` files, or 調剤
//! `RECEIPTY.CYO` files, or a mix of the three — optionally with one injected defect in a share
//! of the receipts, listed in `DIR/injected.tsv` (path, line, expected rule code).
//!
//! ```sh
//! cargo run --release --example gen_month -- --receipts 500000 --seed 7 --out DIR \
//!     [--defect-rate R] [--files N] [--kind medical|dental|pharmacy|dpc|mixed] [--realistic]
//! ```
//!
//! Output is a pure function of the options (own PRNG, no clock, no hashing order). Each file
//! is one facility, `DIR/<医療機関コード>/RECEIPTC.UKE`; a facility split over two volumes
//! writes `DIR/<医療機関コード>/VOL01/RECEIPTC.UKE` (IR 00, GO 01) and `…/VOL02/…` (IR 01,
//! GO 99 with the totals of both volumes). The integration test `tests/generated.rs` includes
//! this file as a module and calls [`generate`].
//!
//! `--kind dental` writes 歯科 files `DIR/<医療機関コード>/RECEIPTS.UKE` (one volume each): a UK
//! header, then per receipt IR (repeating UK) and RE, HO / KO, 1–5 HS with their 歯式, SS (and
//! now and then IY, TO, SI) and CO records, and GO (layout: `grammar/dental/records.toml`).
//!
//! `--kind pharmacy` writes 調剤 files `DIR/<薬局コード>/RECEIPTY.CYO` (one volume each): a YK
//! header, then per receipt RE (with the prescribing facility and its 保険医), HO / KO, now and
//! then SN, JD, MF, then per prescription (剤) an SH followed by its CZ (one per 処方箋受付) and
//! each CZ's IY / TO (and now and then CO), TK 摘要 (the 不詳 claim's address and phone), one KI
//! per 処方箋受付, and GO (layout: `grammar/pharmacy/records.toml`, CZ in its 71-value edition).
//!
//! `--kind mixed` draws the files as 医科, 歯科 and 調剤 facilities, the receipts split by the
//! national monthly shares 95 : 22 : 65 and the files about 35 % : 35 % : 30 %, so that a 歯科
//! clinic is small, a pharmacy mid-size and a 医科 facility the largest. `--kind medical` (the
//! default) and `--kind dental` write exactly what they always did: the 調剤 code draws its
//! random numbers only on its own path.
//!
//! Without `--realistic` the receipts are split evenly over `--files` files (default 1) and a
//! 医科 receipt is large (median ≈ 1,900 B: many visit days, tests and 傷病名). `--realistic`
//! makes a month as facilities send it ([`realistic_plan`]):
//!
//! - one file per facility, their sizes log-normal (median ≈ 520, mean ≈ 630 receipts,
//!   clamped to 50..=5,000), so that a month without `--files` has about `--receipts / 630`
//!   files; with `--files N` the N files' sizes are drawn the same way and scaled to add up to
//!   `--receipts` (the bounds move with them when that makes files more than twice, or less
//!   than half, the usual size). About 3 % of the 医科 facilities of 100 receipts or more send
//!   two volumes (VOL01 / VOL02);
//! - with `--kind mixed`, each kind its own sizes and the receipts by the national shares
//!   95 : 22 : 65 : 1.1: 歯科 clinics small (median ≈ 290), pharmacies mid-size (≈ 560), 医科
//!   facilities from clinics to hospitals (≈ 560, a long tail) and DPC hospitals few and large
//!   (≈ 1,000; none in a month whose DPC share is under 50 receipts);
//! - a 医科 outpatient receipt the size of a clinic's (median ≈ 570 B, most 300–900 B): fewer
//!   visit days, records and 傷病名 ([`Gen::outpatient_items_light`]); a 医科 facility of 1,500
//!   receipts or more is a hospital with 12 % 入院 receipts (2–8 KB), a smaller one a clinic with
//!   1 %. 歯科 (≈ 800 B), 調剤 (≈ 890 B) and DPC receipts are written as without it.
//!
//! The facility plan has its own PRNG (from `--seed`), and the writing draws differ only on
//! the realistic path: without `--realistic` the output is byte for byte what it was. At the
//! end the generator prints the receipts per facility (min / median / mean / max, all and by
//! kind) and the bytes per receipt (median / p5 / p95) by kind.

#![allow(dead_code)]

use recelint::encoding::sjis;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

/// One act of a DPC day's coding data: 診療識別 and its (code, name, quantity) lines.
type CdAct<'a> = (u8, Vec<(u32, &'a str, u64)>);

/// 診療年月 and 請求年月 of the generated month.
pub const CARE_YM: &[u8] = b"202610";
pub const CLAIM_YM: &[u8] = b"202611";
/// Days in the month of care (October).
const MONTH_DAYS: u8 = 31;
/// Share of 歯科 receipts that are 入院 (nationally about 0.1 %; more here, so a small month
/// has some).
const DENTAL_INPATIENT: f64 = 0.01;

// ---------------------------------------------------------------------------------------
// Options and results

#[derive(Debug, Clone)]
pub struct Opts {
    pub receipts: u64,
    pub seed: u64,
    pub out: PathBuf,
    /// Probability (0..=1) that a receipt gets exactly one injected defect.
    pub defect_rate: f64,
    /// Number of files written (a two-volume facility counts for two). With `realistic`, 0
    /// means "as many as the receipts make" (about one facility per 630 receipts).
    pub files: usize,
    /// 医科, 歯科, 調剤 or all three.
    pub kind: MonthKind,
    /// `--realistic`: facilities of skewed sizes (one file each, a few 医科 ones in two
    /// volumes) and 医科 outpatient receipts of a clinic's size; see [`realistic_plan`].
    pub realistic: bool,
}

/// What kind of facilities a month has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MonthKind {
    /// 医科 files only (`RECEIPTC.UKE`).
    #[default]
    Medical,
    /// 歯科 files only (`RECEIPTS.UKE`).
    Dental,
    /// 調剤 files only (`RECEIPTY.CYO`).
    Pharmacy,
    /// DPC hospital files only (`RECEIPTD.UKE`).
    Dpc,
    /// All four kinds (see [`mixed_split`]).
    Mixed,
}

impl MonthKind {
    pub fn parse(s: &str) -> Option<MonthKind> {
        match s {
            "medical" => Some(MonthKind::Medical),
            "dental" => Some(MonthKind::Dental),
            "pharmacy" => Some(MonthKind::Pharmacy),
            "dpc" => Some(MonthKind::Dpc),
            "mixed" => Some(MonthKind::Mixed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MonthKind::Medical => "medical",
            MonthKind::Dental => "dental",
            MonthKind::Pharmacy => "pharmacy",
            MonthKind::Dpc => "dpc",
            MonthKind::Mixed => "mixed",
        }
    }
}

/// The kind of one file (and of its facility).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Medical = 0,
    Dental = 1,
    Pharmacy = 2,
    Dpc = 3,
}

impl Opts {
    pub fn new(out: impl Into<PathBuf>, receipts: u64, seed: u64) -> Opts {
        Opts {
            receipts,
            seed,
            out: out.into(),
            defect_rate: 0.0,
            files: 1,
            kind: MonthKind::Medical,
            realistic: false,
        }
    }
}

pub const USAGE: &str = "usage: gen_month --receipts N --seed S --out DIR [--defect-rate R] [--files N] [--kind medical|dental|pharmacy|dpc|mixed] [--realistic]";

/// Parses the command line (without the program name).
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Opts, String> {
    let mut receipts = None;
    let mut seed = None;
    let mut out = None;
    let mut defect_rate = 0.0f64;
    let mut files = None;
    let mut kind = MonthKind::Medical;
    let mut realistic = false;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let (name, inline) = match a.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        if name == "-h" || name == "--help" {
            return Err(USAGE.to_string());
        }
        if name == "--realistic" {
            if inline.is_some() {
                return Err(format!("--realistic takes no value\n{USAGE}"));
            }
            realistic = true;
            continue;
        }
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match name.as_str() {
            "--receipts" => {
                receipts = Some(parse_num::<u64>(&name, &value()?)?);
            }
            "--seed" => seed = Some(parse_num::<u64>(&name, &value()?)?),
            "--out" => out = Some(PathBuf::from(value()?)),
            "--defect-rate" => {
                let v = value()?;
                defect_rate = v
                    .parse::<f64>()
                    .ok()
                    .filter(|r| (0.0..=1.0).contains(r))
                    .ok_or_else(|| format!("--defect-rate must be a number in 0..1, not {v:?}"))?;
            }
            "--files" => files = Some(parse_num::<usize>(&name, &value()?)?),
            "--kind" => {
                let v = value()?;
                kind = MonthKind::parse(&v).ok_or_else(|| {
                    format!(
                        "--kind must be medical, dental, pharmacy, dpc or mixed, not {v:?}\n{USAGE}"
                    )
                })?;
            }
            _ => return Err(format!("unknown argument {a:?}\n{USAGE}")),
        }
    }
    let opts = Opts {
        receipts: receipts.ok_or_else(|| format!("--receipts is required\n{USAGE}"))?,
        seed: seed.ok_or_else(|| format!("--seed is required\n{USAGE}"))?,
        out: out.ok_or_else(|| format!("--out is required\n{USAGE}"))?,
        defect_rate,
        // Without --files, a realistic month has as many files as its facilities make.
        files: files.unwrap_or(if realistic { 0 } else { 1 }),
        kind,
        realistic,
    };
    validate(&opts)?;
    Ok(opts)
}

fn parse_num<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, String> {
    v.parse::<T>()
        .map_err(|_| format!("{name} must be a non-negative integer, not {v:?}"))
}

fn validate(o: &Opts) -> Result<(), String> {
    if o.realistic {
        return validate_realistic(o);
    }
    if o.files == 0 || o.files > 9999 {
        return Err("--files must be 1..=9999".into());
    }
    if o.receipts < o.files as u64 {
        return Err("--receipts must be at least --files (every file holds a receipt)".into());
    }
    if o.kind == MonthKind::Mixed && o.files < 3 {
        return Err(
            "--kind mixed needs --files 3 or more (a 医科, a 歯科 and a 調剤 file at least)".into(),
        );
    }
    // レセプト番号 is at most 6 digits and GO 総件数 at most 6 digits, per facility.
    let ceil = |total: u64, n: usize| total.div_ceil(n as u64);
    let too_many = match o.kind {
        MonthKind::Medical | MonthKind::Dental | MonthKind::Pharmacy => {
            o.receipts / o.files as u64 > 700_000
        }
        // A 総括 group writes three RE blocks (GO 総件数 has 6 digits).
        MonthKind::Dpc => o.receipts / o.files as u64 > 200_000,
        MonthKind::Mixed => {
            let m = mixed_split(o);
            if m.dpc.0 > 0 && ceil(m.dpc.1, m.dpc.0) > 200_000 {
                return Err("more than 200000 DPC receipts per file: use more --files".into());
            }
            [m.dental, m.pharmacy, m.medical]
                .iter()
                .map(|&(n, r)| ceil(r, n))
                .max()
                .unwrap_or(0)
                > 700_000
        }
    };
    if too_many {
        return Err("more than 700000 receipts per file: use more --files".into());
    }
    if !(0.0..=1.0).contains(&o.defect_rate) {
        return Err("--defect-rate must be in 0..1".into());
    }
    Ok(())
}

/// A mixed month's parts, each (files, receipts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MixedSplit {
    pub dental: (usize, u64),
    pub pharmacy: (usize, u64),
    pub medical: (usize, u64),
    /// DPC hospitals (none below 4 files).
    pub dpc: (usize, u64),
}

/// A mixed month's split: the receipts by the national monthly shares 医科 95 : 歯科 22 : 調剤
/// 65 (millions of receipts), the files about 35 % 歯科, 30 % 調剤 and the rest 医科 (at least
/// one of each). With many files a 歯科 clinic then holds about a third of a 医科 facility's
/// receipts and a pharmacy about four fifths (100,000 receipts in 100 files: 345, 1,190 and
/// 1,490 a file: pharmacies of 300–2,000 receipts a month).
///
/// From 4 files on, about 2 % of the files (one at least) are DPC hospitals, with the DPC
/// share of the receipts, 1.1 M of 183.1 M a month (so a small month's DPC file is small).
pub fn mixed_split(o: &Opts) -> MixedSplit {
    let f = o.files;
    let nq = if f >= 4 {
        ((f as f64 * 0.02).round() as usize).max(1)
    } else {
        0
    };
    let nd = ((f as f64 * 0.35).round() as usize).clamp(1, f - 2 - nq);
    let np = ((f as f64 * 0.30).round() as usize).clamp(1, f - 1 - nd - nq);
    let nm = f - nd - np - nq;
    let r = o.receipts;
    let total = if nq > 0 { 183.1 } else { 182.0 };
    let rq = if nq > 0 {
        ((r as f64 * 1.1 / total).round() as u64).clamp(nq as u64, r - (nd + np + nm) as u64)
    } else {
        0
    };
    let rd = ((r as f64 * 22.0 / total).round() as u64).clamp(nd as u64, r - rq - (nm + np) as u64);
    let rp = ((r as f64 * 65.0 / total).round() as u64).clamp(np as u64, r - rq - rd - nm as u64);
    MixedSplit {
        dental: (nd, rd),
        pharmacy: (np, rp),
        medical: (nm, r - rd - rp - rq),
        dpc: (nq, rq),
    }
}

/// Share `i` of `total` split over `n` as evenly as possible (the first ones get the rest).
fn share(total: u64, n: usize, i: usize) -> u64 {
    total / n as u64 + u64::from((i as u64) < total % n as u64)
}

// ---------------------------------------------------------------------------------------
// --realistic: facilities of skewed sizes

/// Receipts a facility sends in a month, at least and at most (a drawn size is clamped to
/// them; an explicit `--files` whose receipts a file lie outside them widens them).
pub const FACILITY_MIN: u64 = 50;
pub const FACILITY_MAX: u64 = 5000;
/// Mean receipts a facility a month (the national average, about 630), by which a realistic
/// month without `--files` has about `--receipts / 630` facilities.
pub const FACILITY_MEAN: f64 = 630.0;
/// Facility sizes as log-normals, each (mean receipts, σ of the logarithm): a month of one
/// kind (median ≈ 520) …
const SIZE_ONE_KIND: (f64, f64) = (FACILITY_MEAN, 0.62);
/// … and a mixed month's, by [`FileKind`]: 医科 clinics to hospitals (median ≈ 560, a long
/// tail), 歯科 clinics small (≈ 290), pharmacies mid-size (≈ 560, a short tail) and DPC
/// hospitals few and large (≈ 1,000). With the receipt shares 95 : 22 : 65 : 1.1 these means
/// make 42 % of the files 医科, 23 % 歯科, 34 % 調剤 and 0.3 % DPC, 630 receipts a file.
const SIZE_MIXED: [(f64, f64); 4] = [(772.0, 0.8), (330.0, 0.5), (650.0, 0.55), (1200.0, 0.6)];
/// Share of the 医科 facilities of [`SPLIT_MIN`] receipts or more whose month is split over
/// two volumes (VOL01, VOL02).
const SPLIT_SHARE: f64 = 0.03;
const SPLIT_MIN: u64 = 100;
/// A 医科 facility of this many receipts or more is a hospital, with [`HOSPITAL_INPATIENT`]
/// of its receipts 入院; a smaller one is a clinic, with [`CLINIC_INPATIENT`] (together a
/// few % of the 医科 receipts).
pub const HOSPITAL_MIN: u64 = 1500;
const HOSPITAL_INPATIENT: f64 = 0.12;
const CLINIC_INPATIENT: f64 = 0.01;
/// Seeds the facility plan's own PRNG (from `--seed`), apart from the one that writes.
const PLAN_SEED: u64 = 0x7265_616C_6973_7469;

/// One facility of a realistic month: its kind and the receipts of each of its files (two for
/// a two-volume 医科 facility, else one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealisticFacility {
    pub kind: FileKind,
    pub volumes: Vec<u64>,
}

impl RealisticFacility {
    pub fn receipts(&self) -> u64 {
        self.volumes.iter().sum()
    }
}

/// A realistic month's facilities and receipts per [`FileKind`], and (with `--files`) how
/// many of its 医科 facilities take two volumes.
struct RealisticCounts {
    facilities: [usize; 4],
    receipts: [u64; 4],
    two_volume: Option<usize>,
}

const KINDS: [FileKind; 4] = [
    FileKind::Medical,
    FileKind::Dental,
    FileKind::Pharmacy,
    FileKind::Dpc,
];

fn size_shape(o: &Opts, k: FileKind) -> (f64, f64) {
    if o.kind == MonthKind::Mixed {
        SIZE_MIXED[k as usize]
    } else {
        SIZE_ONE_KIND
    }
}

/// The receipts of a realistic month by kind (a mixed month's by the national shares, DPC
/// only when its share makes a hospital of [`FACILITY_MIN`] receipts), and its facilities:
/// each kind's receipts over its mean size, or `--files` (less the two-volume facilities) in
/// those proportions. Draws nothing.
fn realistic_counts(o: &Opts) -> RealisticCounts {
    let r = o.receipts;
    let mut receipts = [0u64; 4];
    match o.kind {
        MonthKind::Medical => receipts[0] = r,
        MonthKind::Dental => receipts[1] = r,
        MonthKind::Pharmacy => receipts[2] = r,
        MonthKind::Dpc => receipts[3] = r,
        MonthKind::Mixed => {
            let dpc = r as f64 * 1.1 / 183.1;
            let rq = if dpc >= FACILITY_MIN as f64 && (o.files == 0 || o.files >= 4) {
                dpc.round() as u64
            } else {
                0
            };
            let total = if rq > 0 { 183.1 } else { 182.0 };
            let rd = ((r as f64 * 22.0 / total).round() as u64).max(1);
            let rp = ((r as f64 * 65.0 / total).round() as u64).max(1);
            receipts = [r - rq - rd - rp, rd, rp, rq];
        }
    }
    let weight: Vec<f64> = KINDS
        .iter()
        .map(|&k| receipts[k as usize] as f64 / size_shape(o, k).0)
        .collect();
    let sum: f64 = weight.iter().sum();
    let least: usize = receipts.iter().filter(|&&n| n > 0).count();
    let (n, two_volume) = if o.files == 0 {
        (((sum.round() as usize).max(least)), None)
    } else {
        // Two-volume facilities: their share of the 医科 facilities, when a file holds
        // enough receipts to split.
        let medical = weight[0] / sum;
        let s = if r / o.files as u64 >= SPLIT_MIN {
            let per = medical * SPLIT_SHARE;
            (o.files as f64 * per / (1.0 + per)).round() as usize
        } else {
            0
        };
        let s = s.min(o.files - least.min(o.files));
        (o.files - s, Some(s))
    };
    let mut facilities = [0usize; 4];
    let ideal: Vec<f64> = weight.iter().map(|w| n as f64 * w / sum).collect();
    for k in 0..4 {
        facilities[k] = (ideal[k].floor() as usize)
            .max(usize::from(receipts[k] > 0))
            .min(receipts[k] as usize);
    }
    // Largest remainders up (or smallest down) until the facilities add up to n.
    loop {
        let total: usize = facilities.iter().sum();
        if total == n {
            break;
        }
        let gap = |k: usize| ideal[k] - facilities[k] as f64;
        let pick = if total < n {
            (0..4)
                .filter(|&k| (facilities[k] as u64) < receipts[k])
                .max_by(|&a, &b| gap(a).total_cmp(&gap(b)))
        } else {
            (0..4)
                .filter(|&k| facilities[k] > usize::from(receipts[k] > 0))
                .min_by(|&a, &b| gap(a).total_cmp(&gap(b)))
        };
        let Some(k) = pick else { break };
        if total < n {
            facilities[k] += 1;
        } else {
            facilities[k] -= 1;
        }
    }
    RealisticCounts {
        facilities,
        receipts,
        two_volume,
    }
}

fn validate_realistic(o: &Opts) -> Result<(), String> {
    if o.files > 9999 {
        return Err("--files must be 1..=9999".into());
    }
    if o.receipts == 0 || o.receipts < o.files as u64 {
        return Err("--receipts must be at least 1 and at least --files".into());
    }
    if o.kind == MonthKind::Mixed && (o.receipts < 3 || (1..3).contains(&o.files)) {
        return Err(
            "--kind mixed needs 3 receipts and --files 3 or more (a 医科, a 歯科 and a 調剤 file at least)"
                .into(),
        );
    }
    let c = realistic_counts(o);
    let facilities: usize = c.facilities.iter().sum();
    if facilities > 9999 {
        return Err(format!(
            "--realistic: {facilities} facilities, more than 9999: use fewer --receipts (about 6,000,000 at most) or --files"
        ));
    }
    for k in KINDS {
        let (n, r) = (c.facilities[k as usize], c.receipts[k as usize]);
        let most = if k == FileKind::Dpc { 200_000 } else { 700_000 };
        if n > 0 && r.div_ceil(n as u64) > most {
            return Err(format!(
                "more than {most} receipts per file: use more --files"
            ));
        }
    }
    if !(0.0..=1.0).contains(&o.defect_rate) {
        return Err("--defect-rate must be in 0..1".into());
    }
    Ok(())
}

/// `raw` sizes scaled to add up to `total`, each within `lo..=hi` (widened to take in
/// `total / n`; `hi` at least 1), in whole receipts: the scale is found by bisection, the rounding by the
/// largest remainders.
fn fit_sizes(raw: &[f64], total: u64, lo: u64, hi: u64) -> Vec<u64> {
    let n = raw.len() as u64;
    let lo = lo.min(total / n).max(1) as f64;
    let hi = hi.max(total.div_ceil(n)) as f64;
    let at = |c: f64| -> f64 { raw.iter().map(|x| (x * c).clamp(lo, hi)).sum() };
    let (mut a, mut b) = (0.0f64, 1.0f64);
    while at(b) < total as f64 {
        b *= 2.0;
    }
    for _ in 0..200 {
        let m = (a + b) / 2.0;
        if at(m) < total as f64 {
            a = m;
        } else {
            b = m;
        }
    }
    let x: Vec<f64> = raw.iter().map(|v| (v * b).clamp(lo, hi)).collect();
    let mut v: Vec<u64> = x.iter().map(|x| x.floor() as u64).collect();
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&i, &j| (x[j] - x[j].floor()).total_cmp(&(x[i] - x[i].floor())));
    let (lo, hi) = (lo as u64, hi as u64);
    let mut sum: u64 = v.iter().sum();
    while sum < total {
        for &i in &order {
            if sum < total && v[i] < hi {
                v[i] += 1;
                sum += 1;
            }
        }
    }
    while sum > total {
        for &i in order.iter().rev() {
            if sum > total && v[i] > lo {
                v[i] -= 1;
                sum -= 1;
            }
        }
    }
    v
}

/// The facilities of a realistic month (`--realistic`), in writing order: per kind of
/// [`realistic_counts`], log-normal sizes ([`SIZE_ONE_KIND`], [`SIZE_MIXED`]) scaled to the
/// kind's receipts within [`FACILITY_MIN`]`..=`[`FACILITY_MAX`]; then [`SPLIT_SHARE`] of the
/// 医科 facilities of [`SPLIT_MIN`] receipts or more in two volumes (with `--files`: as many
/// as it leaves room for), and all of them shuffled. A pure function of the options, from
/// its own PRNG.
pub fn realistic_plan(o: &Opts) -> Vec<RealisticFacility> {
    let c = realistic_counts(o);
    let mut rng = Rng::new(o.seed ^ PLAN_SEED);
    let mut facs = Vec::new();
    for k in KINDS {
        let n = c.facilities[k as usize];
        if n == 0 {
            continue;
        }
        let (mean, sigma) = size_shape(o, k);
        let mu = mean.ln() - sigma * sigma / 2.0;
        let raw: Vec<f64> = (0..n).map(|_| (mu + sigma * rng.normal()).exp()).collect();
        // An explicit --files that makes files more than twice (or less than half) a
        // facility's usual size moves the bounds with it, so that the sizes stay skewed.
        let r = c.receipts[k as usize];
        let f = r as f64 / n as f64 / mean;
        let (lo, hi) = if f > 2.0 {
            let most = if k == FileKind::Dpc { 200_000 } else { 700_000 };
            let hi = ((FACILITY_MAX as f64 * f) as u64).min(most);
            (FACILITY_MIN, hi.max(r.div_ceil(n as u64)))
        } else if f < 0.5 {
            (((FACILITY_MIN as f64 * f) as u64).max(1), FACILITY_MAX)
        } else {
            (FACILITY_MIN, FACILITY_MAX)
        };
        for size in fit_sizes(&raw, r, lo, hi) {
            facs.push(RealisticFacility {
                kind: k,
                volumes: vec![size],
            });
        }
    }
    let medical: Vec<usize> = (0..facs.len())
        .filter(|&i| facs[i].kind == FileKind::Medical)
        .collect();
    let split: Vec<usize> = match c.two_volume {
        None => medical
            .iter()
            .copied()
            .filter(|&i| facs[i].receipts() >= SPLIT_MIN && rng.chance(SPLIT_SHARE))
            .collect(),
        Some(s) => {
            // The ones of SPLIT_MIN receipts or more at random; if too few, the largest.
            let mut cand: Vec<usize> = medical
                .iter()
                .copied()
                .filter(|&i| facs[i].receipts() >= SPLIT_MIN)
                .collect();
            for j in 0..cand.len().min(s) {
                let r = j + rng.below((cand.len() - j) as u64) as usize;
                cand.swap(j, r);
            }
            cand.truncate(s);
            if cand.len() < s {
                let mut rest: Vec<usize> = medical
                    .iter()
                    .copied()
                    .filter(|&i| (2..SPLIT_MIN).contains(&facs[i].receipts()))
                    .collect();
                rest.sort_by_key(|&i| std::cmp::Reverse(facs[i].receipts()));
                cand.extend(rest.into_iter().take(s - cand.len()));
            }
            cand
        }
    };
    for i in split {
        let n = facs[i].receipts();
        let first = ((n as f64 * (0.35 + 0.3 * rng.unit())).round() as u64).clamp(1, n - 1);
        facs[i].volumes = vec![first, n - first];
    }
    for i in (1..facs.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        facs.swap(i, j);
    }
    facs
}

/// One injected defect: where recelint must report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected {
    /// File path relative to the output folder, with `/` separators.
    pub file: String,
    /// 1-based line (record) number in that file.
    pub line: u64,
    /// The rule code expected at that line.
    pub code: &'static str,
}

#[derive(Debug, Default)]
pub struct Summary {
    /// Files written, relative to the output folder (`/` separators), in writing order.
    pub files: Vec<String>,
    pub receipts: u64,
    pub bytes: u64,
    /// Two-volume facilities.
    pub multi_volume: usize,
    pub injected: Vec<Injected>,
    /// The claim kind of each of `files` (`medical`, `dental` or `pharmacy`, as recelint
    /// names it).
    pub kinds: Vec<&'static str>,
    /// Receipts in the 歯科 files.
    pub dental_receipts: u64,
    /// Receipts in the 調剤 files.
    pub pharmacy_receipts: u64,
    /// Receipts (claims) in the DPC files: a 総括 group counts once, though it writes three
    /// RE blocks (recelint counts each block).
    pub dpc_receipts: u64,
    /// 総括 groups among them.
    pub dpc_groups: u64,
    /// Receipts of each file of `files`.
    pub file_receipts: Vec<u64>,
    /// Receipts of each facility (both volumes of a two-volume one), in writing order.
    pub facility_receipts: Vec<u64>,
    /// With `--realistic`: the bytes of every receipt by [`SIZE_CLASSES`] (a receipt is its
    /// RE record up to the next RE or GO, CR LF included; a 歯科 receipt's IR is its own), in
    /// writing order; empty otherwise.
    pub receipt_bytes: [Vec<u32>; 5],
}

/// The receipt classes of [`Summary::receipt_bytes`].
pub const SIZE_CLASSES: [&str; 5] = ["医科 outpatient", "医科 inpatient", "歯科", "調剤", "DPC"];

// ---------------------------------------------------------------------------------------
// PRNG: xoshiro256** seeded through splitmix64.

pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        let r = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        r
    }

    /// Uniform in `0..n` (`n` ≥ 1, below 2^32).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!((1..(1 << 32)).contains(&n));
        ((self.next_u64() >> 32) * n) >> 32
    }

    /// Uniform in `lo..=hi`.
    #[inline]
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `0.0..1.0`.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box–Muller, one of the pair).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
    }

    #[inline]
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }

    #[inline]
    pub fn pick_ref<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    /// Index drawn with the given weights.
    pub fn weighted(&mut self, w: &[u32]) -> usize {
        let total: u32 = w.iter().sum();
        let mut r = self.below(total as u64) as u32;
        for (i, &x) in w.iter().enumerate() {
            if r < x {
                return i;
            }
            r -= x;
        }
        w.len() - 1
    }
}

// ---------------------------------------------------------------------------------------
// Numbers and dates

/// 検証番号: weights 2, 1, 2, … from the right, digit sums of the products,
/// (10 − sum mod 10) mod 10.
pub fn check_digit(body: &[u8]) -> u8 {
    let mut sum = 0u32;
    let mut w = 2u32;
    for &c in body.iter().rev() {
        let p = (c - b'0') as u32 * w;
        sum += p / 10 + p % 10;
        w = 3 - w;
    }
    ((10 - sum % 10) % 10) as u8
}

/// `prefix` (ASCII digits) followed by `n` random digits and the check digit.
fn with_check(rng: &mut Rng, prefix: &[u8], n: usize) -> Vec<u8> {
    let mut v = prefix.to_vec();
    for _ in 0..n {
        v.push(b'0' + rng.below(10) as u8);
    }
    let c = check_digit(&v);
    v.push(b'0' + c);
    v
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// A random real date `YYYYMMDD` with year in `y0..=y1`, clamped into `lo..=hi`.
fn rand_date(rng: &mut Rng, y0: u32, y1: u32, lo: u32, hi: u32) -> u32 {
    let y = rng.range(y0 as u64, y1 as u64) as u32;
    let m = rng.range(1, 12) as u32;
    let d = rng.range(1, days_in_month(y, m) as u64) as u32;
    (y * 10000 + m * 100 + d).clamp(lo, hi)
}

#[inline]
fn push_num(b: &mut Vec<u8>, mut n: u64) {
    if n < 10 {
        b.push(b'0' + n as u8);
        return;
    }
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    while n > 0 {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    b.extend_from_slice(&tmp[i..]);
}

/// ASCII digits as full-width digits (Shift_JIS 0x824F + d).
fn push_fw_digits(b: &mut Vec<u8>, digits: &[u8]) {
    for &d in digits {
        b.extend_from_slice(&[0x82, 0x4F + (d - b'0')]);
    }
}

fn push_fw_num(b: &mut Vec<u8>, n: u64) {
    let mut tmp = Vec::with_capacity(8);
    push_num(&mut tmp, n);
    push_fw_digits(b, &tmp);
}

// ---------------------------------------------------------------------------------------
// Text pools (Shift_JIS, all JIS X 0208, checked once when built)

struct Person {
    kanji: Vec<u8>,
    kana: Vec<u8>,
}

struct Pools {
    family: Vec<Person>,
    male: Vec<Person>,
    female: Vec<Person>,
    facility: Vec<Vec<u8>>,
    /// 「住所　…」 without the house number (which is added as full-width digits).
    address: Vec<Vec<u8>>,
    contact: Vec<Vec<u8>>,
    comment: Vec<Vec<u8>>,
    disease_name: Vec<Vec<u8>>,
    product: Vec<Vec<u8>>,
    sj: Vec<Vec<u8>>,
    fw_space: Vec<u8>,
    fw_hyphen: Vec<u8>,
    black_circle: Vec<u8>,
    long_pad: Vec<u8>,
    dental_facility: Vec<Vec<u8>>,
    dental_comment: Vec<Vec<u8>>,
    /// Names of 未コード化傷病名 (0000999) on HS.
    dental_disease_name: Vec<Vec<u8>>,
    pharmacy: Vec<Vec<u8>>,
    /// SH 特別指示 (with 用法 900, and now and then with a coded one).
    instruction: Vec<Vec<u8>>,
    /// CO under a CZ: a prescription's comment.
    pharmacy_comment: Vec<Vec<u8>>,
    /// Ordinary TK 摘要 (no address or phone in them: Q003 / Q004 read every TK).
    pharmacy_remark: Vec<Vec<u8>>,
}

fn enc(s: &str) -> Vec<u8> {
    let b = sjis::encode(s);
    let scan = sjis::scan(&b);
    assert!(
        scan.bad.is_none() && scan.ext.is_none() && scan.single == 0,
        "pool text {s:?} is not full-width JIS X 0208"
    );
    b
}

fn people(list: &[(&str, &str)]) -> Vec<Person> {
    list.iter()
        .map(|(k, n)| Person {
            kanji: enc(k),
            kana: enc(n),
        })
        .collect()
}

fn pools() -> &'static Pools {
    static P: OnceLock<Pools> = OnceLock::new();
    P.get_or_init(|| Pools {
        family: people(&[
            ("佐藤", "サトウ"),
            ("鈴木", "スズキ"),
            ("高橋", "タカハシ"),
            ("田中", "タナカ"),
            ("伊藤", "イトウ"),
            ("渡辺", "ワタナベ"),
            ("山本", "ヤマモト"),
            ("中村", "ナカムラ"),
            ("小林", "コバヤシ"),
            ("加藤", "カトウ"),
            ("吉田", "ヨシダ"),
            ("山田", "ヤマダ"),
            ("佐々木", "ササキ"),
            ("山口", "ヤマグチ"),
            ("松本", "マツモト"),
            ("井上", "イノウエ"),
            ("木村", "キムラ"),
            ("林", "ハヤシ"),
            ("斎藤", "サイトウ"),
            ("清水", "シミズ"),
            ("山崎", "ヤマザキ"),
            ("森", "モリ"),
            ("池田", "イケダ"),
            ("橋本", "ハシモト"),
            ("阿部", "アベ"),
            ("石川", "イシカワ"),
            ("山下", "ヤマシタ"),
            ("中島", "ナカジマ"),
            ("石井", "イシイ"),
            ("小川", "オガワ"),
            ("前田", "マエダ"),
            ("岡田", "オカダ"),
            ("長谷川", "ハセガワ"),
            ("藤田", "フジタ"),
            ("後藤", "ゴトウ"),
            ("近藤", "コンドウ"),
            ("村上", "ムラカミ"),
            ("遠藤", "エンドウ"),
            ("青木", "アオキ"),
            ("坂本", "サカモト"),
            ("斉藤", "サイトウ"),
            ("福田", "フクダ"),
            ("太田", "オオタ"),
            ("西村", "ニシムラ"),
            ("藤井", "フジイ"),
            ("金子", "カネコ"),
            ("岡本", "オカモト"),
            ("藤原", "フジワラ"),
        ]),
        male: people(&[
            ("太郎", "タロウ"),
            ("一郎", "イチロウ"),
            ("健", "ケン"),
            ("翔太", "ショウタ"),
            ("大輔", "ダイスケ"),
            ("誠", "マコト"),
            ("浩", "ヒロシ"),
            ("茂", "シゲル"),
            ("拓也", "タクヤ"),
            ("蓮", "レン"),
            ("悠真", "ユウマ"),
            ("次郎", "ジロウ"),
            ("三郎", "サブロウ"),
            ("隆", "タカシ"),
            ("修", "オサム"),
            ("勇気", "ユウキ"),
            ("大和", "ヤマト"),
            ("和夫", "カズオ"),
            ("正雄", "マサオ"),
            ("陽翔", "ハルト"),
        ]),
        female: people(&[
            ("花子", "ハナコ"),
            ("恵子", "ケイコ"),
            ("陽子", "ヨウコ"),
            ("美咲", "ミサキ"),
            ("愛", "アイ"),
            ("結衣", "ユイ"),
            ("真由美", "マユミ"),
            ("幸子", "サチコ"),
            ("直美", "ナオミ"),
            ("陽菜", "ヒナ"),
            ("さくら", "サクラ"),
            ("和子", "カズコ"),
            ("節子", "セツコ"),
            ("久美子", "クミコ"),
            ("葵", "アオイ"),
            ("芽依", "メイ"),
            ("明美", "アケミ"),
            ("智子", "トモコ"),
            ("文子", "フミコ"),
            ("凛", "リン"),
        ]),
        facility: [
            "さくら内科クリニック",
            "医療法人社団青葉会　青葉病院",
            "みなと総合病院",
            "山田内科医院",
            "ひかり整形外科",
            "中央眼科医院",
            "けやき小児科",
            "医療法人　緑風会　緑ヶ丘病院",
            "北野記念病院",
            "すずらん耳鼻咽喉科",
            "市民総合医療センター",
            "はなみずき皮フ科",
            "東町診療所",
            "つばさ循環器内科",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        address: [
            "住所　東京都千代田区霞が関",
            "住所　大阪府大阪市北区梅田",
            "住所　北海道札幌市中央区北一条西",
            "住所　宮城県仙台市青葉区本町",
            "住所　愛知県名古屋市中区三の丸",
            "住所　福岡県福岡市博多区博多駅前",
            "住所　神奈川県横浜市中区日本大通",
            "住所　京都府京都市上京区下立売通",
            "住所　広島県広島市中区基町",
            "住所　新潟県新潟市中央区新光町",
            "住所　〒９８０－８５７０　仙台市青葉区本町",
            "住所　埼玉県さいたま市浦和区高砂",
            "住所　沖縄県那覇市泉崎",
            "住所　長野県長野市南長野",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        contact: ["連絡先　", "電話　", "連絡先電話番号　", "緊急連絡先　"]
            .iter()
            .map(|s| enc(s))
            .collect(),
        comment: [
            "症状持続のため継続投与",
            "前回実施日　２０２６年９月１２日",
            "急性増悪のため",
            "投与開始日　２０２６年１０月１日",
            "初回算定",
            "検査結果により追加",
            "患者希望により変更",
            "同日再診",
            "夜間のため",
            "経過観察中",
            "医学的に必要なため実施",
            "休日のため",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        disease_name: [
            "右第三趾爪囲炎",
            "左肩関節周囲炎",
            "頚部筋筋膜炎",
            "慢性腰痛",
            "右足関節捻挫",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        product: [
            "ドレーン　十二Ｆｒ",
            "膀胱留置カテーテル　二管一般",
            "ガーゼ付き絆創膏",
            "静脈留置針",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        sj: [
            "上記症状により入院加療を要した。安静度を段階的に上げ、経過良好にて退院予定である。",
            "入院時より発熱と呼吸困難が持続したため、抗菌薬の点滴静注を継続した。",
            "主たる疾患の増悪により、検査及び画像診断を繰り返し実施した。",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        fw_space: enc("　"),
        fw_hyphen: enc("－"),
        black_circle: enc("●"),
        long_pad: enc("之助右衛門左衛門兵衛太郎次郎三郎四郎五郎"),
        dental_facility: [
            "さくら歯科クリニック",
            "医療法人社団白樺会　しらかば歯科医院",
            "みなと歯科",
            "山田歯科医院",
            "ひまわり小児歯科",
            "駅前デンタルクリニック",
            "中央歯科診療所",
            "あおば矯正歯科",
            "医療法人　緑風会　みどり歯科口腔外科",
            "つばき歯科医院",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        dental_comment: [
            "前回来院日　２０２６年９月２４日",
            "急性症状のため",
            "管理計画を文書により提供",
            "義歯新製のため",
            "抜歯後疼痛のため",
            "歯周病安定期治療へ移行",
            "患者希望により次回に延期",
            "咬合痛のため咬合調整",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        dental_disease_name: [
            "右下智歯周囲炎",
            "左上第一大臼歯咬合痛",
            "上顎前歯部歯肉退縮",
            "義歯性口内炎",
            "下顎右側第二小臼歯知覚過敏",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        pharmacy: [
            "さくら薬局",
            "あおば調剤薬局",
            "みなと薬局　駅前店",
            "ひまわり薬局",
            "中央調剤薬局",
            "すずらん薬局",
            "株式会社つばめ　つばめ薬局",
            "けやき通り薬局",
            "ハート調剤薬局",
            "はなみずき薬局　本店",
            "みどり薬局",
            "日本橋ファーマシー",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        instruction: [
            "１日２回患部に塗布",
            "１日数回患部に塗布",
            "疼痛時",
            "発熱時",
            "便秘時",
            "１日１回貼付",
            "１回１滴１日４回点眼",
            "朝食直後",
            "就寝前",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        pharmacy_comment: [
            "一包化",
            "粉砕",
            "医師の指示により一包化",
            "残薬調整のため日数変更",
            "後発医薬品へ変更",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
        pharmacy_remark: [
            "処方医に疑義照会のうえ用量変更",
            "残薬確認のうえ日数調整",
            "お薬手帳持参",
            "服薬状況を処方医に情報提供",
            "後発医薬品の使用について説明",
        ]
        .iter()
        .map(|s| enc(s))
        .collect(),
    })
}

// ---------------------------------------------------------------------------------------
// Defects

/// The defects that can be injected, one per receipt, each with the rule that must report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// 保険者番号 with a wrong check digit.
    I002,
    /// 8-digit 保険者番号 with an impossible 法別番号 (05) and a correct check digit.
    I003,
    /// 公費負担者番号 with a wrong check digit.
    I004,
    /// 受給者番号 with a wrong check digit.
    I005,
    /// SN 確認区分 02 in a first claim.
    I007,
    /// HO 番号 empty.
    I008,
    /// A letter in SI 点数 (数字).
    V001,
    /// 氏名 longer than 40 bytes.
    V002,
    /// 傷病名コード of 6 digits (固定 7).
    V003,
    /// 男女区分 3.
    V004,
    /// SY 診療開始日 on day 32.
    V005,
    /// HO 番号 mixing full- and half-width digits.
    V006,
    /// SY 転帰区分 (required) empty.
    V007,
    /// レセプト特記事項 of 3 bytes.
    V008,
    /// A gap in the レセプト番号 (the later receipts follow on from it).
    S005,
    /// The KO of a 医保＋公費 receipt dropped.
    S006,
    /// Every SY dropped.
    S007,
    /// Every SI / IY / TO dropped.
    S008,
    /// 99 consecutive SI with 診療識別 omitted.
    S013,
    /// 回数 one more than the sum of its days.
    S014,
    /// 負担区分 2 (医+公①) on a receipt without KO.
    S015,
    /// A SY after the first SI / IY / TO.
    S016,
    /// 髙 as NEC/IBM bytes 0xEE 0xE0 in the 氏名.
    C001,
    /// 「●」 in the 氏名 and no カタカナ氏名 (warning).
    C003,
    /// 不詳 claim whose 番号 is not all 7s.
    Q002,
    /// 不詳 claim without the address comment.
    Q003,
    /// 不詳 claim without the phone comment (warning).
    Q004,
    /// A double quote in the カルテ番号.
    F006,
    /// 歯科: a receipt without its IR, or with its IR written twice (the second is not RE).
    D001,
    /// 歯科: one IR value (都道府県, 医療機関コード, 請求年月 or 審査支払機関) differs from UK.
    D002,
    /// 歯科: a 歯式 unit with the impossible 歯種 1019 in the first HS.
    D003,
    /// 歯科: an outpatient receipt with the inpatient-only 診療識別 40.
    D004,
    /// 歯科: 100 HS records in one receipt (reported at the 100th).
    D005,
    /// 歯科: an outpatient RE with an empty 診療開始日.
    D006,
    /// 調剤: an IY (or TO) moved before its CZ, or a CZ whose SH is dropped.
    P001,
    /// 調剤: a CZ dispensed 1–3 days before its 処方箋交付年月日.
    P002,
    /// DPC: an HH 包括小計点数 ≠ 点数 × 日数 (its GT sums the recorded subtotals).
    G001,
    /// DPC: a GT 包括小計点数合算 ≠ Σ of its HH.
    G002,
    /// DPC: a GA 外泊等 of 30 characters for October.
    G003,
}

/// The 医科 defects (drawn by a 医科 file).
pub const DEFECTS: &[Defect] = &[
    Defect::I002,
    Defect::I003,
    Defect::I004,
    Defect::I005,
    Defect::I007,
    Defect::I008,
    Defect::V001,
    Defect::V002,
    Defect::V003,
    Defect::V004,
    Defect::V005,
    Defect::V006,
    Defect::V007,
    Defect::V008,
    Defect::S005,
    Defect::S006,
    Defect::S007,
    Defect::S008,
    Defect::S013,
    Defect::S014,
    Defect::S015,
    Defect::S016,
    Defect::C001,
    Defect::C003,
    Defect::Q002,
    Defect::Q003,
    Defect::Q004,
    Defect::F006,
];

/// The 歯科 defects (drawn by a 歯科 file): the shared ones at their 歯科 positions, and D001–D006.
/// (No V007, since no 歯科 field is marked required, and no S013, which 歯科 does not check.)
pub const DENTAL_DEFECTS: &[Defect] = &[
    Defect::I002,
    Defect::I003,
    Defect::I004,
    Defect::I005,
    Defect::I007,
    Defect::I008,
    Defect::V001,
    Defect::V002,
    Defect::V003,
    Defect::V004,
    Defect::V005,
    Defect::V006,
    Defect::V008,
    Defect::S005,
    Defect::S006,
    Defect::S007,
    Defect::S008,
    Defect::S014,
    Defect::S015,
    Defect::S016,
    Defect::C001,
    Defect::C003,
    Defect::Q002,
    Defect::Q003,
    Defect::Q004,
    Defect::F006,
    Defect::D001,
    Defect::D002,
    Defect::D003,
    Defect::D004,
    Defect::D005,
    Defect::D006,
];

/// The 調剤 defects (drawn by a 調剤 file): the shared ones that make sense for 調剤, at their
/// 調剤 positions, and P001 / P002. (No V001, V002, V003, V006 or V007: almost every 調剤 field
/// is `mode = "any"` without a length; no S007, S013, S014 or S017, which 調剤 does not check;
/// S016 is a KI written before the SH blocks.)
pub const PHARMACY_DEFECTS: &[Defect] = &[
    Defect::I002,
    Defect::I003,
    Defect::I004,
    Defect::I005,
    Defect::I007,
    Defect::I008,
    Defect::V004,
    Defect::V005,
    Defect::V008,
    Defect::S005,
    Defect::S006,
    Defect::S008,
    Defect::S015,
    Defect::S016,
    Defect::C001,
    Defect::C003,
    Defect::Q002,
    Defect::Q003,
    Defect::Q004,
    Defect::F006,
    Defect::P001,
    Defect::P002,
];

/// The DPC defects (drawn by a DPC file, always on a plain receipt, 総括区分 0): G001–G003 and
/// the shared ones that make sense there — V004 (男女区分 3), V005 (a CD 実施年月日 on day 32),
/// I002, Q003 / Q004 (a 不詳 receipt without its address / phone CO), S005.
pub const DPC_DEFECTS: &[Defect] = &[
    Defect::G001,
    Defect::G002,
    Defect::G003,
    Defect::V004,
    Defect::V005,
    Defect::I002,
    Defect::Q003,
    Defect::Q004,
    Defect::S005,
];

impl Defect {
    pub fn code(self) -> &'static str {
        match self {
            Defect::I002 => "I002",
            Defect::I003 => "I003",
            Defect::I004 => "I004",
            Defect::I005 => "I005",
            Defect::I007 => "I007",
            Defect::I008 => "I008",
            Defect::V001 => "V001",
            Defect::V002 => "V002",
            Defect::V003 => "V003",
            Defect::V004 => "V004",
            Defect::V005 => "V005",
            Defect::V006 => "V006",
            Defect::V007 => "V007",
            Defect::V008 => "V008",
            Defect::S005 => "S005",
            Defect::S006 => "S006",
            Defect::S007 => "S007",
            Defect::S008 => "S008",
            Defect::S013 => "S013",
            Defect::S014 => "S014",
            Defect::S015 => "S015",
            Defect::S016 => "S016",
            Defect::C001 => "C001",
            Defect::C003 => "C003",
            Defect::Q002 => "Q002",
            Defect::Q003 => "Q003",
            Defect::Q004 => "Q004",
            Defect::F006 => "F006",
            Defect::D001 => "D001",
            Defect::D002 => "D002",
            Defect::D003 => "D003",
            Defect::D004 => "D004",
            Defect::D005 => "D005",
            Defect::D006 => "D006",
            Defect::P001 => "P001",
            Defect::P002 => "P002",
            Defect::G001 => "G001",
            Defect::G002 => "G002",
            Defect::G003 => "G003",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Receipt model

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ins {
    /// 被用者保険, 8 digits, 法別 01 06 31–34.
    Shaho,
    /// 国保, 6 digits.
    Kokuho,
    /// 後期高齢者, 法別 39.
    Kouki,
    /// 公費単独 (no HO).
    Kohi,
    /// 不詳 fill 77777777 / 77777779.
    Fusho,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rec {
    Si,
    Iy,
    To,
    Co,
}

#[derive(Clone, Copy)]
struct Item {
    rec: Rec,
    /// 診療識別; 0 = omitted (continues the previous one).
    care: u8,
    burden: u8,
    code: u32,
    qty: &'static str,
    /// 0 = empty.
    points: u32,
    days: [u8; 31],
    /// (comment code, index into the comment pool + 1 or 0 for no text).
    comment: (u32, u16),
    /// TO: 単位コード / 単価 / product name index + 1.
    unit: u16,
    price: u32,
    product: u16,
}

impl Item {
    fn new(rec: Rec, care: u8, code: u32, points: u32) -> Item {
        Item {
            rec,
            care,
            burden: b'1',
            code,
            qty: "",
            points,
            days: [0; 31],
            comment: (0, 0),
            unit: 0,
            price: 0,
            product: 0,
        }
    }
    #[inline]
    fn on(&mut self, day: u8, n: u8) {
        self.days[day as usize - 1] = n;
    }
    fn times(&self) -> u64 {
        self.days.iter().map(|&d| d as u64).sum()
    }
}

/// Facility-level state while its receipts are written.
struct Facility {
    code: [u8; 7],
    pref: u8,
    review: u8,
    name: usize,
    phone: Vec<u8>,
    /// Next レセプト番号 (before any injected gap).
    next_no: u64,
    /// Added to every later レセプト番号 after an injected gap.
    no_shift: u64,
    /// Serial for カルテ番号 (unique within the facility).
    karte: u64,
    count: u64,
    points: u64,
    /// 歯科 UK 届出: 施設基準届出コード, 2 characters each (empty for 医科).
    standards: Vec<u8>,
}

/// What writing one receipt produced.
struct Written {
    lines: u64,
    /// Line within the receipt (0-based) of the injected defect.
    defect_at: Option<u64>,
    count: u64,
    points: u64,
}

const SHAHO_HOBETSU: [&[u8]; 6] = [b"01", b"06", b"31", b"32", b"33", b"34"];
/// National 公費 法別 used (and a local one, 88, written correctly).
const KOHI_HOBETSU: [&[u8]; 9] = [
    b"12", b"21", b"15", b"54", b"52", b"51", b"19", b"10", b"88",
];
/// レセプト特記事項 codes used on clean receipts (current codes only).
const TOKKI: [&[u8]; 10] = [
    b"26", b"27", b"28", b"29", b"30", b"41", b"42", b"02", b"16", b"20",
];
/// Chronic and acute 傷病名コード.
const CHRONIC: [u32; 12] = [
    4019001, 2500013, 2720004, 4139007, 5329001, 7159005, 2961003, 4939004, 5718003, 2449001,
    4280009, 5859002,
];
const ACUTE: [u32; 8] = [
    4659007, 4600005, 5589001, 4870002, 8450001, 4619002, 3829001, 6820003,
];
const MODIFIERS: [&str; 4] = ["8002", "2056", "1011", "3008"];
/// 検査 codes and points (a group takes distinct ones).
const TESTS: [(u32, u32); 32] = [
    (160000310, 11),
    (160000410, 21),
    (160008010, 11),
    (160008510, 17),
    (160010010, 17),
    (160019210, 11),
    (160022410, 70),
    (160061710, 144),
    (160062110, 125),
    (160095710, 110),
    (160012110, 11),
    (160019010, 11),
    (160000110, 21),
    (160000210, 25),
    (160002810, 25),
    (160003510, 11),
    (160004410, 17),
    (160007010, 11),
    (160007210, 11),
    (160007710, 11),
    (160008210, 11),
    (160009110, 11),
    (160010510, 11),
    (160016910, 11),
    (160017410, 17),
    (160018410, 11),
    (160020310, 22),
    (160021810, 55),
    (160026410, 110),
    (160028610, 37),
    (160037910, 17),
    (160047510, 24),
];
const IMAGES: [(u32, u32); 5] = [
    (170000410, 210),
    (170011710, 85),
    (170012210, 68),
    (170015210, 900),
    (170027910, 1620),
];
const QTY_IY: [&str; 7] = ["1", "2", "3", "0.5", "1.5", "6", "10"];
const SUPPLY: [u8; 6] = [7, 14, 14, 28, 28, 30];

struct Gen {
    rng: Rng,
    items: Vec<Item>,
    buf: Vec<u8>,
    visit: Vec<u8>,
    /// A 歯科 receipt's care records and 傷病名.
    ditems: Vec<DItem>,
    episodes: Vec<Episode>,
    /// A 調剤 receipt's prescriptions (SH), dispensings (CZ), drugs (IY / TO) and receptions.
    prx: Vec<PRx>,
    pdisp: Vec<PDisp>,
    pdrug: Vec<PDrug>,
    precv: Vec<PRecv>,
    /// `--realistic`: 医科 outpatient receipts of a clinic's size ([`Gen::outpatient_items_light`]).
    realistic: bool,
    /// Share of 医科 receipts that are 入院 (0.12, or by the facility with `--realistic`).
    medical_inpatient: f64,
    /// With `--realistic`: the bytes of every receipt, by [`SIZE_CLASSES`].
    sizes: Option<Box<[Vec<u32>; 5]>>,
}

/// A 公費負担者番号: 法別, 都道府県, 実施機関, 検証番号 (`national`: no local 8x program).
/// The `k`-th 公費 of a receipt: its 負担者番号 and 受給者番号, with the first one's defect
/// when injected (I004 / I005 a wrong check digit, at `line`); `None` for S006 (the KO the
/// receipt kind needs is left out).
fn kohi_ids(
    rng: &mut Rng,
    pref: u8,
    k: usize,
    defect: Option<Defect>,
    line: u64,
    defect_at: &mut Option<u64>,
) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut payer = kohi_payer(rng, pref, k == 0);
    let mut recip = with_check(rng, b"", 6);
    if k == 0 {
        match defect {
            Some(Defect::I004) => {
                let good = payer[7] - b'0';
                payer[7] = b'0' + (good + 1 + rng.below(9) as u8) % 10;
                *defect_at = Some(line);
            }
            Some(Defect::I005) => {
                let good = recip[6] - b'0';
                recip[6] = b'0' + (good + 1 + rng.below(9) as u8) % 10;
                *defect_at = Some(line);
            }
            Some(Defect::S006) => return None,
            _ => {}
        }
    }
    Some((payer, recip))
}

fn kohi_payer(rng: &mut Rng, pref: u8, national: bool) -> Vec<u8> {
    let mut h = rng.pick(&KOHI_HOBETSU);
    if national && h[0] == b'8' {
        h = b"21";
    }
    let p = [h[0], h[1], b'0' + pref / 10, b'0' + pref % 10];
    with_check(rng, &p, 3)
}

/// SN, JD and MF as 医科 writes them (歯科 and 調剤 too): SN with the I007 defect when it is
/// injected, JD with `jd_days` (1 on a day counted), MF by whether there is 公費.
fn write_sn_jd_mf(
    o: &mut Out,
    rng: &mut Rng,
    p: &Plan,
    has_ho: bool,
    jd_days: &[u8; 31],
    defect: Option<Defect>,
    w: &mut Written,
) {
    if p.sn {
        if defect == Some(Defect::I007) {
            w.defect_at = Some(o.lines);
            o.b.extend_from_slice(b"SN,1,02,,,,");
        } else {
            o.b.extend_from_slice(b"SN,1,01,,,,");
        }
        o.b.extend_from_slice(if rng.chance(0.7) { b"00" } else { b"01" });
        o.empty(2);
        o.end();
    }
    if p.jd {
        o.b.extend_from_slice(if has_ho { b"JD,1" } else { b"JD,2" });
        o.days(jd_days);
        o.end();
    }
    if p.mf {
        o.b.extend_from_slice(if p.n_ko > 0 { b"MF,01" } else { b"MF,00" });
        o.empty(31);
        o.end();
    }
}

/// A patient's 氏名 in 漢字 (family, full-width space, given), with one kanji shown as 「●」
/// when the national systems cannot show it, and the family and given entries it was
/// drawn from (for the カナ). Every kind's RE uses it, with the same draws in the same order.
fn patient_name(
    rng: &mut Rng,
    sex: u8,
    black_circle: bool,
) -> (Vec<u8>, &'static Person, &'static Person) {
    let pools = pools();
    let fam = rng.pick_ref(&pools.family);
    let given = if sex == 1 {
        rng.pick_ref(&pools.male)
    } else {
        rng.pick_ref(&pools.female)
    };
    let mut name = Vec::with_capacity(48);
    name.extend_from_slice(&fam.kanji);
    name.extend_from_slice(&pools.fw_space);
    name.extend_from_slice(&given.kanji);
    if black_circle {
        let chars = name.len() / 2;
        let space = fam.kanji.len() / 2;
        let mut at = rng.below(chars as u64) as usize;
        if at == space {
            at = 0;
        }
        name[at * 2..at * 2 + 2].copy_from_slice(&pools.black_circle);
    }
    (name, fam, given)
}

impl Gen {
    /// Notes the size of the receipt in `self.buf` (of a `kind` file) when sizes are kept:
    /// 医科 by its レセプト種別 (4th digit odd: 入院), DPC per RE block.
    fn note_size(&mut self, kind: FileKind) {
        let Some(sizes) = self.sizes.as_mut() else {
            return;
        };
        let b = &self.buf;
        match kind {
            FileKind::Medical => {
                // RE,<番号>,<種別>,…
                let at = b.iter().position(|&c| c == b',').unwrap() + 1;
                let at = at + b[at..].iter().position(|&c| c == b',').unwrap() + 1;
                let inpatient = (b[at + 3] - b'0') % 2 == 1;
                sizes[usize::from(inpatient)].push(b.len() as u32);
            }
            FileKind::Dental => sizes[2].push(b.len() as u32),
            FileKind::Pharmacy => sizes[3].push(b.len() as u32),
            FileKind::Dpc => {
                let mut start = 0;
                for (i, _) in b.iter().enumerate().filter(|&(_, &c)| c == b'\n') {
                    if b[i + 1..].starts_with(b"RE,") {
                        sizes[4].push((i + 1 - start) as u32);
                        start = i + 1;
                    }
                }
                sizes[4].push((b.len() - start) as u32);
            }
        }
    }

    /// Picks the visit days of an outpatient (sorted, distinct).
    fn outpatient_days(&mut self, n: usize) {
        self.visit.clear();
        while self.visit.len() < n {
            let d = self.rng.range(1, MONTH_DAYS as u64) as u8;
            if !self.visit.contains(&d) {
                self.visit.push(d);
            }
        }
        self.visit.sort_unstable();
    }

    /// A group of tests on `day`: first with 診療識別 60, the rest continue it.
    fn tests(&mut self, day: u8, n: usize) {
        // A partial Fisher–Yates shuffle gives distinct tests (the 100-line defect group
        // repeats them).
        let mut order: [u8; TESTS.len()] = std::array::from_fn(|i| i as u8);
        for k in 0..n {
            let j = k % TESTS.len();
            let r = j + self.rng.below((TESTS.len() - j) as u64) as usize;
            order.swap(j, r);
            let (code, pts) = TESTS[order[j] as usize];
            let mut it = Item::new(Rec::Si, if k == 0 { 60 } else { 0 }, code, pts);
            it.days[day as usize - 1] = 1;
            self.items.push(it);
        }
    }

    /// One 剤 of drugs given on `days` with `per_day` each (IY, 点数 on its last line).
    fn drugs(&mut self, care: u8, lines: usize, days: &[u8], per_day: u8) {
        for k in 0..lines {
            let code = 610_000_000 + self.rng.below(30_000_000) as u32;
            let pts = if k + 1 == lines {
                self.rng.range(1, 45) as u32
            } else {
                0
            };
            let mut it = Item::new(Rec::Iy, if k == 0 { care } else { 0 }, code, pts);
            it.qty = self.rng.pick(&QTY_IY);
            for &d in days {
                it.days[d as usize - 1] = per_day;
            }
            self.items.push(it);
        }
    }

    fn maybe_comment(&mut self, it: &mut Item, p: f64) {
        if self.rng.chance(p) {
            if self.rng.chance(0.6) {
                let n = pools().comment.len() as u64;
                it.comment = (810_000_001, self.rng.below(n) as u16 + 1);
            } else {
                it.comment = (820_100_000 + self.rng.below(900) as u32, 0);
            }
        }
    }

    /// The care records of an outpatient month.
    fn outpatient_items(&mut self, first_visit: bool) {
        let n = [1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 8, 10][self.rng.below(13) as usize];
        self.outpatient_days(n);
        let visit = self.visit.clone();
        // 初診 / 再診.
        let (first, rest) = if first_visit {
            (Some(visit[0]), &visit[1..])
        } else {
            (None, &visit[..])
        };
        if let Some(d) = first {
            let mut it = Item::new(Rec::Si, 11, 111_000_110, 291);
            it.on(d, 1);
            self.items.push(it);
            if self.rng.chance(0.3) {
                let mut it = Item::new(Rec::Si, 0, 111_011_810, 3);
                it.on(d, 1);
                self.items.push(it);
            }
        }
        if !rest.is_empty() {
            let mut it = Item::new(Rec::Si, 12, 112_007_410, 75);
            for &d in rest {
                it.on(d, 1);
            }
            self.items.push(it);
            if self.rng.chance(0.5) {
                let mut it = Item::new(Rec::Si, 0, 112_011_010, 52);
                for &d in rest {
                    it.on(d, 1);
                }
                self.items.push(it);
            }
        }
        // 医学管理.
        if self.rng.chance(0.45) {
            let mut it = Item::new(Rec::Si, 13, 113_001_810, 225);
            it.on(*visit.last().unwrap(), 1);
            self.maybe_comment(&mut it, 0.1);
            self.items.push(it);
        }
        // 在宅.
        if self.rng.chance(0.04) {
            let mut it = Item::new(Rec::Si, 14, 114_001_110, 888);
            it.on(visit[0], 1);
            self.items.push(it);
        }
        // Drugs: in-house (IY) or a prescription (処方箋料).
        if self.rng.chance(0.75) {
            let rx: Vec<u8> = visit
                .iter()
                .copied()
                .filter(|_| self.rng.chance(if n > 3 { 0.35 } else { 0.7 }))
                .collect();
            let rx = if rx.is_empty() { vec![visit[0]] } else { rx };
            if self.rng.chance(0.55) {
                let zai = self.rng.range(1, 5) as usize;
                for z in 0..zai {
                    let (care, per) = match z {
                        0 | 1 => (21, self.rng.pick(&SUPPLY)),
                        2 => (22, self.rng.range(3, 10) as u8),
                        _ => (23, 1),
                    };
                    let lines = self.rng.range(1, 4) as usize;
                    self.drugs(care, lines, &rx, per);
                }
                let mut it = Item::new(Rec::Si, 25, 120_000_710, 42);
                for &d in &rx {
                    it.on(d, 1);
                }
                self.items.push(it);
                let mut it = Item::new(Rec::Si, 24, 120_000_110, 11);
                for &d in &rx {
                    it.on(d, 1);
                }
                self.items.push(it);
            } else {
                let mut it = Item::new(Rec::Si, 25, 120_002_910, 68);
                for &d in &rx {
                    it.on(d, 1);
                }
                self.maybe_comment(&mut it, 0.05);
                self.items.push(it);
            }
        }
        // 注射.
        if self.rng.chance(0.12) {
            let d = self.rng.pick(&visit);
            let mut it = Item::new(Rec::Si, 33, 130_003_510, 102);
            it.on(d, 1);
            self.items.push(it);
            let lines = self.rng.range(1, 2) as usize;
            self.drugs(0, lines, &[d], 1);
        }
        // 処置 (with a material now and then).
        if self.rng.chance(0.15) {
            let d = self.rng.pick(&visit);
            let mut it = Item::new(Rec::Si, 40, 140_000_610, 52);
            it.on(d, 1);
            self.items.push(it);
            if self.rng.chance(0.4) {
                self.material(0, d);
            }
        }
        // 検査.
        if self.rng.chance(0.8) {
            let groups = self.rng.range(1, 3.min(visit.len() as u64)) as usize;
            for &d in visit.iter().take(groups) {
                let n = self.rng.range(5, 20) as usize;
                self.tests(d, n);
            }
        }
        // 画像診断.
        if self.rng.chance(0.15) {
            let d = self.rng.pick(&visit);
            let n = self.rng.range(1, 4) as usize;
            for k in 0..n {
                let (code, pts) = self.rng.pick(&IMAGES);
                let mut it = Item::new(Rec::Si, if k == 0 { 70 } else { 0 }, code, pts);
                it.on(d, 1);
                self.items.push(it);
            }
        }
        // その他 (リハビリ).
        if self.rng.chance(0.06) {
            let mut it = Item::new(Rec::Si, 80, 180_027_410, 185);
            for &d in &visit {
                let n = self.rng.range(1, 3) as u8;
                it.on(d, n);
            }
            self.items.push(it);
        }
    }

    /// [`Gen::outpatient_items`] as a clinic's outpatient month has them (`--realistic`):
    /// one or two visits mostly, 院外処方 mostly (an in-house 剤 or two now and then), tests
    /// on about a third of the receipts and a handful at a time, the rest seldom.
    fn outpatient_items_light(&mut self, first_visit: bool) {
        let n = [1, 1, 1, 1, 1, 2, 2, 2, 3, 4][self.rng.below(10) as usize];
        self.outpatient_days(n);
        let visit = self.visit.clone();
        let (first, rest) = if first_visit {
            (Some(visit[0]), &visit[1..])
        } else {
            (None, &visit[..])
        };
        if let Some(d) = first {
            let mut it = Item::new(Rec::Si, 11, 111_000_110, 291);
            it.on(d, 1);
            self.items.push(it);
            if self.rng.chance(0.2) {
                let mut it = Item::new(Rec::Si, 0, 111_011_810, 3);
                it.on(d, 1);
                self.items.push(it);
            }
        }
        if !rest.is_empty() {
            let mut it = Item::new(Rec::Si, 12, 112_007_410, 75);
            for &d in rest {
                it.on(d, 1);
            }
            self.items.push(it);
            if self.rng.chance(0.5) {
                let mut it = Item::new(Rec::Si, 0, 112_011_010, 52);
                for &d in rest {
                    it.on(d, 1);
                }
                self.items.push(it);
            }
        }
        // 医学管理.
        if self.rng.chance(0.35) {
            let mut it = Item::new(Rec::Si, 13, 113_001_810, 225);
            it.on(*visit.last().unwrap(), 1);
            self.maybe_comment(&mut it, 0.05);
            self.items.push(it);
        }
        // 在宅.
        if self.rng.chance(0.02) {
            let mut it = Item::new(Rec::Si, 14, 114_001_110, 888);
            it.on(visit[0], 1);
            self.items.push(it);
        }
        // Drugs: mostly a prescription (処方箋料), now and then in-house.
        if self.rng.chance(0.7) {
            let rx: Vec<u8> = visit
                .iter()
                .copied()
                .filter(|_| self.rng.chance(0.6))
                .collect();
            let rx = if rx.is_empty() { vec![visit[0]] } else { rx };
            if self.rng.chance(0.25) {
                let zai = self.rng.range(1, 2) as usize;
                for _ in 0..zai {
                    let per = self.rng.pick(&SUPPLY);
                    let lines = self.rng.range(1, 2) as usize;
                    self.drugs(21, lines, &rx, per);
                }
                let mut it = Item::new(Rec::Si, 25, 120_000_710, 42);
                for &d in &rx {
                    it.on(d, 1);
                }
                self.items.push(it);
                let mut it = Item::new(Rec::Si, 24, 120_000_110, 11);
                for &d in &rx {
                    it.on(d, 1);
                }
                self.items.push(it);
            } else {
                let mut it = Item::new(Rec::Si, 25, 120_002_910, 68);
                for &d in &rx {
                    it.on(d, 1);
                }
                self.items.push(it);
            }
        }
        // 注射.
        if self.rng.chance(0.05) {
            let d = self.rng.pick(&visit);
            let mut it = Item::new(Rec::Si, 33, 130_003_510, 102);
            it.on(d, 1);
            self.items.push(it);
            self.drugs(0, 1, &[d], 1);
        }
        // 処置.
        if self.rng.chance(0.08) {
            let d = self.rng.pick(&visit);
            let mut it = Item::new(Rec::Si, 40, 140_000_610, 52);
            it.on(d, 1);
            self.items.push(it);
            if self.rng.chance(0.3) {
                self.material(0, d);
            }
        }
        // 検査: one group on one visit.
        if self.rng.chance(0.4) {
            let d = self.rng.pick(&visit);
            let n = self.rng.range(3, 7) as usize;
            self.tests(d, n);
        }
        // 画像診断.
        if self.rng.chance(0.05) {
            let d = self.rng.pick(&visit);
            let n = self.rng.range(1, 2) as usize;
            for k in 0..n {
                let (code, pts) = self.rng.pick(&IMAGES);
                let mut it = Item::new(Rec::Si, if k == 0 { 70 } else { 0 }, code, pts);
                it.on(d, 1);
                self.items.push(it);
            }
        }
        // リハビリ.
        if self.rng.chance(0.03) {
            let mut it = Item::new(Rec::Si, 80, 180_027_410, 185);
            for &d in &visit {
                it.on(d, 1);
            }
            self.items.push(it);
        }
    }

    fn material(&mut self, care: u8, day: u8) {
        let mut it = Item::new(
            Rec::To,
            care,
            730_000_000 + self.rng.below(9_999_999) as u32,
            self.rng.range(1, 400) as u32,
        );
        it.qty = self.rng.pick(&["1", "2", "1.5", "10"]);
        if self.rng.chance(0.5) {
            it.unit = self.rng.range(1, 61) as u16;
            it.price = self.rng.range(50, 99_999) as u32;
        }
        if self.rng.chance(0.3) {
            it.product = self.rng.below(pools().product.len() as u64) as u16 + 1;
        }
        it.on(day, 1);
        self.items.push(it);
    }

    /// The care records of an inpatient month from `from` to `to` (days of October).
    fn inpatient_items(&mut self, from: u8, to: u8) {
        let stay: Vec<u8> = (from..=to).collect();
        self.visit = stay.clone();
        // 入院基本料 and its 加算.
        let mut it = Item::new(Rec::Si, 90, 190_077_410, 1688);
        for &d in &stay {
            it.on(d, 1);
        }
        self.items.push(it);
        for _ in 0..self.rng.range(2, 5) {
            let mut it = Item::new(
                Rec::Si,
                0,
                190_100_000 + self.rng.below(90_000) as u32 * 10,
                self.rng.range(10, 450) as u32,
            );
            for &d in &stay {
                if d == from || self.rng.chance(0.8) {
                    it.on(d, 1);
                }
            }
            self.items.push(it);
        }
        if self.rng.chance(0.1) {
            let mut it = Item::new(Rec::Si, 92, 190_128_110, 3278);
            for &d in &stay {
                it.on(d, 1);
            }
            self.items.push(it);
        }
        // 食事療養: 3 meals a day (fewer on the first day).
        let mut it = Item::new(Rec::Si, 97, 197_000_470, 64);
        for &d in &stay {
            it.on(d, if d == from && from > 1 { 2 } else { 3 });
        }
        self.items.push(it);
        // 医学管理.
        if self.rng.chance(0.5) {
            let mut it = Item::new(Rec::Si, 13, 113_012_910, 300);
            it.on(from, 1);
            self.items.push(it);
        }
        // 内服 daily.
        for _ in 0..self.rng.range(2, 5) {
            let lines = self.rng.range(1, 3) as usize;
            self.drugs(21, lines, &stay, 1);
        }
        // 注射.
        if self.rng.chance(0.6) {
            let days: Vec<u8> = stay
                .iter()
                .copied()
                .filter(|_| self.rng.chance(0.6))
                .collect();
            if !days.is_empty() {
                let mut it = Item::new(Rec::Si, 33, 130_012_310, 102);
                for &d in &days {
                    it.on(d, 1);
                }
                self.items.push(it);
                let lines = self.rng.range(1, 4) as usize;
                self.drugs(0, lines, &days, 1);
            }
        }
        // 検査.
        let groups = self.rng.range(2, 7).min(stay.len() as u64);
        for _ in 0..groups {
            let d = self.rng.pick(&stay);
            let n = self.rng.range(4, 12) as usize;
            self.tests(d, n);
        }
        // 画像診断.
        if self.rng.chance(0.5) {
            let d = self.rng.pick(&stay);
            for k in 0..self.rng.range(1, 3) {
                let (code, pts) = self.rng.pick(&IMAGES);
                let mut it = Item::new(Rec::Si, if k == 0 { 70 } else { 0 }, code, pts);
                it.on(d, 1);
                self.items.push(it);
            }
        }
        // 手術, 麻酔 and materials.
        if self.rng.chance(0.18) {
            let d = self.rng.pick(&stay);
            let mut it = Item::new(
                Rec::Si,
                50,
                150_000_000 + self.rng.below(400_000) as u32 * 10,
                self.rng.range(1_000, 60_000) as u32,
            );
            it.on(d, 1);
            self.maybe_comment(&mut it, 0.3);
            self.items.push(it);
            for _ in 0..self.rng.range(1, 3) {
                self.material(0, d);
            }
            let mut it = Item::new(Rec::Si, 54, 150_327_010, 1_050);
            it.on(d, 1);
            self.items.push(it);
            self.drugs(0, 2, &[d], 1);
        }
        // リハビリ.
        if self.rng.chance(0.25) {
            let mut it = Item::new(Rec::Si, 80, 180_027_410, 185);
            for &d in &stay {
                if self.rng.chance(0.7) {
                    let n = self.rng.range(1, 3) as u8;
                    it.on(d, n);
                }
            }
            if it.times() == 0 {
                it.on(from, 1);
            }
            self.items.push(it);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Writing records

/// Burden codes (別表21) naming 医保 + the first `k` 公費, or only the `k` 公費.
fn full_burden(has_ho: bool, k: u8) -> u8 {
    match (has_ho, k) {
        (true, 0) => b'1',
        (true, 1) => b'2',
        (true, 2) => b'4',
        (true, 3) => b'V',
        (true, _) => b'9',
        (false, 1) => b'5',
        (false, 2) => b'7',
        (false, 3) => b'R',
        (false, _) => b'Z',
    }
}

/// Which payers a burden code of [`full_burden`] (or 1 / 5) names: (HO, number of KO from 1).
fn burden_payers(b: u8) -> (bool, u8) {
    match b {
        b'1' => (true, 0),
        b'2' => (true, 1),
        b'4' => (true, 2),
        b'V' => (true, 3),
        b'9' => (true, 4),
        b'5' => (false, 1),
        b'7' => (false, 2),
        b'R' => (false, 3),
        b'Z' => (false, 4),
        _ => (false, 0),
    }
}

struct Out<'a> {
    b: &'a mut Vec<u8>,
    lines: u64,
}

impl Out<'_> {
    #[inline]
    fn f(&mut self, v: &[u8]) {
        self.b.push(b',');
        self.b.extend_from_slice(v);
    }
    #[inline]
    fn n(&mut self, v: u64) {
        self.b.push(b',');
        push_num(self.b, v);
    }
    /// A numeric field that is empty when 0.
    #[inline]
    fn n0(&mut self, v: u64) {
        self.b.push(b',');
        if v != 0 {
            push_num(self.b, v);
        }
    }
    #[inline]
    fn empty(&mut self, n: usize) {
        for _ in 0..n {
            self.b.push(b',');
        }
    }
    #[inline]
    fn end(&mut self) {
        self.b.extend_from_slice(b"\r\n");
        self.lines += 1;
    }
    fn days(&mut self, d: &[u8; 31]) {
        for &x in d {
            self.b.push(b',');
            if x != 0 {
                push_num(self.b, x as u64);
            }
        }
    }
}

/// Everything about one receipt decided before it is written.
struct Plan {
    ins: Ins,
    n_ko: u8,
    inpatient: bool,
    birth: u32,
    sex: u8,
    kind: [u8; 4],
    /// 給付割合 (0 = empty).
    benefit: u8,
    sn: bool,
    jd: bool,
    mf: bool,
    black_circle: bool,
    first_visit: bool,
    /// 不詳 claim with 77777779 rather than 77777777.
    fill9: bool,
}

impl Gen {
    fn plan(&mut self, defect: Option<Defect>) -> Plan {
        self.plan_kind(defect, false)
    }

    /// [`Gen::plan`] for a 医科 or (`dental`) a 歯科 receipt: レセプト種別 3xxx, far fewer
    /// inpatients, more 初診. The 医科 receipt draws exactly what it always drew.
    fn plan_kind(&mut self, defect: Option<Defect>, dental: bool) -> Plan {
        let claim = if dental {
            FileKind::Dental
        } else {
            FileKind::Medical
        };
        self.plan_for(defect, claim)
    }

    /// The plan of a receipt of `claim`'s kind. 調剤 (レセプト種別 4xxx) has no inpatient, so
    /// the 4th digit is always even; it draws no inpatient chance, and 医科 and 歯科 draw
    /// exactly what they always drew.
    fn plan_for(&mut self, defect: Option<Defect>, claim: FileKind) -> Plan {
        let dental = claim == FileKind::Dental;
        let medical_inpatient = self.medical_inpatient;
        let r = &mut self.rng;
        let mut ins = [Ins::Shaho, Ins::Kokuho, Ins::Kouki, Ins::Kohi, Ins::Fusho]
            [r.weighted(&[45, 24, 24, 4, 3])];
        // What the defect needs of the receipt.
        match defect {
            Some(Defect::Q002 | Defect::Q003 | Defect::Q004) => ins = Ins::Fusho,
            Some(Defect::I003) => ins = Ins::Shaho,
            Some(
                Defect::I002
                | Defect::I004
                | Defect::I005
                | Defect::I007
                | Defect::I008
                | Defect::V006
                | Defect::S006
                | Defect::S015,
            ) if matches!(ins, Ins::Fusho | Ins::Kohi) => ins = Ins::Shaho,
            _ => {}
        }
        let mut n_ko = match ins {
            Ins::Kohi => [1, 2, 3, 4][r.weighted(&[85, 10, 4, 1])],
            Ins::Fusho => 0,
            _ => [0, 1, 2, 3, 4][r.weighted(&[840, 120, 30, 7, 3])],
        };
        match defect {
            Some(Defect::I004 | Defect::I005) if n_ko == 0 => n_ko = 1,
            Some(Defect::S006) => n_ko = 1,
            Some(Defect::S015) => n_ko = 0,
            _ => {}
        }
        // (A defect of the outpatient RE or column needs an outpatient receipt.)
        let inpatient = claim == FileKind::Dpc
            || claim != FileKind::Pharmacy
                && r.chance(if dental {
                    DENTAL_INPATIENT
                } else {
                    medical_inpatient
                })
                && !(dental && matches!(defect, Some(Defect::D004 | Defect::D006 | Defect::V005)));
        let sex = 1 + r.below(2) as u8;
        // Age group → birth date and the 4th digit of the レセプト種別.
        let (birth, d4) = match ins {
            Ins::Kouki => {
                let b = rand_date(r, 1921, 1951, 19210101, 19510930);
                (b, if r.chance(0.9) { 7 } else { 9 })
            }
            Ins::Kohi => (rand_date(r, 1935, 2020, 19350101, 20200930), 1),
            _ => match r.weighted(&[8, 70, 14]) {
                // (歯科: no baby under two.)
                0 => (
                    rand_date(
                        r,
                        2020,
                        2026,
                        20200402,
                        if dental { 20240930 } else { 20260930 },
                    ),
                    3,
                ),
                1 => {
                    let b = rand_date(r, 1957, 2019, 19570101, 20191231);
                    (b, if r.chance(0.55) { 1 } else { 5 })
                }
                _ => {
                    let b = rand_date(r, 1952, 1956, 19521001, 19560930);
                    (b, if r.chance(0.85) { 7 } else { 9 })
                }
            },
        };
        let d4 = if inpatient { d4 } else { (d4 + 1) % 10 };
        let (d2, d3) = match ins {
            Ins::Kouki => (3, 1 + n_ko),
            Ins::Kohi => (2, n_ko),
            _ => (1, 1 + n_ko),
        };
        let kind = [
            match claim {
                FileKind::Medical | FileKind::Dpc => b'1',
                FileKind::Dental => b'3',
                FileKind::Pharmacy => b'4',
            },
            b'0' + d2,
            b'0' + d3,
            b'0' + d4,
        ];
        let benefit = match ins {
            Ins::Kokuho => match d4 {
                3 | 4 | 7 | 8 => 80,
                _ => 70,
            },
            _ => 0,
        };
        let has_ho = ins != Ins::Kohi;
        let sn = (has_ho && ins != Ins::Fusho && r.chance(0.45)) || defect == Some(Defect::I007);
        let jd = r.chance(0.08);
        let mf = r.chance(0.05);
        let black_circle = match defect {
            Some(Defect::C003) => true,
            Some(Defect::C001) => false,
            _ => r.chance(0.025),
        };
        let first_visit = ins == Ins::Fusho || r.chance(if dental { 0.35 } else { 0.25 });
        let fill9 = r.chance(0.3);
        Plan {
            ins,
            n_ko,
            inpatient,
            birth,
            sex,
            kind,
            benefit,
            sn,
            jd,
            mf,
            black_circle,
            first_visit,
            fill9,
        }
    }

    /// Writes one receipt (RE … ) into `self.buf`.
    fn receipt(&mut self, fac: &mut Facility, defect: Option<Defect>) -> Written {
        let pools = pools();
        let p = self.plan(defect);
        let has_ho = p.ins != Ins::Kohi;
        // ----- care records
        self.items.clear();
        let (adm, from, to) = if p.inpatient {
            let (adm, from) = if self.rng.chance(0.55) {
                let d = self.rng.range(1, 28) as u8;
                (20261000 + d as u32, d)
            } else {
                (
                    rand_date(&mut self.rng, 2026, 2026, 20260601, 20260930).max(p.birth),
                    1,
                )
            };
            let to = if self.rng.chance(0.35) {
                self.rng.range(from as u64, MONTH_DAYS as u64) as u8
            } else {
                MONTH_DAYS
            };
            (adm, from, to)
        } else {
            (0, 0, 0)
        };
        // (--realistic: a clinic's outpatient month, fewer visits, records and 傷病名.)
        let light = self.realistic && !p.inpatient;
        if p.inpatient {
            self.inpatient_items(from, to);
        } else if light {
            self.outpatient_items_light(p.first_visit);
        } else {
            self.outpatient_items(p.first_visit);
        }
        // Burden codes: most records name every payer, some only the first.
        // (The receipt that loses its KO names only the HO everywhere.)
        let s006 = defect == Some(Defect::S006);
        let single = if has_ho { b'1' } else { b'5' };
        let full = if s006 {
            single
        } else {
            full_burden(has_ho, p.n_ko)
        };
        for i in 0..self.items.len() {
            let b = if s006 || (p.n_ko >= 1 && self.rng.chance(0.15)) {
                single
            } else {
                full
            };
            self.items[i].burden = b;
        }
        // Ordinary comments.
        if self.rng.chance(if light { 0.1 } else { 0.2 }) {
            let mut it = Item::new(Rec::Co, 99, 810_000_001, 0);
            it.comment = (0, self.rng.below(pools.comment.len() as u64) as u16 + 1);
            it.burden = full;
            self.items.push(it);
        }
        if defect == Some(Defect::S013) {
            // 100 tests on one day: the first with 診療識別, then 99 continuing it.
            let d = self.visit[0];
            let before = self.items.len();
            self.tests(d, 100);
            for it in &mut self.items[before..] {
                it.burden = full;
            }
        }
        // Totals per payer.
        let mut days_mask = [false; 31];
        let (mut t_ho, mut t_ko) = (0u64, [0u64; 4]);
        for it in &self.items {
            if it.rec == Rec::Co {
                continue;
            }
            for (k, &d) in it.days.iter().enumerate() {
                if d > 0 {
                    days_mask[k] = true;
                }
            }
            let pts = it.points as u64 * it.times();
            let (h, k) = burden_payers(it.burden);
            if h {
                t_ho += pts;
            }
            for t in t_ko.iter_mut().take(k as usize) {
                *t += pts;
            }
        }
        let real_days = days_mask.iter().filter(|&&d| d).count() as u64;
        let mut w = Written {
            lines: 0,
            defect_at: None,
            count: 0,
            points: 0,
        };
        let mut o = Out {
            b: &mut self.buf,
            lines: 0,
        };
        // ----- RE
        let mut no = fac.next_no + fac.no_shift;
        if defect == Some(Defect::S005) {
            fac.no_shift += 1;
            no += 1;
        }
        fac.next_no += 1;
        fac.karte += 1;
        o.b.extend_from_slice(b"RE");
        o.n(no);
        o.f(&p.kind);
        o.f(CARE_YM);
        // 氏名 / カタカナ氏名.
        let (mut name, fam, given) = patient_name(&mut self.rng, p.sex, p.black_circle);
        match defect {
            Some(Defect::C001) => name[..2].copy_from_slice(&[0xEE, 0xE0]),
            Some(Defect::V002) => {
                let mut k = 0;
                while name.len() <= 40 {
                    name.extend_from_slice(&pools.long_pad[k..k + 2]);
                    k = (k + 2) % pools.long_pad.len();
                }
            }
            _ => {}
        }
        // Defects reported on the RE record.
        if matches!(
            defect,
            Some(
                Defect::S005
                    | Defect::C001
                    | Defect::V002
                    | Defect::V004
                    | Defect::V008
                    | Defect::F006
                    | Defect::C003
                    | Defect::S006
                    | Defect::S007
                    | Defect::S008
            )
        ) {
            w.defect_at = Some(0);
        }
        o.f(&name);
        o.n(if defect == Some(Defect::V004) {
            3
        } else {
            p.sex as u64
        });
        o.n(p.birth as u64);
        o.n0(p.benefit as u64);
        o.n0(adm as u64);
        // 病棟区分, 一部負担金区分.
        if p.inpatient && self.rng.chance(0.2) {
            o.f(if self.rng.chance(0.7) { b"07" } else { b"01" });
        } else {
            o.f(b"");
        }
        if p.inpatient && self.rng.chance(0.06) {
            o.n(self.rng.range(1, 4));
        } else {
            o.f(b"");
        }
        // レセプト特記事項.
        if defect == Some(Defect::V008) {
            o.b.push(b',');
            o.b.push(b'0');
            o.b.extend_from_slice(self.rng.pick(&TOKKI));
        } else if self.rng.chance(0.1) {
            o.f(self.rng.pick(&TOKKI));
            if self.rng.chance(0.2) {
                o.b.extend_from_slice(b"10");
            }
        } else {
            o.f(b"");
        }
        // 病床数.
        if p.inpatient && self.rng.chance(0.3) {
            o.n(self.rng.range(20, 600));
        } else {
            o.f(b"");
        }
        // カルテ番号等.
        o.n(fac.karte);
        if defect == Some(Defect::F006) {
            o.b.push(b'"');
        }
        o.empty(7); // 割引点数単価 … 請求情報 (14–20)
                    // 診療科 1–3 (21–35).
        if self.rng.chance(0.1) {
            let dept: &[u8] = self.rng.pick(&[&b"01"[..], b"09", b"10", b"26", b"27"]);
            o.f(dept);
            o.empty(14);
        } else {
            o.empty(15);
        }
        // カタカナ氏名, 患者の状態.
        if defect == Some(Defect::C003) {
            o.f(b"");
        } else {
            o.b.push(b',');
            o.b.extend_from_slice(&fam.kana);
            o.b.extend_from_slice(&given.kana);
        }
        if p.sex == 2 && (19850101..=20081231).contains(&p.birth) && self.rng.chance(0.03) {
            o.f(b"001");
        } else {
            o.f(b"");
        }
        o.end();
        // ----- HO
        if has_ho {
            o.b.extend_from_slice(b"HO");
            push_ho_ids(
                &mut self.rng,
                &mut o,
                &p,
                fac.pref,
                defect,
                &mut w.defect_at,
            );
            o.n(real_days);
            o.n(t_ho);
            o.f(b""); // 予備
            if p.inpatient {
                let meals: u64 = self
                    .items
                    .iter()
                    .filter(|i| i.code == 197_000_470)
                    .map(|i| i.times())
                    .sum();
                o.n(meals);
                o.n(meals * 510);
            } else {
                o.empty(2);
            }
            o.empty(6);
            o.end();
            w.count += 1;
            w.points = t_ho;
        }
        // ----- KO
        for k in 0..p.n_ko as usize {
            let Some((payer, recip)) = kohi_ids(
                &mut self.rng,
                fac.pref,
                k,
                defect,
                o.lines,
                &mut w.defect_at,
            ) else {
                continue; // S006: the KO the receipt kind needs is left out
            };
            o.b.extend_from_slice(b"KO");
            o.f(&payer);
            o.f(&recip);
            o.f(b"");
            o.n(real_days);
            o.n(t_ko[k]);
            o.empty(6);
            o.end();
            w.count += 1;
            if k == 0 && !has_ho {
                w.points = t_ko[0];
            }
        }
        // ----- SN, JD, MF
        let mut d = [0u8; 31];
        for (k, &on) in days_mask.iter().enumerate() {
            if on {
                d[k] = 1;
            }
        }
        write_sn_jd_mf(&mut o, &mut self.rng, &p, has_ho, &d, defect, &mut w);
        // ----- SY
        let n_sy = if light {
            [1, 2, 2, 3, 3, 3, 4, 5][self.rng.below(8) as usize]
        } else {
            [1, 2, 2, 3, 3, 4, 5, 6][self.rng.below(8) as usize]
        };
        let first_day = self.visit[0];
        let mut held_sy: Option<Vec<u8>> = None;
        let mut used_sy = [0u32; 8];
        if defect != Some(Defect::S007) {
            for s in 0..n_sy {
                let acute = (p.first_visit && s == 0) || self.rng.chance(0.25);
                let mut line = Vec::with_capacity(48);
                line.extend_from_slice(b"SY");
                let mut code = 0;
                for _ in 0..4 {
                    code = if self.rng.chance(0.03) {
                        999 // 未コード化傷病名 (0000999) with its name.
                    } else if acute {
                        self.rng.pick(&ACUTE)
                    } else {
                        self.rng.pick(&CHRONIC)
                    };
                    if !used_sy[..s].contains(&code) {
                        break;
                    }
                }
                used_sy[s] = code;
                line.push(b',');
                if defect == Some(Defect::V003) && s == 0 {
                    line.extend_from_slice(format!("{:06}", code % 1_000_000).as_bytes());
                } else {
                    line.extend_from_slice(format!("{code:07}").as_bytes());
                }
                let start = if acute {
                    20261000 + self.rng.range(1, first_day as u64) as u32
                } else {
                    rand_date(&mut self.rng, 2010, 2026, 20100101, 20260930)
                }
                .max(p.birth);
                line.push(b',');
                if defect == Some(Defect::V005) && s == 0 {
                    push_num(&mut line, (start / 100 * 100 + 32) as u64);
                } else {
                    push_num(&mut line, start as u64);
                }
                line.push(b',');
                if !(defect == Some(Defect::V007) && s == 0) {
                    let outcome = if acute && self.rng.chance(0.3) { 2 } else { 1 };
                    push_num(&mut line, outcome);
                }
                line.push(b',');
                if self.rng.chance(0.08) {
                    line.extend_from_slice(self.rng.pick(&MODIFIERS).as_bytes());
                }
                line.push(b',');
                if code == 999 {
                    let n: &Vec<u8> = self.rng.pick_ref(&pools.disease_name);
                    line.extend_from_slice(n);
                }
                line.extend_from_slice(if s == 0 { b",01," } else { b",," });
                if s == 0 && matches!(defect, Some(Defect::V003 | Defect::V005 | Defect::V007)) {
                    w.defect_at = Some(o.lines);
                }
                if defect == Some(Defect::S016) && s + 1 == n_sy {
                    held_sy = Some(line);
                } else {
                    o.b.extend_from_slice(&line);
                    o.end();
                }
            }
        }
        // ----- SI / IY / TO / CO
        let mut s014 = defect == Some(Defect::S014);
        let mut v001 = defect == Some(Defect::V001);
        let mut s015 = defect == Some(Defect::S015);
        let mut omitted_run = 0u32;
        for idx in 0..self.items.len() {
            let it = self.items[idx];
            if defect == Some(Defect::S008) && it.rec != Rec::Co {
                continue;
            }
            if it.care == 0 {
                omitted_run += 1;
                if omitted_run == 99 && defect == Some(Defect::S013) {
                    w.defect_at = Some(o.lines);
                }
            } else {
                omitted_run = 0;
            }
            match it.rec {
                Rec::Si => o.b.extend_from_slice(b"SI"),
                Rec::Iy => o.b.extend_from_slice(b"IY"),
                Rec::To => o.b.extend_from_slice(b"TO"),
                Rec::Co => o.b.extend_from_slice(b"CO"),
            }
            o.n0(it.care as u64);
            let mut burden = it.burden;
            if s015 && it.rec == Rec::Si {
                burden = b'2';
                s015 = false;
                w.defect_at = Some(o.lines);
            }
            o.b.push(b',');
            o.b.push(burden);
            o.n(it.code as u64);
            if it.rec == Rec::Co {
                o.b.push(b',');
                if it.comment.1 > 0 {
                    o.b.extend_from_slice(&pools.comment[it.comment.1 as usize - 1]);
                }
                o.end();
                continue;
            }
            o.f(it.qty.as_bytes());
            // 点数.
            o.b.push(b',');
            if it.points > 0 {
                if v001 && it.rec == Rec::Si {
                    // A letter O typed for a zero.
                    push_num(o.b, it.points as u64);
                    let last = o.b.len() - 1;
                    o.b[last] = b'O';
                    v001 = false;
                    w.defect_at = Some(o.lines);
                } else {
                    push_num(o.b, it.points as u64);
                }
            }
            // 回数.
            let mut times = it.times();
            if s014 && it.rec == Rec::Si {
                times += 1;
                s014 = false;
                w.defect_at = Some(o.lines);
            }
            o.n(times);
            if it.rec == Rec::To {
                if it.unit > 0 {
                    o.b.push(b',');
                    let u = it.unit as u64;
                    o.b.extend_from_slice(&[b'0', b'0' + (u / 10) as u8, b'0' + (u % 10) as u8]);
                    o.n(it.price as u64);
                } else {
                    o.empty(2);
                }
                o.f(b""); // 予備
                o.b.push(b',');
                if it.product > 0 {
                    o.b.extend_from_slice(&pools.product[it.product as usize - 1]);
                }
            }
            // Comments ①–③.
            if it.comment.0 > 0 {
                o.n(it.comment.0 as u64);
                o.b.push(b',');
                if it.comment.1 > 0 {
                    o.b.extend_from_slice(&pools.comment[it.comment.1 as usize - 1]);
                }
                o.empty(4);
            } else {
                o.empty(6);
            }
            o.days(&it.days);
            o.end();
            if let Some(sy) = held_sy.take() {
                w.defect_at = Some(o.lines);
                o.b.extend_from_slice(&sy);
                o.end();
            }
        }
        // The 不詳 claim's 摘要: the address and contact of the 被保険者資格申立書.
        if p.ins == Ins::Fusho {
            let b = full_burden(true, 0);
            if defect != Some(Defect::Q003) {
                o.b.extend_from_slice(b"CO,99,");
                o.b.push(b);
                o.b.extend_from_slice(b",810000001,");
                push_address(&mut self.rng, o.b);
                o.end();
            }
            if defect != Some(Defect::Q004) {
                o.b.extend_from_slice(b"CO,99,");
                o.b.push(b);
                o.b.extend_from_slice(b",810000001,");
                push_contact(&mut self.rng, o.b);
                o.end();
            }
            if matches!(defect, Some(Defect::Q003 | Defect::Q004)) {
                // Reported on the HO record (line 1 of the receipt).
                w.defect_at = Some(1);
            }
        }
        // ----- SJ
        if p.inpatient && self.rng.chance(0.1) {
            o.b.extend_from_slice(b"SJ,");
            let k: &[u8] = self.rng.pick(&[&b"01"[..], b"03", b"04", b"07"]);
            o.b.extend_from_slice(k);
            o.b.push(b',');
            let t: &Vec<u8> = self.rng.pick_ref(&pools.sj);
            o.b.extend_from_slice(t);
            o.end();
        }
        w.lines = o.lines;
        w
    }
}

/// The 不詳 claim's address text (被保険者資格申立書): 「住所　…」 and a full-width house number.
fn push_address(rng: &mut Rng, b: &mut Vec<u8>) {
    let pools = pools();
    let a: &Vec<u8> = rng.pick_ref(&pools.address);
    b.extend_from_slice(a);
    push_fw_num(b, rng.range(1, 9));
    b.extend_from_slice(&pools.fw_hyphen);
    push_fw_num(b, rng.range(1, 30));
    b.extend_from_slice(&pools.fw_hyphen);
    push_fw_num(b, rng.range(1, 20));
}

/// The 不詳 claim's contact text: a label and a full-width phone number (mobile or 03).
fn push_contact(rng: &mut Rng, b: &mut Vec<u8>) {
    let pools = pools();
    let c: &Vec<u8> = rng.pick_ref(&pools.contact);
    b.extend_from_slice(c);
    let mobile = rng.chance(0.5);
    let digits: Vec<u8> = if mobile {
        let mut d = b"090".to_vec();
        d[1] = rng.pick(b"789");
        d
    } else {
        b"03".to_vec()
    };
    push_fw_digits(b, &digits);
    b.extend_from_slice(&pools.fw_hyphen);
    push_fw_num(b, rng.range(1000, 9999));
    b.extend_from_slice(&pools.fw_hyphen);
    push_fw_num(b, rng.range(1000, 9999));
}

/// HO 保険者番号, 記号 and 番号 (after the id), with the defects on them; `defect_at` gets the
/// line of a defect placed here. Shared by 医科 and 歯科 (the same fields lead both layouts).
fn push_ho_ids(
    rng: &mut Rng,
    o: &mut Out,
    p: &Plan,
    pref: u8,
    defect: Option<Defect>,
    defect_at: &mut Option<u64>,
) {
    let mut number = Vec::with_capacity(16);
    match p.ins {
        Ins::Fusho => {
            o.f(if p.fill9 { b"77777779" } else { b"77777777" });
            o.f(b"");
            let n = rng.range(7, 8) as usize;
            let full_width = rng.chance(0.5);
            for k in 0..n {
                let d = if defect == Some(Defect::Q002) && k + 1 == n {
                    b'8'
                } else {
                    b'7'
                };
                if full_width {
                    push_fw_digits(&mut number, &[d]);
                } else {
                    number.push(d);
                }
            }
            if defect == Some(Defect::Q002) {
                *defect_at = Some(o.lines);
            }
        }
        _ => {
            let pref = [b'0' + pref / 10, b'0' + pref % 10];
            let (ins_no, eight) = match p.ins {
                Ins::Kokuho => (with_check(rng, &pref, 3), false),
                Ins::Kouki => (with_check(rng, &[b'3', b'9', pref[0], pref[1]], 3), true),
                _ => {
                    let h: &[u8] = if defect == Some(Defect::I003) {
                        b"05"
                    } else {
                        rng.pick(&SHAHO_HOBETSU)
                    };
                    (with_check(rng, &[h[0], h[1], pref[0], pref[1]], 3), true)
                }
            };
            let mut ins_no = ins_no;
            if defect == Some(Defect::I002) {
                let last = ins_no.len() - 1;
                let good = ins_no[last] - b'0';
                ins_no[last] = b'0' + (good + 1 + rng.below(9) as u8) % 10;
            }
            if matches!(defect, Some(Defect::I002 | Defect::I003)) {
                *defect_at = Some(o.lines);
            }
            o.b.push(b',');
            if !eight {
                o.b.extend_from_slice(b"  ");
            }
            o.b.extend_from_slice(&ins_no);
            // 記号 / 番号.
            let fw = rng.chance(0.7);
            match p.ins {
                Ins::Kouki => {
                    o.f(b"");
                    let n = with_check(rng, b"", 7);
                    number.extend_from_slice(&n);
                }
                _ => {
                    o.b.push(b',');
                    if rng.chance(0.85) {
                        let s = rng.range(1, 99_999_999);
                        if fw {
                            push_fw_num(o.b, s);
                        } else {
                            push_num(o.b, s);
                        }
                    }
                    let n = rng.range(1, 9_999_999);
                    if fw {
                        push_fw_num(&mut number, n);
                    } else {
                        push_num(&mut number, n);
                    }
                }
            }
            match defect {
                Some(Defect::I008) => {
                    number.clear();
                    *defect_at = Some(o.lines);
                }
                Some(Defect::V006) => {
                    // Mixed widths: full-width digits then a half-width one.
                    number.clear();
                    push_fw_num(&mut number, rng.range(1, 99_999));
                    number.push(b'0' + rng.below(10) as u8);
                    *defect_at = Some(o.lines);
                }
                _ => {}
            }
        }
    }
    o.f(&number);
}

// ---------------------------------------------------------------------------------------
// 歯科 (dental) receipts: grammar/dental/records.toml, shared/spec/dental.md §1–§4

/// The records of a 歯科 receipt's care part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DRec {
    /// 歯科診療行為 (109 values).
    Ss,
    /// 医科診療行為 (38 values; 医科 検査 of an inpatient).
    Si,
    /// 医薬品 (39 values).
    Iy,
    /// 特定器材 (45 values).
    To,
    /// コメント (11 values).
    Co,
}

#[derive(Clone, Copy)]
struct DItem {
    rec: DRec,
    /// 診療識別; 0 = omitted (continues the previous one, as in a unit of several lines).
    care: u8,
    burden: u8,
    code: u32,
    /// 0 = empty (not the last line of its 点数・回数算定単位).
    points: u32,
    days: [u8; 31],
    /// 回数 of a 未来院請求 line, which has no days (0: the sum of the days).
    times: u8,
    /// SS 診療行為数量データ１ (0 = empty).
    qty: u16,
    /// SS 加算コード１: index + 1 into [`DENTAL_ADDS`] (0 = none).
    add: u8,
    /// IY / TO 使用量 ("" = empty).
    amount: &'static str,
    /// IY 医薬品区分 (an ASCII digit of 別表22).
    drug_kind: u8,
    /// CO: index + 1 into the 歯科 comment pool (0 = no text).
    comment: u16,
    /// CO 歯式コード（コメント）: one unit (`[0; 6]` = none).
    teeth: [u8; 6],
}

impl DItem {
    fn new(rec: DRec, care: u8, code: u32, points: u32) -> DItem {
        DItem {
            rec,
            care,
            burden: b'1',
            code,
            points,
            days: [0; 31],
            times: 0,
            qty: 0,
            add: 0,
            amount: "",
            drug_kind: b'1',
            comment: 0,
            teeth: [0; 6],
        }
    }

    fn times(&self) -> u64 {
        if self.times > 0 {
            self.times as u64
        } else {
            self.days.iter().map(|&d| d as u64).sum()
        }
    }
}

/// One 傷病名 of a 歯科 receipt (one HS): its code, its 歯式 units and, for 0000999, its name.
#[derive(Clone, Copy)]
struct Episode {
    code: u32,
    teeth: [[u8; 6]; 4],
    n: u8,
    /// Index + 1 into the 歯科 disease-name pool (0 = a coded 傷病名).
    name: u16,
}

/// 歯科 傷病名コード (7 digits). Shaped like codes of the 傷病名マスター, not taken from it (recelint
/// has no master to check them against): う蝕, 歯髄炎, 根尖性歯周炎, 慢性歯周炎, 歯肉炎, 歯の欠損,
/// 智歯周囲炎, 象牙質知覚過敏症, 埋伏歯.
const DX_CARIES: u32 = 5210011;
const DX_PULPITIS: u32 = 5224001;
const DX_APICAL: u32 = 5224010;
const DX_PERIO: u32 = 5234003;
const DX_GINGIVITIS: u32 = 5231002;
const DX_MISSING: u32 = 5250004;
const DX_PERICORONITIS: u32 = 5225004;
const DX_HYPERSENSITIVE: u32 = 5218001;
const DX_IMPACTED: u32 = 5201004;

/// 歯科診療行為コード (9 digits from 3, as the [R8-TS] builder checks) and 点数. The codes are
/// shaped like the 歯科診療行為マスター's, not taken from it; the points are of the order of the
/// 令和6年 fee schedule.
mod dental_code {
    pub const FIRST_VISIT: (u32, u32) = (301000110, 267); // 歯科初診料
    pub const REVISIT: (u32, u32) = (301001110, 58); // 歯科再診料
    pub const INPATIENT_BASIC: (u32, u32) = (301900010, 1_650); // 入院基本料
    pub const MANAGEMENT: (u32, u32) = (302000110, 100); // 歯科疾患管理料
    pub const HYGIENE: (u32, u32) = (302009010, 80); // 歯科衛生実地指導料
    pub const INPATIENT_MANAGEMENT: (u32, u32) = (302010010, 300); // 入院時の管理
    pub const PERIO_TEST: (u32, u32) = (303000110, 200); // 歯周基本検査
    pub const XRAY: (u32, u32) = (305000110, 48); // 歯科エックス線撮影（一枚）
    pub const PANORAMA: (u32, u32) = (305000210, 402); // 歯科パノラマ断層撮影
    pub const CARIES: (u32, u32) = (309000110, 18); // う蝕処置
    pub const PULPECTOMY: (u32, u32) = (309001010, 234); // 抜髄（単根）
    pub const PULPECTOMY_3: (u32, u32) = (309001110, 598); // 抜髄（三根以上）
    pub const CANAL_DRESSING: (u32, u32) = (309003010, 34); // 根管貼薬処置
    pub const CANAL_FILLING: (u32, u32) = (309004010, 72); // 根管充填
    pub const SCALING: (u32, u32) = (309005010, 72); // スケーリング
    pub const ROOT_PLANING: (u32, u32) = (309005110, 60); // スケーリング・ルートプレーニング
    pub const HYPERSENSITIVITY: (u32, u32) = (309006010, 46); // 知覚過敏処置
    pub const AFTER_CARE: (u32, u32) = (309007010, 16); // 術後処置
    pub const EXTRACTION_FRONT: (u32, u32) = (310000110, 160); // 抜歯（前歯）
    pub const EXTRACTION_MOLAR: (u32, u32) = (310000210, 270); // 抜歯（臼歯）
    pub const EXTRACTION_PRIMARY: (u32, u32) = (310000310, 130); // 抜歯（乳歯）
    pub const EXTRACTION_HARD: (u32, u32) = (310000410, 230); // 難抜歯加算
    pub const IMPACTED_EXTRACTION: (u32, u32) = (310000510, 1_080); // 抜歯（埋伏歯）
    pub const INFILTRATION: (u32, u32) = (311000110, 30); // 浸潤麻酔
    pub const GENERAL_ANESTHESIA: (u32, u32) = (311010010, 6_100); // 全身麻酔
    pub const PRESCRIPTION: (u32, u32) = (312001010, 68); // 処方箋料
    pub const DISPENSING: (u32, u32) = (312000110, 42); // 処方料
    pub const FILLING: (u32, u32) = (313000110, 106); // 充填１（単純）
    pub const FILLING_MATERIAL: (u32, u32) = (313001010, 29); // 充填用材料
    pub const IMPRESSION: (u32, u32) = (316000110, 32); // 印象採得
    pub const BITE: (u32, u32) = (316001010, 18); // 咬合採得
    pub const SEATING: (u32, u32) = (316002010, 45); // 装着
    pub const CROWN: (u32, u32) = (317000110, 459); // 全部金属冠（大臼歯）
    pub const ALLOY: (u32, u32) = (317010010, 0); // 金銀パラジウム合金（点数は冠の行に）
    pub const PROSTHESIS_DIAGNOSIS: (u32, u32) = (317090010, 90); // 補綴時診断料
    pub const DENTURE_ADJUSTMENT: (u32, u32) = (318000110, 60); // 有床義歯の調整
    pub const DENTURE_RELINE: (u32, u32) = (318001010, 212); // 有床義歯内面適合法
    pub const MEAL: (u32, u32) = (397000470, 64); // 入院時食事療養（一食）
    /// 医薬品コード: 歯科用局所麻酔剤, 鎮痛剤, 抗菌剤, 注射用抗菌剤, 全身麻酔剤.
    pub const LOCAL_ANESTHETIC: u32 = 620_009_801;
    pub const ANALGESIC: u32 = 610_463_145;
    pub const ANTIBIOTIC: u32 = 610_421_117;
    pub const INJECTION: u32 = 620_004_422;
    pub const ANESTHETIC: u32 = 620_008_611;
    /// 特定器材コード: 歯科エックス線用フィルム.
    pub const FILM: u32 = 700_010_000;
}

/// SS 加算コード (5 characters, as in the real sample: CB023, AE007, DM015).
const DENTAL_ADDS: [&str; 4] = ["AE007", "CB023", "DM015", "KS002"];
/// 施設基準届出コード (別表5, the 令和2年 list of dental.md §4.2) a clinic may have notified.
const STANDARDS: [&[u8; 2]; 7] = [b"01", b"02", b"03", b"06", b"13", b"16", b"17"];

impl Gen {
    /// A 歯式 unit: 歯種 (a permanent or a primary tooth), 状態, 部分 0.
    fn tooth(&mut self, primary: bool, state: u8) -> [u8; 6] {
        let (q, t) = if primary {
            (self.rng.range(5, 8), self.rng.range(1, 5))
        } else {
            // Molars are treated most.
            (
                self.rng.range(1, 4),
                [1, 2, 3, 4, 5, 6, 6, 7, 7, 8][self.rng.below(10) as usize],
            )
        };
        [
            b'1',
            b'0',
            b'0' + q as u8,
            b'0' + t as u8,
            b'0' + state,
            b'0',
        ]
    }

    fn episode(&mut self, code: u32, teeth: &[[u8; 6]]) {
        let mut e = Episode {
            code,
            teeth: [[0; 6]; 4],
            n: teeth.len().min(4) as u8,
            name: 0,
        };
        for (k, t) in teeth.iter().take(4).enumerate() {
            e.teeth[k] = *t;
        }
        // Now and then a 未コード化傷病名 (0000999) written out.
        if self.rng.chance(0.03) {
            e.code = 999;
            e.name = self.rng.below(pools().dental_disease_name.len() as u64) as u16 + 1;
        }
        self.episodes.push(e);
    }

    /// One 点数・回数算定単位 on `days` (`per_day` each): 診療識別 on its first line, the unit's
    /// `points` on its last. Returns the index of its first line.
    fn dunit(
        &mut self,
        care: u8,
        lines: &[(DRec, u32)],
        points: u32,
        days: &[u8],
        per_day: u8,
    ) -> usize {
        let at = self.ditems.len();
        for (k, &(rec, code)) in lines.iter().enumerate() {
            let last = k + 1 == lines.len();
            let mut it = DItem::new(rec, if k == 0 { care } else { 0 }, code, 0);
            if last {
                it.points = points;
            }
            for &d in days {
                it.days[d as usize - 1] = per_day;
            }
            self.ditems.push(it);
        }
        at
    }

    /// 浸潤麻酔 and its cartridge (歯科麻酔薬剤, 医薬品区分 6) on `day`.
    fn infiltration(&mut self, day: u8) {
        use dental_code::*;
        let at = self.dunit(
            54,
            &[(DRec::Ss, INFILTRATION.0), (DRec::Iy, LOCAL_ANESTHETIC)],
            INFILTRATION.1 + 6,
            &[day],
            1,
        );
        self.ditems[at + 1].amount = self.rng.pick(&["1", "1.8", "3.6"]);
        self.ditems[at + 1].drug_kind = b'6';
    }

    /// The care of a 歯科 outpatient month: 初診 / 再診, 管理, X線 and one or two 傷病 with their
    /// treatment on the visit days.
    fn dental_outpatient_items(&mut self, first_visit: bool, birth: u32) {
        use dental_code::*;
        let primary = birth >= 20160101;
        let n = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6][self.rng.below(12) as usize];
        self.outpatient_days(n);
        let visit = self.visit.clone();
        let (first, rest) = if first_visit {
            (Some(visit[0]), &visit[1..])
        } else {
            (None, &visit[..])
        };
        if let Some(d) = first {
            let at = self.dunit(11, &[(DRec::Ss, FIRST_VISIT.0)], FIRST_VISIT.1, &[d], 1);
            if self.rng.chance(0.3) {
                self.ditems[at].add = self.rng.below(DENTAL_ADDS.len() as u64) as u8 + 1;
            }
        }
        if !rest.is_empty() {
            self.dunit(12, &[(DRec::Ss, REVISIT.0)], REVISIT.1, rest, 1);
        }
        if self.rng.chance(0.3) {
            let d = *visit.last().unwrap();
            self.dunit(13, &[(DRec::Ss, MANAGEMENT.0)], MANAGEMENT.1, &[d], 1);
        }
        if self.rng.chance(0.15) {
            let d = self.rng.pick(&visit);
            self.dunit(13, &[(DRec::Ss, HYGIENE.0)], HYGIENE.1, &[d], 1);
        }
        // X線 on the first day: a panorama, or 1–3 films (now and then with the film as TO).
        if self.rng.chance(if first_visit { 0.5 } else { 0.15 }) {
            let d = visit[0];
            if self.rng.chance(0.4) {
                self.dunit(31, &[(DRec::Ss, PANORAMA.0)], PANORAMA.1, &[d], 1);
            } else {
                let films = self.rng.range(1, 3) as u16;
                let pts = XRAY.1 * films as u32;
                if self.rng.chance(0.3) {
                    let at = self.dunit(
                        31,
                        &[(DRec::Ss, XRAY.0), (DRec::To, FILM)],
                        pts + 2 * films as u32,
                        &[d],
                        1,
                    );
                    self.ditems[at].qty = films;
                    self.ditems[at + 1].amount = ["1", "2", "3"][films as usize - 1];
                } else {
                    let at = self.dunit(31, &[(DRec::Ss, XRAY.0)], pts, &[d], 1);
                    self.ditems[at].qty = films;
                }
            }
        }
        let episodes = if self.rng.chance(0.85) { 1 } else { 2 };
        for _ in 0..episodes {
            let w: [u32; 8] = if primary {
                [40, 10, 0, 15, 0, 0, 25, 10]
            } else {
                [28, 12, 26, 10, 8, 7, 5, 4]
            };
            let idx = self.rng.below(visit.len() as u64) as usize;
            let d = visit[idx];
            let later = &visit[idx + 1..];
            match self.rng.weighted(&w) {
                // う蝕: う蝕処置, or a filling (with its material) under 浸潤麻酔.
                0 => {
                    let n = self.rng.range(1, 2) as usize;
                    let teeth: Vec<[u8; 6]> = (0..n).map(|_| self.tooth(primary, 0)).collect();
                    if self.rng.chance(0.4) {
                        self.dunit(41, &[(DRec::Ss, CARIES.0)], CARIES.1 * n as u32, &[d], 1);
                    } else {
                        if self.rng.chance(0.25) {
                            self.infiltration(d);
                        }
                        let at = self.dunit(
                            61,
                            &[(DRec::Ss, FILLING.0), (DRec::Ss, FILLING_MATERIAL.0)],
                            (FILLING.1 + FILLING_MATERIAL.1) * n as u32,
                            &[d],
                            1,
                        );
                        self.ditems[at].qty = n as u16;
                    }
                    self.episode(DX_CARIES, &teeth);
                }
                // 歯髄炎: 抜髄, then 根管貼薬 and 根管充填 on the later visits.
                1 => {
                    let t = self.tooth(primary, 0);
                    self.infiltration(d);
                    let molar = t[3] >= b'6' && !primary;
                    let p = if molar { PULPECTOMY_3 } else { PULPECTOMY };
                    self.dunit(41, &[(DRec::Ss, p.0)], p.1, &[d], 1);
                    match later.len() {
                        0 => {}
                        1 => {
                            self.dunit(
                                41,
                                &[(DRec::Ss, CANAL_DRESSING.0)],
                                CANAL_DRESSING.1,
                                later,
                                1,
                            );
                        }
                        k => {
                            let (dress, fill) = later.split_at(k - 1);
                            self.dunit(
                                41,
                                &[(DRec::Ss, CANAL_DRESSING.0)],
                                CANAL_DRESSING.1,
                                dress,
                                1,
                            );
                            self.dunit(
                                41,
                                &[(DRec::Ss, CANAL_FILLING.0)],
                                CANAL_FILLING.1,
                                fill,
                                1,
                            );
                        }
                    }
                    self.episode(DX_PULPITIS, &[t]);
                }
                // 歯周炎: 歯周基本検査, スケーリング, then SRP.
                2 => {
                    let teeth: &[[u8; 6]] = if self.rng.chance(0.5) {
                        &[*b"100000"]
                    } else {
                        &[*b"100100", *b"100200"]
                    };
                    self.dunit(41, &[(DRec::Ss, PERIO_TEST.0)], PERIO_TEST.1, &[d], 1);
                    let sites = self.rng.range(1, 3) as u32;
                    let day = later.first().copied().unwrap_or(d);
                    let at = self.dunit(
                        41,
                        &[(DRec::Ss, SCALING.0)],
                        SCALING.1 + 38 * (sites - 1),
                        &[day],
                        1,
                    );
                    self.ditems[at].qty = sites as u16;
                    if later.len() >= 2 {
                        self.dunit(
                            41,
                            &[(DRec::Ss, ROOT_PLANING.0)],
                            ROOT_PLANING.1,
                            &later[1..],
                            1,
                        );
                    }
                    self.episode(DX_PERIO, teeth);
                }
                // 抜歯 under 浸潤麻酔, a prescription or drugs given, 術後処置 at the next visit.
                3 => {
                    let wisdom = !primary && self.rng.chance(0.4);
                    let t = if wisdom {
                        let q = self.rng.range(1, 4) as u8;
                        [b'1', b'0', b'0' + q, b'8', b'0', b'0']
                    } else {
                        let state = if self.rng.chance(0.3) { 6 } else { 0 };
                        self.tooth(primary, state)
                    };
                    self.infiltration(d);
                    let base = if primary {
                        EXTRACTION_PRIMARY
                    } else if t[3] <= b'3' {
                        EXTRACTION_FRONT
                    } else {
                        EXTRACTION_MOLAR
                    };
                    if self.rng.chance(0.25) {
                        self.dunit(
                            41,
                            &[(DRec::Ss, base.0), (DRec::Ss, EXTRACTION_HARD.0)],
                            base.1 + EXTRACTION_HARD.1,
                            &[d],
                            1,
                        );
                    } else {
                        self.dunit(41, &[(DRec::Ss, base.0)], base.1, &[d], 1);
                    }
                    if self.rng.chance(0.6) {
                        self.dunit(21, &[(DRec::Ss, PRESCRIPTION.0)], PRESCRIPTION.1, &[d], 1);
                    } else if self.rng.chance(0.5) {
                        // In-house 内服 for 3 days (回数 = days of supply), and 処方料.
                        let pts = self.rng.range(4, 20) as u32;
                        let at = self.dunit(
                            21,
                            &[(DRec::Iy, ANTIBIOTIC), (DRec::Iy, ANALGESIC)],
                            pts,
                            &[d],
                            3,
                        );
                        self.ditems[at].amount = "3";
                        self.ditems[at + 1].amount = self.rng.pick(&["2", "3", "1.5"]);
                        self.dunit(21, &[(DRec::Ss, DISPENSING.0)], DISPENSING.1, &[d], 1);
                    }
                    if self.rng.chance(0.3) {
                        // A comment on the extraction naming its tooth (CO 歯式), continuing
                        // the extraction's 診療識別.
                        let mut it = DItem::new(DRec::Co, 0, 810_000_001, 0);
                        it.comment = 2; // 急性症状のため
                        it.teeth = t;
                        self.ditems.push(it);
                    }
                    if let Some(&n) = later.first() {
                        self.dunit(41, &[(DRec::Ss, AFTER_CARE.0)], AFTER_CARE.1, &[n], 1);
                    }
                    let dx = if wisdom { DX_PERICORONITIS } else { DX_APICAL };
                    self.episode(dx, &[t]);
                }
                // A crown: 印象・咬合採得 (補綴時診断料), then 装着 with the crown and its alloy.
                4 => {
                    let t = self.tooth(false, 0);
                    self.dunit(62, &[(DRec::Ss, IMPRESSION.0)], IMPRESSION.1, &[d], 1);
                    self.dunit(62, &[(DRec::Ss, BITE.0)], BITE.1, &[d], 1);
                    if self.rng.chance(0.3) {
                        self.dunit(
                            64,
                            &[(DRec::Ss, PROSTHESIS_DIAGNOSIS.0)],
                            PROSTHESIS_DIAGNOSIS.1,
                            &[d],
                            1,
                        );
                    }
                    if let Some(&n) = later.first() {
                        self.dunit(62, &[(DRec::Ss, SEATING.0)], SEATING.1, &[n], 1);
                        let alloy = self.rng.range(300, 700) as u32;
                        self.dunit(
                            62,
                            &[(DRec::Ss, CROWN.0), (DRec::Ss, ALLOY.0)],
                            CROWN.1 + alloy,
                            &[n],
                            1,
                        );
                    }
                    self.episode(DX_CARIES, &[t]);
                }
                // A partial denture over 2–4 missing teeth of one quadrant: adjusted or relined.
                5 => {
                    let q = self.rng.range(1, 4) as u8;
                    let n = self.rng.range(2, 4) as u8;
                    let from = self.rng.range(4, 9 - n as u64) as u8;
                    let teeth: Vec<[u8; 6]> = (from..from + n)
                        .map(|t| [b'1', b'0', b'0' + q, b'0' + t, b'2', b'0'])
                        .collect();
                    let p = if self.rng.chance(0.3) {
                        DENTURE_RELINE
                    } else {
                        DENTURE_ADJUSTMENT
                    };
                    self.dunit(62, &[(DRec::Ss, p.0)], p.1, &[d], 1);
                    self.episode(DX_MISSING, &teeth);
                }
                // 歯肉炎 over one or two quadrants: スケーリング (and 実地指導).
                6 => {
                    let q = self.rng.range(1, 4) as u8;
                    let mut teeth = vec![[b'1', b'0', b'0' + q, b'0', b'0', b'0']];
                    if self.rng.chance(0.4) {
                        teeth.push([b'1', b'0', b'0' + (q % 4) + 1, b'0', b'0', b'0']);
                    }
                    self.dunit(41, &[(DRec::Ss, SCALING.0)], SCALING.1, &[d], 1);
                    if self.rng.chance(0.5) {
                        self.dunit(13, &[(DRec::Ss, HYGIENE.0)], HYGIENE.1, &[d], 1);
                    }
                    self.episode(DX_GINGIVITIS, &teeth);
                }
                // 知覚過敏: 知覚過敏処置 on each visit.
                _ => {
                    let t = self.tooth(primary, 0);
                    self.dunit(
                        41,
                        &[(DRec::Ss, HYPERSENSITIVITY.0)],
                        HYPERSENSITIVITY.1,
                        &visit[idx..],
                        1,
                    );
                    self.episode(DX_HYPERSENSITIVE, &[t]);
                }
            }
        }
    }

    /// The care of a 歯科 inpatient stay from `from` to `to` (days of October): 入院基本料 and
    /// meals every day, a surgery under general anaesthesia, drugs and injections, 医科 検査 (SI)
    /// and a panorama.
    fn dental_inpatient_items(&mut self, from: u8, to: u8, first_visit: bool) {
        use dental_code::*;
        let stay: Vec<u8> = (from..=to).collect();
        self.visit = stay.clone();
        if first_visit {
            self.dunit(11, &[(DRec::Ss, FIRST_VISIT.0)], FIRST_VISIT.1, &[from], 1);
        }
        self.dunit(
            90,
            &[(DRec::Ss, INPATIENT_BASIC.0)],
            INPATIENT_BASIC.1,
            &stay,
            1,
        );
        let at = self.dunit(97, &[(DRec::Ss, MEAL.0)], MEAL.1, &stay, 3);
        if from > 1 {
            self.ditems[at].days[from as usize - 1] = 2;
        }
        if self.rng.chance(0.5) {
            self.dunit(
                13,
                &[(DRec::Ss, INPATIENT_MANAGEMENT.0)],
                INPATIENT_MANAGEMENT.1,
                &[from],
                1,
            );
        }
        // 医科 検査 on admission (SI with 医科 codes), the first with 診療識別 60.
        let n = self.rng.range(3, 6) as usize;
        for k in 0..n {
            let (code, pts) = TESTS[(k * 7 + self.rng.below(7) as usize) % TESTS.len()];
            let mut it = DItem::new(DRec::Si, if k == 0 { 60 } else { 0 }, code, pts);
            it.days[from as usize - 1] = 1;
            self.ditems.push(it);
        }
        self.dunit(70, &[(DRec::Ss, PANORAMA.0)], PANORAMA.1, &[from], 1);
        // The surgery the day after admission, under general anaesthesia.
        let d = if from < to { from + 1 } else { from };
        let n_teeth = self.rng.range(1, 2) as u8;
        let teeth: Vec<[u8; 6]> = (0..n_teeth)
            .map(|k| [b'1', b'0', b'3' + k, b'8', b'0', b'0'])
            .collect();
        self.dunit(
            50,
            &[(DRec::Ss, IMPACTED_EXTRACTION.0)],
            IMPACTED_EXTRACTION.1 * n_teeth as u32,
            &[d],
            1,
        );
        let pts = GENERAL_ANESTHESIA.1 + self.rng.range(50, 400) as u32;
        let at = self.dunit(
            54,
            &[(DRec::Ss, GENERAL_ANESTHESIA.0), (DRec::Iy, ANESTHETIC)],
            pts,
            &[d],
            1,
        );
        self.ditems[at + 1].amount = "1";
        self.ditems[at + 1].drug_kind = b'5';
        // Injections on the day of surgery and the next, 内服 after it.
        let inj: Vec<u8> = (d..=to.min(d + 1)).collect();
        let pts = self.rng.range(50, 200) as u32;
        let at = self.dunit(33, &[(DRec::Iy, INJECTION)], pts, &inj, 1);
        self.ditems[at].amount = "1";
        self.ditems[at].drug_kind = b'4';
        if d < to {
            let after: Vec<u8> = (d + 1..=to).collect();
            let pts = self.rng.range(5, 20) as u32;
            let at = self.dunit(
                21,
                &[(DRec::Iy, ANTIBIOTIC), (DRec::Iy, ANALGESIC)],
                pts,
                &after,
                1,
            );
            self.ditems[at].amount = "3";
            self.ditems[at + 1].amount = "3";
        }
        self.episode(DX_IMPACTED, &teeth);
    }

    /// A 未来院請求: the crown made for a patient who did not come back to have it seated. Its
    /// lines have a 回数 and no day.
    fn dental_unvisited_items(&mut self) {
        use dental_code::*;
        let t = self.tooth(false, 0);
        let alloy = self.rng.range(300, 700) as u32;
        let at = self.dunit(
            62,
            &[(DRec::Ss, CROWN.0), (DRec::Ss, ALLOY.0)],
            CROWN.1 + alloy,
            &[],
            1,
        );
        self.ditems[at].times = 1;
        self.ditems[at + 1].times = 1;
        self.episode(DX_CARIES, &[t]);
    }

    /// Writes one 歯科 receipt (IR, RE … ) into `self.buf`.
    fn dental_receipt(&mut self, fac: &mut Facility, defect: Option<Defect>) -> Written {
        let pools = pools();
        let mut p = self.plan_kind(defect, true);
        // 未来院請求 (RE 未来院請求 01): rare, and never with a defect or a 不詳 claim.
        let unvisited =
            defect.is_none() && !p.inpatient && p.ins != Ins::Fusho && self.rng.chance(0.004);
        if unvisited {
            p.jd = false;
            p.first_visit = false;
        }
        let has_ho = p.ins != Ins::Kohi;
        let primary = p.birth >= 20160101;
        // ----- care records
        self.ditems.clear();
        self.episodes.clear();
        let (adm, from, to) = if p.inpatient {
            let d = self.rng.range(1, 27) as u8;
            let to = if self.rng.chance(0.8) {
                (d + self.rng.range(2, 6) as u8).min(MONTH_DAYS)
            } else {
                MONTH_DAYS
            };
            ((20261000 + d as u32).max(p.birth), d, to)
        } else {
            (0, 0, 0)
        };
        if unvisited {
            self.dental_unvisited_items();
        } else if p.inpatient {
            self.dental_inpatient_items(from, to, p.first_visit);
        } else {
            self.dental_outpatient_items(p.first_visit, p.birth);
        }
        // Now and then one more 傷病名 not treated this month (at most 5 HS).
        if self.rng.chance(0.15) && self.episodes.len() < 5 {
            let t = self.tooth(primary, 0);
            self.episode(DX_CARIES, &[t]);
        }
        // Burden codes: per unit (a line without 診療識別 continues the one before); most name
        // every payer, some only the first. (The receipt that loses its KO names only the HO.)
        let s006 = defect == Some(Defect::S006);
        let single = if has_ho { b'1' } else { b'5' };
        let full = if s006 {
            single
        } else {
            full_burden(has_ho, p.n_ko)
        };
        let mut b = full;
        for i in 0..self.ditems.len() {
            if self.ditems[i].care != 0 {
                b = if s006 || (p.n_ko >= 1 && self.rng.chance(0.15)) {
                    single
                } else {
                    full
                };
            }
            self.ditems[i].burden = b;
        }
        // Ordinary comments.
        if self.rng.chance(0.15) {
            let mut it = DItem::new(DRec::Co, 99, 810_000_001, 0);
            it.comment = self.rng.below(pools.dental_comment.len() as u64) as u16 + 1;
            it.burden = full;
            self.ditems.push(it);
        }
        // Totals per payer.
        let mut days_mask = [false; 31];
        let (mut t_ho, mut t_ko) = (0u64, [0u64; 4]);
        for it in &self.ditems {
            if it.rec == DRec::Co {
                continue;
            }
            for (k, &d) in it.days.iter().enumerate() {
                if d > 0 {
                    days_mask[k] = true;
                }
            }
            let pts = it.points as u64 * it.times();
            let (h, k) = burden_payers(it.burden);
            if h {
                t_ho += pts;
            }
            for t in t_ko.iter_mut().take(k as usize) {
                *t += pts;
            }
        }
        let real_days = days_mask.iter().filter(|&&d| d).count() as u64;
        let mut w = Written {
            lines: 0,
            defect_at: None,
            count: 0,
            points: 0,
        };
        let mut o = Out {
            b: &mut self.buf,
            lines: 0,
        };
        // ----- IR: the UK header's 審査支払機関, 都道府県, 点数表, 医療機関コード, 請求年月.
        let mut ir = Vec::with_capacity(48);
        ir.extend_from_slice(b"IR,");
        let ir_fields = |ir: &mut Vec<u8>, change: Option<u64>| {
            let review = match change {
                Some(3) => 3 - fac.review,
                _ => fac.review,
            };
            let pref = match change {
                Some(0) => fac.pref % 47 + 1,
                _ => fac.pref,
            };
            push_num(ir, review as u64);
            ir.push(b',');
            ir.extend_from_slice(&[b'0' + pref / 10, b'0' + pref % 10]);
            ir.extend_from_slice(b",3,");
            let mut code = fac.code;
            if change == Some(1) {
                code[6] = b'0' + (code[6] - b'0' + 1) % 10;
            }
            ir.extend_from_slice(&code);
            ir.extend_from_slice(b",,");
            ir.extend_from_slice(if change == Some(2) { CARE_YM } else { CLAIM_YM });
            ir.push(b',');
            ir.extend_from_slice(&fac.phone);
            ir.push(b',');
        };
        match defect {
            Some(Defect::D001) => {
                if self.rng.chance(0.5) {
                    // No IR: D001 at the RE.
                    w.defect_at = Some(o.lines);
                } else {
                    // IR twice: D001 at the second, which is not the RE the first needs.
                    ir_fields(&mut ir, None);
                    o.b.extend_from_slice(&ir);
                    o.end();
                    w.defect_at = Some(o.lines);
                    o.b.extend_from_slice(&ir);
                    o.end();
                }
            }
            Some(Defect::D002) => {
                let change = self.rng.below(4);
                ir_fields(&mut ir, Some(change));
                w.defect_at = Some(o.lines);
                o.b.extend_from_slice(&ir);
                o.end();
            }
            _ => {
                ir_fields(&mut ir, None);
                o.b.extend_from_slice(&ir);
                o.end();
            }
        }
        // ----- RE (27 values)
        let mut no = fac.next_no + fac.no_shift;
        if defect == Some(Defect::S005) {
            fac.no_shift += 1;
            no += 1;
        }
        fac.next_no += 1;
        fac.karte += 1;
        let re_line = o.lines;
        o.b.extend_from_slice(b"RE");
        o.n(no);
        o.f(&p.kind);
        o.f(CARE_YM);
        let (mut name, fam, given) = patient_name(&mut self.rng, p.sex, p.black_circle);
        match defect {
            Some(Defect::C001) => name[..2].copy_from_slice(&[0xEE, 0xE0]),
            Some(Defect::V002) => {
                let mut k = 0;
                while name.len() <= 40 {
                    name.extend_from_slice(&pools.long_pad[k..k + 2]);
                    k = (k + 2) % pools.long_pad.len();
                }
            }
            _ => {}
        }
        if matches!(
            defect,
            Some(
                Defect::S005
                    | Defect::C001
                    | Defect::V002
                    | Defect::V004
                    | Defect::V005
                    | Defect::V008
                    | Defect::F006
                    | Defect::C003
                    | Defect::S006
                    | Defect::S007
                    | Defect::S008
                    | Defect::D006
            )
        ) {
            w.defect_at = Some(re_line);
        }
        o.f(&name);
        o.n(if defect == Some(Defect::V004) {
            3
        } else {
            p.sex as u64
        });
        o.n(p.birth as u64);
        o.n0(p.benefit as u64);
        o.n0(adm as u64);
        // 診療開始日 and 転帰区分: an outpatient's, on RE (an inpatient's are on HS).
        if p.inpatient {
            o.empty(2);
        } else {
            let start = if p.first_visit {
                20261000 + self.visit[0] as u32
            } else if unvisited {
                rand_date(&mut self.rng, 2026, 2026, 20260101, 20260930)
            } else {
                rand_date(&mut self.rng, 2024, 2026, 20240101, 20260930)
            }
            .max(p.birth);
            match defect {
                Some(Defect::D006) => o.f(b""),
                Some(Defect::V005) => o.n((start / 100 * 100 + 32) as u64),
                _ => o.n(start as u64),
            }
            let outcome = if unvisited {
                4
            } else if p.first_visit {
                [1, 2][self.rng.weighted(&[70, 30])]
            } else {
                [1, 2, 4][self.rng.weighted(&[80, 17, 3])]
            };
            o.n(outcome);
        }
        // 病棟区分, 一部負担金区分.
        if p.inpatient && self.rng.chance(0.2) {
            o.f(if self.rng.chance(0.7) { b"07" } else { b"01" });
        } else {
            o.f(b"");
        }
        if p.inpatient && self.rng.chance(0.06) {
            o.n(self.rng.range(1, 4));
        } else {
            o.f(b"");
        }
        // レセプト特記事項.
        if defect == Some(Defect::V008) {
            o.b.push(b',');
            o.b.push(b'0');
            o.b.extend_from_slice(self.rng.pick(&TOKKI));
        } else if self.rng.chance(0.1) {
            o.f(self.rng.pick(&TOKKI));
        } else {
            o.f(b"");
        }
        o.f(b""); // 予備
        o.n(fac.karte);
        if defect == Some(Defect::F006) {
            o.b.push(b'"');
        }
        // 請求情報１, 予備, 未来院請求, 検索番号, 予備, 請求情報２, 予備 ×3 (16–24).
        o.empty(2);
        o.f(if unvisited { &b"01"[..] } else { b"" });
        o.empty(6);
        // カタカナ氏名, 患者の状態.
        if defect == Some(Defect::C003) {
            o.f(b"");
        } else {
            o.b.push(b',');
            o.b.extend_from_slice(&fam.kana);
            o.b.extend_from_slice(&given.kana);
        }
        if p.sex == 2 && (19850101..=20081231).contains(&p.birth) && self.rng.chance(0.03) {
            o.f(b"001");
        } else {
            o.f(b"");
        }
        o.end();
        // ----- HO (14 values: the 医科 HO without its 予備)
        let ho_line = o.lines;
        if has_ho {
            o.b.extend_from_slice(b"HO");
            push_ho_ids(
                &mut self.rng,
                &mut o,
                &p,
                fac.pref,
                defect,
                &mut w.defect_at,
            );
            o.n(real_days);
            o.n(t_ho);
            if p.inpatient {
                let meals: u64 = self
                    .ditems
                    .iter()
                    .filter(|i| i.code == dental_code::MEAL.0)
                    .map(|i| i.times())
                    .sum();
                o.n(meals);
                o.n(meals * 510);
            } else {
                o.empty(2);
            }
            o.empty(6);
            o.end();
            w.count += 1;
            w.points = t_ho;
        }
        // ----- KO (10 values)
        for k in 0..p.n_ko as usize {
            let Some((payer, recip)) = kohi_ids(
                &mut self.rng,
                fac.pref,
                k,
                defect,
                o.lines,
                &mut w.defect_at,
            ) else {
                continue; // S006: the KO the receipt kind needs is left out
            };
            o.b.extend_from_slice(b"KO");
            o.f(&payer);
            o.f(&recip);
            o.f(b""); // 任意給付区分
            o.n(real_days);
            o.n(t_ko[k]);
            o.empty(4);
            o.end();
            w.count += 1;
            if k == 0 && !has_ho {
                w.points = t_ko[0];
            }
        }
        // ----- SN, JD, MF (as 医科)
        let mut d = [0u8; 31];
        for (k, &on) in days_mask.iter().enumerate() {
            if on {
                d[k] = 1;
            }
        }
        write_sn_jd_mf(&mut o, &mut self.rng, &p, has_ho, &d, defect, &mut w);
        // ----- HS (13 values): 診療開始日, 転帰区分 and 主傷病 on an inpatient's only.
        let n_hs = self.episodes.len();
        let mut held_hs: Option<Vec<u8>> = None;
        if defect != Some(Defect::S007) {
            let mut first_hs: Vec<u8> = Vec::new();
            for s in 0..n_hs {
                let e = self.episodes[s];
                let mut line = Vec::with_capacity(64);
                line.extend_from_slice(b"HS");
                if p.inpatient {
                    let start = if s == 0 {
                        adm
                    } else {
                        rand_date(&mut self.rng, 2025, 2026, 20250101, adm)
                    }
                    .max(p.birth);
                    line.push(b',');
                    push_num(&mut line, start as u64);
                    line.push(b',');
                    let cured = to < MONTH_DAYS && s == 0 && self.rng.chance(0.7);
                    line.push(if cured { b'2' } else { b'1' });
                } else {
                    line.extend_from_slice(b",,");
                }
                line.push(b',');
                for (k, t) in e.teeth[..e.n as usize].iter().enumerate() {
                    if k == 0 && s == 0 && defect == Some(Defect::D003) {
                        // 歯種 1019: the 右上 quadrant has no 9th tooth.
                        line.extend_from_slice(b"1019");
                        line.extend_from_slice(&t[4..]);
                    } else {
                        line.extend_from_slice(t);
                    }
                }
                line.push(b',');
                if defect == Some(Defect::V003) && s == 0 {
                    line.extend_from_slice(format!("{:06}", e.code % 1_000_000).as_bytes());
                } else {
                    line.extend_from_slice(format!("{:07}", e.code).as_bytes());
                }
                line.extend_from_slice(b",,"); // 修飾語コード
                if e.name > 0 {
                    line.extend_from_slice(&pools.dental_disease_name[e.name as usize - 1]);
                }
                line.extend_from_slice(b",,,"); // 併存傷病名数, 病態移行
                if p.inpatient && s == 0 {
                    line.extend_from_slice(b"01");
                }
                line.extend_from_slice(b",,,"); // コメントコード, 補足コメント, 歯式
                if s == 0 && matches!(defect, Some(Defect::D003 | Defect::V003)) {
                    w.defect_at = Some(o.lines);
                }
                if defect == Some(Defect::S016) && s + 1 == n_hs {
                    held_hs = Some(line);
                } else {
                    if s == 0 {
                        first_hs = line.clone();
                    }
                    o.b.extend_from_slice(&line);
                    o.end();
                }
            }
            if defect == Some(Defect::D005) {
                // 100 HS in all: reported at the 100th.
                for k in n_hs..100 {
                    if k == 99 {
                        w.defect_at = Some(o.lines);
                    }
                    o.b.extend_from_slice(&first_hs);
                    o.end();
                }
            }
        }
        // ----- SS / SI / IY / TO / CO
        let mut s014 = defect == Some(Defect::S014);
        let mut v001 = defect == Some(Defect::V001);
        let mut s015 = defect == Some(Defect::S015);
        let mut d004 = defect == Some(Defect::D004);
        for idx in 0..self.ditems.len() {
            let it = self.ditems[idx];
            if defect == Some(Defect::S008) && it.rec != DRec::Co {
                continue;
            }
            let mut care = it.care;
            if d004 && !matches!(care, 0 | 11) && it.rec != DRec::Co {
                // 40 処置 is in the 入院 column only. (Not on the 初診: a 不詳 claim without it
                // would be revisit-only, Q009.)
                care = 40;
                d004 = false;
                w.defect_at = Some(o.lines);
            }
            let mut burden = it.burden;
            if s015 && it.rec == DRec::Ss {
                burden = b'2';
                s015 = false;
                w.defect_at = Some(o.lines);
            }
            let mut times = it.times();
            if s014 && it.rec != DRec::Co && it.times == 0 {
                times += 1;
                s014 = false;
                w.defect_at = Some(o.lines);
            }
            let points = |o: &mut Out, w: &mut Written, v001: &mut bool| {
                o.b.push(b',');
                if it.points > 0 {
                    push_num(o.b, it.points as u64);
                    if *v001 && it.rec == DRec::Ss {
                        // A letter O typed for a zero.
                        let last = o.b.len() - 1;
                        o.b[last] = b'O';
                        *v001 = false;
                        w.defect_at = Some(o.lines);
                    }
                }
            };
            match it.rec {
                DRec::Ss => {
                    o.b.extend_from_slice(b"SS");
                    o.n0(care as u64);
                    o.b.push(b',');
                    o.b.push(burden);
                    o.n(it.code as u64);
                    o.n0(it.qty as u64);
                    o.f(b""); // 数量データ２
                    if it.add > 0 {
                        o.f(DENTAL_ADDS[it.add as usize - 1].as_bytes());
                        o.empty(69);
                    } else {
                        o.empty(70);
                    }
                    points(&mut o, &mut w, &mut v001);
                    o.n(times);
                    o.days(&it.days);
                }
                DRec::Si => {
                    o.b.extend_from_slice(b"SI");
                    o.n0(care as u64);
                    o.b.push(b',');
                    o.b.push(burden);
                    o.n(it.code as u64);
                    o.f(b""); // 数量データ
                    points(&mut o, &mut w, &mut v001);
                    o.n(times);
                    o.days(&it.days);
                }
                DRec::Iy => {
                    o.b.extend_from_slice(b"IY");
                    o.n0(care as u64);
                    o.b.push(b',');
                    o.b.push(burden);
                    o.n(it.code as u64);
                    o.f(it.amount.as_bytes());
                    points(&mut o, &mut w, &mut v001);
                    o.n(times);
                    o.b.push(b',');
                    o.b.push(it.drug_kind);
                    o.days(&it.days);
                }
                DRec::To => {
                    o.b.extend_from_slice(b"TO");
                    o.n0(care as u64);
                    o.b.push(b',');
                    o.b.push(burden);
                    o.n(it.code as u64);
                    o.f(it.amount.as_bytes());
                    o.empty(7); // 単位コード, 単価, 加算等 ×2, 商品名
                    points(&mut o, &mut w, &mut v001);
                    o.n(times);
                    o.days(&it.days);
                }
                DRec::Co => {
                    o.b.extend_from_slice(b"CO");
                    o.n0(care as u64);
                    o.b.push(b',');
                    o.b.push(burden);
                    o.n(it.code as u64);
                    o.b.push(b',');
                    if it.comment > 0 {
                        o.b.extend_from_slice(&pools.dental_comment[it.comment as usize - 1]);
                    }
                    o.b.push(b',');
                    if it.teeth[0] != 0 {
                        o.b.extend_from_slice(&it.teeth);
                    }
                    o.empty(5); // 予備 ×5
                }
            }
            o.end();
            if let Some(hs) = held_hs.take() {
                w.defect_at = Some(o.lines);
                o.b.extend_from_slice(&hs);
                o.end();
            }
        }
        // The 不詳 claim's 摘要: the address and contact of the 被保険者資格申立書.
        if p.ins == Ins::Fusho {
            let b = full_burden(true, 0);
            if defect != Some(Defect::Q003) {
                o.b.extend_from_slice(b"CO,99,");
                o.b.push(b);
                o.b.extend_from_slice(b",810000001,");
                push_address(&mut self.rng, o.b);
                o.empty(6);
                o.end();
            }
            if defect != Some(Defect::Q004) {
                o.b.extend_from_slice(b"CO,99,");
                o.b.push(b);
                o.b.extend_from_slice(b",810000001,");
                push_contact(&mut self.rng, o.b);
                o.empty(6);
                o.end();
            }
            if matches!(defect, Some(Defect::Q003 | Defect::Q004)) {
                w.defect_at = Some(ho_line);
            }
        }
        w.lines = o.lines;
        w
    }
}

/// A facility of either kind; the 医科 one draws exactly what the 医科 month always drew.
fn new_facility(g: &mut Gen, fac_index: usize, dental: bool) -> Facility {
    let mut code = [0u8; 7];
    let body = format!("{:02}{:04}", g.rng.range(1, 89), fac_index);
    code[..6].copy_from_slice(body.as_bytes());
    code[6] = b'0' + check_digit(&code[..6]);
    let names = if dental {
        pools().dental_facility.len()
    } else {
        pools().facility.len()
    };
    let mut fac = Facility {
        code,
        pref: g.rng.range(1, 47) as u8,
        review: 1 + g.rng.below(2) as u8,
        name: g.rng.below(names as u64) as usize,
        phone: format!(
            "0{}-{}-{:04}",
            g.rng.range(3, 99),
            g.rng.range(100, 9999),
            g.rng.below(10_000)
        )
        .into_bytes(),
        next_no: 1,
        no_shift: 0,
        karte: 1000 * g.rng.range(1, 9),
        count: 0,
        points: 0,
        standards: Vec::new(),
    };
    if dental {
        // 届出: a few distinct 施設基準 codes in table order, or none.
        for s in STANDARDS {
            if g.rng.chance(0.3) {
                fac.standards.extend_from_slice(s);
            }
        }
    }
    fac
}

/// Writes one 歯科 file: UK, the receipts, GO. Returns its size in bytes.
#[allow(clippy::too_many_arguments)]
fn write_dental_file(
    g: &mut Gen,
    fac: &mut Facility,
    path: &std::path::Path,
    rel: &str,
    receipts: u64,
    defect_rate: f64,
    injected: &mut Vec<Injected>,
) -> io::Result<u64> {
    let mut f = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut bytes = 0u64;
    let mut line = 1u64;
    // UK (10 values)
    let mut b = Vec::with_capacity(128);
    b.extend_from_slice(b"UK,");
    push_num(&mut b, fac.review as u64);
    b.push(b',');
    b.extend_from_slice(&[b'0' + fac.pref / 10, b'0' + fac.pref % 10]);
    b.extend_from_slice(b",3,");
    b.extend_from_slice(&fac.code);
    b.extend_from_slice(b",,");
    b.extend_from_slice(&pools().dental_facility[fac.name]);
    b.push(b',');
    b.extend_from_slice(CLAIM_YM);
    b.push(b',');
    b.extend_from_slice(&fac.standards);
    b.extend_from_slice(b",00\r\n");
    f.write_all(&b)?;
    bytes += b.len() as u64;
    line += 1;
    for _ in 0..receipts {
        let mut defect = None;
        if defect_rate > 0.0 && g.rng.chance(defect_rate) {
            defect = Some(g.rng.pick(DENTAL_DEFECTS));
        }
        g.buf.clear();
        let w = g.dental_receipt(fac, defect);
        if let (Some(d), Some(at)) = (defect, w.defect_at) {
            injected.push(Injected {
                file: rel.to_string(),
                line: line + at,
                code: d.code(),
            });
        } else {
            assert!(defect.is_none(), "defect {defect:?} was not placed");
        }
        fac.count += w.count;
        fac.points += w.points;
        line += w.lines;
        f.write_all(&g.buf)?;
        bytes += g.buf.len() as u64;
        g.note_size(FileKind::Dental);
    }
    b.clear();
    b.extend_from_slice(b"GO,");
    push_num(&mut b, fac.count);
    b.push(b',');
    push_num(&mut b, fac.points);
    b.extend_from_slice(b",99\r\n\x1A");
    f.write_all(&b)?;
    bytes += b.len() as u64;
    f.flush()?;
    Ok(bytes)
}

// ---------------------------------------------------------------------------------------
// 調剤 (pharmacy) receipts: grammar/pharmacy/records.toml, shared/spec/pharmacy.md

/// 調剤 fee codes (9 digits) and 点数. Shaped like the codes of the clean fixture
/// (`testdata/rules/pharmacy_clean.txt`: 420001810 薬剤調製料, 450000110 調剤基本料), not taken
/// from the master (recelint has none to check them against); the points are of the order of
/// the 令和6年 fee schedule.
mod pharmacy_code {
    /// 薬剤調製料: 内服薬 (1 剤につき, 3 剤まで), 屯服薬, 内服用滴剤, 注射薬, 外用薬 (3 調剤まで).
    pub const PREP_INTERNAL: (u32, u32) = (420001810, 24);
    pub const PREP_TONPUKU: (u32, u32) = (420001910, 21);
    pub const PREP_EXTERNAL: (u32, u32) = (420002010, 10);
    pub const PREP_DROPS: (u32, u32) = (420002110, 10);
    pub const PREP_INJECTION: (u32, u32) = (420002210, 26);
    /// 調剤管理料 1 by the days supplied (内服薬 1 剤につき, 3 剤まで), and 2 (a 受付 without
    /// 内服薬).
    pub const MGMT_7: (u32, u32) = (420010110, 4);
    pub const MGMT_14: (u32, u32) = (420010210, 28);
    pub const MGMT_28: (u32, u32) = (420010310, 50);
    pub const MGMT_29: (u32, u32) = (420010410, 60);
    pub const MGMT_OTHER: (u32, u32) = (420010510, 4);
    /// 計量混合調剤加算 (軟膏剤).
    pub const MIXING: (u32, u32) = (420020310, 45);
    /// 外来服薬支援料２ (一包化), 7 日分につき 34 点 (43 日分以上 240 点).
    pub const UNIT_DOSE: (u32, u32) = (420030110, 34);
    /// 調剤基本料 1, 2 and 3イ.
    pub const BASE: [(u32, u32); 3] = [(450000110, 45), (450000210, 29), (450000310, 24)];
    /// 服薬管理指導料: 3 月以内の再調剤（手帳あり）, and the others.
    pub const GUIDANCE: (u32, u32) = (450010110, 45);
    pub const GUIDANCE_OTHER: (u32, u32) = (450010210, 59);
    /// 特定薬剤管理指導加算１, 乳幼児服薬指導加算.
    pub const SPECIFIC: (u32, u32) = (450010510, 10);
    pub const INFANT: (u32, u32) = (450010610, 12);
    /// 調剤基本料の加算: 地域支援体制加算, 後発医薬品調剤体制加算 1–3, 連携強化加算,
    /// 医療 DX 推進体制整備加算.
    pub const REGION: (u32, u32) = (450020110, 32);
    pub const GENERIC: [(u32, u32); 3] = [(450020210, 21), (450020310, 28), (450020410, 30)];
    pub const COOPERATION: (u32, u32) = (450020510, 5);
    pub const DX: (u32, u32) = (450020610, 4);
}

/// 調剤 レセプト特記事項 used on clean receipts (別表7; no 17–20 or 22 as 医科 has).
const PHARMACY_TOKKI: [&[u8]; 8] = [b"26", b"27", b"28", b"29", b"30", b"01", b"02", b"16"];

/// A facility whose prescriptions a pharmacy receives, with its 保険医.
struct Prescriber {
    pref: u8,
    /// 点数表: 1 医科, 3 歯科.
    schedule: u8,
    code: Vec<u8>,
    /// Index into the 医科 (or, 点数表 3, the 歯科) facility pool.
    name: usize,
    /// 保険医: (family, given, male) indexes into the people pools.
    doctors: Vec<(usize, usize, bool)>,
}

/// A pharmacy: the facility state, and what its receipts draw from.
struct Pharmacy {
    fac: Facility,
    prescribers: Vec<Prescriber>,
    /// Weights of the prescribers (the first, the clinic next door, takes most).
    weights: Vec<u32>,
    /// 調剤基本料, and its 加算 on every 受付.
    base: (u32, u32),
    adds: Vec<(u32, u32)>,
}

/// One prescription (剤): an SH and its CZ.
#[derive(Clone, Copy)]
struct PRx {
    /// 剤形 (an ASCII digit of 別表11).
    form: u8,
    /// 用法 (001–048, 900).
    usage: u16,
    /// SH 特別指示: index + 1 into the instruction pool (0 = none).
    instruction: u16,
    /// 単位薬剤料: per day (内服, 内滴), per dose (屯服) or per 調剤.
    unit: u32,
    /// CZ 調剤数量: days, doses, or 1.
    qty: u16,
    /// The 受付 it is dispensed at: bit r − 1 for 処方箋受付回 r.
    recv: u8,
    burden: u8,
    /// Its drugs (written after each of its CZ): a range of `pdrug`.
    drugs: (u16, u16),
}

/// One dispensing (a CZ) of a prescription at one 受付.
#[derive(Clone, Copy)]
struct PDisp {
    rx: u16,
    /// 処方箋受付回 (1-based).
    recv: u8,
    /// 薬剤調製料 (code 0: none, as for a 材料); points 0: 算定区分 2 (剤数超過).
    prep: (u32, u32),
    /// 調剤管理料 (code 0: none).
    mgmt: (u32, u32),
    /// 加算料１ (code 0: none).
    add: (u32, u32),
    /// 外来服薬支援料２: points and 一包化日数 (0: none).
    unit_dose: (u32, u16),
    /// CO: index + 1 into the pharmacy comment pool (0 = none).
    comment: u16,
}

impl PDisp {
    /// The CZ's points: 薬剤調製料, 薬剤料 (単位薬剤料 × 調剤数量), 加算料, 外来服薬支援料２,
    /// 調剤管理料.
    fn points(&self, rx: &PRx) -> u64 {
        (self.prep.1 + rx.unit * rx.qty as u32 + self.add.1 + self.unit_dose.0 + self.mgmt.1) as u64
    }
}

/// A drug (IY) or a material (TO) of a prescription.
#[derive(Clone, Copy)]
struct PDrug {
    material: bool,
    code: u32,
    amount: &'static str,
    /// IY １回用量 ("" = empty).
    single: &'static str,
}

/// One 処方箋受付: its dates, its 保険医 and its KI.
#[derive(Clone, Copy)]
struct PRecv {
    /// Days of October: 調剤年月日 and 処方箋交付年月日.
    dispensed: u8,
    issued: u8,
    /// 医師番号 (RE 保険医氏名 1 or 2).
    doctor: u8,
    /// The KI's 負担区分.
    burden: u8,
    /// 薬学管理料 1–2 (code 0: none).
    mgmt: [(u32, u32); 2],
}

impl PRecv {
    /// The KI's points: 調剤基本料, 薬学管理料 and 調剤基本料の加算.
    fn points(&self, ph: &Pharmacy) -> u64 {
        let adds: u32 = ph.adds.iter().map(|a| a.1).sum();
        (ph.base.1 + self.mgmt[0].1 + self.mgmt[1].1 + adds) as u64
    }
}

/// A record written field by field: only the fields that hold something are named, and the
/// commas up to each are written on the way.
struct Fields<'o, 'b> {
    o: &'o mut Out<'b>,
    at: usize,
}

impl<'o, 'b> Fields<'o, 'b> {
    fn new(o: &'o mut Out<'b>, id: &[u8]) -> Self {
        o.b.extend_from_slice(id);
        Fields { o, at: 0 }
    }

    fn to(&mut self, i: usize) {
        debug_assert!(i > self.at, "field {i} after field {}", self.at);
        while self.at < i {
            self.o.b.push(b',');
            self.at += 1;
        }
    }

    fn put(&mut self, i: usize, v: &[u8]) {
        self.to(i);
        self.o.b.extend_from_slice(v);
    }

    fn num(&mut self, i: usize, n: u64) {
        self.to(i);
        push_num(self.o.b, n);
    }

    /// Appends to the field last named.
    fn more(&mut self, v: &[u8]) {
        self.o.b.extend_from_slice(v);
    }

    /// Ends the record at `count` values (the id included).
    fn end(mut self, count: usize) {
        if count - 1 > self.at {
            self.to(count - 1);
        }
        self.o.end();
    }
}

/// `01` … `99`.
fn two_digits(n: usize) -> [u8; 2] {
    [b'0' + (n / 10 % 10) as u8, b'0' + (n % 10) as u8]
}

/// A 調剤 date of October (day 32 for V005).
fn oct(day: u32) -> u64 {
    20261000 + day as u64
}

/// A CZ (71 values): `issued` overrides the 処方箋交付年月日 (P002, V005).
fn push_cz(o: &mut Out, d: &PDisp, rx: &PRx, no: [u8; 2], r: &PRecv, issued: Option<u32>) {
    use pharmacy_code::UNIT_DOSE;
    let b = [rx.burden];
    let mut f = Fields::new(o, b"CZ");
    f.num(1, r.doctor as u64);
    f.num(2, oct(issued.unwrap_or(r.issued as u32)));
    f.num(3, oct(r.dispensed as u32));
    f.num(4, d.recv as u64);
    f.num(5, rx.qty as u64);
    if d.prep.0 != 0 {
        f.put(6, &b);
        f.put(7, if d.prep.1 > 0 { b"1" } else { b"2" });
        f.put(8, &no);
        f.num(9, d.prep.0 as u64);
        if d.prep.1 > 0 {
            f.num(10, d.prep.1 as u64);
        }
    }
    f.num(13, (rx.unit * rx.qty as u32) as u64);
    if d.add.0 != 0 {
        f.put(15, &b);
        f.num(16, d.add.0 as u64);
        f.num(17, d.add.1 as u64);
    }
    if d.unit_dose.0 > 0 {
        f.num(45, d.unit_dose.1 as u64);
        f.put(54, &b);
        f.num(55, UNIT_DOSE.0 as u64);
        f.num(56, d.unit_dose.0 as u64);
    }
    if d.mgmt.0 != 0 {
        f.put(57, &b);
        f.put(58, b"1");
        f.put(59, &no);
        f.num(60, d.mgmt.0 as u64);
        f.num(61, d.mgmt.1 as u64);
    }
    f.end(71);
}

/// An IY (10 values) or, for a material, a TO (7 values).
fn push_drug(o: &mut Out, d: &PDrug, burden: u8) {
    if d.material {
        let mut f = Fields::new(o, b"TO");
        f.put(1, &[burden]);
        f.num(2, d.code as u64);
        f.put(3, d.amount.as_bytes());
        f.put(4, b"007"); // 本
        f.end(7);
    } else {
        let mut f = Fields::new(o, b"IY");
        f.put(1, &[burden]);
        f.num(2, d.code as u64);
        f.put(3, d.amount.as_bytes());
        if !d.single.is_empty() {
            f.put(9, d.single.as_bytes());
        }
        f.end(10);
    }
}

/// The KI (114 values) of 処方箋受付回 `k`, 算定日 `day` (its 調剤年月日, or 32 for V005).
fn push_ki(o: &mut Out, r: &PRecv, k: usize, ph: &Pharmacy, day: u32) {
    let b = [r.burden];
    let mut f = Fields::new(o, b"KI");
    f.num(1, oct(day));
    f.num(2, k as u64);
    f.put(3, &b);
    f.num(4, ph.base.0 as u64);
    f.num(5, ph.base.1 as u64);
    // 薬学管理料 1–12 from idx 7, 調剤基本料加算 1–10 from idx 69: (負担区分, コード, 回数, 点数).
    let fees = r
        .mgmt
        .iter()
        .filter(|m| m.0 != 0)
        .enumerate()
        .map(|(j, m)| (7 + 4 * j, m));
    let adds = ph.adds.iter().enumerate().map(|(j, a)| (69 + 4 * j, a));
    for (i, &(code, pts)) in fees.chain(adds) {
        f.put(i, &b);
        f.num(i + 1, code as u64);
        f.put(i + 2, b"1");
        f.num(i + 3, pts as u64);
    }
    f.end(114);
}

/// A pharmacy, its prescribers and its fees.
fn new_pharmacy(g: &mut Gen, fac_index: usize) -> Pharmacy {
    use pharmacy_code::*;
    let pools = pools();
    let mut code = [0u8; 7];
    let body = format!("{:02}{:04}", g.rng.range(1, 89), fac_index);
    code[..6].copy_from_slice(body.as_bytes());
    code[6] = b'0' + check_digit(&code[..6]);
    let fac = Facility {
        code,
        pref: g.rng.range(1, 47) as u8,
        review: 1 + g.rng.below(2) as u8,
        name: g.rng.below(pools.pharmacy.len() as u64) as usize,
        phone: format!(
            "0{}-{}-{:04}",
            g.rng.range(3, 99),
            g.rng.range(100, 9999),
            g.rng.below(10_000)
        )
        .into_bytes(),
        next_no: 1,
        no_shift: 0,
        karte: 10_000 * g.rng.range(1, 9),
        count: 0,
        points: 0,
        standards: Vec::new(),
    };
    let n = [1, 2, 3, 4, 6][g.rng.weighted(&[30, 25, 20, 15, 10])];
    let mut prescribers = Vec::with_capacity(n);
    for _ in 0..n {
        let dental = g.rng.chance(0.1);
        let pref = if g.rng.chance(0.9) {
            fac.pref
        } else {
            g.rng.range(1, 47) as u8
        };
        let lead = format!("{:02}", g.rng.range(1, 89));
        let code = with_check(&mut g.rng, lead.as_bytes(), 4);
        let names = if dental {
            pools.dental_facility.len()
        } else {
            pools.facility.len()
        };
        let name = g.rng.below(names as u64) as usize;
        let n_doc = if dental {
            1
        } else {
            [1, 1, 2, 3, 4][g.rng.below(5) as usize]
        };
        let doctors = (0..n_doc)
            .map(|_| {
                let male = g.rng.chance(0.7);
                let given = if male {
                    pools.male.len()
                } else {
                    pools.female.len()
                };
                (
                    g.rng.below(pools.family.len() as u64) as usize,
                    g.rng.below(given as u64) as usize,
                    male,
                )
            })
            .collect();
        prescribers.push(Prescriber {
            pref,
            schedule: if dental { 3 } else { 1 },
            code,
            name,
            doctors,
        });
    }
    let weights = [60, 20, 10, 6, 3, 1][..n].to_vec();
    let base = BASE[g.rng.weighted(&[70, 10, 20])];
    let mut adds = Vec::new();
    if g.rng.chance(0.4) {
        adds.push(REGION);
    }
    if g.rng.chance(0.7) {
        adds.push(g.rng.pick(&GENERIC));
    }
    if g.rng.chance(0.6) {
        adds.push(COOPERATION);
    }
    if g.rng.chance(0.8) {
        adds.push(DX);
    }
    Pharmacy {
        fac,
        prescribers,
        weights,
        base,
        adds,
    }
}

impl Gen {
    /// A prescription of 剤形 `form`, `qty` (days, doses or 1), dispensed at the 受付 of
    /// `recv`, with `lines` drugs.
    fn prescription(&mut self, form: u8, qty: u16, recv: u8, lines: usize) {
        let n_instr = pools().instruction.len() as u64;
        let r = &mut self.rng;
        let (usage, instruction, unit) = match form {
            // 内服: 用法 001–030 (048 起床時 now and then); the 単位薬剤料 is a day's.
            b'1' => {
                let usage = if r.chance(0.04) {
                    48
                } else {
                    r.range(1, 30) as u16
                };
                let instr = if r.chance(0.04) {
                    r.range(8, 9) as u16
                } else {
                    0
                };
                let unit = if r.chance(0.05) {
                    r.range(40, 300)
                } else {
                    (0..lines).map(|_| r.range(1, 12)).sum()
                };
                (usage, instr, unit as u32)
            }
            b'2' => (r.range(36, 40) as u16, 0, r.range(1, 8) as u32),
            // 屯服: a dose's.
            b'3' => {
                let instr = if r.chance(0.7) {
                    r.range(3, 5) as u16
                } else {
                    0
                };
                (r.range(31, 35) as u16, instr, r.range(1, 10) as u32)
            }
            b'4' => (r.range(41, 47) as u16, 0, r.range(250, 900) as u32),
            // 外用: 用法 900 (未コード化) with its 特別指示, or a coded one.
            b'5' => {
                if r.chance(0.4) {
                    let instr = [1u16, 2, 6, 7][r.below(4) as usize];
                    (900, instr, r.range(5, 150) as u32)
                } else {
                    (r.range(41, 47) as u16, 0, r.range(5, 150) as u32)
                }
            }
            _ => (r.range(41, 47) as u16, 0, r.range(80, 160) as u32),
        };
        debug_assert!(instruction as u64 <= n_instr);
        let from = self.pdrug.len() as u16;
        for _ in 0..lines {
            let d = match form {
                b'1' | b'2' | b'3' => PDrug {
                    material: false,
                    code: 610_000_000 + r.below(30_000_000) as u32,
                    amount: if form == b'3' {
                        "1"
                    } else {
                        r.pick(&["1", "2", "3", "0.5", "1.5", "6", "2"])
                    },
                    single: if form == b'1' && r.chance(0.2) {
                        r.pick(&["1", "0.5", "2"])
                    } else {
                        ""
                    },
                },
                b'4' => PDrug {
                    material: false,
                    code: 640_000_000 + r.below(9_000_000) as u32,
                    amount: r.pick(&["1", "2", "3"]),
                    single: "",
                },
                b'5' => PDrug {
                    material: false,
                    code: 660_000_000 + r.below(9_000_000) as u32,
                    amount: r.pick(&["5", "10", "25", "50", "1", "2"]),
                    single: "",
                },
                _ => PDrug {
                    material: true,
                    code: 710_010_000 + r.below(10_000) as u32,
                    amount: r.pick(&["70", "60", "140"]),
                    single: "",
                },
            };
            self.pdrug.push(d);
        }
        self.prx.push(PRx {
            form,
            usage,
            instruction,
            unit,
            qty,
            recv,
            burden: b'1',
            drugs: (from, self.pdrug.len() as u16),
        });
    }

    /// An acute prescription set at the 受付 of `recv`: 1–3 内服 (a child's 内滴 now and then)
    /// for a few days, and now and then a 屯服 and a 外用.
    fn acute_prescriptions(&mut self, child: bool, recv: u8) {
        let days = self.rng.pick(&[3u16, 4, 5, 5, 7, 7, 14]);
        let n = 1 + self.rng.weighted(&[45, 35, 20]);
        for _ in 0..n {
            if child && self.rng.chance(0.25) {
                self.prescription(b'2', days, recv, 1);
            } else {
                let lines = 1 + self.rng.weighted(&[70, 30]);
                self.prescription(b'1', days, recv, lines);
            }
        }
        if self.rng.chance(0.25) {
            let doses = self.rng.pick(&[5u16, 10, 10, 14, 20]);
            self.prescription(b'3', doses, recv, 1);
        }
        if self.rng.chance(0.25) {
            self.prescription(b'5', 1, recv, 1);
        }
    }

    /// A 調剤 receipt's prescriptions over `n_recv` 受付, then its CZ with their fees: a
    /// chronic patient's regular 内服 (dispensed again at the second 受付 when the supply is
    /// short), or acute sets.
    fn pharmacy_items(&mut self, birth: u32, n_recv: usize) {
        use pharmacy_code::*;
        self.prx.clear();
        self.pdrug.clear();
        self.pdisp.clear();
        let age = 2026 - birth / 10_000;
        let child = birth >= 20200402;
        let chronic = !child
            && self.rng.chance(if age >= 65 {
                0.85
            } else if age >= 40 {
                0.6
            } else {
                0.25
            });
        let refill = chronic && n_recv >= 2 && self.rng.chance(0.5);
        if chronic {
            let days = if refill {
                self.rng.pick(&[7u16, 14, 14])
            } else {
                self.rng
                    .pick(&[14u16, 28, 28, 28, 30, 30, 35, 42, 56, 60, 90])
            };
            let mask = if refill { 0b11 } else { 0b1 };
            let n = 1 + self.rng.weighted(&[30, 28, 20, 12, 6, 4]);
            for _ in 0..n {
                let lines = 1 + self.rng.weighted(&[55, 30, 15]);
                self.prescription(b'1', days, mask, lines);
            }
            if self.rng.chance(0.12) {
                let doses = self.rng.pick(&[5u16, 10, 14, 20]);
                self.prescription(b'3', doses, 1, 1);
            }
            if self.rng.chance(0.2) {
                let lines = 1 + self.rng.below(2) as usize;
                self.prescription(b'5', 1, 1, lines);
            }
            if self.rng.chance(0.03) {
                // Insulin and its needles (剤形 9 材料, a TO).
                self.prescription(b'4', 1, 1, 1);
                self.prescription(b'9', 1, 1, 1);
            }
        } else {
            self.acute_prescriptions(child, 1);
        }
        for r in 2..=n_recv {
            if !(refill && r == 2) {
                self.acute_prescriptions(child, 1 << (r - 1));
            }
        }
        // The CZ, 受付 by 受付: 薬剤調製料 for the first three 内服 (the others 剤数超過) and
        // 外用, 調剤管理料 for the first three 内服 (or once, without 内服), now and then 一包化.
        let unit_dose = self.rng.chance(0.04);
        for r in 1..=n_recv as u8 {
            let first = self.pdisp.len();
            let (mut internal, mut external, mut tonpuku) = (0, 0, 0);
            for (i, rx) in self.prx.iter().enumerate() {
                if rx.recv & (1 << (r - 1)) == 0 {
                    continue;
                }
                let mut d = PDisp {
                    rx: i as u16,
                    recv: r,
                    prep: (0, 0),
                    mgmt: (0, 0),
                    add: (0, 0),
                    unit_dose: (0, 0),
                    comment: 0,
                };
                match rx.form {
                    b'1' => {
                        internal += 1;
                        if internal <= 3 {
                            d.prep = PREP_INTERNAL;
                            d.mgmt = match rx.qty {
                                0..=7 => MGMT_7,
                                8..=14 => MGMT_14,
                                15..=28 => MGMT_28,
                                _ => MGMT_29,
                            };
                        } else {
                            d.prep = (PREP_INTERNAL.0, 0);
                        }
                        if unit_dose && internal == 1 && rx.qty >= 14 {
                            let pts = if rx.qty <= 42 {
                                UNIT_DOSE.1 * (rx.qty as u32).div_ceil(7)
                            } else {
                                240
                            };
                            d.unit_dose = (pts, rx.qty);
                        }
                    }
                    b'2' => d.prep = PREP_DROPS,
                    b'3' => {
                        tonpuku += 1;
                        d.prep = if tonpuku == 1 {
                            PREP_TONPUKU
                        } else {
                            (PREP_TONPUKU.0, 0)
                        };
                    }
                    b'4' => d.prep = PREP_INJECTION,
                    b'5' => {
                        external += 1;
                        d.prep = if external <= 3 {
                            PREP_EXTERNAL
                        } else {
                            (PREP_EXTERNAL.0, 0)
                        };
                    }
                    _ => {}
                }
                self.pdisp.push(d);
            }
            for d in &mut self.pdisp[first..] {
                if d.unit_dose.0 > 0 && self.rng.chance(0.5) {
                    d.comment = 1; // 一包化
                } else if self.rng.chance(0.02) {
                    d.comment = 2 + self.rng.below(4) as u16;
                }
                if self.prx[d.rx as usize].form == b'5' && self.rng.chance(0.05) {
                    d.add = MIXING;
                }
            }
            if internal == 0 {
                if let Some(d) = self.pdisp.get_mut(first) {
                    d.mgmt = MGMT_OTHER;
                }
            }
        }
        // In writing order: each prescription's CZ, 受付 by 受付.
        self.pdisp.sort_by_key(|d| d.rx);
    }

    /// Writes one 調剤 receipt (RE … KI) into `self.buf`.
    fn pharmacy_receipt(&mut self, ph: &mut Pharmacy, defect: Option<Defect>) -> Written {
        use pharmacy_code::*;
        let pools = pools();
        let p = self.plan_for(defect, FileKind::Pharmacy);
        let has_ho = p.ins != Ins::Kohi;
        // The prescribing facility and its 保険医 (two now and then).
        let pr = &ph.prescribers[self.rng.weighted(&ph.weights)];
        let nd = pr.doctors.len();
        let d1 = self.rng.below(nd as u64) as usize;
        let d2 = if nd >= 2 && self.rng.chance(0.2) {
            Some((d1 + 1 + self.rng.below(nd as u64 - 1) as usize) % nd)
        } else {
            None
        };
        // 処方箋受付: days of dispensing, each prescription issued 0–3 days before.
        let n_recv = [1usize, 2, 3][self.rng.weighted(&[84, 13, 3])];
        self.outpatient_days(n_recv);
        if defect == Some(Defect::P002) && self.visit[0] > 28 {
            // Room for a date of issue after the first dispensing.
            self.visit[0] = self.rng.range(1, 28) as u8;
        }
        let single = if has_ho { b'1' } else { b'5' };
        let s006 = defect == Some(Defect::S006);
        let full = if s006 {
            single
        } else {
            full_burden(has_ho, p.n_ko)
        };
        let infant = p.birth >= 20201001;
        self.precv.clear();
        for k in 0..n_recv {
            let dispensed = self.visit[k];
            let back = [0u8, 1, 2, 3][self.rng.weighted(&[85, 10, 3, 2])];
            let burden = if s006 || (p.n_ko >= 1 && self.rng.chance(0.15)) {
                single
            } else {
                full
            };
            let doctor = if d2.is_some() && self.rng.chance(0.5) {
                2
            } else {
                1
            };
            let guidance = if self.rng.chance(0.8) {
                GUIDANCE
            } else {
                GUIDANCE_OTHER
            };
            let extra = if infant {
                INFANT
            } else if self.rng.chance(0.08) {
                SPECIFIC
            } else {
                (0, 0)
            };
            self.precv.push(PRecv {
                dispensed,
                issued: dispensed.saturating_sub(back).max(1),
                doctor,
                burden,
                mgmt: [guidance, extra],
            });
        }
        self.pharmacy_items(p.birth, n_recv);
        for i in 0..self.prx.len() {
            self.prx[i].burden = if s006 || (p.n_ko >= 1 && self.rng.chance(0.15)) {
                single
            } else {
                full
            };
        }
        let s008 = defect == Some(Defect::S008);
        // Where the defect goes.
        // (An SH dropped whose prescription is dispensed twice would leave two CZ without it.)
        let p001_drop_sh = defect == Some(Defect::P001)
            && self.prx[0].recv.count_ones() == 1
            && self.rng.chance(0.5);
        let v005_on_ki = defect == Some(Defect::V005) && self.rng.chance(0.5);
        let p002_issued = self.rng.range(1, 3) as u32;
        let v004_usage = self.rng.chance(0.5);
        let remark = self.rng.chance(0.04);
        // Totals per payer (S008: the receipt without SH and KI has none).
        let (mut t_ho, mut t_ko) = (0u64, [0u64; 4]);
        let mut add = |b: u8, pts: u64| {
            let (h, k) = burden_payers(b);
            if h {
                t_ho += pts;
            }
            for t in t_ko.iter_mut().take(k as usize) {
                *t += pts;
            }
        };
        if !s008 {
            for d in &self.pdisp {
                let rx = &self.prx[d.rx as usize];
                add(rx.burden, d.points(rx));
            }
            for r in &self.precv {
                add(r.burden, r.points(ph));
            }
        }
        let mut w = Written {
            lines: 0,
            defect_at: None,
            count: 0,
            points: 0,
        };
        let mut o = Out {
            b: &mut self.buf,
            lines: 0,
        };
        // ----- RE (42 values)
        let mut no = ph.fac.next_no + ph.fac.no_shift;
        if defect == Some(Defect::S005) {
            ph.fac.no_shift += 1;
            no += 1;
        }
        ph.fac.next_no += 1;
        ph.fac.karte += 1;
        let (mut name, fam, given) = patient_name(&mut self.rng, p.sex, p.black_circle);
        if defect == Some(Defect::C001) {
            name[..2].copy_from_slice(&[0xEE, 0xE0]);
        }
        if matches!(
            defect,
            Some(
                Defect::S005
                    | Defect::C001
                    | Defect::C003
                    | Defect::F006
                    | Defect::V008
                    | Defect::S006
                    | Defect::S008
            )
        ) {
            w.defect_at = Some(o.lines);
        }
        let tokki: Vec<u8> = if defect == Some(Defect::V008) {
            let mut t = b"0".to_vec();
            t.extend_from_slice(self.rng.pick(&PHARMACY_TOKKI));
            t
        } else if self.rng.chance(0.08) {
            self.rng.pick(&PHARMACY_TOKKI).to_vec()
        } else {
            Vec::new()
        };
        let copay_class = p.kind[3] == b'8' && self.rng.chance(0.05);
        let copay_1 = self.rng.chance(0.5);
        let mut f = Fields::new(&mut o, b"RE");
        f.num(1, no);
        f.put(2, &p.kind);
        f.put(3, CARE_YM);
        f.put(4, &name);
        f.num(5, p.sex as u64);
        f.num(6, p.birth as u64);
        if p.benefit > 0 {
            f.num(7, p.benefit as u64);
        }
        if !tokki.is_empty() {
            f.put(8, &tokki);
        }
        f.put(9, &two_digits(pr.pref as usize));
        f.num(10, pr.schedule as u64);
        f.put(11, &pr.code);
        f.put(
            12,
            if pr.schedule == 3 {
                &pools.dental_facility[pr.name]
            } else {
                &pools.facility[pr.name]
            },
        );
        for (k, &d) in [Some(d1), d2].iter().flatten().enumerate() {
            let (fa, gi, male) = pr.doctors[d];
            f.put(14 + k, &pools.family[fa].kanji);
            f.more(&pools.fw_space);
            f.more(if male {
                &pools.male[gi].kanji
            } else {
                &pools.female[gi].kanji
            });
        }
        f.num(35, ph.fac.karte);
        if defect == Some(Defect::F006) {
            f.more(b"\"");
        }
        if copay_class {
            f.put(40, if copay_1 { b"1" } else { b"3" });
        }
        if defect != Some(Defect::C003) {
            f.put(41, &fam.kana);
            f.more(&given.kana);
        }
        f.end(42);
        // ----- HO (14 values)
        let ho_line = o.lines;
        if has_ho {
            o.b.extend_from_slice(b"HO");
            push_ho_ids(
                &mut self.rng,
                &mut o,
                &p,
                ph.fac.pref,
                defect,
                &mut w.defect_at,
            );
            o.n(n_recv as u64);
            o.n(t_ho);
            o.empty(8);
            o.end();
            w.count += 1;
            w.points = t_ho;
        }
        // ----- KO (10 values)
        for k in 0..p.n_ko as usize {
            let Some((payer, recip)) = kohi_ids(
                &mut self.rng,
                ph.fac.pref,
                k,
                defect,
                o.lines,
                &mut w.defect_at,
            ) else {
                continue; // S006: the KO the receipt kind needs is left out
            };
            o.b.extend_from_slice(b"KO");
            o.f(&payer);
            o.f(&recip);
            o.f(b""); // 任意給付区分
            o.n(n_recv as u64);
            o.n(t_ko[k]);
            o.empty(4);
            o.end();
            w.count += 1;
            if k == 0 && !has_ho {
                w.points = t_ko[0];
            }
        }
        // ----- SN, JD (受付等区分 1 on the days of 受付), MF (as 医科)
        let mut d = [0u8; 31];
        for r in &self.precv {
            d[r.dispensed as usize - 1] = 1;
        }
        write_sn_jd_mf(&mut o, &mut self.rng, &p, has_ho, &d, defect, &mut w);
        // S016: the first KI before the prescriptions (reported at the first SH).
        let s016 = defect == Some(Defect::S016) && !s008;
        if s016 {
            let r = self.precv[0];
            push_ki(&mut o, &r, 1, ph, r.dispensed as u32);
        }
        // ----- SH, and after it its CZ, each followed by its IY / TO (and CO)
        let mut first_sh: Option<u64> = None;
        let mut s015 = defect == Some(Defect::S015);
        let mut di = 0;
        let n_rx = if s008 { 0 } else { self.prx.len() };
        for ri in 0..n_rx {
            let rx = self.prx[ri];
            let sh_no = two_digits(ri + 1);
            if !(ri == 0 && p001_drop_sh) {
                first_sh.get_or_insert(o.lines);
                let (mut form, mut usage) = (rx.form, rx.usage);
                if ri == 0 && defect == Some(Defect::V004) {
                    // 用法 049 or 剤形 8: neither is in its table.
                    if v004_usage {
                        usage = 49;
                    } else {
                        form = b'8';
                    }
                    w.defect_at = Some(o.lines);
                }
                let mut f = Fields::new(&mut o, b"SH");
                f.put(1, &sh_no);
                f.put(2, &[form]);
                f.put(3, format!("{usage:03}").as_bytes());
                if rx.instruction > 0 {
                    f.put(4, &pools.instruction[rx.instruction as usize - 1]);
                }
                f.num(5, rx.unit as u64);
                f.end(10);
            }
            while di < self.pdisp.len() && self.pdisp[di].rx as usize == ri {
                let d = self.pdisp[di];
                let r = self.precv[d.recv as usize - 1];
                let mut drugs = rx.drugs.0 as usize..rx.drugs.1 as usize;
                let mut issued = None;
                if di == 0 {
                    match defect {
                        Some(Defect::P001) if !p001_drop_sh => {
                            // The first drug before its CZ.
                            w.defect_at = Some(o.lines);
                            push_drug(&mut o, &self.pdrug[drugs.start], rx.burden);
                            drugs.start += 1;
                        }
                        Some(Defect::P001) => w.defect_at = Some(o.lines),
                        Some(Defect::P002) => {
                            issued = Some((r.dispensed as u32 + p002_issued).min(31));
                            w.defect_at = Some(o.lines);
                        }
                        Some(Defect::V005) if !v005_on_ki => {
                            issued = Some(32);
                            w.defect_at = Some(o.lines);
                        }
                        _ => {}
                    }
                }
                push_cz(&mut o, &d, &rx, sh_no, &r, issued);
                for k in drugs {
                    let mut burden = rx.burden;
                    if s015 {
                        // 医保 + 第一公費 on a receipt without KO.
                        burden = b'2';
                        s015 = false;
                        w.defect_at = Some(o.lines);
                    }
                    push_drug(&mut o, &self.pdrug[k], burden);
                }
                if d.comment > 0 {
                    o.b.extend_from_slice(b"CO,810000001,");
                    o.b.extend_from_slice(&pools.pharmacy_comment[d.comment as usize - 1]);
                    o.end();
                }
                di += 1;
            }
        }
        if s016 {
            w.defect_at = first_sh;
        }
        // ----- TK: now and then a remark; the 不詳 claim's address and contact
        if remark {
            o.b.extend_from_slice(b"TK,810000001,");
            let t: &Vec<u8> = self.rng.pick_ref(&pools.pharmacy_remark);
            o.b.extend_from_slice(t);
            o.end();
        }
        if p.ins == Ins::Fusho {
            if defect != Some(Defect::Q003) {
                o.b.extend_from_slice(b"TK,810000001,");
                push_address(&mut self.rng, o.b);
                o.end();
            }
            if defect != Some(Defect::Q004) {
                o.b.extend_from_slice(b"TK,810000001,");
                push_contact(&mut self.rng, o.b);
                o.end();
            }
            if matches!(defect, Some(Defect::Q003 | Defect::Q004)) {
                w.defect_at = Some(ho_line);
            }
        }
        // ----- KI: one per 処方箋受付
        if !s008 {
            for k in 0..n_recv {
                if s016 && k == 0 {
                    continue;
                }
                let r = self.precv[k];
                let mut day = r.dispensed as u32;
                if k == 0 && v005_on_ki {
                    day = 32;
                    w.defect_at = Some(o.lines);
                }
                push_ki(&mut o, &r, k + 1, ph, day);
            }
        }
        w.lines = o.lines;
        w
    }
}

/// Writes one 調剤 file: YK, the receipts, GO. Returns its size in bytes.
#[allow(clippy::too_many_arguments)]
fn write_pharmacy_file(
    g: &mut Gen,
    ph: &mut Pharmacy,
    path: &std::path::Path,
    rel: &str,
    receipts: u64,
    defect_rate: f64,
    injected: &mut Vec<Injected>,
) -> io::Result<u64> {
    let mut f = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut bytes = 0u64;
    let mut line = 1u64;
    // YK (9 values): 請求年月 and マルチボリューム before the phone.
    let fac = &ph.fac;
    let mut b = Vec::with_capacity(128);
    b.extend_from_slice(b"YK,");
    push_num(&mut b, fac.review as u64);
    b.push(b',');
    b.extend_from_slice(&two_digits(fac.pref as usize));
    b.extend_from_slice(b",4,");
    b.extend_from_slice(&fac.code);
    b.push(b',');
    b.extend_from_slice(&pools().pharmacy[fac.name]);
    b.push(b',');
    b.extend_from_slice(CLAIM_YM);
    b.extend_from_slice(b",00,");
    b.extend_from_slice(&fac.phone);
    b.extend_from_slice(b"\r\n");
    f.write_all(&b)?;
    bytes += b.len() as u64;
    line += 1;
    for _ in 0..receipts {
        let mut defect = None;
        if defect_rate > 0.0 && g.rng.chance(defect_rate) {
            defect = Some(g.rng.pick(PHARMACY_DEFECTS));
        }
        g.buf.clear();
        let w = g.pharmacy_receipt(ph, defect);
        if let (Some(d), Some(at)) = (defect, w.defect_at) {
            injected.push(Injected {
                file: rel.to_string(),
                line: line + at,
                code: d.code(),
            });
        } else {
            assert!(defect.is_none(), "defect {defect:?} was not placed");
        }
        ph.fac.count += w.count;
        ph.fac.points += w.points;
        line += w.lines;
        f.write_all(&g.buf)?;
        bytes += g.buf.len() as u64;
        g.note_size(FileKind::Pharmacy);
    }
    b.clear();
    b.extend_from_slice(b"GO,");
    push_num(&mut b, ph.fac.count);
    b.push(b',');
    push_num(&mut b, ph.fac.points);
    b.extend_from_slice(b",99\r\n\x1A");
    f.write_all(&b)?;
    bytes += b.len() as u64;
    f.flush()?;
    Ok(bytes)
}

// ---------------------------------------------------------------------------------------
// DPC hospital receipts: grammar/dpc/records.toml, shared/spec/dpc.md

/// DPC cases: 診断群分類番号, main 傷病名コード and its ICD-10, the last day of 入院期間 Ⅰ and Ⅱ,
/// the 入院期間Ⅰ points per day, and whether it is a surgical case (手術 and 麻酔 billed 出来高).
/// Shaped like the codes of the clean fixture (`testdata/rules/dpc_clean.txt`), not taken from
/// the master (recelint has none).
const DPC_CASES: [(&str, u32, &str, u32, u32, u32, bool); 10] = [
    ("040080xx99x0xx", 4819003, "J181", 5, 10, 2750, false),
    ("050130xx9900xx", 4280005, "I500", 8, 17, 2800, false),
    ("010060xx99x20x", 4339002, "I639", 7, 16, 3010, false),
    ("160800xx01xxxx", 8208004, "S7200", 10, 26, 2690, true),
    ("060340xx03x00x", 5743003, "K805", 3, 7, 3320, true),
    ("110310xx99xxxx", 5990010, "N390", 5, 11, 2480, false),
    ("040081xx99x0xx", 5070001, "J690", 9, 20, 2610, false),
    ("060035xx0100xx", 1539026, "C189", 8, 15, 2930, true),
    ("050050xx9920xx", 4139007, "I209", 2, 4, 3480, false),
    ("100070xx99x100", 2500015, "E119", 6, 14, 2380, false),
];
/// 入院時併存傷病名 (傷病名コード, ICD-10).
const DPC_COMORBID: [(u32, &str); 8] = [
    (4019004, "I10"),
    (2500013, "E119"),
    (2724006, "E785"),
    (5859005, "N189"),
    (4271006, "I489"),
    (2859004, "D649"),
    (2449001, "E039"),
    (4919002, "J449"),
];
const DPC_TESTS: [u32; 8] = [
    160000310, 160008010, 160019210, 160022510, 160153450, 160021010, 160021110, 160061810,
];
const DPC_INJ_DRUGS: [u32; 6] = [
    620004755, 620007319, 620008924, 620000468, 620007350, 620002536,
];
const DPC_ORAL_DRUGS: [u32; 8] = [
    610406079, 610443047, 620000033, 610453028, 620004129, 610412184, 620098801, 611120055,
];
const DPC_QTY: [&str; 6] = ["1", "1", "2", "3", "0.5", "500"];
/// SK 診療区分コード (別表27 style; one per SK, no 区分番号).
const DPC_CARE_CLASS: [&str; 5] = ["0003", "0002", "0010", "0021", "0115"];

/// Day number of a real date `YYYYMMDD` (days since 1970-01-01).
fn ordinal(ymd: u32) -> i64 {
    let (y, m, d) = (
        (ymd / 10000) as i64,
        (ymd / 100 % 100) as i64,
        (ymd % 100) as i64,
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// One DPC stay as billed this month (October).
#[derive(Clone, Copy)]
struct Stay {
    case: usize,
    /// 今回入院年月日.
    adm: u32,
    /// First and last October day of the DPC part.
    from: u8,
    to: u8,
    /// 今回退院年月日 (or the switch out of DPC) is `to`.
    discharged: bool,
    /// DPC転帰区分 when discharged.
    outcome: u8,
    /// October day of an overnight leave (外泊 `9`), or 0.
    leave: u8,
}

impl Stay {
    /// (入院期間区分, day count) of the days `lo..=hi` of month `ym` (YYYYMM) in hospital.
    fn periods(&self, ym: u32, lo: u8, hi: u8, leave: u8) -> [u32; 3] {
        let c = DPC_CASES[self.case];
        let mut n = [0u32; 3];
        let a = ordinal(self.adm);
        for d in lo..=hi {
            if d == leave {
                continue;
            }
            let k = ordinal(ym * 100 + d as u32) - a + 1;
            let p = if k <= c.3 as i64 {
                0
            } else if k <= c.4 as i64 {
                1
            } else {
                2
            };
            n[p] += 1;
        }
        n
    }
}

/// The DPC-specific part of one block (BU … CD) and what it adds up to.
struct DpcPart {
    b: Vec<u8>,
    lines: u64,
    /// HO 合計点数 of the block: GT 今月包括合計点数 + the 出来高 SI.
    points: u64,
    /// 診療実日数: the HH days of October.
    days: u64,
    defect_at: Option<u64>,
}

impl Gen {
    /// A DPC stay for a patient born `birth`. A 総括 group's stay (`group`) starts in October
    /// and switches out of DPC (BU 退院 + 転帰 9) before the month ends.
    fn dpc_stay(&mut self, birth: u32, group: bool) -> Stay {
        let r = &mut self.rng;
        let case = r.weighted(&[18, 16, 12, 8, 8, 10, 10, 8, 5, 5]);
        if group {
            let a = r.range(1, 18) as u8;
            let to = a + r.range(3, 9) as u8;
            return Stay {
                case,
                adm: (20261000 + a as u32).max(birth),
                from: a,
                to,
                discharged: true,
                outcome: 9,
                leave: 0,
            };
        }
        let (adm, from) = if r.chance(0.6) {
            let a = r.range(1, 30) as u8;
            (20261000 + a as u32, a)
        } else {
            let m = if r.chance(0.7) { 9 } else { 8 };
            let d = r.range(1, days_in_month(2026, m) as u64) as u32;
            (20260000 + m * 100 + d, 1)
        };
        let (adm, from) = if adm < birth {
            (
                birth,
                if birth > 20261000 {
                    (birth % 100) as u8
                } else {
                    1
                },
            )
        } else {
            (adm, from)
        };
        let discharged = r.chance(if from > 1 { 0.55 } else { 0.5 });
        let to = if !discharged {
            MONTH_DAYS
        } else if from > 1 {
            (from + r.range(1, 14) as u8).min(MONTH_DAYS)
        } else {
            r.range(1, MONTH_DAYS as u64) as u8
        };
        let outcome = [1u8, 2, 3, 4, 5, 6, 9][r.weighted(&[10, 60, 5, 8, 4, 5, 8])];
        let leave = if to >= from + 4 && r.chance(0.06) {
            r.range(from as u64 + 1, to as u64 - 1) as u8
        } else {
            0
        };
        Stay {
            case,
            adm,
            from,
            to,
            discharged,
            outcome,
            leave,
        }
    }

    /// BU SB KK [SK] (GA HH… GT)… [SI…] [CO 不詳] CD… of a DPC block. `burden` is the HH / GT /
    /// SI 負担区分, `coef` the 医療機関別係数 in 1/10000, `fusho` asks for the 不詳 claim's CO.
    fn dpc_part(
        &mut self,
        st: &Stay,
        age: u64,
        burden: u8,
        coef: u32,
        fusho: bool,
        defect: Option<Defect>,
    ) -> DpcPart {
        let pools = pools();
        let c = DPC_CASES[st.case];
        let mut b = Vec::with_capacity(8 * 1024);
        let mut o = Out {
            b: &mut b,
            lines: 0,
        };
        let mut defect_at = None;
        let date = |d: u8| 20261000 + d as u64;
        // ----- BU
        o.b.extend_from_slice(b"BU");
        o.f(c.0.as_bytes());
        o.n(st.adm as u64);
        if st.discharged {
            o.n(date(st.to));
            o.n(st.outcome as u64);
        } else {
            o.empty(2);
        }
        o.f(b"");
        o.end();
        // ----- SB: the main 傷病名 in its roles, then comorbidities.
        let mut roles: Vec<(&[u8], u32, &str)> =
            vec![(b"01", c.1, c.2), (b"11", c.1, c.2), (b"21", c.1, c.2)];
        let n_co = self.rng.weighted(&[30, 35, 20, 10, 5]);
        let mut used = [0u32; 4];
        for k in 0..n_co {
            let (code, icd) = self.rng.pick(&DPC_COMORBID);
            if used.contains(&code) || code == c.1 {
                continue;
            }
            used[k] = code;
            let role: &[u8] = [&b"41"[..], b"42", b"43", b"44"][k];
            roles.push((role, code, icd));
        }
        if self.rng.chance(0.08) {
            let (code, icd) = self.rng.pick(&DPC_COMORBID);
            if !used.contains(&code) && code != c.1 {
                roles.push((b"51", code, icd));
            }
        }
        for (role, code, icd) in roles {
            o.b.extend_from_slice(b"SB");
            o.b.push(b',');
            o.b.extend_from_slice(format!("{code:07}").as_bytes());
            o.empty(2);
            o.f(icd.as_bytes());
            o.f(role);
            o.empty(2);
            o.end();
        }
        // ----- KK
        o.b.extend_from_slice(b"KK,,");
        o.n(1 + self.rng.weighted(&[45, 35, 20]) as u64);
        o.empty(2);
        o.n(age);
        if age == 0 {
            o.n(self.rng.range(1800, 3800));
        } else {
            o.f(b"");
        }
        if st.case == 2 {
            o.n(self.rng.pick(&[0u64, 1, 2, 3, 10]));
        } else {
            o.f(b"");
        }
        o.empty(5);
        o.end();
        // ----- SK
        if self.rng.chance(0.3) {
            let d = self.rng.range(st.from as u64, st.to as u64) as u8;
            o.b.extend_from_slice(b"SK,,");
            o.n(date(d));
            o.f(b"");
            o.f(self.rng.pick(&DPC_CARE_CLASS).as_bytes());
            o.f(b"");
            o.end();
        }
        let coef_s = format!("{}.{:04}", coef / 10000, coef % 10000);
        let p1 = c.5 as u64;
        let pts = [p1, (p1 * 3 + 2) / 4, (p1 * 3 + 2) / 4 * 85 / 100];
        let mut month_total = 0u64;
        let mut days_total = 0u64;
        // ----- (GA HH… GT): September (請求調整区分 1, already billed) for some stays begun
        // then, and October (2).
        let sept = st.adm >= 20260901 && st.adm < 20261001 && self.rng.chance(0.3);
        for (ym, kubun) in [(202609u32, 1u8), (202610, 2)] {
            if ym == 202609 && !sept {
                continue;
            }
            let ndays = days_in_month(ym / 100, ym % 100) as u8;
            let (lo, hi, leave) = if ym == 202609 {
                ((st.adm % 100) as u8, ndays, 0)
            } else {
                (st.from, st.to, st.leave)
            };
            let per = st.periods(ym, lo, hi, leave);
            // GA
            if ym == 202610 && defect == Some(Defect::G003) {
                defect_at = Some(o.lines);
            }
            o.b.extend_from_slice(b"GA");
            o.n(ym as u64);
            o.n(kubun as u64);
            o.b.push(b',');
            let len = if ym == 202610 && defect == Some(Defect::G003) {
                ndays - 1
            } else {
                ndays
            };
            for d in 1..=len {
                o.b.push(if d == leave { b'9' } else { b'0' });
            }
            o.f(b"");
            o.f(coef_s.as_bytes());
            o.f(b"");
            o.end();
            // HH
            let own = kubun == 2;
            let mut sum = 0u64;
            let n_hh = per.iter().filter(|&&n| n > 0).count();
            let g001 = if ym == 202610 && defect == Some(Defect::G001) {
                Some(self.rng.below(n_hh.max(1) as u64) as usize)
            } else {
                None
            };
            let mut k = 0;
            for (i, &n) in per.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                let mut total = pts[i] * n as u64;
                if g001 == Some(k) {
                    defect_at = Some(o.lines);
                    total += self.rng.range(1, 90) * 10;
                }
                k += 1;
                sum += total;
                o.b.extend_from_slice(b"HH");
                o.n(ym as u64);
                o.n(kubun as u64);
                if own {
                    o.f(b"1");
                    o.b.push(b',');
                    o.b.push(burden);
                } else {
                    o.empty(2);
                }
                o.n(i as u64 + 1);
                o.n(pts[i]);
                o.n(n as u64);
                o.n(total);
                o.end();
                if own {
                    days_total += n as u64;
                }
            }
            // GT
            let mut recorded = sum;
            if ym == 202610 && defect == Some(Defect::G002) {
                defect_at = Some(o.lines);
                recorded += self.rng.range(1, 99);
            }
            let evaluated = (sum * coef as u64 + 5000) / 10000;
            o.b.extend_from_slice(b"GT");
            o.n(ym as u64);
            o.n(kubun as u64);
            if own {
                o.f(b"1");
                o.b.push(b',');
                o.b.push(burden);
            } else {
                o.empty(2);
            }
            o.n(recorded);
            o.n(evaluated);
            o.f(b"");
            if own {
                o.n(evaluated);
                o.f(b"93");
                month_total = evaluated;
            } else {
                o.empty(2);
            }
            o.empty(2);
            o.end();
        }
        // ----- 出来高 SI: 指導管理, and now and then リハビリ; 手術 and 麻酔 for surgical cases.
        let mut si: Vec<(u8, u32, u64, [u8; 31])> = Vec::new();
        let in_stay = |d: u8| d >= st.from && d <= st.to && d != st.leave;
        let mut day = [0u8; 31];
        let d = self.rng.range(st.from as u64, st.to as u64) as u8;
        day[d as usize - 1] = 1;
        if st.to >= st.from + 7 && self.rng.chance(0.5) {
            let d2 = (d + 7).min(st.to);
            if in_stay(d2) {
                day[d2 as usize - 1] = 1;
            }
        }
        si.push((13, 120001610, 325, day));
        if c.6 && st.to > st.from {
            let mut day = [0u8; 31];
            let d = st.from + 1;
            if d != st.leave {
                day[d as usize - 1] = 1;
                si.push((
                    50,
                    150000000 + self.rng.range(10, 9999) as u32 * 10,
                    10 * self.rng.range(1800, 4800),
                    day,
                ));
                si.push((54, 150243110, 10 * self.rng.range(300, 900), day));
            }
        }
        if self.rng.chance(0.35) {
            let mut day = [0u8; 31];
            for d in st.from..=st.to {
                if in_stay(d) && d > st.from && self.rng.chance(0.8) {
                    day[d as usize - 1] = self.rng.range(1, 3) as u8;
                }
            }
            if day.iter().any(|&x| x > 0) {
                si.push((80, 180027410, 245, day));
            }
        }
        let mut si_points = 0u64;
        for (care, code, p, day) in &si {
            let times: u64 = day.iter().map(|&x| x as u64).sum();
            si_points += p * times;
            o.b.extend_from_slice(b"SI");
            o.n(*care as u64);
            o.b.push(b',');
            o.b.push(burden);
            o.n(*code as u64);
            o.f(b"");
            o.n(*p);
            o.n(times);
            o.empty(6);
            o.days(day);
            o.end();
        }
        // ----- the 不詳 claim's address and phone (Q003 / Q004 when one is dropped).
        if fusho {
            if defect != Some(Defect::Q003) {
                o.b.extend_from_slice(b"CO,99,1,810000001,");
                push_address(&mut self.rng, o.b);
                o.end();
            }
            if defect != Some(Defect::Q004) {
                o.b.extend_from_slice(b"CO,99,1,810000001,");
                push_contact(&mut self.rng, o.b);
                o.end();
            }
        } else if self.rng.chance(0.15) {
            let t = self.rng.pick_ref(&pools.comment);
            o.b.extend_from_slice(b"CO,99,");
            o.b.push(burden);
            o.b.extend_from_slice(b",810000001,");
            o.b.extend_from_slice(t);
            o.end();
        }
        // ----- CD: the coding data, day by day (実施年月日 order), 順序番号 ascending per
        // 診療識別, 行為明細番号 ascending within an act.
        let mut seq = [0u32; 100];
        let mut v005 = defect == Some(Defect::V005);
        let inj_days = (st.to - st.from) / 2 + 1;
        for d in st.from..=st.to {
            if d == st.leave {
                continue;
            }
            let mut acts: Vec<CdAct> = Vec::new();
            for (care, code, _, day) in &si {
                if day[d as usize - 1] > 0 {
                    acts.push((*care, vec![(*code, "", day[d as usize - 1] as u64)]));
                }
            }
            if d == st.from || (d - st.from) % 3 == 0 {
                let n = self.rng.range(2, 6) as usize;
                let start = self.rng.below(DPC_TESTS.len() as u64) as usize;
                let lines = (0..n)
                    .map(|k| (DPC_TESTS[(start + k) % DPC_TESTS.len()], "", 1))
                    .collect();
                acts.push((60, lines));
            }
            if d == st.from && self.rng.chance(0.5) {
                acts.push((70, vec![(170000410, "", 1)]));
            }
            if d - st.from < inj_days {
                let mut lines = vec![(130003510, "", 1)];
                for _ in 0..self.rng.range(1, 3) {
                    lines.push((self.rng.pick(&DPC_INJ_DRUGS), self.rng.pick(&DPC_QTY), 1));
                }
                acts.push((33, lines));
            }
            if self.rng.chance(0.7) {
                let lines = (0..self.rng.range(1, 3))
                    .map(|_| (self.rng.pick(&DPC_ORAL_DRUGS), self.rng.pick(&DPC_QTY), 1))
                    .collect();
                acts.push((21, lines));
            }
            if self.rng.chance(0.15) {
                acts.push((40, vec![(140000610, "", 1)]));
            }
            acts.sort_by_key(|a| a.0);
            for (care, lines) in acts {
                seq[care as usize] += 1;
                for (k, (code, qty, times)) in lines.into_iter().enumerate() {
                    o.b.extend_from_slice(b"CD");
                    if v005 {
                        v005 = false;
                        defect_at = Some(o.lines);
                        o.n(20261032);
                    } else {
                        o.n(date(d));
                    }
                    o.b.push(b',');
                    o.b.extend_from_slice(&two_digits(care as usize));
                    o.n(seq[care as usize] as u64);
                    o.n(k as u64 + 1);
                    o.n(code as u64);
                    o.f(qty.as_bytes());
                    o.empty(2);
                    o.n(times);
                    o.f(b"");
                    o.end();
                }
            }
        }
        let lines = o.lines;
        DpcPart {
            b,
            lines,
            points: month_total + si_points,
            days: days_total,
            defect_at,
        }
    }

    /// An RE of a DPC file (40 values): 総括区分 `sokatsu`, 明細情報数 `details` (0 = empty),
    /// 入院年月日 `adm` (0 = empty: a DPC block has it in BU).
    #[allow(clippy::too_many_arguments)]
    fn dpc_re(
        rng: &mut Rng,
        o: &mut Out,
        p: &Plan,
        no: u64,
        karte: u64,
        name: &[u8],
        kana: &[u8],
        sokatsu: u8,
        details: u8,
        adm: u32,
        defect: Option<Defect>,
    ) {
        o.b.extend_from_slice(b"RE");
        o.n(no);
        o.f(&p.kind);
        o.f(CARE_YM);
        o.f(name);
        o.n(if defect == Some(Defect::V004) {
            3
        } else {
            p.sex as u64
        });
        o.n(p.birth as u64);
        o.n0(p.benefit as u64);
        o.n0(adm as u64);
        o.empty(2); // 病棟区分, 一部負担金区分
        if sokatsu == 0 && rng.chance(0.08) {
            o.f(rng.pick(&TOKKI));
        } else {
            o.f(b"");
        }
        o.f(b""); // 病床数
        o.n(karte);
        o.empty(4);
        o.n(sokatsu as u64);
        if details > 0 {
            o.n(details as u64);
        } else {
            o.f(b"");
        }
        o.empty(18);
        o.f(kana);
        o.f(b"");
        o.end();
    }

    /// Writes one DPC claim into `self.buf`: a plain DPC receipt (総括区分 0), or, when
    /// `group`, a 総括 group: the summary RE (1, 明細情報数 2) with HO / KO holding the sums,
    /// a 総括対象DPC block (2) and a 総括対象医科入院 block (3), all with one レセプト番号.
    /// `w.count` / `w.points` are GO's: HO + KO records and the HO (or first KO) 合計点数 of
    /// every RE block.
    fn dpc_receipt(
        &mut self,
        fac: &mut Facility,
        coef: u32,
        group: bool,
        defect: Option<Defect>,
    ) -> Written {
        let p = self.plan_for(defect, FileKind::Dpc);
        let has_ho = p.ins != Ins::Kohi;
        let fusho = p.ins == Ins::Fusho;
        let burden = full_burden(has_ho, p.n_ko);
        // The payers, written once (a 総括 group repeats them on every block).
        let mut w = Written {
            lines: 0,
            defect_at: None,
            count: 0,
            points: 0,
        };
        let mut ho_ids = Vec::new();
        if has_ho {
            let mut t = Out {
                b: &mut ho_ids,
                lines: 0,
            };
            let mut at = None;
            push_ho_ids(&mut self.rng, &mut t, &p, fac.pref, defect, &mut at);
            if at.is_some() {
                w.defect_at = Some(1);
            }
        }
        let ko_ids: Vec<(Vec<u8>, Vec<u8>)> = (0..p.n_ko as usize)
            .map(|k| {
                (
                    kohi_payer(&mut self.rng, fac.pref, k == 0),
                    with_check(&mut self.rng, b"", 6),
                )
            })
            .collect();
        // 氏名 / カタカナ氏名.
        let (name, fam, given) = patient_name(&mut self.rng, p.sex, p.black_circle);
        let mut kana = fam.kana.clone();
        kana.extend_from_slice(&given.kana);
        // レセプト番号 and カルテ番号.
        let mut no = fac.next_no + fac.no_shift;
        if defect == Some(Defect::S005) {
            fac.no_shift += 1;
            no += 1;
        }
        fac.next_no += 1;
        fac.karte += 1;
        if matches!(defect, Some(Defect::S005 | Defect::V004)) {
            w.defect_at = Some(0);
        }
        if matches!(defect, Some(Defect::Q003 | Defect::Q004)) {
            w.defect_at = Some(1);
        }
        let age = {
            let b = p.birth;
            let mut a = 2026 - (b / 10000) as u64;
            if b % 10000 > 1001 {
                a = a.saturating_sub(1);
            }
            a
        };
        let st = self.dpc_stay(p.birth, group);
        let part = self.dpc_part(&st, age, burden, coef, fusho && !group, defect);
        if let Some(at) = part.defect_at {
            w.defect_at = Some(at + 1 + has_ho as u64 + p.n_ko as u64);
        }
        // The 総括対象医科入院 block of a group: the days after the switch out of DPC.
        let med_to = if group {
            (st.to + self.rng.range(1, 8) as u8).min(MONTH_DAYS)
        } else {
            0
        };
        let med_days = med_to.saturating_sub(st.to) as u64;
        let med_points = 1500 * med_days;
        let mut o = Out {
            b: &mut self.buf,
            lines: 0,
        };
        let payers = |o: &mut Out, w: &mut Written, days: u64, points: u64| {
            if has_ho {
                o.b.extend_from_slice(b"HO");
                o.b.extend_from_slice(&ho_ids);
                o.n(days);
                o.n(points);
                o.f(b"");
                o.n(3 * days);
                o.n(3 * days * 670);
                o.empty(6);
                o.n(3 * days * 490);
                o.end();
                w.count += 1;
            }
            for (payer, recip) in &ko_ids {
                o.b.extend_from_slice(b"KO");
                o.f(payer);
                o.f(recip);
                o.f(b"");
                o.n(days);
                o.n(points);
                o.empty(7);
                o.end();
                w.count += 1;
            }
            w.points += points;
        };
        let karte = fac.karte;
        if group {
            let (days, points) = (part.days + med_days, part.points + med_points);
            Self::dpc_re(
                &mut self.rng,
                &mut o,
                &p,
                no,
                karte,
                &name,
                &kana,
                1,
                2,
                0,
                None,
            );
            payers(&mut o, &mut w, days, points);
            if fusho {
                o.b.extend_from_slice(b"CO,99,1,810000001,");
                push_address(&mut self.rng, o.b);
                o.end();
                o.b.extend_from_slice(b"CO,99,1,810000001,");
                push_contact(&mut self.rng, o.b);
                o.end();
            }
        }
        Self::dpc_re(
            &mut self.rng,
            &mut o,
            &p,
            no,
            karte,
            &name,
            &kana,
            if group { 2 } else { 0 },
            0,
            0,
            defect,
        );
        payers(&mut o, &mut w, part.days, part.points);
        let base = o.lines;
        o.b.extend_from_slice(&part.b);
        o.lines += part.lines;
        if let (false, Some(at)) = (group, part.defect_at) {
            w.defect_at = Some(base + at);
        }
        if group {
            let c = DPC_CASES[st.case];
            Self::dpc_re(
                &mut self.rng,
                &mut o,
                &p,
                no,
                karte,
                &name,
                &kana,
                3,
                0,
                st.adm,
                None,
            );
            payers(&mut o, &mut w, med_days, med_points);
            o.b.extend_from_slice(b"GR,10");
            o.f(c.0.as_bytes());
            o.end();
            o.b.extend_from_slice(b"SY");
            o.b.push(b',');
            o.b.extend_from_slice(format!("{:07}", c.1).as_bytes());
            o.n(st.adm as u64);
            o.f(b"1");
            o.empty(2);
            o.f(b"01");
            o.f(b"");
            o.end();
            let mut day = [0u8; 31];
            for d in st.to + 1..=med_to {
                day[d as usize - 1] = 1;
            }
            o.b.extend_from_slice(b"SI,90,");
            o.b.push(burden);
            o.b.extend_from_slice(b",190077410,,1500");
            o.n(med_days);
            o.empty(6);
            o.days(&day);
            o.end();
        }
        w.lines = o.lines;
        w
    }
}

/// Writes one DPC file: IR (点数表 1), the receipts, GO. Returns its size in bytes and the
/// number of 総括 groups. About 5 % of the claims are 総括 groups (never one with a defect).
fn write_dpc_file(
    g: &mut Gen,
    fac: &mut Facility,
    path: &std::path::Path,
    rel: &str,
    receipts: u64,
    defect_rate: f64,
    injected: &mut Vec<Injected>,
) -> io::Result<(u64, u64)> {
    let mut f = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut bytes = 0u64;
    let mut line = 1u64;
    let coef = 12000 + g.rng.below(5000) as u32;
    let mut b = Vec::with_capacity(128);
    b.extend_from_slice(b"IR,");
    push_num(&mut b, fac.review as u64);
    b.push(b',');
    b.extend_from_slice(&two_digits(fac.pref as usize));
    b.extend_from_slice(b",1,");
    b.extend_from_slice(&fac.code);
    b.extend_from_slice(b",,");
    b.extend_from_slice(&pools().facility[fac.name]);
    b.push(b',');
    b.extend_from_slice(CLAIM_YM);
    b.extend_from_slice(b",00,");
    b.extend_from_slice(&fac.phone);
    b.extend_from_slice(b"\r\n");
    f.write_all(&b)?;
    bytes += b.len() as u64;
    line += 1;
    let mut groups = 0;
    for _ in 0..receipts {
        let mut defect = None;
        if defect_rate > 0.0 && g.rng.chance(defect_rate) {
            defect = Some(g.rng.pick(DPC_DEFECTS));
        }
        let group = defect.is_none() && g.rng.chance(0.05);
        groups += group as u64;
        g.buf.clear();
        let w = g.dpc_receipt(fac, coef, group, defect);
        if let (Some(d), Some(at)) = (defect, w.defect_at) {
            injected.push(Injected {
                file: rel.to_string(),
                line: line + at,
                code: d.code(),
            });
        } else {
            assert!(defect.is_none(), "defect {defect:?} was not placed");
        }
        fac.count += w.count;
        fac.points += w.points;
        line += w.lines;
        f.write_all(&g.buf)?;
        bytes += g.buf.len() as u64;
        g.note_size(FileKind::Dpc);
    }
    b.clear();
    b.extend_from_slice(b"GO,");
    push_num(&mut b, fac.count);
    b.push(b',');
    push_num(&mut b, fac.points);
    b.extend_from_slice(b",99\r\n\x1A");
    f.write_all(&b)?;
    bytes += b.len() as u64;
    f.flush()?;
    Ok((bytes, groups))
}

// ---------------------------------------------------------------------------------------
// Files

/// Writes the month described by `opts`; see the module documentation.
pub fn generate(opts: &Opts) -> io::Result<Summary> {
    validate(opts).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let _ = pools();
    let mut g = Gen {
        rng: Rng::new(opts.seed),
        items: Vec::with_capacity(256),
        buf: Vec::with_capacity(64 * 1024),
        visit: Vec::with_capacity(31),
        ditems: Vec::with_capacity(64),
        episodes: Vec::with_capacity(8),
        prx: Vec::with_capacity(16),
        pdisp: Vec::with_capacity(32),
        pdrug: Vec::with_capacity(48),
        precv: Vec::with_capacity(4),
        realistic: false,
        medical_inpatient: 0.12,
        sizes: None,
    };
    fs::create_dir_all(&opts.out)?;
    if opts.realistic {
        return generate_realistic(opts, g);
    }
    // Receipts and kind per file slot, then slots grouped into facilities of one or two
    // volumes (歯科 and 調剤: one).
    let files = opts.files;
    let (kinds, per): (Vec<FileKind>, Vec<u64>) = match opts.kind {
        MonthKind::Medical | MonthKind::Dental | MonthKind::Pharmacy | MonthKind::Dpc => {
            let k = match opts.kind {
                MonthKind::Dental => FileKind::Dental,
                MonthKind::Pharmacy => FileKind::Pharmacy,
                MonthKind::Dpc => FileKind::Dpc,
                _ => FileKind::Medical,
            };
            (
                vec![k; files],
                (0..files).map(|i| share(opts.receipts, files, i)).collect(),
            )
        }
        MonthKind::Mixed => {
            let m = mixed_split(opts);
            let (nd, np, nq) = (m.dental.0, m.pharmacy.0, m.dpc.0);
            let mut kinds: Vec<FileKind> = (0..files)
                .map(|i| {
                    if i < nd {
                        FileKind::Dental
                    } else if i < nd + np {
                        FileKind::Pharmacy
                    } else if i < nd + np + nq {
                        FileKind::Dpc
                    } else {
                        FileKind::Medical
                    }
                })
                .collect();
            for i in (1..files).rev() {
                let j = g.rng.below(i as u64 + 1) as usize;
                kinds.swap(i, j);
            }
            let mut seen = [0usize; 4];
            let per = kinds
                .iter()
                .map(|&k| {
                    let (n, r) = match k {
                        FileKind::Dental => m.dental,
                        FileKind::Pharmacy => m.pharmacy,
                        FileKind::Medical => m.medical,
                        FileKind::Dpc => m.dpc,
                    };
                    seen[k as usize] += 1;
                    share(r, n, seen[k as usize] - 1)
                })
                .collect();
            (kinds, per)
        }
    };
    let mut summary = Summary::default();
    let mut slot = 0usize;
    let mut fac_index = 0usize;
    let mut any_multi = false;
    let mut injected = Vec::new();
    while slot < files {
        let remaining = files - slot;
        if kinds[slot] != FileKind::Medical {
            fac_index += 1;
            write_facility(
                &mut g,
                opts,
                kinds[slot],
                &per[slot..slot + 1],
                fac_index,
                &mut summary,
                &mut injected,
            )?;
            slot += 1;
            continue;
        }
        let multi = if opts.kind == MonthKind::Medical {
            remaining >= 2 && (g.rng.chance(0.15) || (files >= 3 && remaining == 2 && !any_multi))
        } else {
            remaining >= 2 && kinds[slot + 1] == FileKind::Medical && g.rng.chance(0.15)
        };
        any_multi |= multi;
        fac_index += 1;
        let volumes = if multi { 2 } else { 1 };
        write_facility(
            &mut g,
            opts,
            FileKind::Medical,
            &per[slot..slot + volumes],
            fac_index,
            &mut summary,
            &mut injected,
        )?;
        slot += volumes;
    }
    write_injected(opts, &mut summary, injected)?;
    Ok(summary)
}

/// Writes the month of `--realistic` ([`realistic_plan`]): each facility with its own
/// inpatient share (a hospital's or a clinic's), the receipt sizes kept for the summary.
fn generate_realistic(opts: &Opts, mut g: Gen) -> io::Result<Summary> {
    g.realistic = true;
    g.sizes = Some(Box::default());
    let mut summary = Summary::default();
    let mut injected = Vec::new();
    for (i, fac) in realistic_plan(opts).iter().enumerate() {
        g.medical_inpatient = if fac.receipts() >= HOSPITAL_MIN {
            HOSPITAL_INPATIENT
        } else {
            CLINIC_INPATIENT
        };
        write_facility(
            &mut g,
            opts,
            fac.kind,
            &fac.volumes,
            i + 1,
            &mut summary,
            &mut injected,
        )?;
    }
    summary.receipt_bytes = *g.sizes.take().unwrap();
    write_injected(opts, &mut summary, injected)?;
    Ok(summary)
}

fn write_injected(opts: &Opts, summary: &mut Summary, injected: Vec<Injected>) -> io::Result<()> {
    let mut tsv = BufWriter::new(File::create(opts.out.join("injected.tsv"))?);
    for i in &injected {
        writeln!(tsv, "{}\t{}\t{}", i.file, i.line, i.code)?;
    }
    tsv.flush()?;
    summary.injected = injected;
    Ok(())
}

/// Writes facility number `fac_index` of `kind`: one file, or (医科) one per entry of
/// `volumes` (the receipts of each), and adds it to `summary`.
fn write_facility(
    g: &mut Gen,
    opts: &Opts,
    kind: FileKind,
    volumes: &[u64],
    fac_index: usize,
    summary: &mut Summary,
    injected: &mut Vec<Injected>,
) -> io::Result<()> {
    let file = |dir: &[u8], name: &str| -> io::Result<(String, PathBuf)> {
        let rel = format!("{}/{name}", std::str::from_utf8(dir).unwrap());
        let path = opts.out.join(&rel);
        fs::create_dir_all(path.parent().unwrap())?;
        Ok((rel, path))
    };
    let n = volumes[0];
    let rate = opts.defect_rate;
    match kind {
        FileKind::Pharmacy => {
            let mut ph = new_pharmacy(g, fac_index);
            let (rel, path) = file(&ph.fac.code, "RECEIPTY.CYO")?;
            summary.bytes += write_pharmacy_file(g, &mut ph, &path, &rel, n, rate, injected)?;
            summary.pharmacy_receipts += n;
            summary.files.push(rel);
            summary.kinds.push("pharmacy");
        }
        FileKind::Dpc => {
            let mut fac = new_facility(g, fac_index, false);
            let (rel, path) = file(&fac.code, "RECEIPTD.UKE")?;
            let (bytes, groups) = write_dpc_file(g, &mut fac, &path, &rel, n, rate, injected)?;
            summary.bytes += bytes;
            summary.dpc_receipts += n;
            summary.dpc_groups += groups;
            summary.files.push(rel);
            summary.kinds.push("dpc");
        }
        FileKind::Dental => {
            let mut fac = new_facility(g, fac_index, true);
            let (rel, path) = file(&fac.code, "RECEIPTS.UKE")?;
            summary.bytes += write_dental_file(g, &mut fac, &path, &rel, n, rate, injected)?;
            summary.dental_receipts += n;
            summary.files.push(rel);
            summary.kinds.push("dental");
        }
        FileKind::Medical => {
            let multi = volumes.len() > 1;
            let mut fac = new_facility(g, fac_index, false);
            if multi {
                summary.multi_volume += 1;
            }
            for (v, &n) in volumes.iter().enumerate() {
                let name = if multi {
                    format!("VOL{:02}/RECEIPTC.UKE", v + 1)
                } else {
                    "RECEIPTC.UKE".to_string()
                };
                let (rel, path) = file(&fac.code, &name)?;
                let last = v + 1 == volumes.len();
                summary.bytes +=
                    write_file(g, &mut fac, &path, &rel, v as u8, last, n, rate, injected)?;
                summary.files.push(rel);
                summary.kinds.push("medical");
                summary.file_receipts.push(n);
            }
        }
    }
    if kind != FileKind::Medical {
        summary.file_receipts.push(n);
    }
    let total: u64 = volumes.iter().sum();
    summary.receipts += total;
    summary.facility_receipts.push(total);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn write_file(
    g: &mut Gen,
    fac: &mut Facility,
    path: &std::path::Path,
    rel: &str,
    volume: u8,
    last: bool,
    receipts: u64,
    defect_rate: f64,
    injected: &mut Vec<Injected>,
) -> io::Result<u64> {
    let mut f = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut bytes = 0u64;
    let mut line = 1u64;
    // IR
    let mut b = Vec::with_capacity(128);
    b.extend_from_slice(b"IR,");
    push_num(&mut b, fac.review as u64);
    b.push(b',');
    b.extend_from_slice(&[b'0' + fac.pref / 10, b'0' + fac.pref % 10]);
    b.extend_from_slice(b",1,");
    b.extend_from_slice(&fac.code);
    b.extend_from_slice(b",,");
    b.extend_from_slice(&pools().facility[fac.name]);
    b.push(b',');
    b.extend_from_slice(CLAIM_YM);
    b.push(b',');
    b.extend_from_slice(&[b'0' + volume / 10, b'0' + volume % 10]);
    b.push(b',');
    b.extend_from_slice(&fac.phone);
    b.extend_from_slice(b"\r\n");
    f.write_all(&b)?;
    bytes += b.len() as u64;
    line += 1;
    for r in 0..receipts {
        let mut defect = None;
        if defect_rate > 0.0 && g.rng.chance(defect_rate) {
            let mut d = g.rng.pick(DEFECTS);
            // A later volume may start its numbering anywhere: no gap on its first receipt.
            if d == Defect::S005 && volume > 0 && r == 0 {
                d = Defect::S014;
            }
            defect = Some(d);
        }
        g.buf.clear();
        let w = g.receipt(fac, defect);
        if let (Some(d), Some(at)) = (defect, w.defect_at) {
            injected.push(Injected {
                file: rel.to_string(),
                line: line + at,
                code: d.code(),
            });
        } else {
            assert!(defect.is_none(), "defect {defect:?} was not placed");
        }
        fac.count += w.count;
        fac.points += w.points;
        line += w.lines;
        f.write_all(&g.buf)?;
        bytes += g.buf.len() as u64;
        g.note_size(FileKind::Medical);
    }
    // GO: the totals on the last (or only) volume; 01 … on the others.
    b.clear();
    b.extend_from_slice(b"GO,");
    if last {
        push_num(&mut b, fac.count);
        b.push(b',');
        push_num(&mut b, fac.points);
        b.extend_from_slice(b",99");
    } else {
        b.extend_from_slice(b",,");
        let v = volume + 1;
        b.extend_from_slice(&[b'0' + v / 10, b'0' + v % 10]);
    }
    b.extend_from_slice(b"\r\n\x1A");
    f.write_all(&b)?;
    bytes += b.len() as u64;
    f.flush()?;
    Ok(bytes)
}

/// The `p`-th percentile (nearest rank) of sorted `xs`.
fn percentile<T: Copy>(xs: &[T], p: f64) -> T {
    let i = ((p / 100.0 * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
    xs[i - 1]
}

/// `--realistic`: receipts per facility (all, and by kind) and bytes per receipt by class.
fn print_distributions(s: &Summary) {
    let sizes = |k: Option<&str>| -> Vec<u64> {
        // A facility's kind is its first file's.
        let mut kinds = Vec::new();
        let mut prev = "";
        for (f, &kind) in s.files.iter().zip(&s.kinds) {
            let dir = f.split('/').next().unwrap();
            if dir != prev {
                kinds.push(kind);
                prev = dir;
            }
        }
        let mut v: Vec<u64> = s
            .facility_receipts
            .iter()
            .zip(&kinds)
            .filter(|(_, &kind)| k.is_none_or(|k| k == kind))
            .map(|(&n, _)| n)
            .collect();
        v.sort_unstable();
        v
    };
    for (label, k) in [
        ("all", None),
        ("医科", Some("medical")),
        ("歯科", Some("dental")),
        ("調剤", Some("pharmacy")),
        ("DPC", Some("dpc")),
    ] {
        let v = sizes(k);
        if v.is_empty() {
            continue;
        }
        eprintln!(
            "receipts per facility, {label}: {} facilit{}, min {} / median {} / mean {:.0} / max {}",
            v.len(),
            if v.len() == 1 { "y" } else { "ies" },
            v[0],
            percentile(&v, 50.0),
            v.iter().sum::<u64>() as f64 / v.len() as f64,
            v[v.len() - 1]
        );
    }
    for (label, xs) in SIZE_CLASSES.iter().zip(&s.receipt_bytes) {
        if xs.is_empty() {
            continue;
        }
        let mut v = xs.clone();
        v.sort_unstable();
        eprintln!(
            "bytes per receipt, {label}: {} receipt(s), median {} / p5 {} / p95 {}",
            v.len(),
            percentile(&v, 50.0),
            percentile(&v, 5.0),
            percentile(&v, 95.0)
        );
    }
}

#[allow(dead_code)]
fn main() {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let t = std::time::Instant::now();
    match generate(&opts) {
        Ok(s) => {
            let secs = t.elapsed().as_secs_f64();
            eprintln!(
                "wrote {} file(s) ({} two-volume facilit{}), {} receipts, {} bytes ({:.1} MiB, {:.0} B/receipt) in {:.2} s; {} injected defect(s) in {}",
                s.files.len(),
                s.multi_volume,
                if s.multi_volume == 1 { "y" } else { "ies" },
                s.receipts,
                s.bytes,
                s.bytes as f64 / (1 << 20) as f64,
                s.bytes as f64 / s.receipts.max(1) as f64,
                secs,
                s.injected.len(),
                opts.out.join("injected.tsv").display()
            );
            if opts.kind != MonthKind::Medical {
                let of = |k: &str| s.kinds.iter().filter(|&&x| x == k).count();
                eprintln!(
                    "--kind {}: {} 歯科 file(s) with {} receipts, {} 調剤 file(s) with {} receipts, {} DPC file(s) with {} receipts ({} 総括 groups), {} 医科 file(s) with {} receipts",
                    opts.kind.as_str(),
                    of("dental"),
                    s.dental_receipts,
                    of("pharmacy"),
                    s.pharmacy_receipts,
                    of("dpc"),
                    s.dpc_receipts,
                    s.dpc_groups,
                    of("medical"),
                    s.receipts - s.dental_receipts - s.pharmacy_receipts - s.dpc_receipts
                );
            }
            if opts.realistic {
                print_distributions(&s);
            }
        }
        Err(e) => {
            eprintln!("gen_month: {e}");
            std::process::exit(1);
        }
    }
}
