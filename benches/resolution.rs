//! Cost of insured-number resolution against the scan it follows.
//!
//! `cargo bench --bench resolution` builds a claim file of about 60 MB in memory from the
//! bundled sample (receipts renumbered, patients made distinct, every tenth a 不詳 claim for a
//! patient seen elsewhere in the batch), then times, median of 7 runs each:
//! (a) the scan (`check_bytes`, which also emits the per-receipt facts), and
//! (b) resolution (`batch::resolve`: index the facts, resolve every receipt).
//! It prints both and the ratio b / a. A plain timing harness: the figure that matters is a
//! ratio of two medians on the same machine, not an absolute time.
//!
//! Then the same for a mixed month (`gen_month --kind mixed`: 医科, 歯科 and 調剤 facilities,
//! one file each, about 30,000 receipts): every file scanned, then one resolution over all
//! their reports, as a run over a month's folder does.
//!
//! Last, the cost of the オンライン資格確認 result files: a month of about 200,000 receipts
//! from the sample, and one small result file (XML, about 1.6 KB, in a `res` folder under a
//! temporary directory) for each of its first 100,000 ordinary claims, answering for the
//! patient and the card claimed. It times (c) reading the folder (`onshi::read`) and (d)
//! resolution with that folder as evidence, against (a) + (b) of the same month, and, as the
//! floor under (c), opening and reading the same files with nothing parsed; median of 3
//! (the files are in the page cache after they are written: a first run on a cold disk reads
//! them from the disk too).

#[path = "../examples/gen_month.rs"]
mod gen;

use recelint::batch;
use recelint::check::{check_bytes, CheckOptions};
use std::time::{Duration, Instant};

fn sample_records() -> Vec<String> {
    let twin = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/sample/RECEIPTC.UKE.txt"
    ))
    .unwrap();
    twin.lines()
        .filter(|l| !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn build(target_bytes: usize) -> (Vec<u8>, usize) {
    build_with(target_bytes, false)
}

/// [`build`], optionally with a card number of its own for every receipt's ordinary HO (as
/// in a real month, where each patient has their own card; the sample's few numbers would
/// otherwise be claimed for every block of patients).
fn build_with(target_bytes: usize, unique_cards: bool) -> (Vec<u8>, usize) {
    let recs = sample_records();
    let ir = recs[0].clone();
    let body: Vec<&String> = recs
        .iter()
        .filter(|l| !l.starts_with("IR") && !l.starts_with("GO"))
        .collect();
    let mut out = vec![ir];
    let mut n = 0usize;
    let mut size = 0usize;
    while size < target_bytes {
        for l in &body {
            let mut l = (*l).clone();
            if l.starts_with("RE,") {
                n += 1;
                let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
                f[1] = n.to_string();
                // A distinct patient per block of 8 receipts (カルテ番号 and birth date).
                f[13] = format!("{}{}", n / 8, &f[13]);
                let day = 1 + (n / 8) % 28;
                let year = 1930 + (n / 8 / 28) % 90;
                f[6] = format!("{year}{:02}{day:02}", 1 + (n / 8 / 28 / 90) % 12);
                l = f.join(",");
            } else if unique_cards
                && l.starts_with("HO,")
                && !l.starts_with("HO,7777777")
                && !l.starts_with("HO,9999999")
            {
                let mut f: Vec<String> = l.split(',').map(str::to_string).collect();
                f[3] = format!("{}", 1_000_000 + n);
                l = f.join(",");
            }
            size += l.len() + 2;
            out.push(l);
        }
    }
    out.push("GO,0,0,99".into());
    let mut text = out.join("\r\n");
    text.push_str("\r\n");
    let mut bytes = recelint::encoding::sjis::encode(&text);
    bytes.push(0x1A);
    (bytes, n)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `-- results`: only the result-file part; `-- read DIR`: read DIR once with
    // `onshi::read` and print what was read (for `valgrind --tool=callgrind`); `-- resolve
    // DIR`: scan the month, then resolve it once with the folder DIR as evidence (for a
    // profiler: the resolution is the part after the scan); `-- write DIR`:
    // write the 100,000 result files into DIR/res and the month into DIR/month.UKE, and stop.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["results"] => return result_files(),
        ["read", dir] => return read_once(dir),
        ["resolve", dir] => return resolve_once(dir),
        ["write", dir] => {
            let (bytes, receipts) = build_with(62 << 20, true);
            let (n, size) = write_results(&bytes, std::path::Path::new(dir));
            // The month itself too, to check it from the command line with the folder.
            std::fs::write(std::path::Path::new(dir).join("month.UKE"), &bytes)
                .expect("write the month");
            println!("{n} result files ({size} bytes) for a month of {receipts} receipts in {dir} (and month.UKE)");
            return;
        }
        _ => {}
    }
    let (bytes, receipts) = build(60 << 20);
    let opts = CheckOptions::default();
    let mut scan = Vec::new();
    let mut resolve = Vec::new();
    for _ in 0..7 {
        let t = Instant::now();
        let r = check_bytes("bench.UKE", &bytes, &opts);
        scan.push(t.elapsed());
        let mut reports = vec![r];
        let t = Instant::now();
        batch::resolve(&mut reports, batch::Evidence::default());
        resolve.push(t.elapsed());
        std::hint::black_box(&reports);
    }
    let (a, b) = (median(scan), median(resolve));
    let mb = bytes.len() as f64 / 1e6;
    println!("file: {mb:.1} MB, {receipts} receipts");
    println!(
        "scan (check_bytes, facts included): median {:.3} s ({:.0} MB/s)",
        a.as_secs_f64(),
        mb / a.as_secs_f64()
    );
    println!(
        "resolution (batch::resolve):        median {:.3} s",
        b.as_secs_f64()
    );
    println!(
        "resolution / scan: {:.1} %",
        100.0 * b.as_secs_f64() / a.as_secs_f64()
    );
    mixed_month();
    result_files();
}

/// One result file answering for the patient of an RE and the card of its HO.
fn result_xml(k: usize, re: &[&str], ho: &[&str]) -> String {
    let field = |v: &[&str], i: usize| v.get(i).copied().unwrap_or("").trim().to_string();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<XmlMsg>
  <MessageHeader>
    <ProcessExecutionTime>20261005093012</ProcessExecutionTime>
    <QualificationConfirmationDate>20261005</QualificationConfirmationDate>
    <MedicalInstitutionCode>1311234567</MedicalInstitutionCode>
    <ArbitraryFileIdentifier>{k}</ArbitraryFileIdentifier>
    <ReferenceClassification>1</ReferenceClassification>
    <SegmentOfResult>1</SegmentOfResult>
    <CharacterCodeIdentifier>0</CharacterCodeIdentifier>
  </MessageHeader>
  <MessageBody>
    <ProcessingResultStatus>1</ProcessingResultStatus>
    <QualificationValidity>1</QualificationValidity>
    <ResultList>
      <ResultOfQualificationConfirmation>
        <InsuredCardClassification>01</InsuredCardClassification>
        <InsurerNumber>{}</InsurerNumber>
        <InsuredCardSymbol>{}</InsuredCardSymbol>
        <InsuredIdentificationNumber>{}</InsuredIdentificationNumber>
        <InsuredBranchNumber>00</InsuredBranchNumber>
        <PersonalFamilyClassification>1</PersonalFamilyClassification>
        <Name>{}</Name>
        <NameKana>ｶｸｳ ｲﾁﾛｳ</NameKana>
        <Sex1>{}</Sex1>
        <Birthdate>{}</Birthdate>
        <QualificationDate>20200401</QualificationDate>
        <InsuredCertificateIssuanceDate>20200401</InsuredCertificateIssuanceDate>
        <InsuredPartialContributionRatio>030</InsuredPartialContributionRatio>
        <InsurerName>テスト健康保険組合</InsurerName>
      </ResultOfQualificationConfirmation>
    </ResultList>
  </MessageBody>
</XmlMsg>
"#,
        field(ho, 1),
        field(ho, 2),
        field(ho, 3),
        field(re, 4),
        field(re, 5),
        field(re, 6),
    )
}

/// Reads the result folder `dir` once (for a profiler).
fn read_once(dir: &str) {
    use recelint::qualify::onshi::{read, Input};
    let (rows, said) = read(vec![Input::Path(dir.into())]);
    println!("{} results, {} reports", rows.len(), said.len());
}

/// Scans the month of [`result_files`] and resolves it once with the result folder `dir` (for a
/// profiler), printing how long each took.
fn resolve_once(dir: &str) {
    use recelint::qualify::onshi::{read, Input};
    let (bytes, _) = build_with(62 << 20, true);
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    for _ in 0..runs {
        let t = Instant::now();
        let mut reports = vec![check_bytes("bench.UKE", &bytes, &CheckOptions::default())];
        let scan = t.elapsed();
        let t = Instant::now();
        let (rows, _) = read(vec![Input::Path(dir.into())]);
        let reading = t.elapsed();
        let t = Instant::now();
        let built = batch::Rows::build(rows.clone());
        let index = t.elapsed();
        drop(built);
        let t = Instant::now();
        recelint::rules::qualification::resolve(&mut reports, &[], rows);
        let resolving = t.elapsed();
        let n: usize = reports.iter().map(|r| r.diagnostics.len()).sum();
        println!(
            "scan {:.3} s; with {dir}: reading {:.3} s, Rows::build {:.3} s, resolution (Rows::build included) {:.3} s; {n} findings",
            scan.as_secs_f64(),
            reading.as_secs_f64(),
            index.as_secs_f64(),
            resolving.as_secs_f64()
        );
    }
}

/// Writes a result file into `dir/res` for each of the first 100,000 ordinary claims of the
/// claim file `bytes`; returns how many and their bytes.
fn write_results(bytes: &[u8], dir: &std::path::Path) -> (usize, usize) {
    let text = recelint::encoding::sjis::decode(bytes).into_owned();
    let res = dir.join("res");
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(&res).expect("create the result folder");
    let lines: Vec<&str> = text.lines().collect();
    let mut n = 0usize;
    let mut size = 0usize;
    for w in lines.windows(2) {
        if n == 100_000 {
            break;
        }
        let (re, ho) = (w[0], w[1]);
        if !re.starts_with("RE,")
            || !ho.starts_with("HO,")
            || ho.starts_with("HO,7777777")
            || ho.starts_with("HO,9999999")
        {
            continue;
        }
        let re: Vec<&str> = re.split(',').collect();
        let ho: Vec<&str> = ho.split(',').collect();
        let x = result_xml(n, &re, &ho);
        size += x.len();
        std::fs::write(res.join(format!("OQSsiquc01res_2026100500{n:06}.xml")), x)
            .expect("write a result file");
        n += 1;
    }
    (n, size)
}

/// Reading 100,000 result files against checking the month they belong to.
fn result_files() {
    use recelint::qualify::onshi::{read, Input};
    // About 200,000 receipts, of which 100,000 ordinary claims get a result file.
    let (bytes, receipts) = build_with(62 << 20, true);
    let dir = std::env::temp_dir().join(format!("recelint-bench-results-{}", std::process::id()));
    let res = dir.join("res");
    let (n, size) = write_results(&bytes, &dir);
    let opts = CheckOptions::default();
    let (mut scan, mut resolve, mut reading, mut with, mut alone) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut rows = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let r = check_bytes("bench.UKE", &bytes, &opts);
        scan.push(t.elapsed());
        let mut plain = vec![r];
        let mut evidenced = vec![check_bytes("bench.UKE", &bytes, &opts)];
        let t = Instant::now();
        batch::resolve(&mut plain, batch::Evidence::default());
        resolve.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(read_alone(&res));
        alone.push(t.elapsed());
        let t = Instant::now();
        let (r, said) = read(vec![Input::Path(res.clone())]);
        reading.push(t.elapsed());
        rows = r.len();
        assert!(said.is_empty(), "every generated result is usable");
        drop(r);
        let t = Instant::now();
        batch::resolve(
            &mut evidenced,
            batch::Evidence {
                qualifications: vec![Input::Path(res.clone())],
                history: Vec::new(),
            },
        );
        with.push(t.elapsed());
        std::hint::black_box((&plain, &evidenced));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let spread = |v: &[Duration]| {
        let mut v = v.to_vec();
        v.sort();
        (v[0].as_secs_f64(), v[v.len() - 1].as_secs_f64())
    };
    let (sa, sr, sc, sw, so) = (
        spread(&scan),
        spread(&resolve),
        spread(&reading),
        spread(&with),
        spread(&alone),
    );
    let (a, b, c, d, o) = (
        median(scan),
        median(resolve),
        median(reading),
        median(with),
        median(alone),
    );
    let check = a + b;
    println!(
        "\nresult files: {n} files ({:.1} MB, {rows} results) for a month of {receipts} receipts ({:.1} MB)",
        size as f64 / 1e6,
        bytes.len() as f64 / 1e6
    );
    println!(
        "scan:                                median {:.3} s (range {:.3}–{:.3})",
        a.as_secs_f64(),
        sa.0,
        sa.1
    );
    println!(
        "resolution without results:          median {:.3} s (range {:.3}–{:.3})",
        b.as_secs_f64(),
        sr.0,
        sr.1
    );
    println!(
        "reading the result folder:           median {:.3} s (range {:.3}–{:.3})",
        c.as_secs_f64(),
        sc.0,
        sc.1
    );
    println!(
        "resolution with the result folder:   median {:.3} s (range {:.3}–{:.3})",
        d.as_secs_f64(),
        sw.0,
        sw.1
    );
    println!(
        "opening and reading the files alone: median {:.3} s (range {:.3}–{:.3}; nothing parsed)",
        o.as_secs_f64(),
        so.0,
        so.1
    );
    println!(
        "reading / check of the month: {:.1} % (the files alone: {:.1} %); (resolution with results − without) / check: {:.1} %",
        100.0 * c.as_secs_f64() / check.as_secs_f64(),
        100.0 * o.as_secs_f64() / check.as_secs_f64(),
        100.0 * (d.as_secs_f64() - b.as_secs_f64()) / check.as_secs_f64()
    );
}

/// The floor under reading the folder: its files listed, sorted, opened and read as
/// `onshi::read` does (runs of 64 per task, one buffer each, on every thread), nothing
/// parsed. Returns the bytes read.
fn read_alone(dir: &std::path::Path) -> usize {
    use rayon::prelude::*;
    use std::io::Read;
    let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(dir)
        .expect("list the result folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .collect();
    names.par_sort_unstable();
    names
        .par_chunks(64)
        .map(|run| {
            let mut buf = Vec::with_capacity(16 << 10);
            let mut n = 0;
            for name in run {
                buf.clear();
                let f = std::fs::File::open(dir.join(name)).expect("open a result file");
                f.take(1 << 28)
                    .read_to_end(&mut buf)
                    .expect("read a result file");
                n += buf.len();
            }
            n
        })
        .sum()
}

/// The scan and resolution of a generated mixed month, median of 5.
fn mixed_month() {
    let dir = std::env::temp_dir().join(format!("recelint-bench-mixed-{}", std::process::id()));
    let mut o = gen::Opts::new(&dir, 30_000, 7);
    o.kind = gen::MonthKind::Mixed;
    o.files = 20;
    let summary = gen::generate(&o).expect("generate the mixed month");
    let files: Vec<(String, Vec<u8>)> = summary
        .files
        .iter()
        .map(|f| {
            (
                f.clone(),
                std::fs::read(dir.join(f)).expect("read a generated file"),
            )
        })
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    let opts = CheckOptions::default();
    let (mut scan, mut resolve) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        let mut reports: Vec<_> = files
            .iter()
            .map(|(name, bytes)| check_bytes(name, bytes, &opts))
            .collect();
        scan.push(t.elapsed());
        let t = Instant::now();
        batch::resolve(&mut reports, batch::Evidence::default());
        resolve.push(t.elapsed());
        std::hint::black_box(&reports);
    }
    let (a, b) = (median(scan), median(resolve));
    let mb = summary.bytes as f64 / 1e6;
    let count = |k: &str| summary.kinds.iter().filter(|x| **x == k).count();
    println!(
        "\nmixed month: {} files ({} 医科, {} 歯科, {} 調剤), {mb:.1} MB, {} receipts",
        files.len(),
        count("medical"),
        count("dental"),
        count("pharmacy"),
        summary.receipts
    );
    println!(
        "scan of every file:                 median {:.3} s ({:.0} MB/s)",
        a.as_secs_f64(),
        mb / a.as_secs_f64()
    );
    println!(
        "resolution over the month:          median {:.3} s",
        b.as_secs_f64()
    );
    println!(
        "resolution / scan: {:.1} %",
        100.0 * b.as_secs_f64() / a.as_secs_f64()
    );
}
