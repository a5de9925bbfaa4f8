//! [`super::fast`] against quick-xml ([`super::full_tree`]): every result fixture under
//! `testdata/qualify`, and thousands of variants of each (line ends, blanks, comments,
//! references, CDATA, attributes, prefixes, unknown elements, damaged markup, files cut
//! short). Wherever the fast path reads a file, its tree is quick-xml's, node for node;
//! wherever it declines, quick-xml reads it; and [`read_with`] gives the same results and
//! notes either way.

use super::{decode, fast, full_tree, read_with, Tree};

/// The result files under `testdata/qualify` (Shift_JIS for `*.xml.sjis`), by path.
fn fixtures() -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let name = p.to_string_lossy().into_owned();
            if p.is_dir() {
                walk(&p, out);
            } else if name.ends_with(".xml") {
                out.push((name, std::fs::read(&p).unwrap()));
            } else if name.ends_with(".xml.sjis") {
                let text = std::fs::read_to_string(&p).unwrap();
                out.push((name, crate::encoding::sjis::encode(&text)));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/qualify"),
        &mut out,
    );
    // The shape `benches/resolution.rs` writes, and a bulk result.
    out.push(("bench".into(), BENCH.as_bytes().to_vec()));
    out.push(("bulk".into(), BULK.as_bytes().to_vec()));
    assert!(out.len() >= 20, "{} fixtures", out.len());
    out
}

const BENCH: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<XmlMsg>
  <MessageHeader>
    <ProcessExecutionTime>20261005093012</ProcessExecutionTime>
    <QualificationConfirmationDate>20261005</QualificationConfirmationDate>
    <MedicalInstitutionCode>1311234567</MedicalInstitutionCode>
    <ArbitraryFileIdentifier>7</ArbitraryFileIdentifier>
    <ReferenceClassification>1</ReferenceClassification>
    <SegmentOfResult>1</SegmentOfResult>
    <CharacterCodeIdentifier>0</CharacterCodeIdentifier>
  </MessageHeader>
  <MessageBody>
    <ProcessingResultStatus>1</ProcessingResultStatus>
    <QualificationValidity>1</QualificationValidity>
    <ResultList>
      <ResultOfQualificationConfirmation>
        <InsuredCardClassification>01</InsuredCardClassification>
        <InsurerNumber>06139992</InsurerNumber>
        <InsuredCardSymbol>テスト１</InsuredCardSymbol>
        <InsuredIdentificationNumber>1000007</InsuredIdentificationNumber>
        <InsuredBranchNumber>00</InsuredBranchNumber>
        <PersonalFamilyClassification>1</PersonalFamilyClassification>
        <Name>●田　花子</Name>
        <NameKana>ｶｸｳ ｲﾁﾛｳ</NameKana>
        <Sex1>2</Sex1>
        <Birthdate>19300101</Birthdate>
        <QualificationDate>20200401</QualificationDate>
        <InsuredCertificateIssuanceDate>20200401</InsuredCertificateIssuanceDate>
        <InsuredPartialContributionRatio>030</InsuredPartialContributionRatio>
        <InsurerName>テスト健康保険組合</InsurerName>
      </ResultOfQualificationConfirmation>
    </ResultList>
  </MessageBody>
</XmlMsg>
"#;

const BULK: &str = "<?xml version='1.0' encoding='UTF-8'?><XmlMsg><MessageHeader><SegmentOfResult>1</SegmentOfResult><QualificationConfirmationDate>20260410</QualificationConfirmationDate></MessageHeader><MessageBody><BulkConfirmUnit><ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>1</QualificationValidity><ResultOfQualificationConfirmation><InsurerNumber>06139992</InsurerNumber><InsuredIdentificationNumber>1</InsuredIdentificationNumber><Name/></ResultOfQualificationConfirmation></BulkConfirmUnit><BulkConfirmUnit><QualificationValidity>4</QualificationValidity><QualificationConfirmSearchInfo><InsurerNumber>06139992</InsurerNumber><InsuredIdentificationNumber>2</InsuredIdentificationNumber></QualificationConfirmSearchInfo></BulkConfirmUnit></MessageBody></XmlMsg>";

/// The trees are the same, node for node.
fn same(a: &Tree, b: &Tree) -> bool {
    a.nodes.len() == b.nodes.len()
        && a.nodes.iter().zip(&b.nodes).all(|(x, y)| {
            x.tag == y.tag
                && x.text == y.text
                && x.start == y.start
                && x.first == y.first
                && x.next == y.next
                && x.last == y.last
        })
}

/// Checks one file both ways; returns whether the fast path read it.
fn check(what: &str, bytes: &[u8]) -> bool {
    let fast_read = read_with(bytes, true);
    let full_read = read_with(bytes, false);
    assert_eq!(
        format!("{fast_read:?}"),
        format!("{full_read:?}"),
        "{what}: {}",
        String::from_utf8_lossy(bytes)
    );
    let mut notes = Vec::new();
    let Ok((text, _)) = decode(bytes, &mut notes) else {
        return false;
    };
    match fast::tree(&text) {
        None => false,
        Some(t) => {
            let full = full_tree(&text);
            assert!(
                full.as_ref().is_ok_and(|f| same(&t, f)),
                "{what}: the fast tree {:?} is not quick-xml's {:?}\n{text}",
                t.nodes,
                full.map(|f| f.nodes)
            );
            true
        }
    }
}

/// A fixed xorshift sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The byte offsets of `needle` in `s`.
fn places(s: &str, needle: &str) -> Vec<usize> {
    s.match_indices(needle).map(|(i, _)| i).collect()
}

/// Variants of a text: each a name and the text.
fn variants(s: &str, rng: &mut Rng) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, t: String| v.push((name.to_string(), t));
    add("crlf", s.replace("\r\n", "\n").replace('\n', "\r\n"));
    add("no blanks", {
        let mut t = String::new();
        for line in s.lines() {
            t.push_str(line.trim());
        }
        t
    });
    add(
        "no declaration",
        match s.find("?>") {
            Some(e) if s.starts_with("<?xml") => s[e + 2..].to_string(),
            _ => s.to_string(),
        },
    );
    add("blank first", format!("\n  {s}"));
    add("text first", format!("x{s}"));
    add("text after", format!("{s}x"));
    add("blank after", format!("{s}\n\t \r\n"));
    add("second root", format!("{s}<XmlMsg/>"));
    add(
        "stylesheet",
        s.replacen("?>", "?><?xml-stylesheet href='a'?>", 1),
    );
    add("decl single quotes", s.replace('"', "'"));
    add("decl odd", s.replacen("<?xml ", "<?xml version=1.0 ", 1));
    add("decl open", s.replacen("?>", ">", 1));
    add(
        "doctype",
        s.replacen("<XmlMsg", "<!DOCTYPE XmlMsg><XmlMsg", 1),
    );
    add(
        "attribute",
        s.replacen("<XmlMsg>", "<XmlMsg xmlns=\"urn:x\">", 1),
    );
    add(
        "blank in tag",
        s.replacen("<MessageHeader>", "<MessageHeader >", 1),
    );
    add(
        "blank in end tag",
        s.replacen("</MessageBody>", "</MessageBody >", 1),
    );
    add(
        "prefix",
        s.replace("<Name>", "<n:Name>")
            .replace("</Name>", "</n:Name>"),
    );
    add("case", s.replacen("</Sex1>", "</sex1>", 1));
    add("comment", s.replacen("<Sex1>", "<!-- a -->\n<Sex1>", 1));
    add(
        "comment in text",
        s.replacen("</Name>", "<!-- a --></Name>", 1),
    );
    add("pi", s.replacen("<Sex1>", "<?pi x?><Sex1>", 1));
    add("cdata", s.replacen("<Name>", "<Name><![CDATA[a<b]]>", 1));
    add("amp", s.replacen("</Name>", "&amp;</Name>", 1));
    add("char ref", s.replacen("<Name>", "<Name>&#x5C71;", 1));
    add("unknown ref", s.replacen("<Name>", "<Name>&foo;", 1));
    add("bare amp", s.replacen("<Name>", "<Name>a & b", 1));
    add("gt in text", s.replacen("<Name>", "<Name>a > b", 1));
    add("empty leaf", s.replacen("<Sex1>1</Sex1>", "<Sex1/>", 1));
    add(
        "empty leaf 2",
        s.replacen("<Sex1>2</Sex1>", "<Sex1></Sex1>", 1),
    );
    add(
        "full-width blanks",
        s.replacen("<Name>", "<Name>\u{3000} ", 1),
    );
    add(
        "tab text",
        s.replacen("</NameKana>", "\t\r\n</NameKana>", 1),
    );
    add("mixed", s.replacen("<ResultList>", "<ResultList>abc", 1));
    add(
        "unknown parent",
        s.replacen(
            "<Sex1>",
            "<Extra><Name>x</Name><Sex1>1</Sex1></Extra><Sex1>",
            1,
        ),
    );
    add(
        "unknown child",
        s.replacen("</Name>", "<Extra>y</Extra></Name>", 1),
    );
    add(
        "known child",
        s.replacen("</Name>", "<Sex1>1</Sex1></Name>", 1),
    );
    add(
        "unknown empty child",
        s.replacen("</Name>", "<Extra/></Name>", 1),
    );
    add("deep", {
        let deep = "<a>".repeat(40) + &"</a>".repeat(40);
        s.replacen("<MessageBody>", &format!("<MessageBody>{deep}"), 1)
    });
    add("deep known", {
        let deep = "<MessageBody>".repeat(31) + &"</MessageBody>".repeat(31);
        s.replacen("<MessageBody>", &format!("<MessageBody>{deep}"), 1)
    });
    add("odd name", s.replace("Sex1>", "Sex-1.x_>"));
    add("digit name", s.replacen("<Sex1>", "<1Sex>", 1));
    add(
        "non-ascii name",
        s.replacen("<Sex1>", "<性別>x</性別><Sex1>", 1),
    );
    add("lt alone", s.replacen("<Sex1>", "< Sex1>", 1));
    add("empty tag", s.replacen("<Sex1>", "<>", 1));
    add("slash tag", s.replacen("<Sex1>", "<Sex1/ >", 1));
    add(
        "validity 5",
        s.replace(">1</QualificationValidity>", ">5</QualificationValidity>"),
    );
    // Cut short, at char boundaries.
    for _ in 0..24 {
        let mut at = rng.below(s.len());
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        add("cut", s[..at].to_string());
    }
    // One markup character removed or doubled, or an ASCII byte replaced by one.
    let marks = ['<', '>', '/', '&', '!', '?', '"', '=', ' ', '\n', ':'];
    for m in ['<', '>', '/'] {
        let at = places(s, &m.to_string());
        for _ in 0..8 {
            if at.is_empty() {
                break;
            }
            let p = at[rng.below(at.len())];
            add("removed", format!("{}{}", &s[..p], &s[p + 1..]));
            add("doubled", format!("{}{m}{}", &s[..p], &s[p..]));
        }
    }
    let ascii: Vec<usize> = s
        .char_indices()
        .filter(|(_, c)| c.is_ascii())
        .map(|(i, _)| i)
        .collect();
    for _ in 0..48 {
        let p = ascii[rng.below(ascii.len())];
        let m = marks[rng.below(marks.len())];
        add("replaced", format!("{}{m}{}", &s[..p], &s[p + 1..]));
    }
    v
}

#[test]
fn the_fast_tree_is_quick_xmls_tree_on_every_fixture_and_variant() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut files, mut fast_read) = (0usize, 0usize);
    for (name, bytes) in fixtures() {
        let mut notes = Vec::new();
        let (text, enc) = decode(&bytes, &mut notes).unwrap();
        // The fixtures that are well formed are plain: the fast path reads each of them.
        let read = check(&name, &bytes);
        assert_eq!(
            read,
            full_tree(&text).is_ok(),
            "{name}: the fast path declined a plain fixture"
        );
        files += 1;
        fast_read += usize::from(read);
        for (what, t) in variants(&text, &mut rng) {
            // Written back as the file was (a Shift_JIS file stays Shift_JIS).
            let b = match enc {
                super::Enc::ShiftJis => crate::encoding::sjis::encode(&t),
                super::Enc::Utf8 => t.into_bytes(),
            };
            files += 1;
            fast_read += usize::from(check(&format!("{name} ({what})"), &b));
            let mut with_bom = vec![0xEF, 0xBB, 0xBF];
            with_bom.extend_from_slice(&b);
            files += 1;
            fast_read += usize::from(check(&format!("{name} ({what}, BOM)"), &with_bom));
        }
    }
    // Both paths were taken many times.
    assert!(files > 5000, "{files} files");
    assert!(
        fast_read > files / 5 && fast_read < files * 4 / 5,
        "{fast_read} of {files} read by the fast path"
    );
}

/// Nothing panics and both paths agree on bytes that are not XML at all, or barely.
#[test]
fn both_paths_agree_on_junk() {
    let mut rng = Rng(42);
    let pieces: [&[u8]; 12] = [
        b"<",
        b">",
        b"/",
        b"<XmlMsg>",
        b"</XmlMsg>",
        b"<Name>",
        b"</Name>",
        b"\xe3\x81\x82",
        b"&",
        b" ",
        b"\xff",
        b"<?xml ?>",
    ];
    for _ in 0..4000 {
        let n = rng.below(12);
        let b: Vec<u8> = (0..n)
            .flat_map(|_| pieces[rng.below(pieces.len())].iter().copied())
            .collect();
        check("junk", &b);
    }
}

/// The word-at-a-time search finds what a byte-by-byte one does, at every start, and the
/// ASCII trim is `str::trim`.
#[test]
fn find2_and_trimmed_are_the_plain_ones() {
    let mut rng = Rng(7);
    let alphabet = b"<&>/ a\xe3\x80\x80\x80\xff";
    for _ in 0..3000 {
        let n = rng.below(40);
        let b: Vec<u8> = (0..n)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        for i in 0..=n + 1 {
            let plain = b
                .get(i..)
                .and_then(|r| r.iter().position(|&c| c == b'<' || c == b'&'))
                .map(|k| i + k);
            assert_eq!(fast::find2(&b, i, b'<', b'&'), plain, "{b:?} from {i}");
        }
    }
    for s in [
        "",
        " ",
        "a",
        " a",
        "a ",
        "\u{3000}a",
        "a\u{3000}",
        "\u{b}1\u{c}",
        "12 34",
        "\t\r\n",
    ] {
        assert_eq!(fast::trimmed(s), s.trim(), "{s:?}");
    }
}
