//! Shift_JIS (CP932) byte classification and decoding for display.
//!
//! The file is never decoded as a whole: rules look at bytes, and only what is shown to a
//! person is decoded (with [`decode`]). [`scan`] walks a field once and tells how many
//! single- and double-byte characters it holds, where the first invalid byte is, and where
//! the first character outside JIS X 0208 is.

use std::borrow::Cow;
use std::sync::OnceLock;

/// Class of a double-byte code in the CP932 repertoire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dbl {
    /// Not a character of CP932 (or a malformed pair).
    Invalid,
    /// JIS X 0208 (what the 記録条件仕様 allows).
    Jis0208,
    /// NEC special characters (row 13), NEC-selected IBM extensions, IBM extensions.
    Extension,
    /// User-defined area 0xF0–0xF9 (外字).
    UserDefined,
}

const LEAD_MIN: u8 = 0x81;
const LEAD_MAX: u8 = 0xFC;

pub fn is_lead(b: u8) -> bool {
    (0x81..=0x9F).contains(&b) || (0xE0..=0xFC).contains(&b)
}

fn is_trail(b: u8) -> bool {
    (0x40..=0x7E).contains(&b) || (0x80..=0xFC).contains(&b)
}

/// Half-width katakana and punctuation of JIS X 0201 (0xA1–0xDF).
pub fn is_half_kana(b: u8) -> bool {
    (0xA1..=0xDF).contains(&b)
}

fn table() -> &'static [Dbl] {
    static T: OnceLock<Vec<Dbl>> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = vec![Dbl::Invalid; (LEAD_MAX - LEAD_MIN + 1) as usize * 256];
        for lead in LEAD_MIN..=LEAD_MAX {
            if !is_lead(lead) {
                continue;
            }
            for trail in 0x40u8..=0xFC {
                if !is_trail(trail) {
                    continue;
                }
                let ok = encoding_rs::SHIFT_JIS
                    .decode_without_bom_handling_and_without_replacement(&[lead, trail])
                    .is_some_and(|s| s.chars().count() == 1);
                let class = if !ok {
                    Dbl::Invalid
                } else if (0xF0..=0xF9).contains(&lead) {
                    Dbl::UserDefined
                } else if lead == 0x87 || lead == 0xED || lead == 0xEE || lead >= 0xFA {
                    Dbl::Extension
                } else {
                    Dbl::Jis0208
                };
                t[(lead - LEAD_MIN) as usize * 256 + trail as usize] = class;
            }
        }
        t
    })
}

/// Class of the double-byte code `lead trail`.
pub fn classify(lead: u8, trail: u8) -> Dbl {
    if !is_lead(lead) || !is_trail(trail) {
        return Dbl::Invalid;
    }
    table()[(lead - LEAD_MIN) as usize * 256 + trail as usize]
}

/// Why a byte is not acceptable text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    /// Not valid Shift_JIS / CP932 at all.
    Invalid,
    /// A control character (NUL, TAB, …) inside a record.
    Control,
}

/// What one pass over a field found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scan {
    /// Single-byte characters (ASCII printable, half-width katakana).
    pub single: u32,
    /// Double-byte characters.
    pub double: u32,
    /// Offset and kind of the first invalid byte.
    pub bad: Option<(usize, Bad)>,
    /// Offset, the two bytes and class of the first character outside JIS X 0208.
    pub ext: Option<(usize, [u8; 2], Dbl)>,
    /// Half-width katakana seen.
    pub half_kana: bool,
}

impl Scan {
    pub fn is_mixed(&self) -> bool {
        self.single > 0 && self.double > 0
    }

    /// Printable ASCII only (no double-byte character, half-width kana or invalid byte).
    pub fn is_plain(&self) -> bool {
        self.double == 0 && !self.half_kana && self.bad.is_none()
    }
}

/// Scans `bytes` as CP932 text. Invalid bytes count as one single-byte character so the
/// counts stay meaningful.
pub fn scan(bytes: &[u8]) -> Scan {
    let mut s = Scan::default();
    // Printable ASCII eight bytes at a time (most fields of a record with some text).
    let mut words = bytes.chunks_exact(8);
    let mut i = 0;
    for w in &mut words {
        let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        if crate::parse::bytes_odd(w) != 0 {
            break;
        }
        i += 8;
    }
    s.single = i as u32;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if (b < 0x20 || b == 0x7F) && s.bad.is_none() {
                s.bad = Some((i, Bad::Control));
            }
            s.single += 1;
            i += 1;
        } else if is_half_kana(b) {
            s.single += 1;
            s.half_kana = true;
            i += 1;
        } else if is_lead(b) && i + 1 < bytes.len() && is_trail(bytes[i + 1]) {
            let t = bytes[i + 1];
            match classify(b, t) {
                Dbl::Invalid => {
                    if s.bad.is_none() {
                        s.bad = Some((i, Bad::Invalid));
                    }
                }
                Dbl::Jis0208 => {}
                c @ (Dbl::Extension | Dbl::UserDefined) => {
                    if s.ext.is_none() {
                        s.ext = Some((i, [b, t], c));
                    }
                }
            }
            s.double += 1;
            i += 2;
        } else {
            if s.bad.is_none() {
                s.bad = Some((i, Bad::Invalid));
            }
            s.single += 1;
            i += 1;
        }
    }
    s
}

/// Decodes CP932 bytes for display (invalid bytes become U+FFFD).
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if bytes.is_ascii() {
        // ASCII is the same in both encodings.
        return Cow::Borrowed(std::str::from_utf8(bytes).unwrap_or_default());
    }
    encoding_rs::SHIFT_JIS.decode_without_bom_handling(bytes).0
}

/// Longest value a finding shows or keeps, in bytes (128 full-width characters): every
/// field of the layout but the long comment fields fits; a longer value is cut.
pub const SHOWN_MAX: usize = 256;

/// [`decode`] for a value a finding shows: at most [`SHOWN_MAX`] bytes, cut before a
/// character that would cross the limit, with 「…」 and the full length after a cut. Findings
/// are capped in number, not in size, so without this a file of 64 KiB fields made every one
/// of up to 10,000 findings per rule carry 64 KiB (the fuzzer's run was killed at 24 GB).
pub fn decode_shown(bytes: &[u8]) -> String {
    if bytes.len() <= SHOWN_MAX {
        return decode(bytes).into_owned();
    }
    // Walk characters so a two-byte character is not split.
    let mut end = 0;
    while end < bytes.len() {
        let step = if is_lead(bytes[end]) { 2 } else { 1 };
        if end + step > SHOWN_MAX {
            break;
        }
        end += step;
    }
    format!("{}…({} bytes)", decode(&bytes[..end]), bytes.len())
}

/// [`decode_shown`] for text already decoded (a qualifications CSV row, a folded value):
/// at most [`SHOWN_MAX`] bytes, cut at a character boundary, then 「…(N bytes)」.
pub fn shown_str(s: &str) -> std::borrow::Cow<'_, str> {
    if s.len() <= SHOWN_MAX {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut end = SHOWN_MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    std::borrow::Cow::Owned(format!("{}…({} bytes)", &s[..end], s.len()))
}

/// Encodes UTF-8 text as CP932 (for building fixtures in tests and tools).
pub fn encode(text: &str) -> Vec<u8> {
    encoding_rs::SHIFT_JIS.encode(text).0.into_owned()
}

/// Shift_JIS bytes of 「●」 (U+25CF), legal JIS X 0208.
pub const BLACK_CIRCLE: [u8; 2] = [0x81, 0x9C];
/// 「〓」 (ゲタ), the usual 外字 stand-in.
pub const GETA: [u8; 2] = [0x81, 0xAC];
/// 「？」 full-width question mark.
pub const FW_QUESTION: [u8; 2] = [0x81, 0x48];
/// Full-width space.
pub const FW_SPACE: [u8; 2] = [0x81, 0x40];

/// Iterates the characters of CP932 bytes as byte slices (1 or 2 bytes each).
pub fn chars(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= bytes.len() {
            return None;
        }
        let n = if is_lead(bytes[i]) && i + 1 < bytes.len() {
            2
        } else {
            1
        };
        let c = &bytes[i..i + n];
        i += n;
        Some(c)
    })
}

/// True when the text holds the double-byte character `ch` (aligned on characters).
pub fn contains_char(bytes: &[u8], ch: [u8; 2]) -> bool {
    chars(bytes).any(|c| c == ch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A printable ASCII prefix (taken eight bytes at a time) counts as that many single
    /// characters and moves every offset, whatever follows it.
    /// A scan says plain exactly when every byte is printable ASCII.
    #[test]
    fn plain_scans_are_printable_ascii() {
        for b in crate::parse::every_byte_everywhere(6).chain(crate::parse::random_lines(3_000, 20))
        {
            let printable = b.iter().all(|&c| (0x20..0x7F).contains(&c));
            assert_eq!(scan(&b).is_plain(), printable, "{b:x?}");
        }
    }

    #[test]
    fn printable_prefix_shifts_the_scan() {
        let tails =
            crate::parse::random_lines(5_000, 40).chain(crate::parse::every_byte_everywhere(12));
        for (n, tail) in tails.enumerate() {
            let p = n % 21;
            let bytes = [&b"0123456789 ABCDEFGHIJ"[..p], &tail[..]].concat();
            let (whole, rest) = (scan(&bytes), scan(&tail));
            let shifted = Scan {
                single: rest.single + p as u32,
                bad: rest.bad.map(|(at, k)| (at + p, k)),
                ext: rest.ext.map(|(at, b, c)| (at + p, b, c)),
                ..rest
            };
            assert_eq!(whole, shifted, "{bytes:x?}");
        }
    }

    #[test]
    fn classes_of_known_characters() {
        assert_eq!(classify(0x81, 0x9C), Dbl::Jis0208); // ●
        assert_eq!(classify(0x88, 0x9F), Dbl::Jis0208); // 亜
        assert_eq!(classify(0xEE, 0xE0), Dbl::Extension); // 髙
        assert_eq!(classify(0xED, 0x9E), Dbl::Extension); // 德
        assert_eq!(classify(0x87, 0x40), Dbl::Extension); // ①
        assert_eq!(classify(0xF0, 0x40), Dbl::UserDefined);
        assert_eq!(classify(0x85, 0x40), Dbl::Invalid);
        assert_eq!(classify(0xEB, 0x40), Dbl::Invalid);
    }

    #[test]
    fn scan_counts_and_positions() {
        let s = scan(&encode("ｱｲ"));
        assert_eq!((s.single, s.double, s.half_kana), (2, 0, true));
        let s = scan(&encode("山田●"));
        assert_eq!((s.single, s.double, s.bad, s.ext), (0, 3, None, None));
        // 髙 as NEC-selected IBM extension (0xEEE0), then 橋.
        let mut b = vec![0xEE, 0xE0];
        b.extend(encode("橋"));
        let s = scan(&b);
        assert_eq!(s.ext, Some((0, [0xEE, 0xE0], Dbl::Extension)));
        // The encoder writes 髙 in the IBM extension rows (0xFBFC): also outside JIS X 0208.
        assert!(matches!(
            scan(&encode("髙")).ext,
            Some((0, _, Dbl::Extension))
        ));
        b.push(0xFF);
        assert_eq!(scan(&b).bad, Some((4, Bad::Invalid)));
        assert_eq!(scan(b"a\0b").bad, Some((1, Bad::Control)));
        // A lead byte at the very end is invalid.
        assert_eq!(scan(&[b'a', 0x82]).bad, Some((1, Bad::Invalid)));
    }

    #[test]
    fn shown_values_are_capped_at_a_character_boundary() {
        assert_eq!(decode_shown(b"abc"), "abc");
        let long = "あ".repeat(SHOWN_MAX); // 2 bytes each in CP932
        let shown = decode_shown(&encode(&long));
        assert_eq!(
            shown,
            format!("{}…({} bytes)", "あ".repeat(SHOWN_MAX / 2), SHOWN_MAX * 2)
        );
        // A lead byte right at the limit is not split from its trail byte.
        let mut odd = vec![b'x'; SHOWN_MAX - 1];
        odd.extend(encode("あい"));
        assert_eq!(
            decode_shown(&odd),
            format!("{}…({} bytes)", "x".repeat(SHOWN_MAX - 1), SHOWN_MAX + 3)
        );
        let exact = vec![b'y'; SHOWN_MAX];
        assert_eq!(decode_shown(&exact), "y".repeat(SHOWN_MAX));
        assert_eq!(shown_str("abc"), "abc");
        let long = "あ".repeat(1000); // 3 bytes each in UTF-8
        assert_eq!(
            shown_str(&long),
            format!("{}…(3000 bytes)", "あ".repeat(SHOWN_MAX / 3))
        );
    }

    #[test]
    fn decode_round_trip() {
        let t = "山田　太郎●";
        assert_eq!(decode(&encode(t)), t);
        assert!(contains_char(&encode(t), BLACK_CIRCLE));
        // ● must be found on character boundaries only: 0x81 0x9C inside another pair is not ●.
        assert!(!contains_char(&[0x88, 0x81, 0x9C], BLACK_CIRCLE));
    }
}
