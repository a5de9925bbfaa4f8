//! A file is read in chunks that start at receipt boundaries and are scanned in parallel;
//! folding them must give exactly what one pass over the whole file gives — on every
//! fixture, the public samples and the bundled sample, however small the chunks.

mod common;

use recelint::check::{check_bytes, CheckOptions, FileReport};

fn summary(r: &FileReport) -> Vec<String> {
    let mut v: Vec<String> = r.diagnostics.iter().map(common::diag_summary).collect();
    v.push(format!(
        "receipts {} records {} labels {:?}",
        r.receipts,
        r.records,
        r.labels
            .iter()
            .map(|(k, l)| (k, l.line))
            .collect::<Vec<_>>()
    ));
    v.push(format!("breakdown {:?}", r.breakdown));
    v.extend(r.facts.iter().map(|f| {
        format!(
            "fact {} {} {} {} {:?} {:?}",
            f.line,
            f.receipt,
            f.re_line,
            f.ho_offset(),
            f.claim(),
            f.keys()
        )
    }));
    v
}

fn same_in_chunks(name: &str, bytes: &[u8]) {
    let whole = check_bytes(
        name,
        bytes,
        &CheckOptions {
            source_lines: true,
            chunk_size: usize::MAX / 4,
            ..Default::default()
        },
    );
    for size in [1, 100, 4096] {
        let chunked = check_bytes(
            name,
            bytes,
            &CheckOptions {
                source_lines: true,
                chunk_size: size,
                ..Default::default()
            },
        );
        assert_eq!(
            summary(&whole),
            summary(&chunked),
            "{name} with chunks of {size} bytes"
        );
    }
}

#[test]
fn fixtures_give_the_same_findings_in_chunks() {
    let dir = common::root().join("testdata/rules");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let f = common::load(&e.path());
        same_in_chunks(&e.file_name().to_string_lossy(), &f.bytes);
        n += 1;
    }
    assert!(n > 50);
}

#[test]
fn corpus_and_sample_give_the_same_findings_in_chunks() {
    for rel in [
        "receiptisan/RECEIPTC_GAIRAI_SAMPLE.UKE",
        "receparser/ikasample.csv",
        "receparser/dpcsample.csv",
    ] {
        same_in_chunks(rel, &std::fs::read(common::corpus(rel)).unwrap());
    }
    same_in_chunks(
        "sample",
        &std::fs::read(common::root().join("testdata/sample/RECEIPTC.UKE")).unwrap(),
    );
}
