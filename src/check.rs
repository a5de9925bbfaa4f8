//! Checking one file: read its bytes, split lines into records, group records into blocks
//! (the IR header, each receipt from RE to the next RE, the GO trailer) and run the rule
//! passes over records, receipts and the file. Every diagnostic goes into the file's own
//! buffer, sorted at the end, so output is the same however files are scheduled.

use crate::diag::{Arg, Diagnostic, ReceiptLabel, Severity};
use crate::grammar::{Grammar, Scope};
use crate::layout::Layout;
use crate::model::RecBuf;
use crate::parse::{Line, Lines, Term};
use crate::qualify::{Breakdown, ReceiptFact};
use crate::rules::{chars, file, insurer, qualification, structure, value, Cx};
use crate::sjis::{self, Scan};
use std::collections::BTreeMap;
use std::io::Read;
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
    /// Where those receipts can be read again (a finding names a receipt by its text).
    pub body: crate::qualify::reread::Body,
    /// Findings show a window of their line (text output): resolution's findings too.
    pub source_lines: bool,
    /// How the receipts were claimed (current / past / 不詳 / disaster / ● names).
    pub breakdown: Breakdown,
    /// Findings left out by `--max-diagnostics`, by severity (info, warning, error).
    pub omitted: [usize; 3],
    /// Findings hidden because the baseline lists them.
    pub baselined: usize,
    /// IR 医療機関コード.
    pub facility: String,
    /// The file's claim kind (detected, or forced with `--kind`); `None` when nothing tells.
    pub kind: Option<crate::kind::Kind>,
    /// The same, by rule code.
    pub omitted_rules: BTreeMap<&'static str, usize>,
}

impl FileReport {
    /// True when recelint itself failed on this file (X001): exit code 2.
    pub fn internal_error(&self) -> bool {
        self.diagnostics.iter().any(|d| d.rule.code == "X001")
    }

    /// Findings of severity `s`, including those left out of the output.
    pub fn count(&self, s: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == s).count() + self.omitted[s as usize]
    }

    /// Findings left out of the output.
    pub fn omitted_total(&self) -> usize {
        self.omitted.iter().sum()
    }

    /// How many findings each rule made (shown or not), most first.
    pub fn rule_counts(&self) -> Vec<(&'static str, usize)> {
        let mut m = self.omitted_rules.clone();
        for d in &self.diagnostics {
            *m.entry(d.rule.code).or_default() += 1;
        }
        top(m)
    }

    /// Keeps `n` findings, the most severe first (errors, then warnings, then infos), so a
    /// cap never hides an error behind a warning; within a severity the first in output
    /// order. Those kept stay in output order; the rest are counted as left out.
    pub fn limit(&mut self, n: usize) {
        if self.diagnostics.len() <= n {
            return;
        }
        // How many of each severity fit, most severe first.
        let mut room = [0usize; 3];
        let mut left = n;
        for s in [Severity::Error, Severity::Warning, Severity::Info] {
            let have = self.diagnostics.iter().filter(|d| d.severity == s).count();
            room[s as usize] = have.min(left);
            left -= room[s as usize];
        }
        let mut kept = Vec::with_capacity(n);
        for d in std::mem::take(&mut self.diagnostics) {
            let r = &mut room[d.severity as usize];
            if *r > 0 {
                *r -= 1;
                kept.push(d);
            } else {
                self.omitted[d.severity as usize] += 1;
                *self.omitted_rules.entry(d.rule.code).or_default() += 1;
            }
        }
        self.diagnostics = kept;
    }
}

/// Counts sorted by count (most first), then code.
pub fn top(m: BTreeMap<&'static str, usize>) -> Vec<(&'static str, usize)> {
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

/// Reads and checks the file at `path`. The file is opened read-only and never written; it is
/// read in chunks, so memory does not grow with its size.
pub fn check_path(path: &Path, shown: &str, opts: &CheckOptions) -> FileReport {
    let opened = std::fs::File::open(path).and_then(|f| {
        let meta = f.metadata()?;
        if meta.is_dir() {
            Err(std::io::Error::other("is a directory"))
        } else {
            Ok((f, meta.is_file()))
        }
    });
    match opened {
        // A regular file can be read again by offset; a pipe or device cannot.
        Ok((f, regular)) => check_read(shown, f, opts, regular.then(|| path.to_path_buf()))
            .unwrap_or_else(|e| FileReport {
                path: shown.to_string(),
                unreadable: Some(io_message(&e, path)),
                ..FileReport::default()
            }),
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
    facility: std::sync::Arc<str>,
    facts: Vec<ReceiptFact>,
    /// The facts' RE and HO lines, when the file cannot be read again by offset.
    spool: Option<qualification::Spool>,
    breakdown: Breakdown,
    first_label: Option<ReceiptLabel>,
    /// Records with invalid bytes (F001 is reported for the first [`file::MAX_F001`]).
    f001: usize,
}

impl<'a> Scanner<'a> {
    fn flush(&mut self, cx: &mut Cx) {
        if let Block::Receipt(n) = self.block {
            structure::on_receipt(cx, &mut self.structure, &self.buf);
            insurer::on_receipt(cx, &self.buf);
            // The Q rules read names and remarks as text: in a file saved in another encoding
            // (F002) they would judge mojibake, so they wait until it is saved again.
            let fact = if self.text_ok {
                qualification::on_receipt(cx, &self.buf, &mut self.breakdown, self.spool.as_mut())
            } else {
                None
            };
            if let Some(f) = fact {
                self.facts.push(f);
            }
            let aside = std::mem::take(&mut self.structure.want_label);
            if cx.diags.len() > self.receipt_start || n == 1 || aside {
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
                let label = ReceiptLabel {
                    number: decode(re.field(l.re_no)),
                    karte: decode(re.field(l.re_karte)),
                    name: decode(re.field(l.re_name)),
                    line: re.rec.no,
                };
                // The chunk's first receipt is named too: the merge may report on it.
                if n == 1 {
                    self.first_label = Some(label.clone());
                }
                if cx.diags.len() > self.receipt_start || aside {
                    self.labels.insert(n, label);
                }
            }
        }
        self.buf.clear();
        self.block = Block::None;
        cx.receipt = None;
    }

    fn line(&mut self, cx: &mut Cx, mut line: Line<'a>) {
        let g = Grammar::get();
        let l = Layout::get();
        self.records += 1;
        let whole = line;
        if line.raw.len() > file::MAX_RECORD {
            line.raw = &line.raw[..file::MAX_RECORD];
        }
        // Blocks: RE opens a receipt; IR and GO stand alone.
        let id_end = line
            .raw
            .iter()
            .position(|&b| b == b',')
            .unwrap_or(line.raw.len());
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
        // Line-level findings belong to the receipt the line opens, if it opens one.
        let (i, bytes) = self.buf.push(def, &line);
        // The pass saw only the first MAX_RECORD bytes of an overlong line (F009 says so).
        let quote = if whole.raw.len() > line.raw.len() {
            memchr::memchr(b'"', whole.raw).is_some()
        } else {
            bytes.quote
        };
        // Most lines: CR LF, no quote, not too long (F009, F003, F006 have nothing to say).
        if whole.term != Term::CrLf || quote || whole.raw.len() > file::MAX_RECORD {
            file::on_line(cx, &mut self.flags, &whole, quote);
        }
        let v = self.buf.view(i);
        let in_receipt = matches!(self.block, Block::Receipt(_));
        structure::on_record(cx, &mut self.structure, &v, in_receipt);
        if v.is(l.ir) && self.facility.is_empty() {
            self.facility = sjis::decode(v.field(l.ir_facility)).into();
        }

        // Text: scan the fields of records with non-ASCII or control bytes.
        let scans = if bytes.plain {
            None
        } else {
            self.scans.clear();
            for (s, e) in v.spans() {
                self.scans.push(if s == e {
                    Scan::default()
                } else {
                    sjis::scan(&v.rec.raw[s as usize..e as usize])
                });
            }
            if self.text_ok {
                // One F001 and one C001 per record: a record of a thousand 外字 fields is one
                // finding, not a thousand.
                let (mut bad, mut ext) = (false, false);
                for (f, s) in self.scans.iter().enumerate() {
                    if !bad && s.bad.is_some() {
                        bad = true;
                        self.f001 += 1;
                        if self.f001 <= file::MAX_F001 {
                            file::on_scan(cx, &v, f, s);
                        }
                    }
                    if !ext && s.ext.is_some() {
                        ext = chars::on_scan(cx, &v, f, s);
                    }
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
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Decode each diagnostic's line for display (text output).
    pub source_lines: bool,
    /// Target chunk size in bytes (0: the default, 4 MiB). Chunks end at receipt boundaries.
    pub chunk_size: usize,
    /// Counters a progress display can read while files are checked.
    pub progress: Option<std::sync::Arc<Progress>>,
    /// Check every file as this kind instead of detecting it (`--kind`).
    pub kind: Option<crate::kind::Kind>,
}

/// Work done so far, shared with whoever shows progress.
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes: std::sync::atomic::AtomicU64,
    pub receipts: std::sync::atomic::AtomicU64,
}

/// Default chunk size: large enough that per-chunk work is negligible, small enough that a
/// window of chunks per thread stays far below the memory target.
pub const DEFAULT_CHUNK: usize = 4 << 20;

/// A piece of the file that starts at a receipt boundary (or at the file's start): a range
/// of a buffer the chunker read, which several chunks may share (no copy per chunk).
struct Chunk {
    buf: std::sync::Arc<Vec<u8>>,
    range: std::ops::Range<usize>,
    /// File offset of `data()[0]`.
    base: usize,
    first: bool,
}

impl Chunk {
    fn data(&self) -> &[u8] {
        &self.buf[self.range.clone()]
    }
}

/// What one chunk's scan produced; line numbers and receipt ordinals are chunk-relative.
struct ChunkOut {
    diags: Vec<Diagnostic>,
    lines: u32,
    receipts: u32,
    records: u32,
    labels: BTreeMap<u32, ReceiptLabel>,
    facts: Vec<ReceiptFact>,
    spool: Option<qualification::Spool>,
    breakdown: Breakdown,
    facility: String,
    first_label: Option<ReceiptLabel>,
    f001: usize,
    /// Findings past the per-rule cap, counted by rule.
    overflow: BTreeMap<&'static str, usize>,
    structure: structure::Structure,
    values: value::Values,
    flags: file::FileFlags,
}

fn scan_chunk(c: &Chunk, text_ok: bool, utf8: bool, opts: &CheckOptions, spool: bool) -> ChunkOut {
    // Test hook (debug builds only): proves a bug in a rule becomes X001, not a crash.
    if cfg!(debug_assertions) && memchr::memmem::find(c.data(), b"RECELINT-TEST-PANIC").is_some() {
        panic!("test panic requested by the input");
    }
    let mut cx = Cx::default();
    let mut sc = Scanner {
        buf: RecBuf::default(),
        block: Block::None,
        structure: structure::Structure::new(c.first),
        values: value::Values::default(),
        flags: file::FileFlags::default(),
        receipts: 0,
        records: 0,
        scans: Vec::new(),
        text_ok,
        receipt_start: 0,
        labels: BTreeMap::new(),
        facility: std::sync::Arc::from(""),
        facts: Vec::new(),
        breakdown: Breakdown::default(),
        spool: spool.then(Default::default),
        first_label: None,
        f001: 0,
    };
    let mut lines = 0;
    for line in Lines::new(c.data(), c.base, 1) {
        lines = line.no;
        sc.line(&mut cx, line);
    }
    sc.flush(&mut cx);
    if opts.source_lines {
        for d in cx.diags.iter_mut() {
            attach_source(d, c.data(), c.base, utf8);
        }
        for d in sc.structure.pending_mut() {
            attach_source(d, c.data(), c.base, utf8);
        }
    }
    ChunkOut {
        overflow: cx.take_overflow(),
        diags: cx.diags,
        lines,
        receipts: sc.receipts,
        records: sc.records,
        labels: sc.labels,
        facts: sc.facts,
        spool: sc.spool,
        breakdown: sc.breakdown,
        facility: sc.facility.to_string(),
        first_label: sc.first_label,
        f001: sc.f001,
        structure: sc.structure,
        values: sc.values,
        flags: sc.flags,
    }
}

/// [`scan_chunk`], with a bug in a rule turned into an X001 finding at the chunk's start
/// instead of stopping the run.
fn scan_chunk_guarded(
    c: &Chunk,
    text_ok: bool,
    utf8: bool,
    opts: &CheckOptions,
    spool: bool,
) -> ChunkOut {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        scan_chunk(c, text_ok, utf8, opts, spool)
    }))
    .unwrap_or_else(|p| {
        let mut cx = Cx::default();
        use crate::rules::internal::{x001_args, Stage, X001};
        cx.line(&X001, 1, c.base, x001_args(Stage::Check, &*p));
        // The chunk's lines still count, so later line numbers stay right.
        let lines = memchr::memchr_iter(b'\n', c.data()).count() as u32
            + u32::from(!c.data().ends_with(b"\n"));
        ChunkOut {
            diags: cx.diags,
            lines,
            receipts: 0,
            records: 0,
            labels: BTreeMap::new(),
            facts: Vec::new(),
            spool: None,
            breakdown: Breakdown::default(),
            facility: String::new(),
            first_label: None,
            f001: 0,
            overflow: BTreeMap::new(),
            structure: structure::Structure::new(c.first),
            values: value::Values::default(),
            flags: file::FileFlags::default(),
        }
    })
}

/// The file's findings and state as chunks are folded in, in order.
#[derive(Default)]
struct FileAcc {
    cx: Cx,
    drop: Vec<usize>,
    lines: u32,
    receipts: u32,
    records: u32,
    labels: BTreeMap<u32, ReceiptLabel>,
    facts: Vec<ReceiptFact>,
    spool: qualification::Spool,
    breakdown: Breakdown,
    facility: String,
    structure: structure::FileStructure,
    values: value::Values,
    flags: file::FileFlags,
    f001: usize,
    overflow: BTreeMap<&'static str, usize>,
}

impl FileAcc {
    fn merge(&mut self, c: ChunkOut) {
        self.f001 += c.f001;
        for (code, n) in c.overflow {
            *self.overflow.entry(code).or_default() += n;
        }
        let (lines, receipts) = (self.lines, self.receipts);
        let offset = self.cx.diags.len();
        self.cx.diags.extend(c.diags.into_iter().map(|mut d| {
            d.line = d.line.map(|l| l + lines);
            d.receipt = d.receipt.map(|r| r + receipts);
            d
        }));
        self.flags.merge(c.flags, offset, &mut self.drop);
        self.values.merge(c.values, offset, &mut self.drop);
        let before = self.cx.diags.len();
        self.structure.merge(
            &mut self.cx,
            c.structure,
            lines,
            receipts,
            offset,
            &mut self.drop,
        );
        if self.cx.diags.len() > before {
            if let Some(mut l) = c.first_label {
                l.line += lines;
                self.labels.entry(receipts + 1).or_insert(l);
            }
        }
        if self.facility.is_empty() {
            self.facility = c.facility;
        }
        self.facts.extend(c.facts.into_iter().map(|mut f| {
            f.line += lines;
            f.re_line += lines;
            f.receipt += receipts;
            f
        }));
        if let Some((bytes, at)) = c.spool {
            let base = self.spool.0.len() as u64;
            self.spool.0.extend_from_slice(&bytes);
            self.spool.1.extend(at.into_iter().map(|a| a + base));
        }
        self.labels.extend(c.labels.into_iter().map(|(n, mut l)| {
            l.line += lines;
            (n + receipts, l)
        }));
        self.breakdown.add(&c.breakdown);
        self.lines += c.lines;
        self.receipts += c.receipts;
        self.records += c.records;
    }
}

/// Splits a reader into chunks that start at receipt boundaries (a line beginning `RE,`),
/// stopping at the 0x1A mark; counts what follows the mark.
struct Chunker<R> {
    r: R,
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    base: usize,
    /// File offset of the 0x1A mark, once seen.
    eof_mark: Option<usize>,
    /// Bytes after the mark.
    after: usize,
    done: bool,
    first: bool,
    size: usize,
    /// Buffers of scanned chunks, reused for the next ones (fresh 4 MiB buffers cost a page
    /// fault per page).
    spare: Vec<Vec<u8>>,
    /// The buffer the last chunk was cut from, and where the rest of it starts: the next
    /// chunks are cut from it while it holds a whole one (many, when chunks are small).
    frozen: Option<(std::sync::Arc<Vec<u8>>, usize)>,
}

impl<R: std::io::Read> Chunker<R> {
    /// A chunker at the start of `r`, cutting chunks of about `size` bytes.
    fn new(r: R, size: usize) -> Self {
        Chunker {
            r,
            buf: Vec::new(),
            base: 0,
            eof_mark: None,
            after: 0,
            done: false,
            first: true,
            size,
            spare: Vec::new(),
            frozen: None,
        }
    }

    /// Reads one block; `None` at the end of the input.
    fn read_block(&mut self, block: &mut [u8]) -> std::io::Result<Option<usize>> {
        loop {
            return match self.r.read(block) {
                Ok(0) => Ok(None),
                Ok(n) => Ok(Some(n)),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => Err(e),
            };
        }
    }

    /// Appends bytes read to `buf`, stopping at the 0x1A mark (then counts the rest).
    fn take(&mut self, got: &[u8], block: &mut [u8]) -> std::io::Result<()> {
        if self.eof_mark.is_some() {
            self.after += got.len();
        } else if let Some(at) = memchr::memchr(0x1A, got) {
            self.eof_mark = Some(self.base + self.buf.len() + at);
            self.buf.extend_from_slice(&got[..at]);
            self.after += got.len() - at - 1;
            // Keep reading only to count what follows the mark.
            while let Some(m) = self.read_block(block)? {
                self.after += m;
            }
            self.done = true;
        } else {
            self.buf.extend_from_slice(got);
        }
        Ok(())
    }

    /// Reads until `buf` holds at least `want` bytes or the input ends. Reads straight into
    /// `buf` (no block in between), stopping at the 0x1A mark (then counts the rest).
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        const BLOCK: usize = 1 << 20;
        while !self.done && self.buf.len() < want {
            let old = self.buf.len();
            // Up to what is wanted (in 64 KiB steps), not a whole block: what is read past a
            // chunk's cut is copied into the next chunk's buffer.
            let step = (want - old).next_multiple_of(64 << 10).min(BLOCK);
            self.buf.reserve(step);
            // read_to_end reads into the spare capacity without zeroing it first (zeroing
            // each block was 2 % of a check).
            let got = match (&mut self.r).take(step as u64).read_to_end(&mut self.buf) {
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
                Ok(n) => n,
            };
            if got == 0 {
                self.done = true;
            } else if let Some(at) = memchr::memchr(0x1A, &self.buf[old..]) {
                self.eof_mark = Some(self.base + old + at);
                self.after += got - at - 1;
                self.buf.truncate(old + at);
                // Keep reading only to count what follows the mark.
                let mut block = vec![0u8; 1 << 16];
                while let Some(m) = self.read_block(&mut block)? {
                    self.after += m;
                }
                self.done = true;
            }
        }
        Ok(())
    }

    /// An empty buffer with room for a chunk and the read that ends it.
    fn fresh(&mut self) -> Vec<u8> {
        let mut v = self.spare.pop().unwrap_or_default();
        v.clear();
        // (A huge chunk size, as tests use for "one chunk", grows as read instead.)
        v.reserve(self.size.min(64 << 20) + (128 << 10));
        v
    }

    /// `buf` holds the start of one line longer than the limit: keeps `keep` bytes of it,
    /// discards the rest of the line (what `buf` already holds past `keep`, then what is read),
    /// and returns the kept head with the line end found (none at the end of the input) and the
    /// head's file offset. Afterwards `buf` holds what follows the line end and `base` is its
    /// offset.
    fn skip_line(&mut self, keep: usize) -> std::io::Result<(Vec<u8>, usize)> {
        let mut block = vec![0u8; 1 << 20];
        let start = self.base;
        let mut head = std::mem::take(&mut self.buf);
        // Bytes already read past the head are looked at first, as if just read.
        let mut held = head.split_off(keep.min(head.len()));
        let mut skipped = 0;
        let mut term: &[u8] = b"";
        let mut rest: Vec<u8> = Vec::new();
        let mut cr_pending = false;
        loop {
            let got: &[u8] = if !held.is_empty() {
                &held
            } else {
                match self.read_block(&mut block)? {
                    Some(n) => &block[..n],
                    None => break,
                }
            };
            let n = got.len();
            if cr_pending {
                term = if got[0] == b'\n' { b"\r\n" } else { b"\r" };
                rest = got[term.len() - 1..].to_vec();
                cr_pending = false;
                break;
            }
            let found = match memchr::memchr3(b'\r', b'\n', 0x1A, got) {
                None => {
                    skipped += n;
                    None
                }
                Some(j) if got[j] == 0x1A => {
                    skipped += j;
                    rest = got[j..].to_vec();
                    Some(())
                }
                Some(j) if got[j] == b'\n' => {
                    skipped += j;
                    term = b"\n";
                    rest = got[j + 1..].to_vec();
                    Some(())
                }
                Some(j) if j + 1 == n => {
                    skipped += j;
                    cr_pending = true;
                    None
                }
                Some(j) => {
                    skipped += j;
                    term = if got[j + 1] == b'\n' { b"\r\n" } else { b"\r" };
                    rest = got[j + term.len()..].to_vec();
                    Some(())
                }
            };
            held.clear();
            if found.is_some() {
                break;
            }
        }
        if cr_pending {
            term = b"\r";
        }
        if rest.is_empty() && term.is_empty() {
            self.done = true;
        }
        head.extend_from_slice(term);
        self.base = start + keep + skipped + term.len();
        // What follows the line end goes through the 0x1A check like anything read.
        self.take(&rest, &mut block)?;
        Ok((head, start))
    }

    /// Whether every chunk has been handed out.
    fn exhausted(&self) -> bool {
        self.done
            && self.buf.is_empty()
            && self.frozen.as_ref().is_none_or(|(b, at)| *at >= b.len())
    }

    /// The next chunk, or `None` at the end.
    fn next(&mut self) -> std::io::Result<Option<Chunk>> {
        let size = self.size;
        if let Some((frozen, at)) = self.frozen.take() {
            let rest = &frozen[at..];
            let limit = size.saturating_mul(4).max(16 << 20);
            if let Some(cut) = boundary(&rest[..rest.len().min(limit)], size) {
                let chunk = Chunk {
                    buf: frozen.clone(),
                    range: at..at + cut,
                    base: self.base,
                    first: self.first,
                };
                self.base += cut;
                self.first = false;
                self.frozen = Some((frozen, at + cut));
                return Ok(Some(chunk));
            }
            // The rest starts the next chunk: it goes in front of what is read next (`buf` is
            // empty while a buffer is frozen). The one copy per buffer, not per chunk.
            let mut v = self.fresh();
            v.extend_from_slice(rest);
            v.append(&mut self.buf);
            self.buf = v;
            if let Ok(b) = std::sync::Arc::try_unwrap(frozen) {
                self.spare.push(b);
            }
        }
        loop {
            self.fill(size + (1 << 16))?;
            if self.buf.is_empty() {
                return Ok(None);
            }
            // A boundary: the first "\nRE," at or after `size`.
            // A boundary: the first line starting "RE," at or after `size` (after LF, or after
            // a lone CR in a CR-only file).
            // Receipt boundaries are looked for within the limit only (as the forced cut
            // below), so where chunks end depends on the bytes, not on how much was read.
            let limit = size.saturating_mul(4).max(16 << 20);
            let cut = boundary(&self.buf[..self.buf.len().min(limit)], size);
            let cut = match cut {
                Some(c) => c,
                None if self.done => self.buf.len(),
                None if self.buf.len() >= limit => {
                    // No receipt boundary in a long stretch: cut at a line end so memory stays
                    // bounded (a CR of a CR LF is not a line end on its own). The last one
                    // within the limit, not within what happens to be read: the cut, and so
                    // the findings, depend on the bytes only, not on how reads return them.
                    match last_line_end(&self.buf[..limit]) {
                        Some(i) => i + 1,
                        None => {
                            // One line longer than the limit: keep enough of it for F009 and
                            // skip the rest, so the line stays one record.
                            let (data, base) = self.skip_line(file::MAX_RECORD + 1)?;
                            let chunk = Chunk {
                                range: 0..data.len(),
                                buf: std::sync::Arc::new(data),
                                base,
                                first: self.first,
                            };
                            self.first = false;
                            return Ok(Some(chunk));
                        }
                    }
                }
                None => {
                    let want = self.buf.len() * 2;
                    self.fill(want)?;
                    continue;
                }
            };
            // The buffer is frozen and shared: this chunk is its first `cut` bytes, and the
            // next ones are cut from the rest before anything more is read.
            let buf = std::sync::Arc::new(std::mem::take(&mut self.buf));
            self.frozen = Some((buf.clone(), cut));
            let chunk = Chunk {
                buf,
                range: 0..cut,
                base: self.base,
                first: self.first,
            };
            self.base += cut;
            self.first = false;
            return Ok(Some(chunk));
        }
    }
}

/// Where a chunk of `buf` ends: at the first line starting "RE," at or after `size` (after LF,
/// or after a lone CR in a CR-only file); `None` when `buf` has none.
fn boundary(buf: &[u8], size: usize) -> Option<usize> {
    let tail = buf.get(size..).filter(|t| !t.is_empty())?;
    let lf = memchr::memmem::find(tail, b"\nRE,");
    let cr = memchr::memmem::find(tail, b"\rRE,");
    match (lf, cr) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
    .map(|i| size + i + 1)
}

/// Position of the last line end (LF, or a CR not followed by LF) in `buf`; a CR at the very
/// end may be half of a CR LF, so it does not count.
fn last_line_end(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len();
    while let Some(i) = memchr::memrchr2(b'\r', b'\n', &buf[..end]) {
        if buf[i] == b'\n' || (i + 1 < buf.len() && buf[i + 1] != b'\n') {
            return Some(i);
        }
        end = i;
    }
    None
}

/// Scans a file's chunks in parallel while a thread of its own reads the next ones, and hands
/// each chunk's result to `fold` in file order.
///
/// The reader waits while it is `2 × threads + 2` chunks ahead of the last result folded, so
/// memory stays a few chunks per thread whatever the file's size, even while one slow chunk
/// holds the others' results in `pending` (which used to grow to the rest of the file: found
/// by review, with a test below). The channel holds at most one chunk per pool thread.
/// Scanned buffers go back to the reader for reuse. Reading used to alternate with scanning, a window of chunks at a time: the
/// pool then sat idle during every read, and at every window's slowest chunk.
fn pipeline<R: std::io::Read + Send>(
    chunker: &mut Chunker<R>,
    first: Chunk,
    threads: usize,
    scan: &(dyn Fn(&Chunk) -> ChunkOut + Sync),
    fold: &mut (dyn FnMut(ChunkOut, usize) + Send),
) -> std::io::Result<()> {
    use rayon::iter::{ParallelBridge, ParallelIterator};
    use std::sync::mpsc::{channel, sync_channel};
    use std::sync::{Condvar, Mutex};
    struct Order<'f> {
        /// The next chunk to fold.
        next: usize,
        pending: BTreeMap<usize, (ChunkOut, usize)>,
        fold: &'f mut (dyn FnMut(ChunkOut, usize) + Send),
        /// No more results will be folded (the scan ended or unwound): the reader stops.
        closed: bool,
    }
    /// Closes `Order` when the scan ends, however it ends, so a waiting reader wakes.
    struct Close<'a, 'f>(&'a Mutex<Order<'f>>, &'a Condvar);
    impl Drop for Close<'_, '_> {
        fn drop(&mut self) {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).closed = true;
            self.1.notify_all();
        }
    }
    let window = 2 * threads + 2;
    let (chunks_tx, chunks_rx) = sync_channel::<std::io::Result<(usize, Chunk)>>(threads);
    let (spare_tx, spare_rx) = channel::<Vec<u8>>();
    let size = chunker.size;
    let order = Mutex::new(Order {
        next: 0,
        pending: BTreeMap::new(),
        fold,
        closed: false,
    });
    let folded = Condvar::new();
    let mut failed = None;
    std::thread::scope(|s| {
        let (order, folded) = (&order, &folded);
        let reader = s.spawn(move || {
            let mut item = Ok(Some(first));
            let mut n = 0;
            loop {
                match item {
                    Ok(Some(c)) => {
                        let mut o = order.lock().unwrap_or_else(|p| p.into_inner());
                        while n >= o.next + window && !o.closed {
                            o = folded.wait(o).unwrap_or_else(|p| p.into_inner());
                        }
                        if o.closed {
                            return;
                        }
                        drop(o);
                        if chunks_tx.send(Ok((n, c))).is_err() {
                            return;
                        }
                        n += 1;
                    }
                    Ok(None) => return,
                    Err(e) => {
                        let _ = chunks_tx.send(Err(e));
                        return;
                    }
                }
                // At most a window of buffers kept for reuse.
                while let Ok(b) = spare_rx.try_recv() {
                    if chunker.spare.len() < 2 * threads + 2 {
                        chunker.spare.push(b);
                    }
                }
                item = chunker.next();
            }
        });
        let errors = Mutex::new(None);
        let close = Close(order, folded);
        chunks_rx.into_iter().par_bridge().for_each(|item| {
            let (i, chunk) = match item {
                Ok(x) => x,
                Err(e) => {
                    *errors.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    return;
                }
            };
            let out = scan(&chunk);
            let bytes = chunk.range.len();
            // The last user of a large buffer gives it back to the reader (the odd small or
            // huge one is let go).
            if let Ok(b) = std::sync::Arc::try_unwrap(chunk.buf) {
                if b.capacity() >= size && b.capacity() <= 4 * size + (4 << 20) {
                    let _ = spare_tx.send(b);
                }
            }
            let mut o = order.lock().unwrap_or_else(|p| p.into_inner());
            o.pending.insert(i, (out, bytes));
            let before = o.next;
            loop {
                let next = o.next;
                let Some((out, bytes)) = o.pending.remove(&next) else {
                    break;
                };
                (o.fold)(out, bytes);
                o.next += 1;
            }
            if o.next > before {
                folded.notify_all();
            }
        });
        drop(close);
        // A panic in the reader is a bug: pass it on as one.
        if let Err(p) = reader.join() {
            std::panic::resume_unwind(p);
        }
        failed = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Checks a file's bytes. `path` is only used to name the file in the report.
pub fn check_bytes(path: &str, data: &[u8], opts: &CheckOptions) -> FileReport {
    check_reader(path, data, opts).expect("reading from memory cannot fail")
}

/// Checks a file read from `r`, chunk by chunk: chunks are scanned in parallel, a window
/// at a time, and folded in order, so the result is the same for any number of threads and
/// memory stays bounded by the window, not the file.
pub fn check_reader<R: std::io::Read + Send>(
    path: &str,
    r: R,
    opts: &CheckOptions,
) -> std::io::Result<FileReport> {
    check_read(path, r, opts, None)
}

/// [`check_reader`]; `body` is the path of the regular file `r` reads, when there is one: a
/// finding's receipt is then read again from it by offset, and otherwise its lines are kept.
fn check_read<R: std::io::Read + Send>(
    path: &str,
    mut r: R,
    opts: &CheckOptions,
    body: Option<std::path::PathBuf>,
) -> std::io::Result<FileReport> {
    let spool = body.is_none();
    let mut report = FileReport {
        path: path.to_string(),
        ..FileReport::default()
    };
    // Encoding, from the first 64 KiB.
    let mut head = Vec::with_capacity(64 << 10);
    (&mut r).take(64 << 10).read_to_end(&mut head)?;
    let enc = file::detect(&head);
    let mut acc = FileAcc::default();
    if let Some((ja, en, hint_ja, hint_en)) = file::sniff(&head) {
        // Nothing in it is a record: say what it is instead of listing its bytes.
        acc.cx.file(
            &file::F008,
            vec![crate::diag::bi(ja, en), crate::diag::bi(hint_ja, hint_en)],
        );
        report.diagnostics = acc.cx.diags;
        return Ok(report);
    }
    // The claim kind: a layout is never applied to a file of another kind, and a file of a
    // kind not checked yet gets F010 alone.
    use crate::kind::{detect, Detected};
    let det = detect(path, &head);
    let what = match opts.kind {
        Some(k) => Detected::Claim(k),
        None => det.what,
    };
    report.kind = match what {
        Detected::Claim(k) => Some(k),
        _ => None,
    };
    if let Some(args) = file::unsupported_kind(what, &det) {
        acc.cx.file(&file::F010, args);
        report.diagnostics = acc.cx.diags;
        return Ok(report);
    }
    file::check_encoding(&mut acc.cx, enc);
    if matches!(enc, file::Encoding::Utf16 { .. }) {
        // Nothing of it can be read as records.
        report.diagnostics = acc.cx.diags;
        return Ok(report);
    }
    let bom = enc.bom_len().min(head.len());
    let size = match opts.chunk_size {
        0 => DEFAULT_CHUNK,
        n => n,
    };
    let mut chunker = Chunker::new(std::io::Cursor::new(head).chain(r), size);
    // Skip the BOM: its bytes are not part of any record.
    let mut skip = vec![0u8; bom];
    std::io::Read::read_exact(&mut chunker.r, &mut skip)?;
    chunker.base = bom;
    let text_ok = enc == file::Encoding::ShiftJis;
    let utf8 = matches!(enc, file::Encoding::Utf8 { .. });
    let threads = rayon::current_num_threads().max(1);
    let scan = |c: &Chunk| scan_chunk_guarded(c, text_ok, utf8, opts, spool);
    let fold_in = |acc: &mut FileAcc, out: ChunkOut, bytes: usize| {
        if let Some(p) = &opts.progress {
            p.receipts
                .fetch_add(out.receipts as u64, std::sync::atomic::Ordering::Relaxed);
            p.bytes
                .fetch_add(bytes as u64, std::sync::atomic::Ordering::Relaxed);
        }
        acc.merge(out);
    };
    // A file of one chunk is scanned here; a larger one is read by its own thread while the
    // pool scans the chunks already read, and folded in order (see `pipeline`).
    match chunker.next()? {
        None => {}
        Some(first) if chunker.exhausted() => {
            let out = scan(&first);
            fold_in(&mut acc, out, first.range.len());
        }
        Some(first) => pipeline(&mut chunker, first, threads, &scan, &mut |out, bytes| {
            fold_in(&mut acc, out, bytes)
        })?,
    }
    let cx = &mut acc.cx;
    structure::on_end(cx, &acc.structure);
    value::on_end(cx, &acc.values);
    let size = chunker.base + chunker.buf.len() + chunker.eof_mark.map_or(0, |_| 1) + chunker.after;
    file::on_end(
        cx,
        &acc.flags,
        chunker.eof_mark,
        chunker.after,
        size,
        acc.records,
        acc.lines + 1,
    );
    let mut diags = std::mem::take(&mut cx.diags);
    if !acc.drop.is_empty() {
        acc.drop.sort_unstable();
        let mut k = 0;
        let mut i = 0;
        diags.retain(|_| {
            let keep = acc.drop.get(k) != Some(&i);
            if !keep {
                k += 1;
            }
            i += 1;
            keep
        });
    }
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    // Each chunk reported at most MAX_F001 F001: keep the file's first MAX_F001 and count the
    // rest on the last one kept.
    if acc.f001 > file::MAX_F001 {
        let mut seen = 0;
        diags.retain(|d| {
            if d.rule.code != "F001" {
                return true;
            }
            seen += 1;
            seen <= file::MAX_F001
        });
        let more = acc.f001 - file::MAX_F001;
        if let Some(d) = diags.iter_mut().rev().find(|d| d.rule.code == "F001") {
            d.args.resize(3, Arg::default());
            d.args[2] = crate::diag::bi(
                &format!(
                    "（このファイルではほかに {more} 件のレコードにも不正なバイトがあります）"
                ),
                &format!(" ({more} more record(s) of this file have invalid bytes)"),
            );
        }
    }
    // At most MAX_PER_RULE findings of a rule per file; the rest (here and those each chunk
    // already left out) are counted as left out.
    let mut kept: BTreeMap<&'static str, usize> = BTreeMap::new();
    diags.retain(|d| {
        let n = kept.entry(d.rule.code).or_default();
        *n += 1;
        if *n > crate::rules::MAX_PER_RULE {
            report.omitted[d.severity as usize] += 1;
            *report.omitted_rules.entry(d.rule.code).or_default() += 1;
            false
        } else {
            true
        }
    });
    for (code, n) in std::mem::take(&mut acc.overflow) {
        if let Some(rule) = crate::rules::find(code) {
            report.omitted[rule.severity as usize] += n;
            *report.omitted_rules.entry(code).or_default() += n;
        }
    }
    // A chunk may have named a receipt for a finding the merge then dropped as a duplicate.
    let named: std::collections::BTreeSet<u32> = diags.iter().filter_map(|d| d.receipt).collect();
    acc.labels.retain(|n, _| named.contains(n));
    report.receipts = acc.receipts;
    report.records = acc.records;
    report.labels = acc.labels;
    report.facts = acc.facts;
    report.source_lines = opts.source_lines;
    report.body = match body {
        _ if report.facts.is_empty() => crate::qualify::reread::Body::None,
        Some(p) => crate::qualify::reread::Body::File(p),
        None => crate::qualify::reread::Body::Spool {
            bytes: acc.spool.0,
            at: acc.spool.1,
        },
    };
    report.breakdown = acc.breakdown;
    report.facility = acc.facility;
    report.diagnostics = diags;
    Ok(report)
}

/// Longest stretch of a line shown with a diagnostic, and the context kept on each side of
/// the field. At 4 KiB, a damaged file with many findings on 64 KiB lines took 1.1 s to
/// render as text for 15,000 findings (decoding and width-measuring every window); a field's
/// value is shown cut at 256 bytes anyway.
const SHOWN_LINE_MAX: usize = 1024;
const SHOWN_CONTEXT: usize = 160;

/// A window of `line` around `span` for display, decoded by `decode`, with 「…」 where it is
/// cut, and the span mapped to offsets in the text (`None` when it does not fit the window).
/// A comma is always a character boundary in Shift_JIS (no trail byte is 0x2C), so the
/// window is cut at commas; a long line thus costs every finding on it little.
pub(crate) fn source_window(
    line: &[u8],
    span: Option<(usize, usize)>,
    utf8: bool,
    decode: &dyn Fn(&[u8]) -> String,
) -> (String, Option<(usize, usize)>) {
    let (s0, e0) = span.unwrap_or((0, 0));
    // Cut at the comma nearest the wanted edge when one is close; inside a long field, at
    // the character boundary nearest it (a comma may be kilobytes away, and every finding
    // on the line would then show those kilobytes).
    let w0 = if s0 > SHOWN_CONTEXT {
        let want = s0 - SHOWN_CONTEXT;
        match memchr::memrchr(b',', &line[..want]) {
            Some(i) if want - (i + 1) <= CUT_SLACK => i + 1,
            _ => char_start_at_or_before(line, want, utf8).unwrap_or(s0),
        }
    } else {
        0
    };
    let w0 = w0.min(s0).min(line.len());
    let want_end = e0.max(w0) + SHOWN_CONTEXT;
    let w1 = if want_end < line.len() {
        match memchr::memchr(b',', &line[want_end..]) {
            Some(i) if i <= CUT_SLACK => want_end + i,
            found => char_start_at_or_before(line, want_end, utf8)
                .filter(|&b| b > w0)
                .unwrap_or_else(|| found.map_or(line.len(), |i| want_end + i)),
        }
    } else {
        line.len()
    };
    let w1 = if w1 > w0 + SHOWN_LINE_MAX {
        char_start_at_or_before(line, w0 + SHOWN_LINE_MAX, utf8)
            .filter(|&b| b > w0)
            .unwrap_or(w0 + SHOWN_LINE_MAX)
    } else {
        w1.max(w0)
    };
    let raw = &line[w0..w1];
    let lead = if w0 > 0 { "…" } else { "" };
    let text = format!(
        "{lead}{}{}",
        decode(raw),
        if w1 < line.len() { "…" } else { "" }
    );
    let span = span.and_then(|(s, e)| {
        (s >= w0 && e <= w1).then(|| {
            let a = lead.len() + decode(&raw[..s - w0]).len();
            (a, a + decode(&raw[s - w0..e - w0]).len())
        })
    });
    (text, span)
}

/// How far past the wanted edge of a shown window a comma may be and still be the cut.
const CUT_SLACK: usize = 16;

/// A position at or before `t` where a character starts, found within 2 KiB before it.
/// Shift_JIS: a byte below 0x40 is never part of a two-byte character, so stepping forward
/// from the last such byte lands on boundaries. UTF-8: the last byte that is not a
/// continuation byte.
fn char_start_at_or_before(line: &[u8], t: usize, utf8: bool) -> Option<usize> {
    let t = t.min(line.len());
    let floor = t.saturating_sub(2048);
    if utf8 {
        return (floor..=t)
            .rev()
            .find(|&i| i == line.len() || line[i] & 0xC0 != 0x80);
    }
    let mut p = floor + line[floor..t].iter().rposition(|&b| b < 0x40)?;
    loop {
        let step = if sjis::is_lead(line[p]) { 2 } else { 1 };
        if p + step > t {
            return Some(p);
        }
        p += step;
    }
}

/// Decodes the diagnostic's line for display and maps its Shift_JIS span to UTF-8 offsets
/// (`utf8`: the file was saved as UTF-8 by mistake, so show it as such). `data` is the chunk
/// that holds the line and `base` its file offset.
fn attach_source(d: &mut Diagnostic, data: &[u8], base: usize, utf8: bool) {
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
    let Some(off) = off.checked_sub(base) else {
        return;
    };
    if off >= data.len() || d.source.is_some() {
        return;
    }
    let rest = &data[off..];
    let end = memchr::memchr3(b'\r', b'\n', 0x1A, rest).unwrap_or(rest.len());
    let span = d.span.map(|(s, e)| (s as usize, e as usize));
    let (text, span) = source_window(&rest[..end], span, utf8, &decode);
    d.source = Some((text, span));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// While one chunk is slow, the others' results wait in order; the reader stops within a
    /// window of the last result folded instead of reading (and scanning) the rest of the
    /// file into memory. Found by review: with 2 threads, 64-byte chunks and a first chunk
    /// that took 1.5 s, 999 of 1,000 results were held at once.
    #[test]
    fn a_slow_chunk_holds_back_the_reader() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let mut bytes = Vec::new();
        for i in 0..2_000 {
            bytes.extend_from_slice(
                format!("RE,{}\r\nSY,0000999,20240101,1,,,,\r\n", i + 1).as_bytes(),
            );
        }
        let mut chunker = Chunker::new(&bytes[..], 64);
        let first = chunker.next().unwrap().unwrap();
        let scanned = AtomicUsize::new(0);
        let seen_while_slow = AtomicUsize::new(usize::MAX);
        let opts = CheckOptions::default();
        let scan = |c: &Chunk| {
            scanned.fetch_add(1, Ordering::SeqCst);
            if c.first {
                std::thread::sleep(std::time::Duration::from_millis(300));
                seen_while_slow.store(scanned.load(Ordering::SeqCst), Ordering::SeqCst);
            }
            scan_chunk_guarded(c, true, false, &opts, false)
        };
        let (mut folded, mut receipts) = (0, 0);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        pool.install(|| {
            pipeline(&mut chunker, first, 2, &scan, &mut |out, _| {
                folded += 1;
                receipts += out.receipts;
            })
        })
        .unwrap();
        assert_eq!(receipts, 2_000);
        assert!(folded > 500, "{folded} chunks");
        // The window is 2 x 2 + 2 chunks ahead of the slow first one, plus the one each
        // thread may have taken from the channel.
        let held = seen_while_slow.load(Ordering::SeqCst);
        assert!(
            held <= 2 * 2 + 2 + 2,
            "{held} chunks scanned while the first was"
        );
    }

    fn sjis_window(line: &[u8], span: (usize, usize)) -> (String, Option<(usize, usize)>) {
        let dec = |b: &[u8]| sjis::decode(b).into_owned();
        source_window(line, Some(span), false, &dec)
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let line = sjis::encode("RE,1,1112,202610,鈴木　一郎,1");
        let (text, span) = sjis_window(&line, (5, 9));
        assert_eq!(text, "RE,1,1112,202610,鈴木　一郎,1");
        assert_eq!(span.map(|(s, e)| &text[s..e]), Some("1112"));
    }

    #[test]
    fn long_fields_around_the_field_are_cut_near_it_at_character_boundaries() {
        // 3,000 bytes of two-byte characters before and after a short field.
        let long = "あ".repeat(1500);
        let line = sjis::encode(&format!("CO,{long},1234,{long}"));
        let s = 3 + 3000 + 1;
        let (text, span) = sjis_window(&line, (s, s + 4));
        assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
        assert!(!text.contains('\u{FFFD}'), "a character was split: {text}");
        // About SHOWN_CONTEXT bytes (80 characters) after the field, not the whole field; and
        // none before it: 2 KiB before the wanted cut hold no byte that fixes a character
        // boundary, so the window starts at the field itself rather than risk a split.
        let shown = text.chars().filter(|&c| c == 'あ').count();
        assert!((75..=85).contains(&shown), "{shown} characters shown");
        assert_eq!(span.map(|(a, b)| &text[a..b]), Some("1234"));
        // Half-width kana (one byte each, also valid second bytes) before a field.
        let kana = "ｱ".repeat(3000);
        let line = sjis::encode(&format!("RE,{kana},5678"));
        let s = 3 + 3000 + 1;
        let (text, span) = sjis_window(&line, (s, s + 4));
        assert!(text.len() < 1024, "{} bytes shown", text.len());
        assert!(!text.contains('\u{FFFD}'));
        assert_eq!(span.map(|(a, b)| &text[a..b]), Some("5678"));
    }

    #[test]
    fn a_utf8_line_is_cut_at_character_boundaries() {
        let long = "あ".repeat(1000);
        let line = format!("RE,{long},42,{long}");
        let s = 3 + 3000 + 1;
        let dec = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let (text, span) = source_window(line.as_bytes(), Some((s, s + 2)), true, &dec);
        assert!(!text.contains('\u{FFFD}'), "{text}");
        assert_eq!(span.map(|(a, b)| &text[a..b]), Some("42"));
    }
}
