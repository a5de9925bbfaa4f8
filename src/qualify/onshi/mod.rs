//! Evidence from the オンライン資格確認 result files themselves (`--qualifications PATH`).
//!
//! The 資格確認端末 writes each answer of the system as an XML file: per query in its `res`
//! folder (`OQSsiquc01res_….xml`), per patient at the face-recognition card reader in `face`
//! (`OQSsiquc01res_face_….xml`), and bulk answers (`OQSmuquc02res_….xml`, sometimes zipped).
//! These are what the 「資格（無効）」 screen shows, so they are the best evidence of step ②.
//!
//! `--qualifications` takes any mix of: result files, folders of them (searched recursively,
//! links to files included and links to folders not followed, for `*.xml` and `*.zip`; request files `…req_…` and XML that is not
//! a result are skipped), ZIP archives, and the clinic's CSV ([`super::csv`]). Each input is
//! told by its content, not its name. Every result becomes a [`Row`] of evidence:
//!
//! | 資格有効性 | evidence |
//! |---|---|
//! | 1 有効 | a current qualification as of its 資格確認日 |
//! | 2 無効 | a past (lost) one — the 「資格（無効）」 screen |
//! | 3 無効（新しい資格あり） | a past one when it has a 喪失日; without one, only seen (which of the old and new qualifications the result lists is unconfirmed) |
//! | 4 該当資格なし | that the queried qualification was not found on that date |
//! | 5 複数該当 | nothing: reported once (Q013) |
//!
//! A file or result that cannot be used gets Q012 naming the file, the element and its line;
//! the other results are still used. Results are facility-less, like CSV rows: they belong to
//! the clinic running the check.

pub(crate) mod xml;
pub mod zip;

use super::{Answer, Identity, Row, Status};
use crate::report::{bi, Diagnostic, FileReport};
use crate::rules::args;
use crate::rules::qualification::{self, Q012, Q013};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One input of `--qualifications`.
#[derive(Debug)]
pub enum Input {
    /// A file (result XML, ZIP archive or CSV, told by its content) or a folder of results.
    Path(PathBuf),
    /// Bytes already read: the path as shown, and the bytes or why they could not be read.
    Bytes {
        path: String,
        bytes: Result<Vec<u8>, String>,
    },
}

/// Most Q012 / Q013 findings named for one input; the last one counts the rest.
const MAX_NOTES: usize = 100;

/// What the bytes of an input are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Xml,
    Zip,
    Csv,
}

fn what(bytes: &[u8]) -> What {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return What::Zip;
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    // UTF-16 XML starts with a BOM and '<' as two bytes: taken as XML to say it is not read.
    if first == Some(&b'<')
        || bytes.starts_with(&[0xFF, 0xFE, b'<'])
        || bytes.starts_with(&[0xFE, 0xFF, 0, b'<'])
    {
        What::Xml
    } else {
        What::Csv
    }
}

/// Reads every input: the evidence rows, and a report for each input or file that has
/// something to say (Q011, Q012, Q013, or a reason it could not be read at all).
pub fn read(inputs: Vec<Input>) -> (Vec<Row>, Vec<FileReport>) {
    let mut rows = Vec::new();
    let mut reports = Vec::new();
    for input in inputs {
        let mut said = Vec::new();
        match input {
            Input::Bytes { path, bytes } => match bytes {
                Ok(b) => {
                    one(
                        &path,
                        &b,
                        true,
                        &mut Shared::default(),
                        &mut rows,
                        &mut said,
                    );
                }
                Err(e) => said.push(unreadable(&path, &e)),
            },
            Input::Path(p) => path(&p, &mut rows, &mut said),
        }
        cap(&mut said);
        reports.extend(
            said.into_iter()
                .filter(|r| r.unreadable.is_some() || !r.diagnostics.is_empty()),
        );
    }
    (rows, reports)
}

fn unreadable(path: &str, e: &str) -> FileReport {
    FileReport {
        path: path.to_string(),
        unreadable: Some(format!(
            "資格情報を読み取れません / cannot read the qualification evidence: {e}"
        )),
        ..FileReport::default()
    }
}

/// Keeps the first [`MAX_NOTES`] findings of one input's reports, counting the rest on the
/// last one kept.
fn cap(reports: &mut [FileReport]) {
    let total: usize = reports
        .iter()
        .map(|r| {
            r.diagnostics
                .iter()
                .filter(|d| matches!(d.rule.code, "Q012" | "Q013"))
                .count()
        })
        .sum();
    if total <= MAX_NOTES {
        return;
    }
    let mut left = MAX_NOTES;
    let more = total - MAX_NOTES;
    let mut last: Option<(usize, usize)> = None;
    for (ri, r) in reports.iter_mut().enumerate() {
        let mut k = 0;
        r.diagnostics.retain(|d| {
            if !matches!(d.rule.code, "Q012" | "Q013") {
                return true;
            }
            if left == 0 {
                return false;
            }
            left -= 1;
            k += 1;
            true
        });
        if k > 0 {
            last = Some((ri, r.diagnostics.len() - 1));
        }
    }
    if let Some((ri, di)) = last {
        let d = &mut reports[ri].diagnostics[di];
        if let Some(crate::report::Arg::Bi { ja, en }) = d.args.first_mut() {
            ja.push_str(&format!("（ほかに {more} 件の指摘を省略しました）"));
            en.push_str(&format!(" ({more} more finding(s) left out)"));
        }
    }
}

/// A path named on the command line or in `recelint.toml`.
fn path(p: &Path, rows: &mut Vec<Row>, said: &mut Vec<FileReport>) {
    let shown = p.display().to_string();
    let meta = match std::fs::metadata(p) {
        Ok(m) => m,
        Err(e) => {
            said.push(unreadable(&shown, &e.to_string()));
            return;
        }
    };
    if !meta.is_dir() {
        match read_limited(p) {
            Ok(b) => {
                one(&shown, &b, true, &mut Shared::default(), rows, said);
            }
            Err(e) => said.push(unreadable(&shown, &e)),
        }
        return;
    }
    let mut walked = Walked::default();
    walk(p, &mut walked, said);
    let Walked {
        dirs,
        files,
        others,
    } = walked;
    // The files read and parsed in parallel, a run of them at a time into one buffer, then
    // put back in path order.
    use rayon::prelude::*;
    const RUN: usize = 64;
    let parts: Vec<(Vec<Row>, Vec<FileReport>, usize)> = files
        .par_chunks(RUN)
        .map(|run| {
            let (mut rows, mut said, mut used) = (Vec::new(), Vec::new(), 0usize);
            let mut buf = Vec::with_capacity(16 << 10);
            let mut shared = Shared::default();
            for (dir, name) in run {
                let f = dirs[*dir].join(name);
                // (What `display` shows, without the formatting machinery.)
                let shown = f.to_string_lossy();
                used += usize::from(match read_into(&f, &mut buf) {
                    Ok(()) => one(&shown, &buf, false, &mut shared, &mut rows, &mut said),
                    Err(e) => {
                        said.push(unreadable(&shown, &e));
                        true
                    }
                });
            }
            (rows, said, used)
        })
        .collect();
    let mut results = 0usize;
    rows.reserve(parts.iter().map(|p| p.0.len()).sum());
    for (r, s, used) in parts {
        results += used;
        rows.extend(r);
        said.extend(s);
    }
    if results == 0 {
        said.push(FileReport {
            path: shown,
            unreadable: Some(format!(
                "フォルダに資格確認結果ファイル（XML・ZIP）がありません（ほかのファイル {others} 件） / the folder holds no eligibility result file (XML or ZIP; {others} other file(s))"
            )),
            ..FileReport::default()
        });
    }
}

/// What [`walk`] finds: the folders, and the `*.xml` and `*.zip` files in them (a folder's
/// index and the file's name) in path order, and how many other files there are.
#[derive(Default)]
struct Walked {
    dirs: Vec<PathBuf>,
    files: Vec<(usize, std::ffi::OsString)>,
    others: usize,
}

/// The `*.xml` and `*.zip` files under `dir` (not request files), links to files included,
/// links to folders not followed, in path order: each folder's entries sorted by name, a subfolder's files where its name
/// falls (the order of sorting the paths, without comparing whole paths). The paths are
/// joined by whoever reads the files.
fn walk(dir: &Path, found: &mut Walked, said: &mut Vec<FileReport>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            said.push(unreadable(&dir.display().to_string(), &e.to_string()));
            return;
        }
    };
    // (name, is a folder)
    let mut here: Vec<(std::ffi::OsString, bool)> = Vec::new();
    for e in entries.filter_map(Result::ok) {
        let Ok(t) = e.file_type() else { continue };
        // A link to a file is the file (as for claim files); a link to a folder is not
        // followed (a link back up would never end).
        let is_file = t.is_file()
            || (t.is_symlink() && std::fs::metadata(e.path()).is_ok_and(|m| m.is_file()));
        if t.is_dir() {
            here.push((e.file_name(), true));
        } else if is_file {
            let name = e.file_name();
            if result_like(name.as_encoded_bytes()) {
                here.push((name, false));
            } else {
                found.others += 1;
            }
        }
    }
    // (Names in a folder are distinct: the order is the same on any thread count.)
    rayon::slice::ParallelSliceMut::par_sort_unstable(&mut here[..]);
    let at = found.dirs.len();
    found.dirs.push(dir.to_path_buf());
    for (name, is_dir) in here {
        if is_dir {
            let sub = found.dirs[at].join(name);
            walk(&sub, found, said);
        } else {
            found.files.push((at, name));
        }
    }
}

/// Whether a file name is of a result file or archive: `*.xml` or `*.zip`, without `req_`,
/// in any case (on the name's bytes: what is not ASCII in it cannot be any of these).
fn result_like(name: &[u8]) -> bool {
    let ends = |ext: &[u8]| {
        name.len() >= ext.len() && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext)
    };
    (ends(b".xml") || ends(b".zip")) && !name.windows(4).any(|w| w.eq_ignore_ascii_case(b"req_"))
}

/// Reads a file into `buf` (replacing what it held), as [`read_limited`] does.
fn read_into(p: &Path, buf: &mut Vec<u8>) -> Result<(), String> {
    use std::io::Read;
    let f = std::fs::File::open(p).map_err(|e| e.to_string())?;
    buf.clear();
    // Past the largest archive read, one byte more says it is too large. (Through `take`,
    // the read needs no size of the file first: one read for a small file, one for its end.)
    f.take(zip_limit() as u64 + 1)
        .read_to_end(buf)
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn read_limited(p: &Path) -> Result<Vec<u8>, String> {
    let mut b = Vec::new();
    read_into(p, &mut b)?;
    Ok(b)
}

/// Largest input file read: an archive of bulk results, or a CSV.
fn zip_limit() -> usize {
    (256usize << 20).max(super::csv::MAX_BYTES)
}

/// One file's bytes: its rows onto `rows`, its findings onto `said`. `named` when the user
/// named the file itself (then anything that is not evidence is said so); in a folder, XML
/// that is not a result is skipped. Returns whether the file was evidence at all.
fn one(
    shown: &str,
    b: &[u8],
    named: bool,
    shared: &mut Shared,
    rows: &mut Vec<Row>,
    said: &mut Vec<FileReport>,
) -> bool {
    match what(b) {
        What::Csv => {
            if !named {
                return false;
            }
            let r = qualification::csv_rows(rows, shown, b);
            if r.unreadable.is_some() || !r.diagnostics.is_empty() {
                said.push(r);
            }
            true
        }
        What::Xml => result_file(shown, b, named, shared, rows, said),
        What::Zip => {
            if b.len() > zip_limit() {
                said.push(unreadable(
                    shown,
                    &format!(
                        "ZIP が {} MiB を超えています / the archive is larger than {} MiB",
                        zip_limit() >> 20,
                        zip_limit() >> 20
                    ),
                ));
                return true;
            }
            match zip::xml_entries(b) {
                Err((ja, en)) => said.push(unreadable(shown, &format!("{ja} / {en}"))),
                Ok(entries) => {
                    for e in entries {
                        let name = format!("{shown}!/{}", e.name);
                        match e.bytes {
                            Ok(x) => {
                                result_file(&name, &x, false, shared, rows, said);
                            }
                            Err((ja, en)) => said.push(notes_report(
                                &name,
                                vec![xml::Note {
                                    line: 1,
                                    element: String::new(),
                                    kind: xml::NoteKind::Unusable,
                                    ja,
                                    en,
                                }],
                            )),
                        }
                    }
                }
            }
            true
        }
    }
}

/// One result file: its rows onto `rows`, and a report onto `said` when it has something to
/// say. A file that is not a result file is skipped unless it was `named`. Returns whether
/// the file was evidence (it held a result, or something about it is said).
fn result_file(
    shown: &str,
    b: &[u8],
    named: bool,
    shared: &mut Shared,
    rows: &mut Vec<Row>,
    said: &mut Vec<FileReport>,
) -> bool {
    let parsed = xml::read(b);
    if !parsed.is_result {
        if !named {
            // (Counted as evidence, as before this function pushed its findings itself.)
            return true;
        }
        let n = xml::Note {
            line: 1,
            element: String::new(),
            kind: xml::NoteKind::Unusable,
            ja: "オンライン資格確認の資格確認結果ファイルではありません（ルート XmlMsg に MessageHeader/SegmentOfResult も MessageBody/QualificationValidity もありません。要求ファイル req ではなく結果ファイル res を指定してください）".into(),
            en: "not an eligibility result file (the root XmlMsg has neither MessageHeader/SegmentOfResult nor MessageBody/QualificationValidity; give the res files, not the req files)".into(),
        };
        said.push(notes_report(shown, vec![n]));
        return true;
    }
    let found = parsed.found.len();
    if found > 0 {
        let path: Arc<str> = shown.into();
        rows.extend(parsed.found.into_iter().map(|f| row_of(f, &path, shared)));
    }
    if parsed.notes.is_empty() {
        return found > 0;
    }
    let mut r = notes_report(shown, parsed.notes);
    r.records = found as u32;
    said.push(r);
    true
}

/// A report on a result file carrying its notes as Q012 / Q013.
fn notes_report(shown: &str, notes: Vec<xml::Note>) -> FileReport {
    let mut r = FileReport {
        path: shown.to_string(),
        ..FileReport::default()
    };
    for n in notes {
        let rule = if n.kind == xml::NoteKind::Multiple {
            &Q013
        } else {
            &Q012
        };
        let place = if n.element.is_empty() {
            String::new()
        } else {
            format!("{}: ", n.element)
        };
        r.diagnostics.push(Diagnostic {
            rule,
            severity: rule.severity,
            line: Some(n.line),
            offset: None,
            receipt: None,
            record: None,
            field: None,
            field_name: None,
            span: None,
            value: None,
            args: args![bi(&format!("{place}{}", n.ja), &format!("{place}{}", n.en))],
            source: None,
        });
    }
    r
}

/// Strings the rows of a run of files share instead of holding a copy each: the empty
/// facility, and the element of the last result (a folder's results are all
/// `MessageBody/ResultList/ResultOfQualificationConfirmation`).
#[derive(Default)]
struct Shared {
    empty: Option<Arc<str>>,
    element: Option<Arc<str>>,
}

impl Shared {
    fn empty(&mut self) -> Arc<str> {
        self.empty.get_or_insert_with(|| Arc::from("")).clone()
    }

    fn element(&mut self, e: &str) -> Arc<str> {
        match &self.element {
            Some(a) if **a == *e => a.clone(),
            _ => self.element.insert(Arc::from(e)).clone(),
        }
    }
}

/// A result as evidence.
fn row_of(f: xml::Found, path: &Arc<str>, shared: &mut Shared) -> Row {
    let status = match f.validity {
        1 => Status::Current,
        2 => Status::Past,
        // Whether a validity-3 result lists the lost or the new qualification is unconfirmed:
        // one with a 喪失日 is the lost one; one without is only seen.
        3 if f.lost != 0 => Status::Past,
        3 => Status::Seen,
        _ => Status::NotFound,
    };
    let who = Identity {
        facility: shared.empty(),
        karte: Box::default(),
        name: f.name.into(),
        // The カナ only confirms a match (see [`Answer::kana`]); it is never a reason for two
        // identities to differ, so the patient keys leave it out.
        kana: Box::default(),
        birth: f.birth,
        sex: f.sex,
    };
    Row {
        keys: who.keys(),
        who,
        qual: f.qual,
        status,
        ym: f.confirmed / 100,
        path: path.clone(),
        row: f.line as usize,
        branch: f.branch.into(),
        onshi: Some(Box::new(Answer {
            validity: f.validity,
            confirmed: f.confirmed,
            acquired: f.acquired,
            lost: f.lost,
            family: f.family,
            kana: f.kana.into(),
            element: shared.element(&f.element),
            institution: f.institution,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(validity: &str, number: &str, extra: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><QualificationConfirmationDate>20261005</QualificationConfirmationDate><SegmentOfResult>1</SegmentOfResult></MessageHeader>\n<MessageBody><ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>{validity}</QualificationValidity><ResultList><ResultOfQualificationConfirmation><InsurerNumber>06132013</InsurerNumber><InsuredIdentificationNumber>{number}</InsuredIdentificationNumber>{extra}</ResultOfQualificationConfirmation></ResultList></MessageBody></XmlMsg>\n"
        )
    }

    #[test]
    fn result_files_are_told_by_name() {
        for yes in [
            "a.xml",
            "B.XML",
            "OQSsiquc01res_1.Xml",
            "bulk.zip",
            "請求.xml",
            ".xml",
        ] {
            assert!(result_like(yes.as_bytes()), "{yes}");
        }
        for no in [
            "OQSsiquc01req_1.xml",
            "x_REQ_.zip",
            "a.xml.txt",
            "xml",
            "a.xm",
            "a.zipx",
            "",
        ] {
            assert!(!result_like(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn inputs_are_told_by_content() {
        assert_eq!(what(b"\xEF\xBB\xBF<?xml"), What::Xml);
        assert_eq!(what(b"  \r\n<XmlMsg>"), What::Xml);
        assert_eq!(what(b"PK\x03\x04..."), What::Zip);
        assert_eq!(what(b"patient_id,status"), What::Csv);
    }

    #[test]
    fn validity_becomes_status() {
        let st = |v: &str, extra: &str| {
            let (rows, said) = read(vec![Input::Bytes {
                path: "r.xml".into(),
                bytes: Ok(result(v, "1", extra).into_bytes()),
            }]);
            assert!(said.is_empty(), "{:?}", said[0].diagnostics);
            rows[0].status
        };
        assert_eq!(st("1", ""), Status::Current);
        assert_eq!(st("2", ""), Status::Past);
        assert_eq!(
            st("3", "<DisqualificationDate>20260901</DisqualificationDate>"),
            Status::Past
        );
        assert_eq!(st("3", ""), Status::Seen);
    }

    #[test]
    fn folders_zip_and_requests() {
        let d = std::env::temp_dir().join(format!("recelint-onshi-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("res/sub")).unwrap();
        std::fs::create_dir_all(d.join("req")).unwrap();
        std::fs::write(d.join("res/OQSsiquc01res_1.xml"), result("1", "1", "")).unwrap();
        std::fs::write(d.join("res/sub/OQSsiquc01res_2.XML"), result("2", "2", "")).unwrap();
        std::fs::write(
            d.join("res/OQSsiquc01res_3.xml"),
            "<XmlMsg><MessageHeader><SegmentOfResult>1",
        )
        .unwrap();
        std::fs::write(d.join("res/OQSsiquc01req_4.xml"), result("1", "4", "")).unwrap();
        std::fs::write(d.join("res/notes.txt"), "x").unwrap();
        let z = zip::stored(&[("OQSmuquc02res_5.xml", result("1", "5", "").as_bytes())]);
        std::fs::write(d.join("res/bulk.zip"), z).unwrap();
        let (rows, said) = read(vec![Input::Path(d.join("res"))]);
        let mut numbers: Vec<&str> = rows.iter().map(|r| &*r.qual.number).collect();
        numbers.sort();
        assert_eq!(numbers, ["1", "2", "5"]);
        assert!(rows
            .iter()
            .any(|r| r.path.ends_with("bulk.zip!/OQSmuquc02res_5.xml")));
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(said[0].path.ends_with("OQSsiquc01res_3.xml"));
        assert_eq!(said[0].diagnostics[0].rule.code, "Q012");
        let (rows, said) = read(vec![Input::Path(d.join("req"))]);
        assert!(rows.is_empty());
        assert!(said[0].unreadable.is_some());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn many_broken_files_are_named_a_hundred_times_at_most() {
        let inputs = vec![Input::Bytes {
            path: "z.zip".into(),
            bytes: Ok(zip::stored(
                &(0..150).map(|_| ("a.xml", &b"<XmlMsg><MessageHeader><SegmentOfResult>9</SegmentOfResult></MessageHeader></XmlMsg>"[..])).collect::<Vec<_>>(),
            )),
        }];
        let (_, said) = read(inputs);
        let n: usize = said.iter().map(|r| r.diagnostics.len()).sum();
        assert_eq!(n, 100);
        let last = said.last().unwrap().diagnostics.last().unwrap();
        assert!(
            last.message(crate::report::Lang::En).contains("50 more"),
            "{}",
            last.message(crate::report::Lang::En)
        );
    }
}
