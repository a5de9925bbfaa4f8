//! The synthetic claim-month generator (`examples/gen_month.rs`, included here as a module):
//! a clean month checks with no error and no warning, the output is a pure function of the
//! seed, every injected defect is reported at the line and with the code `injected.tsv` names
//! (and nothing else is), and the GO totals and multi-volume ids are right — for 医科 months,
//! 歯科 months (`--kind dental`), 調剤 months (`--kind pharmacy`), DPC months (`--kind dpc`)
//! and months of all four (`--kind mixed`); and `--realistic` months have facilities of
//! skewed sizes and 医科 outpatient receipts of a clinic's size.

#[path = "../examples/gen_month.rs"]
mod gen;

use recelint::batch;
use recelint::check::{check_bytes, CheckOptions, FileReport};
use recelint::report::Severity;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// A scratch folder under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let p =
            std::env::temp_dir().join(format!("recelint-generated-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&p);
        Scratch(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn opts(dir: &Path, receipts: u64, seed: u64, rate: f64, files: usize) -> gen::Opts {
    let mut o = gen::Opts::new(dir, receipts, seed);
    o.defect_rate = rate;
    o.files = files;
    o
}

fn opts_kind(
    dir: &Path,
    kind: gen::MonthKind,
    receipts: u64,
    seed: u64,
    rate: f64,
    files: usize,
) -> gen::Opts {
    let mut o = opts(dir, receipts, seed, rate, files);
    o.kind = kind;
    o
}

/// Checks every generated file as the command line does (per file, then insured-number
/// resolution over the whole batch).
fn check_all(dir: &Path, s: &gen::Summary) -> Vec<FileReport> {
    let mut reports: Vec<FileReport> = s
        .files
        .iter()
        .map(|rel| {
            let bytes = fs::read(dir.join(rel)).unwrap();
            check_bytes(rel, &bytes, &CheckOptions::default())
        })
        .collect();
    batch::resolve(&mut reports, batch::Evidence::default());
    reports
}

/// (file, line, code) of every error and warning.
fn findings(reports: &[FileReport]) -> BTreeSet<(String, u64, String)> {
    reports
        .iter()
        .flat_map(|r| {
            r.diagnostics
                .iter()
                .filter(|d| d.severity >= Severity::Warning)
                .map(move |d| {
                    (
                        r.path.clone(),
                        d.line.unwrap_or(0) as u64,
                        d.rule.code.to_string(),
                    )
                })
        })
        .collect()
}

fn read_tsv(dir: &Path) -> BTreeSet<(String, u64, String)> {
    fs::read_to_string(dir.join("injected.tsv"))
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 3, "injected.tsv line {l:?}");
            (f[0].to_string(), f[1].parse().unwrap(), f[2].to_string())
        })
        .collect()
}

fn show(set: &BTreeSet<(String, u64, String)>) -> String {
    set.iter()
        .take(20)
        .map(|(f, l, c)| format!("  {f}:{l}: {c}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn clean_month_has_no_error_and_no_warning() {
    let dir = Scratch::new("clean");
    let s = gen::generate(&opts(&dir.0, 300, 7, 0.0, 1)).unwrap();
    assert_eq!(s.receipts, 300);
    assert_eq!(s.files, vec![s.files[0].clone()]);
    assert!(s.injected.is_empty());
    assert_eq!(fs::read(dir.0.join("injected.tsv")).unwrap(), b"");
    let reports = check_all(&dir.0, &s);
    let bad = findings(&reports);
    assert!(bad.is_empty(), "clean month has findings:\n{}", show(&bad));
    let r = &reports[0];
    assert_eq!(r.receipts, 300);
    // Only the infos of ● names and 不詳 claims, and some of each.
    let infos: BTreeSet<&str> = r.diagnostics.iter().map(|d| d.rule.code).collect();
    assert!(
        infos.iter().all(|c| ["C002", "Q001"].contains(c)),
        "{infos:?}"
    );
    assert!(r.breakdown.unknown_fill > 0 && r.breakdown.black_circle_names > 0);
    // Shape: Shift_JIS with CR LF, IR first, GO last, 0x1A at the very end, ≈ 2 KB a receipt.
    let bytes = fs::read(dir.0.join(&s.files[0])).unwrap();
    assert!(bytes.starts_with(b"IR,"));
    assert!(bytes.ends_with(b"\r\n\x1A"));
    let body = &bytes[..bytes.len() - 1];
    assert_eq!(
        body.windows(2).filter(|w| w == b"\r\n").count(),
        body.iter().filter(|&&b| b == b'\n').count()
    );
    let last = body[..body.len() - 2]
        .rsplit(|&b| b == b'\n')
        .next()
        .unwrap();
    assert!(last.starts_with(b"GO,") && last.ends_with(b",99"));
    let per = bytes.len() as u64 / 300;
    assert!((1200..3200).contains(&per), "{per} bytes per receipt");
}

#[test]
fn same_seed_same_bytes() {
    let a = Scratch::new("same-a");
    let b = Scratch::new("same-b");
    let c = Scratch::new("same-c");
    let sa = gen::generate(&opts(&a.0, 250, 42, 0.2, 3)).unwrap();
    let sb = gen::generate(&opts(&b.0, 250, 42, 0.2, 3)).unwrap();
    let sc = gen::generate(&opts(&c.0, 250, 43, 0.2, 3)).unwrap();
    assert_eq!(sa.files, sb.files);
    assert_eq!(sa.injected, sb.injected);
    let mut names = sa.files.clone();
    names.push("injected.tsv".into());
    for rel in &names {
        let x = fs::read(a.0.join(rel)).unwrap();
        let y = fs::read(b.0.join(rel)).unwrap();
        assert!(x == y, "{rel} differs between two runs with the same seed");
    }
    // Another seed gives another month.
    let x: Vec<u8> = sa
        .files
        .iter()
        .flat_map(|r| fs::read(a.0.join(r)).unwrap())
        .collect();
    let z: Vec<u8> = sc
        .files
        .iter()
        .flat_map(|r| fs::read(c.0.join(r)).unwrap())
        .collect();
    assert!(x != z);
}

/// Every line of injected.tsv is reported with its code at its line, and recelint reports no
/// other error or warning.
fn defects_are_reported_exactly(
    tag: &str,
    receipts: u64,
    seed: u64,
    rate: f64,
    files: usize,
) -> BTreeSet<String> {
    defects_of_kind_are_reported_exactly(tag, gen::MonthKind::Medical, receipts, seed, rate, files)
        .into_iter()
        .map(|(_, _, c)| c)
        .collect()
}

/// [`defects_are_reported_exactly`] for a month of `kind`; returns the injected defects.
fn defects_of_kind_are_reported_exactly(
    tag: &str,
    kind: gen::MonthKind,
    receipts: u64,
    seed: u64,
    rate: f64,
    files: usize,
) -> BTreeSet<(String, u64, String)> {
    let dir = Scratch::new(tag);
    let o = opts_kind(&dir.0, kind, receipts, seed, rate, files);
    defects_in_month_are_reported_exactly(&o).1
}

/// [`defects_are_reported_exactly`] for the month of `o` (written to `o.out`); returns its
/// summary and the injected defects.
fn defects_in_month_are_reported_exactly(
    o: &gen::Opts,
) -> (gen::Summary, BTreeSet<(String, u64, String)>) {
    let dir = Scratch(o.out.clone());
    let s = gen::generate(o).unwrap();
    let injected = read_tsv(&dir.0);
    assert_eq!(injected.len(), s.injected.len(), "one defect per line");
    assert!(!injected.is_empty());
    let reports = check_all(&dir.0, &s);
    let found = findings(&reports);
    let missing: BTreeSet<_> = injected.difference(&found).cloned().collect();
    let extra: BTreeSet<_> = found.difference(&injected).cloned().collect();
    assert!(
        missing.is_empty(),
        "{} injected defect(s) not reported at their line:\n{}",
        missing.len(),
        show(&missing)
    );
    assert!(
        extra.is_empty(),
        "{} finding(s) besides the injected defects:\n{}",
        extra.len(),
        show(&extra)
    );
    (s, injected)
}

#[test]
fn injected_defects_are_reported_where_listed() {
    let codes = defects_are_reported_exactly("defects", 400, 7, 0.3, 3);
    assert!(codes.len() >= 10, "{codes:?}");
}

#[test]
fn every_kind_of_defect_is_reported_alone() {
    // A defect in every receipt: each kind shows up many times.
    let codes = defects_are_reported_exactly("every", 600, 3, 1.0, 4);
    let all: BTreeSet<String> = gen::DEFECTS.iter().map(|d| d.code().to_string()).collect();
    assert_eq!(codes, all);
}

/// Splits a file into its records (without the 0x1A mark).
fn records(bytes: &[u8]) -> Vec<Vec<&[u8]>> {
    let body = bytes.strip_suffix(b"\x1A").unwrap_or(bytes);
    body.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.strip_suffix(b"\r")
                .unwrap_or(l)
                .split(|&b| b == b',')
                .collect()
        })
        .collect()
}

fn num(f: &[u8]) -> u64 {
    std::str::from_utf8(f).unwrap().parse().unwrap()
}

#[test]
fn go_totals_and_volumes_are_right() {
    let dir = Scratch::new("totals");
    let s = gen::generate(&opts(&dir.0, 500, 11, 0.0, 5)).unwrap();
    assert_eq!(s.files.len(), 5);
    assert!(
        s.multi_volume >= 1,
        "five files include a two-volume facility"
    );
    let reports = check_all(&dir.0, &s);
    for r in &reports {
        for d in &r.diagnostics {
            assert!(
                !["S010", "S011", "S012", "S005"].contains(&d.rule.code),
                "{}:{:?}: {}",
                r.path,
                d.line,
                d.rule.code
            );
        }
    }
    assert!(
        findings(&reports).is_empty(),
        "{}",
        show(&findings(&reports))
    );
    // Recount independently: per facility (folder), HO + KO records, and Σ HO 合計点数 (the
    // first KO's when a receipt has no HO).
    let mut facilities: Vec<String> = s
        .files
        .iter()
        .map(|f| f.split('/').next().unwrap().to_string())
        .collect();
    facilities.dedup();
    for fac in facilities {
        let vols: Vec<&String> = s
            .files
            .iter()
            .filter(|f| f.starts_with(&format!("{fac}/")))
            .collect();
        let (mut count, mut points) = (0u64, 0u64);
        let mut go = None;
        for (v, rel) in vols.iter().enumerate() {
            let bytes = fs::read(dir.0.join(rel)).unwrap();
            let recs = records(&bytes);
            let ir = &recs[0];
            let last = recs.last().unwrap();
            assert_eq!(ir[0], b"IR");
            assert_eq!(last[0], b"GO");
            assert_eq!(ir[8], format!("{v:02}").as_bytes(), "{rel}: IR volume");
            let want = if v + 1 == vols.len() {
                "99".to_string()
            } else {
                format!("{:02}", v + 1)
            };
            assert_eq!(last[3], want.as_bytes(), "{rel}: GO volume");
            let mut has_ho = false;
            let mut first_ko = true;
            for r in &recs {
                match r[0] {
                    b"RE" => {
                        has_ho = false;
                        first_ko = true;
                    }
                    b"HO" => {
                        count += 1;
                        has_ho = true;
                        points += num(r[5]);
                    }
                    b"KO" => {
                        count += 1;
                        if !has_ho && first_ko {
                            points += num(r[5]);
                        }
                        first_ko = false;
                    }
                    _ => {}
                }
            }
            if v + 1 == vols.len() {
                go = Some((num(last[1]), num(last[2])));
            } else {
                assert_eq!(
                    (last[1], last[2]),
                    (&b""[..], &b""[..]),
                    "{rel}: totals only on the last volume"
                );
            }
        }
        assert_eq!(go, Some((count, points)), "{fac}: GO totals");
    }
}

#[test]
fn arguments() {
    let a = |v: &[&str]| gen::parse_args(v.iter().map(|s| s.to_string()));
    let o = a(&[
        "--receipts",
        "10",
        "--seed",
        "7",
        "--out",
        "x",
        "--defect-rate=0.5",
        "--files",
        "2",
    ])
    .unwrap();
    assert_eq!(
        (o.receipts, o.seed, o.defect_rate, o.files),
        (10, 7, 0.5, 2)
    );
    assert_eq!(o.out, PathBuf::from("x"));
    assert_eq!(o.kind, gen::MonthKind::Medical, "medical by default");
    let base = [
        "--receipts",
        "10",
        "--seed",
        "7",
        "--out",
        "x",
        "--files",
        "2",
    ];
    let with = |extra: &[&str]| {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        a(&v)
    };
    assert_eq!(
        with(&["--kind", "dental"]).unwrap().kind,
        gen::MonthKind::Dental
    );
    assert_eq!(
        with(&["--kind", "pharmacy"]).unwrap().kind,
        gen::MonthKind::Pharmacy
    );
    // A mixed month needs a file of each of the three kinds.
    assert!(with(&["--kind=mixed"]).is_err());
    assert_eq!(
        with(&["--kind=mixed", "--files", "3"]).unwrap().kind,
        gen::MonthKind::Mixed
    );
    assert_eq!(
        with(&["--kind", "medical"]).unwrap().kind,
        gen::MonthKind::Medical
    );
    assert_eq!(with(&["--kind", "dpc"]).unwrap().kind, gen::MonthKind::Dpc);
    assert!(with(&["--kind", "hospital"]).is_err());
    assert!(with(&["--kind"]).is_err());
    // A mixed month needs a file of each kind.
    assert!(a(&[
        "--receipts",
        "10",
        "--seed",
        "1",
        "--out",
        "x",
        "--kind",
        "mixed"
    ])
    .is_err());
    assert!(a(&["--receipts", "10", "--out", "x"]).is_err());
    assert!(a(&[
        "--receipts",
        "1",
        "--seed",
        "1",
        "--out",
        "x",
        "--files",
        "2"
    ])
    .is_err());
    assert!(a(&[
        "--receipts",
        "1",
        "--seed",
        "1",
        "--out",
        "x",
        "--defect-rate",
        "2"
    ])
    .is_err());
    assert!(a(&["--receipts", "1", "--seed", "1", "--out", "x", "--bogus"]).is_err());
    // --realistic: the files follow from the receipts (0) unless --files is given.
    let r = ["--receipts", "3000", "--seed", "1", "--out", "x"];
    let o = a(&r).unwrap();
    assert!(!o.realistic);
    assert_eq!(o.files, 1);
    let with_r = |extra: &[&str]| {
        let mut v = r.to_vec();
        v.extend_from_slice(extra);
        a(&v)
    };
    let o = with_r(&["--realistic", "--kind", "mixed"]).unwrap();
    assert!(o.realistic);
    assert_eq!((o.files, o.kind), (0, gen::MonthKind::Mixed));
    assert_eq!(with_r(&["--files", "20", "--realistic"]).unwrap().files, 20);
    assert!(with_r(&["--realistic=yes"]).is_err());
    assert!(with_r(&["--realistic", "--files", "4000"]).is_err());
}

#[test]
fn check_digits_match_recelint() {
    for n in [
        "01130012", "33120015", "39130000", "138057", "12131017", "21136015", "1234566",
    ] {
        let d = n.as_bytes();
        assert_eq!(
            gen::check_digit(&d[..d.len() - 1]) + b'0',
            d[d.len() - 1],
            "{n}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// 歯科 and mixed months

/// The claim kind recelint gave each report, by path.
fn kinds_of(reports: &[FileReport]) -> Vec<(String, Option<&'static str>)> {
    reports
        .iter()
        .map(|r| (r.path.clone(), r.kind.map(|k| k.as_str())))
        .collect()
}

/// Only the infos of ● names and 不詳 claims.
fn only_expected_infos(reports: &[FileReport]) {
    for r in reports {
        let codes: BTreeSet<&str> = r.diagnostics.iter().map(|d| d.rule.code).collect();
        assert!(
            codes.iter().all(|c| ["C002", "Q001"].contains(c)),
            "{}: {codes:?}",
            r.path
        );
    }
}

#[test]
fn clean_dental_month_has_no_error_and_no_warning() {
    let dir = Scratch::new("dental-clean");
    // Two clinics of 150 receipts: a dental clinic's month.
    let s = gen::generate(&opts_kind(&dir.0, gen::MonthKind::Dental, 300, 7, 0.0, 2)).unwrap();
    assert_eq!((s.receipts, s.dental_receipts), (300, 300));
    assert_eq!(s.files.len(), 2);
    assert_eq!(s.kinds, vec!["dental"; 2]);
    assert!(s.files.iter().all(|f| f.ends_with("/RECEIPTS.UKE")));
    assert!(s.injected.is_empty());
    let reports = check_all(&dir.0, &s);
    let bad = findings(&reports);
    assert!(
        bad.is_empty(),
        "clean 歯科 month has findings:\n{}",
        show(&bad)
    );
    only_expected_infos(&reports);
    for (path, kind) in kinds_of(&reports) {
        assert_eq!(kind, Some("dental"), "{path}");
    }
    assert_eq!(reports.iter().map(|r| r.receipts).sum::<u32>(), 300);
    let unknown: u64 = reports.iter().map(|r| r.breakdown.unknown_fill).sum();
    let circles: u64 = reports.iter().map(|r| r.breakdown.black_circle_names).sum();
    assert!(unknown > 0 && circles > 0, "{unknown} 不詳, {circles} ●");
    // Shape: UK first, GO last, 0x1A at the very end, CR LF, a few hundred bytes a receipt.
    let mut bytes_all = 0;
    for rel in &s.files {
        let bytes = fs::read(dir.0.join(rel)).unwrap();
        bytes_all += bytes.len();
        assert!(bytes.starts_with(b"UK,"), "{rel}");
        assert!(bytes.ends_with(b",99\r\n\x1A"), "{rel}");
        let body = &bytes[..bytes.len() - 1];
        assert_eq!(
            body.windows(2).filter(|w| w == b"\r\n").count(),
            body.iter().filter(|&&b| b == b'\n').count()
        );
    }
    let per = bytes_all as u64 / 300;
    assert!((500..1100).contains(&per), "{per} bytes per 歯科 receipt");
}

#[test]
fn clean_mixed_month_has_no_error_and_no_warning() {
    let dir = Scratch::new("mixed-clean");
    let s = gen::generate(&opts_kind(&dir.0, gen::MonthKind::Mixed, 600, 5, 0.0, 6)).unwrap();
    assert_eq!(s.files.len(), 6);
    assert_eq!(s.kinds.len(), 6);
    let reports = check_all(&dir.0, &s);
    let bad = findings(&reports);
    assert!(
        bad.is_empty(),
        "clean mixed month has findings:\n{}",
        show(&bad)
    );
    only_expected_infos(&reports);
    // Each file is recognised as the kind it was written as, and named as that kind's file.
    for ((rel, want), (path, got)) in s.files.iter().zip(&s.kinds).zip(kinds_of(&reports)) {
        assert_eq!(got, Some(*want), "{path}");
        let name = match *want {
            "dental" => "RECEIPTS.UKE",
            "pharmacy" => "RECEIPTY.CYO",
            "dpc" => "RECEIPTD.UKE",
            _ => "RECEIPTC.UKE",
        };
        assert!(rel.ends_with(name), "{rel}");
    }
    for k in ["medical", "dental", "pharmacy", "dpc"] {
        assert!(s.kinds.contains(&k), "{k}: {:?}", s.kinds);
    }
    // Receipts by the national shares 95 : 22 : 65; 歯科 clinics small, pharmacies mid-size
    // (here 36, 107 and 156 receipts a file).
    let share = |n: u64| n as f64 / s.receipts as f64;
    assert!(
        (0.09..=0.15).contains(&share(s.dental_receipts)),
        "歯科 share {}",
        share(s.dental_receipts)
    );
    assert!(
        (0.32..=0.40).contains(&share(s.pharmacy_receipts)),
        "調剤 share {}",
        share(s.pharmacy_receipts)
    );
    let size = |k: &str| -> Vec<u32> {
        reports
            .iter()
            .zip(&s.kinds)
            .filter(|(_, kind)| **kind == k)
            .map(|(r, _)| r.receipts)
            .collect()
    };
    let (dental, pharmacy, medical) = (size("dental"), size("pharmacy"), size("medical"));
    assert!(
        dental.iter().max() < pharmacy.iter().min() && pharmacy.iter().max() < medical.iter().min(),
        "歯科 {dental:?}, 調剤 {pharmacy:?}, 医科 {medical:?}"
    );
}

#[test]
fn mixed_split_gives_mid_size_pharmacies() {
    let o = opts_kind(Path::new("x"), gen::MonthKind::Mixed, 100_000, 1, 0.0, 100);
    let m = gen::mixed_split(&o);
    assert_eq!(m.dental.0 + m.pharmacy.0 + m.medical.0 + m.dpc.0, 100);
    assert_eq!(m.dental.1 + m.pharmacy.1 + m.medical.1 + m.dpc.1, 100_000);
    // DPC: a small share of the receipts (1.1 of 183.1), in a few large files.
    assert_eq!(m.dpc, (2, 601));
    let per = |(n, r): (usize, u64)| r / n as u64;
    let (d, p, me) = (per(m.dental), per(m.pharmacy), per(m.medical));
    assert!(d < p && p < me, "{d} {p} {me}");
    assert!((300..=2000).contains(&p), "{p} receipts a pharmacy");
    // The smallest mixed month: one file of each kind.
    let m = gen::mixed_split(&opts_kind(
        Path::new("x"),
        gen::MonthKind::Mixed,
        3,
        1,
        0.0,
        3,
    ));
    assert_eq!((m.dental, m.pharmacy, m.medical), ((1, 1), (1, 1), (1, 1)));
    assert_eq!(m.dpc, (0, 0));
    // From four files on, one DPC hospital at least.
    let m = gen::mixed_split(&opts_kind(
        Path::new("x"),
        gen::MonthKind::Mixed,
        400,
        1,
        0.0,
        4,
    ));
    assert_eq!(m.dpc.0, 1);
    assert!(m.dpc.1 >= 1);
}

#[test]
fn dental_defects_are_reported_where_listed() {
    let codes: BTreeSet<String> = defects_of_kind_are_reported_exactly(
        "dental-defects",
        gen::MonthKind::Dental,
        300,
        7,
        0.3,
        2,
    )
    .into_iter()
    .map(|(_, _, c)| c)
    .collect();
    assert!(codes.len() >= 10, "{codes:?}");
}

#[test]
fn every_kind_of_dental_defect_is_reported_alone() {
    // A defect in every receipt: each kind shows up many times.
    let codes: BTreeSet<String> = defects_of_kind_are_reported_exactly(
        "dental-every",
        gen::MonthKind::Dental,
        500,
        3,
        1.0,
        2,
    )
    .into_iter()
    .map(|(_, _, c)| c)
    .collect();
    let all: BTreeSet<String> = gen::DENTAL_DEFECTS
        .iter()
        .map(|d| d.code().to_string())
        .collect();
    assert_eq!(codes, all);
    for c in [
        "D001", "D002", "D003", "D004", "D005", "D006", "S014", "V004",
    ] {
        assert!(codes.contains(c), "{c}");
    }
}

#[test]
fn mixed_defects_are_reported_where_listed() {
    let injected = defects_of_kind_are_reported_exactly(
        "mixed-defects",
        gen::MonthKind::Mixed,
        400,
        11,
        0.3,
        4,
    );
    // Each file draws its own kind's defects, and every kind has some.
    let of = |list: &[gen::Defect]| -> BTreeSet<&'static str> {
        list.iter().map(|d| d.code()).collect()
    };
    let (medical, dental, pharmacy, dpc) = (
        of(gen::DEFECTS),
        of(gen::DENTAL_DEFECTS),
        of(gen::PHARMACY_DEFECTS),
        of(gen::DPC_DEFECTS),
    );
    let (mut in_medical, mut in_dental, mut in_pharmacy) = (0, 0, 0);
    for (file, line, code) in &injected {
        if file.ends_with("/RECEIPTS.UKE") {
            in_dental += 1;
            assert!(dental.contains(code.as_str()), "{file}:{line}: {code}");
        } else if file.ends_with("/RECEIPTY.CYO") {
            in_pharmacy += 1;
            assert!(pharmacy.contains(code.as_str()), "{file}:{line}: {code}");
        } else if file.ends_with("/RECEIPTD.UKE") {
            assert!(dpc.contains(code.as_str()), "{file}:{line}: {code}");
        } else {
            in_medical += 1;
            assert!(medical.contains(code.as_str()), "{file}:{line}: {code}");
        }
    }
    assert!(
        in_medical > 0 && in_dental > 0 && in_pharmacy > 0,
        "{in_medical} 医科, {in_dental} 歯科, {in_pharmacy} 調剤"
    );
}

/// Field counts of the 歯科 records, including the id (dental.md §3.14).
fn dental_fields(id: &[u8]) -> usize {
    match id {
        b"UK" => 10,
        b"IR" => 9,
        b"RE" => 27,
        b"HO" => 14,
        b"KO" => 10,
        b"SN" => 9,
        b"JD" | b"MF" => 33,
        b"HS" => 13,
        b"SS" => 109,
        b"SI" => 38,
        b"IY" => 39,
        b"TO" => 45,
        b"CO" => 11,
        b"GO" => 4,
        _ => panic!("unexpected 歯科 record {}", String::from_utf8_lossy(id)),
    }
}

#[test]
fn dental_records_follow_the_layout_and_go_totals_are_right() {
    let dir = Scratch::new("dental-layout");
    let s = gen::generate(&opts_kind(&dir.0, gen::MonthKind::Dental, 400, 13, 0.0, 2)).unwrap();
    let (mut outpatients, mut inpatients) = (0, 0);
    for rel in &s.files {
        let bytes = fs::read(dir.0.join(rel)).unwrap();
        let recs = records(&bytes);
        let uk = &recs[0];
        assert_eq!(uk[0], b"UK");
        assert_eq!(uk[3], b"3", "{rel}: 点数表");
        assert_eq!(uk[9], b"00", "{rel}: UK volume");
        let go = recs.last().unwrap();
        assert_eq!((go[0], go[3]), (&b"GO"[..], &b"99"[..]));
        let (mut count, mut points) = (0u64, 0u64);
        let (mut has_ho, mut first_ko) = (false, true);
        let mut hs = 0;
        let mut inpatient = false;
        for (i, r) in recs.iter().enumerate() {
            assert_eq!(
                r.len(),
                dental_fields(r[0]),
                "{rel}: record {i} ({:?})",
                r[0]
            );
            match r[0] {
                b"IR" => {
                    // IR 1–4 and 6 repeat UK 1–4 and 7, and RE follows at once.
                    assert_eq!(&r[1..5], &uk[1..5], "{rel}: record {i}");
                    assert_eq!(r[6], uk[7], "{rel}: record {i}");
                    assert_eq!(recs[i + 1][0], b"RE", "{rel}: record {i}");
                    if i > 1 {
                        assert!((1..=5).contains(&hs), "{rel}: {hs} HS before record {i}");
                    }
                    hs = 0;
                }
                b"RE" => {
                    has_ho = false;
                    first_ko = true;
                    let kind = r[2];
                    assert_eq!(kind[0], b'3', "{rel}: record {i}: レセプト種別");
                    inpatient = (kind[3] - b'0') % 2 == 1;
                    if inpatient {
                        inpatients += 1;
                        assert!(!r[8].is_empty(), "{rel}: record {i}: 入院年月日");
                        assert!(r[9].is_empty() && r[10].is_empty(), "{rel}: record {i}");
                    } else {
                        outpatients += 1;
                        assert!(r[8].is_empty(), "{rel}: record {i}");
                        assert!(!r[9].is_empty(), "{rel}: record {i}: 診療開始日");
                        assert!(
                            [&b"1"[..], b"2", b"3", b"4"].contains(&r[10]),
                            "{rel}: record {i}: 転帰区分"
                        );
                    }
                }
                b"HO" => {
                    count += 1;
                    has_ho = true;
                    points += num(r[5]);
                }
                b"KO" => {
                    count += 1;
                    if !has_ho && first_ko {
                        points += num(r[5]);
                    }
                    first_ko = false;
                }
                b"HS" => {
                    hs += 1;
                    // 6-character 歯式 units, a 7-digit 傷病名コード; 診療開始日 on an inpatient's.
                    assert!(!r[3].is_empty() && r[3].len() % 6 == 0, "{rel}: record {i}");
                    assert_eq!(r[4].len(), 7, "{rel}: record {i}");
                    assert_eq!(r[1].is_empty(), !inpatient, "{rel}: record {i}");
                }
                b"SS" => {
                    assert_eq!(r[3].len(), 9, "{rel}: record {i}");
                    assert_eq!(r[3][0], b'3', "{rel}: record {i}: 歯科診療行為コード");
                    // 回数 = Σ days, except on a 未来院請求 line, which has no day.
                    let days: u64 = r[78..109]
                        .iter()
                        .filter(|d| !d.is_empty())
                        .map(|d| num(d))
                        .sum();
                    assert!(days == num(r[77]) || days == 0, "{rel}: record {i}");
                }
                _ => {}
            }
        }
        assert_eq!(
            (num(go[1]), num(go[2])),
            (count, points),
            "{rel}: GO totals"
        );
    }
    // About 1 % of 歯科 receipts are 入院 (this seed gives some).
    assert!(outpatients > 300, "{outpatients} outpatient receipts");
    assert!(inpatients > 0, "no inpatient receipt");
}

/// What a report says, for comparing two checks of the same bytes.
fn digest(r: &FileReport) -> Vec<String> {
    let mut v: Vec<String> = r
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{}:{:?}:{:?}:{:?}:{:?}",
                d.rule.code, d.line, d.field, d.receipt, d.args
            )
        })
        .collect();
    v.push(format!("receipts {} records {}", r.receipts, r.records));
    v.push(format!("breakdown {:?}", r.breakdown));
    v
}

#[test]
fn dental_months_give_the_same_findings_in_chunks() {
    // Receipts open with IR in 歯科: chunks cut at receipt boundaries must fold into what one
    // pass gives, with and without defects (D001 moves or doubles the IR).
    let dir = Scratch::new("dental-chunks");
    let s = gen::generate(&opts_kind(&dir.0, gen::MonthKind::Dental, 200, 17, 0.3, 2)).unwrap();
    for rel in &s.files {
        let bytes = fs::read(dir.0.join(rel)).unwrap();
        let with = |chunk_size: usize| {
            check_bytes(
                rel,
                &bytes,
                &CheckOptions {
                    chunk_size,
                    ..Default::default()
                },
            )
        };
        let whole = digest(&with(usize::MAX / 4));
        for size in [1, 100, 4096] {
            assert_eq!(
                whole,
                digest(&with(size)),
                "{rel} in chunks of {size} bytes"
            );
        }
    }
}

#[test]
fn dental_pharmacy_and_mixed_months_are_pure_functions_of_the_seed() {
    for kind in [
        gen::MonthKind::Dental,
        gen::MonthKind::Pharmacy,
        gen::MonthKind::Dpc,
        gen::MonthKind::Mixed,
    ] {
        let a = Scratch::new(&format!("pure-a-{}", kind.as_str()));
        let b = Scratch::new(&format!("pure-b-{}", kind.as_str()));
        let sa = gen::generate(&opts_kind(&a.0, kind, 200, 42, 0.2, 3)).unwrap();
        let sb = gen::generate(&opts_kind(&b.0, kind, 200, 42, 0.2, 3)).unwrap();
        assert_eq!((&sa.files, &sa.kinds), (&sb.files, &sb.kinds));
        let mut names = sa.files.clone();
        names.push("injected.tsv".into());
        for rel in &names {
            let x = fs::read(a.0.join(rel)).unwrap();
            let y = fs::read(b.0.join(rel)).unwrap();
            assert!(x == y, "{rel} differs between two runs with the same seed");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 調剤 months

#[test]
fn clean_pharmacy_month_has_no_error_and_no_warning() {
    let dir = Scratch::new("pharmacy-clean");
    let s = gen::generate(&opts_kind(&dir.0, gen::MonthKind::Pharmacy, 500, 7, 0.0, 2)).unwrap();
    assert_eq!((s.receipts, s.pharmacy_receipts), (500, 500));
    assert_eq!(s.files.len(), 2);
    assert_eq!(s.kinds, vec!["pharmacy"; 2]);
    assert!(s.files.iter().all(|f| f.ends_with("/RECEIPTY.CYO")));
    assert!(s.injected.is_empty());
    let reports = check_all(&dir.0, &s);
    let bad = findings(&reports);
    assert!(
        bad.is_empty(),
        "clean 調剤 month has findings:\n{}",
        show(&bad)
    );
    only_expected_infos(&reports);
    for (path, kind) in kinds_of(&reports) {
        assert_eq!(kind, Some("pharmacy"), "{path}");
    }
    assert_eq!(reports.iter().map(|r| r.receipts).sum::<u32>(), 500);
    let unknown: u64 = reports.iter().map(|r| r.breakdown.unknown_fill).sum();
    let circles: u64 = reports.iter().map(|r| r.breakdown.black_circle_names).sum();
    assert!(unknown > 0 && circles > 0, "{unknown} 不詳, {circles} ●");
    // Shape: YK first, GO last, 0x1A at the very end, CR LF, about a kilobyte a receipt.
    let mut bytes_all = 0;
    for rel in &s.files {
        let bytes = fs::read(dir.0.join(rel)).unwrap();
        bytes_all += bytes.len();
        assert!(bytes.starts_with(b"YK,"), "{rel}");
        assert!(bytes.ends_with(b",99\r\n\x1A"), "{rel}");
        let body = &bytes[..bytes.len() - 1];
        assert_eq!(
            body.windows(2).filter(|w| w == b"\r\n").count(),
            body.iter().filter(|&&b| b == b'\n').count()
        );
    }
    let per = bytes_all as u64 / 500;
    assert!((600..1300).contains(&per), "{per} bytes per 調剤 receipt");
}

#[test]
fn pharmacy_defects_are_reported_where_listed() {
    let codes: BTreeSet<String> = defects_of_kind_are_reported_exactly(
        "pharmacy-defects",
        gen::MonthKind::Pharmacy,
        400,
        7,
        0.3,
        2,
    )
    .into_iter()
    .map(|(_, _, c)| c)
    .collect();
    assert!(codes.len() >= 10, "{codes:?}");
}

#[test]
fn every_kind_of_pharmacy_defect_is_reported_alone() {
    // A defect in every receipt: each kind shows up many times.
    let injected = defects_of_kind_are_reported_exactly(
        "pharmacy-every",
        gen::MonthKind::Pharmacy,
        700,
        3,
        1.0,
        2,
    );
    let codes: BTreeSet<String> = injected.iter().map(|(_, _, c)| c.clone()).collect();
    let all: BTreeSet<String> = gen::PHARMACY_DEFECTS
        .iter()
        .map(|d| d.code().to_string())
        .collect();
    assert_eq!(codes, all);
    // Each way of placing P001 and V005 is there: the record each is reported on.
    let dir = Scratch::new("pharmacy-every-records");
    let s = gen::generate(&opts_kind(&dir.0, gen::MonthKind::Pharmacy, 700, 3, 1.0, 2)).unwrap();
    let mut at: BTreeSet<(&str, String)> = BTreeSet::new();
    for rel in &s.files {
        let bytes = fs::read(dir.0.join(rel)).unwrap();
        let recs = records(&bytes);
        for i in s.injected.iter().filter(|i| &i.file == rel) {
            let id = String::from_utf8_lossy(recs[i.line as usize - 1][0]).into_owned();
            at.insert((i.code, id));
        }
    }
    for (code, id) in [
        ("P001", "CZ"), // its SH dropped
        ("P001", "IY"), // before its CZ
        ("P002", "CZ"),
        ("V005", "CZ"), // 処方箋交付年月日
        ("V005", "KI"), // 算定日
        ("V004", "SH"),
        ("S015", "IY"),
        ("S016", "SH"),
        ("Q003", "HO"),
        ("S008", "RE"),
    ] {
        assert!(
            at.contains(&(code, id.to_string())),
            "{code} at {id}: {at:?}"
        );
    }
}

/// Field counts of the 調剤 records, including the id (pharmacy.md §3.14; CZ of 令和8年).
fn pharmacy_fields(id: &[u8]) -> usize {
    match id {
        b"YK" => 9,
        b"RE" => 42,
        b"HO" => 14,
        b"KO" => 10,
        b"SN" => 9,
        b"JD" | b"MF" => 33,
        b"SH" => 10,
        b"CZ" => 71,
        b"IY" => 10,
        b"TO" => 7,
        b"CO" | b"TK" => 3,
        b"KI" => 114,
        b"GO" => 4,
        _ => panic!("unexpected 調剤 record {}", String::from_utf8_lossy(id)),
    }
}

/// A field's number, 0 when empty.
fn num0(f: &[u8]) -> u64 {
    if f.is_empty() {
        0
    } else {
        num(f)
    }
}

#[test]
fn pharmacy_records_follow_the_layout_and_go_totals_are_right() {
    let dir = Scratch::new("pharmacy-layout");
    let s = gen::generate(&opts_kind(
        &dir.0,
        gen::MonthKind::Pharmacy,
        400,
        13,
        0.0,
        2,
    ))
    .unwrap();
    let (mut refills, mut tk, mut two_doctors) = (0, 0, 0);
    for rel in &s.files {
        let bytes = fs::read(dir.0.join(rel)).unwrap();
        let recs = records(&bytes);
        let yk = &recs[0];
        assert_eq!(yk[0], b"YK");
        assert_eq!(yk[3], b"4", "{rel}: 点数表");
        assert_eq!(yk[7], b"00", "{rel}: YK volume");
        assert_eq!(rel.split('/').next().unwrap().as_bytes(), yk[4], "{rel}");
        let go = recs.last().unwrap();
        assert_eq!((go[0], go[3]), (&b"GO"[..], &b"99"[..]));
        // Per receipt: its records from RE to the next RE.
        let starts: Vec<usize> = (0..recs.len()).filter(|&i| recs[i][0] == b"RE").collect();
        let (mut count, mut total) = (0u64, 0u64);
        for (k, &a) in starts.iter().enumerate() {
            let b = starts.get(k + 1).copied().unwrap_or(recs.len() - 1);
            let rc = &recs[a..b];
            for (i, r) in rc.iter().enumerate() {
                assert_eq!(
                    r.len(),
                    pharmacy_fields(r[0]),
                    "{rel}: record {} ({:?})",
                    a + i,
                    r[0]
                );
            }
            let re = &rc[0];
            assert_eq!(num(re[1]), k as u64 + 1, "{rel}: receipt numbering");
            let kind = re[2];
            assert_eq!(kind[0], b'4', "{rel}: レセプト種別 {kind:?}");
            assert_eq!((kind[3] - b'0') % 2, 0, "{rel}: レセプト種別 {kind:?}");
            assert!([&b"1"[..], b"3"].contains(&re[10]), "{rel}: 処方 点数表");
            assert_eq!(re[11].len(), 7, "{rel}: 処方医療機関コード");
            assert!(!re[14].is_empty(), "{rel}: 保険医氏名1");
            two_doctors += usize::from(!re[15].is_empty());
            assert!(!re[35].is_empty(), "{rel}: 調剤録番号");
            // Nesting SH → CZ → IY / TO / CO, SH numbered 01, 02 …, then TK, then KI.
            let (mut sh, mut in_cz, mut after_body) = (0, false, false);
            let mut cz_of_sh = 0;
            let mut receptions = BTreeSet::new();
            let (mut ho, mut ko, mut points) = (None, 0, 0u64);
            let mut kis = 0;
            for r in &rc[1..] {
                match r[0] {
                    b"HO" => ho = Some((num(r[4]), num(r[5]))),
                    b"KO" => ko += 1,
                    b"SH" => {
                        assert!(!after_body, "{rel}: SH after TK / KI");
                        sh += 1;
                        assert_eq!(r[1], format!("{sh:02}").as_bytes(), "{rel}: SH No");
                        in_cz = false;
                        cz_of_sh = 0;
                    }
                    b"CZ" => {
                        assert!(sh > 0 && !after_body, "{rel}: CZ without SH");
                        in_cz = true;
                        let (issued, done) = (num(r[2]), num(r[3]));
                        assert!(
                            20261001 <= issued && issued <= done && done <= 20261031,
                            "{rel}: CZ dates {issued} {done}"
                        );
                        receptions.insert(num(r[4]));
                        cz_of_sh += 1;
                        if cz_of_sh == 2 {
                            refills += 1;
                        }
                        // 薬剤調製料 + 薬剤料 + 加算料１ + 外来服薬支援料２ + 調剤管理料.
                        points += [10, 13, 17, 56, 61]
                            .iter()
                            .map(|&i| num0(r[i]))
                            .sum::<u64>();
                    }
                    b"IY" | b"TO" | b"CO" => {
                        assert!(in_cz && !after_body, "{rel}: {:?} outside a CZ", r[0]);
                        if r[0] == b"IY" {
                            assert_eq!(r[2].len(), 9, "{rel}: 医薬品コード");
                        }
                    }
                    b"TK" => {
                        assert_eq!(kis, 0, "{rel}: TK after KI");
                        after_body = true;
                        tk += 1;
                    }
                    b"KI" => {
                        after_body = true;
                        kis += 1;
                        assert!(receptions.contains(&num(r[2])), "{rel}: KI 処方箋受付回");
                        points += num(r[5]);
                        // 薬学管理料 and 調剤基本料加算: (負担区分, コード, 回数, 点数).
                        for i in (7..=51).step_by(4).chain((69..=105).step_by(4)) {
                            points += num0(r[i + 3]);
                        }
                    }
                    _ => {}
                }
            }
            assert!(sh >= 1 && kis >= 1, "{rel}: receipt {}", k + 1);
            assert_eq!(kis, receptions.len(), "{rel}: one KI per 処方箋受付");
            match ho {
                Some((days, pts)) => {
                    count += 1;
                    total += pts;
                    assert_eq!(days, kis as u64, "{rel}: 処方箋受付回数");
                    if ko == 0 {
                        // Every record names the HO: its 合計点数 is their sum.
                        assert_eq!(pts, points, "{rel}: receipt {} 合計点数", k + 1);
                    }
                }
                None => {
                    assert!(ko >= 1, "{rel}: receipt without HO or KO");
                    let first_ko = rc.iter().find(|r| r[0] == b"KO").unwrap();
                    total += num(first_ko[5]);
                }
            }
            count += ko;
        }
        assert_eq!((num(go[1]), num(go[2])), (count, total), "{rel}: GO totals");
    }
    assert!(refills > 0, "no prescription dispensed twice");
    assert!(
        tk > 0 && two_doctors > 0,
        "{tk} TK, {two_doctors} receipts with two 保険医"
    );
}

#[test]
fn pharmacy_months_give_the_same_findings_in_chunks() {
    // Chunks cut at receipt boundaries must fold into what one pass gives, with and without
    // defects (S005's gaps, P001's dropped SH, S016's early KI).
    let dir = Scratch::new("pharmacy-chunks");
    let s = gen::generate(&opts_kind(
        &dir.0,
        gen::MonthKind::Pharmacy,
        200,
        17,
        0.3,
        2,
    ))
    .unwrap();
    assert!(!s.injected.is_empty());
    for rel in &s.files {
        let bytes = fs::read(dir.0.join(rel)).unwrap();
        let with = |chunk_size: usize| {
            check_bytes(
                rel,
                &bytes,
                &CheckOptions {
                    chunk_size,
                    ..Default::default()
                },
            )
        };
        let whole = digest(&with(usize::MAX / 4));
        for size in [1, 100, 4096] {
            assert_eq!(
                whole,
                digest(&with(size)),
                "{rel} in chunks of {size} bytes"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// DPC months

#[test]
fn clean_dpc_month_has_no_error_and_no_warning() {
    let dir = Scratch::new("dpc-clean");
    let s = gen::generate(&opts_kind(&dir.0, gen::MonthKind::Dpc, 400, 7, 0.0, 2)).unwrap();
    assert_eq!((s.receipts, s.dpc_receipts), (400, 400));
    assert!(s.dpc_groups > 0, "no 総括 group");
    assert_eq!(s.files.len(), 2);
    assert_eq!(s.kinds, vec!["dpc"; 2]);
    assert!(s.files.iter().all(|f| f.ends_with("/RECEIPTD.UKE")));
    assert!(s.injected.is_empty());
    let reports = check_all(&dir.0, &s);
    let bad = findings(&reports);
    assert!(
        bad.is_empty(),
        "clean DPC month has findings:\n{}",
        show(&bad)
    );
    only_expected_infos(&reports);
    for (path, kind) in kinds_of(&reports) {
        assert_eq!(kind, Some("dpc"), "{path}");
    }
    // recelint counts every RE block: a 総括 group is three.
    assert_eq!(
        reports.iter().map(|r| r.receipts as u64).sum::<u64>(),
        400 + 2 * s.dpc_groups
    );
    let unknown: u64 = reports.iter().map(|r| r.breakdown.unknown_fill).sum();
    let circles: u64 = reports.iter().map(|r| r.breakdown.black_circle_names).sum();
    assert!(unknown > 0 && circles > 0, "{unknown} 不詳, {circles} ●");
    // Shape: IR (点数表 1) first, GO last, 0x1A at the very end, CR LF, RE of 40 values, and
    // long receipts (kilobytes, mostly CD lines).
    let mut bytes_all = 0;
    let mut ids: BTreeSet<Vec<u8>> = BTreeSet::new();
    for rel in &s.files {
        let bytes = fs::read(dir.0.join(rel)).unwrap();
        bytes_all += bytes.len();
        assert!(bytes.starts_with(b"IR,"), "{rel}");
        assert!(bytes.ends_with(b",99\r\n\x1A"), "{rel}");
        let body = &bytes[..bytes.len() - 1];
        assert_eq!(
            body.windows(2).filter(|w| w == b"\r\n").count(),
            body.iter().filter(|&&b| b == b'\n').count()
        );
        let recs = records(&bytes);
        assert_eq!(recs[0][3], b"1", "{rel}: IR 点数表");
        for r in &recs {
            ids.insert(r[0].to_vec());
            let want = match r[0] {
                b"RE" => 40,
                b"HO" => 16,
                b"KO" => 13,
                b"BU" => 6,
                b"SB" => 8,
                b"KK" => 14,
                b"SK" => 7,
                b"GA" => 7,
                b"HH" => 9,
                b"GT" => 12,
                b"CD" => 11,
                b"SI" => 44,
                b"SY" => 8,
                b"GR" => 3,
                b"CO" => 5,
                b"IR" => 10,
                b"GO" => 4,
                id => panic!("{rel}: record {:?}", String::from_utf8_lossy(id)),
            };
            assert_eq!(r.len(), want, "{rel}: {:?}", String::from_utf8_lossy(r[0]));
        }
    }
    for id in ["BU", "SB", "KK", "SK", "GA", "HH", "GT", "CD", "GR", "SY"] {
        assert!(ids.contains(id.as_bytes()), "no {id}");
    }
    let per = bytes_all as u64 / 400;
    assert!((2000..8000).contains(&per), "{per} bytes per DPC receipt");
}

#[test]
fn dpc_defects_are_reported_where_listed() {
    let codes: BTreeSet<String> =
        defects_of_kind_are_reported_exactly("dpc-defects", gen::MonthKind::Dpc, 300, 7, 0.3, 2)
            .into_iter()
            .map(|(_, _, c)| c)
            .collect();
    assert!(codes.len() >= 6, "{codes:?}");
}

#[test]
fn every_kind_of_dpc_defect_is_reported_alone() {
    // A defect in every receipt: each kind shows up many times.
    let injected =
        defects_of_kind_are_reported_exactly("dpc-every", gen::MonthKind::Dpc, 300, 3, 1.0, 1);
    let codes: BTreeSet<String> = injected.iter().map(|(_, _, c)| c.clone()).collect();
    let all: BTreeSet<String> = gen::DPC_DEFECTS
        .iter()
        .map(|d| d.code().to_string())
        .collect();
    assert_eq!(codes, all);
    // Each is reported on the record it was placed on.
    let dir = Scratch::new("dpc-every-records");
    let s = gen::generate(&opts_kind(&dir.0, gen::MonthKind::Dpc, 300, 3, 1.0, 1)).unwrap();
    let mut at: BTreeSet<(&str, String)> = BTreeSet::new();
    for rel in &s.files {
        let bytes = fs::read(dir.0.join(rel)).unwrap();
        let recs = records(&bytes);
        for i in s.injected.iter().filter(|i| &i.file == rel) {
            let id = String::from_utf8_lossy(recs[i.line as usize - 1][0]).into_owned();
            at.insert((i.code, id));
        }
    }
    let want: BTreeSet<(&str, String)> = [
        ("G001", "HH"),
        ("G002", "GT"),
        ("G003", "GA"),
        ("V004", "RE"),
        ("V005", "CD"),
        ("I002", "HO"),
        ("Q003", "HO"),
        ("Q004", "HO"),
        ("S005", "RE"),
    ]
    .into_iter()
    .map(|(c, id)| (c, id.to_string()))
    .collect();
    assert_eq!(at, want);
}

#[test]
fn dpc_months_give_the_same_findings_in_chunks() {
    // Chunks cut at receipt boundaries — inside 総括 groups too — must fold into what one
    // pass gives, with and without defects.
    let dir = Scratch::new("dpc-chunks");
    let s = gen::generate(&opts_kind(&dir.0, gen::MonthKind::Dpc, 120, 17, 0.3, 1)).unwrap();
    assert!(!s.injected.is_empty());
    assert!(s.dpc_groups > 0);
    for rel in &s.files {
        let bytes = fs::read(dir.0.join(rel)).unwrap();
        let with = |chunk_size: usize| {
            check_bytes(
                rel,
                &bytes,
                &CheckOptions {
                    chunk_size,
                    ..Default::default()
                },
            )
        };
        let whole = digest(&with(usize::MAX / 4));
        for size in [1, 100, 4096] {
            assert_eq!(
                whole,
                digest(&with(size)),
                "{rel} in chunks of {size} bytes"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// --realistic months

fn realistic(dir: &Path, kind: gen::MonthKind, receipts: u64, seed: u64, rate: f64) -> gen::Opts {
    let mut o = opts_kind(dir, kind, receipts, seed, rate, 0);
    o.realistic = true;
    o
}

/// The bytes of every receipt of a 医科 file (its RE record up to the next RE or GO, CR LF
/// included), as (入院, bytes) by the 4th digit of the レセプト種別.
fn medical_receipt_sizes(bytes: &[u8]) -> Vec<(bool, usize)> {
    let mut out = Vec::new();
    let mut cur: Option<(bool, usize)> = None;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if line.starts_with(b"RE,") || line.starts_with(b"GO,") {
            out.extend(cur.take());
            if line.starts_with(b"RE,") {
                let kind = line.split(|&b| b == b',').nth(2).unwrap();
                cur = Some(((kind[3] - b'0') % 2 == 1, 0));
            }
        }
        if let Some((_, n)) = cur.as_mut() {
            *n += line.len();
        }
    }
    out
}

fn median(v: &mut [u64]) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

#[test]
fn realistic_month_is_clean_with_skewed_facilities_and_clinic_sized_receipts() {
    let dir = Scratch::new("realistic-clean");
    let o = realistic(&dir.0, gen::MonthKind::Mixed, 3000, 7, 0.0);
    let s = gen::generate(&o).unwrap();
    assert_eq!(s.receipts, 3000);
    assert!(s.injected.is_empty());
    // One file a facility (two for a two-volume one), about one facility per 630 receipts,
    // each of 50..=5000 receipts.
    assert_eq!(s.files.len(), s.facility_receipts.len() + s.multi_volume);
    assert_eq!(s.file_receipts.iter().sum::<u64>(), 3000);
    assert_eq!(s.facility_receipts.iter().sum::<u64>(), 3000);
    assert!(
        (4..=6).contains(&s.facility_receipts.len()),
        "{:?}",
        s.facility_receipts
    );
    for &n in &s.facility_receipts {
        assert!((50..=5000).contains(&n), "{:?}", s.facility_receipts);
    }
    for k in ["medical", "dental", "pharmacy"] {
        assert!(s.kinds.contains(&k), "{k}: {:?}", s.kinds);
    }
    // Valid: no error, no warning, each file read as the kind it was written as.
    let reports = check_all(&dir.0, &s);
    let bad = findings(&reports);
    assert!(
        bad.is_empty(),
        "clean realistic month has findings:\n{}",
        show(&bad)
    );
    only_expected_infos(&reports);
    for ((_, want), (path, got)) in s.files.iter().zip(&s.kinds).zip(kinds_of(&reports)) {
        assert_eq!(got, Some(*want), "{path}");
    }
    // 医科 outpatient receipts of a clinic's size (a median of 450..=800 bytes, most of them
    // 300..=900), inpatient ones of several KB; counted from the files.
    let (mut outpatient, mut inpatient) = (Vec::new(), Vec::new());
    for (rel, kind) in s.files.iter().zip(&s.kinds) {
        if *kind == "medical" {
            for (inp, n) in medical_receipt_sizes(&fs::read(dir.0.join(rel)).unwrap()) {
                if inp {
                    inpatient.push(n as u64);
                } else {
                    outpatient.push(n as u64);
                }
            }
        }
    }
    let m = median(&mut outpatient);
    assert!(
        (450..=800).contains(&m),
        "median 医科 outpatient receipt {m} B"
    );
    let within = outpatient
        .iter()
        .filter(|&&n| (300..=900).contains(&n))
        .count();
    assert!(
        within * 10 >= outpatient.len() * 8,
        "{within} of {} outpatient receipts in 300..=900 B",
        outpatient.len()
    );
    assert!(
        inpatient.len() * 10 < outpatient.len(),
        "{} inpatient, {} outpatient",
        inpatient.len(),
        outpatient.len()
    );
    if !inpatient.is_empty() {
        assert!(median(&mut inpatient) >= 2000, "{inpatient:?}");
    }
    // The summary's sizes are the files' (the same receipts in the same order).
    let mut from_summary: Vec<u64> = s.receipt_bytes[0].iter().map(|&n| n as u64).collect();
    assert_eq!(median(&mut from_summary), m);
    assert_eq!(s.receipt_bytes[0].len(), outpatient.len());
    assert_eq!(s.receipt_bytes[1].len(), inpatient.len());
}

#[test]
fn realistic_defects_are_reported_where_listed() {
    let dir = Scratch::new("realistic-defects");
    let o = realistic(&dir.0, gen::MonthKind::Mixed, 3000, 11, 0.2);
    let (s, injected) = defects_in_month_are_reported_exactly(&o);
    assert_eq!(s.receipts, 3000);
    assert!(injected.len() > 300, "{} defects", injected.len());
    let codes: BTreeSet<&str> = injected.iter().map(|(_, _, c)| c.as_str()).collect();
    assert!(codes.len() >= 20, "{codes:?}");
    // A realistic 医科 month with --files: a two-volume facility among its 34 files, and its
    // defects found too (S005 / S014 across the volumes).
    let dir = Scratch::new("realistic-volumes");
    let mut o = realistic(&dir.0, gen::MonthKind::Medical, 3400, 5, 0.2);
    o.files = 34;
    let (s, injected) = defects_in_month_are_reported_exactly(&o);
    assert_eq!(s.files.len(), 34);
    assert_eq!(s.multi_volume, 1);
    assert!(s.files.iter().any(|f| f.ends_with("/VOL02/RECEIPTC.UKE")));
    assert!(injected.iter().any(|(f, _, _)| f.contains("/VOL0")));
    // A defect in every receipt of a realistic 医科 month: each kind is placed in the
    // smaller outpatient receipts too.
    let dir = Scratch::new("realistic-every");
    let o = realistic(&dir.0, gen::MonthKind::Medical, 1200, 3, 1.0);
    let (_, injected) = defects_in_month_are_reported_exactly(&o);
    let codes: BTreeSet<&str> = injected.iter().map(|(_, _, c)| c.as_str()).collect();
    let all: BTreeSet<&str> = gen::DEFECTS.iter().map(|d| d.code()).collect();
    assert_eq!(codes, all);
}

#[test]
fn realistic_plan_gives_skewed_facility_sizes() {
    let plan = |kind, receipts, files| {
        let mut o = realistic(Path::new("x"), kind, receipts, 7, 0.0);
        o.files = files;
        gen::realistic_plan(&o)
    };
    // Half a million receipts: about 800 facilities of 50..=5000, median 450..=600, mean
    // about 630, a few % of the 医科 ones in two volumes.
    for kind in [gen::MonthKind::Medical, gen::MonthKind::Mixed] {
        let p = plan(kind, 500_000, 0);
        let mut sizes: Vec<u64> = p.iter().map(|f| f.receipts()).collect();
        assert_eq!(sizes.iter().sum::<u64>(), 500_000);
        assert!(
            (760..=830).contains(&sizes.len()),
            "{} facilities",
            sizes.len()
        );
        assert!(sizes.iter().all(|n| (50..=5000).contains(n)));
        let m = median(&mut sizes);
        assert!((450..=600).contains(&m), "{kind:?}: median {m}");
        let medical = p
            .iter()
            .filter(|f| f.kind == gen::FileKind::Medical)
            .count();
        let two = p.iter().filter(|f| f.volumes.len() == 2).count();
        assert!(
            two > 0 && two * 100 <= medical * 6,
            "{two} of {medical} 医科 facilities in two volumes"
        );
        assert!(p
            .iter()
            .all(|f| f.volumes.iter().all(|&v| v > 0) && f.volumes.len() <= 2));
        assert!(p
            .iter()
            .all(|f| f.volumes.len() == 1 || f.kind == gen::FileKind::Medical));
    }
    // Mixed: 歯科 clinics smaller than pharmacies, DPC hospitals few and large.
    let p = plan(gen::MonthKind::Mixed, 500_000, 0);
    let of = |k| -> Vec<u64> {
        p.iter()
            .filter(|f| f.kind == k)
            .map(|f| f.receipts())
            .collect()
    };
    let (mut d, mut ph, mut q) = (
        of(gen::FileKind::Dental),
        of(gen::FileKind::Pharmacy),
        of(gen::FileKind::Dpc),
    );
    assert!(median(&mut d) * 3 / 2 < median(&mut ph), "{d:?} {ph:?}");
    assert!(!q.is_empty() && q.len() * 50 < p.len() && median(&mut q) > median(&mut ph));
    // --files N: N files (two-volume facilities counting twice), the sizes scaled to the
    // receipts.
    for (kind, receipts, files) in [
        (gen::MonthKind::Medical, 20_000, 20),
        (gen::MonthKind::Mixed, 20_000, 20),
        (gen::MonthKind::Medical, 100_000, 10),
        (gen::MonthKind::Dental, 1_000, 100),
        (gen::MonthKind::Medical, 3_400, 34),
    ] {
        let p = plan(kind, receipts, files);
        let n: usize = p.iter().map(|f| f.volumes.len()).sum();
        assert_eq!(n, files, "{kind:?} {receipts} {files}");
        assert_eq!(p.iter().map(|f| f.receipts()).sum::<u64>(), receipts);
        let sizes: BTreeSet<u64> = p.iter().map(|f| f.receipts()).collect();
        let (min, max) = (sizes.first().unwrap(), sizes.last().unwrap());
        assert!(*max >= 2 * min, "skewed: {sizes:?}");
    }
    // The plan is a pure function of the options.
    assert_eq!(
        plan(gen::MonthKind::Mixed, 50_000, 0),
        plan(gen::MonthKind::Mixed, 50_000, 0)
    );
}
