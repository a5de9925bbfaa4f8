//! Output: every format renders the same [`FileReport`]s. A renderer gets the files one by
//! one, in input order, and writes as it goes, so a month of files streams.

pub mod concise;
pub mod github;
pub mod gitlab;
pub mod html;
pub mod json;
pub mod jsonl;
pub mod junit;
pub mod sarif;
pub mod text;

use crate::report::FileReport;
use crate::report::{Lang, Severity};
use std::io::{self, Write};

/// Control characters shown as visible symbols (␛ for ESC, ␀ for NUL …), so a hostile file
/// cannot move the cursor, recolour or retitle the terminal through a message or source line.
pub fn visible(s: &str) -> std::borrow::Cow<'_, str> {
    let bad =
        |c: char| (c < ' ' && c != '\n') || c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c);
    if !s.chars().any(bad) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| match c {
                c if c < ' ' && c != '\n' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
                '\u{7f}' => '\u{2421}',
                c if bad(c) => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable, grouped by receipt, with the source line and field underlined.
    Text,
    /// One line per finding: `path:line:field: CODE message`.
    Concise,
    /// One JSON document.
    Json,
    /// JSON Lines: one object per finding (the `json` format's fields), then a summary line.
    #[value(name = "jsonl", alias = "json-lines")]
    Jsonl,
    /// SARIF 2.1.0, for code scanning (GitHub, IDE viewers).
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), shown as annotations.
    Github,
    /// One self-contained HTML page: totals, charts, findings by receipt, with a filter.
    Html,
    /// GitLab Code Quality: a JSON array of issues for merge requests.
    Gitlab,
    /// JUnit XML: a test suite per file, a failed test case per error or warning.
    Junit,
}

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub lang: Lang,
    /// Show info-level findings in human formats.
    pub verbose: bool,
    pub color: bool,
    /// Text output: the findings only, without the per-file lines and the totals.
    pub quiet: bool,
}

/// Totals over all files.
#[derive(Debug, Default, Clone)]
pub struct Totals {
    /// Files read and checked.
    pub files: usize,
    /// Paths that could not be read or held no claim file (exit code 2).
    pub unreadable: usize,
    pub receipts: u64,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// How the receipts were claimed, over all files.
    pub qualification: crate::qualify::Breakdown,
    /// Findings per rule over all files.
    pub rules: std::collections::BTreeMap<&'static str, usize>,
    /// Findings left out by `--max-diagnostics`.
    pub omitted: usize,
    /// Findings hidden by the baseline.
    pub baselined: usize,
}

impl Totals {
    pub fn add(&mut self, r: &FileReport) {
        // A path that could not be read (missing, a folder without claim files) is not a
        // checked file: it is counted apart.
        if r.unreadable.is_some() {
            self.unreadable += 1;
        } else {
            self.files += 1;
        }
        self.receipts += r.receipts as u64;
        self.errors += r.count(Severity::Error);
        self.warnings += r.count(Severity::Warning);
        self.infos += r.count(Severity::Info);
        self.qualification.add(&r.breakdown);
        for (code, n) in r.rule_counts() {
            *self.rules.entry(code).or_default() += n;
        }
        self.omitted += r.omitted_total();
        self.baselined += r.baselined;
    }

    /// The rules with the most findings, most first.
    pub fn top_rules(&self, n: usize) -> Vec<(&'static str, usize)> {
        let mut v = crate::report::top(self.rules.clone());
        v.truncate(n);
        v
    }
}

/// One file's rendered output, made on its own (files are rendered several at a time) and
/// then taken in input order by [`Renderer::put`].
#[derive(Default)]
pub struct Part {
    /// The bytes the file adds to the output.
    pub bytes: Pieces,
    /// What the end of the output needs besides bytes (SARIF's results).
    pub(crate) items: Option<Box<dyn std::any::Any + Send>>,
}

/// Bytes made in pieces (a file's findings rendered on several threads), written in order
/// without joining them first: joining copied a file of 150,000 findings (43 MB of JSON) once
/// more while every piece was still held.
#[derive(Debug, Default)]
pub struct Pieces(Vec<Vec<u8>>);

impl Pieces {
    /// Appends `bytes` after the pieces already there.
    pub fn push(&mut self, bytes: Vec<u8>) {
        if !bytes.is_empty() {
            self.0.push(bytes);
        }
    }

    /// Appends every piece of `more`.
    pub fn append(&mut self, more: Pieces) {
        self.0.extend(more.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Writes the pieces to `out`, in order.
    pub fn write_to(&self, out: &mut dyn Write) -> io::Result<()> {
        self.0.iter().try_for_each(|p| out.write_all(p))
    }

    /// The pieces as one buffer.
    pub fn into_vec(self) -> Vec<u8> {
        match self.0.len() {
            1 => self.0.into_iter().next().unwrap_or_default(),
            _ => self.0.concat(),
        }
    }
}

impl From<Vec<u8>> for Pieces {
    fn from(bytes: Vec<u8>) -> Self {
        let mut p = Pieces::default();
        p.push(bytes);
        p
    }
}

/// A renderer, in the manner of ripgrep's per-file buffers: [`Renderer::part`] renders one
/// file on its own, so files are rendered in parallel and a bug in rendering one file stays
/// in that file's part; [`Renderer::put`] takes the parts in input order (writing their bytes
/// and keeping what the end needs); [`Renderer::finish`] writes the end.
pub trait Renderer: Sync {
    /// The part of the file that is `index`-th (0-based) in the run.
    fn part(&self, index: usize, report: &FileReport) -> io::Result<Part>;
    fn put(&mut self, out: &mut dyn Write, report: &FileReport, part: Part) -> io::Result<()>;
    fn finish(&mut self, out: &mut dyn Write, totals: &Totals) -> io::Result<()>;
}

pub fn renderer(format: Format, style: Style) -> Box<dyn Renderer> {
    match format {
        Format::Text => Box::new(text::Text::new(style)),
        Format::Concise => Box::new(concise::Concise { style }),
        Format::Json => Box::new(json::Json::new(style)),
        Format::Jsonl => Box::new(jsonl::Jsonl::new(style)),
        Format::Sarif => Box::new(sarif::Sarif::new(style)),
        Format::Github => Box::new(github::Github { style }),
        Format::Html => Box::new(html::Html::new(style)),
        Format::Gitlab => Box::new(gitlab::Gitlab::new(style)),
        Format::Junit => Box::new(junit::Junit::new(style)),
    }
}

/// Renders a whole run into a byte buffer (tests, library users).
pub fn render_all(format: Format, style: Style, reports: &[FileReport]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut r = renderer(format, style);
    let mut totals = Totals::default();
    for (i, rep) in reports.iter().enumerate() {
        totals.add(rep);
        let part = r.part(i, rep).expect("writing to memory");
        r.put(&mut out, rep, part).expect("writing to memory");
    }
    r.finish(&mut out, &totals).expect("writing to memory");
    out
}

/// The finding's field as 1-based character columns of its line, `(start, end)` with `end`
/// one past the last character, when the checker decoded the line (`source_lines`).
/// Findings of one file rendered at a time by one thread: a file with a hundred thousand
/// findings renders on every thread, a file with a few on one.
const DIAGS_PER_TASK: usize = 2048;

/// `1234567` → `1,234,567`: counts in text, HTML and the progress bar.
pub(crate) fn thousands(n: u64) -> String {
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

/// The bytes of `f` over each of `items` in order (`f` gets the item's index), made in
/// parallel pieces when there are many.
pub(crate) fn concat<T: Sync>(
    items: &[T],
    f: impl Fn(usize, &T, &mut Vec<u8>) -> io::Result<()> + Sync,
) -> io::Result<Pieces> {
    use rayon::prelude::*;
    let piece = |at: usize, items: &[T]| -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        for (j, d) in items.iter().enumerate() {
            f(at + j, d, &mut buf)?;
        }
        Ok(buf)
    };
    if items.len() <= DIAGS_PER_TASK {
        return piece(0, items).map(Pieces::from);
    }
    let pieces: Vec<Vec<u8>> = items
        .par_chunks(DIAGS_PER_TASK)
        .enumerate()
        .map(|(k, c)| piece(k * DIAGS_PER_TASK, c))
        .collect::<io::Result<_>>()?;
    let mut all = Pieces::default();
    pieces.into_iter().for_each(|p| all.push(p));
    Ok(all)
}

/// `f` over each of `items`, in order, in parallel pieces when there are many.
pub(crate) fn map_all<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    use rayon::prelude::*;
    if items.len() <= DIAGS_PER_TASK {
        return items.iter().map(f).collect();
    }
    items
        .par_iter()
        .with_min_len(DIAGS_PER_TASK)
        .map(&f)
        .collect()
}

pub(crate) fn columns(d: &crate::report::Diagnostic) -> Option<(usize, usize)> {
    let (text, Some((s, e))) = d.source.as_ref()? else {
        return None;
    };
    let start = text.get(..*s)?.chars().count();
    let end = start + text.get(*s..*e)?.chars().count();
    Some((start + 1, end + 1))
}

#[cfg(test)]
mod thousands_tests {
    #[test]
    fn counts_get_thousands_separators() {
        use super::thousands;
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }
}
