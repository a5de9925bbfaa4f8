//! One オンライン資格確認 result file (XML) read into its results.
//!
//! The bytes are decoded first, as the XML declaration says (UTF-8, or Shift_JIS read as
//! CP932 like a claim file), and checked against `MessageHeader/CharacterCodeIdentifier`
//! (0 UTF-8, 1 Shift_JIS). The text is then read with quick-xml into a small tree of
//! elements (name, text, line, children) and the tree is interpreted by element name, in any
//! order: `XmlMsg/MessageHeader`, `XmlMsg/MessageBody` with one result (individual and
//! `face` files) or repeated `BulkConfirmUnit` (bulk results). Nothing here panics on any
//! input: what cannot be used becomes a [`Note`] naming the element and its line.

mod fast;
#[cfg(test)]
mod fast_tests;

use crate::qualify::{fold, Qualification};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::borrow::Cow;

/// Largest result file read (a bulk result of a few thousand patients takes a few MB).
pub(crate) const MAX_BYTES: usize = 64 << 20;
/// Deepest element nesting accepted (results nest five deep).
const MAX_DEPTH: usize = 32;
/// Most elements in one file (a bulk file of 10,000 patients has about 400,000).
const MAX_NODES: usize = 2_000_000;

/// The element names the reader looks up; every other element is [`Tag::Other`] and is not
/// kept (its text is never read, and nothing under it is looked up).
macro_rules! tags {
    ($($t:ident),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Tag {
            Other,
            $($t,)*
        }

        /// The named tags and their names, in order.
        const TAGS: &[(Tag, &str)] = &[$((Tag::$t, stringify!($t)),)*];

        impl Tag {
            /// The element name, as in the file and in messages.
            fn name(self) -> &'static str {
                match self {
                    Tag::Other => "",
                    $(Tag::$t => stringify!($t),)*
                }
            }
        }
    };
}

/// Where a name falls in [`SLOTS`]: its length and four of its bytes, mixed (the names of
/// [`TAGS`] fall in slots of their own; a test says so).
const fn slot(name: &[u8]) -> usize {
    let n = name.len();
    (n ^ name[0] as usize
        ^ ((name[n / 2] as usize) << 1)
        ^ ((name[n - 1] as usize) << 3)
        ^ (name[n / 3] as usize * 3))
        & 255
}

/// For each slot, 1 + the [`TAGS`] entry whose name falls there, 0 for none, `u8::MAX` when
/// two do (then the names are compared one by one).
const SLOTS: [u8; 256] = {
    let mut s = [0u8; 256];
    let mut k = 0;
    while k < TAGS.len() {
        let i = slot(TAGS[k].1.as_bytes());
        s[i] = if s[i] == 0 { k as u8 + 1 } else { u8::MAX };
        k += 1;
    }
    s
};

impl Tag {
    /// The tag named `name` ([`Tag::Other`] for any other name): one slot looked up and one
    /// name compared, for each of the forty elements of a result.
    fn of(name: &[u8]) -> Tag {
        if name.is_empty() {
            return Tag::Other;
        }
        let found = match SLOTS[slot(name)] {
            0 => None,
            u8::MAX => TAGS.iter().find(|(_, n)| n.as_bytes() == name),
            k => Some(&TAGS[k as usize - 1]).filter(|(_, n)| n.as_bytes() == name),
        };
        found.map_or(Tag::Other, |&(t, _)| t)
    }
}

tags![
    XmlMsg,
    MessageHeader,
    MessageBody,
    ProcessExecutionTime,
    QualificationConfirmationDate,
    MedicalInstitutionCode,
    SegmentOfResult,
    ErrorCode,
    ErrorMessage,
    CharacterCodeIdentifier,
    BulkConfirmUnit,
    ProcessingResultStatus,
    ProcessingResultCode,
    ProcessingResultMessage,
    QualificationValidity,
    QualificationConfirmSearchInfo,
    ResultList,
    ResultOfQualificationConfirmation,
    InsurerNumber,
    InsuredCardSymbol,
    InsuredIdentificationNumber,
    InsuredBranchNumber,
    PersonalFamilyClassification,
    Name,
    NameKana,
    Sex1,
    Birthdate,
    QualificationDate,
    DisqualificationDate,
];

/// No node ([`Node::first`], [`Node::next`], [`Node::last`]).
const NONE: u32 = u32::MAX;

/// A kept element: its name, its text (trimmed; only for elements without children, and
/// borrowed from the file's text unless it came in pieces), where it starts in the text, and
/// its kept children as a list (first child, next sibling; the last child to append).
#[derive(Debug)]
struct Node<'t> {
    tag: Tag,
    text: Cow<'t, str>,
    start: u32,
    first: u32,
    next: u32,
    last: u32,
}

/// The elements of a file that the reader looks at: the root, and below it the elements
/// with a [`Tag`] whose parent is kept (anything under an unknown element is never looked
/// up). Line numbers are counted only for the elements a note or a result names.
#[derive(Debug)]
struct Tree<'t> {
    text: &'t str,
    nodes: Vec<Node<'t>>,
}

impl<'t> Tree<'t> {
    /// Appends an element of `tag` starting at byte `start`, as the last child of `parent`
    /// (none for the root); returns its number. Both readers build the tree with it.
    fn push(&mut self, tag: Tag, start: usize, parent: Option<u32>) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            tag,
            text: Cow::Borrowed(""),
            start: start as u32,
            first: NONE,
            next: NONE,
            last: NONE,
        });
        if let Some(p) = parent {
            let p = p as usize;
            match self.nodes[p].last {
                NONE => self.nodes[p].first = id,
                l => self.nodes[l as usize].next = id,
            }
            self.nodes[p].last = id;
        }
        id
    }

    fn node(&self, i: u32) -> &Node<'t> {
        &self.nodes[i as usize]
    }

    /// The line element `i` starts on.
    fn line(&self, i: u32) -> u32 {
        line_at(self.text, self.node(i).start as usize)
    }

    /// The children of `i` named `tag`.
    fn all(&self, i: u32, tag: Tag) -> impl Iterator<Item = u32> + '_ {
        let mut c = self.node(i).first;
        std::iter::from_fn(move || {
            while c != NONE {
                let n = self.node(c);
                let here = c;
                c = n.next;
                if n.tag == tag && tag != Tag::Other {
                    return Some(here);
                }
            }
            None
        })
    }

    /// The first child of `i` named `tag`.
    fn child(&self, i: u32, tag: Tag) -> Option<u32> {
        self.all(i, tag).next()
    }

    /// The text of the first child of `i` named `tag` ("" when there is none).
    fn text(&self, i: u32, tag: Tag) -> &str {
        self.child(i, tag).map_or("", |c| &self.node(c).text)
    }
}

/// The line of byte `at` of `text` (1-based).
fn line_at(text: &str, at: usize) -> u32 {
    let at = at.min(text.len());
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..at]).count() as u32
}

/// Something about the file or one of its results that the reader should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Note {
    /// Line of the element (1 for the file as a whole).
    pub line: u32,
    /// The element, as a path from the root; "" for the file.
    pub element: String,
    pub kind: NoteKind,
    pub ja: String,
    pub en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoteKind {
    /// A result, or the whole file, that cannot be used (Q012).
    Unusable,
    /// Used, but something about it disagrees (Q012).
    Doubt,
    /// 資格有効性 5 (複数該当): reported once, not used (Q013).
    Multiple,
}

/// One usable result: a qualification and what the system said about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Found {
    pub line: u32,
    pub element: String,
    pub validity: u8,
    /// YYYYMMDD, 0 when unknown.
    pub confirmed: u32,
    pub qual: Qualification,
    pub branch: String,
    /// 氏名 folded ("" when absent), カナ folded tight.
    pub name: String,
    pub kana: String,
    pub birth: u32,
    pub sex: u8,
    pub family: u8,
    pub acquired: u32,
    pub lost: u32,
    /// The header's MedicalInstitutionCode when it is 10 digits, as a number; 0 otherwise.
    pub institution: u64,
}

/// What one file holds.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// The file is an オンライン資格確認 result (root `XmlMsg` with a result header or body);
    /// false for a request file or any other XML.
    pub is_result: bool,
    pub found: Vec<Found>,
    pub notes: Vec<Note>,
}

fn note(line: u32, element: &str, kind: NoteKind, ja: String, en: String) -> Note {
    Note {
        line,
        element: element.to_string(),
        kind,
        ja,
        en,
    }
}

/// The encoding named by the XML declaration, if the file starts with one.
fn declared_encoding(bytes: &[u8]) -> Option<&str> {
    let head = &bytes[..bytes.len().min(256)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    // (A plain scan: a declaration is some 50 bytes, too short to set up a substring search.)
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(q)?])
}

/// The two encodings result files come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Utf8,
    ShiftJis,
}

impl Enc {
    fn name(self) -> &'static str {
        match self {
            Enc::Utf8 => "UTF-8",
            Enc::ShiftJis => "Shift_JIS",
        }
    }
}

/// Decodes the file as its declaration says. Err when it cannot be read as text at all.
fn decode<'b>(
    bytes: &'b [u8],
    notes: &mut Vec<Note>,
) -> Result<(Cow<'b, str>, Enc), (String, String)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((
            "UTF-16 の XML は読めません（資格確認端末は UTF-8 か Shift_JIS で出力します）".into(),
            "UTF-16 XML is not read (the terminal writes UTF-8 or Shift_JIS)".into(),
        ));
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let declared = declared_encoding(body);
    let named =
        |names: &[&str]| declared.is_some_and(|d| names.iter().any(|n| d.eq_ignore_ascii_case(n)));
    let want = if declared.is_none() || named(&["utf-8", "utf8"]) {
        Enc::Utf8
    } else if named(&[
        "shift_jis",
        "shift-jis",
        "sjis",
        "x-sjis",
        "windows-31j",
        "cp932",
        "ms932",
    ]) {
        Enc::ShiftJis
    } else {
        let d = declared.unwrap_or_default();
        return Err((
            format!("XML 宣言の文字コード「{d}」は読めません（UTF-8 か Shift_JIS）"),
            format!("the XML declaration's encoding '{d}' is not read (UTF-8 or Shift_JIS)"),
        ));
    };
    match want {
        Enc::Utf8 => match std::str::from_utf8(body) {
            Ok(s) => Ok((Cow::Borrowed(s), Enc::Utf8)),
            Err(_) => {
                // Declared (or taken as) UTF-8 but not: Shift_JIS is the one other encoding
                // result files come in.
                let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(body);
                let what = if declared.is_some() {
                    ("XML 宣言は UTF-8", "the XML declaration says UTF-8")
                } else {
                    (
                        "XML 宣言がなく UTF-8 として読むはず",
                        "without an XML declaration it should be UTF-8",
                    )
                };
                if bad {
                    notes.push(note(
                        1,
                        "",
                        NoteKind::Doubt,
                        format!("{}ですが、UTF-8 としても Shift_JIS としても読めないバイトがあります（読めない文字は置き換えて読みました）", what.0),
                        format!("{}, but it holds bytes that are neither UTF-8 nor Shift_JIS (replaced where they stand)", what.1),
                    ));
                    Ok((String::from_utf8_lossy(body), Enc::Utf8))
                } else {
                    notes.push(note(
                        1,
                        "",
                        NoteKind::Doubt,
                        format!(
                            "{}ですが、中身は Shift_JIS でした（Shift_JIS として読みました）",
                            what.0
                        ),
                        format!(
                            "{}, but the content is Shift_JIS (read as Shift_JIS)",
                            what.1
                        ),
                    ));
                    Ok((text, Enc::ShiftJis))
                }
            }
        },
        Enc::ShiftJis => Ok((crate::encoding::sjis::decode(body), Enc::ShiftJis)),
    }
}

/// An open element while the tree is read: its node (or [`NONE`] when it is not kept) and
/// whether it has a child element (then its text is not kept).
#[derive(Clone, Copy)]
struct Open {
    node: u32,
    has_child: bool,
}

/// Reads the text into a tree; Err (line, ja, en) for XML that is not well formed. A file as
/// the terminal writes it (plain elements, text without references) is read by
/// [`fast::tree`]; anything else, or anything wrong, by quick-xml ([`full_tree`]), which then
/// says what is wrong. Both give the same tree for what the first one reads (see the tests).
fn tree(text: &str, fast: bool) -> Result<Tree<'_>, (u32, String, String)> {
    match fast.then(|| fast::tree(text)).flatten() {
        Some(t) => Ok(t),
        None => full_tree(text),
    }
}

/// [`tree`] by quick-xml. Every element is checked (nesting, references, end names), but
/// only the elements of the tree (see [`Tree`]) are kept, with their text borrowed from
/// `text` where it came in one piece.
fn full_tree(text: &str) -> Result<Tree<'_>, (u32, String, String)> {
    let mut r = Reader::from_str(text);
    r.config_mut().trim_text(false);
    let mut t = Tree {
        text,
        nodes: Vec::with_capacity(64),
    };
    let mut stack: Vec<Open> = Vec::with_capacity(8);
    // Elements opened, kept or not.
    let mut count = 0usize;
    // Where the last event read started: an error is placed no earlier.
    let mut last = 0usize;
    let mut root_seen = false;
    loop {
        let start = r.buffer_position() as usize;
        let ev = match r.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let at = line_at(text, (r.error_position() as usize).max(last));
                return Err((
                    at,
                    format!("XML として読めません: {e}"),
                    format!("not well-formed XML: {e}"),
                ));
            }
        };
        last = start;
        let mut open = |name: &[u8], stack: &mut Vec<Open>, t: &mut Tree<'_>| {
            if stack.len() >= MAX_DEPTH || count >= MAX_NODES {
                return Err((
                    line_at(text, start),
                    "要素の入れ子が深すぎるか、要素が多すぎます".to_string(),
                    "elements nest too deep or are too many".to_string(),
                ));
            }
            if stack.is_empty() && root_seen {
                return Err((
                    line_at(text, start),
                    "ルート要素が 2 つあります".into(),
                    "a second root element".into(),
                ));
            }
            root_seen = true;
            count += 1;
            let parent = stack.last_mut();
            let tag = Tag::of(name);
            let kept = match &parent {
                None => true,
                Some(p) => p.node != NONE && tag != Tag::Other,
            };
            if let Some(p) = parent {
                p.has_child = true;
            }
            if !kept {
                return Ok(NONE);
            }
            Ok(t.push(tag, start, stack.last().map(|p| p.node)))
        };
        match ev {
            Event::Start(e) => {
                let node = open(e.local_name().as_ref(), &mut stack, &mut t)?;
                stack.push(Open {
                    node,
                    has_child: false,
                });
            }
            Event::Empty(e) => {
                open(e.local_name().as_ref(), &mut stack, &mut t)?;
            }
            Event::End(_) => {
                if let Some(o) = stack.pop() {
                    if o.node != NONE {
                        let n = &mut t.nodes[o.node as usize];
                        if o.has_child {
                            n.text = Cow::Borrowed("");
                        } else {
                            match &n.text {
                                Cow::Borrowed(b) => n.text = Cow::Borrowed(b.trim()),
                                Cow::Owned(o) => {
                                    let trimmed = o.trim();
                                    if trimmed.len() != o.len() {
                                        n.text = Cow::Owned(trimmed.to_string());
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Event::Text(e) => {
                // Only a kept element's own text is kept (an element with children has none);
                // text read from a `str` is always UTF-8.
                if let Some(&o) = stack.last().filter(|o| o.node != NONE && !o.has_child) {
                    let s = e.decode().map_err(|e| {
                        (
                            line_at(text, start),
                            format!("文字を読めません: {e}"),
                            format!("unreadable text: {e}"),
                        )
                    })?;
                    push_text(&mut t.nodes[o.node as usize].text, s);
                }
            }
            Event::CData(e) => {
                if let Some(&o) = stack.last().filter(|o| o.node != NONE && !o.has_child) {
                    if let Ok(s) = e.decode() {
                        push_text(&mut t.nodes[o.node as usize].text, s);
                    }
                }
            }
            Event::GeneralRef(e) => {
                if let Some(&o) = stack.last() {
                    let c = match e.resolve_char_ref() {
                        Ok(Some(c)) => Some(c),
                        Ok(None) => match &*e {
                            b"amp" => Some('&'),
                            b"lt" => Some('<'),
                            b"gt" => Some('>'),
                            b"quot" => Some('"'),
                            b"apos" => Some('\''),
                            _ => None,
                        },
                        Err(_) => None,
                    };
                    let Some(c) = c else {
                        return Err((
                            line_at(text, start),
                            format!("不明な参照「&{};」", String::from_utf8_lossy(&e)),
                            format!("unknown reference '&{};'", String::from_utf8_lossy(&e)),
                        ));
                    };
                    if o.node != NONE && !o.has_child {
                        t.nodes[o.node as usize].text.to_mut().push(c);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err((
            line_at(text, text.len()),
            "閉じられていない要素があります（ファイルが途中で切れています）".into(),
            "an element is never closed (the file is cut short)".into(),
        ));
    }
    if t.nodes.is_empty() {
        return Err((1, "要素がありません".into(), "no element at all".into()));
    }
    Ok(t)
}

/// Appends a piece of an element's text: the first piece is kept as it is (borrowed when it
/// was), the next ones make it a string of its own.
fn push_text<'t>(text: &mut Cow<'t, str>, s: Cow<'t, str>) {
    if text.is_empty() {
        *text = s;
    } else {
        text.to_mut().push_str(&s);
    }
}

/// A date `YYYYMMDD` as a number, when it is a real date.
pub(crate) fn ymd(s: &str) -> Option<u32> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u32 = s.parse().ok()?;
    let (y, m, d) = (v / 10000, v / 100 % 100, v % 100);
    let ok = (1868..=2999).contains(&y)
        && (1..=12).contains(&m)
        && d >= 1
        && d <= u32::from(crate::parse::value::days_in_month(y as u16, m as u8));
    ok.then_some(v)
}

/// Reads one result file.
pub(crate) fn read(bytes: &[u8]) -> Parsed {
    read_with(bytes, true)
}

/// [`read`], with the tree read by quick-xml alone when not `fast` (for the tests that
/// compare the two).
fn read_with(bytes: &[u8], fast: bool) -> Parsed {
    let mut p = Parsed::default();
    if bytes.len() > MAX_BYTES {
        p.is_result = true;
        p.notes.push(note(
            1,
            "",
            NoteKind::Unusable,
            format!(
                "ファイルが大きすぎます（{} MiB を超えています）",
                MAX_BYTES >> 20
            ),
            format!("the file is larger than {} MiB", MAX_BYTES >> 20),
        ));
        return p;
    }
    let (text, enc) = match decode(bytes, &mut p.notes) {
        Ok(x) => x,
        Err((ja, en)) => {
            p.is_result = true;
            p.notes.push(note(1, "", NoteKind::Unusable, ja, en));
            return p;
        }
    };
    let t = match tree(&text, fast) {
        Ok(t) => t,
        Err((line, ja, en)) => {
            // A file that does not even parse is taken for a result file if it says so.
            p.is_result = text.contains("XmlMsg");
            p.notes.push(note(line, "", NoteKind::Unusable, ja, en));
            return p;
        }
    };
    let root = 0u32;
    if t.node(root).tag != Tag::XmlMsg {
        return p;
    }
    let header = t.child(root, Tag::MessageHeader);
    let body = t.child(root, Tag::MessageBody);
    let is_result = header.is_some_and(|h| t.child(h, Tag::SegmentOfResult).is_some())
        || body.is_some_and(|b| {
            t.child(b, Tag::QualificationValidity).is_some()
                || t.child(b, Tag::BulkConfirmUnit).is_some()
        });
    if !is_result {
        return p;
    }
    p.is_result = true;
    let Some(h) = header else {
        p.notes.push(note(
            1,
            "XmlMsg",
            NoteKind::Unusable,
            "MessageHeader がありません".into(),
            "there is no MessageHeader".into(),
        ));
        return p;
    };
    let hl = || t.line(h);
    // The encoding the header says the file was written in.
    let cci = t.text(h, Tag::CharacterCodeIdentifier);
    let said = match cci {
        "0" => Some(Enc::Utf8),
        "1" => Some(Enc::ShiftJis),
        _ => None,
    };
    if let Some(said) = said.filter(|&s| s != enc) {
        p.notes.push(note(
            t.child(h, Tag::CharacterCodeIdentifier).map_or_else(hl, |c| t.line(c)),
            "MessageHeader/CharacterCodeIdentifier",
            NoteKind::Doubt,
            format!(
                "CharacterCodeIdentifier「{cci}」（{}）が実際の文字コード {} と違います（{} として読みました）",
                said.name(),
                enc.name(),
                enc.name()
            ),
            format!(
                "CharacterCodeIdentifier '{cci}' ({}) disagrees with the file's encoding, {} (read as {})",
                said.name(),
                enc.name(),
                enc.name()
            ),
        ));
    }
    let seg = t.text(h, Tag::SegmentOfResult);
    if seg != "1" {
        let code = t.text(h, Tag::ErrorCode);
        let msg = t.text(h, Tag::ErrorMessage);
        p.notes.push(note(
            t.child(h, Tag::SegmentOfResult).map_or_else(hl, |c| t.line(c)),
            "MessageHeader/SegmentOfResult",
            NoteKind::Unusable,
            format!("処理結果区分 SegmentOfResult「{seg}」は正常終了（1）ではありません（ErrorCode「{code}」 ErrorMessage「{msg}」）。この結果は使いません"),
            format!("SegmentOfResult '{seg}' is not 1 (normal end) (ErrorCode '{code}', ErrorMessage '{msg}'); the result is not used"),
        ));
        return p;
    }
    let Some(b) = body else {
        p.notes.push(note(
            hl(),
            "XmlMsg",
            NoteKind::Unusable,
            "MessageBody がありません".into(),
            "there is no MessageBody".into(),
        ));
        return p;
    };
    // The date the qualification was checked for; the processing time when it is missing.
    let confirmed = ymd(t.text(h, Tag::QualificationConfirmationDate))
        .or_else(|| ymd(t.text(h, Tag::ProcessExecutionTime).get(..8).unwrap_or("")))
        .unwrap_or(0);
    let units: Vec<u32> = t.all(b, Tag::BulkConfirmUnit).collect();
    if units.is_empty() {
        unit(&t, b, "MessageBody", confirmed, &mut p);
    } else {
        for (k, u) in units.into_iter().enumerate() {
            let path = format!("MessageBody/BulkConfirmUnit[{}]", k + 1);
            unit(&t, u, &path, confirmed, &mut p);
        }
    }
    // The facility that asked: 10 digits (onshi.md §3.1); anything else is not compared.
    let code = t.text(h, Tag::MedicalInstitutionCode);
    if code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit()) {
        let institution = code.parse().unwrap_or(0);
        for f in &mut p.found {
            f.institution = institution;
        }
    }
    p
}

/// One patient's answer: an individual result's body, or a bulk result's unit.
fn unit(t: &Tree, u: u32, path: &str, confirmed: u32, p: &mut Parsed) {
    let at = |tag: Tag| t.child(u, tag).map_or_else(|| t.line(u), |c| t.line(c));
    let status = t.text(u, Tag::ProcessingResultStatus);
    if !status.is_empty() && status != "1" {
        let code = t.text(u, Tag::ProcessingResultCode);
        let msg = t.text(u, Tag::ProcessingResultMessage);
        p.notes.push(note(
            at(Tag::ProcessingResultStatus),
            &format!("{path}/ProcessingResultStatus"),
            NoteKind::Unusable,
            format!("処理結果状況 ProcessingResultStatus「{status}」はエラーです（ProcessingResultCode「{code}」 ProcessingResultMessage「{msg}」）。この結果は使いません"),
            format!("ProcessingResultStatus '{status}' is an error (ProcessingResultCode '{code}', ProcessingResultMessage '{msg}'); the result is not used"),
        ));
        return;
    }
    let v = t.text(u, Tag::QualificationValidity);
    let results: Vec<(u32, String)> = {
        let mut r: Vec<(u32, String)> = Vec::new();
        if let Some(list) = t.child(u, Tag::ResultList) {
            let all: Vec<u32> = t
                .all(list, Tag::ResultOfQualificationConfirmation)
                .collect();
            let n = all.len();
            for (k, c) in all.into_iter().enumerate() {
                let e = if n == 1 {
                    format!("{path}/ResultList/ResultOfQualificationConfirmation")
                } else {
                    format!(
                        "{path}/ResultList/ResultOfQualificationConfirmation[{}]",
                        k + 1
                    )
                };
                r.push((c, e));
            }
        }
        // A bulk unit may hold its result directly.
        for c in t.all(u, Tag::ResultOfQualificationConfirmation) {
            r.push((c, format!("{path}/ResultOfQualificationConfirmation")));
        }
        r
    };
    let validity = match v {
        "1" | "2" | "3" | "4" => v.as_bytes()[0] - b'0',
        "5" => {
            p.notes.push(note(
                at(Tag::QualificationValidity),
                &format!("{path}/QualificationValidity"),
                NoteKind::Multiple,
                format!("資格有効性 QualificationValidity「5」（複数該当: {} 件）。どれが患者の資格か決まらないため、根拠として使いません", results.len()),
                format!("QualificationValidity '5' (several matches: {}); which is the patient's is not settled, so none is used as evidence", results.len()),
            ));
            return;
        }
        _ => {
            let (ja, en) = if v == "6" {
                (
                    "資格有効性 QualificationValidity「6」（有効（未登録）、医療扶助）は医療保険の資格ではないため使いません".to_string(),
                    "QualificationValidity '6' (valid, unregistered: medical assistance) is not a health-insurance qualification and is not used".to_string(),
                )
            } else if v.is_empty() {
                (
                    "資格有効性 QualificationValidity がありません。この結果は使いません"
                        .to_string(),
                    "there is no QualificationValidity; the result is not used".to_string(),
                )
            } else {
                (
                    format!("資格有効性 QualificationValidity「{v}」は 1〜5 のどれでもありません。この結果は使いません"),
                    format!("QualificationValidity '{v}' is none of 1 to 5; the result is not used"),
                )
            };
            p.notes.push(note(
                at(Tag::QualificationValidity),
                &format!("{path}/QualificationValidity"),
                NoteKind::Unusable,
                ja,
                en,
            ));
            return;
        }
    };
    if validity == 4 {
        // No qualification: what was asked for is the only identity there is.
        let Some(s) = t.child(u, Tag::QualificationConfirmSearchInfo) else {
            p.notes.push(note(
                at(Tag::QualificationValidity),
                &format!("{path}/QualificationValidity"),
                NoteKind::Unusable,
                "資格有効性「4」（該当資格なし）ですが、照会した被保険者証情報（QualificationConfirmSearchInfo）がないため、何の資格がなかったのか分かりません".into(),
                "QualificationValidity '4' (no qualification found), but without QualificationConfirmSearchInfo it is not known which qualification was asked for".into(),
            ));
            return;
        };
        let e = format!("{path}/QualificationConfirmSearchInfo");
        if let Some(f) = found(t, s, &e, 4, confirmed, p) {
            p.found.push(f);
        }
        return;
    }
    if results.is_empty() {
        p.notes.push(note(
            at(Tag::QualificationValidity),
            &format!("{path}/QualificationValidity"),
            NoteKind::Unusable,
            format!("資格有効性「{v}」ですが、資格確認結果（ResultOfQualificationConfirmation）がありません"),
            format!("QualificationValidity '{v}' but no ResultOfQualificationConfirmation"),
        ));
        return;
    }
    for (c, e) in results {
        if let Some(f) = found(t, c, &e, validity, confirmed, p) {
            p.found.push(f);
        }
    }
}

/// A result element (or, for 資格有効性 4, the search info) read into a [`Found`]; `None`
/// with a note when it lacks the qualification's identity.
fn found(
    t: &Tree,
    r: u32,
    element: &str,
    validity: u8,
    confirmed: u32,
    p: &mut Parsed,
) -> Option<Found> {
    let line = t.line(r);
    let at = |tag: Tag| t.child(r, tag).map_or(line, |c| t.line(c));
    let raw_insurer = t.text(r, Tag::InsurerNumber);
    let Some(insurer) = fold::insurer_key(raw_insurer) else {
        let (ja, en) = if raw_insurer.is_empty() {
            (
                "保険者番号 InsurerNumber がありません".to_string(),
                "there is no InsurerNumber".to_string(),
            )
        } else {
            (
                format!(
                    "保険者番号 InsurerNumber「{raw_insurer}」は 6 桁か 8 桁の数字ではありません"
                ),
                format!("InsurerNumber '{raw_insurer}' is not 6 or 8 digits"),
            )
        };
        p.notes.push(note(
            at(Tag::InsurerNumber),
            &format!("{element}/InsurerNumber"),
            NoteKind::Unusable,
            format!("{ja}。この結果は使いません"),
            format!("{en}; the result is not used"),
        ));
        return None;
    };
    let number = fold::fold_tight(t.text(r, Tag::InsuredIdentificationNumber));
    if number.is_empty() {
        p.notes.push(note(
            at(Tag::InsuredIdentificationNumber),
            &format!("{element}/InsuredIdentificationNumber"),
            NoteKind::Unusable,
            "被保険者証番号 InsuredIdentificationNumber がありません。この結果は使いません".into(),
            "there is no InsuredIdentificationNumber; the result is not used".into(),
        ));
        return None;
    }
    // A date that is there but is not one: the result is used without it.
    let date = |tag: Tag, p: &mut Parsed| -> u32 {
        let s = t.text(r, tag);
        let name = tag.name();
        if s.is_empty() {
            return 0;
        }
        ymd(s).unwrap_or_else(|| {
            p.notes.push(note(
                at(tag),
                &format!("{element}/{name}"),
                NoteKind::Doubt,
                format!("{name}「{s}」は日付（YYYYMMDD）ではありません（この日付なしで使います）"),
                format!("{name} '{s}' is not a date (YYYYMMDD); used without it"),
            ));
            0
        })
    };
    let birth = date(Tag::Birthdate, p);
    let acquired = date(Tag::QualificationDate, p);
    let lost = date(Tag::DisqualificationDate, p);
    let sex = match t.text(r, Tag::Sex1) {
        "1" => 1,
        "2" => 2,
        _ => 0,
    };
    let family = match t.text(r, Tag::PersonalFamilyClassification) {
        "1" => 1,
        "2" => 2,
        _ => 0,
    };
    Some(Found {
        line,
        element: element.to_string(),
        validity,
        confirmed,
        qual: Qualification {
            insurer: insurer.into(),
            symbol: fold::fold_tight(t.text(r, Tag::InsuredCardSymbol)).into(),
            number: number.into(),
        },
        branch: fold::fold_tight(t.text(r, Tag::InsuredBranchNumber)),
        name: fold::fold(t.text(r, Tag::Name)),
        kana: fold::fold_tight(t.text(r, Tag::NameKana)),
        birth,
        sex,
        family,
        acquired,
        lost,
        institution: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<XmlMsg>
  <MessageHeader>
    <ProcessExecutionTime>20260415093012</ProcessExecutionTime>
    <QualificationConfirmationDate>20260415</QualificationConfirmationDate>
    <SegmentOfResult>1</SegmentOfResult>
    <CharacterCodeIdentifier>0</CharacterCodeIdentifier>
  </MessageHeader>
  <MessageBody>
    <ProcessingResultStatus>1</ProcessingResultStatus>
    <QualificationValidity>2</QualificationValidity>
    <ResultList>
      <ResultOfQualificationConfirmation>
        <InsurerNumber>  139998</InsurerNumber>
        <InsuredCardSymbol>テスト１</InsuredCardSymbol>
        <InsuredIdentificationNumber>１００２</InsuredIdentificationNumber>
        <InsuredBranchNumber>01</InsuredBranchNumber>
        <PersonalFamilyClassification>2</PersonalFamilyClassification>
        <Name>架空　花子</Name>
        <NameKana>ｶｸｳ ﾊﾅｺ</NameKana>
        <Sex1>2</Sex1>
        <Birthdate>19850505</Birthdate>
        <QualificationDate>20200401</QualificationDate>
        <DisqualificationDate>20260401</DisqualificationDate>
      </ResultOfQualificationConfirmation>
    </ResultList>
  </MessageBody>
</XmlMsg>
"#;

    /// Every name looked up has a slot of its own, and is found by its name only.
    #[test]
    fn tags_are_found_by_name() {
        assert!(!SLOTS.contains(&u8::MAX), "two names share a slot");
        for &(t, n) in TAGS {
            assert_eq!(Tag::of(n.as_bytes()), t);
            assert_eq!(t.name(), n);
            assert_eq!(Tag::of(&n.as_bytes()[1..]), Tag::Other);
            assert_eq!(Tag::of(format!("{n}x").as_bytes()), Tag::Other);
            assert_eq!(Tag::of(n.to_lowercase().as_bytes()), Tag::Other);
        }
        for other in [
            "",
            "a",
            "Other",
            "ResultOfQualificationConfirmatioN",
            "性別",
        ] {
            assert_eq!(Tag::of(other.as_bytes()), Tag::Other, "{other}");
        }
    }

    #[test]
    fn an_individual_result_is_read_by_name() {
        let p = read(ONE.as_bytes());
        assert!(p.is_result && p.notes.is_empty(), "{:?}", p.notes);
        let f = &p.found[0];
        assert_eq!(f.line, 13);
        assert_eq!(
            f.element,
            "MessageBody/ResultList/ResultOfQualificationConfirmation"
        );
        assert_eq!((f.validity, f.confirmed), (2, 20260415));
        assert_eq!(&*f.qual.insurer, "139998");
        assert_eq!(&*f.qual.number, "1002");
        assert_eq!(&*f.qual.symbol, "テスト1");
        assert_eq!((f.branch.as_str(), f.family, f.sex), ("01", 2, 2));
        assert_eq!(
            (f.name.as_str(), f.kana.as_str()),
            ("架空 花子", "カクウハナコ")
        );
        assert_eq!(
            (f.birth, f.acquired, f.lost),
            (19850505, 20200401, 20260401)
        );
    }

    #[test]
    fn shift_jis_is_read_as_declared_and_checked_against_the_header() {
        let sjis = ONE
            .replace("UTF-8", "Shift_JIS")
            .replace("<CharacterCodeIdentifier>0<", "<CharacterCodeIdentifier>1<");
        let p = read(&crate::encoding::sjis::encode(&sjis));
        assert!(p.notes.is_empty(), "{:?}", p.notes);
        assert_eq!(p.found[0].name, "架空 花子");
        // The header says Shift_JIS but the file is UTF-8: read as it is, with a note.
        let p = read(
            ONE.replace("<CharacterCodeIdentifier>0<", "<CharacterCodeIdentifier>1<")
                .as_bytes(),
        );
        assert_eq!(p.found.len(), 1);
        assert_eq!(p.notes[0].kind, NoteKind::Doubt);
        assert!(
            p.notes[0].en.contains("CharacterCodeIdentifier"),
            "{:?}",
            p.notes
        );
        // Declared UTF-8, written in Shift_JIS.
        let p = read(&crate::encoding::sjis::encode(ONE));
        assert_eq!(p.found[0].name, "架空 花子");
        assert!(
            p.notes[0].en.contains("content is Shift_JIS"),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn broken_files_say_where() {
        let cut = &ONE[..ONE.find("<Sex1>").unwrap()];
        let p = read(cut.as_bytes());
        assert!(p.is_result && p.found.is_empty());
        assert_eq!(p.notes[0].kind, NoteKind::Unusable);
        let p = read(ONE.replace("</Name>", "</Nam>").as_bytes());
        assert_eq!(p.notes[0].line, 19, "{:?}", p.notes);
        for bytes in [
            &b""[..],
            b"\xff\xfe<",
            b"<a><b></a>",
            b"not xml",
            b"<?xml encoding='EBCDIC'?><x/>",
        ] {
            let p = read(bytes);
            assert!(p.found.is_empty());
        }
        let deep = "<XmlMsg>".to_string() + &"<a>".repeat(100) + &"</a>".repeat(100) + "</XmlMsg>";
        assert!(read(deep.as_bytes()).found.is_empty());
    }

    #[test]
    fn error_results_and_missing_identity_are_notes() {
        let p = read(
            ONE.replace("<SegmentOfResult>1<", "<SegmentOfResult>9<")
                .as_bytes(),
        );
        assert!(p.found.is_empty());
        assert!(p.notes[0].element.ends_with("SegmentOfResult"));
        let p = read(ONE.replace("１００２", "").as_bytes());
        assert!(p.found.is_empty());
        assert!(
            p.notes[0].element.ends_with("InsuredIdentificationNumber"),
            "{:?}",
            p.notes
        );
        let p = read(
            ONE.replace("<QualificationValidity>2<", "<QualificationValidity>5<")
                .as_bytes(),
        );
        assert!(p.found.is_empty());
        assert_eq!(p.notes[0].kind, NoteKind::Multiple);
        let p = read(ONE.replace("19850505", "1985055").as_bytes());
        assert_eq!((p.found.len(), p.found[0].birth), (1, 0));
        assert_eq!(p.notes[0].kind, NoteKind::Doubt);
    }

    #[test]
    fn requests_and_other_xml_are_not_results() {
        let req = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><XmlMsg><MessageHeader><MedicalInstitutionCode>1</MedicalInstitutionCode></MessageHeader><MessageBody><QualificationConfirmSearchInfo/></MessageBody></XmlMsg>";
        assert!(!read(req.as_bytes()).is_result);
        assert!(!read(b"<html><body/></html>").is_result);
    }

    #[test]
    fn bulk_units_are_read_one_by_one() {
        let body = |n: &str| {
            format!("<BulkConfirmUnit><ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>1</QualificationValidity><ResultOfQualificationConfirmation><InsurerNumber>06139992</InsurerNumber><InsuredIdentificationNumber>{n}</InsuredIdentificationNumber></ResultOfQualificationConfirmation></BulkConfirmUnit>")
        };
        let x = format!("<XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult><QualificationConfirmationDate>20260410</QualificationConfirmationDate></MessageHeader><MessageBody>{}{}</MessageBody></XmlMsg>", body("1"), body("2"));
        let p = read(x.as_bytes());
        assert_eq!(p.found.len(), 2);
        assert_eq!(
            p.found[1].element,
            "MessageBody/BulkConfirmUnit[2]/ResultOfQualificationConfirmation"
        );
        assert_eq!(&*p.found[1].qual.number, "2");
    }

    /// The header's MedicalInstitutionCode is kept when it is 10 digits, for every result of
    /// the file; of any other form it is not compared.
    #[test]
    fn the_institution_code_is_kept_when_it_is_ten_digits() {
        let with = |code: &str| {
            read(
                ONE.replace(
                    "<SegmentOfResult>",
                    &format!(
                        "<MedicalInstitutionCode>{code}</MedicalInstitutionCode><SegmentOfResult>"
                    ),
                )
                .as_bytes(),
            )
        };
        let p = with("0111234567");
        assert!(p.notes.is_empty(), "{:?}", p.notes);
        assert_eq!(p.found[0].institution, 111234567);
        for other in ["131123456", "13112345678", "13112345６7", ""] {
            assert_eq!(with(other).found[0].institution, 0, "{other}");
        }
        assert_eq!(read(ONE.as_bytes()).found[0].institution, 0);
    }

    #[test]
    fn entities_are_resolved() {
        let p = read(ONE.replace("架空　花子", "A&amp;B &#x5C71;").as_bytes());
        assert_eq!(p.found[0].name, "A&B 山");
    }
}
