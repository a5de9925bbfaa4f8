//! `--format html`: one self-contained HTML5 report for the person who submits the claim
//! (inline CSS, inline SVG charts, a small inline script for filtering; nothing is fetched
//! from anywhere). It reads from the top down: a verdict sentence, who claims for which
//! month and when it was checked, the errors grouped by rule with why they matter and how to
//! fix them (identical findings once, with their receipts listed), charts with the infos
//! apart, what is known of the qualifications, then every receipt's findings.
//!
//! The desk page (`recelint serve`) shows the same body ([`Html::body`]), with [`CSS`] and
//! [`SCRIPT`] served as files of their own so that its Content-Security-Policy needs no
//! inline code. The time of the check is the one thing that is not a function of the reports:
//! `SOURCE_DATE_EPOCH` (seconds) fixes it, as for reproducible builds.

use super::{Part, Renderer, Style, Totals};
use crate::report::FileReport;
use crate::report::{Diagnostic, Lang, ReceiptLabel, Rule, Severity};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};

pub struct Html {
    style: Style,
    /// Seconds since the Unix epoch when the check ran.
    checked_at: i64,
    /// The rendered per-file sections, in input order.
    sections: String,
    files: Vec<FileRow>,
    /// Rows written per rule code (for the rule filter).
    codes: BTreeMap<&'static str, usize>,
    /// Rows written per severity (info, warning, error).
    rows: [usize; 3],
    /// Findings by severity (most severe first) and rule, over every file.
    rules: BTreeMap<(std::cmp::Reverse<Severity>, &'static str), RuleAgg>,
    /// Receipts with at least one error, over every file.
    error_receipts: usize,
    /// Some errors were left out by `--max-diagnostics`: the receipt count is a lower bound.
    errors_omitted: bool,
}

struct FileRow {
    path: String,
    receipts: u32,
    errors: usize,
    warnings: usize,
    infos: usize,
    unreadable: bool,
    facility: String,
    facility_name: String,
    claim_ym: String,
}

/// One rule's findings over the run.
struct RuleAgg {
    rule: &'static Rule,
    severity: Severity,
    /// Findings, shown or left out.
    count: usize,
    /// Distinct (file, receipt) with a finding of the rule.
    receipts: BTreeSet<(usize, u32)>,
    /// Identical findings (same message) together, in order of first appearance.
    messages: Vec<Same>,
    by_text: HashMap<String, usize>,
}

/// Findings of one rule with one message, and where they are.
struct Same {
    text: String,
    count: usize,
    refs: Vec<Ref>,
}

/// Where a finding is: its file (1-based), receipt and how to name it.
struct Ref {
    file: usize,
    receipt: Option<u32>,
    number: String,
    name: String,
    line: Option<u32>,
}

/// Receipts listed under one message at most; the rest are counted.
const MAX_REFS: usize = 200;

/// Every piece of UI text, in one language.
struct Labels {
    lang: &'static str,
    title: &'static str,
    version: &'static str,
    files: &'static str,
    receipts: &'static str,
    records: &'static str,
    errors: &'static str,
    warnings: &'static str,
    infos: &'static str,
    unreadable_files: &'static str,
    omitted_total: &'static str,
    by_severity: &'static str,
    by_rule: &'static str,
    qualification: &'static str,
    q_current: &'static str,
    q_past: &'static str,
    q_unchecked: &'static str,
    q_unknown: &'static str,
    q_disaster: &'static str,
    q_circle: &'static str,
    q_note: &'static str,
    no_findings_chart: &'static str,
    file_list: &'static str,
    file_col: &'static str,
    filter: &'static str,
    all_rules: &'static str,
    severity: &'static str,
    shown: &'static str,
    col_severity: &'static str,
    col_code: &'static str,
    col_line: &'static str,
    col_field: &'static str,
    col_value: &'static str,
    col_message: &'static str,
    col_count: &'static str,
    col_where: &'static str,
    whole_file: &'static str,
    receipt: &'static str,
    receipt_no: &'static str,
    karte: &'static str,
    name: &'static str,
    from_line: (&'static str, &'static str),
    line_no: (&'static str, &'static str),
    field_no: (&'static str, &'static str),
    no_findings: &'static str,
    none_match: &'static str,
    cannot_read: &'static str,
    omitted: (&'static str, &'static str),
    privacy: &'static str,
    count_unit: &'static str,
    facility: &'static str,
    facility_name: &'static str,
    claim_ym: &'static str,
    checked_at: &'static str,
    error_receipts: &'static str,
    several: &'static str,
    rules_heading: &'static str,
    infos_heading: &'static str,
    why: &'static str,
    fix: &'static str,
    example: &'static str,
    fix_generic: &'static str,
    fix_example: &'static str,
    more_refs: (&'static str, &'static str),
    by_receipt: &'static str,
    infos_apart: &'static str,
    ok_next: &'static str,
    error_next: &'static str,
    warning_next: &'static str,
    nothing_checked: &'static str,
    unreadable_next: &'static str,
}

const JA: Labels = Labels {
    lang: "ja",
    title: "recelint 検査結果",
    version: "recelint",
    files: "ファイル",
    receipts: "レセプト",
    records: "レコード",
    errors: "エラー",
    warnings: "警告",
    infos: "情報",
    unreadable_files: "読み取れなかったファイル",
    omitted_total: "表示を省略した指摘（--max-diagnostics）",
    by_severity: "エラーと警告の件数",
    by_rule: "エラー・警告の多い規則（上位 10）",
    qualification: "資格（レセプト数）",
    q_current: "照合した: 現在の資格",
    q_past: "照合した: 過去の資格",
    q_unchecked: "照合していない",
    q_unknown: "不詳（7 埋め）",
    q_disaster: "災害（9 埋め）",
    q_circle: "「●」氏名",
    q_note: "「●」氏名は他の区分と重なります。",
    no_findings_chart: "エラー・警告はありません",
    file_list: "ファイルの一覧",
    file_col: "ファイル",
    filter: "絞り込み",
    all_rules: "すべての規則",
    severity: "重大度",
    shown: "表示中の指摘",
    col_severity: "重大度",
    col_code: "コード",
    col_line: "行",
    col_field: "項目",
    col_value: "値",
    col_message: "メッセージ",
    col_count: "件数",
    col_where: "該当するレセプト",
    whole_file: "ファイル全体",
    receipt: "レセプト",
    receipt_no: "レセプト番号",
    karte: "カルテ番号",
    name: "氏名",
    from_line: ("", " 行目〜"),
    line_no: ("", " 行目"),
    field_no: ("項目 ", ""),
    no_findings: "指摘はありません。",
    none_match: "絞り込みの条件に合う指摘はありません。",
    cannot_read: "読み取れませんでした",
    omitted: (
        "ほか ",
        " 件の指摘は表示していません（--max-diagnostics）。件数と図には含まれます。",
    ),
    privacy: "この報告書には患者情報（氏名・カルテ番号など）が含まれることがあります。取り扱いに注意してください。外部に渡すときは --redact で伏せ字にできます。",
    count_unit: " 件",
    facility: "医療機関コード",
    facility_name: "名称",
    claim_ym: "請求年月",
    checked_at: "検査日時",
    error_receipts: "エラーのあるレセプト",
    several: "複数",
    rules_heading: "規則ごとのエラー・警告",
    infos_heading: "情報（対応は不要です）",
    why: "なぜ問題か",
    fix: "直し方",
    example: "例（記録の形）",
    fix_generic: "該当するレセプトをレセコンで確認して直し、請求ファイルを出力し直してください。",
    fix_example: "下の例の「修正後」のように直します。",
    more_refs: ("ほか ", " 件"),
    by_receipt: "レセプトごとの一覧",
    infos_apart: "情報は対応の要らない記録で、エラー・警告の図には含めていません",
    ok_next: "recelint が調べた範囲（記録の形式・構成・資格の順序）では問題は見つかりませんでした。",
    error_next: "下の「規則ごとのエラー・警告」で直し方を確かめ、レセコンで該当するレセプトを直して請求ファイルを出力し直し、もう一度検査してください。",
    warning_next: "警告は誤りとは限りません。提出の前に内容を確認してください。",
    nothing_checked: "検査できたファイルがありません",
    unreadable_next: "読み取れなかったファイルは検査していません。ファイルの場所と種類を確かめてください。",
};

const EN: Labels = Labels {
    lang: "en",
    title: "recelint report",
    version: "recelint",
    files: "Files",
    receipts: "Receipts",
    records: "records",
    errors: "Errors",
    warnings: "Warnings",
    infos: "Infos",
    unreadable_files: "Unreadable files",
    omitted_total: "Findings not shown (--max-diagnostics)",
    by_severity: "Errors and warnings",
    by_rule: "Rules with the most errors and warnings (top 10)",
    qualification: "Qualifications (receipts)",
    q_current: "Checked: current",
    q_past: "Checked: past",
    q_unchecked: "Not checked",
    q_unknown: "Unknown fill (7s)",
    q_disaster: "Disaster fill (9s)",
    q_circle: "● names",
    q_note: "● names overlap the other groups.",
    no_findings_chart: "No errors or warnings",
    file_list: "Files",
    file_col: "File",
    filter: "Filter",
    all_rules: "All rules",
    severity: "Severity",
    shown: "Findings shown",
    col_severity: "Severity",
    col_code: "Code",
    col_line: "Line",
    col_field: "Field",
    col_value: "Value",
    col_message: "Message",
    col_count: "Count",
    col_where: "Receipts",
    whole_file: "Whole file",
    receipt: "Receipt",
    receipt_no: "Number",
    karte: "Chart",
    name: "Name",
    from_line: ("from line ", ""),
    line_no: ("line ", ""),
    field_no: ("field ", ""),
    no_findings: "No findings.",
    none_match: "No finding matches the filter.",
    cannot_read: "Could not be read",
    omitted: (
        "",
        " more finding(s) not shown (--max-diagnostics); they are counted in the totals and charts.",
    ),
    privacy: "This report may contain patient data (names, chart numbers …). Handle it with care; use --redact to mask it before passing it on.",
    count_unit: "",
    facility: "Facility code",
    facility_name: "Name",
    claim_ym: "Claim month",
    checked_at: "Checked",
    error_receipts: "Receipts with errors",
    several: "several",
    rules_heading: "Errors and warnings by rule",
    infos_heading: "Infos (nothing to do)",
    why: "Why it matters",
    fix: "How to fix",
    example: "Example (as recorded)",
    fix_generic: "Check the receipts listed in the receipt software, correct them and export the claim file again.",
    fix_example: "Correct it as in the example below (Fixed).",
    more_refs: ("", " more"),
    by_receipt: "Findings by receipt",
    infos_apart: "Infos record things that need no action; they are not in the charts of errors and warnings",
    ok_next: "Nothing wrong was found in what recelint checks (record format, structure, qualification order).",
    error_next: "See how to fix each rule below, correct those receipts in the receipt software, export the claim file again and check it again.",
    warning_next: "A warning is not always a mistake: look at each one before submitting.",
    nothing_checked: "No file could be checked",
    unreadable_next: "Files that could not be read were not checked: check where they are and what they are.",
};

fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    }
}

/// Escapes text for HTML content and attribute values; control characters are shown as
/// their Unicode control pictures (␀, ␛ …) so nothing invisible reaches the page.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
    out
}

use super::thousands as num;

fn sev_class(s: Severity) -> &'static str {
    s.as_str()
}

/// At most `max` characters, with `…` when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// The time of the check: `SOURCE_DATE_EPOCH` when it is set to a number of seconds, else
/// now.
pub(crate) fn check_time() -> i64 {
    if let Some(n) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        return n;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The time in Japan (UTC+9, no daylight saving time), as the claim's own calendar is:
/// (`YYYY-MM-DD HH:MM`, the RFC 3339 UTC form for `<time datetime>`).
fn jst(epoch: i64) -> (String, String) {
    let shown = epoch.saturating_add(9 * 3600);
    let (y, m, d) = civil(shown.div_euclid(86_400));
    let s = shown.rem_euclid(86_400);
    let (uy, um, ud) = civil(epoch.div_euclid(86_400));
    let us = epoch.rem_euclid(86_400);
    (
        format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", s / 3600, s % 3600 / 60),
        format!(
            "{uy:04}-{um:02}-{ud:02}T{:02}:{:02}:{:02}Z",
            us / 3600,
            us % 3600 / 60,
            us % 60
        ),
    )
}

/// 請求年月 as a person reads it: `202611` → 2026年11月 / 2026-11; 和暦 `50811` → 令和8年11月
/// / 2026-11 (Reiwa 8); anything else as recorded.
fn claim_month(raw: &str, lang: Lang) -> String {
    let digits = raw.bytes().all(|b| b.is_ascii_digit());
    let era = |g: u8| match g {
        b'1' => Some(("明治", 1867)),
        b'2' => Some(("大正", 1911)),
        b'3' => Some(("昭和", 1925)),
        b'4' => Some(("平成", 1988)),
        b'5' => Some(("令和", 2018)),
        _ => None,
    };
    match (digits, raw.len()) {
        (true, 6) => {
            let (y, m) = raw.split_at(4);
            match lang {
                Lang::Ja => format!("{y}年{}月", m.trim_start_matches('0')),
                Lang::En => format!("{y}-{m}"),
            }
        }
        (true, 5) => match era(raw.as_bytes()[0]) {
            Some((name, base)) => {
                let yy: i64 = raw[1..3].parse().unwrap_or(0);
                let m = &raw[3..5];
                match lang {
                    Lang::Ja => format!("{name}{yy}年{}月", m.trim_start_matches('0')),
                    Lang::En => format!("{}-{m} ({name}{yy})", base + yy),
                }
            }
            None => raw.to_string(),
        },
        _ => raw.to_string(),
    }
}

/// One section of a rule's explanation (`## heading` up to the next), or "".
fn section<'a>(md: &'a str, headings: &[&str]) -> &'a str {
    let mut start = None;
    let mut pos = 0;
    for line in md.split_inclusive('\n') {
        let h = line.trim_end();
        if let Some(title) = h.strip_prefix("## ") {
            if let Some(s) = start {
                return md[s..pos].trim();
            }
            if headings.contains(&title.trim()) {
                start = Some(pos + line.len());
            }
        }
        pos += line.len();
    }
    start.map_or("", |s| md[s..].trim())
}

/// How to fix, as the explanation says it: its own section when it has one, else the
/// example's line that says what the fix does (`修正: …`, `修正後（…）:`, `Fix: …`,
/// `Fixed (…):`, `修正は不要です`). `None` when the example shows it only.
fn fix_text(md: &str, lang: Lang) -> Option<String> {
    let own = section(md, &["直し方", "How to fix"]);
    if !own.is_empty() {
        return Some(own.to_string());
    }
    let example = section(md, &["例", "Example"]);
    for line in example.lines().map(str::trim) {
        let said = match lang {
            Lang::Ja => line
                .strip_prefix("修正:")
                .or_else(|| line.strip_prefix("修正："))
                .map(str::to_string)
                .or_else(|| {
                    line.strip_prefix("修正後（")
                        .and_then(|r| r.split_once('）'))
                        .map(|(x, _)| x.to_string())
                })
                .or_else(|| line.starts_with("修正は不要").then(|| line.to_string())),
            Lang::En => line
                .strip_prefix("Fix:")
                .map(str::to_string)
                .or_else(|| {
                    line.strip_prefix("Fixed (")
                        .and_then(|r| r.rsplit_once(')'))
                        .map(|(x, _)| x.to_string())
                })
                .or_else(|| line.starts_with("No fix").then(|| line.to_string())),
        };
        if let Some(s) = said {
            let s = s.trim().trim_end_matches([':', '：']).trim();
            if !s.is_empty() {
                return Some(s.to_string());
            }
        }
    }
    None
}

/// A small Markdown subset as HTML: paragraphs, fenced code, `- ` lists, inline `code`.
/// Everything is escaped; the explanations are the crate's own text.
fn markdown(md: &str) -> String {
    fn inline(t: &str) -> String {
        let mut out = String::new();
        for (i, part) in t.split('`').enumerate() {
            if i % 2 == 1 {
                let _ = write!(out, "<code>{}</code>", escape(part));
            } else {
                out.push_str(&escape(part));
            }
        }
        out
    }
    let mut out = String::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list = false;
    let mut code: Option<Vec<&str>> = None;
    let flush = |out: &mut String, para: &mut Vec<&str>| {
        if !para.is_empty() {
            let _ = write!(out, "<p>{}</p>", inline(&para.join(" ")));
            para.clear();
        }
    };
    for line in md.lines() {
        if let Some(c) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                let _ = write!(out, "<pre><code>{}</code></pre>", escape(&c.join("\n")));
                code = None;
            } else {
                c.push(line);
            }
            continue;
        }
        let t = line.trim();
        if t.starts_with("```") {
            flush(&mut out, &mut para);
            if list {
                out.push_str("</ul>");
                list = false;
            }
            code = Some(Vec::new());
        } else if let Some(item) = t.strip_prefix("- ") {
            flush(&mut out, &mut para);
            if !list {
                out.push_str("<ul>");
                list = true;
            }
            let _ = write!(out, "<li>{}</li>", inline(item));
        } else if t.is_empty() {
            flush(&mut out, &mut para);
            if list {
                out.push_str("</ul>");
                list = false;
            }
        } else {
            if list {
                out.push_str("</ul>");
                list = false;
            }
            para.push(t);
        }
    }
    if let Some(c) = code {
        let _ = write!(out, "<pre><code>{}</code></pre>", escape(&c.join("\n")));
    }
    flush(&mut out, &mut para);
    if list {
        out.push_str("</ul>");
    }
    out
}

/// One bar of a chart.
struct Bar {
    label: String,
    value: u64,
    /// CSS class of the bar (severity, or `q`).
    class: &'static str,
    /// Hover text.
    tip: String,
}

/// A horizontal bar chart: each bar a row of its label (text, so it stays legible at any
/// width), the bar (a stretched inline SVG, no inline style for the page's CSP) and its count.
fn bar_chart(class: &str, aria: &str, bars: &[Bar], empty: &str) -> String {
    let mut s = String::new();
    if bars.is_empty() {
        let _ = write!(
            s,
            "<div class=\"chart {class}\" role=\"img\" aria-label=\"{}\"><p class=\"empty\">{}</p></div>",
            escape(aria),
            escape(empty)
        );
        return s;
    }
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let _ = write!(
        s,
        "<div class=\"chart {class}\" role=\"img\" aria-label=\"{}\">",
        escape(aria)
    );
    for b in bars {
        let pct = if b.value == 0 {
            0.0
        } else {
            (b.value as f64 / max as f64 * 100.0).max(1.0)
        };
        let _ = write!(
            s,
            "<div class=\"row\" title=\"{tip}\"><span class=\"lbl\">{label}</span><svg class=\"b\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" aria-hidden=\"true\"><rect class=\"track\" width=\"100\" height=\"10\"/><rect class=\"bar {cls}\" width=\"{pct:.1}\" height=\"10\"/></svg><span class=\"val\">{val}</span></div>",
            tip = escape(&b.tip),
            label = escape(&b.label),
            cls = b.class,
            val = num(b.value),
        );
    }
    s.push_str("</div>");
    s
}

/// The report's style sheet (inline in `--format html`, served as a file by the desk page).
pub(crate) const CSS: &str = r##"
:root{--err:#c62828;--err-bg:#fdecea;--warn:#a15c00;--warn-bg:#fff4e0;--info:#1f5fa8;--info-bg:#e8f0fb;--ok:#2e7d32;--ok-bg:#e8f5e9;--q:#5b6b7a;--ink:#1d232a;--mute:#5f6b76;--line:#dfe3e8;--bg:#f5f6f8;--card:#fff}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.6 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Hiragino Kaku Gothic ProN","Noto Sans CJK JP","Noto Sans JP","Yu Gothic UI","Yu Gothic",Meiryo,sans-serif}
.rl-report main{max-width:1360px;margin:0 auto;padding:20px 24px 40px}
header.top{background:#23303d;color:#fff;padding:18px 24px}
header.top .in{max-width:1360px;margin:0 auto;padding:0 24px}
header.top h1{margin:0;font-size:22px;font-weight:700;letter-spacing:.02em}
header.top .meta{margin:4px 0 0;color:#c9d3dc;font-size:13px;word-break:break-all}
.verdict{margin:18px 0 0;padding:16px 20px;border-radius:10px;border:1px solid var(--line);border-left:8px solid var(--ok);background:var(--card)}
.verdict.error{border-left-color:var(--err)}.verdict.warning{border-left-color:#e08a00}.verdict.unread{border-left-color:var(--err)}
.verdict .says{margin:0;font-size:22px;font-weight:700;line-height:1.4}
.verdict.error .says{color:var(--err)}.verdict.ok .says{color:var(--ok)}.verdict.warning .says{color:var(--ink)}
.verdict .also{margin:6px 0 0;font-size:15px}
.verdict .next{margin:8px 0 0;color:var(--mute)}
.facts{display:flex;flex-wrap:wrap;gap:6px 26px;margin:12px 0 0;padding:10px 0 0;border-top:1px solid var(--line)}
.facts div{display:flex;gap:8px;align-items:baseline}
.facts dt{font-size:12px;color:var(--mute)}
.facts dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums;word-break:break-all}
.privacy{margin:14px 0 0;padding:8px 12px;border-left:4px solid var(--warn);background:var(--warn-bg);font-size:13px;border-radius:4px}
h2{font-size:17px;margin:0 0 10px}
.stats{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0}
.stat{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:130px;flex:1 1 130px}
.stat .k{font-size:12px;color:var(--mute)}
.stat .v{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}
.stat.error .v{color:var(--err)}.stat.warning .v{color:var(--warn)}.stat.info .v{color:var(--info)}
.stat.error{border-top:4px solid var(--err)}.stat.warning{border-top:4px solid var(--warn)}.stat.info{border-top:4px solid var(--info)}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-bottom:18px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;overflow-x:auto}
.card.wide{grid-column:1/-1}
.card .note{margin:6px 0 0;font-size:12.5px;color:var(--mute)}
.card .known{margin:0 0 8px;font-weight:600}
.infos-apart{margin:10px 0 0;padding:8px 10px;background:var(--info-bg);border-radius:6px;font-size:13px}
.infos-apart ul{margin:4px 0 0;padding-left:18px}
.chart .row{display:grid;grid-template-columns:minmax(0,190px) minmax(40px,1fr) auto;gap:10px;align-items:center;margin:5px 0}
.chart.rules .row{grid-template-columns:minmax(0,460px) minmax(60px,1fr) auto}
.chart .lbl{text-align:right;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;font-size:13px}
.chart .val{font-size:13px;font-variant-numeric:tabular-nums;min-width:2.5em}
.chart svg.b{display:block;width:100%;height:18px}
.chart .empty{margin:4px 0;color:var(--mute)}
svg .track{fill:#eef0f3}
svg .bar.error{fill:var(--err)}svg .bar.warning{fill:#e08a00}svg .bar.info{fill:var(--info)}svg .bar.q{fill:var(--q)}
table{border-collapse:collapse;width:100%;background:var(--card)}
th,td{text-align:left;vertical-align:top;padding:6px 10px;border-bottom:1px solid var(--line)}
thead th{background:#eef1f4;font-size:12px;color:var(--mute);font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.files td a{color:inherit}
.filter{position:sticky;top:0;z-index:5;display:flex;flex-wrap:wrap;align-items:center;gap:8px 18px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:18px 0;box-shadow:0 2px 6px rgba(0,0,0,.06)}
.filter strong{font-size:13px}
.filter label{display:inline-flex;align-items:center;gap:5px;cursor:pointer;font-size:13px}
.filter select{font:inherit;padding:3px 6px;border:1px solid #c5ccd3;border-radius:5px;background:#fff;max-width:100%}
.filter .shown{margin-left:auto;font-size:13px;color:var(--mute)}
.filter .shown #f-count{font-weight:700;color:var(--ink);font-variant-numeric:tabular-nums}
section.rules{margin:18px 0}
article.rule{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--err);border-radius:8px;margin:0 0 14px;padding:12px 16px}
article.rule.warning{border-left-color:#e08a00}article.rule.info{border-left-color:var(--info)}
article.rule>header,article.rule>details>summary{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 10px}
article.rule h3{margin:0;font-size:16px}
article.rule .cnt{color:var(--mute);font-size:13px;margin-left:auto}
article.rule .cnt strong{color:var(--ink);font-variant-numeric:tabular-nums}
article.rule>details>summary{cursor:pointer}
.explain{display:grid;grid-template-columns:1fr 1fr;gap:10px 20px;margin:10px 0}
.explain h4{margin:0 0 2px;font-size:12.5px;color:var(--mute)}
.explain p{margin:0 0 6px}
.explain .fix p:first-of-type{font-weight:600}
details.example{margin:0 0 10px;font-size:13px}
details.example summary{cursor:pointer;color:var(--mute)}
details.example pre{background:#f3f4f6;border-radius:4px;padding:6px 8px;overflow-x:auto;margin:6px 0}
details.example p{margin:6px 0}
table.same td.msg{width:42%}
table.same td.refs{line-height:2}
a.rcpt{display:inline-block;max-width:100%;overflow:hidden;text-overflow:ellipsis;vertical-align:bottom;white-space:nowrap;margin:0 6px 0 0;padding:0 8px;border:1px solid var(--line);border-radius:12px;color:var(--ink);text-decoration:none;font-size:12.5px;line-height:1.8;background:#f7f8fa}
a.rcpt:hover{border-color:var(--q)}
a.rcpt .ln{color:var(--mute);margin-left:4px}
.more{color:var(--mute);font-size:12.5px}
details.by-receipt>summary{cursor:pointer;font-size:17px;font-weight:700;margin:18px 0 0}
section.file{margin:14px 0 22px;background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:clip}
section.file>h2{margin:0;padding:12px 16px;font-size:15px;background:#f0f3f6;border-bottom:1px solid var(--line);word-break:break-all}
section.file>h2 .sum{display:block;font-weight:400;font-size:13px;color:var(--mute);margin-top:2px}
section.file>p{margin:0;padding:12px 16px}
.findings{table-layout:fixed}
.c-sev{width:92px}.c-code{width:70px}.c-line{width:64px}.c-field{width:20%}.c-value{width:16%}.c-msg{width:auto}
.findings td{word-break:break-word;overflow-wrap:anywhere}
tbody.grp th.grp{background:#f7f8fa;font-weight:600;font-size:13px;padding:8px 10px;border-top:2px solid var(--line)}
tbody.grp th.grp .tag{display:inline-block;background:#23303d;color:#fff;border-radius:4px;padding:0 7px;margin-right:10px;font-size:12px}
tbody.grp th.grp .kv{margin-right:16px;font-weight:400;color:var(--mute);display:inline-block}
tbody.grp th.grp .kv .v{color:var(--ink);font-weight:600}
tbody.grp:target th.grp{background:#fff7d6}
.sev{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;white-space:nowrap}
.sev.error{background:var(--err-bg);color:var(--err)}.sev.warning{background:var(--warn-bg);color:var(--warn)}.sev.info{background:var(--info-bg);color:var(--info)}
tr.error td:first-child{box-shadow:inset 3px 0 0 var(--err)}tr.warning td:first-child{box-shadow:inset 3px 0 0 #e08a00}tr.info td:first-child{box-shadow:inset 3px 0 0 var(--info)}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Noto Sans Mono CJK JP",monospace;font-size:12.5px}
td.code code{font-weight:700}
td.code a{color:inherit}
td.value code{background:#f3f4f6;border-radius:3px;padding:1px 4px}
.rec{display:inline-block;font-size:11px;color:var(--mute);border:1px solid var(--line);border-radius:3px;padding:0 4px;margin-right:5px}
.fno{color:var(--mute);font-size:12px;white-space:nowrap}
.omitted{color:var(--mute);font-size:13px}
.nomatch{color:var(--mute)}
.bad{color:var(--err);font-weight:600}
.rl-report footer{color:var(--mute);font-size:12px;margin-top:28px}
[hidden]{display:none!important}
@media (max-width:800px){.charts,.explain{grid-template-columns:1fr}.rl-report main{padding:12px}header.top{padding:14px 12px}header.top .in{padding:0}.verdict .says{font-size:19px}article.rule .cnt{margin-left:0;width:100%}}
@media (max-width:640px){
.findings,.findings tbody,.findings tr,.findings td,.findings th.grp{display:block;width:100%}
.findings colgroup,.findings thead{display:none}
.findings tr[data-code]{padding:6px 10px;border-bottom:1px solid var(--line)}
.findings tr[data-code] td{border:0;padding:1px 0;display:inline;box-shadow:none}
.findings tr[data-code] td.msg{display:block;margin-top:2px}
.findings tr[data-code] td.n::before{content:"#"}
.findings tr[data-code] td.field,.findings tr[data-code] td.value{margin-left:8px}
table.same,table.same tbody,table.same tr,table.same td{display:block;width:100%}
table.same thead{display:none}
table.same td{border:0;padding:2px 0}table.same td.msg{width:100%;font-weight:600}
table.same tr{padding:6px 0;border-bottom:1px solid var(--line)}
table.same td.n::before{content:attr(data-k) " "}
table.same td.n{text-align:left;color:var(--mute)}
.filter{position:static}.filter .shown{margin-left:0}
.filter label:first-of-type{display:flex;flex-wrap:wrap;width:100%}.filter select{width:100%}
.chart .row,.chart.rules .row{grid-template-columns:minmax(40px,1fr) auto;gap:2px 8px}
.chart .lbl{grid-column:1/-1;text-align:left;white-space:normal}
.stats{gap:8px}.stat{min-width:0;flex:1 1 28%;padding:6px 10px}.stat .v{font-size:19px}
}
@media print{.filter{display:none}body{background:#fff}details{display:block}}
"##;

/// The report's script: the rule and severity filter, and links that open the details they
/// point into. `recelintReport(root)` sets it up on a report's element; a page that is a
/// report calls it on load (the desk page calls it after it inserts a report).
pub(crate) const SCRIPT: &str = r##"
(function(){
  function init(root){
    var sel=root.querySelector('#f-rule');
    if(!sel){return;}
    var boxes=root.querySelectorAll('input[name=sev]');
    var count=root.querySelector('#f-count');
    function apply(){
      var code=sel.value,on={},shown=0;
      for(var i=0;i<boxes.length;i++){on[boxes[i].value]=boxes[i].checked;}
      // Rule cards follow the rule chosen (the infos have their own, folded section).
      var secs=root.querySelectorAll('section.rules');
      for(var q=0;q<secs.length;q++){
        var cards=secs[q].querySelectorAll('[data-rule]'),any=false;
        for(var c=0;c<cards.length;c++){
          var k=cards[c];
          k.hidden=!(!code||k.getAttribute('data-rule')===code);
          any=any||!k.hidden;
        }
        secs[q].hidden=!any;
      }
      var files=root.querySelectorAll('section.file');
      for(var f=0;f<files.length;f++){
        var groups=files[f].querySelectorAll('tbody.grp'),inFile=0;
        for(var g=0;g<groups.length;g++){
          var rows=groups[g].querySelectorAll('tr[data-code]'),inGroup=0;
          for(var r=0;r<rows.length;r++){
            var row=rows[r];
            var v=(!code||row.getAttribute('data-code')===code)&&on[row.getAttribute('data-severity')];
            row.hidden=!v;
            if(v){inGroup++;}
          }
          groups[g].hidden=inGroup===0;
          inFile+=inGroup;
        }
        var t=files[f].querySelector('table.findings'),m=files[f].querySelector('.nomatch');
        if(t&&m){t.hidden=inFile===0;m.hidden=inFile!==0;}
        shown+=inFile;
      }
      if(count){count.textContent=shown.toLocaleString('en-US');}
    }
    sel.addEventListener('change',apply);
    for(var i=0;i<boxes.length;i++){boxes[i].addEventListener('change',apply);}
    root.addEventListener('click',function(e){
      var a=e.target&&e.target.closest?e.target.closest('a[href^="#"]'):null;
      if(!a){return;}
      var t=document.getElementById(a.getAttribute('href').slice(1));
      for(var d=t&&t.closest('details');d;d=d.parentElement&&d.parentElement.closest('details')){d.open=true;}
      if(t){t.hidden=false;var g=t.closest('[hidden]');while(g){g.hidden=false;g=g.closest('[hidden]');}}
    });
    apply();
  }
  window.recelintReport=init;
  var r=document.querySelector('.rl-report');
  if(r){init(r);}
})();
"##;

impl Html {
    /// A renderer whose check time is now (or `SOURCE_DATE_EPOCH`).
    pub fn new(style: Style) -> Self {
        Self::at(style, check_time())
    }

    /// A renderer for a check that ran at `checked_at` (seconds since the Unix epoch).
    pub fn at(style: Style, checked_at: i64) -> Self {
        Html {
            style,
            checked_at,
            sections: String::new(),
            files: Vec::new(),
            codes: BTreeMap::new(),
            rows: [0; 3],
            rules: BTreeMap::new(),
            error_receipts: 0,
            errors_omitted: false,
        }
    }

    fn l(&self) -> &'static Labels {
        labels(self.style.lang)
    }

    fn group_header(&self, s: &mut String, receipt: Option<u32>, label: Option<&ReceiptLabel>) {
        let l = self.l();
        s.push_str("<tr><th class=\"grp\" colspan=\"6\">");
        match receipt {
            None => {
                let _ = write!(s, "<span class=\"tag\">{}</span>", escape(l.whole_file));
            }
            Some(n) => {
                let _ = write!(s, "<span class=\"tag\">{} {n}</span>", escape(l.receipt));
                if let Some(lb) = label {
                    let dash = |v: &str| {
                        if v.is_empty() {
                            "-".to_string()
                        } else {
                            escape(v)
                        }
                    };
                    let _ = write!(
                        s,
                        "<span class=\"kv\">{} <span class=\"v\">{}</span></span><span class=\"kv\">{} <span class=\"v\">{}</span></span><span class=\"kv\">{} <span class=\"v\">{}</span></span><span class=\"kv\">{}{}{}</span>",
                        escape(l.receipt_no),
                        dash(&lb.number),
                        escape(l.karte),
                        dash(&lb.karte),
                        escape(l.name),
                        dash(&lb.name),
                        l.from_line.0,
                        lb.line,
                        l.from_line.1
                    );
                }
            }
        }
        s.push_str("</th></tr>\n");
    }

    fn row(&self, s: &mut String, d: &Diagnostic) {
        let lang = self.style.lang;
        let l = self.l();
        let sev = sev_class(d.severity);
        let _ = write!(
            s,
            "<tr class=\"{sev}\" data-code=\"{code}\" data-severity=\"{sev}\"><td><span class=\"sev {sev}\">{label}</span></td><td class=\"code\"><a href=\"#rule-{code}\" title=\"{title}\"><code>{code}</code></a></td><td class=\"n\">{line}</td><td class=\"field\">",
            code = escape(d.rule.code),
            title = escape(d.rule.title(lang)),
            label = escape(d.severity.label(lang)),
            line = d.line.map_or_else(|| "-".to_string(), |n| n.to_string()),
        );
        if let Some(r) = &d.record {
            let _ = write!(s, "<span class=\"rec mono\">{}</span>", escape(&clip(r, 8)));
        }
        match (d.field_label(lang), d.field) {
            (Some(name), Some(f)) => {
                let _ = write!(
                    s,
                    "{} <span class=\"fno\">({}{f}{})</span>",
                    escape(name),
                    l.field_no.0,
                    l.field_no.1
                );
            }
            (Some(name), None) => s.push_str(&escape(name)),
            (None, Some(f)) => {
                let _ = write!(
                    s,
                    "<span class=\"fno\">{}{f}{}</span>",
                    l.field_no.0, l.field_no.1
                );
            }
            (None, None) => {}
        }
        s.push_str("</td><td class=\"value\">");
        if let Some(v) = &d.value {
            let _ = write!(s, "<code>{}</code>", escape(&clip(v, 200)));
        }
        let _ = writeln!(
            s,
            "</td><td class=\"msg\">{}</td></tr>",
            escape(&d.message(lang))
        );
    }

    /// The section of the `id`-th file (1-based).
    fn section(&self, id: usize, r: &FileReport) -> String {
        let l = self.l();
        let mut s = String::new();
        let (e, w, i) = (
            r.count(Severity::Error),
            r.count(Severity::Warning),
            r.count(Severity::Info),
        );
        let _ = write!(
            s,
            "<section class=\"file\" id=\"file-{id}\"><h2>{}",
            escape(&r.path)
        );
        if r.unreadable.is_none() {
            let ja = self.style.lang.is_ja();
            let ed = r
                .editions
                .first()
                .map(|e| match ja {
                    true => format!("（{} {} 項目の版）", e.record, e.fields),
                    false => format!(" ({} of {} fields)", e.record, e.fields),
                })
                .unwrap_or_default();
            let kind = r
                .kind
                .map(|k| escape(&format!("{}{ed} · ", k.label(ja))))
                .unwrap_or_default();
            let _ = write!(
                s,
                "<span class=\"sum\">{kind}{} {}{cu} · {} {}{cu} — {} {} · {} {} · {} {}</span>",
                l.receipts,
                num(r.receipts as u64),
                l.records,
                num(r.records as u64),
                l.errors,
                num(e as u64),
                l.warnings,
                num(w as u64),
                l.infos,
                num(i as u64),
                cu = l.count_unit,
            );
        }
        s.push_str("</h2>\n");
        if let Some(err) = &r.unreadable {
            let _ = writeln!(
                s,
                "<p class=\"bad\">{}: {}</p></section>",
                escape(l.cannot_read),
                escape(err)
            );
            return s;
        }
        if r.diagnostics.is_empty() {
            let _ = writeln!(s, "<p>{}</p>", escape(l.no_findings));
        } else {
            // Whole-file findings first, then each receipt in order.
            let mut groups: BTreeMap<Option<u32>, Vec<&Diagnostic>> = BTreeMap::new();
            for d in &r.diagnostics {
                groups.entry(d.receipt).or_default().push(d);
            }
            let _ = write!(
                s,
                "<table class=\"findings\"><colgroup><col class=\"c-sev\"><col class=\"c-code\"><col class=\"c-line\"><col class=\"c-field\"><col class=\"c-value\"><col class=\"c-msg\"></colgroup>\n<thead><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n",
                l.col_severity, l.col_code, l.col_line, l.col_field, l.col_value, l.col_message
            );
            for (receipt, ds) in groups {
                match receipt {
                    Some(n) => {
                        let _ = writeln!(s, "<tbody class=\"grp\" id=\"r-{id}-{n}\">");
                    }
                    None => {
                        let _ = writeln!(s, "<tbody class=\"grp\" id=\"r-{id}-file\">");
                    }
                }
                self.group_header(&mut s, receipt, receipt.and_then(|n| r.labels.get(&n)));
                for d in ds {
                    self.row(&mut s, d);
                }
                s.push_str("</tbody>\n");
            }
            s.push_str("</table>\n");
            let _ = writeln!(
                s,
                "<p class=\"nomatch\" hidden>{}</p>",
                escape(l.none_match)
            );
        }
        let omitted = r.omitted_total();
        if omitted > 0 {
            let _ = writeln!(
                s,
                "<p class=\"omitted\">{}{}{}</p>",
                l.omitted.0,
                num(omitted as u64),
                l.omitted.1
            );
        }
        s.push_str("</section>\n");
        s
    }

    /// Adds file `file`'s findings (1-based) to the rule groups.
    fn gather(&mut self, file: usize, r: &FileReport) {
        let lang = self.style.lang;
        let mut with_error: BTreeSet<u32> = BTreeSet::new();
        for d in &r.diagnostics {
            if d.severity == Severity::Error {
                if let Some(n) = d.receipt {
                    with_error.insert(n);
                }
            }
            let agg = self
                .rules
                .entry((std::cmp::Reverse(d.severity), d.rule.code))
                .or_insert_with(|| RuleAgg {
                    rule: d.rule,
                    severity: d.severity,
                    count: 0,
                    receipts: BTreeSet::new(),
                    messages: Vec::new(),
                    by_text: HashMap::new(),
                });
            agg.count += 1;
            if let Some(n) = d.receipt {
                agg.receipts.insert((file, n));
            }
            let text = d.message(lang);
            let at = match agg.by_text.get(&text) {
                Some(&i) => i,
                None => {
                    agg.messages.push(Same {
                        text: text.clone(),
                        count: 0,
                        refs: Vec::new(),
                    });
                    agg.by_text.insert(text, agg.messages.len() - 1);
                    agg.messages.len() - 1
                }
            };
            let same = &mut agg.messages[at];
            same.count += 1;
            if same.refs.len() < MAX_REFS {
                let label = d.receipt.and_then(|n| r.labels.get(&n));
                same.refs.push(Ref {
                    file,
                    receipt: d.receipt,
                    number: label.map(|l| l.number.clone()).unwrap_or_default(),
                    name: label.map(|l| l.name.clone()).unwrap_or_default(),
                    line: d.line,
                });
            }
        }
        // Findings left out by --max-diagnostics still count for their rule.
        for (code, n) in &r.omitted_rules {
            let Some(rule) = crate::rules::find(code) else {
                continue;
            };
            let key = self
                .rules
                .keys()
                .find(|(_, c)| *c == rule.code)
                .copied()
                .unwrap_or((std::cmp::Reverse(rule.severity), rule.code));
            let agg = self.rules.entry(key).or_insert_with(|| RuleAgg {
                rule,
                severity: rule.severity,
                count: 0,
                receipts: BTreeSet::new(),
                messages: Vec::new(),
                by_text: HashMap::new(),
            });
            agg.count += n;
        }
        self.error_receipts += with_error.len();
        self.errors_omitted |= r.omitted[Severity::Error as usize] > 0;
    }

    /// The verdict: one sentence first, then what follows from it, and the facts of the
    /// claim (facility, month, when checked, receipts with errors).
    fn verdict(&self, s: &mut String, t: &Totals) {
        let l = self.l();
        let ja = self.style.lang.is_ja();
        let (class, says) = if t.files == 0 && t.unreadable > 0 {
            ("unread", l.nothing_checked.to_string())
        } else if t.errors > 0 {
            (
                "error",
                if ja {
                    format!(
                        "{} 件のエラー: このままでは返戻・受付不能の可能性があります",
                        num(t.errors as u64)
                    )
                } else {
                    format!(
                        "{} error{}: as it is, the claim may be returned or refused",
                        num(t.errors as u64),
                        if t.errors == 1 { "" } else { "s" }
                    )
                },
            )
        } else if t.warnings > 0 {
            (
                "warning",
                if ja {
                    "エラーはありません".to_string()
                } else {
                    "No errors".to_string()
                },
            )
        } else {
            (
                "ok",
                if ja {
                    "エラーはありません".to_string()
                } else {
                    "No errors".to_string()
                },
            )
        };
        let _ = write!(
            s,
            "<section class=\"verdict {class}\" id=\"verdict\" data-errors=\"{}\" data-warnings=\"{}\"><p class=\"says\">{}</p>",
            t.errors,
            t.warnings,
            escape(&says)
        );
        // Warnings and infos, counted apart from the errors.
        let mut also: Vec<String> = Vec::new();
        if t.warnings > 0 {
            also.push(if ja {
                format!("警告 {} 件（確認してください）", num(t.warnings as u64))
            } else {
                format!("{} warning(s) to look at", num(t.warnings as u64))
            });
        } else if t.files > 0 {
            also.push(if ja {
                "警告もありません".to_string()
            } else {
                "No warnings either".to_string()
            });
        }
        if t.infos > 0 {
            also.push(if ja {
                format!("情報 {} 件（対応は不要です）", num(t.infos as u64))
            } else {
                format!("{} info(s), nothing to do", num(t.infos as u64))
            });
        }
        if !also.is_empty() {
            let _ = write!(
                s,
                "<p class=\"also\">{}</p>",
                escape(&also.join(if ja { "・" } else { "; " }))
            );
        }
        let next = match class {
            "error" => l.error_next,
            "warning" => l.warning_next,
            "ok" => l.ok_next,
            _ => l.unreadable_next,
        };
        let _ = write!(s, "<p class=\"next\">{}</p>", escape(next));
        if t.unreadable > 0 && t.files > 0 {
            let _ = write!(
                s,
                "<p class=\"next bad\">{}: {} — {}</p>",
                escape(l.unreadable_files),
                num(t.unreadable as u64),
                escape(l.unreadable_next)
            );
        }
        // The facts: one facility and month when every file agrees, else "several".
        s.push_str("<dl class=\"facts\">");
        let read: Vec<&FileRow> = self.files.iter().filter(|f| !f.unreadable).collect();
        let one = |get: fn(&FileRow) -> &str| -> Option<String> {
            let mut vals: Vec<&str> = read.iter().map(|f| get(f)).collect();
            vals.sort_unstable();
            vals.dedup();
            match vals.as_slice() {
                [] => None,
                [""] => None,
                [v] => Some(v.to_string()),
                more => Some(format!("{}（{}）", l.several, more.len())),
            }
        };
        let fact = |s: &mut String, k: &str, v: &str, id: &str| {
            let _ = write!(
                s,
                "<div><dt>{}</dt><dd id=\"{id}\">{}</dd></div>",
                escape(k),
                escape(v)
            );
        };
        if let Some(v) = one(|f| &f.facility) {
            fact(s, l.facility, &v, "v-facility");
        }
        if let Some(v) = one(|f| &f.facility_name) {
            fact(s, l.facility_name, &v, "v-facility-name");
        }
        if let Some(v) = one(|f| &f.claim_ym) {
            let shown = if v.contains(l.several) {
                v
            } else {
                claim_month(&v, self.style.lang)
            };
            fact(s, l.claim_ym, &shown, "v-claim-ym");
        }
        let (shown, utc) = jst(self.checked_at);
        let _ = write!(
            s,
            "<div><dt>{}</dt><dd><time datetime=\"{utc}\">{} JST</time></dd></div>",
            escape(l.checked_at),
            escape(&shown)
        );
        if t.files > 0 {
            let at_least = if self.errors_omitted {
                if ja {
                    "少なくとも "
                } else {
                    "at least "
                }
            } else {
                ""
            };
            let _ = write!(
                s,
                "<div><dt>{}</dt><dd id=\"v-error-receipts\">{at_least}{} / {}{}</dd></div>",
                escape(l.error_receipts),
                num(self.error_receipts as u64),
                num(t.receipts),
                l.count_unit
            );
        }
        s.push_str("</dl></section>\n");
    }

    fn stat(s: &mut String, class: &str, k: &str, v: u64) {
        let _ = write!(
            s,
            "<div class=\"stat {class}\"><div class=\"k\">{}</div><div class=\"v\">{}</div></div>",
            escape(k),
            num(v)
        );
    }

    fn charts(&self, s: &mut String, t: &Totals) {
        let l = self.l();
        let lang = self.style.lang;
        let ja = lang.is_ja();
        let sev: Vec<Bar> = [
            (Severity::Error, l.errors, t.errors),
            (Severity::Warning, l.warnings, t.warnings),
        ]
        .into_iter()
        .map(|(sv, label, n)| Bar {
            label: label.to_string(),
            value: n as u64,
            class: sev_class(sv),
            tip: format!("{label}: {}", num(n as u64)),
        })
        .collect();
        let sev = if t.errors + t.warnings == 0 {
            Vec::new()
        } else {
            sev
        };
        let ranked = |want: &dyn Fn(Severity) -> bool| -> Vec<&RuleAgg> {
            let mut v: Vec<&RuleAgg> = self.rules.values().filter(|a| want(a.severity)).collect();
            v.sort_by(|a, b| {
                b.count
                    .cmp(&a.count)
                    .then(b.severity.cmp(&a.severity))
                    .then(a.rule.code.cmp(b.rule.code))
            });
            v
        };
        let rules: Vec<Bar> = ranked(&|s| s != Severity::Info)
            .into_iter()
            .take(10)
            .map(|a| {
                let title = a.rule.title(lang);
                Bar {
                    label: format!("{}  {title}", a.rule.code),
                    value: a.count as u64,
                    class: sev_class(a.severity),
                    tip: format!("{} {title}: {}", a.rule.code, num(a.count as u64)),
                }
            })
            .collect();
        let infos = ranked(&|s| s == Severity::Info);
        // What is known of the qualifications: only receipts compared with evidence are
        // called current or past; the others are said to be unchecked.
        let q = &t.qualification;
        let k = q.known();
        let (checked, unchecked, checked_current) = (k.checked, k.unchecked, k.checked_current);
        let known = if k.nothing() {
            if ja {
                format!(
                    "資格の証拠なし: {} 件は照合していません（--qualifications で資格確認の記録を渡すと照合します）",
                    num(unchecked)
                )
            } else {
                format!(
                    "No qualification evidence: {} receipt(s) were not checked (give the confirmed qualifications with --qualifications)",
                    num(unchecked)
                )
            }
        } else if ja {
            format!(
                "資格確認の記録・過去の請求と照合: {} 件（現在の資格 {}・過去の資格 {}）、照合する記録がなかった: {} 件",
                num(checked),
                num(checked_current),
                num(q.past),
                num(unchecked)
            )
        } else {
            format!(
                "Checked against the evidence: {} (current {}, past {}); no evidence found: {}",
                num(checked),
                num(checked_current),
                num(q.past),
                num(unchecked)
            )
        };
        let mut qual: Vec<(&str, u64)> = Vec::new();
        if !k.nothing() {
            qual.push((l.q_current, checked_current));
            qual.push((l.q_past, q.past));
        }
        qual.push((l.q_unchecked, unchecked));
        qual.push((l.q_unknown, q.unknown_fill));
        qual.push((l.q_disaster, q.disaster_fill));
        qual.push((l.q_circle, q.black_circle_names));
        let qual: Vec<Bar> = qual
            .into_iter()
            .map(|(label, n)| Bar {
                label: label.to_string(),
                value: n,
                class: "q",
                tip: format!("{label}: {}", num(n)),
            })
            .collect();
        s.push_str("<section class=\"charts\">\n");
        let _ = write!(
            s,
            "<div class=\"card\"><h2>{}</h2>{}",
            escape(l.by_severity),
            bar_chart("severity", l.by_severity, &sev, l.no_findings_chart)
        );
        if !infos.is_empty() {
            let _ = write!(
                s,
                "<div class=\"infos-apart\"><strong>{} {}{}</strong> — {}<ul>",
                escape(l.infos),
                num(t.infos as u64),
                l.count_unit,
                escape(l.infos_apart)
            );
            for a in infos.iter().take(6) {
                let _ = write!(
                    s,
                    "<li><a href=\"#rule-{c}\"><code>{c}</code></a> {} — {}{}</li>",
                    escape(a.rule.title(lang)),
                    num(a.count as u64),
                    l.count_unit,
                    c = escape(a.rule.code)
                );
            }
            s.push_str("</ul></div>");
        }
        s.push_str("</div>\n");
        let _ = writeln!(
            s,
            "<div class=\"card\" id=\"qualification\"><h2>{}</h2><p class=\"known\">{}</p>{}<p class=\"note\">{}</p></div>",
            escape(l.qualification),
            escape(&known),
            bar_chart("qual", l.qualification, &qual, l.no_findings_chart),
            escape(l.q_note)
        );
        let _ = writeln!(
            s,
            "<div class=\"card wide\"><h2>{}</h2>{}</div>",
            escape(l.by_rule),
            bar_chart("rules", l.by_rule, &rules, l.no_findings_chart)
        );
        s.push_str("</section>\n");
    }

    /// One rule's card: why, how to fix, the example, and its identical findings together.
    fn rule_card(&self, s: &mut String, a: &RuleAgg, multi: bool) {
        let l = self.l();
        let lang = self.style.lang;
        let sev = sev_class(a.severity);
        let md = a.rule.explain(lang);
        let why = section(md, &["なぜ問題か", "Why it matters"]);
        let example = section(md, &["例", "Example"]);
        let fix = fix_text(md, lang);
        let _ = write!(
            s,
            "<article class=\"rule {sev}\" id=\"rule-{code}\" data-rule=\"{code}\" data-level=\"{sev}\">",
            code = escape(a.rule.code)
        );
        let head = format!(
            "<span class=\"sev {sev}\">{}</span><code>{}</code><h3>{}</h3><span class=\"cnt\"><strong>{}</strong>{}{}</span>",
            escape(a.severity.label(lang)),
            escape(a.rule.code),
            escape(a.rule.title(lang)),
            num(a.count as u64),
            l.count_unit,
            if a.receipts.is_empty() {
                String::new()
            } else if lang.is_ja() {
                format!(" · レセプト {} 件", num(a.receipts.len() as u64))
            } else {
                format!(" · {} receipt(s)", num(a.receipts.len() as u64))
            }
        );
        let info = a.severity == Severity::Info;
        if info {
            let _ = write!(s, "<details><summary>{head}</summary>");
        } else {
            let _ = write!(s, "<header>{head}</header>");
        }
        s.push_str("<div class=\"explain\">");
        if !why.is_empty() {
            let _ = write!(
                s,
                "<div class=\"why\"><h4>{}</h4>{}</div>",
                escape(l.why),
                markdown(why)
            );
        }
        let fix_html = match &fix {
            Some(f) => markdown(f),
            None if example.contains("修正後") || example.contains("Fixed") => {
                format!("<p>{}</p>", escape(l.fix_example))
            }
            None => format!("<p>{}</p>", escape(l.fix_generic)),
        };
        let generic = if info || a.severity == Severity::Warning {
            String::new()
        } else {
            format!("<p>{}</p>", escape(l.fix_generic))
        };
        let _ = write!(
            s,
            "<div class=\"fix\"><h4>{}</h4>{fix_html}{}</div></div>",
            escape(l.fix),
            if fix.is_some() {
                generic
            } else {
                String::new()
            }
        );
        if !example.is_empty() {
            let _ = write!(
                s,
                "<details class=\"example\"><summary>{}</summary>{}</details>",
                escape(l.example),
                markdown(example)
            );
        }
        let _ = write!(
            s,
            "<table class=\"same\"><thead><tr><th>{}</th><th class=\"n\">{}</th><th>{}</th></tr></thead><tbody>",
            escape(l.col_message),
            escape(l.col_count),
            escape(l.col_where)
        );
        let mut msgs: Vec<&Same> = a.messages.iter().collect();
        // Most frequent first; ties in order of appearance (the sort is stable).
        msgs.sort_by_key(|m| std::cmp::Reverse(m.count));
        for m in msgs {
            let _ = write!(
                s,
                "<tr><td class=\"msg\">{}</td><td class=\"n\" data-k=\"{}\">{}</td><td class=\"refs\">",
                escape(&m.text),
                escape(l.col_count),
                num(m.count as u64)
            );
            for r in &m.refs {
                let file = if multi {
                    format!(
                        "{}: ",
                        self.files.get(r.file - 1).map_or("", |f| short(&f.path))
                    )
                } else {
                    String::new()
                };
                let (href, what) = match r.receipt {
                    Some(n) => {
                        let who = match (r.number.is_empty(), r.name.is_empty()) {
                            (false, false) => format!("No.{} {}", r.number, r.name),
                            (false, true) => format!("No.{}", r.number),
                            _ => format!("{} {n}", l.receipt),
                        };
                        (format!("r-{}-{n}", r.file), who)
                    }
                    None => (format!("r-{}-file", r.file), l.whole_file.to_string()),
                };
                let line = r
                    .line
                    .map(|n| format!("{}{n}{}", l.line_no.0, l.line_no.1))
                    .unwrap_or_default();
                let _ = write!(
                    s,
                    "<a class=\"rcpt\" href=\"#{href}\">{}{}<span class=\"ln\">{}</span></a>",
                    escape(&file),
                    escape(&what),
                    escape(&line)
                );
            }
            if m.count > m.refs.len() {
                let _ = write!(
                    s,
                    "<span class=\"more\">{}{}{}</span>",
                    l.more_refs.0,
                    num((m.count - m.refs.len()) as u64),
                    l.more_refs.1
                );
            }
            s.push_str("</td></tr>");
        }
        s.push_str("</tbody></table>");
        if info {
            s.push_str("</details>");
        }
        s.push_str("</article>\n");
    }

    fn rule_cards(&self, s: &mut String) {
        let l = self.l();
        let multi = self.files.len() > 1;
        // Most severe first; within a severity, the rule with the most findings first.
        let mut all: Vec<&RuleAgg> = self.rules.values().filter(|a| a.count > 0).collect();
        all.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(b.count.cmp(&a.count))
                .then(a.rule.code.cmp(b.rule.code))
        });
        let (act, infos): (Vec<&RuleAgg>, Vec<&RuleAgg>) =
            all.into_iter().partition(|a| a.severity != Severity::Info);
        if !act.is_empty() {
            let _ = write!(
                s,
                "<section class=\"rules\" id=\"rules\"><h2>{}</h2>",
                escape(l.rules_heading)
            );
            for a in act {
                self.rule_card(s, a, multi);
            }
            s.push_str("</section>\n");
        }
        if !infos.is_empty() {
            let _ = write!(
                s,
                "<section class=\"rules infos\" id=\"infos\"><h2>{}</h2>",
                escape(l.infos_heading)
            );
            for a in infos {
                self.rule_card(s, a, multi);
            }
            s.push_str("</section>\n");
        }
    }

    fn file_list(&self, s: &mut String) {
        let l = self.l();
        let _ = writeln!(
            s,
            "<section class=\"card files\"><h2>{}</h2><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
            escape(l.file_list),
            l.file_col,
            l.facility,
            l.facility_name,
            l.claim_ym,
            l.receipts,
            l.errors,
            l.warnings,
            l.infos
        );
        for (i, f) in self.files.iter().enumerate() {
            if f.unreadable {
                let _ = writeln!(
                    s,
                    "<tr><td><a href=\"#file-{}\">{}</a></td><td class=\"bad\" colspan=\"7\">{}</td></tr>",
                    i + 1,
                    escape(&f.path),
                    escape(l.cannot_read)
                );
            } else {
                let _ = writeln!(
                    s,
                    "<tr><td><a href=\"#file-{}\">{}</a></td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    i + 1,
                    escape(&f.path),
                    escape(&f.facility),
                    escape(&f.facility_name),
                    escape(&claim_month(&f.claim_ym, self.style.lang)),
                    num(f.receipts as u64),
                    num(f.errors as u64),
                    num(f.warnings as u64),
                    num(f.infos as u64)
                );
            }
        }
        s.push_str("</tbody></table></section>\n");
    }

    fn filter(&self, s: &mut String) {
        let l = self.l();
        let lang = self.style.lang;
        let _ = write!(
            s,
            "<nav class=\"filter\" aria-label=\"{f}\"><strong>{f}</strong><label>{}: <select id=\"f-rule\"><option value=\"\">{}</option>",
            escape(l.col_code),
            escape(l.all_rules),
            f = escape(l.filter),
        );
        for (code, n) in &self.codes {
            let title = crate::rules::find(code).map_or("", |r| r.title(lang));
            let _ = write!(
                s,
                "<option value=\"{c}\">{c} {} ({})</option>",
                escape(&clip(title, 40)),
                num(*n as u64),
                c = escape(code)
            );
        }
        s.push_str("</select></label>");
        let _ = write!(s, "<span>{}:</span>", escape(l.severity));
        for sv in [Severity::Error, Severity::Warning, Severity::Info] {
            let checked = sv != Severity::Info || self.style.verbose;
            let _ = write!(
                s,
                "<label><input type=\"checkbox\" name=\"sev\" value=\"{v}\"{}><span class=\"sev {v}\">{}</span> {}</label>",
                if checked { " checked" } else { "" },
                escape(sv.label(lang)),
                num(self.rows[sv as usize] as u64),
                v = sev_class(sv),
            );
        }
        let _ = writeln!(
            s,
            "<span class=\"shown\">{}: <span id=\"f-count\">{}</span></span></nav>",
            escape(l.shown),
            num(self.rows.iter().sum::<usize>() as u64)
        );
    }

    /// The report itself, without the document around it: the element the desk page shows
    /// and `--format html` wraps. Call after every file was put.
    pub(crate) fn body(&self, t: &Totals) -> String {
        let l = self.l();
        let mut s = String::with_capacity(self.sections.len() + (32 << 10));
        let paths: Vec<&str> = self.files.iter().map(|f| f.path.as_str()).collect();
        let shown_paths = if paths.len() <= 5 {
            paths.join(" · ")
        } else {
            format!(
                "{} · … ({})",
                paths[..4].join(" · "),
                num(paths.len() as u64)
            )
        };
        let _ = writeln!(
            s,
            "<div class=\"rl-report\" lang=\"{}\">\n<header class=\"top\"><div class=\"in\"><h1>{}</h1><p class=\"meta\">{}</p><p class=\"meta\">{} {}</p></div></header>\n<main>",
            l.lang,
            escape(l.title),
            escape(&shown_paths),
            l.version,
            env!("CARGO_PKG_VERSION")
        );
        self.verdict(&mut s, t);
        let _ = writeln!(s, "<p class=\"privacy\">{}</p>", escape(l.privacy));
        s.push_str("<section class=\"stats\">");
        Self::stat(&mut s, "", l.files, t.files as u64);
        Self::stat(&mut s, "", l.receipts, t.receipts);
        Self::stat(&mut s, "error", l.errors, t.errors as u64);
        Self::stat(&mut s, "warning", l.warnings, t.warnings as u64);
        Self::stat(&mut s, "info", l.infos, t.infos as u64);
        if t.unreadable > 0 {
            Self::stat(&mut s, "error", l.unreadable_files, t.unreadable as u64);
        }
        if t.omitted > 0 {
            Self::stat(&mut s, "", l.omitted_total, t.omitted as u64);
        }
        s.push_str("</section>\n");
        self.filter(&mut s);
        self.rule_cards(&mut s);
        self.charts(&mut s, t);
        if self.files.len() > 1 {
            self.file_list(&mut s);
        }
        // Every receipt's findings; open at first when they are few.
        let rows: usize = self.rows.iter().sum();
        let _ = writeln!(
            s,
            "<details class=\"by-receipt\" id=\"by-receipt\"{}><summary>{} ({})</summary>",
            if rows <= 200 { " open" } else { "" },
            escape(l.by_receipt),
            num(rows as u64)
        );
        s.push_str(&self.sections);
        s.push_str("</details>\n");
        let _ = writeln!(
            s,
            "<footer>{} {}</footer>\n</main>\n</div>",
            l.version,
            env!("CARGO_PKG_VERSION")
        );
        s
    }

    /// The whole document around [`Html::body`], CSS and script inline.
    pub(crate) fn document(&self, t: &Totals) -> String {
        let l = self.l();
        let body = self.body(t);
        let mut s = String::with_capacity(body.len() + CSS.len() + SCRIPT.len() + 512);
        let title = match self.files.as_slice() {
            [one] => format!("{} — {}", l.title, one.path),
            _ => l.title.to_string(),
        };
        let _ = write!(
            s,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"recelint {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
            l.lang,
            env!("CARGO_PKG_VERSION"),
            escape(&title)
        );
        s.push_str(&body);
        let _ = write!(s, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
        s
    }
}

/// The last component of a path, for naming a file in a receipt's link.
fn short(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

impl Renderer for Html {
    fn part(&self, index: usize, r: &FileReport) -> io::Result<Part> {
        Ok(Part {
            bytes: self.section(index + 1, r).into_bytes().into(),
            items: None,
        })
    }

    fn put(&mut self, _out: &mut dyn Write, r: &FileReport, part: Part) -> io::Result<()> {
        self.files.push(FileRow {
            path: r.path.clone(),
            receipts: r.receipts,
            errors: r.count(Severity::Error),
            warnings: r.count(Severity::Warning),
            infos: r.count(Severity::Info),
            unreadable: r.unreadable.is_some(),
            facility: r.facility.clone(),
            facility_name: r.facility_name.clone(),
            claim_ym: r.claim_ym.clone(),
        });
        if r.unreadable.is_none() {
            for d in &r.diagnostics {
                *self.codes.entry(d.rule.code).or_default() += 1;
                self.rows[d.severity as usize] += 1;
            }
            let id = self.files.len();
            self.gather(id, r);
        }
        self.sections
            .push_str(std::str::from_utf8(&part.bytes.into_vec()).unwrap_or_default());
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, t: &Totals) -> io::Result<()> {
        out.write_all(self.document(t).as_bytes())
    }
}

/// Renders `reports` (in order) as the report's body or whole document, for a check that
/// ran at `checked_at`: the desk page's two views of one check.
pub(crate) fn render(
    reports: &[FileReport],
    style: Style,
    checked_at: i64,
    whole_document: bool,
) -> String {
    let mut h = Html::at(style, checked_at);
    let mut totals = Totals::default();
    let mut sink = io::sink();
    for (i, r) in reports.iter().enumerate() {
        totals.add(r);
        let part = Part {
            bytes: h.section(i + 1, r).into_bytes().into(),
            items: None,
        };
        // Writing to memory (and a sink) cannot fail.
        let _ = h.put(&mut sink, r, part);
    }
    if whole_document {
        h.document(&totals)
    } else {
        h.body(&totals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            escape("<b>&\"x\"'y'\u{0}\u{1b}"),
            "&lt;b&gt;&amp;&quot;x&quot;&#39;y&#39;\u{2400}\u{241b}"
        );
        assert_eq!(escape("山田　太郎"), "山田　太郎");
    }

    #[test]
    fn times_are_shown_in_japan_time() {
        assert_eq!(
            jst(0),
            (
                "1970-01-01 09:00".to_string(),
                "1970-01-01T00:00:00Z".to_string()
            )
        );
        // 2026-12-03 15:40:05 UTC is 2026-12-04 00:40 in Japan.
        assert_eq!(jst(1_796_312_405).0, "2026-12-04 00:40");
        assert_eq!(jst(1_796_312_405).1, "2026-12-03T15:40:05Z");
        assert_eq!(civil(-1), (1969, 12, 31));
        assert_eq!(civil(11_016), (2000, 2, 29));
    }

    #[test]
    fn claim_months_read_as_dates() {
        assert_eq!(claim_month("202611", Lang::Ja), "2026年11月");
        assert_eq!(claim_month("202611", Lang::En), "2026-11");
        assert_eq!(claim_month("50811", Lang::Ja), "令和8年11月");
        assert_eq!(claim_month("50811", Lang::En), "2026-11 (令和8)");
        assert_eq!(claim_month("abc", Lang::Ja), "abc");
        assert_eq!(claim_month("", Lang::Ja), "");
    }

    #[test]
    fn every_explanation_gives_why_and_a_way_to_fix() {
        for r in crate::rules::all() {
            for lang in [Lang::Ja, Lang::En] {
                let md = r.explain(lang);
                assert!(
                    !section(md, &["なぜ問題か", "Why it matters"]).is_empty(),
                    "{} has no why ({lang:?})",
                    r.code
                );
                assert!(
                    !section(md, &["例", "Example"]).is_empty(),
                    "{} has no example ({lang:?})",
                    r.code
                );
            }
        }
        let s007 = crate::rules::find("S007").unwrap();
        assert_eq!(
            fix_text(s007.explain(Lang::Ja), Lang::Ja).as_deref(),
            Some("傷病名を記録します")
        );
        assert_eq!(
            fix_text(s007.explain(Lang::En), Lang::En).as_deref(),
            Some("record the diagnosis")
        );
        let f010 = crate::rules::find("F010").unwrap();
        assert!(fix_text(f010.explain(Lang::Ja), Lang::Ja)
            .unwrap()
            .starts_with("ファイルを直す必要はありません"));
    }

    #[test]
    fn markdown_is_escaped_and_structured() {
        let h = markdown("a `<b>` c\n\n```\nRE,<x>\n```\n- one\n- two\n");
        assert_eq!(
            h,
            "<p>a <code>&lt;b&gt;</code> c</p><pre><code>RE,&lt;x&gt;</code></pre><ul><li>one</li><li>two</li></ul>"
        );
    }
}
