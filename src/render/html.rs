//! `--format html`: one self-contained HTML5 report (inline CSS, inline SVG charts, a small
//! inline script for filtering; nothing is fetched from anywhere). Every severity is included;
//! infos are hidden by the filter unless `-v`. The charts need the totals, so the per-file
//! sections are kept in memory and the whole document is written by `finish`. The output is a
//! pure function of the reports (no date, no clock).

use super::{Part, Renderer, Style, Totals};
use crate::report::FileReport;
use crate::report::{Diagnostic, Lang, ReceiptLabel, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

pub struct Html {
    style: Style,
    /// The rendered per-file sections, in input order.
    sections: String,
    /// (path, receipts, errors, warnings, infos, unreadable, section id) for the file list.
    files: Vec<FileRow>,
    /// Rows written per rule code (for the rule filter).
    codes: BTreeMap<&'static str, usize>,
    /// Rows written per severity (info, warning, error).
    rows: [usize; 3],
}

struct FileRow {
    path: String,
    receipts: u32,
    errors: usize,
    warnings: usize,
    infos: usize,
    unreadable: bool,
}

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
    col_explain: &'static str,
    whole_file: &'static str,
    receipt: &'static str,
    receipt_no: &'static str,
    karte: &'static str,
    name: &'static str,
    from_line: (&'static str, &'static str),
    field_no: (&'static str, &'static str),
    no_findings: &'static str,
    none_match: &'static str,
    cannot_read: &'static str,
    omitted: (&'static str, &'static str),
    privacy: &'static str,
    count_unit: &'static str,
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
    by_severity: "重大度別の指摘件数",
    by_rule: "規則別の指摘件数（上位 10）",
    qualification: "資格の内訳（レセプト数）",
    q_current: "現在の資格",
    q_past: "過去の資格",
    q_unknown: "不詳",
    q_disaster: "災害",
    q_circle: "「●」氏名",
    q_note: "「●」氏名は他の区分と重なります。",
    no_findings_chart: "指摘はありません",
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
    col_explain: "規則の説明",
    whole_file: "ファイル全体",
    receipt: "レセプト",
    receipt_no: "レセプト番号",
    karte: "カルテ番号",
    name: "氏名",
    from_line: ("", " 行目〜"),
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
    by_severity: "Findings by severity",
    by_rule: "Findings by rule (top 10)",
    qualification: "Qualification breakdown (receipts)",
    q_current: "Current",
    q_past: "Past",
    q_unknown: "Unknown fill",
    q_disaster: "Disaster fill",
    q_circle: "● names",
    q_note: "● names overlap the other groups.",
    no_findings_chart: "No findings",
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
    col_explain: "Rule",
    whole_file: "Whole file",
    receipt: "Receipt",
    receipt_no: "Number",
    karte: "Chart",
    name: "Name",
    from_line: ("from line ", ""),
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

/// `1234567` → `1,234,567`.
fn num(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

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

/// Approximate width of `s` in px at `size` px: full-width characters are 1 em, others about
/// 0.6 em. Used only to size chart label columns.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| {
            if (c as u32) < 0x2000 || ('\u{ff61}'..='\u{ff9f}').contains(&c) {
                0.6
            } else {
                1.0
            }
        })
        .sum::<f64>()
        * size
}

/// Cuts `s` (adding `…`) so it fits in `px` at `size` px.
fn fit(s: &str, px: f64, size: f64) -> String {
    if text_width(s, size) <= px {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        let mut t = out.clone();
        t.push(c);
        t.push('…');
        if text_width(&t, size) > px {
            break;
        }
        out.push(c);
    }
    out.push('…');
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

/// A horizontal bar chart as inline SVG.
fn bar_chart(aria: &str, bars: &[Bar], width: u32, max_label: f64, empty: &str) -> String {
    const ROW: u32 = 30;
    const BAR: u32 = 20;
    const FONT: f64 = 13.0;
    const PAD: u32 = 8;
    let mut s = String::new();
    if bars.is_empty() {
        let _ = write!(
            s,
            "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" width=\"{width}\" height=\"40\" viewBox=\"0 0 {width} 40\"><text class=\"empty\" x=\"{PAD}\" y=\"25\">{}</text></svg>",
            escape(aria),
            escape(empty)
        );
        return s;
    }
    let label_w = bars
        .iter()
        .map(|b| text_width(&b.label, FONT))
        .fold(0.0, f64::max)
        .min(max_label)
        .ceil() as u32
        + 12;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let count_w = bars
        .iter()
        .map(|b| text_width(&num(b.value), FONT))
        .fold(0.0, f64::max)
        .ceil() as u32
        + 10;
    let area = width.saturating_sub(label_w + count_w + PAD * 2).max(40);
    let height = ROW * bars.len() as u32 + PAD * 2;
    let _ = write!(
        s,
        "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\">",
        escape(aria)
    );
    // Faint track behind every bar, so a zero still shows where it would be.
    for (i, b) in bars.iter().enumerate() {
        let y = PAD + ROW * i as u32;
        let w = if b.value == 0 {
            0
        } else {
            ((b.value as f64 / max as f64) * area as f64)
                .round()
                .max(2.0) as u32
        };
        let x = PAD + label_w;
        let _ = write!(
            s,
            "<g><title>{tip}</title><text class=\"lbl\" x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text><rect class=\"track\" x=\"{x}\" y=\"{by}\" width=\"{area}\" height=\"{BAR}\" rx=\"3\"/><rect class=\"bar {class}\" x=\"{x}\" y=\"{by}\" width=\"{w}\" height=\"{BAR}\" rx=\"3\"/><text class=\"val\" x=\"{vx}\" y=\"{ty}\">{val}</text></g>",
            tip = escape(&b.tip),
            lx = x - 10,
            ty = y + BAR / 2 + 5,
            label = escape(&fit(&b.label, max_label, FONT)),
            by = y,
            class = b.class,
            vx = x + w + 6,
            val = num(b.value),
        );
    }
    s.push_str("</svg>");
    s
}

const CSS: &str = r#"
:root{--err:#c62828;--err-bg:#fdecea;--warn:#a15c00;--warn-bg:#fff4e0;--info:#1f5fa8;--info-bg:#e8f0fb;--q:#5b6b7a;--ink:#1d232a;--mute:#5f6b76;--line:#dfe3e8;--bg:#f5f6f8;--card:#fff}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.55 system-ui,-apple-system,"Segoe UI","Hiragino Sans","Hiragino Kaku Gothic ProN","Noto Sans CJK JP","Noto Sans JP","Yu Gothic UI","Yu Gothic",Meiryo,sans-serif}
main{max-width:1360px;margin:0 auto;padding:20px 24px 40px}
header.top{background:#23303d;color:#fff;padding:18px 24px}
header.top .in{max-width:1360px;margin:0 auto;padding:0 24px}
header.top h1{margin:0;font-size:22px;font-weight:700;letter-spacing:.02em}
header.top .meta{margin:4px 0 0;color:#c9d3dc;font-size:13px;word-break:break-all}
.privacy{margin:14px 0 0;padding:8px 12px;border-left:4px solid var(--warn);background:var(--warn-bg);font-size:13px;border-radius:4px}
h2{font-size:16px;margin:0 0 10px}
.stats{display:flex;flex-wrap:wrap;gap:12px;margin:18px 0}
.stat{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:140px}
.stat .k{font-size:12px;color:var(--mute)}
.stat .v{font-size:24px;font-weight:700;font-variant-numeric:tabular-nums}
.stat.error .v{color:var(--err)}.stat.warning .v{color:var(--warn)}.stat.info .v{color:var(--info)}
.stat.error{border-top:4px solid var(--err)}.stat.warning{border-top:4px solid var(--warn)}.stat.info{border-top:4px solid var(--info)}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:16px;margin-bottom:18px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px;overflow-x:auto}
.card.wide{grid-column:1/-1}
.card .note{margin:4px 0 0;font-size:12px;color:var(--mute)}
svg.chart{display:block;max-width:100%;height:auto}
svg .lbl{font-size:13px;fill:var(--ink)}
svg .val{font-size:13px;fill:var(--ink);font-variant-numeric:tabular-nums}
svg .empty{font-size:14px;fill:var(--mute)}
svg .track{fill:#eef0f3}
svg .bar.error{fill:var(--err)}svg .bar.warning{fill:#e08a00}svg .bar.info{fill:var(--info)}svg .bar.q{fill:var(--q)}
table{border-collapse:collapse;width:100%;background:var(--card)}
th,td{text-align:left;vertical-align:top;padding:6px 10px;border-bottom:1px solid var(--line)}
thead th{position:sticky;top:50px;background:#eef1f4;font-size:12px;color:var(--mute);font-weight:600;white-space:nowrap;z-index:1}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.files td a{color:inherit}
.filter{position:sticky;top:0;z-index:5;display:flex;flex-wrap:wrap;align-items:center;gap:8px 18px;background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:18px 0;box-shadow:0 2px 6px rgba(0,0,0,.06)}
.filter strong{font-size:13px}
.filter label{display:inline-flex;align-items:center;gap:5px;cursor:pointer;font-size:13px}
.filter select{font:inherit;padding:3px 6px;border:1px solid #c5ccd3;border-radius:5px;background:#fff;max-width:420px}
.filter .shown{margin-left:auto;font-size:13px;color:var(--mute)}
.filter .shown #f-count{font-weight:700;color:var(--ink);font-variant-numeric:tabular-nums}
section.file{margin:22px 0;background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:clip}
section.file>h2{margin:0;padding:12px 16px;font-size:15px;background:#f0f3f6;border-bottom:1px solid var(--line);word-break:break-all}
section.file>h2 .sum{display:block;font-weight:400;font-size:13px;color:var(--mute);margin-top:2px}
section.file>p{margin:0;padding:12px 16px}
.findings{table-layout:fixed}
.c-sev{width:92px}.c-code{width:62px}.c-line{width:64px}.c-field{width:15%}.c-value{width:13%}.c-msg{width:34%}.c-rule{width:20%}
.findings td{word-break:break-word;overflow-wrap:anywhere}
tbody.grp th.grp{background:#f7f8fa;font-weight:600;font-size:13px;padding:8px 10px;border-top:2px solid var(--line)}
tbody.grp th.grp .tag{display:inline-block;background:#23303d;color:#fff;border-radius:4px;padding:0 7px;margin-right:10px;font-size:12px}
tbody.grp th.grp .kv{margin-right:16px;font-weight:400;color:var(--mute)}
tbody.grp th.grp .kv .v{color:var(--ink);font-weight:600}
.sev{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;white-space:nowrap}
.sev.error{background:var(--err-bg);color:var(--err)}.sev.warning{background:var(--warn-bg);color:var(--warn)}.sev.info{background:var(--info-bg);color:var(--info)}
tr.error td:first-child{box-shadow:inset 3px 0 0 var(--err)}tr.warning td:first-child{box-shadow:inset 3px 0 0 #e08a00}tr.info td:first-child{box-shadow:inset 3px 0 0 var(--info)}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Noto Sans Mono CJK JP",monospace;font-size:12.5px}
td.code code{font-weight:700}
td.value code{background:#f3f4f6;border-radius:3px;padding:1px 4px}
.rec{display:inline-block;font-size:11px;color:var(--mute);border:1px solid var(--line);border-radius:3px;padding:0 4px;margin-right:5px}
.fno{color:var(--mute);font-size:12px;white-space:nowrap}
td.rule{color:var(--mute);font-size:13px}
.omitted{color:var(--mute);font-size:13px}
.nomatch{color:var(--mute)}
.bad{color:var(--err);font-weight:600}
footer{color:var(--mute);font-size:12px;margin-top:28px}
[hidden]{display:none!important}
@media (max-width:800px){.charts{grid-template-columns:1fr}main{padding:12px}}
@media print{.filter{display:none}thead th{position:static}body{background:#fff}}
"#;

const SCRIPT: &str = r#"
(function(){
  var sel=document.getElementById('f-rule');
  var boxes=document.querySelectorAll('input[name=sev]');
  var count=document.getElementById('f-count');
  function apply(){
    var code=sel.value,on={},shown=0;
    for(var i=0;i<boxes.length;i++){on[boxes[i].value]=boxes[i].checked;}
    var files=document.querySelectorAll('section.file');
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
    count.textContent=shown.toLocaleString('en-US');
  }
  sel.addEventListener('change',apply);
  for(var i=0;i<boxes.length;i++){boxes[i].addEventListener('change',apply);}
  apply();
})();
"#;

impl Html {
    pub fn new(style: Style) -> Self {
        Html {
            style,
            sections: String::new(),
            files: Vec::new(),
            codes: BTreeMap::new(),
            rows: [0; 3],
        }
    }

    fn l(&self) -> &'static Labels {
        labels(self.style.lang)
    }

    fn group_header(&self, s: &mut String, receipt: Option<u32>, label: Option<&ReceiptLabel>) {
        let l = self.l();
        s.push_str("<tr><th class=\"grp\" colspan=\"7\">");
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
            "<tr class=\"{sev}\" data-code=\"{code}\" data-severity=\"{sev}\"><td><span class=\"sev {sev}\">{label}</span></td><td class=\"code\"><code>{code}</code></td><td class=\"n\">{line}</td><td class=\"field\">",
            code = escape(d.rule.code),
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
            "</td><td class=\"msg\">{}</td><td class=\"rule\">{}</td></tr>",
            escape(&d.message(lang)),
            escape(d.rule.title(lang))
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
                "<table class=\"findings\"><colgroup><col class=\"c-sev\"><col class=\"c-code\"><col class=\"c-line\"><col class=\"c-field\"><col class=\"c-value\"><col class=\"c-msg\"><col class=\"c-rule\"></colgroup>\n<thead><tr><th>{}</th><th>{}</th><th class=\"n\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n",
                l.col_severity, l.col_code, l.col_line, l.col_field, l.col_value, l.col_message, l.col_explain
            );
            for (receipt, ds) in groups {
                s.push_str("<tbody class=\"grp\">\n");
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
        let sev = [
            (Severity::Error, l.errors, t.errors),
            (Severity::Warning, l.warnings, t.warnings),
            (Severity::Info, l.infos, t.infos),
        ]
        .map(|(sv, label, n)| Bar {
            label: label.to_string(),
            value: n as u64,
            class: sev_class(sv),
            tip: format!("{label}: {}", num(n as u64)),
        });
        let rules: Vec<Bar> = t
            .top_rules(10)
            .into_iter()
            .map(|(code, n)| {
                let rule = crate::rules::find(code);
                let title = rule.map_or("", |r| r.title(lang));
                Bar {
                    label: format!("{code}  {title}"),
                    value: n as u64,
                    class: rule.map_or("q", |r| sev_class(r.severity)),
                    tip: format!("{code} {title}: {}", num(n as u64)),
                }
            })
            .collect();
        let q = &t.qualification;
        let qual = [
            (l.q_current, q.current),
            (l.q_past, q.past),
            (l.q_unknown, q.unknown_fill),
            (l.q_disaster, q.disaster_fill),
            (l.q_circle, q.black_circle_names),
        ]
        .map(|(label, n)| Bar {
            label: label.to_string(),
            value: n,
            class: "q",
            tip: format!("{label}: {}", num(n)),
        });
        s.push_str("<section class=\"charts\">\n");
        let _ = writeln!(
            s,
            "<div class=\"card\"><h2>{}</h2>{}</div>",
            escape(l.by_severity),
            bar_chart(l.by_severity, &sev, 600, 200.0, l.no_findings_chart)
        );
        let _ = writeln!(
            s,
            "<div class=\"card\"><h2>{}</h2>{}<p class=\"note\">{}</p></div>",
            escape(l.qualification),
            bar_chart(l.qualification, &qual, 600, 200.0, l.no_findings_chart),
            escape(l.q_note)
        );
        let _ = writeln!(
            s,
            "<div class=\"card wide\"><h2>{}</h2>{}</div>",
            escape(l.by_rule),
            bar_chart(l.by_rule, &rules, 1260, 560.0, l.no_findings_chart)
        );
        s.push_str("</section>\n");
    }

    fn file_list(&self, s: &mut String) {
        let l = self.l();
        let _ = writeln!(
            s,
            "<section class=\"card files\"><h2>{}</h2><table><thead><tr><th>{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th><th class=\"n\">{}</th></tr></thead><tbody>",
            escape(l.file_list),
            l.file_col,
            l.receipts,
            l.errors,
            l.warnings,
            l.infos
        );
        for (i, f) in self.files.iter().enumerate() {
            if f.unreadable {
                let _ = writeln!(
                    s,
                    "<tr><td><a href=\"#file-{}\">{}</a></td><td class=\"bad\" colspan=\"4\">{}</td></tr>",
                    i + 1,
                    escape(&f.path),
                    escape(l.cannot_read)
                );
            } else {
                let _ = writeln!(
                    s,
                    "<tr><td><a href=\"#file-{}\">{}</a></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    i + 1,
                    escape(&f.path),
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
}

impl Renderer for Html {
    fn part(&self, index: usize, r: &FileReport) -> io::Result<Part> {
        Ok(Part {
            bytes: self.section(index + 1, r).into_bytes(),
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
        });
        if r.unreadable.is_none() {
            for d in &r.diagnostics {
                *self.codes.entry(d.rule.code).or_default() += 1;
                self.rows[d.severity as usize] += 1;
            }
        }
        self.sections
            .push_str(std::str::from_utf8(&part.bytes).unwrap_or_default());
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, t: &Totals) -> io::Result<()> {
        let l = self.l();
        let mut s = String::with_capacity(self.sections.len() + CSS.len() + (16 << 10));
        let paths: Vec<&str> = self.files.iter().map(|f| f.path.as_str()).collect();
        let title = match paths.as_slice() {
            [one] => format!("{} — {}", l.title, one),
            _ => l.title.to_string(),
        };
        let _ = write!(
            s,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"recelint {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
            l.lang,
            env!("CARGO_PKG_VERSION"),
            escape(&title)
        );
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
            "<header class=\"top\"><div class=\"in\"><h1>{}</h1><p class=\"meta\">{}</p><p class=\"meta\">{} {}</p></div></header>\n<main>",
            escape(l.title),
            escape(&shown_paths),
            l.version,
            env!("CARGO_PKG_VERSION")
        );
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
        self.charts(&mut s, t);
        if self.files.len() > 1 {
            self.file_list(&mut s);
        }
        self.filter(&mut s);
        s.push_str(&self.sections);
        let _ = writeln!(
            s,
            "<footer>{} {}</footer>\n</main>\n<script>{SCRIPT}</script>\n</body>\n</html>",
            l.version,
            env!("CARGO_PKG_VERSION")
        );
        out.write_all(s.as_bytes())
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
    fn numbers_get_thousands_separators() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(1234567), "1,234,567");
    }

    #[test]
    fn labels_fit_their_column() {
        let s = fit("S014  回数が算定日ごとの回数の合計と合わない", 120.0, 13.0);
        assert!(s.ends_with('…'));
        assert!(text_width(&s, 13.0) <= 120.0);
        assert_eq!(fit("S014", 120.0, 13.0), "S014");
    }
}
