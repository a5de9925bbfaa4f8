//! Layer benchmarks on a generated month (divan): parser, scan with rules, resolution and
//! rendering, each with its byte throughput, so a change can be measured where it is made.
//!
//! `cargo bench --bench scan` generates 5,000 receipts (~10 MB, seed 7, 1 % injected defects
//! so the renderers have findings to write) with `examples/gen_month.rs` into a temporary
//! folder, then measures:
//! - `parse`: line and field splitting of the whole file (the parser layer only);
//! - `check`: `check_bytes`, the whole per-file check (parser, every rule, facts), on 1 and on 2
//!   threads; `check` minus `parse` is the cost of the rules;
//! - `resolve`: insured-number resolution over the file's facts;
//! - `render`: the JSON and text renderers over the file's report.
//!
//! Whole-file, month-scale figures (wall time against `wc -l`, peak RSS) come from
//! `benches/month.sh`.

#[path = "../examples/gen_month.rs"]
mod gen;

use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use recelint::batch;
use recelint::check::{check_bytes, CheckOptions, FileReport};
use recelint::parse::split::split_line;
use recelint::parse::Lines;
use recelint::render::{render_all, Format, Style};
use recelint::report::Lang;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// The generated file's bytes, made once per run.
fn month() -> &'static [u8] {
    static DATA: OnceLock<Vec<u8>> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("recelint-bench-scan-{}", std::process::id()));
        let mut opts = gen::Opts::new(&dir, 5_000, 7);
        opts.defect_rate = 0.01;
        let summary = gen::generate(&opts).expect("generate the month");
        let bytes = std::fs::read(dir.join(&summary.files[0])).expect("read the month");
        let _ = std::fs::remove_dir_all(&dir);
        bytes
    })
}

/// The month's checked and resolved report; `source_lines` as the text format asks for.
fn report(source_lines: bool) -> FileReport {
    let opts = CheckOptions {
        source_lines,
        ..CheckOptions::default()
    };
    let mut reports = vec![check_bytes("bench.UKE", month(), &opts)];
    batch::resolve(&mut reports, batch::Evidence::default());
    reports.pop().expect("one report")
}

#[divan::bench]
fn parse(b: Bencher) {
    let data = month();
    let (mut words, mut spans) = (Vec::new(), Vec::new());
    b.counter(BytesCount::of_slice(data)).bench_local(|| {
        let mut fields = 0usize;
        for line in Lines::new(black_box(data), 0, 1) {
            words.clear();
            fields += split_line(line.raw, &mut words, &mut spans, 0).fields;
        }
        fields
    });
}

#[divan::bench(args = [1, 2])]
fn check(b: Bencher, threads: usize) {
    let data = month();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool");
    let opts = CheckOptions::default();
    b.counter(BytesCount::of_slice(data))
        .bench_local(|| pool.install(|| check_bytes("bench.UKE", black_box(data), &opts)));
}

#[divan::bench]
fn resolve(b: Bencher) {
    let data = month();
    b.counter(BytesCount::of_slice(data))
        .with_inputs(|| vec![check_bytes("bench.UKE", data, &CheckOptions::default())])
        .bench_local_values(|mut reports| {
            batch::resolve(&mut reports, batch::Evidence::default());
            reports
        });
}

#[divan::bench(args = ["json", "text"])]
fn render(b: Bencher, format: &str) {
    let format = if format == "json" {
        Format::Json
    } else {
        Format::Text
    };
    let reports = vec![report(format == Format::Text)];
    let style = Style {
        lang: Lang::Ja,
        verbose: false,
        color: false,
        quiet: false,
    };
    b.counter(BytesCount::of_slice(month()))
        .bench_local(|| render_all(format, style, black_box(&reports)));
}
