//! Checking one file: read its bytes, split lines into records, group records into blocks
//! (the IR header, each receipt from RE to the next RE, the GO trailer) and run the rule
//! passes over records, receipts and the file. Every diagnostic goes into the file's own
//! buffer, sorted at the end, so output is the same however files are scheduled.

use crate::encoding::sjis::{self, Scan};
use crate::kind::grammar::Scope;
use crate::kind::Spec;
use crate::parse::record::RecBuf;
use crate::parse::{Line, Lines, Term};
use crate::qualify::{Breakdown, ReceiptFact};
use crate::report::{Arg, Diagnostic, ReceiptLabel};
use crate::rules::{chars, file, insurer, qualification, structure, value, Cx};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

mod chunk;
mod fold;
mod pipeline;
mod scanner;

use crate::report::source::attach_source;
pub use crate::report::{top, FileReport};
pub(crate) use chunk::Header;
use chunk::*;
use fold::*;
use pipeline::*;
use scanner::*;

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
    /// Files finished (counted by the caller, which knows what a file is to it).
    pub files: std::sync::atomic::AtomicU64,
    pub bytes: std::sync::atomic::AtomicU64,
    pub receipts: std::sync::atomic::AtomicU64,
}

/// Default chunk size: large enough that per-chunk work is negligible, small enough that a
/// window of chunks per thread stays far below the memory target.
pub const DEFAULT_CHUNK: usize = 4 << 20;

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
    let head_start = head[..head.len().min(FACILITY_BYTES)].to_vec();
    let mut acc = FileAcc::default();
    if let Some((ja, en, hint_ja, hint_en)) = file::sniff(&head) {
        // Nothing in it is a record: say what it is instead of listing its bytes.
        acc.cx.file(
            &file::F008,
            vec![
                crate::report::bi(ja, en),
                crate::report::bi(hint_ja, hint_en),
            ],
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
    // A file that tells nothing of its kind is read as 医科, whose S001 says what is wrong.
    let spec = match what {
        Detected::Claim(k) => k.spec(),
        _ => None,
    }
    .unwrap_or_else(Spec::medical);
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
    let mut chunker = Chunker::new(std::io::Cursor::new(head).chain(r), size, spec);
    // Skip the BOM: its bytes are not part of any record.
    let mut skip = vec![0u8; bom];
    std::io::Read::read_exact(&mut chunker.r, &mut skip)?;
    chunker.base = bom;
    let text_ok = enc == file::Encoding::ShiftJis;
    let utf8 = matches!(enc, file::Encoding::Utf8 { .. });
    let threads = rayon::current_num_threads().max(1);
    let scan = |c: &Chunk| scan_chunk_guarded(c, spec, text_ok, utf8, opts, spool);
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
    let end = FileEnd {
        eof_mark: chunker.eof_mark,
        after: chunker.after,
        size: chunker.base + chunker.buf.len() + chunker.eof_mark.map_or(0, |_| 1) + chunker.after,
    };
    acc.finish(&end, &mut report, opts, body, spec);
    report.facility = facility_of(&head_start, opts.kind);
    Ok(report)
}

/// Bytes of a file's start that [`facility_of`] reads.
pub(crate) const FACILITY_BYTES: usize = 4096;

/// The 医療機関コード (薬局コード) of a claim file: the facility field of its header record,
/// when the file starts with one (after a UTF-8 BOM), else "". Read from the first
/// [`FACILITY_BYTES`] bytes only: a month is planned by facility from that much of each file
/// before any file is scanned, and the scan reports the same bytes' answer, so a file is
/// always resolved with the facility it is reported under.
pub(crate) fn facility_of(start: &[u8], forced: Option<crate::kind::Kind>) -> String {
    let start = &start[..start.len().min(FACILITY_BYTES)];
    let start = start.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(start);
    let line = &start[..memchr::memchr2(b'\r', b'\n', start).unwrap_or(start.len())];
    let id = &line[..memchr::memchr(b',', line).unwrap_or(line.len())];
    let spec = match forced {
        Some(k) => k.spec(),
        None => crate::kind::by_header(id).and_then(|k| k.spec()),
    };
    let Some(spec) = spec else {
        return String::new();
    };
    let l = &spec.layout;
    if spec.grammar.record(l.header).id.as_bytes() != id {
        return String::new();
    }
    match line.split(|&b| b == b',').nth(l.header_facility) {
        Some(v) => sjis::decode(v).into_owned(),
        None => String::new(),
    }
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
        let mut chunker = Chunker::new(&bytes[..], 64, Spec::medical());
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
            scan_chunk_guarded(c, Spec::medical(), true, false, &opts, false)
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
}
