//! The `recelint` command line.

use crate::batch;
use crate::check::{check_path, CheckOptions, FileReport};
use crate::diag::{Lang, Severity};
use crate::render::{renderer, Format, Style, Totals};
use crate::rules;
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "recelint",
    version,
    about = "レセプト電算処理システムの請求ファイル (RECEIPTC.UKE) を提出前に検査します / Lints Japanese medical claim files before submission"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 請求ファイルを検査する / check claim files (files or folders)
    Check(CheckArgs),
    /// 規則の一覧・説明 / list the rules, or explain one
    Rules {
        /// e.g. S010
        code: Option<String>,
        #[arg(long, value_enum, default_value_t = LangArg::Ja)]
        lang: LangArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    Ja,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Ja => Lang::Ja,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or folders (folders are searched for *.UKE files)
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[arg(long, value_enum, default_value_t = LangArg::Ja)]
    pub lang: LangArg,
    /// Show info-level findings in text and concise output
    #[arg(short, long)]
    pub verbose: bool,
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Confirmed qualifications exported by the clinic (CSV, UTF-8 or Shift_JIS; see README)
    #[arg(long, value_name = "FILE")]
    pub qualifications: Option<PathBuf>,
    /// An earlier month's claim file or folder: evidence only, not reported on (repeatable)
    #[arg(long, value_name = "PATH")]
    pub history: Vec<PathBuf>,
}

/// Exit codes: 0 no error-severity finding, 1 at least one, 2 a path could not be read.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Rules { code, lang } => rules_cmd(code.as_deref(), lang.into()),
        Command::Check(args) => check_cmd(&args),
    }
}

fn rules_cmd(code: Option<&str>, lang: Lang) -> i32 {
    let mut out = std::io::stdout().lock();
    match code {
        None => {
            for r in rules::all() {
                let _ = writeln!(
                    out,
                    "{}  {:<7}  {:<34} {}",
                    r.code,
                    r.severity.as_str(),
                    r.name,
                    r.title(lang)
                );
            }
            0
        }
        Some(c) => match rules::find(c) {
            Some(r) => {
                let _ = writeln!(
                    out,
                    "{} ({}) — {}\n{}: {}\n",
                    r.code,
                    r.name,
                    r.title(lang),
                    if lang.is_ja() {
                        "重大度"
                    } else {
                        "severity"
                    },
                    r.severity.label(lang)
                );
                let _ = out.write_all(r.explain(lang).as_bytes());
                0
            }
            None => {
                eprintln!("recelint: 不明な規則コード / unknown rule code: {c}");
                2
            }
        },
    }
}

/// True when a file name looks like a claim file (`*.UKE`, any case).
pub fn is_claim_name(p: &Path) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case("uke"))
}

/// Expands folders (recursively, without following symbolic links) into claim files.
/// A path given directly is always checked, whatever its name.
pub fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            out.push(dir.to_path_buf()); // reported as unreadable
            return;
        };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Ok(t) = e.file_type() else { continue };
            let p = e.path();
            if t.is_dir() {
                walk(&p, out);
            } else if t.is_file() && is_claim_name(&p) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn check_cmd(a: &CheckArgs) -> i32 {
    let lang: Lang = a.lang.into();
    let stdout = std::io::stdout();
    let color = match a.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            let forced = std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0");
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            forced || (stdout.is_terminal() && !no_color)
        }
    };
    let style = Style {
        lang,
        verbose: a.verbose,
        color: color && a.format == Format::Text,
    };
    let opts = CheckOptions {
        source_lines: a.format == Format::Text,
        chunk_size: 0,
    };
    let files = expand(&a.paths);
    let mut reports: Vec<FileReport> = files
        .par_iter()
        .map(|p| check_path(p, &p.display().to_string(), &opts))
        .collect();
    // Insured-number resolution over every receipt's fact, with the evidence of the CSV, the
    // history files and the batch itself.
    let csv = a.qualifications.as_ref().map(|p| {
        (
            p.display().to_string(),
            std::fs::read(p).map_err(|e| e.to_string()),
        )
    });
    let history = expand(&a.history)
        .par_iter()
        .map(|p| {
            let shown = p.display().to_string();
            match std::fs::read(p) {
                Ok(b) => batch::history_report(&shown, &b),
                Err(e) => FileReport {
                    path: shown,
                    unreadable: Some(e.to_string()),
                    ..FileReport::default()
                },
            }
        })
        .collect();
    batch::resolve(&mut reports, batch::Evidence { csv, history });
    let mut r = renderer(a.format, style);
    let mut totals = Totals::default();
    let mut out = stdout.lock();
    for rep in &reports {
        totals.add(rep);
        if let Err(e) = r.file(&mut out, rep) {
            return broken_pipe_or(e);
        }
        if let Some(msg) = &rep.unreadable {
            if a.format != Format::Text {
                eprintln!("recelint: {}: {}", rep.path, msg);
            }
        }
    }
    if let Err(e) = r.finish(&mut out, &totals).and_then(|_| out.flush()) {
        return broken_pipe_or(e);
    }
    if totals.unreadable > 0 {
        2
    } else if reports
        .iter()
        .any(|r| r.diagnostics.iter().any(|d| d.severity == Severity::Error))
    {
        1
    } else {
        0
    }
}

fn broken_pipe_or(e: std::io::Error) -> i32 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        0
    } else {
        eprintln!("recelint: {e}");
        2
    }
}
