//! A month resolved a facility at a time (`batch::plan` + `batch::stream`, as the command
//! line does it) gives exactly the findings of resolving the whole batch at once
//! (`batch::resolve`), for any window, and shards together give exactly the unsharded run.

mod common;

use common::{build, check, diag_summary};
use recelint::batch::Rows;
use recelint::batch::{self, Evidence, Place, Shard, Steps};
use recelint::check::FileReport;
use recelint::qualify::onshi::{self, Input};
use std::collections::BTreeMap;

const A: &str = "1234567";
const B: &str = "7654321";
const C: &str = "1111111";
const D: &str = "9999999";

fn ir(facility: &str) -> String {
    format!("IR,1,13,1,{facility},,テスト医院,202611,00,03-1234-5678")
}

/// One receipt: カルテ番号, name, birth date, and its HO (保険者番号, 記号, 番号).
fn receipt(n: u32, karte: &str, name: &str, birth: &str, ho: (&str, &str, &str)) -> String {
    let fill = ho.0.starts_with("7777777");
    let mut s = format!(
        "RE,{n},1112,202610,{name},1,{birth},,,,,,,{karte},,,,,,,,,,,,,,,,,,,,,,,,\n\
         HO,{},{},{},1,74,,,,,,,,,\n\
         SY,4659007,20261012,1,,,01,\n\
         SI,12,1,112007410,,74,1,,,,,,,,,,,,,,,,,,1,,,,,,,,,,,,,,,,,,,\n",
        ho.0, ho.1, ho.2
    );
    if fill {
        s.push_str("CO,99,1,810000001,住所　東京都千代田区霞が関１－２－２\n");
        s.push_str("CO,99,1,810000001,連絡先　０３－５２５３－１１１１\n");
    }
    s
}

fn file(facility: &str, receipts: &[String]) -> Vec<u8> {
    let mut s = ir(facility) + "\n";
    for r in receipts {
        s.push_str(r);
    }
    s.push_str(&format!(
        "GO,{},{},99\n",
        receipts.len(),
        74 * receipts.len()
    ));
    build(&s).bytes
}

const FILL: (&str, &str, &str) = ("77777777", "", "7777777");
const YAMADA: (&str, &str, &str) = ("01130012", "１２３", "４５６７");
const SUZUKI: (&str, &str, &str) = ("06123456", "８９", "１０１");

/// Files by name, in order.
type Files = Vec<(String, Vec<u8>)>;

/// The month: inputs (name, bytes) in order, and history files.
fn month() -> (Files, Files) {
    let inputs = vec![
        // A, first volume: 山田 (カルテ 1001) on his qualification.
        (
            "a/VOL01/RECEIPTC.UKE",
            file(A, &[receipt(1, "1001", "山田　太郎", "19700401", YAMADA)]),
        ),
        // B: another patient with the same カルテ 1001, as 不詳: B's history knows him,
        // A's files must not be named.
        (
            "b/RECEIPTC.UKE",
            file(B, &[receipt(1, "1001", "鈴木　一郎", "19800505", FILL)]),
        ),
        // A, second volume: 山田 again as 不詳 (Q005 from the first volume), and カルテ 2002
        // as 不詳, known from the facility-less file below.
        (
            "a/VOL02/RECEIPTC.UKE",
            file(
                A,
                &[
                    receipt(1, "1001", "山田　太郎", "19700401", FILL),
                    receipt(2, "2002", "田中　花子", "19900101", FILL),
                ],
            ),
        ),
        // No 医療機関コード: evidence to every facility.
        (
            "x/RECEIPTC.UKE",
            file("", &[receipt(1, "2002", "田中　花子", "19900101", YAMADA)]),
        ),
        // C: カルテ 2002 as 不詳 too.
        (
            "c/RECEIPTC.UKE",
            file(C, &[receipt(1, "2002", "田中　花子", "19900101", FILL)]),
        ),
        // B again, a patient seen before in A's history only: nothing to name.
        (
            "b2/RECEIPTC.UKE",
            file(B, &[receipt(1, "1003", "佐藤　三郎", "19600303", FILL)]),
        ),
    ];
    let history = vec![
        (
            "h/a.UKE",
            file(A, &[receipt(1, "1003", "佐藤　三郎", "19600303", SUZUKI)]),
        ),
        (
            "h/b.UKE",
            file(B, &[receipt(1, "1001", "鈴木　一郎", "19800505", SUZUKI)]),
        ),
        (
            "h/d.UKE",
            file(D, &[receipt(1, "1001", "鈴木　一郎", "19800505", YAMADA)]),
        ),
        (
            "h/x.UKE",
            file("", &[receipt(1, "1003", "佐藤　三郎", "19600303", YAMADA)]),
        ),
    ];
    let own = |v: Vec<(&str, Vec<u8>)>| v.into_iter().map(|(n, b)| (n.to_string(), b)).collect();
    (own(inputs), own(history))
}

/// Every report's findings, by path.
type Findings = BTreeMap<String, Vec<String>>;

fn findings(reports: &[FileReport]) -> Findings {
    reports
        .iter()
        .map(|r| {
            (
                r.path.clone(),
                r.diagnostics.iter().map(diag_summary).collect(),
            )
        })
        .collect()
}

fn whole_batch() -> Findings {
    whole_batch_with(Vec::new())
}

/// [`whole_batch`] with `--qualifications` evidence.
fn whole_batch_with(qualifications: Vec<Input>) -> Findings {
    let (inputs, history) = month();
    let mut reports: Vec<FileReport> = inputs.iter().map(|(n, b)| check(n, b)).collect();
    let history = history
        .iter()
        .map(|(n, b)| batch::history_report(n, b))
        .collect();
    batch::resolve(
        &mut reports,
        Evidence {
            qualifications,
            history,
        },
    );
    findings(&reports)
}

fn place(bytes: &[u8]) -> Place {
    batch::place(bytes, None)
}

/// The month as the command line runs it; the order reports were handed on in.
fn streamed(window: (u64, usize), shard: Option<Shard>) -> (Findings, Vec<String>) {
    streamed_with(window, shard, Rows::build(Vec::new()))
}

/// [`streamed`] with the evidence rows of `--qualifications`, indexed once for the run.
fn streamed_with(
    window: (u64, usize),
    shard: Option<Shard>,
    rows: Rows,
) -> (Findings, Vec<String>) {
    let (inputs, history) = month();
    let places: Vec<Place> = inputs.iter().map(|(_, b)| place(b)).collect();
    let hplaces: Vec<Place> = history.iter().map(|(_, b)| place(b)).collect();
    let plan = batch::plan(&places, &hplaces, shard);
    let input = |i: usize| check(&inputs[i].0, &inputs[i].1);
    let hist = |i: usize| batch::history_report(&history[i].0, &history[i].1);
    let size = |i: usize| inputs[i].1.len() as u64;
    let steps = Steps {
        input: &input,
        history: &hist,
        size: &size,
        window,
    };
    let mut out = Vec::new();
    let tail = batch::stream(
        &plan,
        &rows,
        &steps,
        &|_, p| std::panic::resume_unwind(p),
        &mut |b| out.extend(b),
    );
    assert!(tail.is_empty());
    let order = out.iter().map(|r| r.path.clone()).collect();
    (findings(&out), order)
}

#[test]
fn the_month_finds_what_it_should() {
    let f = whole_batch();
    let q005 = |path: &str| -> Vec<String> {
        f[path]
            .iter()
            .filter(|d| d.contains("Q005"))
            .cloned()
            .collect()
    };
    // Not vacuous: each case of the month is there.
    let a2 = q005("a/VOL02/RECEIPTC.UKE");
    assert_eq!(a2.len(), 2, "{a2:?}");
    let b = q005("b/RECEIPTC.UKE");
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!(q005("c/RECEIPTC.UKE").len(), 1, "{f:?}");
    // B's 1001 is named from B's history, never from A's 山田 (same カルテ番号) or D's.
    assert!(!b[0].contains("01130012"), "{b:?}");
    assert!(q005("b2/RECEIPTC.UKE").len() <= 1, "{f:?}");
}

#[test]
fn per_facility_resolution_is_the_whole_batch_resolution() {
    let whole = whole_batch();
    let names: Vec<String> = month().0.into_iter().map(|(n, _)| n).collect();
    for window in [(0, 1), (1, 2), (batch::WINDOW_BYTES, batch::WINDOW_FILES)] {
        let (f, order) = streamed(window, None);
        assert_eq!(f, whole, "window {window:?}");
        assert_eq!(order, names, "input order, window {window:?}");
    }
}

#[test]
fn shards_together_are_the_unsharded_run() {
    let whole = whole_batch();
    for n in 1..=4 {
        let mut all = Findings::new();
        for k in 1..=n {
            let (f, _) = streamed((0, 1), Some(Shard { k, n }));
            for (path, d) in f {
                assert!(
                    all.insert(path.clone(), d).is_none(),
                    "{path} in two shards"
                );
            }
        }
        assert_eq!(all, whole, "{n} shards");
    }
}

#[test]
fn a_facility_lands_in_one_shard() {
    let (inputs, _) = month();
    let places: Vec<Place> = inputs.iter().map(|(_, b)| place(b)).collect();
    for n in 2..=5 {
        for p in &places {
            let holders = (1..=n).filter(|&k| Shard { k, n }.holds(p)).count();
            assert_eq!(holders, 1, "{p:?} of {n}");
        }
    }
    assert!(Shard::parse("0/3").is_err());
    assert!(Shard::parse("4/3").is_err());
    assert!(Shard::parse("3").is_err());
    assert_eq!(Shard::parse("2/3"), Ok(Shard { k: 2, n: 3 }));
}

/// オンライン資格確認 results for 山田's card (YAMADA): one whose 資格取得日 is after the
/// month of his care (Q014 in A's first volume), the same answer again, and one for someone else
/// on the card. 田中's claim on the same card in the facility-less file is another person's.
fn results() -> Vec<Input> {
    let xml = |k: u32, name: &str, birth: &str, acquired: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><QualificationConfirmationDate>202610{k:02}</QualificationConfirmationDate><SegmentOfResult>1</SegmentOfResult></MessageHeader>\n<MessageBody><ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>1</QualificationValidity><ResultList><ResultOfQualificationConfirmation><InsurerNumber>01130012</InsurerNumber><InsuredCardSymbol>123</InsuredCardSymbol><InsuredIdentificationNumber>4567</InsuredIdentificationNumber><Name>{name}</Name><Sex1>1</Sex1><Birthdate>{birth}</Birthdate><QualificationDate>{acquired}</QualificationDate></ResultOfQualificationConfirmation></ResultList></MessageBody></XmlMsg>\n"
        )
    };
    [
        (15, "山田　太郎", "19700401", "20261101"),
        (14, "山田　太郎", "19700401", "20261101"),
        (20, "山田　花子", "19720202", "20200401"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (k, name, birth, acquired))| Input::Bytes {
        path: format!("res/OQSsiquc01res_{i}.xml"),
        bytes: Ok(xml(k, name, birth, acquired).into_bytes()),
    })
    .collect()
}

/// The results are indexed once a run (`Rows`, with their by-card table) and every
/// facility's resolution reads them: a facility at a time gives the whole batch's findings.
#[test]
fn per_facility_resolution_with_results_is_the_whole_batch_resolution() {
    let whole = whole_batch_with(results());
    let q014: Vec<&String> = whole
        .values()
        .flatten()
        .filter(|d| d.contains("Q014"))
        .collect();
    assert_eq!(q014.len(), 1, "not vacuous: {whole:?}");
    assert!(whole["a/VOL01/RECEIPTC.UKE"]
        .iter()
        .any(|d| d.contains("Q014")));
    for window in [(0, 1), (1, 2), (batch::WINDOW_BYTES, batch::WINDOW_FILES)] {
        let (rows, said) = onshi::read(results());
        assert!(said.is_empty());
        let (f, _) = streamed_with(window, None, Rows::build(rows));
        assert_eq!(f, whole, "window {window:?}");
    }
}
