//! Cost of insured-number resolution against the scan it follows.
//!
//! `cargo bench --bench resolution` builds a claim file of about 60 MB in memory from the
//! bundled sample (receipts renumbered, patients made distinct, every tenth a 不詳 claim for a
//! patient seen elsewhere in the batch), then times, median of 7 runs each:
//! (a) the scan (`check_bytes`, which also emits the per-receipt facts), and
//! (b) resolution (`batch::resolve`: index the facts, resolve every receipt).
//! It prints both and the ratio b / a. A plain timing harness: the figure that matters is a
//! ratio of two medians on the same machine, not an absolute time.

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
}
