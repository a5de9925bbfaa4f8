//! F: the file as bytes — encoding, line ends, the 0x1A mark, quotes, emptiness.

use super::{args, rule, Cx, Tally};
use crate::encoding::sjis::{Bad, Scan};
use crate::parse::record::RecView;
use crate::parse::{Line, Term};
use crate::report::{bi, Arg, Rule};

pub static F001: Rule = rule!("F001", "invalid-shift-jis", Error,
    ja: "Shift_JIS (CP932) として不正なバイト",
    "{0}に Shift_JIS として不正なバイト {1} があります{2}",
    en: "bytes that are not valid Shift_JIS (CP932)",
    "{0} holds bytes that are not valid Shift_JIS: {1}{2}");
pub static F002: Rule = rule!("F002", "wrong-encoding", Error,
    ja: "ファイルが UTF-8 / UTF-16 / BOM 付きで保存されている",
    "ファイルが {0} で保存されています。Shift_JIS (CP932) で保存し直してください",
    en: "file is UTF-8 / UTF-16 / has a BOM",
    "the file is saved as {0}; save it again as Shift_JIS (CP932)");
pub static F003: Rule = rule!("F003", "line-end-not-crlf", Error,
    ja: "レコードの区切りが CR LF でない",
    "レコードの区切りが CR LF ではありません（{0}）。このファイルで該当する行は {1} 行です",
    en: "record separator is not CR LF",
    "the record separator is not CR LF ({0}); {1} line(s) of this file are affected");
pub static F004: Rule = rule!("F004", "missing-eof-mark", Warning,
    ja: "EOF コード (0x1A) がない",
    "ファイルの最後に EOF コード (0x1A) がありません",
    en: "no 0x1A end-of-file mark",
    "the file does not end with the EOF mark (0x1A)");
pub static F005: Rule = rule!("F005", "data-after-eof", Error,
    ja: "EOF コード (0x1A) の後にデータがある",
    "EOF コード (0x1A) の後に {0} バイトのデータがあります（検査されません）",
    en: "data after the 0x1A mark",
    "{0} byte(s) of data follow the EOF mark (0x1A) and are not checked");
pub static F006: Rule = rule!("F006", "quote-in-record", Error,
    ja: "レコードに引用符 (\") がある",
    "レコードに引用符 (\") があります。UKE では引用符を使用しません",
    en: "a `\"` in a record",
    "the record contains a double quote (\"); UKE files never use quotes");
pub static F007: Rule = rule!("F007", "empty-file", Error,
    ja: "空のファイル、またはレコードがない",
    "ファイルにレコードがありません",
    en: "empty file, or no records",
    "the file holds no records");

pub static F008: Rule = rule!("F008", "not-a-claim-file", Error,
    ja: "請求ファイルではない（ZIP・GZIP・PDF などのファイル）",
    "このファイルは{0}です。請求ファイル (RECEIPTC.UKE) ではありません{1}",
    en: "not a claim file (a ZIP, GZIP, PDF … file)",
    "this file is {0}, not a claim file (RECEIPTC.UKE){1}");
pub static F009: Rule = rule!("F009", "record-too-long", Error,
    ja: "レコードが長すぎる",
    "レコードが {1} バイトを超えています。超えた部分は検査していません（改行が欠けている可能性があります）",
    en: "record too long",
    "the record is longer than {1} bytes; what lies beyond was not checked (a line end may be missing)");
pub static F010: Rule = rule!("F010", "kind-not-supported", Warning,
    ja: "recelint がまだ検査できない種類のファイル（歯科・調剤・DPC・返戻など）",
    "このファイルは{0}です（{1}）。recelint はこの種類をまだ検査できないため、中身は検査していません",
    en: "a kind of file recelint cannot check yet (dental, pharmacy, DPC, returned claims …)",
    "this file is {0} ({1}); recelint cannot check this kind yet, so nothing in it was checked");

pub static RULES: &[&Rule] = &[
    &F001, &F002, &F003, &F004, &F005, &F006, &F007, &F008, &F009, &F010,
];

/// Most F001 findings reported per file: a file of binary junk would otherwise give one per
/// line (hundreds of thousands, gigabytes of memory and output); the rest are counted on the
/// last one reported.
pub const MAX_F001: usize = 100;

pub use crate::parse::MAX_RECORD;

/// Recognises files that are certainly not claim files from their first bytes: archives,
/// documents, images. Returns (Japanese, English) names and a hint.
pub fn sniff(head: &[u8]) -> Option<(&'static str, &'static str, &'static str, &'static str)> {
    const UNPACK_JA: &str = "。展開してから中の RECEIPTC.UKE を検査してください";
    const UNPACK_EN: &str = "; unpack it and check the RECEIPTC.UKE inside";
    let kinds: [(&[u8], &str, &str, &str, &str); 9] = [
        (
            b"PK\x03\x04",
            "ZIP 圧縮ファイル",
            "a ZIP archive",
            UNPACK_JA,
            UNPACK_EN,
        ),
        (
            b"PK\x05\x06",
            "ZIP 圧縮ファイル（空）",
            "an empty ZIP archive",
            "",
            "",
        ),
        (
            b"\x1f\x8b",
            "GZIP 圧縮ファイル",
            "a GZIP-compressed file",
            UNPACK_JA,
            UNPACK_EN,
        ),
        (
            b"7z\xbc\xaf\x27\x1c",
            "7-Zip 圧縮ファイル",
            "a 7-Zip archive",
            UNPACK_JA,
            UNPACK_EN,
        ),
        (
            b"Rar!",
            "RAR 圧縮ファイル",
            "a RAR archive",
            UNPACK_JA,
            UNPACK_EN,
        ),
        (b"%PDF", "PDF 文書", "a PDF document", "", ""),
        (
            b"\xd0\xcf\x11\xe0",
            "Office 文書（xls / doc）",
            "an Office document (xls / doc)",
            "",
            "",
        ),
        (b"\x89PNG", "PNG 画像", "a PNG image", "", ""),
        (b"\xff\xd8\xff", "JPEG 画像", "a JPEG image", "", ""),
    ];
    kinds
        .iter()
        .find(|(magic, ..)| head.starts_with(magic))
        .map(|&(_, ja, en, hint_ja, hint_en)| (ja, en, hint_ja, hint_en))
}

/// How the file's bytes are encoded, as far as it matters here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Shift_JIS / CP932 (or plain ASCII), as required.
    ShiftJis,
    /// UTF-8; `bom` when it starts with EF BB BF.
    Utf8 { bom: bool },
    /// UTF-16; `be` for big-endian.
    Utf16 { be: bool, bom: bool },
}

impl Encoding {
    /// Bytes of BOM to skip before reading records.
    pub fn bom_len(self) -> usize {
        match self {
            Encoding::Utf8 { bom: true } => 3,
            Encoding::Utf16 { bom: true, .. } => 2,
            _ => 0,
        }
    }
}

/// Looks at the first bytes of a file to tell its encoding.
pub fn detect(data: &[u8]) -> Encoding {
    match data {
        [0xEF, 0xBB, 0xBF, ..] => return Encoding::Utf8 { bom: true },
        [0xFF, 0xFE, ..] => {
            return Encoding::Utf16 {
                be: false,
                bom: true,
            }
        }
        [0xFE, 0xFF, ..] => {
            return Encoding::Utf16 {
                be: true,
                bom: true,
            }
        }
        _ => {}
    }
    let head = &data[..data.len().min(64 * 1024)];
    // UTF-16 without BOM: ASCII text has a NUL in every other byte.
    let pairs = head.len() / 2;
    if pairs >= 2 {
        let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
        let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        if odd * 10 >= pairs * 4 && even * 10 < pairs {
            return Encoding::Utf16 {
                be: false,
                bom: false,
            };
        }
        if even * 10 >= pairs * 4 && odd * 10 < pairs {
            return Encoding::Utf16 {
                be: true,
                bom: false,
            };
        }
    }
    // UTF-8 without BOM: valid UTF-8 (allowing a sequence cut at the end of the sample) with
    // at least one 3-byte sequence (Japanese text), which Shift_JIS text practically never is.
    let valid = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() < data.len(),
    };
    if valid && head.iter().any(|&b| (0xE0..=0xEF).contains(&b)) {
        return Encoding::Utf8 { bom: false };
    }
    Encoding::ShiftJis
}

/// F002 for a file in the wrong encoding.
pub fn check_encoding(cx: &mut Cx, enc: Encoding) {
    let what = match enc {
        Encoding::ShiftJis => return,
        Encoding::Utf8 { bom: true } => bi("UTF-8（BOM 付き）", "UTF-8 with a BOM"),
        Encoding::Utf8 { bom: false } => bi("UTF-8", "UTF-8"),
        Encoding::Utf16 { be, bom } => {
            let e = if be { "UTF-16BE" } else { "UTF-16LE" };
            if bom {
                bi(&format!("{e}（BOM 付き）"), &format!("{e} with a BOM"))
            } else {
                bi(e, e)
            }
        }
    };
    cx.file(&F002, args![what]);
}

/// State of the F rules over one file (or chunk; [`FileFlags::merge`] folds chunks).
#[derive(Debug, Default)]
pub struct FileFlags {
    line_ends: Tally,
}

impl FileFlags {
    pub fn merge(&mut self, other: FileFlags, offset: usize, drop: &mut Vec<usize>) {
        self.line_ends.merge(other.line_ends, offset, drop);
    }
}

/// Per line: line end (F003), quotes (F006) and length (F009).
/// `quote`: the line holds a double quote (found by the pass that split it).
pub fn on_line(cx: &mut Cx, st: &mut FileFlags, line: &Line, quote: bool) {
    if line.raw.len() > MAX_RECORD {
        cx.line(
            &F009,
            line.no,
            line.offset,
            args![line.raw.len(), MAX_RECORD],
        );
    }
    if line.term != Term::CrLf && st.line_ends.hit() {
        let what = match line.term {
            Term::Lf => bi("LF のみ", "LF only"),
            Term::Cr => bi("CR のみ", "CR only"),
            _ => bi(
                "最後のレコードに改行がない",
                "the last record has no line end",
            ),
        };
        cx.line(&F003, line.no, line.offset, args![what, ""]);
        st.line_ends.mark(cx);
    }
    if quote {
        cx.line(&F006, line.no, line.offset, vec![]);
    }
}

/// Per field scanned as text: the first invalid byte of the record (F001).
/// Returns true when it reported, so one record gets one F001.
pub fn on_scan(cx: &mut Cx, v: &RecView, i: usize, scan: &Scan) -> bool {
    let Some((at, bad)) = scan.bad else {
        return false;
    };
    let value = v.field(i);
    let end = (at + 2).min(value.len());
    let hex: String = value[at..end]
        .iter()
        .map(|b| format!("0x{b:02X} "))
        .collect();
    let what = match bad {
        Bad::Invalid => bi(hex.trim_end(), hex.trim_end()),
        Bad::Control => bi(
            &format!("{}（制御文字）", hex.trim_end()),
            &format!("{} (control character)", hex.trim_end()),
        ),
    };
    cx.field(&F001, v, i, args![super::field_label(v, i), what]);
    true
}

/// At the end of the file: F003's count, F004, F005, F007.
pub fn on_end(
    cx: &mut Cx,
    st: &FileFlags,
    eof: Option<usize>,
    after: usize,
    _size: usize,
    records: u32,
    next_line: u32,
) {
    st.line_ends.finish(cx, 1);
    match eof {
        None if records > 0 => {
            cx.file(&F004, vec![]);
        }
        Some(at) if after > 0 => {
            let d = cx.file(&F005, args![after]);
            d.line = Some(next_line);
            d.offset = Some(at);
        }
        _ => {}
    }
    if records == 0 {
        cx.file(&F007, vec![]);
    }
}

/// The arguments of F010 when `what` is a kind recelint does not check yet (or not a claim
/// at all); `None` when the file is checked.
pub fn unsupported_kind(
    what: crate::kind::Detected,
    det: &crate::kind::Detection,
) -> Option<Vec<Arg>> {
    use crate::kind::Detected;
    let (ja, en) = match what {
        Detected::Unknown => return None,
        Detected::Claim(k) if k.def().supported => return None,
        Detected::Claim(k) => {
            let d = k.def();
            (
                format!("{}（{}）", d.name, d.file),
                format!("{} ({})", d.en, d.file),
            )
        }
        Detected::Other(o) => (o.name.clone(), o.en.clone()),
    };
    let shown = if det.header.is_empty() {
        "—".to_string()
    } else {
        det.header.clone()
    };
    let how = if what != det.what {
        bi("--kind の指定による", "as --kind says")
    } else if let Some(m) = &det.mark {
        bi(
            &format!("先頭レコード {shown}、{m} レコードがあることから判定"),
            &format!("told by its first record {shown} and its {m} records"),
        )
    } else if det.by_name {
        bi(
            &format!("先頭レコード {shown} とファイル名から判定"),
            &format!("told by its first record {shown} and its name"),
        )
    } else {
        bi(
            &format!("先頭レコード {shown} から判定"),
            &format!("told by its first record {shown}"),
        )
    };
    Some(vec![bi(&ja, &en), how])
}
