//! Messages are a typed pair (Japanese, English), never one string split on a byte: a record
//! id holding any control byte, at any position, shows whole in both languages.

mod common;

use recelint::report::Lang;

/// The bundled sample with one extra record line after the IR record.
fn with_line(line: &[u8]) -> Vec<u8> {
    let b = std::fs::read(common::root().join("testdata/sample/RECEIPTC.UKE")).unwrap();
    let at = b.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    let mut out = b[..at].to_vec();
    out.extend_from_slice(line);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&b[at..]);
    out
}

#[test]
fn control_bytes_in_a_record_id_never_split_a_message() {
    let controls: Vec<u8> = (0x00..=0x1F).chain([0x7F]).collect();
    let mut checked = 0;
    for &c in &controls {
        // Line ends and the end-of-file mark change the file's lines, not the id.
        if matches!(c, b'\r' | b'\n' | 0x1A) {
            continue;
        }
        for pos in 0..=4 {
            let mut id = b"ZZQQ".to_vec();
            id.insert(pos, c);
            let mut line = id.clone();
            line.extend_from_slice(b",1,2");
            let r = common::check("ctl.UKE", &with_line(&line));
            let d = r
                .diagnostics
                .iter()
                .find(|d| d.rule.code == "S003")
                .unwrap_or_else(|| {
                    panic!("0x{c:02X} at {pos}: no S003 in {:?}", common::codes(&r))
                });
            let shown = String::from_utf8(id.clone()).unwrap();
            let (ja, en) = (d.message(Lang::Ja), d.message(Lang::En));
            assert!(ja.contains(&shown), "0x{c:02X} at {pos}: ja {ja:?}");
            assert!(en.contains(&shown), "0x{c:02X} at {pos}: en {en:?}");
            assert!(ja.contains("医科の記録条件仕様"), "ja is Japanese: {ja:?}");
            assert!(
                en.contains("medical specification"),
                "en is English: {en:?}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 30 * 5);
}

#[test]
fn line_breaking_bytes_in_a_record_id_are_reported_without_panic() {
    for c in [b'\r', b'\n', 0x1A] {
        for pos in 0..=4 {
            let mut line = b"ZZQQ".to_vec();
            line.insert(pos, c);
            line.extend_from_slice(b",1,2");
            let r = common::check("ctl.UKE", &with_line(&line));
            for d in &r.diagnostics {
                // Every message renders in both languages, and neither is empty.
                assert!(!d.message(Lang::Ja).is_empty() && !d.message(Lang::En).is_empty());
            }
        }
    }
}
