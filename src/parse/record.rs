//! Records as the rule passes see them: zero-copy views into the file's bytes with the
//! field spans the parser found, grouped into blocks (a receipt, or a file-level record).

use crate::kind::grammar::{FieldDef, RecIdx, RecordDef};
use crate::kind::layout::Layout;
use crate::kind::Spec;
use crate::parse::split::{select, split_line, AllSpans};
use crate::parse::{Line, LineBytes, Span, Term};

/// One record: a line, its layout (when the id is known) and where its fields are.
#[derive(Debug, Clone, Copy)]
pub struct Rec<'a> {
    pub no: u32,
    pub offset: usize,
    pub raw: &'a [u8],
    pub term: Term,
    pub def: Option<RecIdx>,
    /// Its comma masks in [`RecBuf::words`] (`raw.len() / 64 + 1` of them).
    first_word: u32,
    /// The spans of its non-empty fields in [`RecBuf::spans`].
    first_span: u32,
    nonempty_fields: u32,
    nf: u32,
    /// Bit `i` set when field `i` (< 64) is not empty.
    pub nonempty: u64,
}

/// The records of the current block and their fields, reused from block to block.
#[derive(Debug)]
pub struct RecBuf<'a> {
    /// The grammar and layout of the file's kind: what the records are read as.
    pub spec: &'static Spec,
    pub recs: Vec<Rec<'a>>,
    /// Comma masks of every record (see [`split_line`]).
    words: Vec<u64>,
    /// Spans of the non-empty fields of every record; `spans[..used]` are the block's.
    spans: Vec<Span>,
    used: usize,
}

impl<'a> RecBuf<'a> {
    /// An empty buffer for records of the kind `spec` describes.
    pub fn new(spec: &'static Spec) -> Self {
        RecBuf {
            spec,
            recs: Vec::new(),
            words: Vec::new(),
            spans: Vec::new(),
            used: 0,
        }
    }

    /// Where the rules find what they read in records of this kind.
    pub fn layout(&self) -> &'static Layout {
        &self.spec.layout
    }

    pub fn clear(&mut self) {
        self.recs.clear();
        self.words.clear();
        self.used = 0;
    }

    /// Splits `line` (whose id the caller has looked up as `def`) into fields and appends it;
    /// returns its index in the block and what the pass found about its bytes.
    pub fn push(&mut self, def: Option<RecIdx>, line: &Line<'a>) -> (usize, LineBytes) {
        let first_word = self.words.len() as u32;
        let first_span = self.used as u32;
        let split = split_line(line.raw, &mut self.words, &mut self.spans, self.used);
        self.used += split.nonempty_fields;
        self.recs.push(Rec {
            no: line.no,
            offset: line.offset,
            raw: line.raw,
            term: line.term,
            def,
            first_word,
            first_span,
            nonempty_fields: split.nonempty_fields as u32,
            nf: split.fields as u32,
            nonempty: split.bytes.nonempty,
        });
        (self.recs.len() - 1, split.bytes)
    }

    pub fn view(&self, i: usize) -> RecView<'_, 'a> {
        RecView {
            rec: &self.recs[i],
            buf: self,
        }
    }

    pub fn views(&self) -> impl Iterator<Item = RecView<'_, 'a>> {
        self.recs.iter().map(move |rec| RecView { rec, buf: self })
    }

    /// The records after the first (a receipt's records after its RE).
    pub fn views_after_first(&self) -> impl Iterator<Item = RecView<'_, 'a>> {
        self.recs
            .get(1..)
            .unwrap_or_default()
            .iter()
            .map(move |rec| RecView { rec, buf: self })
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

    /// The record's comma masks.
    fn words(&self) -> &'b [u64] {
        let first = self.rec.first_word as usize;
        &self.buf.words[first..first + self.rec.raw.len() / 64 + 1]
    }

    /// The spans of the non-empty fields, in field order (field `i` < 64 is at the rank of
    /// bit `i` in [`Rec::nonempty`]).
    pub fn nonempty_spans(&self) -> &'b [Span] {
        let first = self.rec.first_span as usize;
        &self.buf.spans[first..first + self.rec.nonempty_fields as usize]
    }

    /// The values of the non-empty fields among those of `run`, a mask of consecutive
    /// field indices below 64 (the 31 day columns, say): they are consecutive spans.
    pub fn nonempty_run(&self, run: u64) -> impl Iterator<Item = &'a [u8]> + 'b {
        let m = self.rec.nonempty;
        let from = (m & ((1u64 << run.trailing_zeros()) - 1)).count_ones() as usize;
        let n = (m & run).count_ones() as usize;
        let raw = self.rec.raw;
        self.nonempty_spans()[from..from + n]
            .iter()
            .map(move |&(s, e)| &raw[s as usize..e as usize])
    }

    /// The non-empty fields with their numbers, in field order: each span's number is the
    /// commas before it, counted from the masks as the spans go (for records of more than 64
    /// fields, where [`Rec::nonempty`] cannot say).
    pub fn numbered_spans(&self) -> impl Iterator<Item = (usize, Span)> + 'b {
        let words = self.words();
        let (mut w, mut before) = (0usize, 0usize);
        self.nonempty_spans().iter().map(move |&(s, e)| {
            let at = s as usize / 64;
            while w < at {
                before += words[w].count_ones() as usize;
                w += 1;
            }
            let i = before + (words[at] & ((1u64 << (s % 64)) - 1)).count_ones() as usize;
            (i, (s, e))
        })
    }

    /// The bytes of fields `first..first + n` (fewer when the record ends first): one walk
    /// over the comma masks, for runs of columns past field 64 (歯科 SS days: 78–108).
    pub fn run(&self, first: usize, n: usize) -> impl Iterator<Item = &'a [u8]> + 'b {
        let raw = self.rec.raw;
        AllSpans::from_field(self.words(), first)
            .take(n)
            .map(move |(s, e)| &raw[s as usize..e as usize])
    }

    /// Span of field `i`; a missing trailing field is an empty span at the end of the line.
    #[inline]
    pub fn span(&self, i: usize) -> Span {
        match self.fast_span(i) {
            Some(Some(span)) => span,
            _ => self.slow_span(i),
        }
    }

    /// Field `i`'s bytes; missing trailing fields read as empty.
    #[inline]
    pub fn field(&self, i: usize) -> &'a [u8] {
        let (s, e) = match self.fast_span(i) {
            Some(Some(span)) => span,
            Some(None) => return &[],
            None => self.slow_span(i),
        };
        &self.rec.raw[s as usize..e as usize]
    }

    /// Field `i` < 64 from the non-empty mask: its span when it holds something, `Some(None)`
    /// when it is empty; `None` for fields from 64 on.
    #[inline(always)]
    fn fast_span(&self, i: usize) -> Option<Option<Span>> {
        if i >= 64 {
            return None;
        }
        let mask = self.rec.nonempty;
        if mask >> i & 1 == 0 {
            return Some(None);
        }
        let rank = (mask & ((1u64 << i) - 1)).count_ones() as usize;
        Some(Some(self.buf.spans[self.rec.first_span as usize + rank]))
    }

    /// Any field's span from the comma masks (empty fields, and fields from 64 on).
    #[cold]
    fn slow_span(&self, i: usize) -> Span {
        let n = self.rec.raw.len() as u32;
        if i >= self.rec.nf as usize {
            return (n, n);
        }
        let words = self.words();
        let end = select(words, i).unwrap_or(n);
        let start = match i {
            0 => 0,
            _ => select(words, i - 1).map_or(n, |e| e + 1),
        };
        (start, end)
    }

    pub fn id(&self) -> &'a [u8] {
        self.field(0)
    }

    pub fn def(&self) -> Option<&'static RecordDef> {
        self.rec.def.map(|d| self.buf.spec.grammar.record(d))
    }

    /// The grammar and layout of the file's kind.
    pub fn spec(&self) -> &'static Spec {
        self.buf.spec
    }

    /// Where the rules find what they read in records of this kind.
    pub fn layout(&self) -> &'static Layout {
        &self.buf.spec.layout
    }

    pub fn field_def(&self, i: usize) -> Option<&'static FieldDef> {
        self.def().and_then(|d| d.fields.get(i))
    }

    pub fn is(&self, idx: RecIdx) -> bool {
        self.rec.def == Some(idx)
    }

    /// Field `i` parsed as an unsigned number (`None` when empty or not digits).
    #[inline]
    pub fn num(&self, i: usize) -> Option<u64> {
        number(self.field(i))
    }
}

/// `v` as a number: 1 to 18 ASCII digits.
#[inline]
pub fn number(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 18 {
        return None;
    }
    let mut n = 0u64;
    for &c in v {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        n = n * 10 + u64::from(d);
    }
    Some(n)
}
