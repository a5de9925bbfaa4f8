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
    assert!(codes.iter().all(|c| *c == "C002"), "{codes:?}");
    // Receipts 2, 3 and 7 have ● in the name.
    let receipts: Vec<u32> = r.diagnostics.iter().filter_map(|d| d.receipt).collect();
    assert_eq!(receipts, vec![2, 3, 7]);
}
