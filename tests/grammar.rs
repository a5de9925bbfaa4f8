//! The embedded grammar has every record and table the rules use, with the field counts of
//! the 記録条件仕様 (医科) §2.17.

use recelint::kind::grammar::Grammar;
use recelint::kind::layout::{Layout, RECORDS_USED, TABLES_USED};
use recelint::kind::{Kind, Spec};

fn medical() -> &'static Grammar {
    &Spec::medical().grammar
}

#[test]
fn every_kind_checked_has_everything_the_rules_use() {
    for k in Kind::ALL.into_iter().filter(|k| k.def().supported) {
        let g = &k.spec().expect("a kind checked has a grammar").grammar;
        for id in RECORDS_USED {
            assert!(g.record_by_id(id).is_some(), "{k:?}: record {id} missing");
        }
        for t in TABLES_USED {
            assert!(g.table(t).is_some(), "{k:?}: table {t} missing");
        }
        // Every key and table a rule reads resolves (this is what the checker does at start).
        Layout::resolve(g, k.def()).expect("layout resolves");
        // Every table a field names exists (the loader resolves names to indexes).
        for r in &g.records {
            for f in &r.fields {
                if let Some(t) = f.table {
                    assert!(t < g.tables.len());
                }
            }
        }
    }
}

#[test]
fn field_counts_match_the_specification() {
    let g = medical();
    let expected = [
        ("IR", 10),
        ("RE", 38),
        ("HO", 15),
        ("KO", 12),
        ("SN", 9),
        ("JD", 33),
        ("MF", 33),
        ("GR", 3),
        ("SY", 8),
        ("SI", 44),
        ("IY", 44),
        ("TO", 48),
        ("CO", 5),
        ("SJ", 3),
        ("TI", 10),
        ("TR", 18),
        ("TS", 5),
        ("GO", 4),
    ];
    for (id, n) in expected {
        let r = g
            .record_by_id(id)
            .unwrap_or_else(|| panic!("record {id} missing"));
        assert_eq!(r.fields.len(), n, "{id}");
        assert_eq!(r.fields[0].name, "レコード識別情報", "{id} field 0");
    }
    assert_eq!(g.records.len(), expected.len());
}

#[test]
fn code_tables_hold_the_codes_rules_rely_on() {
    let g = medical();
    let kinds = g.table("receipt_kind").unwrap();
    assert_eq!(kinds.codes.len(), 108);
    assert!(!kinds.contains(b"1450"));
    for k in ["1112", "1122", "1318", "1212", "1111", "1456"] {
        assert!(kinds.contains(k.as_bytes()), "{k}");
    }
    let payers = g.table("futan_payers").unwrap();
    assert_eq!(payers.get(b"1"), Some("H"));
    assert_eq!(payers.get(b"2"), Some("H1"));
    assert_eq!(payers.get(b"9"), Some("H1234"));
    assert_eq!(g.table("futan").unwrap().codes.len(), payers.codes.len());
    assert_eq!(g.table("prefecture").unwrap().codes.len(), 47);
    assert!(g.table("kakunin").unwrap().contains(b"01"));
}

#[test]
fn a_bad_grammar_is_refused_with_a_reason() {
    let tables = "[tables.x]\nname = \"x\"\nen = \"x\"\n[tables.x.codes]\n\"1\" = \"one\"\n";
    let rec = "[[record]]\nid = \"ZZ\"\nname = \"z\"\nen = \"z\"\nscope = \"file\"\nfields = [ { name = \"a\", en = \"a\", mode = \"num\", bytes = 1, table = \"nope\" } ]\n";
    let e = Grammar::from_toml(rec, tables).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
    let ok = rec.replace("nope", "x");
    let g = Grammar::from_toml(&ok, tables).unwrap();
    assert_eq!(g.record_by_id("ZZ").unwrap().fields.len(), 1);
}

#[test]
/// The 歯科 layouts parse with the same schema, over the shared tables and the dental-only
/// ones, and every record has the field count of the dental specification (the project's
/// dental notes, §3.14).
fn dental_grammar_parses_with_the_specified_field_counts() {
    let (records, tables) = Kind::Dental.grammar_text().unwrap();
    let g = Grammar::from_toml(records, &tables).unwrap_or_else(|e| panic!("{e}"));
    let want = [
        ("UK", 10),
        ("IR", 9),
        ("RE", 27),
        ("HO", 14),
        ("KO", 10),
        ("SN", 9),
        ("JD", 33),
        ("MF", 33),
        ("HS", 13),
        ("SS", 109),
        ("SI", 38),
        ("IY", 39),
        ("TO", 45),
        ("CO", 11),
        ("SJ", 3),
        ("GO", 4),
    ];
    for (id, n) in want {
        let r = g
            .lookup(id.as_bytes())
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(g.record(r).fields.len(), n, "{id}");
    }
    assert_eq!(
        g.records.len(),
        want.len(),
        "no record beyond the specification's"
    );
    // The shared keys the rules read are where the dental layout puts them.
    assert_eq!(g.key("UK", "claim_ym"), Some(7));
    assert_eq!(g.key("RE", "birth_date"), Some(6));
    assert_eq!(g.key("HO", "insurer_number"), Some(1));
}
