//! A receipt's text, read again when resolution needs it. Facts keep only keys and offsets
//! (see [`ReceiptFact`]), so a month of receipts stays small in memory; the few receipts a
//! finding names — or whose 「●」 name must be compared as text — are read again from the
//! file by offset. A file that cannot be read again (a pipe, bytes in memory) keeps its
//! receipts' RE and HO lines in a spool instead.

use super::{fold, Identity, Qualification, ReceiptFact};
use crate::fill::{classify_insurer, InsurerFill};
use crate::layout::Layout;
use crate::parse::value::parse_date;
use crate::rules::file::MAX_RECORD;
use crate::sjis::decode;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

/// Where a report's receipts can be read again.
#[derive(Debug, Default)]
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

/// Who the receipt is for, from its RE fields (folded as they are compared).
pub fn identity_of<'a>(re: impl Fn(usize) -> &'a [u8], facility: &str) -> Identity {
    let l = Layout::get();
    Identity {
        facility: facility.into(),
        karte: fold::fold_tight(&decode(re(l.re_karte))).into(),
        name: fold::fold(&decode(re(l.re_name))).into(),
        kana: fold::fold_tight(&decode(re(l.re_kana))).into(),
        birth: parse_date(re(l.re_birth), true)
            .map(|d| d.ymd())
            .unwrap_or(0),
        sex: match re(l.re_sex) {
            [d @ b'1'..=b'9'] => d - b'0',
            _ => 0,
        },
    }
}

/// The qualification an HO record claims on, when it is an ordinary one.
pub fn ordinary_of<'a>(ho: impl Fn(usize) -> &'a [u8]) -> Option<Qualification> {
    let l = Layout::get();
    let raw = ho(l.ho_insurer);
    if classify_insurer(raw) != InsurerFill::None {
        return None;
    }
    let insurer = fold::insurer_key(&decode(raw))?;
    Some(Qualification {
        insurer: insurer.into(),
        symbol: fold::fold_tight(&decode(ho(l.ho_symbol))).into(),
        number: fold::fold_tight(&decode(ho(l.ho_number))).into(),
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
}

impl Detail {
    fn of(re: &[u8], ho: Vec<u8>, facility: &str) -> Detail {
        let l = Layout::get();
        let mut spans = Vec::new();
        crate::parse::split_fields(re, &mut spans);
        let re_field = |i: usize| {
            spans
                .get(i)
                .map_or(&b""[..], |&(s, e)| &re[s as usize..e as usize])
        };
        let who = identity_of(re_field, facility);
        let number = decode(re_field(l.re_no)).into();
        let mut hs = Vec::new();
        crate::parse::split_fields(&ho, &mut hs);
        let n = ho.len() as u32;
        let span = hs.get(l.ho_insurer).copied().unwrap_or((n, n));
        let ho_field = |i: usize| {
            hs.get(i)
                .map_or(&b""[..], |&(s, e)| &ho[s as usize..e as usize])
        };
        let qual = ordinary_of(ho_field);
        Detail {
            who,
            qual,
            number,
            span,
            ho,
        }
    }
}

/// Reads a report's receipts again; the file is opened on first use.
#[derive(Debug)]
pub struct Reader<'a> {
    body: &'a Body,
    facility: Arc<str>,
    file: Option<std::fs::File>,
}

impl<'a> Reader<'a> {
    pub fn new(body: &'a Body, facility: &str) -> Reader<'a> {
        Reader {
            body,
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
        let d = Detail::of(&re, ho, &self.facility);
        let k = d.who.keys();
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
