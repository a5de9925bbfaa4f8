//! Width folding and name matching.
//!
//! The clinic's CSV, the claim file and earlier months' files write the same 氏名, カナ,
//! 記号 and 番号 in different widths and spacings. Everything is compared after [`fold`]
//! (or [`fold_tight`]): full-width ASCII becomes half-width, the ideographic space becomes
//! a space, half-width katakana becomes full-width (with ﾞ / ﾟ combined into the voiced
//! form), space runs collapse and the ends are trimmed.
//!
//! 「●」 (U+25CF) is what the オンライン資格確認 shows for a character it cannot represent;
//! [`names_match`] lets it stand for any one character on either side.

/// The black circle 「●」 that stands for one unrepresentable character.
pub const BLACK_CIRCLE: char = '\u{25CF}';

/// Full-width katakana for the half-width forms U+FF61–U+FF9F, in order.
const HALF_KANA: [char; 63] = [
    '。', '「', '」', '、', '・', 'ヲ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ', 'ャ', 'ュ', 'ョ', 'ッ', 'ー',
    'ア', 'イ', 'ウ', 'エ', 'オ', 'カ', 'キ', 'ク', 'ケ', 'コ', 'サ', 'シ', 'ス', 'セ', 'ソ', 'タ',
    'チ', 'ツ', 'テ', 'ト', 'ナ', 'ニ', 'ヌ', 'ネ', 'ノ', 'ハ', 'ヒ', 'フ', 'ヘ', 'ホ', 'マ', 'ミ',
    'ム', 'メ', 'モ', 'ヤ', 'ユ', 'ヨ', 'ラ', 'リ', 'ル', 'レ', 'ロ', 'ワ', 'ン', '゛', '゜',
];

/// Half-width dakuten ﾞ.
const HALF_DAKUTEN: char = '\u{FF9E}';
/// Half-width handakuten ﾟ.
const HALF_HANDAKUTEN: char = '\u{FF9F}';

/// Full-width form of a half-width katakana / punctuation character, if it is one.
fn widen_kana(c: char) -> Option<char> {
    let u = c as u32;
    if (0xFF61..=0xFF9F).contains(&u) {
        Some(HALF_KANA[(u - 0xFF61) as usize])
    } else {
        None
    }
}

/// The voiced (dakuten) form of a full-width katakana, if it has one.
fn voiced(c: char) -> Option<char> {
    match c {
        // カ..ト: the voiced form is the next code point for the unvoiced letters.
        'カ' | 'キ' | 'ク' | 'ケ' | 'コ' | 'サ' | 'シ' | 'ス' | 'セ' | 'ソ' | 'タ' | 'チ'
        | 'ツ' | 'テ' | 'ト' | 'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => {
            char::from_u32(c as u32 + 1)
        }
        'ウ' => Some('ヴ'),
        'ワ' => Some('ヷ'),
        'ヲ' => Some('ヺ'),
        _ => None,
    }
}

/// The semi-voiced (handakuten) form of a full-width katakana, if it has one.
fn semi_voiced(c: char) -> Option<char> {
    match c {
        'ハ' | 'ヒ' | 'フ' | 'ヘ' | 'ホ' => char::from_u32(c as u32 + 2),
        _ => None,
    }
}

/// True for what [`fold`] treats as a space before collapsing (space, tab, U+3000).
fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\u{3000}'
}

/// Whether [`fold_tight`] keeps `c` as it is wherever it stands, given that no half-width
/// ﾞ / ﾟ follows it: not a space, not changed by width folding, not a ﾞ / ﾟ itself.
pub fn keeps(c: char) -> bool {
    !is_space(c) && fold_char(c) == c && c != HALF_DAKUTEN && c != HALF_HANDAKUTEN
}

/// Folds one character's width (no space handling, no kana combining).
fn fold_char(c: char) -> char {
    let u = c as u32;
    if (0xFF01..=0xFF5E).contains(&u) {
        // Full-width ASCII sits at a fixed offset from ASCII.
        char::from_u32(u - 0xFEE0).unwrap_or(c)
    } else if is_space(c) {
        ' '
    } else if let Some(w) = widen_kana(c) {
        w
    } else {
        c
    }
}

/// Whether `s` is printable ASCII without spaces (`!`–`~`), which [`fold`] and
/// [`fold_tight`] leave as it is.
fn printable(s: &str) -> bool {
    s.bytes().all(|b| (0x21..=0x7E).contains(&b))
}

/// Folds full-width ASCII (！–～, U+FF01–U+FF5E) to half-width, the full-width space U+3000
/// to ' ', half-width katakana (U+FF61–U+FF9F, including dakuten/handakuten combining ﾞ ﾟ)
/// to full-width katakana (ｶﾞ → ガ), collapses runs of spaces to one, and trims. Used on
/// 氏名, カナ, 記号, 番号.
///
/// A tab counts as a space. A ﾞ / ﾟ that cannot combine with the character before it
/// becomes the full-width 「゛」 / 「゜」.
pub fn fold(s: &str) -> String {
    // Printable ASCII without spaces (a 番号, a date) folds to itself.
    if printable(s) {
        return s.to_owned();
    }
    fold_chars(s)
}

/// [`fold`], character by character.
fn fold_chars(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Whether a space is pending (written only if something follows it).
    let mut pending_space = false;
    for c in s.chars() {
        // Combine ﾞ / ﾟ with the katakana just written.
        if c == HALF_DAKUTEN || c == HALF_HANDAKUTEN {
            let combined = if pending_space {
                None
            } else {
                out.chars().next_back().and_then(|prev| {
                    if c == HALF_DAKUTEN {
                        voiced(prev)
                    } else {
                        semi_voiced(prev)
                    }
                })
            };
            if let Some(v) = combined {
                out.pop();
                out.push(v);
                continue;
            }
        }
        let f = fold_char(c);
        if f == ' ' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(f);
    }
    out
}

/// Also removes all spaces after folding (for comparing 記号 / 番号 / カルテ番号, and names
/// whose 姓名 spacing differs).
pub fn fold_tight(s: &str) -> String {
    if printable(s) {
        return s.to_owned();
    }
    let mut f = fold(s);
    f.retain(|c| c != ' ');
    f
}

/// Name equality after fold_tight on both sides, where 「●」 (U+25CF) on EITHER side
/// matches exactly one character of the other side. ● must never make a match fail:
/// 「●田花子」 matches 「山田花子」 and 「●田　花子」; 「佐藤●●」 matches 「佐藤一郎」;
/// lengths must still agree (「●」 is one character); two ● match each other.
///
/// Names that are empty after folding never match (not even each other): an empty name is
/// no evidence of identity.
pub fn names_match(a: &str, b: &str) -> bool {
    let a = fold_tight(a);
    let b = fold_tight(b);
    if a.is_empty() || b.is_empty() || a.chars().count() != b.chars().count() {
        return false;
    }
    a.chars()
        .zip(b.chars())
        .all(|(x, y)| x == y || x == BLACK_CIRCLE || y == BLACK_CIRCLE)
}

/// Strips leading/trailing spaces from a 保険者番号 field and returns the digits if it is 6
/// or 8 ASCII digits after folding, else None.
///
/// Full-width digits are folded first; spaces inside the number make it invalid.
pub fn insurer_key(s: &str) -> Option<String> {
    let f = fold(s);
    if (f.len() == 6 || f.len() == 8) && f.bytes().all(|b| b.is_ascii_digit()) {
        Some(f)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The printable-ASCII shortcut folds as the characters do: every printable ASCII
    /// character alone, and strings of it mixed with spaces, tabs and wide characters.
    #[test]
    fn printable_ascii_folds_to_itself() {
        let tight = |s: &str| {
            let mut f = fold_chars(s);
            f.retain(|c| c != ' ');
            f
        };
        for b in 0x21..=0x7Eu8 {
            let s = char::from(b).to_string();
            assert_eq!(fold(&s), fold_chars(&s));
            assert_eq!(fold_tight(&s), tight(&s));
        }
        let pieces = [
            "0", "A", "z", "-", "~", " ", "\t", "\u{3000}", "１", "ｶ", "ﾞ", "ア", "●",
        ];
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let s: String = (0..x % 9)
                .map(|k| pieces[((x >> (k * 4 + 8)) % pieces.len() as u64) as usize])
                .collect();
            assert_eq!(fold(&s), fold_chars(&s), "{s:?}");
            assert_eq!(fold_tight(&s), tight(&s), "{s:?}");
        }
    }

    #[test]
    fn full_width_ascii_folds() {
        assert_eq!(fold("ＡＢＣ１２３"), "ABC123");
        assert_eq!(fold("！～"), "!~");
        assert_eq!(fold("１２３－４５"), "123-45");
        assert_eq!(fold("ａｂｃ"), "abc");
    }

    #[test]
    fn ascii_and_kanji_are_unchanged() {
        assert_eq!(fold("abc 123"), "abc 123");
        assert_eq!(fold("山田花子"), "山田花子");
        assert_eq!(fold("ヤマダ"), "ヤマダ");
        assert_eq!(fold("ー"), "ー");
        assert_eq!(fold("●"), "●");
    }

    #[test]
    fn spaces_collapse_and_trim() {
        assert_eq!(fold("　山田　　花子　"), "山田 花子");
        assert_eq!(fold("  a \u{3000} b  "), "a b");
        assert_eq!(fold("a\tb"), "a b");
        assert_eq!(fold("   "), "");
        assert_eq!(fold(""), "");
    }

    #[test]
    fn half_width_katakana_widens() {
        assert_eq!(fold("ﾔﾏﾀﾞ ﾊﾅｺ"), "ヤマダ ハナコ");
        assert_eq!(fold("ｶﾞｷﾞｸﾞｹﾞｺﾞ"), "ガギグゲゴ");
        assert_eq!(fold("ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"), "パピプペポ");
        assert_eq!(fold("ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ"), "バビブベボ");
        assert_eq!(fold("ｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞ"), "ザジズゼゾダヂヅデド");
        assert_eq!(fold("ｳﾞ"), "ヴ");
        assert_eq!(fold("ｧｨｩｪｫｬｭｮｯｰ"), "ァィゥェォャュョッー");
        assert_eq!(fold("ｦﾝ"), "ヲン");
        assert_eq!(fold("｡｢｣､･"), "。「」、・");
    }

    #[test]
    fn lone_sound_marks_become_full_width() {
        assert_eq!(fold("ｱﾞ"), "ア゛");
        assert_eq!(fold("ｶﾟ"), "カ゜");
        assert_eq!(fold("ﾞ"), "゛");
        // A mark after a space does not reach back over it.
        assert_eq!(fold("ｶ ﾞ"), "カ ゛");
        // Full-width base + half-width mark combines too.
        assert_eq!(fold("カﾞ"), "ガ");
    }

    #[test]
    fn fold_tight_removes_spaces() {
        assert_eq!(fold_tight("　山田　花子 "), "山田花子");
        assert_eq!(fold_tight("１２ ３４"), "1234");
        assert_eq!(fold_tight("ﾔﾏﾀﾞ ﾊﾅｺ"), "ヤマダハナコ");
        assert_eq!(fold_tight(""), "");
    }

    #[test]
    fn names_match_plain() {
        assert!(names_match("山田花子", "山田花子"));
        assert!(names_match("山田　花子", "山田花子"));
        assert!(names_match(" 山田 花子 ", "山田　　花子"));
        assert!(names_match("ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ　ハナコ"));
        assert!(!names_match("山田花子", "山田太郎"));
        assert!(!names_match("山田花子", "山田花"));
    }

    #[test]
    fn names_match_black_circle() {
        assert!(names_match("●田花子", "山田花子"));
        assert!(names_match("●田花子", "●田　花子"));
        assert!(names_match("山田花子", "●田花子"));
        assert!(names_match("佐藤●●", "佐藤一郎"));
        assert!(names_match("佐藤一郎", "佐藤●●"));
        assert!(names_match("●●", "●●"));
        assert!(names_match("●田花子", "山●花子"));
        assert!(names_match("●●●●", "山田花子"));
        // Length still has to agree.
        assert!(!names_match("●田花子", "田花子"));
        assert!(!names_match("佐藤●", "佐藤一郎"));
        // Other characters still have to agree.
        assert!(!names_match("●田花子", "山本花子"));
    }

    #[test]
    fn empty_names_never_match() {
        assert!(!names_match("", ""));
        assert!(!names_match("　", " "));
        assert!(!names_match("山田", ""));
    }

    #[test]
    fn insurer_key_accepts_6_or_8_digits() {
        assert_eq!(insurer_key("06132013").as_deref(), Some("06132013"));
        assert_eq!(insurer_key("  138057").as_deref(), Some("138057"));
        assert_eq!(insurer_key("１３８０５７").as_deref(), Some("138057"));
        assert_eq!(
            insurer_key("　０６１３２０１３　").as_deref(),
            Some("06132013")
        );
        assert_eq!(insurer_key("77777777").as_deref(), Some("77777777"));
    }

    #[test]
    fn insurer_key_rejects_others() {
        assert_eq!(insurer_key(""), None);
        assert_eq!(insurer_key("1234567"), None);
        assert_eq!(insurer_key("12345"), None);
        assert_eq!(insurer_key("123456789"), None);
        assert_eq!(insurer_key("1234 5678"), None);
        assert_eq!(insurer_key("12345a"), None);
        assert_eq!(insurer_key("1234-5678"), None);
    }
}
