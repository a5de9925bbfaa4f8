//! A receipt's text, read again when resolution needs it. Facts keep only keys and offsets
//! (see [`ReceiptFact`]), so a month of receipts stays small in memory; the few receipts a
//! finding names — or whose 「●」 name must be compared as text — are read again from the
//! file by offset. A file that cannot be read again (a pipe, bytes in memory) keeps its
//! receipts' RE and HO lines in a spool instead.

use super::{bytes_key, fold, mix, text_key, Identity, Keys, Qualification, ReceiptFact};
use crate::encoding::sjis::decode;
use crate::kind::layout::Layout;
use crate::parse::value::parse_date;
use crate::parse::MAX_RECORD;
use crate::qualify::fill::{classify_insurer, InsurerFill};
use std::borrow::Cow;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

/// Where a report's receipts can be read again.
#[derive(Debug, Clone, Default)]
pub enum Body {
    /// Nowhere (a report without facts).
    #[default]
    None,
    /// The regular file at this path, by the facts' offsets.
    File(PathBuf),
    /// The RE and HO lines of each fact (each line followed by `\n`), starting at `at[i]`
    /// for fact `i`.
    Spool { bytes: Vec<u8>, at: Vec<u64> },
}

/// 生年月日 as YYYYMMDD, 0 when it is not a date.
fn birth_of(field: &[u8]) -> u32 {
    parse_date(field, true).map(|d| d.ymd()).unwrap_or(0)
}

/// 男女区分 (1–9), 0 when it is anything else.
fn sex_of(field: &[u8]) -> u8 {
    match field {
        [d @ b'1'..=b'9'] => d - b'0',
        _ => 0,
    }
}

/// Who the receipt is for, from its RE fields (folded as they are compared).
pub fn identity_of<'a>(l: &Layout, re: impl Fn(usize) -> &'a [u8], facility: &str) -> Identity {
    identity_in(l, re, facility.into())
}

/// [`identity_of`] for a facility already shared, with the shortcuts of [`keys_of`] (the
/// same strings: see its tests).
fn identity_in<'a>(l: &Layout, re: impl Fn(usize) -> &'a [u8], facility: Arc<str>) -> Identity {
    let kana_raw = re(l.re_kana);
    let mut kana_out = [0u8; TIGHT_MAX * 3 / 2];
    let kana: Box<str> = match tight_sjis(kana_raw, &mut kana_out) {
        Some(s) if !kana_raw.is_ascii() => s.into(),
        _ => tight(kana_raw).into(),
    };
    Identity {
        facility,
        karte: tight(re(l.re_karte)).into(),
        name: fold::fold(&decode(re(l.re_name))).into(),
        kana,
        birth: birth_of(re(l.re_birth)),
        sex: sex_of(re(l.re_sex)),
    }
}

/// The bytes as text when they are printable ASCII without spaces (which folding leaves as
/// they are).
fn plain(b: &[u8]) -> Option<&str> {
    if b.iter().all(|&c| (0x21..=0x7E).contains(&c)) {
        std::str::from_utf8(b).ok()
    } else {
        None
    }
}

/// `fold::fold_tight` of the decoded bytes, without decoding or allocating in the common case
/// of printable ASCII without spaces, and without decoding for full-width digits and letters.
fn tight(b: &[u8]) -> Cow<'_, str> {
    if let Some(s) = plain(b) {
        return Cow::Borrowed(s);
    }
    match tight_alnum(b) {
        Some(s) => Cow::Owned(s),
        None => Cow::Owned(fold::fold_tight(&decode(b))),
    }
}

/// `fold::fold_tight(&decode(b))` when `b` holds only ASCII, spaces (0x20, tab, the
/// full-width 0x8140) and full-width digits and letters (０–９, Ａ–Ｚ, ａ–ｚ), as 記号 and 番号
/// usually do: those fold to ASCII and the spaces go. `None` for anything else.
fn tight_alnum(b: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' => i += 1,
            c @ 0x21..=0x7E => {
                out.push(char::from(c));
                i += 1;
            }
            0x81 if b.get(i + 1) == Some(&0x40) => i += 2,
            0x82 => {
                let c = match *b.get(i + 1)? {
                    t @ 0x4F..=0x58 => b'0' + (t - 0x4F),
                    t @ 0x60..=0x79 => b'A' + (t - 0x60),
                    t @ 0x81..=0x9A => b'a' + (t - 0x81),
                    _ => return None,
                };
                out.push(char::from(c));
                i += 2;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Shift_JIS pairs that decode to one character [`fold::keeps`]: that character's UTF-8 at
/// `lead << 8 | trail` (its bytes little-endian in the low 24 bits, their count in the top
/// 8), 0 for every other pair. Decoded once, pair by pair (about 11,000 pairs; every one
/// decodes inside the Basic Multilingual Plane, so in at most 3 bytes).
fn kept_pairs() -> &'static [u32] {
    static KEPT: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    KEPT.get_or_init(|| {
        let mut kept = vec![0u32; 1 << 16];
        let mut out = [0u8; 16];
        for lead in (0x81..=0x9Fu8).chain(0xE0..=0xFC) {
            for trail in 0x40..=0xFCu8 {
                let mut d = encoding_rs::SHIFT_JIS.new_decoder_without_bom_handling();
                let (res, read, written) =
                    d.decode_to_utf8_without_replacement(&[lead, trail], &mut out, true);
                let one = (res == encoding_rs::DecoderResult::InputEmpty && read == 2)
                    .then(|| std::str::from_utf8(&out[..written]).ok())
                    .flatten()
                    .and_then(|s| {
                        let mut cs = s.chars();
                        cs.next().filter(|_| cs.next().is_none())
                    });
                if let Some(c) = one.filter(|&c| fold::keeps(c)) {
                    let mut utf8 = [0u8; 4];
                    let n = c.encode_utf8(&mut utf8).len();
                    if n <= 3 {
                        let packed = u32::from_le_bytes([utf8[0], utf8[1], utf8[2], 0]);
                        kept[usize::from(lead) << 8 | usize::from(trail)] =
                            packed | (n as u32) << 24;
                    }
                }
            }
        }
        kept
    })
}

/// Longest field [`tight_sjis`] takes, in bytes.
const TIGHT_MAX: usize = 128;

/// `fold::fold_tight(&decode(b))` (which equals `fold_tight(&fold(&decode(b)))`) written to
/// `out` without allocating, when every character of `b` is ASCII or a pair of
/// [`kept_pairs`], or a space: 氏名 and カナ in kanji, kana and 「●」 with a full-width space
/// between 姓 and 名. Folding then only removes the spaces. `None` for anything else
/// (half-width kana, full-width ASCII, invalid bytes, over [`TIGHT_MAX`] bytes).
fn tight_sjis<'o>(b: &[u8], out: &'o mut [u8; TIGHT_MAX * 3 / 2]) -> Option<&'o str> {
    std::str::from_utf8(tight_sjis_bytes(b, out)?).ok()
}

/// [`tight_sjis`] as bytes (UTF-8 by construction), for the keys, which hash bytes.
fn tight_sjis_bytes<'o>(b: &[u8], out: &'o mut [u8; TIGHT_MAX * 3 / 2]) -> Option<&'o [u8]> {
    if b.len() > TIGHT_MAX {
        return None;
    }
    let kept = kept_pairs();
    let (mut i, mut n) = (0, 0);
    while i < b.len() {
        let c = b[i];
        if c < 0x80 {
            if c != b' ' && c != b'\t' {
                out[n] = c;
                n += 1;
            }
            i += 1;
            continue;
        }
        let t = *b.get(i + 1)?;
        i += 2;
        let p = usize::from(c) << 8 | usize::from(t);
        if p == 0x8140 {
            continue;
        }
        // Two bytes become at most three: `out` has room for 3 bytes a pair.
        let k = kept[p];
        if k == 0 {
            return None;
        }
        out[n..n + 3].copy_from_slice(&k.to_le_bytes()[..3]);
        n += (k >> 24) as usize;
    }
    Some(&out[..n])
}

/// `identity_of(re, _).keys()`, computed straight from the fields (the scan does this for
/// every receipt; the strings are only needed when a receipt is read again).
pub fn keys_of<'a>(l: &Layout, re: impl Fn(usize) -> &'a [u8]) -> Keys {
    let name = re(l.re_name);
    let mut name_out = [0u8; TIGHT_MAX * 3 / 2];
    let name_tight: Cow<'_, [u8]> = match plain(name) {
        Some(s) => Cow::Borrowed(s.as_bytes()),
        None => match tight_sjis_bytes(name, &mut name_out) {
            Some(s) => Cow::Borrowed(s),
            // As `Identity::keys` folds it: the stored name is folded, then folded tight.
            None => Cow::Owned(fold::fold_tight(&fold::fold(&decode(name))).into_bytes()),
        },
    };
    let mut kana_out = [0u8; TIGHT_MAX * 3 / 2];
    let kana_raw = re(l.re_kana);
    let kana: Cow<'_, [u8]> = match tight_sjis_bytes(kana_raw, &mut kana_out) {
        Some(s) if !kana_raw.is_ascii() => Cow::Borrowed(s),
        _ => match tight(kana_raw) {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        },
    };
    let mut circle = [0u8; 4];
    let circle = fold::BLACK_CIRCLE.encode_utf8(&mut circle).as_bytes();
    Keys {
        karte: text_key(&tight(re(l.re_karte))),
        name: bytes_key(&name_tight),
        kana: bytes_key(&kana) as u32 | u32::from(!kana.is_empty()),
        birth: birth_of(re(l.re_birth)),
        sex: sex_of(re(l.re_sex)),
        circle: memchr::memmem::find(&name_tight, circle).is_some(),
    }
}

/// `ordinary_of(ho).map(|q| q.key())`, without building the strings.
pub fn ordinary_key_of<'a>(l: &Layout, ho: impl Fn(usize) -> &'a [u8]) -> Option<u64> {
    let raw = ho(l.ho_insurer);
    if classify_insurer(raw) != InsurerFill::None {
        return None;
    }
    let insurer = match tight(raw) {
        Cow::Borrowed(s)
            if (s.len() == 6 || s.len() == 8) && raw.iter().all(u8::is_ascii_digit) =>
        {
            Cow::Borrowed(s)
        }
        _ => Cow::Owned(fold::insurer_key(&decode(raw))?),
    };
    let number = tight(ho(l.ho_number));
    Some(mix(&[insurer.as_bytes(), number.as_bytes()]).max(1))
}

/// The qualification an HO record claims on, when it is an ordinary one.
pub fn ordinary_of<'a>(l: &Layout, ho: impl Fn(usize) -> &'a [u8]) -> Option<Qualification> {
    let raw = ho(l.ho_insurer);
    if classify_insurer(raw) != InsurerFill::None {
        return None;
    }
    let insurer = fold::insurer_key(&decode(raw))?;
    Some(Qualification {
        insurer: insurer.into(),
        symbol: tight(ho(l.ho_symbol)).into(),
        number: tight(ho(l.ho_number)).into(),
    })
}

/// A receipt's text as read again.
#[derive(Debug, Clone)]
pub struct Detail {
    pub who: Identity,
    pub qual: Option<Qualification>,
    /// レセプト番号 as recorded.
    pub number: Box<str>,
    /// The HO line, and the 保険者番号's span in it.
    pub ho: Vec<u8>,
    pub span: (u32, u32),
    /// The RE line.
    pub re: Vec<u8>,
}

impl Detail {
    /// The receipt's detail, and the keys of its RE line (as [`keys_of`] gives them).
    fn of(l: &Layout, re_line: Vec<u8>, ho: Vec<u8>, facility: &Arc<str>) -> (Detail, Keys) {
        let re = &re_line[..];
        let mut spans = Vec::new();
        crate::parse::split_fields(re, &mut spans);
        let re_field = |i: usize| {
            spans
                .get(i)
                .map_or(&b""[..], |&(s, e)| &re[s as usize..e as usize])
        };
        let who = identity_in(l, re_field, facility.clone());
        let keys = keys_of(l, re_field);
        let number = decode(re_field(l.re_no)).into();
        let mut hs = Vec::new();
        crate::parse::split_fields(&ho, &mut hs);
        let n = ho.len() as u32;
        let span = hs.get(l.ho_insurer).copied().unwrap_or((n, n));
        let ho_field = |i: usize| {
            hs.get(i)
                .map_or(&b""[..], |&(s, e)| &ho[s as usize..e as usize])
        };
        let qual = ordinary_of(l, ho_field);
        let d = Detail {
            who,
            qual,
            number,
            span,
            ho,
            re: re_line,
        };
        (d, keys)
    }
}

/// Reads a report's receipts again; the file is opened on first use.
#[derive(Debug)]
pub struct Reader<'a> {
    body: &'a Body,
    facility: Arc<str>,
    /// Where the fields are in records of the file's kind.
    layout: &'static Layout,
    file: Option<std::fs::File>,
}

impl<'a> Reader<'a> {
    pub fn new(body: &'a Body, facility: &str, layout: &'static Layout) -> Reader<'a> {
        Reader {
            body,
            layout,
            facility: facility.into(),
            file: None,
        }
    }

    /// Fact `i`'s text, or `None` when it cannot be read again or no longer matches what
    /// was checked (the file changed since).
    pub fn detail(&mut self, i: usize, fact: &ReceiptFact) -> Option<Detail> {
        let (re, ho) = match self.body {
            Body::None => return None,
            Body::Spool { bytes, at } => {
                let at = usize::try_from(*at.get(i)?).ok()?;
                let rest = bytes.get(at..)?;
                let re_end = memchr::memchr(b'\n', rest)?;
                let rest2 = &rest[re_end + 1..];
                let ho_end = memchr::memchr(b'\n', rest2)?;
                (rest[..re_end].to_vec(), rest2[..ho_end].to_vec())
            }
            Body::File(path) => {
                if self.file.is_none() {
                    self.file = std::fs::File::open(path).ok();
                }
                let f = self.file.as_mut()?;
                let re = line_at(f, fact.re_offset).ok()?;
                let ho = line_at(f, fact.ho_offset()).ok()?;
                (re, ho)
            }
        };
        // (The keys from the fields are those of `d.who`: see `keys_of`.)
        let (d, k) = Detail::of(self.layout, re, ho, &self.facility);
        let same = fact.keys();
        (k.karte == same.karte && k.name == same.name && k.birth == same.birth).then_some(d)
    }
}

/// The line starting at `at` (without its end), at most [`MAX_RECORD`] bytes as the scan saw.
fn line_at(f: &mut std::fs::File, at: u64) -> std::io::Result<Vec<u8>> {
    f.seek(SeekFrom::Start(at))?;
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    while out.len() < MAX_RECORD {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if let Some(end) = memchr::memchr2(b'\r', b'\n', &buf[..n]) {
            out.extend_from_slice(&buf[..end]);
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out.truncate(MAX_RECORD);
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// `n` strings of up to `max` of `pieces` each, chosen by a fixed xorshift sequence.
    fn joined(pieces: &[&[u8]], n: usize, max: u64) -> Vec<Vec<u8>> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let mut r = x;
                (0..x % (max + 1))
                    .flat_map(|_| {
                        let p = pieces[(r % pieces.len() as u64) as usize];
                        r = r.rotate_right(5) ^ x;
                        p.iter().copied()
                    })
                    .collect()
            })
            .collect()
    }

    /// The shortcut against the full path, on strings of ASCII, spaces, full-width
    /// letters and digits, and characters it must leave to the full path.
    #[test]
    fn tight_alnum_folds_as_fold_tight() {
        let pieces: [&[u8]; 14] = [
            b"1",
            b"A",
            b"z",
            b" ",
            b"\t",
            b"-",
            b"\x81\x40",
            b"\x82\x4f",
            b"\x82\x58",
            b"\x82\x60",
            b"\x82\x9a",
            b"\x82\xa0",
            b"\xb1",
            b"\x81\x5b",
        ];
        for b in joined(&pieces, 20_000, 8) {
            let full = fold::fold_tight(&decode(&b));
            if let Some(s) = tight_alnum(&b) {
                assert_eq!(s, full, "{b:?}");
            }
            assert_eq!(tight(&b), full, "{b:?}");
        }
        assert_eq!(
            tight_alnum(b"\x82\x50\x81\x40\x82\x60 b").as_deref(),
            Some("1Ab")
        );
        assert_eq!(tight_alnum(b"\xb1"), None);
    }

    use super::*;

    /// Every Shift_JIS pair, alone and between spaces, and random strings of pieces the
    /// shortcut takes and pieces it must leave to the full path: wherever it answers, it
    /// answers as the full path does.
    #[test]
    fn tight_sjis_folds_as_fold_tight() {
        let mut out = [0u8; TIGHT_MAX * 3 / 2];
        let full = |b: &[u8]| fold::fold_tight(&fold::fold(&decode(b)));
        let mut taken = 0;
        for lead in 0x80..=0xFFu8 {
            for trail in 0..=0xFFu8 {
                for b in [
                    vec![lead, trail],
                    vec![b' ', lead, trail, 0x81, 0x40, b'x'],
                    vec![0x81, 0x40, lead, trail, b'\t', lead, trail],
                    vec![lead, trail, 0xB6, 0xDE],
                ] {
                    if let Some(s) = tight_sjis(&b, &mut out) {
                        assert_eq!(s, full(&b), "{b:x?}");
                        assert_eq!(s, fold::fold_tight(&decode(&b)), "{b:x?}");
                        taken += 1;
                    }
                }
            }
        }
        assert!(taken > 3 * 7000, "{taken}");
        let pieces: [&[u8]; 16] = [
            b"\x8e\x52", // 山
            b"\x81\x9c", // ●
            b"\x83\x5e", // タ
            b"\x81\x5b", // ー
            b"\x81\x40", // full-width space
            b" ",
            b"\t",
            b"A",
            b"\x82\x60", // Ａ
            b"\x82\xa0", // あ
            b"\xb6",     // ｶ
            b"\xde",     // ﾞ
            b"\x81\x41", // 、
            b"\x81\x49", // ！
            b"\xee\xfc", // ＂ (NEC-selected IBM)
            b"\x82",
        ];
        for b in joined(&pieces, 50_000, 11) {
            if let Some(s) = tight_sjis(&b, &mut out) {
                assert_eq!(s, full(&b), "{b:x?}");
            }
        }
        for name in [
            "山田　太郎",
            "●田　花子",
            "ヤマダ　ター",
            "佐藤 ●●",
            "Ｖｏｎ　山田",
        ] {
            let b = crate::encoding::sjis::encode(name);
            let fast = tight_sjis(&b, &mut out).map(str::to_owned);
            if name.contains('Ｖ') {
                assert_eq!(fast, None, "full-width letters take the full path");
            } else {
                assert_eq!(fast.as_deref(), Some(&*full(&b)), "{name}");
            }
        }
        assert_eq!(tight_sjis(&[b'x'; TIGHT_MAX + 1], &mut out), None);
    }

    /// The scan's shortcut keys are exactly those of the strings a receipt read again gives.
    #[test]
    fn keys_from_fields_equal_keys_from_strings() {
        let re_lines = [
            "RE,1,1112,202610,山田　太郎,1,19700401,,,,,,,1001,,,,,,,,,,,,,,,,,,,,,,,ヤマダタロウ,",
            "RE,2,1112,202610,●田　花子,2,19800101,,,,,,,Ａ１０２,,,,,,,,,,,,,,,,,,,,,,,ﾔﾏﾀﾞ ﾊﾅｺ,",
            "RE,3,1112,202610,SMITH JOHN,1,19900101,,,,,,, 77 ,,,,,,,,,,,,,,,,,,,,,,,,",
            "RE,4,1112,202610,ｶﾞｸ,1,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
        ];
        let ho_lines = [
            "HO,01130012,123,4567,1,7",
            "HO,１２３４５６,,４５ ６７,1,7",
            "HO,77777777,,7777777,1,7",
            "HO,0113001,,1,1,7",
            "HO,06132013,ｱ,ABC,1,7",
        ];
        let l = &crate::kind::Spec::medical().layout;
        let fields = |line: &str| -> Vec<Vec<u8>> {
            let bytes = crate::encoding::sjis::encode(line);
            bytes.split(|&b| b == b',').map(|f| f.to_vec()).collect()
        };
        for line in re_lines {
            let f = fields(line);
            let field = |i: usize| f.get(i).map_or(&b""[..], |v| &v[..]);
            assert_eq!(
                keys_of(l, field),
                identity_of(l, field, "").keys(),
                "{line}"
            );
            // The shortcuts give the strings folding the decoded fields gives.
            let who = identity_of(l, field, "");
            let full = |i: usize| fold::fold_tight(&decode(field(i)));
            assert_eq!(
                (&*who.karte, &*who.kana, &*who.name),
                (
                    &*full(l.re_karte),
                    &*full(l.re_kana),
                    &*fold::fold(&decode(field(l.re_name)))
                ),
                "{line}"
            );
        }
        for line in ho_lines {
            let f = fields(line);
            let field = |i: usize| f.get(i).map_or(&b""[..], |v| &v[..]);
            assert_eq!(
                ordinary_key_of(l, field),
                ordinary_of(l, field).map(|q| q.key()),
                "{line}"
            );
            if let Some(q) = ordinary_of(l, field) {
                let full = |i: usize| fold::fold_tight(&decode(field(i)));
                assert_eq!(
                    (&*q.symbol, &*q.number),
                    (&*full(l.ho_symbol), &*full(l.ho_number)),
                    "{line}"
                );
            }
        }
    }
}
