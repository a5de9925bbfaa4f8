//! The clinic's qualifications CSV (`--qualifications FILE`).
//!
//! The file tells which 保険 qualification of a patient is current and which is past (the
//! lost one shown on the 「資格（無効）」 screen), so that a claim can be checked against the
//! ① current → ② past → ③ 不詳 order.
//!
//! # Format
//!
//! - **Encoding:** UTF-8 (with or without BOM) when the bytes are valid UTF-8, else
//!   Shift_JIS (CP932). UTF-16 is refused with a message.
//! - **Lines:** CR LF or LF (a lone CR also ends a line). Blank lines, and lines whose
//!   fields are all empty (`,,,` from a spreadsheet), are skipped.
//! - **Fields:** comma-separated, optionally quoted RFC-4180 style: `"a,b"` holds a comma,
//!   `""` inside quotes is one quote, and a quoted field may span lines.
//! - **Header:** the first non-blank line names the columns. Names are matched after
//!   width folding and ASCII lower-casing (`Status`, `ＳＴＡＴＵＳ` are `status`), in any
//!   order; unknown columns are ignored; if a name repeats, the first one is used.
//! - **Columns:**
//!
//!   | column | content | notes |
//!   |---|---|---|
//!   | `patient_id` | カルテ番号 | folded, spaces removed |
//!   | `name` | 氏名 | folded |
//!   | `birth_date` | 生年月日 `YYYYMMDD` | also `YYYY/M/D`, `YYYY-MM-DD` |
//!   | `sex` | 性別 `1` (男) / `2` (女) | |
//!   | `status` | `current` / `有効`, or `past` / `無効` | case-insensitive |
//!   | `insurer` | 保険者番号, 6 or 8 digits | |
//!   | `symbol` | 記号 | folded, spaces removed |
//!   | `number` | 番号 | folded, spaces removed |
//!   | `branch` | 枝番 | folded, spaces removed |
//!   | `checked_on` | date the qualification was confirmed, `YYYYMMDD` | optional |
//!
//!   Required: `status`, `insurer`, `number`, and either `patient_id` or all of `name`,
//!   `birth_date` and `sex`.
//!
//! Rows are numbered by the line they start on (the header is line 1 unless blank lines
//! come before it). A row that cannot be used is skipped and reported as a [`RowProblem`].

use super::fold;
use super::Status;

/// Largest qualifications CSV read (a clinic's patients take a few MB).
pub const MAX_BYTES: usize = 64 << 20;

/// One usable row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualRow {
    /// 1-based line number in the file (the header is line 1).
    pub row: usize,
    /// カルテ番号, folded with [`fold::fold_tight`] ("" when absent).
    pub patient_id: String,
    /// 氏名, folded with [`fold::fold`] ("" when absent).
    pub name: String,
    /// 生年月日 as "YYYYMMDD", or "" when absent.
    pub birth_date: String,
    /// 性別: "1", "2" or "".
    pub sex: String,
    /// Current or Past (never Seen).
    pub status: Status,
    /// 保険者番号: 6 or 8 digits ([`fold::insurer_key`]).
    pub insurer: String,
    /// 記号, folded with [`fold::fold_tight`] (may be "").
    pub symbol: String,
    /// 番号, folded with [`fold::fold_tight`] (never "").
    pub number: String,
    /// 枝番, folded with [`fold::fold_tight`] (may be "").
    pub branch: String,
    /// Date the qualification was confirmed, "YYYYMMDD"; None when absent or not a date.
    pub checked_on: Option<String>,
}

/// A row that could not be used, and why (both languages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    /// 1-based line number the row starts on.
    pub row: usize,
    /// The reason in Japanese.
    pub ja: String,
    /// The reason in English.
    pub en: String,
}

/// One parsed record: its first line number, its fields, and whether a quote was left open.
struct Record {
    line: usize,
    fields: Vec<String>,
    unterminated: bool,
}

/// Decodes the file: UTF-8 (BOM stripped) when valid, else Shift_JIS.
fn decode(bytes: &[u8]) -> Result<String, (String, String)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((
            "資格情報CSVがUTF-16です。UTF-8かShift_JISで保存してください".to_owned(),
            "the qualifications CSV is UTF-16; save it as UTF-8 or Shift_JIS".to_owned(),
        ));
    }
    let bom = bytes.starts_with(&[0xEF, 0xBB, 0xBF]);
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    Ok(match std::str::from_utf8(body) {
        Ok(s) => s.to_owned(),
        Err(_) => {
            // A UTF-8 file with a stray byte or two stays UTF-8 (only the rows holding them
            // become unusable); a file that is mostly not UTF-8 is Shift_JIS.
            let lossy = String::from_utf8_lossy(body);
            let bad = lossy.chars().filter(|&c| c == '\u{FFFD}').count();
            let good = lossy
                .chars()
                .filter(|&c| !c.is_ascii() && c != '\u{FFFD}')
                .count();
            if bom || good >= 2 * bad {
                lossy.into_owned()
            } else {
                crate::encoding::sjis::decode(bytes).into_owned()
            }
        }
    })
}

/// Splits text into RFC-4180 records, numbering each by the line it starts on.
fn records(text: &str) -> Vec<Record> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut start_line = 1;
    let mut in_quotes = false;
    let mut at_field_start = true;
    let mut pending = false; // something has been read for the current record
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\r' | '\n' => {
                    if c == '\r' && chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                field.clear(); // only spaces were read before the quote
                in_quotes = true;
                at_field_start = false;
                pending = true;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
                pending = true;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                fields.push(std::mem::take(&mut field));
                out.push(Record {
                    line: start_line,
                    fields: std::mem::take(&mut fields),
                    unterminated: false,
                });
                line += 1;
                start_line = line;
                at_field_start = true;
                pending = false;
            }
            _ => {
                // Spaces before an opening quote are tolerated (`a, "b"`).
                if !(at_field_start && (c == ' ' || c == '\t')) {
                    at_field_start = false;
                }
                field.push(c);
                pending = true;
            }
        }
    }
    if pending || in_quotes {
        fields.push(field);
        out.push(Record {
            line: start_line,
            fields,
            unterminated: in_quotes,
        });
    }
    out
}

/// True when every field is empty after trimming.
fn is_blank(r: &Record) -> bool {
    r.fields.iter().all(|f| fold::fold(f).is_empty())
}

/// A column name as matched: folded, ASCII lower-case.
fn column_key(name: &str) -> String {
    fold::fold_tight(name.trim_start_matches('\u{FEFF}')).to_ascii_lowercase()
}

/// Column indexes found in the header.
#[derive(Default)]
struct Columns {
    patient_id: Option<usize>,
    name: Option<usize>,
    birth_date: Option<usize>,
    sex: Option<usize>,
    status: Option<usize>,
    insurer: Option<usize>,
    symbol: Option<usize>,
    number: Option<usize>,
    branch: Option<usize>,
    checked_on: Option<usize>,
}

impl Columns {
    /// Maps header names to indexes (first occurrence wins).
    fn from_header(header: &[String]) -> Columns {
        let mut c = Columns::default();
        for (i, h) in header.iter().enumerate() {
            let slot = match column_key(h).as_str() {
                "patient_id" => &mut c.patient_id,
                "name" => &mut c.name,
                "birth_date" => &mut c.birth_date,
                "sex" => &mut c.sex,
                "status" => &mut c.status,
                "insurer" => &mut c.insurer,
                "symbol" => &mut c.symbol,
                "number" => &mut c.number,
                "branch" => &mut c.branch,
                "checked_on" => &mut c.checked_on,
                _ => continue,
            };
            slot.get_or_insert(i);
        }
        c
    }

    /// The required columns that are missing, as shown to the user ("" when none).
    fn missing(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.status.is_none() {
            m.push("status");
        }
        if self.insurer.is_none() {
            m.push("insurer");
        }
        if self.number.is_none() {
            m.push("number");
        }
        if self.patient_id.is_none() {
            let person: Vec<&str> = [
                ("name", self.name),
                ("birth_date", self.birth_date),
                ("sex", self.sex),
            ]
            .iter()
            .filter(|(_, i)| i.is_none())
            .map(|(n, _)| *n)
            .collect();
            if !person.is_empty() {
                m.push(match person.as_slice() {
                    ["name", "birth_date", "sex"] => "patient_id (or name + birth_date + sex)",
                    ["name", "birth_date"] => "patient_id (or name + birth_date)",
                    ["name", "sex"] => "patient_id (or name + sex)",
                    ["birth_date", "sex"] => "patient_id (or birth_date + sex)",
                    ["name"] => "patient_id (or name)",
                    ["birth_date"] => "patient_id (or birth_date)",
                    _ => "patient_id (or sex)",
                });
            }
        }
        m
    }
}

/// True for a real Gregorian date in a plausible birth / check range (1868–2999).
fn valid_ymd(y: u32, m: u32, d: u32) -> bool {
    if !(1868..=2999).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    d <= days
}

/// Parses a date as "YYYYMMDD", or "YYYY/M/D" / "YYYY-M-D" (as spreadsheets write it),
/// returning "YYYYMMDD" when it is a real date.
fn parse_date(s: &str) -> Option<String> {
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let (y, m, d) = if s.len() == 8 && all_digits(s) {
        (&s[..4], &s[4..6], &s[6..])
    } else {
        let sep = if s.contains('/') { '/' } else { '-' };
        let parts: Vec<&str> = s.split(sep).collect();
        match parts.as_slice() {
            [y, m, d]
                if y.len() == 4
                    && (1..=2).contains(&m.len())
                    && (1..=2).contains(&d.len())
                    && [y, m, d].iter().all(|t| all_digits(t)) =>
            {
                (*y, *m, *d)
            }
            _ => return None,
        }
    };
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    valid_ymd(y, m, d).then(|| format!("{y:04}{m:02}{d:02}"))
}

/// Reads a status value: current / 有効 → Current, past / 無効 → Past.
fn parse_status(s: &str) -> Option<Status> {
    match fold::fold_tight(s).to_ascii_lowercase().as_str() {
        "current" | "有効" => Some(Status::Current),
        "past" | "無効" => Some(Status::Past),
        _ => None,
    }
}

/// Parses the file. Err (ja, en) only when nothing can be used at all: empty file, or the
/// header lacks a required column (say which). Required columns: status, insurer, number,
/// and either patient_id or all of name + birth_date + sex. A row is a problem (and
/// skipped) when: status is not one of the accepted values; insurer is not 6 or 8 digits;
/// number is empty; birth_date is present but not a valid YYYYMMDD date; sex is present but
/// not 1/2; it has neither a patient_id nor name+birth_date+sex; or it has fewer fields
/// than the header (say so). Rows with more fields than the header are fine.
///
/// A row with a quote that is never closed is a problem too. A `checked_on` that is not a
/// date does not make the row a problem; it is read as None. One [`RowProblem`] is given
/// per row, with all its reasons.
pub fn parse(bytes: &[u8]) -> Result<(Vec<QualRow>, Vec<RowProblem>), (String, String)> {
    let text = decode(bytes)?;
    let mut recs = records(&text).into_iter().filter(|r| !is_blank(r));
    let Some(header) = recs.next() else {
        return Err((
            "資格情報CSVが空です".to_owned(),
            "the qualifications CSV is empty".to_owned(),
        ));
    };
    let cols = Columns::from_header(&header.fields);
    let missing = cols.missing();
    if !missing.is_empty() {
        let list = missing.join(", ");
        return Err((
            format!("資格情報CSVのヘッダーに必須の列がありません: {list}"),
            format!("the qualifications CSV header lacks required column(s): {list}"),
        ));
    }
    let width = header.fields.len();
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for rec in recs {
        if rec.fields.iter().any(|f| f.contains('\u{FFFD}')) {
            problems.push(RowProblem {
                row: rec.line,
                ja: "読み取れないバイトがあります（文字コードを確認してください）".to_owned(),
                en: "it holds bytes that cannot be read (check the encoding)".to_owned(),
            });
            continue;
        }
        match row(&rec, &cols, width) {
            Ok(r) => rows.push(r),
            Err((ja, en)) => problems.push(RowProblem {
                row: rec.line,
                ja,
                en,
            }),
        }
    }
    Ok((rows, problems))
}

/// Reads one data record, or says why it cannot be used.
fn row(rec: &Record, cols: &Columns, width: usize) -> Result<QualRow, (String, String)> {
    if rec.unterminated {
        return Err((
            "引用符（\"）が閉じられていません".to_owned(),
            "a quote (\") is never closed".to_owned(),
        ));
    }
    let n = rec.fields.len();
    if n < width {
        return Err((
            format!("項目数が{n}で、ヘッダーの{width}より少ない"),
            format!("the row has {n} fields, fewer than the header's {width}"),
        ));
    }
    let get = |c: Option<usize>| c.map_or("", |i| rec.fields[i].as_str());
    let mut ja: Vec<String> = Vec::new();
    let mut en: Vec<String> = Vec::new();

    let status_raw = get(cols.status);
    let status = parse_status(status_raw);
    if status.is_none() {
        let v = fold::fold(status_raw);
        ja.push(format!(
            "status「{v}」は current / past / 有効 / 無効 のいずれでもない"
        ));
        en.push(format!("status \"{v}\" is not current, past, 有効 or 無効"));
    }

    let insurer_raw = get(cols.insurer);
    let insurer = fold::insurer_key(insurer_raw);
    if insurer.is_none() {
        let v = fold::fold(insurer_raw);
        let lost_zero = (v.len() == 5 || v.len() == 7) && v.bytes().all(|b| b.is_ascii_digit());
        if lost_zero {
            ja.push(format!(
                "insurer「{v}」が{}桁（表計算ソフトで先頭の0が消えた可能性）",
                v.len()
            ));
            en.push(format!(
                "insurer \"{v}\" has {} digits (a spreadsheet may have dropped a leading 0)",
                v.len()
            ));
        } else {
            ja.push(format!("insurer「{v}」は6桁または8桁の数字でない"));
            en.push(format!("insurer \"{v}\" is not 6 or 8 digits"));
        }
    }

    let number = fold::fold_tight(get(cols.number));
    if number.is_empty() {
        ja.push("number（番号）が空".to_owned());
        en.push("number is empty".to_owned());
    }

    let birth_raw = fold::fold_tight(get(cols.birth_date));
    let birth_date = if birth_raw.is_empty() {
        String::new()
    } else if let Some(d) = parse_date(&birth_raw) {
        d
    } else {
        ja.push(format!(
            "birth_date「{birth_raw}」は有効な日付（YYYYMMDD）でない"
        ));
        en.push(format!(
            "birth_date \"{birth_raw}\" is not a valid YYYYMMDD date"
        ));
        String::new()
    };

    let sex = fold::fold_tight(get(cols.sex));
    if !sex.is_empty() && sex != "1" && sex != "2" {
        ja.push(format!("sex「{sex}」は1または2でない"));
        en.push(format!("sex \"{sex}\" is not 1 or 2"));
    }

    let patient_id = fold::fold_tight(get(cols.patient_id));
    let name = fold::fold(get(cols.name));
    if patient_id.is_empty() && (name.is_empty() || birth_raw.is_empty() || sex.is_empty()) {
        ja.push("patient_id も name・birth_date・sex の組もない".to_owned());
        en.push("neither a patient_id nor name + birth_date + sex".to_owned());
    }

    if !ja.is_empty() {
        return Err((ja.join("、"), en.join("; ")));
    }
    let checked = fold::fold_tight(get(cols.checked_on));
    Ok(QualRow {
        row: rec.line,
        patient_id,
        name,
        birth_date,
        sex,
        status: status.unwrap_or(Status::Seen),
        insurer: insurer.unwrap_or_default(),
        symbol: fold::fold_tight(get(cols.symbol)),
        number,
        branch: fold::fold_tight(get(cols.branch)),
        checked_on: parse_date(&checked),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "patient_id,name,birth_date,sex,status,insurer,symbol,number,branch,checked_on";

    fn ok(text: &str) -> (Vec<QualRow>, Vec<RowProblem>) {
        parse(text.as_bytes()).expect("parses")
    }

    fn sample() -> String {
        format!(
            "{HEADER}\r\n\
             0001,山田　花子,19800102,2,current,06132013,１２３,４５６,01,20250401\r\n\
             0001,山田　花子,19800102,2,past,138057,,789,,\r\n"
        )
    }

    fn expected_first() -> QualRow {
        QualRow {
            row: 2,
            patient_id: "0001".into(),
            name: "山田 花子".into(),
            birth_date: "19800102".into(),
            sex: "2".into(),
            status: Status::Current,
            insurer: "06132013".into(),
            symbol: "123".into(),
            number: "456".into(),
            branch: "01".into(),
            checked_on: Some("20250401".into()),
        }
    }

    #[test]
    fn utf8_with_bom() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(sample().as_bytes());
        let (rows, problems) = parse(&bytes).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], expected_first());
        assert_eq!(rows[1].row, 3);
        assert_eq!(rows[1].status, Status::Past);
        assert_eq!(rows[1].insurer, "138057");
        assert_eq!(rows[1].symbol, "");
        assert_eq!(rows[1].branch, "");
        assert_eq!(rows[1].checked_on, None);
    }

    #[test]
    fn utf8_without_bom_and_lf() {
        let text = sample().replace("\r\n", "\n");
        let (rows, problems) = ok(&text);
        assert!(problems.is_empty());
        assert_eq!(rows[0], expected_first());
    }

    #[test]
    fn shift_jis_same_content() {
        let bytes = crate::encoding::sjis::encode(&sample());
        assert!(std::str::from_utf8(&bytes).is_err());
        let (rows, problems) = parse(&bytes).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0], expected_first());
    }

    #[test]
    fn shift_jis_japanese_status_and_header_order() {
        let text = "status,number,insurer,name,sex,birth_date\r\n\
                    無効,1,06132013,佐藤　一郎,1,19500505\r\n\
                    有効,2,06132013,佐藤　一郎,1,19500505\r\n";
        let (rows, problems) = parse(&crate::encoding::sjis::encode(text)).unwrap();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows[0].status, Status::Past);
        assert_eq!(rows[1].status, Status::Current);
        assert_eq!(rows[0].name, "佐藤 一郎");
        assert_eq!(rows[0].patient_id, "");
        assert_eq!(rows[0].birth_date, "19500505");
    }

    #[test]
    fn status_values_case_insensitive() {
        let text = "patient_id,status,insurer,number\n\
                    1,CURRENT,06132013,1\n\
                    2,Past,06132013,1\n\
                    3,有効,06132013,1\n\
                    4,無効,06132013,1\n\
                    5,ｃｕｒｒｅｎｔ,06132013,1\n\
                    6, past ,06132013,1\n\
                    7,valid,06132013,1\n\
                    8,,06132013,1\n";
        let (rows, problems) = ok(text);
        let statuses: Vec<Status> = rows.iter().map(|r| r.status).collect();
        use Status::*;
        assert_eq!(statuses, [Current, Past, Current, Past, Current, Past]);
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].row, 8);
        assert!(problems[0].en.contains("valid"), "{}", problems[0].en);
        assert_eq!(problems[1].row, 9);
    }

    #[test]
    fn quoted_fields() {
        let text = "patient_id,name,status,insurer,number\n\
                    \"0001\",\"山田,花子\",current,06132013,\"12\"\"3\"\n\
                    0002, \"quoted after space\" ,past,06132013,5\n";
        let (rows, problems) = ok(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows[0].name, "山田,花子");
        assert_eq!(rows[0].number, "12\"3");
        assert_eq!(rows[1].name, "quoted after space");
    }

    #[test]
    fn quoted_field_spanning_lines_keeps_line_numbers() {
        let text = "patient_id,name,status,insurer,number\n\
                    1,\"two\nlines\",current,06132013,1\n\
                    2,x,current,bad,1\n";
        let (rows, problems) = ok(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[0].name, "two\nlines");
        assert_eq!(problems[0].row, 4);
    }

    #[test]
    fn unterminated_quote_is_a_problem() {
        let text = "patient_id,status,insurer,number\n\
                    1,current,06132013,1\n\
                    2,current,06132013,\"1\n";
        let (rows, problems) = ok(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].row, 3);
        assert!(problems[0].en.contains("quote"));
    }

    #[test]
    fn extra_unknown_column_and_extra_fields() {
        let text = "memo,patient_id,status,insurer,number,備考\n\
                    hello,1,current,06132013,1,note\n\
                    hello,2,current,06132013,1,note,extra,fields\n";
        let (rows, problems) = ok(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].patient_id, "2");
    }

    #[test]
    fn header_names_are_folded() {
        let text = " Patient_ID ,ＳＴＡＴＵＳ,Insurer,NUMBER\n1,current,06132013,1\n";
        let (rows, problems) = ok(text);
        assert!(problems.is_empty());
        assert_eq!(rows.len(), 1);
    }

    #[test]
    fn broken_row_among_good_rows() {
        let text = format!(
            "{HEADER}\n\
             1,山田花子,19800102,2,current,06132013,,1,,\n\
             2,山田花子,19800102,2,current,0613201,,1,,\n\
             3,山田花子,19800102,2,current,06132013,,1,,\n"
        );
        let (rows, problems) = ok(&text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[1].row, 4);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].row, 3);
        assert!(problems[0].en.contains("0613201"), "{}", problems[0].en);
        assert!(problems[0].en.contains("leading 0"), "{}", problems[0].en);
        assert!(problems[0].ja.contains("insurer"));
    }

    #[test]
    fn every_row_problem_kind() {
        let text = format!(
            "{HEADER}\n\
             1,a,19800102,2,maybe,06132013,,1,,\n\
             1,a,19800102,2,current,12ab56,,1,,\n\
             1,a,19800102,2,current,06132013,,　,,\n\
             1,a,19800230,2,current,06132013,,1,,\n\
             1,a,19800102,3,current,06132013,,1,,\n\
             ,a,19800102,,current,06132013,,1,,\n\
             1,a,19800102,2,current\n"
        );
        let (rows, problems) = ok(&text);
        assert!(rows.is_empty(), "{rows:?}");
        let rows_seen: Vec<usize> = problems.iter().map(|p| p.row).collect();
        assert_eq!(rows_seen, [2, 3, 4, 5, 6, 7, 8]);
        assert!(problems[0].en.contains("status"));
        assert!(problems[1].en.contains("not 6 or 8 digits"));
        assert!(problems[2].en.contains("number is empty"));
        assert!(problems[3].en.contains("birth_date"));
        assert!(problems[4].en.contains("sex"));
        assert!(problems[5].en.contains("neither a patient_id"));
        assert!(problems[6].en.contains("5 fields"), "{}", problems[6].en);
        assert!(problems[6].ja.contains("10"), "{}", problems[6].ja);
        for p in &problems {
            assert!(!p.ja.is_empty() && !p.en.is_empty());
        }
    }

    #[test]
    fn several_reasons_in_one_problem() {
        let text = "patient_id,status,insurer,number\n1,nope,123,\n";
        let (_, problems) = ok(text);
        assert_eq!(problems.len(), 1);
        let en = &problems[0].en;
        assert!(en.contains("status") && en.contains("insurer") && en.contains("number"));
    }

    #[test]
    fn name_birth_sex_identify_without_patient_id() {
        let text = "name,birth_date,sex,status,insurer,number,patient_id\n\
                    山田花子,19800102,2,current,06132013,1,\n\
                    山田花子,,2,current,06132013,1,\n";
        let (rows, problems) = ok(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].patient_id, "");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].row, 3);
    }

    #[test]
    fn missing_required_column_names_it() {
        let (ja, en) = parse(b"patient_id,status,number\n1,current,1\n").unwrap_err();
        assert!(en.contains("insurer"), "{en}");
        assert!(ja.contains("insurer"), "{ja}");
        assert!(!en.contains("status"), "{en}");

        let (_, en) = parse(b"patient_id,insurer,number\n").unwrap_err();
        assert!(en.contains("status"), "{en}");

        let (_, en) = parse(b"patient_id,status,insurer\n").unwrap_err();
        assert!(en.contains("number"), "{en}");

        let (_, en) = parse(b"name,birth_date,status,insurer,number\n").unwrap_err();
        assert!(en.contains("patient_id (or sex)"), "{en}");

        let (_, en) = parse(b"status,insurer,number\n").unwrap_err();
        assert!(
            en.contains("patient_id (or name + birth_date + sex)"),
            "{en}"
        );
    }

    #[test]
    fn header_only_is_ok_and_empty() {
        let (rows, problems) = ok("patient_id,status,insurer,number\n");
        assert!(rows.is_empty() && problems.is_empty());
    }

    #[test]
    fn empty_file_is_an_error() {
        assert!(parse(b"").is_err());
        assert!(parse(b"\r\n\n  \n").is_err());
        assert!(parse(&[0xEF, 0xBB, 0xBF]).is_err());
        let (ja, en) = parse(b"").unwrap_err();
        assert!(en.contains("empty") && ja.contains("空"));
    }

    #[test]
    fn utf16_is_refused() {
        let (_, en) = parse(&[0xFF, 0xFE, b'a', 0]).unwrap_err();
        assert!(en.contains("UTF-16"));
    }

    #[test]
    fn blank_lines_skipped_and_numbering_kept() {
        let text = "\npatient_id,status,insurer,number\n\n1,current,06132013,1\r\n,,,\n\n2,past,06132013,2";
        let (rows, problems) = ok(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 4);
        assert_eq!(rows[1].row, 7);
        assert_eq!(rows[1].number, "2");
    }

    #[test]
    fn full_width_digits_are_folded() {
        let text = "patient_id,status,insurer,symbol,number,branch,birth_date,sex\n\
                    Ａ００１,current,０６１３２０１３,ＡＢ　１２,１２　３４５,０１,１９８００１０２,２\n";
        let (rows, problems) = ok(text);
        assert!(problems.is_empty(), "{problems:?}");
        let r = &rows[0];
        assert_eq!(r.patient_id, "A001");
        assert_eq!(r.insurer, "06132013");
        assert_eq!(r.symbol, "AB12");
        assert_eq!(r.number, "12345");
        assert_eq!(r.branch, "01");
        assert_eq!(r.birth_date, "19800102");
        assert_eq!(r.sex, "2");
    }

    #[test]
    fn spreadsheet_dates_are_normalised() {
        let text = "patient_id,status,insurer,number,birth_date,checked_on\n\
                    1,current,06132013,1,1980/1/2,2025-04-01\n\
                    2,current,06132013,1,19800102,not a date\n";
        let (rows, problems) = ok(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(rows[0].birth_date, "19800102");
        assert_eq!(rows[0].checked_on.as_deref(), Some("20250401"));
        assert_eq!(rows[1].checked_on, None);
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("20240229").as_deref(), Some("20240229"));
        assert_eq!(parse_date("20230229"), None);
        assert_eq!(parse_date("20000229").as_deref(), Some("20000229"));
        assert_eq!(parse_date("19000229"), None);
        assert_eq!(parse_date("19801301"), None);
        assert_eq!(parse_date("19800100"), None);
        assert_eq!(parse_date("19800431"), None);
        assert_eq!(parse_date("18000101"), None);
        assert_eq!(parse_date("1980012"), None);
        assert_eq!(parse_date("1980/01/02").as_deref(), Some("19800102"));
        assert_eq!(parse_date("1980-1-2").as_deref(), Some("19800102"));
        assert_eq!(parse_date("1980/01-02"), None);
        assert_eq!(parse_date("80/01/02"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn lone_cr_line_ends() {
        let text = "patient_id,status,insurer,number\r1,current,06132013,1\r";
        let (rows, _) = ok(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 2);
    }
}
