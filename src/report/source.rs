//! The window of a line shown with a finding.

use super::Diagnostic;
use crate::encoding::sjis;

/// Longest stretch of a line shown with a diagnostic, and the context kept on each side of
/// the field. At 4 KiB, a damaged file with many findings on 64 KiB lines took 1.1 s to
/// render as text for 15,000 findings (decoding and width-measuring every window); a field's
/// value is shown cut at 256 bytes anyway.
pub(crate) const SHOWN_LINE_MAX: usize = 1024;
pub(crate) const SHOWN_CONTEXT: usize = 160;

/// A window of `line` around `span` for display, decoded by `decode`, with 「…」 where it is
/// cut, and the span mapped to offsets in the text (`None` when it does not fit the window).
/// A comma is always a character boundary in Shift_JIS (no trail byte is 0x2C), so the
/// window is cut at commas; a long line thus costs every finding on it little.
pub(crate) fn source_window(
    line: &[u8],
    span: Option<(usize, usize)>,
    utf8: bool,
    decode: &dyn Fn(&[u8]) -> String,
) -> (String, Option<(usize, usize)>) {
    let (s0, e0) = span.unwrap_or((0, 0));
    // Cut at the comma nearest the wanted edge when one is close; inside a long field, at
    // the character boundary nearest it (a comma may be kilobytes away, and every finding
    // on the line would then show those kilobytes).
    let w0 = if s0 > SHOWN_CONTEXT {
        let want = s0 - SHOWN_CONTEXT;
        match memchr::memrchr(b',', &line[..want]) {
            Some(i) if want - (i + 1) <= CUT_SLACK => i + 1,
            _ => char_start_at_or_before(line, want, utf8).unwrap_or(s0),
        }
    } else {
        0
    };
    let w0 = w0.min(s0).min(line.len());
    let want_end = e0.max(w0) + SHOWN_CONTEXT;
    let w1 = if want_end < line.len() {
        match memchr::memchr(b',', &line[want_end..]) {
            Some(i) if i <= CUT_SLACK => want_end + i,
            found => char_start_at_or_before(line, want_end, utf8)
                .filter(|&b| b > w0)
                .unwrap_or_else(|| found.map_or(line.len(), |i| want_end + i)),
        }
    } else {
        line.len()
    };
    let w1 = if w1 > w0 + SHOWN_LINE_MAX {
        char_start_at_or_before(line, w0 + SHOWN_LINE_MAX, utf8)
            .filter(|&b| b > w0)
            .unwrap_or(w0 + SHOWN_LINE_MAX)
    } else {
        w1.max(w0)
    };
    let raw = &line[w0..w1];
    let lead = if w0 > 0 { "…" } else { "" };
    let text = format!(
        "{lead}{}{}",
        decode(raw),
        if w1 < line.len() { "…" } else { "" }
    );
    let span = span.and_then(|(s, e)| {
        (s >= w0 && e <= w1).then(|| {
            let a = lead.len() + decode(&raw[..s - w0]).len();
            (a, a + decode(&raw[s - w0..e - w0]).len())
        })
    });
    (text, span)
}

/// How far past the wanted edge of a shown window a comma may be and still be the cut.
pub(crate) const CUT_SLACK: usize = 16;

/// A position at or before `t` where a character starts, found within 2 KiB before it.
/// Shift_JIS: a byte below 0x40 is never part of a two-byte character, so stepping forward
/// from the last such byte lands on boundaries. UTF-8: the last byte that is not a
/// continuation byte.
pub(crate) fn char_start_at_or_before(line: &[u8], t: usize, utf8: bool) -> Option<usize> {
    let t = t.min(line.len());
    let floor = t.saturating_sub(2048);
    if utf8 {
        return (floor..=t)
            .rev()
            .find(|&i| i == line.len() || line[i] & 0xC0 != 0x80);
    }
    let mut p = floor + line[floor..t].iter().rposition(|&b| b < 0x40)?;
    loop {
        let step = if sjis::is_lead(line[p]) { 2 } else { 1 };
        if p + step > t {
            return Some(p);
        }
        p += step;
    }
}

/// Decodes the diagnostic's line for display and maps its Shift_JIS span to UTF-8 offsets
/// (`utf8`: the file was saved as UTF-8 by mistake, so show it as such). `data` is the chunk
/// that holds the line and `base` its file offset.
pub(crate) fn attach_source(d: &mut Diagnostic, data: &[u8], base: usize, utf8: bool) {
    let decode = |b: &[u8]| -> String {
        if utf8 {
            String::from_utf8_lossy(b).into_owned()
        } else {
            sjis::decode(b).into_owned()
        }
    };
    let (Some(off), Some(_)) = (d.offset, d.line) else {
        return;
    };
    let Some(off) = off.checked_sub(base) else {
        return;
    };
    if off >= data.len() || d.source.is_some() {
        return;
    }
    let rest = &data[off..];
    let end = memchr::memchr3(b'\r', b'\n', 0x1A, rest).unwrap_or(rest.len());
    let span = d.span.map(|(s, e)| (s as usize, e as usize));
    let (text, span) = source_window(&rest[..end], span, utf8, &decode);
    d.source = Some((text, span));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sjis_window(line: &[u8], span: (usize, usize)) -> (String, Option<(usize, usize)>) {
        let dec = |b: &[u8]| sjis::decode(b).into_owned();
        source_window(line, Some(span), false, &dec)
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let line = sjis::encode("RE,1,1112,202610,鈴木　一郎,1");
        let (text, span) = sjis_window(&line, (5, 9));
        assert_eq!(text, "RE,1,1112,202610,鈴木　一郎,1");
        assert_eq!(span.map(|(s, e)| &text[s..e]), Some("1112"));
    }

    #[test]
    fn long_fields_around_the_field_are_cut_near_it_at_character_boundaries() {
        // 3,000 bytes of two-byte characters before and after a short field.
        let long = "あ".repeat(1500);
        let line = sjis::encode(&format!("CO,{long},1234,{long}"));
        let s = 3 + 3000 + 1;
        let (text, span) = sjis_window(&line, (s, s + 4));
        assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
        assert!(!text.contains('\u{FFFD}'), "a character was split: {text}");
        // About SHOWN_CONTEXT bytes (80 characters) after the field, not the whole field; and
        // none before it: 2 KiB before the wanted cut hold no byte that fixes a character
        // boundary, so the window starts at the field itself rather than risk a split.
        let shown = text.chars().filter(|&c| c == 'あ').count();
        assert!((75..=85).contains(&shown), "{shown} characters shown");
        assert_eq!(span.map(|(a, b)| &text[a..b]), Some("1234"));
        // Half-width kana (one byte each, also valid second bytes) before a field.
        let kana = "ｱ".repeat(3000);
        let line = sjis::encode(&format!("RE,{kana},5678"));
        let s = 3 + 3000 + 1;
        let (text, span) = sjis_window(&line, (s, s + 4));
        assert!(text.len() < 1024, "{} bytes shown", text.len());
        assert!(!text.contains('\u{FFFD}'));
        assert_eq!(span.map(|(a, b)| &text[a..b]), Some("5678"));
    }

    #[test]
    fn a_utf8_line_is_cut_at_character_boundaries() {
        let long = "あ".repeat(1000);
        let line = format!("RE,{long},42,{long}");
        let s = 3 + 3000 + 1;
        let dec = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let (text, span) = source_window(line.as_bytes(), Some((s, s + 2)), true, &dec);
        assert!(!text.contains('\u{FFFD}'), "{text}");
        assert_eq!(span.map(|(a, b)| &text[a..b]), Some("42"));
    }
}
