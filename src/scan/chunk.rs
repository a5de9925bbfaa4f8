//! Splitting a file into chunks that begin where a receipt begins, read ahead in buffers
//! that several chunks share.

use super::*;

/// A piece of the file that starts at a receipt boundary (or at the file's start): a range
/// of a buffer the chunker read, which several chunks may share (no copy per chunk).
pub(super) struct Chunk {
    pub(super) buf: std::sync::Arc<Vec<u8>>,
    pub(super) range: std::ops::Range<usize>,
    /// File offset of `data()[0]`.
    pub(super) base: usize,
    pub(super) first: bool,
    /// What the file's header says that every receipt is checked against.
    pub(super) header: Header,
}

/// The facts of the file's header record (医科 IR, 歯科 UK) that receipts in any chunk are
/// compared with; read once, when the first chunk is cut.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    /// 請求年月 as YYYYMM (either calendar), when readable.
    pub(crate) claim_ym: Option<u32>,
    /// The values each receipt's own IR repeats (歯科; `Layout::same_as_header`), when the
    /// header has them.
    pub(crate) same: Vec<Option<Vec<u8>>>,
}

impl Header {
    /// Reads the header record of the kind `spec` from the start of the file's first chunk.
    fn read(data: &[u8], spec: &Spec) -> Header {
        let l = &spec.layout;
        let line_end = memchr::memchr2(b'\r', b'\n', data).unwrap_or(data.len());
        let line = &data[..line_end.min(4096)];
        let id = spec.grammar.record(l.header).id.as_bytes();
        if !(line.starts_with(id) && line.get(id.len()) == Some(&b',')) {
            return Header::default();
        }
        let fields: Vec<&[u8]> = line.split(|&b| b == b',').collect();
        let same = l
            .same_as_header
            .iter()
            .map(|&(at, _)| fields.get(at).filter(|v| !v.is_empty()).map(|v| v.to_vec()))
            .collect();
        let claim_ym = fields
            .get(l.header_claim_ym)
            .and_then(|v| crate::parse::value::parse_date(v, false).ok())
            .map(|d| d.ym());
        Header { claim_ym, same }
    }
}

impl Chunk {
    pub(super) fn data(&self) -> &[u8] {
        &self.buf[self.range.clone()]
    }
}

/// Splits a reader into chunks that start at receipt boundaries (a line beginning with the
/// kind's receipt-opening record: `RE,` in 医科, `IR,` in 歯科),
/// stopping at the 0x1A mark; counts what follows the mark.
pub(super) struct Chunker<R> {
    pub(super) r: R,
    pub(super) buf: Vec<u8>,
    /// File offset of `buf[0]`.
    pub(super) base: usize,
    /// File offset of the 0x1A mark, once seen.
    pub(super) eof_mark: Option<usize>,
    /// Bytes after the mark.
    pub(super) after: usize,
    pub(super) done: bool,
    pub(super) first: bool,
    pub(super) size: usize,
    /// Buffers of scanned chunks, reused for the next ones (fresh 4 MiB buffers cost a page
    /// fault per page).
    pub(super) spare: Vec<Vec<u8>>,
    /// The buffer the last chunk was cut from, and where the rest of it starts: the next
    /// chunks are cut from it while it holds a whole one (many, when chunks are small).
    pub(super) frozen: Option<(std::sync::Arc<Vec<u8>>, usize)>,
    /// The file's header, once the first chunk is cut.
    pub(super) header: Header,
    /// The grammar of the file's kind (its header and receipt-opening records).
    pub(super) spec: &'static Spec,
    /// A line end followed by the record that opens a receipt: `\nRE,` and `\rRE,` in 医科.
    opens: [Vec<u8>; 2],
}

impl<R: std::io::Read> Chunker<R> {
    /// A chunker at the start of `r`, cutting chunks of about `size` bytes.
    pub(super) fn new(r: R, size: usize, spec: &'static Spec) -> Self {
        let id = spec.grammar.record(spec.layout.opener).id.as_bytes();
        let open = |end: u8| [&[end][..], id, b","].concat();
        Chunker {
            spec,
            opens: [open(b'\n'), open(b'\r')],
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
            header: Header::default(),
        }
    }

    /// Reads one block; `None` at the end of the input.
    pub(super) fn read_block(&mut self, block: &mut [u8]) -> std::io::Result<Option<usize>> {
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
    pub(super) fn take(&mut self, got: &[u8], block: &mut [u8]) -> std::io::Result<()> {
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
    pub(super) fn fill(&mut self, want: usize) -> std::io::Result<()> {
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
    pub(super) fn fresh(&mut self) -> Vec<u8> {
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
    pub(super) fn skip_line(&mut self, keep: usize) -> std::io::Result<(Vec<u8>, usize)> {
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
    pub(super) fn exhausted(&self) -> bool {
        self.done
            && self.buf.is_empty()
            && self.frozen.as_ref().is_none_or(|(b, at)| *at >= b.len())
    }

    /// The next chunk, or `None` at the end; the first one's header is read and handed to
    /// every chunk.
    pub(super) fn next(&mut self) -> std::io::Result<Option<Chunk>> {
        let mut c = self.cut()?;
        if let Some(c) = c.as_mut() {
            if c.first {
                self.header = Header::read(c.data(), self.spec);
            }
            c.header = self.header.clone();
        }
        Ok(c)
    }

    fn cut(&mut self) -> std::io::Result<Option<Chunk>> {
        let size = self.size;
        if let Some((frozen, at)) = self.frozen.take() {
            let rest = &frozen[at..];
            let limit = size.saturating_mul(4).max(16 << 20);
            if let Some(cut) = boundary(
                &rest[..rest.len().min(limit)],
                size,
                &self.opens,
                self.spec.layout.re_summary,
            ) {
                let chunk = Chunk {
                    buf: frozen.clone(),
                    range: at..at + cut,
                    base: self.base,
                    first: self.first,
                    header: Header::default(),
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
            // A boundary: the first line starting with the receipt's record at or after `size`
            // (after LF, or after a lone CR in a CR-only file).
            // Receipt boundaries are looked for within the limit only (as the forced cut
            // below), so where chunks end depends on the bytes, not on how much was read.
            let limit = size.saturating_mul(4).max(16 << 20);
            let cut = boundary(
                &self.buf[..self.buf.len().min(limit)],
                size,
                &self.opens,
                self.spec.layout.re_summary,
            );
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
                                header: Header::default(),
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
                header: Header::default(),
            };
            self.base += cut;
            self.first = false;
            return Ok(Some(chunk));
        }
    }
}

/// Where a chunk of `buf` ends: at the first line that starts a receipt at or after `size`
/// (`opens`: the receipt's record after LF, and after a lone CR in a CR-only file); `None`
/// when `buf` has none. With `detail_at` (DPC: RE 総括区分), never before a detail receipt
/// of a 総括 group (`2`, `3`), so that a group is read in one chunk.
pub(super) fn boundary(
    buf: &[u8],
    size: usize,
    opens: &[Vec<u8>; 2],
    detail_at: Option<usize>,
) -> Option<usize> {
    let mut from = size;
    loop {
        let tail = buf.get(from..).filter(|t| !t.is_empty())?;
        let lf = memchr::memmem::find(tail, &opens[0]);
        let cr = memchr::memmem::find(tail, &opens[1]);
        let at =
            from + match (lf, cr) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b)?,
            } + 1;
        match detail_at {
            Some(k) if is_detail(&buf[at..], k) => from = at,
            _ => return Some(at),
        }
    }
}

/// Field `k` of the line at the start of `line` is `2` or `3`.
fn is_detail(line: &[u8], k: usize) -> bool {
    let end = memchr::memchr2(b'\r', b'\n', line).unwrap_or(line.len());
    line[..end]
        .split(|&b| b == b',')
        .nth(k)
        .is_some_and(|f| f == b"2" || f == b"3")
}

/// Position of the last line end (LF, or a CR not followed by LF) in `buf`; a CR at the very
/// end may be half of a CR LF, so it does not count.
pub(super) fn last_line_end(buf: &[u8]) -> Option<usize> {
    let mut end = buf.len();
    while let Some(i) = memchr::memrchr2(b'\r', b'\n', &buf[..end]) {
        if buf[i] == b'\n' || (i + 1 < buf.len() && buf[i + 1] != b'\n') {
            return Some(i);
        }
        end = i;
    }
    None
}
