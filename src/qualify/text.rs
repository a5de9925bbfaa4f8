//! 摘要 text recognisers.
//!
//! A 不詳 claim (保険者番号 77777777 / 77777779) must carry the patient's 住所 and 連絡先
//! from the 被保険者資格申立書 in the 摘要欄; a claim on a lost qualification should say
//! 「旧資格情報」. These functions look at the decoded text of one 摘要 comment and tell
//! whether it holds an address, a phone number or the 旧資格 note. They are heuristics:
//! they look for the shape of the thing, not for a real place or a working number.

/// The 47 都道府県, with their suffix.
const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// The characters that end a municipality or ward name.
const MARKERS: [char; 5] = ['市', '区', '町', '村', '郡'];

/// Common words that start with a marker character and are not addresses
/// (「保険区分」, 「市販薬」, 「町内会」 …).
const NOT_ADDRESS_AFTER: [&str; 22] = [
    "区分", "区別", "区間", "区域", "区切", "区画", "区内", "区外", "市販", "市場", "市民", "市内",
    "市外", "市価", "町内", "町外", "村内", "村外", "郡内", "郡外", "区市", "市区",
];

/// Labels that list the markers themselves (「市区町村」).
const MARKER_LABELS: [&str; 2] = ["市区町村", "区市町村"];

/// The postal mark.
const POSTAL: char = '〒';

/// A half- or full-width decimal digit, as its value.
fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// A half- or full-width space.
fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\t'
}

/// A kanji (incl. 々 〆 〇 ヶ), kana, or 「●」 (which stands for an unknown kanji).
fn is_kanji_kana(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{3FFFF}' // CJK extensions B and later
        | '\u{3005}'..='\u{3007}' // 々 〆 〇
        | '\u{3041}'..='\u{3096}' // hiragana
        | '\u{309D}'..='\u{309F}'
        | '\u{30A1}'..='\u{30FA}' // katakana (without ・)
        | '\u{30FC}'..='\u{30FF}'
        | '\u{FF66}'..='\u{FF9D}' // half-width katakana
        | '\u{25CF}' // ●
    )
}

/// A character that can continue an address: kanji, kana, ●, or a letter or digit of
/// either width. Spaces, punctuation and symbols cannot.
fn is_word_char(c: char) -> bool {
    is_kanji_kana(c)
        || c.is_ascii_alphanumeric()
        || matches!(c, '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ')
}

/// A hyphen between digit groups: - － ‐ − ー ｰ.
fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '－' | '‐' | '−' | 'ー' | 'ｰ')
}

/// A hyphen or a parenthesis, the separators allowed inside a phone number.
fn is_phone_separator(c: char) -> bool {
    is_hyphen(c) || matches!(c, '(' | ')' | '（' | '）')
}

/// True when the characters at `i` are 〒, optional spaces, 3 digits, an optional hyphen,
/// 4 digits, and no further digit.
fn postal_code_at(chars: &[char], i: usize) -> bool {
    if chars.get(i) != Some(&POSTAL) {
        return false;
    }
    let mut j = i + 1;
    while j < chars.len() && is_space(chars[j]) {
        j += 1;
    }
    let digits = |from: usize, n: usize| -> bool {
        from + n <= chars.len() && chars[from..from + n].iter().all(|&c| digit(c).is_some())
    };
    if !digits(j, 3) {
        return false;
    }
    j += 3;
    if j < chars.len() && is_hyphen(chars[j]) {
        j += 1;
    }
    if !digits(j, 4) {
        return false;
    }
    j += 4;
    chars.get(j).is_none_or(|&c| digit(c).is_none())
}

/// True when `text` holds a prefecture's bare name (without 都/府/県) directly followed by a
/// marker: 「千葉市」, 「大阪市」, 「京都市」.
fn bare_prefecture_then_marker(text: &str) -> bool {
    PREFECTURES.iter().any(|p| {
        if *p == "北海道" {
            return false; // 「北海道」 itself is the name; the suffix case covers it.
        }
        let bare = &p[..p.len() - '県'.len_utf8()]; // 都 / 府 / 県 are all 3 bytes
        text.match_indices(bare).any(|(at, _)| {
            text[at + bare.len()..]
                .chars()
                .next()
                .is_some_and(|c| MARKERS.contains(&c))
        })
    })
}

/// True when a marker (市 区 町 村 郡) is preceded by a kanji/kana and followed (after
/// optional spaces) by a further word character, and is not the start of a common
/// non-address word such as 「区分」.
fn marker_in_place(chars: &[char]) -> bool {
    (1..chars.len()).any(|i| {
        if !MARKERS.contains(&chars[i]) || !is_kanji_kana(chars[i - 1]) {
            return false;
        }
        let mut j = i + 1;
        while j < chars.len() && is_space(chars[j]) {
            j += 1;
        }
        if j >= chars.len() || !is_word_char(chars[j]) {
            return false;
        }
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let pair: String = [chars[i], next].iter().collect();
        !NOT_ADDRESS_AFTER.contains(&pair.as_str())
    })
}

/// An address: a 都道府県 name (北海道, 東京都, 京都府, 大阪府, or any of the 43 「…県」 —
/// with the suffix; also accept the bare name followed by a 市/区/町/村/郡 word, e.g.
/// 「千葉市」), or 市 / 区 / 町 / 村 / 郡 followed by at least one more non-space,
/// non-punctuation character (e.g. 「千代田区霞が関」, 「仙台市青葉区」), or 〒 followed by a
/// 7-digit postal code (half- or full-width digits, optional hyphen / full-width hyphen
/// 「－」 or 「ー」 after the 3rd digit, optional spaces after 〒).
///
/// The marker case needs a kanji or kana (or 「●」, an unknown kanji) just before the marker,
/// so 「区分」, 「市販薬」 and 「町内」 are not addresses; spaces between the marker and the
/// next character are skipped (「千代田区　霞が関」). Marker words that are common outside
/// addresses (「保険区分」, 「市販」, 「町内会」, the label 「市区町村」) do not count.
pub fn has_address(text: &str) -> bool {
    if PREFECTURES.iter().any(|p| text.contains(p)) || bare_prefecture_then_marker(text) {
        return true;
    }
    let mut cleaned = text.to_owned();
    for label in MARKER_LABELS {
        cleaned = cleaned.replace(label, "・");
    }
    let chars: Vec<char> = cleaned.chars().collect();
    (0..chars.len()).any(|i| postal_code_at(&chars, i)) || marker_in_place(&chars)
}

/// A contact phone number: 0 followed by 9–10 more digits (so 10–11 digits in all), half-
/// or full-width, with or without hyphens (- － ‐ ー) or parentheses (( ) （ ）) between
/// digit groups; the digit run must not be part of a longer digit run (a 12-digit number is
/// not a phone number), and a 〒 postal code is not a phone number.
///
/// A run is a maximal stretch of digits, hyphens and parentheses; all of its digits count.
/// Spaces end a run, so 「１－２－３　０３－５２５３－１１１１」 is a house number and a phone
/// number. A run that follows 〒 (optionally after spaces) is never a phone number. The
/// minus sign 「−」 and half-width 「ｰ」 are accepted as hyphens too.
pub fn has_phone(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let in_run = |c: char| digit(c).is_some() || is_phone_separator(c);
    let mut i = 0;
    while i < chars.len() {
        if !in_run(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && in_run(chars[i]) {
            i += 1;
        }
        let mut before = start;
        while before > 0 && is_space(chars[before - 1]) {
            before -= 1;
        }
        if before > 0 && chars[before - 1] == POSTAL {
            continue;
        }
        let digits: Vec<u32> = chars[start..i].iter().filter_map(|&c| digit(c)).collect();
        if (10..=11).contains(&digits.len()) && digits[0] == 0 {
            return true;
        }
    }
    false
}

/// The 旧資格 note: the text contains 「旧資格」 (e.g. 「旧資格情報」, 「旧資格で請求」).
///
/// Spaces are ignored, so 「旧　資格情報」 counts too.
pub fn has_old_qualification_note(text: &str) -> bool {
    let tight: String = text.chars().filter(|&c| !is_space(c)).collect();
    tight.contains("旧資格")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_47_prefectures() {
        assert_eq!(PREFECTURES.len(), 47);
        let ken = PREFECTURES.iter().filter(|p| p.ends_with('県')).count();
        assert_eq!(ken, 43);
        for p in ["北海道", "東京都", "京都府", "大阪府"] {
            assert!(PREFECTURES.contains(&p));
        }
    }

    #[test]
    fn full_address() {
        assert!(has_address("住所　東京都千代田区霞が関一丁目２番２号"));
        assert!(has_address("住所：東京都千代田区霞が関1-2-2"));
    }

    #[test]
    fn prefecture_alone() {
        assert!(has_address("宮城県"));
        assert!(has_address("北海道"));
        assert!(has_address("京都府"));
        assert!(has_address("大阪府"));
        assert!(has_address("神奈川県"));
        assert!(has_address("鹿児島県"));
        assert!(has_address("住所は沖縄県です"));
    }

    #[test]
    fn bare_prefecture_name_with_marker() {
        assert!(has_address("千葉市"));
        assert!(has_address("大阪市"));
        assert!(has_address("京都市"));
        assert!(has_address("住所　静岡市"));
        assert!(!has_address("千葉"));
        assert!(!has_address("大阪"));
    }

    #[test]
    fn postal_codes() {
        assert!(has_address("〒１００－８９１６"));
        assert!(has_address("〒100-8916"));
        assert!(has_address("〒1008916"));
        assert!(has_address("〒　１００ー８９１６"));
        assert!(has_address("〒 100-8916"));
        assert!(has_address("〒１００８９１６"));
        assert!(!has_address("〒１２３"));
        assert!(!has_address("〒100-891"));
        assert!(!has_address("〒100-89166"));
        assert!(!has_address("100-8916"));
        assert!(!has_address("〒"));
    }

    #[test]
    fn municipality_markers() {
        assert!(has_address("千代田区霞が関"));
        assert!(has_address("仙台市青葉区"));
        assert!(has_address("●●市●●町１－２"));
        assert!(has_address("つくば市千現"));
        assert!(has_address("千代田区　霞が関"));
        assert!(has_address("西多摩郡瑞穂町"));
        assert!(has_address("檜原村１２３"));
    }

    #[test]
    fn marker_words_that_are_not_addresses() {
        assert!(!has_address("区分"));
        assert!(!has_address("市販薬"));
        assert!(!has_address("町内"));
        assert!(!has_address("保険区分"));
        assert!(!has_address("市区町村"));
        assert!(!has_address("住所（市区町村）不明"));
        // Marker at the end, or followed by punctuation / space only.
        assert!(!has_address("千代田区"));
        assert!(!has_address("千代田区。"));
        assert!(!has_address("千代田区　"));
        // Preceded by a digit or symbol.
        assert!(!has_address("1区2"));
        assert!(!has_address("（区）"));
        assert!(!has_address(""));
        assert!(!has_address("連絡先　０３－５２５３－１１１１"));
    }

    #[test]
    fn phone_numbers() {
        assert!(has_phone("連絡先　０３－５２５３－１１１１"));
        assert!(has_phone("090-1234-5678"));
        assert!(has_phone("(03)5253-1111"));
        assert!(has_phone("０３（５２５３）１１１１"));
        assert!(has_phone("0352531111"));
        assert!(has_phone("09012345678"));
        assert!(has_phone("TEL03-5253-1111"));
        assert!(has_phone("電話(03)5253-1111(代表)"));
        assert!(has_phone("０９０ー１２３４ー５６７８"));
        assert!(has_phone("090‐1234‐5678"));
        assert!(has_phone("0120-123-456"));
        assert!(has_phone("霞が関1-2-2　03-5253-1111"));
    }

    #[test]
    fn not_phone_numbers() {
        assert!(!has_phone("1234567890"));
        assert!(!has_phone("012345678901"));
        assert!(!has_phone("〒１００－８９１６"));
        assert!(!has_phone("〒 100-8916"));
        assert!(!has_phone("03-1234"));
        assert!(!has_phone("035253111"));
        assert!(!has_phone("03-5253-1111-22"));
        assert!(!has_phone(""));
        assert!(!has_phone("電話なし"));
        assert!(!has_phone("---()"));
    }

    #[test]
    fn postal_code_then_phone() {
        assert!(has_phone(
            "〒100-8916 東京都千代田区霞が関1-2-2 03-5253-1111"
        ));
    }

    #[test]
    fn old_qualification_note() {
        assert!(has_old_qualification_note("旧資格情報"));
        assert!(has_old_qualification_note("旧資格で請求"));
        assert!(has_old_qualification_note("資格無効のため旧資格情報で請求"));
        assert!(has_old_qualification_note("旧　資格情報"));
        assert!(!has_old_qualification_note("資格情報"));
        assert!(!has_old_qualification_note("旧姓"));
        assert!(!has_old_qualification_note(""));
    }
}
