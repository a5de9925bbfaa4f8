//! `--format text`: findings grouped by receipt, named the way a レセコン shows them
//! (レセプト番号, カルテ番号, 氏名), each drawn by miette with its line decoded to UTF-8 and
//! the field underlined. miette only ever sees UTF-8: the checker decodes the line and maps
//! the Shift_JIS span to UTF-8 offsets; the line number shown is the file's own.

/// Findings of one rule drawn in full (source line, underline, help) per file; the rest are
/// listed one per line.
pub const FULL_PER_RULE: usize = 500;

use super::{Part, Renderer, Style, Totals};
use crate::report::FileReport;
use crate::report::{Diagnostic, Lang, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode, SourceSpan,
    SpanContents,
};
use std::fmt;
use std::io::{self, Write};

pub struct Text {
    style: Style,
    handler: GraphicalReportHandler,
    /// One audit-summary row per file: path, receipts, errors, warnings, top rules.
    rows: Vec<(String, u32, usize, usize, String)>,
}

/// `S007×70, V002×29` for the first `n` rules (info-level rules only with `-v`, as in the
/// findings above).
/// A count with thousands separators.
fn n(v: impl TryInto<u64>) -> String {
    super::thousands(v.try_into().unwrap_or(u64::MAX))
}

/// The qualification line of the summary, by what is known: receipts compared with no
/// evidence are "not checked", not "current" (their claim says current; nothing verified it).
fn qualification(q: &crate::qualify::Breakdown, ja: bool) -> String {
    let k = q.known();
    let (fill, disaster, circle) = (
        n(q.unknown_fill),
        n(q.disaster_fill),
        n(q.black_circle_names),
    );
    match (ja, k.nothing()) {
        (true, true) => format!(
            "未確認 {}（資格確認の記録なし）・不詳 {fill}・災害 {disaster}・「●」氏名 {circle}",
            n(k.unchecked)
        ),
        (true, false) => format!(
            "照合した現在の資格 {}・照合した過去の資格 {}・未確認 {}・不詳 {fill}・災害 {disaster}・「●」氏名 {circle}",
            n(k.checked_current),
            n(k.past),
            n(k.unchecked)
        ),
        (false, true) => format!(
            "not checked {} (no evidence given), unknown fill {fill}, disaster fill {disaster}, ● names {circle}",
            n(k.unchecked)
        ),
        (false, false) => format!(
            "checked current {}, checked past {}, not checked {}, unknown fill {fill}, disaster fill {disaster}, ● names {circle}",
            n(k.checked_current),
            n(k.past),
            n(k.unchecked)
        ),
    }
}

fn top_list(v: &[(&'static str, usize)], n: usize, verbose: bool) -> String {
    v.iter()
        .filter(|(c, _)| {
            verbose || crate::rules::find(c).is_none_or(|r| r.severity != Severity::Info)
        })
        .take(n)
        .map(|(c, k)| format!("{c}×{}", super::thousands(*k as u64)))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Text {
    pub fn new(style: Style) -> Self {
        let theme = if style.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Text {
            style,
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(120)
                .with_links(false)
                .with_context_lines(0),
            rows: Vec::new(),
        }
    }
}

/// One line of the file, shown with its real line number.
#[derive(Debug)]
struct LineSource {
    name: String,
    text: String,
    line: usize,
}

impl SourceCode for LineSource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        _before: usize,
        _after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        if span.offset() + span.len() > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            (0, self.text.len()).into(),
            self.line.saturating_sub(1),
            0,
            1,
        )))
    }
}

/// A diagnostic as miette wants it.
#[derive(Debug)]
struct Shown {
    message: String,
    severity: miette::Severity,
    source: Option<LineSource>,
    label: Option<LabeledSpan>,
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown {}

impl miette::Diagnostic for Shown {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|l| Box::new(std::iter::once(l)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

fn shown(path: &str, d: &Diagnostic, lang: Lang) -> Shown {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let (source, label) = match (&d.source, d.line) {
        (Some((text, span)), Some(line)) => {
            let label_text = d.field_label(lang).map(|n| match d.field {
                Some(f) if lang.is_ja() => format!("{n}（項目 {f}）"),
                Some(f) => format!("{n} (field {f})"),
                None => n.to_string(),
            });
            // Control characters are shown as 3-byte symbols: move the span with them.
            let shown = |at: usize| text.get(..at).map_or(at, |p| super::visible(p).len());
            let label = span.map(|(s, e)| {
                let (s, e) = (shown(s), shown(e));
                LabeledSpan::new(label_text.clone(), s, e.saturating_sub(s))
            });
            let label = label.or_else(|| Some(LabeledSpan::new(label_text, 0, 0)));
            (
                Some(LineSource {
                    name: path.to_string(),
                    text: super::visible(text).into_owned(),
                    line: line as usize,
                }),
                label,
            )
        }
        _ => (None, None),
    };
    let mut message = format!("{} [{}]", super::visible(&d.message(lang)), d.rule.code);
    if d.source.is_none() {
        if let Some(l) = d.line {
            message = match lang {
                Lang::Ja => format!("{message}（{path} {l} 行目）"),
                Lang::En => format!("{message} ({path} line {l})"),
            };
        }
    }
    Shown {
        message,
        severity,
        source,
        label,
    }
}

impl Renderer for Text {
    fn part(&self, _index: usize, r: &FileReport) -> io::Result<Part> {
        let mut buf = Vec::new();
        let out = &mut buf;
        let ja = self.style.lang.is_ja();
        if let Some(e) = &r.unreadable {
            writeln!(out, "{}: {}", super::visible(&r.path), e)?;
            return Ok(Part {
                bytes: buf.into(),
                items: None,
            });
        }
        let visible: Vec<&Diagnostic> = r
            .diagnostics
            .iter()
            .filter(|d| self.style.verbose || d.severity != Severity::Info)
            .collect();
        let (e, w, i) = (
            r.count(Severity::Error),
            r.count(Severity::Warning),
            r.count(Severity::Info),
        );
        let kind = r.kind.map(|k| k.label(ja));
        if self.style.quiet {
            // The file named (its file-level findings carry no path), without the counts.
            if !visible.is_empty() {
                writeln!(out, "{}:", r.path)?;
            }
        } else if ja {
            let ed = r
                .editions
                .first()
                .map(|e| format!("（{} {} 項目の版）", e.record, e.fields))
                .unwrap_or_default();
            let kind = kind.map(|k| format!("{k}{ed}・")).unwrap_or_default();
            writeln!(
                out,
                "{}: {kind}レセプト {} 件・レコード {} 件 — エラー {}・警告 {}・情報 {}",
                r.path,
                n(r.receipts),
                n(r.records),
                n(e),
                n(w),
                n(i)
            )?;
        } else {
            let ed = r
                .editions
                .first()
                .map(|e| format!(" ({} of {} fields)", e.record, e.fields))
                .unwrap_or_default();
            let kind = kind.map(|k| format!("{k}{ed}, ")).unwrap_or_default();
            writeln!(
                out,
                "{}: {kind}{} receipts, {} records — {} errors, {} warnings, {} infos",
                r.path,
                n(r.receipts),
                n(r.records),
                n(e),
                n(w),
                n(i)
            )?;
        }
        // What to write for each finding, decided in order (a receipt's heading before its
        // first finding; past FULL_PER_RULE findings of a rule, one line each), then written
        // in parallel pieces: drawing a finding is the costly part.
        enum Step<'d> {
            Heading(Option<(u32, &'d crate::report::ReceiptLabel)>),
            Notice(&'static str),
            Line(&'d Diagnostic),
            Drawn(&'d Diagnostic),
        }
        let mut steps: Vec<Step> = Vec::with_capacity(visible.len() + 16);
        let mut current: Option<u32> = None;
        let mut drawn: std::collections::HashMap<&'static str, usize> = Default::default();
        for d in visible {
            if d.receipt != current {
                current = d.receipt;
                steps.push(Step::Heading(
                    d.receipt.and_then(|n| r.labels.get(&n).map(|l| (n, l))),
                ));
            }
            // Past FULL_PER_RULE findings of one rule in a file, the rest are one line each:
            // nobody reads ten thousand drawings of the same problem, and drawing each (line
            // decoded, wrapped, measured) took over a second for a damaged 2 MiB file.
            let n = drawn.entry(d.rule.code).or_insert(0);
            *n += 1;
            if *n > FULL_PER_RULE {
                if *n == FULL_PER_RULE + 1 {
                    steps.push(Step::Notice(d.rule.code));
                }
                steps.push(Step::Line(d));
            } else {
                steps.push(Step::Drawn(d));
            }
        }
        let dash = |s: &str| {
            if s.is_empty() {
                "-".to_string()
            } else {
                super::visible(s).into_owned()
            }
        };
        let found = super::concat(&steps, |_, step, out| {
            match *step {
                Step::Heading(Some((n, l))) => {
                    if ja {
                        writeln!(out, "\n── レセプト {n} ─ レセプト番号 {} ／ カルテ番号 {} ／ 氏名 {} （{} 行目〜）", dash(&l.number), dash(&l.karte), dash(&l.name), l.line)?;
                    } else {
                        writeln!(
                            out,
                            "\n── receipt {n} ─ number {} / chart {} / name {} (from line {})",
                            dash(&l.number),
                            dash(&l.karte),
                            dash(&l.name),
                            l.line
                        )?;
                    }
                }
                Step::Heading(None) => {
                    writeln!(
                        out,
                        "\n── {} ──",
                        if ja {
                            "ファイル全体"
                        } else {
                            "whole file"
                        }
                    )?;
                }
                Step::Notice(code) => {
                    if ja {
                        writeln!(out, "  （{code} はここから 1 件 1 行で表示します）")?;
                    } else {
                        writeln!(out, "  (further {code} findings, one line each)")?;
                    }
                }
                Step::Line(d) => {
                    let at = match (d.line, d.field) {
                        (Some(l), Some(f)) => format!(":{l}:{f}"),
                        (Some(l), None) => format!(":{l}"),
                        _ => String::new(),
                    };
                    writeln!(
                        out,
                        "  {}{at} {} {}",
                        super::visible(&r.path),
                        d.rule.code,
                        super::visible(&d.message(self.style.lang))
                    )?;
                }
                Step::Drawn(d) => {
                    let mut s = String::new();
                    let sh = shown(&r.path, d, self.style.lang);
                    if self.handler.render_report(&mut s, &sh).is_err() {
                        s = format!("{}\n", sh.message);
                    }
                    out.write_all(s.as_bytes())?;
                }
            }
            Ok(())
        })?;
        let mut bytes = super::Pieces::from(buf);
        bytes.append(found);
        let mut tail = Vec::new();
        let out = &mut tail;
        let omitted = r.omitted_total();
        if omitted > 0 {
            if ja {
                writeln!(
                    out,
                    "\n  …ほか {omitted} 件は表示していません（--max-diagnostics）"
                )?;
            } else {
                writeln!(
                    out,
                    "\n  … {omitted} more finding(s) not shown (--max-diagnostics)"
                )?;
            }
        }
        bytes.push(tail);
        Ok(Part { bytes, items: None })
    }

    fn put(&mut self, out: &mut dyn Write, r: &FileReport, part: Part) -> io::Result<()> {
        part.bytes.write_to(out)?;
        if r.unreadable.is_none() {
            let top = top_list(&r.rule_counts(), 3, self.style.verbose);
            let (e, w) = (r.count(Severity::Error), r.count(Severity::Warning));
            self.rows.push((r.path.clone(), r.receipts, e, w, top));
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, t: &Totals) -> io::Result<()> {
        if self.style.quiet {
            return Ok(());
        }
        let q = &t.qualification;
        let (e, w, i) = (t.errors, t.warnings, t.infos);
        let ja = self.style.lang.is_ja();
        // A bulk run gets one line per file first: the month at a glance.
        if self.rows.len() > 1 {
            writeln!(
                out,
                "\n{}",
                if ja {
                    "── ファイルごとの要約 ──"
                } else {
                    "── per file ──"
                }
            )?;
            for (path, receipts, e, w, top) in &self.rows {
                if ja {
                    writeln!(
                        out,
                        "{path}: レセプト {}・エラー {}・警告 {}  {top}",
                        n(*receipts),
                        n(*e),
                        n(*w)
                    )?;
                } else {
                    writeln!(
                        out,
                        "{path}: {} receipts, {} errors, {} warnings  {top}",
                        n(*receipts),
                        n(*e),
                        n(*w)
                    )?;
                }
            }
        }
        let top = top_list(&t.top_rules(usize::MAX), 5, self.style.verbose);
        if ja {
            writeln!(
                out,
                "\n合計: ファイル {}・レセプト {} 件 — エラー {}・警告 {}・情報 {}",
                n(t.files),
                n(t.receipts),
                n(e),
                n(w),
                n(i)
            )?;
            writeln!(out, "資格: {}", qualification(q, true))?;
            if !top.is_empty() {
                writeln!(out, "多い規則: {top}")?;
            }
            if t.baselined > 0 {
                writeln!(
                    out,
                    "ベースラインにある指摘 {} 件は表示していません",
                    n(t.baselined)
                )?;
            }
            if t.unreadable > 0 {
                writeln!(
                    out,
                    "検査できなかったパス（読めない・請求ファイルがない）: {}",
                    n(t.unreadable)
                )?;
            }
        } else {
            writeln!(
                out,
                "\ntotal: {} files, {} receipts — {} errors, {} warnings, {} infos",
                n(t.files),
                n(t.receipts),
                n(e),
                n(w),
                n(i)
            )?;
            writeln!(out, "qualification: {}", qualification(q, false))?;
            if !top.is_empty() {
                writeln!(out, "top rules: {top}")?;
            }
            if t.baselined > 0 {
                writeln!(
                    out,
                    "{} finding(s) in the baseline not shown",
                    n(t.baselined)
                )?;
            }
            if t.unreadable > 0 {
                writeln!(
                    out,
                    "paths not checked (unreadable or no claim file): {}",
                    n(t.unreadable)
                )?;
            }
        }
        Ok(())
    }
}
