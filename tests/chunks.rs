//! A file is read in chunks that start at receipt boundaries and are scanned in parallel;
//! folding them must give exactly what one pass over the whole file gives — on every
//! fixture, the bundled sample and a generated month, however small the chunks (the public
//! samples: the opt-in suite, `tests/corpus.rs`).

mod common;

#[path = "../examples/gen_month.rs"]
mod gen;

use common::{same_in_chunks, summary};
use recelint::check::{check_bytes, CheckOptions};

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
fn sample_and_a_generated_month_give_the_same_findings_in_chunks() {
    same_in_chunks(
        "sample",
        &std::fs::read(common::root().join("testdata/sample/RECEIPTC.UKE")).unwrap(),
    );
    let d = std::env::temp_dir().join(format!("recelint-chunks-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    let mut o = gen::Opts::new(&d, 400, 7);
    o.defect_rate = 0.3;
    o.files = 2;
    gen::generate(&o).unwrap();
    let mut n = 0;
    let mut todo = vec![d.clone()];
    while let Some(dir) = todo.pop() {
        for e in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("uke")) {
                same_in_chunks(&p.display().to_string(), &std::fs::read(&p).unwrap());
                n += 1;
            }
        }
    }
    assert!(n >= 2, "the generator wrote {n} files");
    let _ = std::fs::remove_dir_all(&d);
}

/// Reads at most 4,099 bytes at a time, as a pipe may.
struct ShortReads<'a>(&'a [u8]);

impl std::io::Read for ShortReads<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(4099).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// A stretch of more than 16 MiB with no receipt boundary is cut at a line end for memory's
/// sake; where it is cut must depend on the bytes only. It used to depend on how much the
/// last read had returned, so a file and the same bytes on a pipe gave different findings.
#[test]
fn a_long_receipt_is_cut_alike_whatever_the_reads_return() {
    let mut bytes = b"IR,1,13,1,1234567,,\x83e\x83X\x83g,202610,00,\r\n".to_vec();
    bytes.extend_from_slice(
        b"RE,1,1112,202610,\x83e\x83X\x83g,1,19600101,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n",
    );
    bytes.extend_from_slice(b"HO,06132013,1,1,1,1,,,,,,,,,\r\n");
    let line = b"SY,0000999,20240101,1,,,,\r\n";
    while bytes.len() < (17 << 20) {
        bytes.extend_from_slice(line);
    }
    bytes.extend_from_slice(b"GO,1,0,99\r\n\x1a");
    let opts = CheckOptions::default();
    let whole = check_bytes("long.UKE", &bytes, &opts);
    let piped =
        recelint::check::check_reader("long.UKE", ShortReads(&bytes), &opts).expect("in memory");
    assert_eq!(summary(&whole), summary(&piped));
    assert!(whole.records > 600_000);
}
