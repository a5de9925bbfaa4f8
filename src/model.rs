//! Records as the rule passes see them: zero-copy views into the file's bytes with the
//! field spans the parser found, grouped into blocks (a receipt, or a file-level record).

use crate::grammar::{FieldDef, Grammar, RecIdx, RecordDef};
use crate::parse::{split_fields_bytes, Line, LineBytes, Span, Term};

/// One record: a line, its layout (when the id is known) and its fields' spans.
#[derive(Debug, Clone, Copy)]
pub struct Rec<'a> {
    pub no: u32,
    pub offset: usize,
    pub raw: &'a [u8],
    pub term: Term,
    pub def: Option<RecIdx>,
    first: u32,
    nf: u32,
    /// Bit `i` set when field `i` (< 64) is not empty.
    pub nonempty: u64,
}

/// The records of the current block and their field spans, reused from block to block.
#[derive(Debug, Default)]
pub struct RecBuf<'a> {
    pub recs: Vec<Rec<'a>>,
    spans: Vec<Span>,
}

impl<'a> RecBuf<'a> {
    pub fn clear(&mut self) {
        self.recs.clear();
        self.spans.clear();
    }

    /// Splits `line` (whose id the caller has looked up as `def`) into fields and appends it;
    /// returns its index in the block and what the pass found about its bytes.
    pub fn push(&mut self, def: Option<RecIdx>, line: &Line<'a>) -> (usize, LineBytes) {
        let first = self.spans.len() as u32;
        let (nf, bytes) = split_fields_bytes(line.raw, &mut self.spans);
        let nf = nf as u32;
        self.recs.push(Rec {
            no: line.no,
            offset: line.offset,
            raw: line.raw,
            term: line.term,
            def,
            first,
            nf,
            nonempty: bytes.nonempty,
        });
        (self.recs.len() - 1, bytes)
    }

    pub fn view(&self, i: usize) -> RecView<'_, 'a> {
        RecView {
            rec: &self.recs[i],
            buf: self,
        }
    }

    pub fn views(&self) -> impl Iterator<Item = RecView<'_, 'a>> {
        (0..self.recs.len()).map(move |i| self.view(i))
    }

    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }
}

/// A record with access to its fields.
#[derive(Clone, Copy)]
pub struct RecView<'b, 'a> {
    pub rec: &'b Rec<'a>,
    buf: &'b RecBuf<'a>,
}

impl<'b, 'a> RecView<'b, 'a> {
    /// Number of fields found (the id counts as field 0).
    pub fn nfields(&self) -> usize {
        self.rec.nf as usize
    }

    /// The spans of the fields found, in order (the id first).
    pub fn spans(&self) -> &'b [Span] {
        let first = self.rec.first as usize;
        &self.buf.spans[first..first + self.rec.nf as usize]
    }

    /// Span of field `i`; a missing trailing field is an empty span at the end of the line.
    pub fn span(&self, i: usize) -> Span {
        if i < self.rec.nf as usize {
            self.buf.spans[self.rec.first as usize + i]
        } else {
            let n = self.rec.raw.len() as u32;
            (n, n)
        }
    }

    /// Field `i`'s bytes; missing trailing fields read as empty.
    pub fn field(&self, i: usize) -> &'a [u8] {
        let (s, e) = self.span(i);
        &self.rec.raw[s as usize..e as usize]
    }

    pub fn id(&self) -> &'a [u8] {
        self.field(0)
    }

    pub fn def(&self) -> Option<&'static RecordDef> {
        self.rec.def.map(|d| Grammar::get().record(d))
    }

    pub fn field_def(&self, i: usize) -> Option<&'static FieldDef> {
        self.def().and_then(|d| d.fields.get(i))
    }

    pub fn is(&self, idx: RecIdx) -> bool {
        self.rec.def == Some(idx)
    }

    /// Field `i` parsed as an unsigned number (`None` when empty or not digits).
    pub fn num(&self, i: usize) -> Option<u64> {
        let v = self.field(i);
        if v.is_empty() || v.len() > 18 || !v.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(v.iter().fold(0u64, |a, &c| a * 10 + (c - b'0') as u64))
    }
}
