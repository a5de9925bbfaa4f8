//! The tree of a result file as the 資格確認端末 writes it, read without an XML parser.
//!
//! Result files are plain: an XML declaration, elements without attributes, text without
//! references. Such a file is read here in one pass over its bytes into the same [`Tree`]
//! that quick-xml gives ([`super::full_tree`]), some six times cheaper. Anything else gives
//! `None`, and the file is read by quick-xml, which also says what is wrong with it: an
//! attribute, a namespace prefix, a comment, CDATA, a processing instruction or DOCTYPE, a
//! reference (`&amp;`, `&#x5C71;`), an element name of anything but ASCII letters, digits,
//! `_`, `-` and `.`, text outside the root, a second root, end tags that do not match, a
//! file cut short, nesting deeper than [`MAX_DEPTH`] or more than [`MAX_NODES`] elements.
//!
//! What is read here is read as quick-xml reads it: an element starts at its `<`; a kept
//! element without child elements has its text (one piece, as there is no reference to split
//! it) trimmed, one with children has none; an element under an unknown one is not kept.
//! The tests in [`super::tests`] read every fixture and thousands of variants both ways.

use super::{Tag, Tree, MAX_DEPTH, MAX_NODES, NONE};
use std::borrow::Cow;

/// An element open while the text is read: its node ([`NONE`] when it is not kept), its
/// name's bytes, whether a child element was seen, and where its content starts.
#[derive(Clone, Copy)]
struct Open {
    node: u32,
    name: (usize, usize),
    has_child: bool,
    content: usize,
}

/// The open elements, at most [`MAX_DEPTH`] of them, kept without an allocation per file.
struct Stack {
    open: [Open; MAX_DEPTH],
    len: usize,
}

impl Stack {
    fn new() -> Stack {
        let none = Open {
            node: NONE,
            name: (0, 0),
            has_child: false,
            content: 0,
        };
        Stack {
            open: [none; MAX_DEPTH],
            len: 0,
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `None` when [`MAX_DEPTH`] elements are open already.
    fn push(&mut self, o: Open) -> Option<()> {
        *self.open.get_mut(self.len)? = o;
        self.len += 1;
        Some(())
    }

    fn pop(&mut self) -> Option<Open> {
        self.len = self.len.checked_sub(1)?;
        Some(self.open[self.len])
    }

    fn last(&self) -> Option<&Open> {
        self.open.get(self.len.checked_sub(1)?)
    }

    fn last_mut(&mut self) -> Option<&mut Open> {
        self.open.get_mut(self.len.checked_sub(1)?)
    }
}

fn name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// The bytes an element name is made of here (ASCII letters, digits, `_`, `-`, `.`).
const NAME: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.';
        b += 1;
    }
    t
};

fn name_byte(b: u8) -> bool {
    NAME[usize::from(b)]
}

/// The first of `x` or `y` in `b` from `i` on: eight bytes at a time (texts and names are
/// short, too short for a vector search to pay for its setup).
pub(super) fn find2(b: &[u8], mut i: usize, x: u8, y: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let (xs, ys) = (LO * u64::from(x), LO * u64::from(y));
    while let Some(w) = b.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let w = u64::from_le_bytes(*w);
        let (a, c) = (w ^ xs, w ^ ys);
        // A byte of `a` or `c` that is zero: the lowest one found is a true one (a borrow
        // only marks bytes above a zero byte).
        let m = ((a.wrapping_sub(LO) & !a) | (c.wrapping_sub(LO) & !c)) & HI;
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b.get(i..)?
        .iter()
        .position(|&c| c == x || c == y)
        .map(|k| i + k)
}

/// `s` trimmed as `str::trim` does, without looking at its characters when it starts and
/// ends with printable ASCII (as a 番号 or a date does).
pub(super) fn trimmed(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(0x21..=0x7E), Some(0x21..=0x7E)) => s,
        _ => s.trim(),
    }
}

fn blank(b: &[u8]) -> bool {
    b.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
}

/// The end of a leading XML declaration (`<?xml` … `?>`, of the characters declarations
/// are written with), 0 when the text does not start with one; `None` for anything else
/// that starts with `<?xml`.
fn declaration(b: &[u8]) -> Option<usize> {
    if !b.starts_with(b"<?xml") {
        return Some(0);
    }
    if !matches!(b.get(5), Some(b' ' | b'\t' | b'\r' | b'\n' | b'?')) {
        return None;
    }
    // (A plain scan: a declaration is some 50 bytes.)
    let mut e = 5;
    loop {
        match *b.get(e)? {
            b'?' => break,
            c if c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    b' ' | b'\t' | b'\r' | b'\n' | b'=' | b'"' | b'\'' | b'.' | b'_' | b'-'
                ) =>
            {
                e += 1
            }
            _ => return None,
        }
    }
    (b.get(e + 1) == Some(&b'>')).then_some(e + 2)
}

/// The tree of `text` when it is a plain file (see the module), else `None`.
pub(super) fn tree(text: &str) -> Option<Tree<'_>> {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = declaration(b)?;
    while i < n && matches!(b[i], b' ' | b'\t' | b'\r' | b'\n') {
        i += 1;
    }
    if b.get(i) != Some(&b'<') {
        return None;
    }
    let mut t = Tree {
        text,
        nodes: Vec::with_capacity(48),
    };
    let mut stack = Stack::new();
    let mut count = 0usize;
    loop {
        // At a '<'.
        let lt = i;
        let c = *b.get(lt + 1)?;
        if c == b'/' {
            let o = stack.pop()?;
            let (s, len) = (lt + 2, o.name.1 - o.name.0);
            if b.get(s..s + len)? != &b[o.name.0..o.name.1] || b.get(s + len) != Some(&b'>') {
                return None;
            }
            if o.node != NONE && !o.has_child {
                t.nodes[o.node as usize].text = Cow::Borrowed(trimmed(text.get(o.content..lt)?));
            }
            i = s + len + 1;
            if stack.is_empty() {
                break;
            }
        } else if name_start(c) {
            // The name runs to the '>' or '/' that ends the tag. A name looked up is made of
            // letters and digits; any other is checked byte by byte.
            let s = lt + 1;
            let e = find2(b, s, b'>', b'/')?;
            let tag = Tag::of(&b[s..e]);
            if tag == Tag::Other && !b[s + 1..e].iter().all(|&c| name_byte(c)) {
                return None;
            }
            let (empty, next) = match b.get(e) {
                Some(b'>') => (false, e + 1),
                Some(b'/') if b.get(e + 1) == Some(&b'>') => (true, e + 2),
                _ => return None,
            };
            if stack.len() >= MAX_DEPTH || count >= MAX_NODES {
                return None;
            }
            count += 1;
            let node = match stack.last_mut() {
                None => 0,
                Some(p) => {
                    p.has_child = true;
                    if p.node == NONE || tag == Tag::Other {
                        NONE
                    } else {
                        t.nodes.len() as u32
                    }
                }
            };
            if node != NONE {
                let id = t.push(tag, lt, stack.last().map(|p| p.node));
                debug_assert_eq!(id, node);
            }
            i = next;
            if empty {
                if stack.is_empty() {
                    break;
                }
            } else {
                stack.push(Open {
                    node,
                    name: (s, e),
                    has_child: false,
                    content: next,
                })?;
            }
        } else {
            return None;
        }
        // The text up to the next '<', inside the root: without references.
        i = find2(b, i, b'<', b'&')?;
        if b[i] == b'&' {
            return None;
        }
    }
    // After the root, blanks only.
    blank(&b[i..]).then_some(t)
}
