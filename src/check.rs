//! Checking one file: read its bytes, split lines into records, group records into blocks
//! (the IR header, each receipt from RE to the next RE, the GO trailer) and run the rule
//! passes over records, receipts and the file. Every diagnostic goes into the file's own
//! buffer, sorted at the end, so output is the same however files are scheduled.

use crate::diag::{Diagnostic, ReceiptLabel, Severity};
use crate::grammar::{Grammar, Scope};
use crate::layout::Layout;
use crate::model::RecBuf;
use crate::parse::{find_eof, Line, Lines};
use crate::qualify::{Breakdown, ReceiptFact};
use crate::rules::{chars, file, insurer, qualification, structure, value, Cx};
use crate::sjis::{self, Scan};
use std::collections::BTreeMap;
use std::path::Path;

/// The result of checking one file.
#[derive(Debug, Default)]
pub struct FileReport {
    /// The path as given (or found in a folder).
    pub path: String,
    /// Set when the file could not be read at all (exit code 2).
    pub unreadable: Option<String>,
    pub receipts: u32,
    pub records: u32,
    /// Sorted by line, field, code.
    pub diagnostics: Vec<Diagnostic>,
    /// How to name each receipt that has findings (by ordinal).
    pub labels: BTreeMap<u32, ReceiptLabel>,
    /// One fact per receipt with an HO record, for insured-number resolution.
    pub facts: Vec<ReceiptFact>,
    /// How the receipts were claimed (current / past / 不詳 / disaster / ● names).
    pub breakdown: Breakdown,
}

impl FileReport {
    pub fn count(&self, s: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == s).count()
    }
}

/// Reads and checks the file at `path`. The file is opened read-only and never written.
pub fn check_path(path: &Path, shown: &str, opts: &CheckOptions) -> FileReport {
    match std::fs::read(path) {
        Ok(data) => check_bytes(shown, &data, opts),
        Err(e) => FileReport {
            path: shown.to_string(),
            unreadable: Some(io_message(&e, path)),
            ..FileReport::default()
        },
    }
}

fn io_message(e: &std::io::Error, path: &Path) -> String {
    if path.is_dir() {
        return "フォルダです（ファイルを指定してください） / is a directory".into();
    }
    match e.kind() {
        std::io::ErrorKind::NotFound => "ファイルがありません / no such file".into(),
        std::io::ErrorKind::PermissionDenied => {
            "読み取る権限がありません / permission denied".into()
        }
        _ => format!("読み取れません / cannot be read: {e}"),
    }
}

/// The block being assembled.
enum Block {
    None,
    Receipt(u32),
}

struct Scanner<'a> {
    buf: RecBuf<'a>,
    block: Block,
    structure: structure::Structure,
    values: value::Values,
    flags: file::FileFlags,
    receipts: u32,
    records: u32,
    scans: Vec<Scan>,
    text_ok: bool,
    /// Diagnostics count when the current receipt started (to know if it needs a label).
    receipt_start: usize,
    labels: BTreeMap<u32, ReceiptLabel>,
    facility: String,
    facts: Vec<ReceiptFact>,
    breakdown: Breakdown,
    want_source: bool,
}

impl<'a> Scanner<'a> {
    fn flush(&mut self, cx: &mut Cx) {
        if let Block::Receipt(n) = self.block {
            structure::on_receipt(cx, &mut self.structure, &self.buf);
            insurer::on_receipt(cx, &self.buf);
            if let Some(f) = qualification::on_receipt(
                cx,
                &self.buf,
                &self.facility,
                self.want_source,
                &mut self.breakdown,
            ) {
                self.facts.push(f);
            }
            if cx.diags.len() > self.receipt_start {
                let l = Layout::get();
                let re = self.buf.view(0);
                let text_ok = self.text_ok;
                let decode = |b: &[u8]| {
                    if text_ok {
                        sjis::decode(b).into_owned()
                    } else {
                        String::from_utf8_lossy(b).into_owned()
                    }
                };
                self.labels.insert(
                    n,
                    ReceiptLabel {
                        number: decode(re.field(l.re_no)),
                        karte: decode(re.field(l.re_karte)),
                        name: decode(re.field(l.re_name)),
                        line: re.rec.no,
                    },
                );
            }
        }
        self.buf.clear();
        self.block = Block::None;
        cx.receipt = None;
    }

    fn line(&mut self, cx: &mut Cx, line: Line<'a>) {
        let g = Grammar::get();
        let l = Layout::get();
        self.records += 1;
        file::on_line(cx, &mut self.flags, &line);
        // Blocks: RE opens a receipt; IR and GO stand alone.
        let id_end = memchr::memchr(b',', line.raw).unwrap_or(line.raw.len());
        let def = g.lookup(&line.raw[..id_end]);
        let scope = def.map(|d| g.record(d).scope);
        if def == Some(l.re) || scope == Some(Scope::File) {
            self.flush(cx);
        }
        if def == Some(l.re) {
            self.receipts += 1;
            self.block = Block::Receipt(self.receipts);
            cx.receipt = Some(self.receipts);
            self.receipt_start = cx.diags.len();
        }
        let i = self.buf.push(g, &line);
        let v = self.buf.view(i);
        let in_receipt = matches!(self.block, Block::Receipt(_));
        structure::on_record(cx, &mut self.structure, &v, in_receipt);
        if v.is(l.ir) && self.facility.is_empty() {
            self.facility = sjis::decode(v.field(l.ir_facility)).into_owned();
        }

        // Text: scan the fields of records with non-ASCII or control bytes.
        let plain = line.raw.iter().all(|&b| (0x20..0x7F).contains(&b));
        let scans = if plain {
            None
        } else {
            self.scans.clear();
            for f in 0..v.nfields() {
                self.scans.push(sjis::scan(v.field(f)));
            }
            if self.text_ok {
                let mut reported = false;
                for (f, s) in self.scans.iter().enumerate() {
                    if !reported {
                        reported = file::on_scan(cx, &v, f, s);
                    }
                    chars::on_scan(cx, &v, f, s);
                }
            }
            Some(&self.scans[..])
        };
        value::on_record(cx, &mut self.values, &v, scans, self.text_ok);
        if v.is(l.re) && self.text_ok {
            chars::on_re(cx, &v);
        }
        if scope == Some(Scope::File) {
            self.buf.clear();
        }
    }
}

/// What a check should produce besides the diagnostics.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckOptions {
    /// Decode each diagnostic's line for display (text output).
    pub source_lines: bool,
}

/// Checks a file's bytes. `path` is only used to name the file in the report.
pub fn check_bytes(path: &str, data: &[u8], opts: &CheckOptions) -> FileReport {
    let mut cx = Cx::default();
    let enc = file::detect(data);
    file::check_encoding(&mut cx, enc);
    let mut report = FileReport {
        path: path.to_string(),
        ..FileReport::default()
    };
    if matches!(enc, file::Encoding::Utf16 { .. }) {
        // Nothing of it can be read as records.
        report.diagnostics = cx.diags;
        return report;
    }
    let start = enc.bom_len();
    let eof = find_eof(data);
    let content = &data[start..eof.unwrap_or(data.len())];
    let mut sc = Scanner {
        buf: RecBuf::default(),
        block: Block::None,
        structure: structure::Structure::default(),
        values: value::Values::default(),
        flags: file::FileFlags::default(),
        receipts: 0,
        records: 0,
        scans: Vec::new(),
        text_ok: enc == file::Encoding::ShiftJis,
        receipt_start: 0,
        labels: BTreeMap::new(),
        facility: String::new(),
        facts: Vec::new(),
        breakdown: Breakdown::default(),
        want_source: opts.source_lines,
    };
    let mut next_line = 1;
    for line in Lines::new(content, start, 1) {
        next_line = line.no + 1;
        sc.line(&mut cx, line);
    }
    sc.flush(&mut cx);
    structure::on_end(&mut cx, &sc.structure);
    value::on_end(&mut cx, &sc.values);
    file::on_end(&mut cx, &sc.flags, data, eof, sc.records, next_line);

    report.receipts = sc.receipts;
    report.records = sc.records;
    report.labels = sc.labels;
    report.facts = sc.facts;
    report.breakdown = sc.breakdown;
    cx.diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    if opts.source_lines {
        let utf8 = matches!(enc, file::Encoding::Utf8 { .. });
        for d in &mut cx.diags {
            attach_source(d, data, utf8);
        }
    }
    report.diagnostics = cx.diags;
    report
}

/// Longest stretch of a line shown with a diagnostic.
const SHOWN_LINE_MAX: usize = 4096;

/// Decodes the diagnostic's line for display and maps its Shift_JIS span to UTF-8 offsets
/// (`utf8`: the file was saved as UTF-8 by mistake, so show it as such).
fn attach_source(d: &mut Diagnostic, data: &[u8], utf8: bool) {
    let decode = |b: &[u8]| -> String {
        if utf8 {
            String::from_utf8_lossy(b).into_owned()
        } else {
            sjis::decode(b).into_owned()
        }
    };
    let (Some(off), Some(_)) = (d.offset, d.line) else {
        return;
    };
    if off >= data.len() {
        return;
    }
    let rest = &data[off..];
    let end = memchr::memchr3(b'\r', b'\n', 0x1A, rest)
        .unwrap_or(rest.len())
        .min(SHOWN_LINE_MAX);
    let raw = &rest[..end];
    let text = decode(raw);
    let span = d.span.and_then(|(s, e)| {
        let (s, e) = (s as usize, e as usize);
        (e <= raw.len()).then(|| {
            let a = decode(&raw[..s]).len();
            (a, a + decode(&raw[s..e]).len())
        })
    });
    d.source = Some((text, span));
}
