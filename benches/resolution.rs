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
