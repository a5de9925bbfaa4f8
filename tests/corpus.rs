//! The opt-in suite over the third-party public sample files (MIT), checked with their
//! findings asserted. None may crash the tool; the LF-only and 和暦 files are still checked.
//! It runs only when the corpus folder is given:
//! `RECELINT_PUBLIC_CORPUS=<folder> cargo test --test corpus` (`.ci/run` does this after
//! `cargo test`); without it every test here says it was skipped and passes.

mod common;

use recelint::report::Severity;
use std::collections::BTreeMap;

fn counts(r: &recelint::check::FileReport) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for d in &r.diagnostics {
        *m.entry(d.rule.code).or_default() += 1;
    }
    m
}

/// Every file of the public samples this suite knows.
const FILES: [&str; 3] = [
    "receiptisan/RECEIPTC_GAIRAI_SAMPLE.UKE",
    "receparser/ikasample.csv",
    "receparser/dpcsample.csv",
];

fn read(rel: &str) -> Option<Vec<u8>> {
    let p = common::corpus(rel)?;
    Some(std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
}

fn check(rel: &str) -> Option<recelint::check::FileReport> {
    Some(common::check(rel, &read(rel)?))
}

#[test]
fn receiptisan_outpatient_sample() {
    let Some(r) = check("receiptisan/RECEIPTC_GAIRAI_SAMPLE.UKE") else {
        return;
    };
    assert_eq!(r.receipts, 75);
    let c = counts(&r);
    // GO,140,86392,99 is right by the spec rule (HO + KO records, not receipts): no S010/S011.
    assert_eq!(c.get("S010"), None);
    assert_eq!(c.get("S011"), None);
    assert_eq!(c.get("F003"), None, "CR LF throughout");
    assert_eq!(c.get("F004"), Some(&1), "no 0x1A at the end");
    // 70 of the 75 receipts carry no SY record.
    assert_eq!(c.get("S007"), Some(&70));
    // The 600+ byte 傷病名 and 22-character names exceed their fields.
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.rule.code == "V002" && d.line == Some(7) && d.field == Some(5)));
    assert_eq!(c.get("V002"), Some(&29));
    // 83136019 is a local program with a wrong check digit: a warning, not an error.
    let i004: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "I004")
        .collect();
    assert_eq!(i004.len(), 1);
    assert_eq!(i004[0].severity, Severity::Warning);
    assert_eq!(i004[0].value.as_deref(), Some("83136019"));
    // 受給者番号 000000 has 6 digits.
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.rule.code == "I005" && d.value.as_deref() == Some("000000")));
    assert_eq!(
        c.get("I002"),
        None,
        "every 保険者番号 in the sample has a valid check digit"
    );
    // Receipt 66 gives a date of birth (20211111) after its month of care (202110).
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.rule.code == "V010" && d.line == Some(563) && d.field == Some(6)));
    assert_eq!(c.get("V010"), Some(&1));
    for quiet in ["V011", "V012", "I009", "S017"] {
        assert_eq!(c.get(quiet), None, "{quiet}");
    }
}

#[test]
fn receparser_ika_sample_wareki_and_two_headers() {
    let Some(r) = check("receparser/ikasample.csv") else {
        return;
    };
    assert_eq!(r.receipts, 9);
    let c = counts(&r);
    assert_eq!(c.get("V009"), Some(&1), "和暦 dates reported once per file");
    let v009 = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "V009")
        .unwrap();
    assert!(
        v009.args.iter().any(|a| a
            .get(recelint::report::Lang::En)
            .parse::<u32>()
            .unwrap_or(0)
            > 100),
        "{:?}",
        v009.args
    );
    assert_eq!(
        c.get("V005"),
        None,
        "valid 和暦 dates are not impossible dates"
    );
    // Insurer-side data (EX, RC, MN, JY records, two files joined, no GO): one S019 instead
    // of S003 for those records and of the findings about the make-up of a facility's file
    // (the second IR at line 186, the HO after the SI records at line 632, no GO).
    assert_eq!(c.get("S019"), Some(&1));
    for quiet in ["S002", "S003", "S016"] {
        assert_eq!(c.get(quiet), None, "{quiet}");
    }
    // The last record has no line end.
    assert_eq!(c.get("F003"), Some(&1));
    assert_eq!(
        c.get("S009"),
        Some(&1),
        "RE with 36 fields (an older edition)"
    );
}

#[test]
fn receparser_dpc_sample_gives_only_what_a_reader_agrees_with() {
    // It begins with IR like a 医科 file; its BU records make it DPC. It is insurer-side data
    // (MN, EX, RC, JY records, several files joined, no GO): its LF line ends, its 和暦 dates
    // and one finding that those records are not part of a claim file; nothing about its
    // make-up as a file, no misfire of the 総括 groups (shared レセプト番号, SB diagnoses) and
    // no DPC arithmetic finding (its HH and GT add up).
    let Some(r) = check("receparser/dpcsample.csv") else {
        return;
    };
    assert_eq!(r.kind, Some(recelint::kind::Kind::Dpc));
    assert_eq!(
        counts(&r).into_iter().collect::<Vec<_>>(),
        vec![("F003", 1), ("S019", 1), ("V009", 1)]
    );
    let s019 = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "S019")
        .unwrap();
    let m = s019.message(recelint::report::Lang::Ja);
    assert!(m.contains("MN 3") && m.contains("RC 6"), "{m}");
    assert_eq!(r.receipts, 14, "each RE, a 総括 group's too");
}

#[test]
fn receparser_dpc_sample_lf_only() {
    // Forced to 医科 (`--kind medical`), it is read through: LF line ends, the DPC records
    // named for what they are.
    let Some(bytes) = read("receparser/dpcsample.csv") else {
        return;
    };
    let r = recelint::check::check_bytes(
        "receparser/dpcsample.csv",
        &bytes,
        &recelint::check::CheckOptions {
            source_lines: true,
            kind: Some(recelint::kind::Kind::Medical),
            ..Default::default()
        },
    );
    assert_eq!(r.receipts, 14);
    let f003: Vec<_> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "F003")
        .collect();
    assert_eq!(f003.len(), 1, "one F003 per file");
    assert_eq!(f003[0].line, Some(1));
    assert_eq!(f003[0].args[1], "3382", "every line ends with LF only");
    let c = counts(&r);
    assert_eq!(c.get("V009"), Some(&1));
    // DPC records are named for what they are.
    let bu = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "S003" && d.args[0] == "BU")
        .expect("BU reported");
    assert!(bu.message(recelint::report::Lang::Ja).contains("DPC"));
    assert_eq!(bu.args[1], "8");
}

#[test]
fn every_corpus_file_is_checked_without_panicking_and_in_order() {
    for rel in FILES {
        let Some(r) = check(rel) else {
            return;
        };
        let keys: Vec<_> = r.diagnostics.iter().map(|d| d.sort_key()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{rel}: output order is (line, field, code)");
    }
}

#[test]
fn corpus_files_give_the_same_findings_in_chunks() {
    for rel in FILES {
        let Some(bytes) = read(rel) else {
            return;
        };
        common::same_in_chunks(rel, &bytes);
    }
}
