//! Tolerant, zero-copy reading of a claim file: bytes → lines → records → fields.
//!
//! Nothing is decoded here and nothing is rejected: every line becomes a [`Line`] that keeps
//! its 1-based number, its byte offset in the file and how it was terminated, so the rule
//! passes can report CR-only or LF-only line ends, a missing 0x1A, and so on, and checking
//! goes on after any of them. Fields are split on `,` (the format has no quoting) and kept
//! as byte spans into the line.

/// Longest record checked in full. The longest record of the specification (SJ, 2,400
/// bytes of text) fits many times over; a longer one is reported (F009) and cut, so a file
/// without line ends cannot make the check slow or large.
pub const MAX_RECORD: usize = 64 * 1024;

pub(crate) mod field;
pub(crate) mod record;
pub mod split;
pub(crate) mod value;

use memchr::memchr;

/// How a line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// CR LF, as the spec requires.
    CrLf,
    /// LF alone.
    Lf,
    /// CR alone.
    Cr,
    /// End of data with no terminator (last line).
    None,
}

/// One physical line of the file (one record, when the file is well formed).
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// 1-based line number.
    pub no: u32,
    /// Byte offset of the line's first byte in the file.
    pub offset: usize,
    /// The line without its terminator.
    pub raw: &'a [u8],
    pub term: Term,
}

/// Splits data into lines on CR LF, LF or CR.
pub struct Lines<'a> {
    data: &'a [u8],
    pos: usize,
    base: usize,
    no: u32,
}

impl<'a> Lines<'a> {
    /// `base` is the file offset of `data[0]`; `first_no` the number of its first line.
    pub fn new(data: &'a [u8], base: usize, first_no: u32) -> Self {
        Lines {
            data,
            pos: 0,
            base,
            no: first_no,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        if self.pos >= self.data.len() {
            return None;
        }
        let rest = &self.data[self.pos..];
        let start = self.pos;
        let (len, term, step) = match split::line_end(rest) {
            None => (rest.len(), Term::None, rest.len()),
            Some(i) if rest[i] == b'\n' => (i, Term::Lf, i + 1),
            Some(i) if rest.get(i + 1) == Some(&b'\n') => (i, Term::CrLf, i + 2),
            Some(i) => (i, Term::Cr, i + 1),
        };
        self.pos += step;
        let line = Line {
            no: self.no,
            offset: self.base + start,
            raw: &rest[..len],
            term,
        };
        self.no += 1;
        Some(line)
    }
}

/// Byte span `[start, end)` of a field inside its line.
pub type Span = (u32, u32);

/// What one pass over a line found besides its fields.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineBytes {
    /// Every byte is printable ASCII (0x20–0x7E): no text scan is needed.
    pub plain: bool,
    /// A double quote (F006).
    pub quote: bool,
    /// Bit `i` set when field `i` (< 64) is not empty.
    pub nonempty: u64,
}

/// Appends the spans of the comma-separated fields of `raw` to `out`; returns how many.
pub fn split_fields(raw: &[u8], out: &mut Vec<Span>) -> usize {
    split_fields_bytes(raw, out).0
}

const LO7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit of each byte of `w` that equals `b` (exact: no carries between bytes).
#[inline]
fn bytes_eq(w: u64, b: u8) -> u64 {
    let x = w ^ (u64::from(b) * 0x0101_0101_0101_0101);
    !(((x & LO7) + LO7) | x) & HI
}

/// High bit of each byte of `w` outside printable ASCII (below 0x20, 0x7F, or 0x80 up).
#[inline]
pub(crate) fn bytes_odd(w: u64) -> u64 {
    let low = w & LO7;
    let ge_20 = (low + 0x6060_6060_6060_6060) & HI;
    let is_7f = (low + 0x0101_0101_0101_0101) & HI;
    (w & HI) | (!ge_20 & HI) | is_7f
}

/// [`split_fields`], also classifying the bytes in the same pass (the line is read once),
/// eight bytes at a time: commas, quotes and non-printable bytes are found with word
/// arithmetic.
pub fn split_fields_bytes(raw: &[u8], out: &mut Vec<Span>) -> (usize, LineBytes) {
    // A local vector: its length stays in a register through the loop instead of being
    // stored back through `out` at every comma.
    let mut spans = std::mem::take(out);
    let before = spans.len();
    // At most one field per byte, plus one: no growth check fails inside the loop.
    spans.reserve(raw.len() + 1);
    let mut start = 0u32;
    let (mut odd, mut quote) = (0u64, 0u64);
    // Bit k for field k (< 64) not empty, set as each field ends (no second pass).
    let mut nonempty = 0u64;
    let mut k = 0u32;
    let mut end_field = |spans: &mut Vec<Span>, start: &mut u32, i: u32| {
        spans.push((*start, i));
        nonempty |= (u64::from(i > *start) & u64::from(k < 64)) << (k & 63);
        k += 1;
        *start = i + 1;
    };
    let words = raw.chunks_exact(8);
    let tail = words.remainder();
    for (n, c) in words.enumerate() {
        let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        odd |= bytes_odd(w);
        quote |= bytes_eq(w, b'"');
        let mut commas = bytes_eq(w, b',');
        while commas != 0 {
            let i = (n * 8) as u32 + commas.trailing_zeros() / 8;
            end_field(&mut spans, &mut start, i);
            commas &= commas - 1;
        }
    }
    let base = raw.len() - tail.len();
    for (j, &b) in tail.iter().enumerate() {
        if b == b',' {
            end_field(&mut spans, &mut start, (base + j) as u32);
        }
        odd |= u64::from(!(0x20..0x7F).contains(&b));
        quote |= u64::from(b == b'"');
    }
    end_field(&mut spans, &mut start, raw.len() as u32);
    let bytes = LineBytes {
        plain: odd == 0,
        quote: quote != 0,
        nonempty,
    };
    let n = spans.len() - before;
    *out = spans;
    (n, bytes)
}

/// Where the 0x1A end-of-file mark is, if any.
pub fn find_eof(data: &[u8]) -> Option<usize> {
    memchr(0x1A, data)
}

/// Lines of `a` shorter than `max_len`, with every byte value at every position.
#[cfg(test)]
pub(crate) fn every_byte_everywhere(max_len: usize) -> impl Iterator<Item = Vec<u8>> {
    (0..max_len).flat_map(|len| {
        (0..len).flat_map(move |at| {
            (0..=255u8).map(move |b| {
                let mut raw = vec![b'a'; len];
                raw[at] = b;
                raw
            })
        })
    })
}

/// `n` pseudo-random lines of up to `max_len` bytes, two fifths commas, for the split tests.
#[cfg(test)]
pub(crate) fn random_lines(n: usize, max_len: u64) -> impl Iterator<Item = Vec<u8>> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..n).map(move |_| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % max_len) as usize;
        (0..len)
            .map(|i| {
                let r = (x >> (i % 56)) as u8 ^ (i as u8).wrapping_mul(31);
                match r % 5 {
                    0 | 1 => b',',
                    2 => b'1',
                    _ => r,
                }
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(d: &[u8]) -> Vec<(u32, usize, &[u8], Term)> {
        Lines::new(d, 0, 1)
            .map(|l| (l.no, l.offset, l.raw, l.term))
            .collect()
    }

    #[test]
    fn splits_every_line_end() {
        let d = b"IR,1\r\nRE,2\nHO,3\rGO,4";
        assert_eq!(
            lines(d),
            vec![
                (1, 0, &b"IR,1"[..], Term::CrLf),
                (2, 6, &b"RE,2"[..], Term::Lf),
                (3, 11, &b"HO,3"[..], Term::Cr),
                (4, 16, &b"GO,4"[..], Term::None),
            ]
        );
        assert!(lines(b"").is_empty());
        assert_eq!(lines(b"\r\n"), vec![(1, 0, &b""[..], Term::CrLf)]);
    }

    #[test]
    fn fields_keep_spans_and_empties() {
        let mut v = Vec::new();
        assert_eq!(split_fields(b"SN,1,01,,,,00,,", &mut v), 9);
        assert_eq!(v[0], (0, 2));
        assert_eq!(v[2], (5, 7));
        assert_eq!(v[8], (15, 15));
        v.clear();
        assert_eq!(split_fields(b"", &mut v), 1);
        let mut v = Vec::new();
        let plain = LineBytes {
            plain: true,
            quote: false,
            nonempty: 0b111,
        };
        assert_eq!(split_fields_bytes(b"SI,1,2", &mut v), (3, plain));
        assert_eq!(split_fields_bytes(b"SI,,2,", &mut v).1.nonempty, 0b101);
        assert_eq!(split_fields_bytes(b",", &mut v).1.nonempty, 0);
        assert!(split_fields_bytes(b"RE,\"a\"", &mut v).1.quote);
        let many = format!("{}x", ",".repeat(70));
        assert_eq!(split_fields_bytes(many.as_bytes(), &mut v).1.nonempty, 0);
        let many = format!("x{}", ",x".repeat(70));
        assert_eq!(
            split_fields_bytes(many.as_bytes(), &mut v).1.nonempty,
            u64::MAX
        );
        assert!(!split_fields_bytes("RE,名".as_bytes(), &mut v).1.plain);
        assert!(!split_fields_bytes(b"RE,\t", &mut v).1.plain);
    }

    /// The word-at-a-time split against a byte-by-byte one, on every byte value at every
    /// position of short lines and on pseudo-random lines of up to 160 bytes.
    #[test]
    fn word_split_matches_byte_split() {
        fn naive(raw: &[u8]) -> (Vec<Span>, LineBytes) {
            let mut spans = Vec::new();
            let mut start = 0u32;
            for (i, &b) in raw.iter().enumerate() {
                if b == b',' {
                    spans.push((start, i as u32));
                    start = i as u32 + 1;
                }
            }
            spans.push((start, raw.len() as u32));
            let nonempty = spans
                .iter()
                .enumerate()
                .take(64)
                .filter(|(_, (s, e))| e > s)
                .fold(0u64, |m, (i, _)| m | 1 << i);
            let plain = raw.iter().all(|b| (0x20..0x7F).contains(b));
            let quote = raw.contains(&b'"');
            (
                spans,
                LineBytes {
                    plain,
                    quote,
                    nonempty,
                },
            )
        }
        let check = |raw: &[u8]| {
            let mut v = vec![(7, 7)];
            let (n, bytes) = split_fields_bytes(raw, &mut v);
            assert_eq!(n, v.len() - 1);
            assert_eq!((v[1..].to_vec(), bytes), naive(raw), "{raw:?}");
        };
        for raw in every_byte_everywhere(20) {
            check(&raw);
        }
        for raw in random_lines(20_000, 160) {
            check(&raw);
        }
    }
}
