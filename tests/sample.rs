//! The bundled sample (the README's first command) is clean, and its Shift_JIS bytes are
//! exactly its UTF-8 twin.

mod common;

#[test]
fn sample_twin_matches() {
    let dir = common::root().join("testdata/sample");
    let built = common::load(&dir.join("RECEIPTC.UKE.txt")).bytes;
    let path = dir.join("RECEIPTC.UKE");
    if std::env::var_os("RECELINT_BLESS").is_some() {
        std::fs::write(&path, &built).unwrap();
    }
    let on_disk = std::fs::read(&path)
        .expect("testdata/sample/RECEIPTC.UKE (RECELINT_BLESS=1 cargo test writes it)");
    assert!(
        on_disk == built,
        "RECEIPTC.UKE differs from its twin; run RECELINT_BLESS=1 cargo test --test sample"
    );
}

#[test]
fn sample_is_clean_with_only_black_circle_infos() {
    let path = common::root().join("testdata/sample/RECEIPTC.UKE");
    let r = common::check("RECEIPTC.UKE", &std::fs::read(path).unwrap());
    let codes = common::codes(&r);
    assert_eq!(r.receipts, 8);
    // Only infos: ● names (C002: receipts 2, 3, 7), the 不詳 fills (Q001: 6, 7), the disaster
    // fill (Q010: 8).
    let infos: Vec<(&str, u32)> = r
        .diagnostics
        .iter()
        .map(|d| (d.rule.code, d.receipt.unwrap_or(0)))
        .collect();
    assert_eq!(
        infos,
        vec![
            ("C002", 2),
            ("C002", 3),
            ("Q001", 6),
            ("C002", 7),
            ("Q001", 7),
            ("Q010", 8)
        ],
        "{codes:?}"
    );
    assert!(r
        .diagnostics
        .iter()
        .all(|d| d.severity == recelint::report::Severity::Info));
    let b = r.breakdown;
    assert_eq!(
        (
            b.current,
            b.past,
            b.unknown_fill,
            b.disaster_fill,
            b.black_circle_names
        ),
        (4, 0, 2, 1, 3)
    ); // receipt 5 is 公費 only (no HO)
}
