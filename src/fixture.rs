//! The readable fixture format of `testdata/` (see `testdata/README.md`): UTF-8 text, one
//! record a line, `\xHH` for raw bytes, `#!` directives for line ends, the EOF mark, the
//! encoding and the expected findings; built here into the Shift_JIS bytes of a claim file.
//! Tests, the fuzzer and anyone writing a claim file by hand use it.

/// What a fixture expects.
#[derive(Debug, Default)]
pub struct Expect {
    /// (code, line, field)
    pub expect: Vec<(String, Option<u32>, Option<u16>)>,
    pub absent: Vec<String>,
    /// No error and no warning at all.
    pub clean: bool,
}

/// A fixture built into bytes.
#[derive(Debug)]
pub struct Fixture {
    pub bytes: Vec<u8>,
    pub expect: Expect,
}

fn unescape(line: &str) -> Vec<u8> {
    // Text parts are encoded as Shift_JIS; `\xHH` inserts a raw byte, `\\` a backslash.
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('x') => {
                    chars.next();
                    let h: String = chars.by_ref().take(2).collect();
                    out.extend(crate::encoding::sjis::encode(&text));
                    text.clear();
                    out.push(u8::from_str_radix(&h, 16).expect("\\xHH escape"));
                }
                Some('\\') => {
                    chars.next();
                    text.push('\\');
                }
                _ => text.push('\\'),
            }
        } else {
            text.push(c);
        }
    }
    out.extend(crate::encoding::sjis::encode(&text));
    out
}

/// Builds a fixture from its text form. Panics on a malformed directive (a fixture is
/// written by a developer, not read from a user).
pub fn build(src: &str) -> Fixture {
    let mut expect = Expect::default();
    let (mut eol, mut eof, mut enc, mut final_eol) = ("crlf", "mark", "sjis", true);
    let mut after_eof: Vec<u8> = Vec::new();
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for l in src.lines() {
        if let Some(d) = l.strip_prefix("#!") {
            let mut w = d.split_whitespace();
            match w.next() {
                Some("expect") => {
                    let code = w.next().expect("expect CODE").to_string();
                    let (line, field) = match w.next() {
                        Some(pos) => {
                            let mut p = pos.split(':');
                            let line = p.next().and_then(|x| x.parse().ok());
                            let field = p.next().and_then(|x| x.parse().ok());
                            (line, field)
                        }
                        None => (None, None),
                    };
                    expect.expect.push((code, line, field));
                }
                Some("absent") => expect.absent.extend(w.map(str::to_string)),
                Some("clean") => expect.clean = true,
                Some("eol") => {
                    eol = if d.contains("lf") && !d.contains("crlf") {
                        "lf"
                    } else if d.contains("crlf") {
                        "crlf"
                    } else {
                        "cr"
                    }
                }
                Some("eof") => eof = if d.contains("none") { "none" } else { "mark" },
                Some("encoding") => {
                    enc = w
                        .next()
                        .map(|e| Box::leak(e.to_string().into_boxed_str()) as &str)
                        .unwrap_or("sjis")
                }
                Some("no-final-eol") => final_eol = false,
                // A record of at least N bytes: `SJ,07,` and then full-width text.
                Some("long-record") => {
                    let n: usize = w
                        .next()
                        .and_then(|x| x.parse().ok())
                        .expect("long-record N");
                    let mut l = b"SJ,07,".to_vec();
                    while l.len() < n {
                        l.extend(crate::encoding::sjis::encode("長"));
                    }
                    lines.push(l);
                }
                Some("after-eof") => {
                    after_eof = unescape(
                        d.trim_start()
                            .strip_prefix("after-eof")
                            .unwrap_or("")
                            .trim_start(),
                    )
                }
                Some(other) => panic!("unknown fixture directive {other}"),
                None => {}
            }
            continue;
        }
        if l.starts_with('#') {
            continue;
        }
        lines.push(if enc == "sjis" {
            unescape(l)
        } else {
            l.as_bytes().to_vec()
        });
    }
    let term: &[u8] = match eol {
        "lf" => b"\n",
        "cr" => b"\r",
        _ => b"\r\n",
    };
    let mut bytes = Vec::new();
    let n = lines.len();
    for (i, l) in lines.into_iter().enumerate() {
        bytes.extend(l);
        if i + 1 < n || final_eol {
            bytes.extend_from_slice(term);
        }
    }
    if eof == "mark" {
        bytes.push(0x1A);
    }
    bytes.extend(after_eof);
    let bytes = match enc {
        "utf8" => bytes,
        "utf8-bom" => [&[0xEF, 0xBB, 0xBF][..], &bytes].concat(),
        "utf16le" | "utf16be" => {
            let s = String::from_utf8(bytes).expect("utf-16 fixtures are text");
            let mut out = if enc == "utf16le" {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for u in s.encode_utf16() {
                let b = if enc == "utf16le" {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                };
                out.extend_from_slice(&b);
            }
            out
        }
        _ => bytes,
    };
    Fixture { bytes, expect }
}
