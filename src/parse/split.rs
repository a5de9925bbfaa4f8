//! The field split the rule passes use: one pass over a line that finds its commas as bit
//! masks (one `u64` per 64 bytes, with the line end counted as a final comma) and writes the
//! spans of its *non-empty* fields only.
//!
//! A generated month has 0.63 commas per byte: most fields are empty day columns. Writing a
//! span for every comma was a quarter of a whole check; writing one per non-empty field, and
//! finding the rest on demand from the masks ([`select`]), is about a third of that.
//!
//! 16 bytes are classified at a time. On x86-64 that is three SSE2 compares (always present
//! on that architecture); elsewhere it is word arithmetic on two `u64`s.

use super::{LineBytes, Span};

/// The 16 bytes as two little-endian words (bytes 0–7, 8–15).
#[inline(always)]
fn halves(b: &[u8; 16]) -> (u64, u64) {
    let (lo, hi) = b.split_at(8);
    (
        u64::from_le_bytes(lo.try_into().expect("8 bytes")),
        u64::from_le_bytes(hi.try_into().expect("8 bytes")),
    )
}

/// Commas, quotes and non-printable bytes (outside 0x20–0x7E) of 16 bytes: bit `i` of the
/// first mask for a comma at byte `i`; the other two are non-zero when any byte is one.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(unsafe_code)]
fn block16(b: &[u8; 16]) -> (u32, u32, u32) {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        _mm_set_epi64x,
    };
    let (lo, hi) = halves(b);
    // SAFETY: these intrinsics only need SSE2, which every x86-64 processor has (it is in
    // the target's baseline features); none of them takes a pointer.
    unsafe {
        let x = _mm_set_epi64x(hi as i64, lo as i64);
        let comma = _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(b',' as i8)));
        let quote = _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(b'"' as i8)));
        // Signed compare: below 0x20 catches 0x80–0xFF too.
        let low = _mm_cmplt_epi8(x, _mm_set1_epi8(0x20));
        let del = _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F));
        let odd = _mm_movemask_epi8(_mm_or_si128(low, del));
        (comma as u32, quote as u32, odd as u32)
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn block16(b: &[u8; 16]) -> (u32, u32, u32) {
    use super::{bytes_eq, bytes_odd};
    // High bits of 8 bytes to 8 bits, byte 0 lowest.
    let pack = |h: u64| (((h >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u32;
    let (lo, hi) = halves(b);
    let comma = pack(bytes_eq(lo, b',')) | (pack(bytes_eq(hi, b',')) << 8);
    let quote = u32::from((bytes_eq(lo, b'"') | bytes_eq(hi, b'"')) != 0);
    let odd = u32::from((bytes_odd(lo) | bytes_odd(hi)) != 0);
    (comma, quote, odd)
}

/// Bit `i` set when byte `i` of the 16 is CR or LF.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
#[allow(unsafe_code)]
fn line_ends16(b: &[u8; 16]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_set_epi64x,
    };
    let (lo, hi) = halves(b);
    // SAFETY: as in `block16`: SSE2 only, no pointers.
    unsafe {
        let x = _mm_set_epi64x(hi as i64, lo as i64);
        let cr = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\r' as i8));
        let lf = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\n' as i8));
        _mm_movemask_epi8(_mm_or_si128(cr, lf)) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn line_ends16(b: &[u8; 16]) -> u32 {
    use super::bytes_eq;
    let pack = |h: u64| (((h >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) as u32;
    let (lo, hi) = halves(b);
    let ends = |w: u64| pack(bytes_eq(w, b'\r') | bytes_eq(w, b'\n'));
    ends(lo) | (ends(hi) << 8)
}

/// Position of the first CR or LF in `rest`. Claim lines are short (60 bytes on average):
/// 16 bytes at a time inline beats a call to `memchr2`, which takes over past 512 bytes.
#[inline]
pub fn line_end(rest: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 16 <= rest.len() {
        let block: &[u8; 16] = rest[i..i + 16].try_into().expect("16 bytes");
        let m = line_ends16(block);
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize);
        }
        i += 16;
        if i >= 512 {
            return memchr::memchr2(b'\r', b'\n', &rest[i..]).map(|j| i + j);
        }
    }
    rest[i..]
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .map(|j| i + j)
}

/// What [`split_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// Fields (commas + 1).
    pub fields: usize,
    /// Non-empty fields, whose spans were written.
    pub nonempty_fields: usize,
    pub bytes: LineBytes,
}

/// Splits `raw`: appends its comma masks to `words` (`raw.len() / 64 + 1` words; bit `j` of
/// word `w` for a comma at byte `64 w + j`, and one more bit for the line end), and writes
/// the spans of its non-empty fields, in order, to `spans[at..]`, growing `spans` when it is
/// too short (it is a scratch area: its length is not how many are used).
pub fn split_line(raw: &[u8], words: &mut Vec<u64>, spans: &mut Vec<Span>, at: usize) -> Split {
    let len = raw.len();
    // A non-empty field takes a byte and a comma, but the last needs no comma.
    let need = at + len / 2 + 1;
    if spans.len() < need {
        spans.resize(need, (0, 0));
    }
    let spans = &mut spans[at..];
    let (mut odd, mut quote) = (0u32, 0u32);
    let mut fields = 0usize;
    let mut nonempty = 0u64;
    // Bit 63 of the last word: whether the byte before the next word is a comma (the line
    // start counts as one).
    let mut carry = 1u64;
    let (mut starts, mut ends) = (0usize, 0usize);
    let mut base = 0usize;
    loop {
        let n = (len - base).min(64);
        let mut w = 0u64;
        let mut j = 0;
        while j + 16 <= n {
            let block: &[u8; 16] = raw[base + j..base + j + 16].try_into().expect("16 bytes");
            let (c, q, o) = block16(block);
            w |= u64::from(c) << j;
            quote |= q;
            odd |= o;
            j += 16;
        }
        if j < n {
            let r = n - j;
            let (c, q, o) = if len >= 16 {
                // The last 16 bytes of the line, overlapping bytes already seen: only the
                // commas need shifting; quotes and odd bytes are the same either way.
                let block: &[u8; 16] = raw[base + n - 16..base + n].try_into().expect("16 bytes");
                let (c, q, o) = block16(block);
                (c >> (16 - r), q, o)
            } else {
                // Padding that is none of the three.
                let mut block = [b'a'; 16];
                block[..r].copy_from_slice(&raw[base + j..base + n]);
                block16(&block)
            };
            w |= u64::from(c) << j;
            quote |= q;
            odd |= o;
        }
        let last = len - base < 64;
        let (valid_start, valid_end) = if last {
            let r = len - base;
            w |= 1u64 << r;
            ((1u64 << r) - 1, (2u64 << r).wrapping_sub(1))
        } else {
            (u64::MAX, u64::MAX)
        };
        // A non-empty field starts at a non-comma after a comma, and ends at a comma after a
        // non-comma; the n-th start pairs with the n-th end.
        let before = (w << 1) | carry;
        let mut s = !w & before & valid_start;
        let mut e = w & !before & valid_end;
        while s != 0 {
            spans[starts].0 = (base as u32) + s.trailing_zeros();
            starts += 1;
            s &= s - 1;
        }
        if fields + (w.count_ones() as usize) <= 64 {
            // Every field ending in this word is below 64.
            while e != 0 {
                let b = e.trailing_zeros();
                let k = fields + (w & ((1u64 << b) - 1)).count_ones() as usize;
                nonempty |= 1u64 << (k & 63);
                spans[ends].1 = (base as u32) + b;
                ends += 1;
                e &= e - 1;
            }
        } else {
            while e != 0 {
                let b = e.trailing_zeros();
                let k = fields + (w & ((1u64 << b) - 1)).count_ones() as usize;
                nonempty |= u64::from(k < 64) << (k & 63);
                spans[ends].1 = (base as u32) + b;
                ends += 1;
                e &= e - 1;
            }
        }
        fields += w.count_ones() as usize;
        carry = w >> 63;
        words.push(w);
        if last {
            break;
        }
        base += 64;
    }
    Split {
        fields,
        nonempty_fields: starts,
        bytes: LineBytes {
            plain: odd == 0,
            quote: quote != 0,
            nonempty,
        },
    }
}

/// Byte position of the `k`-th comma (0-based; the line end is the last) in a line's masks.
pub fn select(words: &[u64], mut k: usize) -> Option<u32> {
    for (n, &w) in words.iter().enumerate() {
        let c = w.count_ones() as usize;
        if k < c {
            let mut m = w;
            for _ in 0..k {
                m &= m - 1;
            }
            return Some((n * 64) as u32 + m.trailing_zeros());
        }
        k -= c;
    }
    None
}

/// Every field's span, in order, from a line's masks.
pub struct AllSpans<'a> {
    words: &'a [u64],
    /// The word being read, with the commas already used cleared.
    cur: u64,
    n: usize,
    start: u32,
}

impl<'a> AllSpans<'a> {
    pub fn new(words: &'a [u64]) -> Self {
        AllSpans {
            words,
            cur: words.first().copied().unwrap_or(0),
            n: 0,
            start: 0,
        }
    }
}

impl<'a> AllSpans<'a> {
    /// The spans from field `i` on: the comma before it is found once by [`select`].
    pub fn from_field(words: &'a [u64], i: usize) -> Self {
        if i == 0 {
            return AllSpans::new(words);
        }
        let Some(c) = select(words, i - 1) else {
            return AllSpans {
                words: &[],
                cur: 0,
                n: 0,
                start: 0,
            };
        };
        let n = c as usize / 64;
        // This word's commas up to and including the one before field `i` are used.
        let bit = c % 64;
        let cur = if bit == 63 {
            0
        } else {
            words[n] & (u64::MAX << (bit + 1))
        };
        AllSpans {
            words,
            cur,
            n,
            start: c + 1,
        }
    }
}

impl Iterator for AllSpans<'_> {
    type Item = Span;

    fn next(&mut self) -> Option<Span> {
        while self.cur == 0 {
            self.n += 1;
            self.cur = *self.words.get(self.n)?;
        }
        let end = (self.n * 64) as u32 + self.cur.trailing_zeros();
        self.cur &= self.cur - 1;
        let span = (self.start, end);
        self.start = end + 1;
        Some(span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::split_fields_bytes;

    /// Against the comma-by-comma split: counts, byte classes, non-empty spans, every span
    /// by [`AllSpans`] and by [`select`].
    fn same(raw: &[u8]) {
        let mut all = Vec::new();
        let (n, bytes) = split_fields_bytes(raw, &mut all);
        let (mut words, mut spans) = (vec![7u64], vec![(9, 9); 3]);
        let got = split_line(raw, &mut words, &mut spans, 2);
        assert_eq!(words.len(), 1 + raw.len() / 64 + 1, "{raw:?}");
        let words = &words[1..];
        let nonempty: Vec<Span> = all.iter().copied().filter(|(s, e)| e > s).collect();
        assert_eq!(
            got,
            Split {
                fields: n,
                nonempty_fields: nonempty.len(),
                bytes
            },
            "{raw:?}"
        );
        assert_eq!(&spans[2..2 + nonempty.len()], &nonempty[..], "{raw:?}");
        assert_eq!(spans[..2], [(9, 9), (9, 9)]);
        assert_eq!(AllSpans::new(words).collect::<Vec<_>>(), all, "{raw:?}");
        for i in 0..=all.len() {
            assert_eq!(
                AllSpans::from_field(words, i).collect::<Vec<_>>(),
                all[i..],
                "{raw:?} from field {i}"
            );
        }
        for (k, &(_, e)) in all.iter().enumerate() {
            assert_eq!(select(words, k), Some(e));
        }
        assert_eq!(select(words, all.len()), None);
    }

    #[test]
    fn line_ends_are_found_as_memchr2_finds_them() {
        let mut lines: Vec<Vec<u8>> = crate::parse::random_lines(20_000, 300).collect();
        for len in [0, 1, 15, 16, 17, 511, 512, 513, 528, 2000] {
            for at in [0, 1, 15, 16, 17, 500, 511, 512, 513, 527, 1999] {
                for b in [b'\r', b'\n'] {
                    let mut l = vec![b'x'; len];
                    if at < len {
                        l[at] = b;
                    }
                    lines.push(l);
                }
            }
        }
        for l in &lines {
            assert_eq!(line_end(l), memchr::memchr2(b'\r', b'\n', l), "{l:?}");
        }
    }

    #[test]
    fn masks_match_the_comma_by_comma_split() {
        for raw in crate::parse::every_byte_everywhere(40) {
            same(&raw);
        }
        for len in 0..300 {
            same(&vec![b','; len]);
            same(
                &(0..len)
                    .map(|i| if i % 3 == 0 { b',' } else { b'x' })
                    .collect::<Vec<_>>(),
            );
        }
        for raw in crate::parse::random_lines(20_000, 300) {
            same(&raw);
        }
    }
}
