//! Recognisers for the special fills of the insured-person fields: the 不詳 7-fill
//! (保険者番号 `77777777` / `77777779`, 番号 of 7s) and the disaster 9-fill (`99999999`,
//! 番号 `999999999`). Every insurer-number rule asks here first: a correct fill is exempt
//! from format, check-digit and kind checks.

/// What a 保険者番号 field holds, as far as fills go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsurerFill {
    /// `77777777` or `77777779`: the 不詳 claim (the latter passes the check digit).
    Unknown,
    /// `99999999`: the disaster fill (保険者 unknown).
    Disaster,
    /// Only 7s but not one of the 不詳 values (`7777777`, `  777777` …): an incomplete fill.
    PartialSevens,
    /// Only 9s but not `99999999`.
    PartialNines,
    /// An ordinary number (or anything else).
    None,
}

impl InsurerFill {
    /// True for the values the insurer-number rules leave alone: the 不詳 and disaster fills,
    /// and incomplete 7-fills (Q002 judges those). A run of 9s that is not `99999999` is an
    /// ordinary (wrong) number to them.
    pub fn is_exempt(self) -> bool {
        matches!(
            self,
            InsurerFill::Unknown | InsurerFill::Disaster | InsurerFill::PartialSevens
        )
    }
}

/// Classifies the raw 8-byte 保険者番号 field (spaces around are ignored).
pub fn classify_insurer(raw: &[u8]) -> InsurerFill {
    let t = trim_spaces(raw);
    match t {
        b"77777777" | b"77777779" => InsurerFill::Unknown,
        b"99999999" => InsurerFill::Disaster,
        _ if !t.is_empty() && t.iter().all(|&c| c == b'7') => InsurerFill::PartialSevens,
        _ if !t.is_empty() && t.iter().all(|&c| c == b'9') => InsurerFill::PartialNines,
        _ => InsurerFill::None,
    }
}

/// True when a 記号 / 番号 value (英数又は漢字) is made only of the digit `d`, half-width
/// or full-width (Shift_JIS 0x824F + d).
pub fn is_digit_fill(value: &[u8], d: u8) -> bool {
    let full = [0x82, 0x4F + d];
    let mut rest = value;
    let mut n = 0;
    while !rest.is_empty() {
        if rest[0] == b'0' + d {
            rest = &rest[1..];
        } else if rest.starts_with(&full) {
            rest = &rest[2..];
        } else {
            return false;
        }
        n += 1;
    }
    n > 0
}

fn trim_spaces(v: &[u8]) -> &[u8] {
    let s = v.iter().position(|&c| c != b' ').unwrap_or(v.len());
    let e = v.iter().rposition(|&c| c != b' ').map_or(s, |p| p + 1);
    &v[s..e]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::sjis::encode;

    #[test]
    fn insurer_fills() {
        assert_eq!(classify_insurer(b"77777777"), InsurerFill::Unknown);
        assert_eq!(classify_insurer(b"77777779"), InsurerFill::Unknown);
        assert_eq!(classify_insurer(b"99999999"), InsurerFill::Disaster);
        assert_eq!(classify_insurer(b" 7777777"), InsurerFill::PartialSevens);
        assert_eq!(classify_insurer(b"  777777"), InsurerFill::PartialSevens);
        assert_eq!(classify_insurer(b"  999999"), InsurerFill::PartialNines);
        assert_eq!(classify_insurer(b"01130012"), InsurerFill::None);
        assert_eq!(classify_insurer(b"77777778"), InsurerFill::None);
        assert_eq!(classify_insurer(b""), InsurerFill::None);
    }

    #[test]
    fn digit_fills_half_and_full_width() {
        assert!(is_digit_fill(b"7777777", 7));
        assert!(is_digit_fill(&encode("７７７７７７７"), 7));
        assert!(is_digit_fill(&encode("７7７7"), 7));
        assert!(is_digit_fill(b"999999999", 9));
        assert!(!is_digit_fill(b"", 7));
        assert!(!is_digit_fill(b"77 77", 7));
        assert!(!is_digit_fill(&encode("７７８"), 7));
    }
}
