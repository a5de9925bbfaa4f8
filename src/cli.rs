//! The `recelint` command line.

use crate::batch;
use crate::check::{check_path, check_reader, CheckOptions, FileReport, Progress};
use crate::render::{renderer, Format, Style, Totals};
use crate::report::Lang;
use crate::rules;
use crate::rules::internal::{self, Stage};
use crate::settings::config::{self, Settings};
use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Parses the command line with its help in Japanese or English (see [`crate::help`]).
pub fn parse() -> Result<Cli, clap::Error> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    parse_from(args, |k| std::env::var(k).ok())
}

/// The Japanese sentence to print after a command-line error from [`parse`], when the
/// help language is Japanese (clap's own message stays as it is, in English).
pub fn error_note(e: &clap::Error) -> Option<&'static str> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    if !crate::help::lang_of(&args, |k| std::env::var(k).ok()).is_ja() || !e.use_stderr() {
        return None;
    }
    crate::help::error_note(e.kind())
}

/// [`parse`] over `args` (the program name first) and an environment.
pub fn parse_from(
    args: Vec<std::ffi::OsString>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let lang = crate::help::lang_of(args.get(1..).unwrap_or_default(), env);
    let cmd = crate::help::localize(Cli::command(), lang);
    let m = cmd.try_get_matches_from(args)?;
    Cli::from_arg_matches(&m)
}

#[derive(Debug, Parser)]
#[command(
    name = "recelint",
    version,
    about = "レセプト電算処理システムの請求ファイル（医科・歯科・調剤・DPC）を提出前に検査します / Lints Japanese medical claim files before submission"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 請求ファイルを検査する / check claim files (files or folders)
    Check(Box<CheckArgs>),
    /// 窓口用の画面を開く（127.0.0.1 だけ・送信なし） / open the desk page for office staff (127.0.0.1 only, nothing sent)
    Serve(ServeArgs),
    /// シェル補完スクリプトを出力する / print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// 規則の一覧・説明 / list the rules, or explain one
    Rules {
        /// e.g. S010
        code: Option<String>,
        #[arg(long, value_enum, default_value_t = LangArg::Ja)]
        lang: LangArg,
    },
}

/// `recelint serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (default 0: a free port chosen by the system)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Do not open the browser; only print the address
    #[arg(long)]
    pub no_open: bool,
    /// Language of the page (it has a switch too)
    #[arg(long, value_enum, default_value_t = LangArg::Ja)]
    pub lang: LangArg,
    /// Largest upload accepted, in MB (claim files and CSV together)
    #[arg(long, value_name = "MB", default_value_t = 256)]
    pub max_upload_mb: usize,
    /// Use this config file instead of looking for recelint.toml upward from the current folder
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore every config file
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
    /// Qualification evidence for every check (repeatable; added to what the page uploads)
    #[arg(long, value_name = "PATH")]
    pub qualifications: Vec<PathBuf>,
    /// An earlier month's claim file or folder, evidence for every check (repeatable)
    #[arg(long, value_name = "PATH")]
    pub history: Vec<PathBuf>,
    /// Mask patient data in the page and its downloads
    #[arg(long)]
    pub redact: bool,
}

/// `--kind`: a claim kind by its output name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Medical,
    Dpc,
    Dental,
    Pharmacy,
}

impl From<KindArg> for crate::kind::Kind {
    fn from(k: KindArg) -> crate::kind::Kind {
        use crate::kind::Kind;
        match k {
            KindArg::Medical => Kind::Medical,
            KindArg::Dpc => Kind::Dpc,
            KindArg::Dental => Kind::Dental,
            KindArg::Pharmacy => Kind::Pharmacy,
        }
    }
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
    /// Files or folders (folders are searched for *.UKE and *.CYO files, and files whose first record is a claim header)
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Message language (default: the config's `lang`, else ja)
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
    /// Use this config file instead of looking for recelint.toml
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore every config file
    #[arg(long)]
    pub isolated: bool,
    /// Only these rules (codes or prefixes, comma-separated: Q,S010); overrides the config
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Not these rules (codes or prefixes); overrides the config
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1 (default error)
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// Exit 0 even with findings (2 still means something could not be read)
    #[arg(long)]
    pub exit_zero: bool,
    /// Record today's findings in FILE (JSON; keep it like the claim files) and exit 0
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Hide the findings recorded in FILE and report only new ones
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Show info-level findings in text, concise and github output
    #[arg(short, long)]
    pub verbose: bool,
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Qualification evidence (repeatable): the オンライン資格確認 result files (XML), their
    /// res / face folders or ZIP archives, or the clinic's CSV (see README)
    #[arg(long, value_name = "PATH")]
    pub qualifications: Vec<PathBuf>,
    /// An earlier month's claim file or folder: evidence only, not reported on (repeatable)
    #[arg(long, value_name = "PATH")]
    pub history: Vec<PathBuf>,
    /// Worker threads (default: one per core); the output is the same for any number
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Report at most N findings per file and say how many more there were
    #[arg(long, value_name = "N")]
    pub max_diagnostics: Option<usize>,
    /// 請求ファイルの種類を判定せずに指定する / check every file as this kind instead of detecting it
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Never show the progress bar (it is shown only for text output on a terminal)
    #[arg(long)]
    pub no_progress: bool,
    /// Mask patient data (names, birth dates, card numbers, chart numbers, free text) in
    /// every output, keeping lengths and character classes
    #[arg(long)]
    pub redact: bool,
    /// Write the report to FILE instead of standard output (never one of the inputs)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Print how many findings each rule has (most first) instead of the findings
    #[arg(long)]
    pub statistics: bool,
    /// Text output: print the findings only (no per-file lines, no totals, no progress bar)
    #[arg(short, long)]
    pub quiet: bool,
    /// Print the settings the run would use and the file they came from, and exit
    #[arg(long)]
    pub show_settings: bool,
    /// The name to report standard input (`-`) under
    #[arg(long, value_name = "NAME", default_value = "-")]
    pub stdin_filename: String,
    /// Check only the facilities of shard K of N (by a hash of the 医療機関コード: a
    /// facility's files and history always land in the same shard), to split a month over
    /// machines; `--format json-lines` outputs of the shards concatenate into one stream
    #[arg(long, value_name = "K/N", value_parser = crate::batch::Shard::parse)]
    pub shard: Option<crate::batch::Shard>,
}

/// Exit codes: 0 no error-severity finding, 1 at least one, 2 a path could not be read.
pub fn run(cli: Cli) -> i32 {
    internal::test_panic(Stage::Run);
    match cli.command {
        Command::Rules { code, lang } => rules_cmd(code.as_deref(), lang.into()),
        Command::Check(args) => check_cmd(&args),
        Command::Serve(a) => match serve_settings(&a) {
            Ok((settings, file)) => {
                match &file {
                    Some(p) => eprintln!("recelint: 設定ファイル / settings: {}", p.display()),
                    None => eprintln!("recelint: 設定ファイルなし / no settings file"),
                }
                crate::desk::serve(crate::desk::Options {
                    port: a.port,
                    open: !a.no_open,
                    lang: a.lang.into(),
                    max_upload: a.max_upload_mb.saturating_mul(1 << 20),
                    history: expand(&settings.history).0,
                    settings,
                    redact: a.redact,
                })
            }
            Err(e) => {
                eprintln!("recelint: {e}");
                2
            }
        },
        Command::Completions { shell } => {
            use clap::CommandFactory;
            // Completion descriptions in the help's language.
            let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
            let lang = crate::help::lang_of(&args, |k| std::env::var(k).ok());
            let mut cmd = crate::help::localize(Cli::command(), lang);
            clap_complete::generate(shell, &mut cmd, "recelint", &mut std::io::stdout());
            0
        }
    }
}

fn rules_cmd(code: Option<&str>, lang: Lang) -> i32 {
    let mut out = std::io::stdout().lock();
    match code {
        None => {
            for r in rules::all() {
                let kinds: Vec<&str> = rules::kinds(r).iter().map(|k| k.as_str()).collect();
                let _ = writeln!(
                    out,
                    "{}  {:<7}  {:<34} {:<27} {}",
                    r.code,
                    r.severity.as_str(),
                    r.name,
                    kinds.join(","),
                    r.title(lang)
                );
            }
            // What the grammar leaves unchecked because its source does not confirm it: on
            // standard error, so the listing stays one line per rule for scripts.
            let mut err = std::io::stderr().lock();
            for k in crate::kind::Kind::ALL {
                let Some(spec) = k.spec() else { continue };
                let fields = spec.grammar.records.iter().flat_map(|r| &r.fields);
                let (mut mode, mut bytes, mut all) = (0, 0, 0);
                for f in fields {
                    all += 1;
                    mode += usize::from(f.mode == crate::kind::grammar::Mode::Any);
                    bytes += usize::from(f.bytes == u16::MAX);
                }
                if mode + bytes > 0 {
                    let (name, file) = (k.label(lang.is_ja()), k.as_str());
                    let _ = if lang.is_ja() {
                        writeln!(
                            err,
                            "{name}: 全 {all} 項目のうち、モードが未確認の {mode} 項目は文字の種類を、バイト数が未確認の {bytes} 項目は長さを検査しません（grammar/{file}/records.toml の mode = \"any\"、bytes なし）"
                        )
                    } else {
                        writeln!(
                            err,
                            "{name}: of {all} fields, {mode} with an unconfirmed mode get no character check and {bytes} with an unconfirmed length no length check (grammar/{file}/records.toml: mode = \"any\", no bytes)"
                        )
                    };
                }
            }
            0
        }
        Some(c) => match rules::find(c) {
            Some(r) => {
                let kinds: Vec<&str> = rules::kinds(r)
                    .iter()
                    .map(|k| k.label(lang.is_ja()))
                    .collect();
                let _ = writeln!(
                    out,
                    "{} ({}) — {}\n{}: {}\n{}: {}\n",
                    r.code,
                    r.name,
                    r.title(lang),
                    if lang.is_ja() {
                        "重大度"
                    } else {
                        "severity"
                    },
                    r.severity.label(lang),
                    if lang.is_ja() { "対象" } else { "applies to" },
                    kinds.join(if lang.is_ja() { "・" } else { ", " })
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

/// True when a file name looks like a claim file (`*.UKE` or 調剤 `*.CYO`, any case:
/// `RECEIPTC.UKE`, `RECEIPTY.CYO` …).
pub fn is_claim_name(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("uke") || e.eq_ignore_ascii_case("cyo"))
}

/// True when a file's first bytes look like a claim file whatever its name: a first record
/// `IR,` (医科, DPC), `UK,` (歯科) or `YK,` (調剤), after an optional UTF-8 BOM.
pub fn looks_like_claim(p: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 6];
    let n = std::fs::File::open(p)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    let h = &head[..n];
    let h = h.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(h);
    [b"IR,", b"UK,", b"YK,"].iter().any(|id| h.starts_with(*id))
}

/// One input of a run, after folders are expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file to check (given directly, or a claim file found in a folder).
    File(PathBuf),
    /// A folder given on the command line that holds no claim file at all: it could not be
    /// checked (exit code 2). `others` counts the files in it that are not claim files.
    NoClaimFile { dir: PathBuf, others: usize },
}

/// Why a folder's entry was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipWhy {
    /// A file that is not a claim file by name or content.
    NotClaim,
    /// A symbolic link to a folder: not followed (a link back up would never end).
    LinkedFolder,
    /// Neither a file nor a folder (a broken link, a socket, a FIFO …).
    NotAFile,
    /// A symbolic link to a file the run checks anyway (found in a folder, or named).
    SameFile,
}

impl SkipWhy {
    /// As `-v` says it.
    pub fn text(self) -> &'static str {
        match self {
            SkipWhy::NotClaim => {
                "請求ファイルではないので飛ばしました / skipped, not a claim file"
            }
            SkipWhy::LinkedFolder => {
                "フォルダへのシンボリックリンクはたどりません / skipped, a symbolic link to a folder is not followed"
            }
            SkipWhy::NotAFile => {
                "ファイルではないので飛ばしました（リンク切れなど） / skipped, not a file (a broken link, say)"
            }
            SkipWhy::SameFile => {
                "ほかの場所で検査するファイルへのリンクなので飛ばしました / skipped, a link to a file checked anyway"
            }
        }
    }
}

/// Expands folders (recursively) into claim files, recognised by name or content, in the
/// order given (a folder's entries sorted by name); returns them and the entries skipped,
/// with why. A symbolic link to a file is checked as the file (a month gathered by links is
/// still a month), unless the run checks that file anyway (a link beside its target, two
/// links to one file: a file's receipts counted twice would be a month that never was); one
/// to a folder is not followed. A path given directly is always checked, whatever its name;
/// a folder without any claim file is an input of its own, so it is reported.
pub fn expand_inputs(paths: &[PathBuf]) -> (Vec<Input>, Vec<(PathBuf, SkipWhy)>) {
    let mut links = Vec::new();
    let (out, mut skipped) = expand_with_links(paths, &mut links);
    if links.is_empty() {
        return (out, skipped);
    }
    // The files checked anyway, then each link in order: its target once.
    let mut seen: std::collections::HashSet<PathBuf> = out
        .iter()
        .enumerate()
        .filter(|(i, _)| links.binary_search(i).is_err())
        .filter_map(|(_, input)| match input {
            Input::File(p) => std::fs::canonicalize(p).ok(),
            Input::NoClaimFile { .. } => None,
        })
        .collect();
    let mut drop = vec![false; out.len()];
    for &i in &links {
        if let Input::File(p) = &out[i] {
            if let Ok(target) = std::fs::canonicalize(p) {
                if !seen.insert(target) {
                    drop[i] = true;
                    skipped.push((p.clone(), SkipWhy::SameFile));
                }
            }
        }
    }
    let out = out
        .into_iter()
        .zip(drop)
        .filter_map(|(input, d)| (!d).then_some(input))
        .collect();
    (out, skipped)
}

/// [`expand_inputs`] before the links are weighed: `links` gets the positions (ascending) of
/// the inputs that are symbolic links found in a folder.
fn expand_with_links(
    paths: &[PathBuf],
    links: &mut Vec<usize>,
) -> (Vec<Input>, Vec<(PathBuf, SkipWhy)>) {
    fn walk(
        dir: &Path,
        out: &mut Vec<Input>,
        skipped: &mut Vec<(PathBuf, SkipWhy)>,
        links: &mut Vec<usize>,
    ) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            out.push(Input::File(dir.to_path_buf())); // reported as unreadable
            return;
        };
        let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Ok(t) = e.file_type() else { continue };
            let p = e.path();
            let (is_file, is_dir) = if t.is_symlink() {
                match std::fs::metadata(&p) {
                    Ok(m) if m.is_dir() => {
                        skipped.push((p, SkipWhy::LinkedFolder));
                        continue;
                    }
                    Ok(m) => (m.is_file(), false),
                    Err(_) => (false, false),
                }
            } else {
                (t.is_file(), t.is_dir())
            };
            if is_dir {
                walk(&p, out, skipped, links);
            } else if !is_file {
                skipped.push((p, SkipWhy::NotAFile));
            } else if is_claim_name(&p) || looks_like_claim(&p) {
                if t.is_symlink() {
                    links.push(out.len());
                }
                out.push(Input::File(p));
            } else {
                skipped.push((p, SkipWhy::NotClaim));
            }
        }
    }
    let (mut out, mut skipped) = (Vec::new(), Vec::new());
    for p in paths {
        if p.is_dir() {
            let (at, skipped_before) = (out.len(), skipped.len());
            walk(p, &mut out, &mut skipped, links);
            if out.len() == at {
                out.push(Input::NoClaimFile {
                    dir: p.clone(),
                    others: skipped.len() - skipped_before,
                });
            }
        } else {
            out.push(Input::File(p.clone()));
        }
    }
    (out, skipped)
}

/// The claim files of `paths` (folders expanded as [`expand_inputs`] does) and the files
/// skipped; folders without a claim file add nothing.
pub fn expand(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, SkipWhy)>) {
    let (inputs, skipped) = expand_inputs(paths);
    let files = inputs
        .into_iter()
        .filter_map(|i| match i {
            Input::File(p) => Some(p),
            Input::NoClaimFile { .. } => None,
        })
        .collect();
    (files, skipped)
}

/// The report of a folder without any claim file.
fn no_claim_file(dir: &Path, others: usize) -> FileReport {
    FileReport {
        path: dir.display().to_string(),
        unreadable: Some(if others == 0 {
            "フォルダに請求ファイルがありません（空のフォルダです） / no claim file in this folder (it is empty)".to_string()
        } else {
            format!(
                "フォルダに請求ファイルがありません（フォルダ内のファイル {others} 個はどれも請求ファイルではありません。--verbose で一覧） / no claim file in this folder ({others} file(s), none of them a claim file; --verbose lists them)"
            )
        }),
        ..FileReport::default()
    }
}

/// Runs `f` at `stage`; a panic becomes the arguments of an X001 finding.
fn guarded<T>(stage: Stage, f: impl FnOnce() -> T) -> Result<T, Vec<crate::report::Arg>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        internal::test_panic(stage);
        f()
    }))
    .map_err(|p| internal::x001_args(stage, &*p))
}

/// Adds a file-level X001 finding with `args` to every report that was read.
fn add_x001(reports: &mut [FileReport], args: &[crate::report::Arg]) {
    for r in reports.iter_mut().filter(|r| r.unreadable.is_none()) {
        let mut cx = crate::rules::Cx::default();
        cx.file(&internal::X001, args.to_vec());
        r.diagnostics.extend(cx.diags);
    }
}

/// What the progress bar says besides the bar: files done / total, bytes done / total,
/// receipts per second and the time left, in the run's language, with thousands separators.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ProgressLine {
    pub files: (u64, u64),
    pub bytes: (u64, u64),
    pub receipts: u64,
    pub elapsed: std::time::Duration,
}

impl ProgressLine {
    /// Seconds left, from the bytes: the rate so far over what is left. `None` until a
    /// little work was done (under 1 % and half a second the rate means nothing).
    pub fn eta(&self) -> Option<u64> {
        let (done, total) = self.bytes;
        let secs = self.elapsed.as_secs_f64();
        if done == 0 || secs < 0.5 || (done.saturating_mul(100) < total && secs < 2.0) {
            return None;
        }
        let left = total.saturating_sub(done) as f64 * secs / done as f64;
        Some(left.round() as u64)
    }

    /// The label before the bar.
    pub fn label(lang: Lang) -> &'static str {
        if lang.is_ja() {
            "検査中"
        } else {
            "Checking"
        }
    }

    pub fn text(&self, lang: Lang) -> String {
        use crate::render::thousands as n;
        let rate = (self.receipts as f64 / self.elapsed.as_secs_f64().max(0.001)).round() as u64;
        let mb = |b: u64| {
            let tenths = (b as f64 / 100_000.0).round() as u64;
            format!("{}.{}", n(tenths / 10), tenths % 10)
        };
        let (fd, ft) = self.files;
        let (bd, bt) = self.bytes;
        let eta = self.eta();
        if lang.is_ja() {
            let left = match eta {
                Some(t) => format!("残り {}", duration(t, true)),
                None => "残り 計算中".to_string(),
            };
            format!(
                "ファイル {}/{}・{}/{} MB・{} レセプト/秒・{left}",
                n(fd),
                n(ft),
                mb(bd),
                mb(bt),
                n(rate)
            )
        } else {
            let left = match eta {
                Some(t) => format!("{} left", duration(t, false)),
                None => "time left: estimating".to_string(),
            };
            format!(
                "files {}/{}, {}/{} MB, {} receipts/s, {left}",
                n(fd),
                n(ft),
                mb(bd),
                mb(bt),
                n(rate)
            )
        }
    }
}

/// `3725` → `1時間2分5秒` / `1h 2m 5s`; seconds only under a minute.
fn duration(secs: u64, ja: bool) -> String {
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let units: [(u64, &str, &str); 3] = [(h, "時間", "h"), (m, "分", "m"), (s, "秒", "s")];
    let first = units.iter().position(|u| u.0 > 0).unwrap_or(2);
    let parts: Vec<String> = units[first..]
        .iter()
        .map(|(v, j, e)| format!("{v}{}", if ja { j } else { e }))
        .collect();
    parts.join(if ja { "" } else { " " })
}

/// Shows a labelled progress bar on stderr until dropped (see [`ProgressLine`]).
struct ProgressShow {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl ProgressShow {
    fn start(p: std::sync::Arc<Progress>, files: u64, total: u64, lang: Lang) -> Self {
        use std::sync::atomic::Ordering::Relaxed;
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = done.clone();
        let handle = std::thread::spawn(move || {
            let bar = indicatif::ProgressBar::new(total.max(1));
            bar.set_style(
                indicatif::ProgressStyle::with_template("{prefix} {bar:30} {percent:>3}% {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_prefix(ProgressLine::label(lang));
            let start = std::time::Instant::now();
            while !stop.load(Relaxed) {
                let line = ProgressLine {
                    files: (p.files.load(Relaxed), files),
                    bytes: (p.bytes.load(Relaxed).min(total), total),
                    receipts: p.receipts.load(Relaxed),
                    elapsed: start.elapsed(),
                };
                bar.set_position(line.bytes.0);
                bar.set_message(line.text(lang));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        ProgressShow {
            done,
            handle: Some(handle),
        }
    }
}

impl Drop for ProgressShow {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Checks one input path.
fn check_one(p: &Path, _a: &CheckArgs, opts: &CheckOptions) -> FileReport {
    check_path(p, &p.display().to_string(), opts)
}

/// Checks standard input (`-`), whose first bytes `start` were read to plan the run.
fn check_stdin(start: Vec<u8>, a: &CheckArgs, opts: &CheckOptions) -> FileReport {
    use std::io::Read;
    let stdin = std::io::Cursor::new(start).chain(std::io::stdin());
    check_reader(&a.stdin_filename, stdin, opts).unwrap_or_else(|e| FileReport {
        path: a.stdin_filename.clone(),
        unreadable: Some(format!(
            "標準入力を読み取れません / cannot read standard input: {e}"
        )),
        ..FileReport::default()
    })
}

/// The settings of a run: the config file (found, named or ignored) with the command line on
/// top. An error here is a usage error (exit code 2).
fn settings(a: &CheckArgs) -> Result<(Settings, Option<PathBuf>), String> {
    let file = if a.isolated {
        None
    } else if let Some(p) = &a.config {
        Some(p.clone())
    } else {
        std::env::current_dir()
            .ok()
            .and_then(|d| config::discover(&d))
    };
    let s = match &file {
        Some(p) => config::load(p)?,
        None => Settings::default(),
    };
    Ok((overlay(s, a)?, file))
}

/// `recelint serve`'s settings: the `recelint.toml` found upward from the current folder
/// (uploads have no folder of their own), or `--config`, or none with `--isolated`; the
/// evidence options on top. Its `select`, `ignore`, `[severity]`, `qualifications` and
/// `history` apply to every check of the page.
fn serve_settings(a: &ServeArgs) -> Result<(Settings, Option<PathBuf>), String> {
    let file = if a.isolated {
        None
    } else if let Some(p) = &a.config {
        Some(p.clone())
    } else {
        std::env::current_dir()
            .ok()
            .and_then(|d| config::discover(&d))
    };
    let mut s = match &file {
        Some(p) => config::load(p)?,
        None => Settings::default(),
    };
    if !a.qualifications.is_empty() {
        s.qualifications = a.qualifications.clone();
    }
    if !a.history.is_empty() {
        s.history = a.history.clone();
    }
    Ok((s, file))
}

/// The command line's options on top of a settings file's.
fn overlay(mut s: Settings, a: &CheckArgs) -> Result<Settings, String> {
    if !a.select.is_empty() {
        s.select = a
            .select
            .iter()
            .map(|x| config::check_selector(x))
            .collect::<Result<_, _>>()?;
    }
    if !a.ignore.is_empty() {
        s.ignore = a
            .ignore
            .iter()
            .map(|x| config::check_selector(x))
            .collect::<Result<_, _>>()?;
    }
    if let Some(f) = &a.fail_on {
        s.fail_on = config::parse_severity(f)?;
    }
    if let Some(l) = a.lang {
        s.lang = Some(if l == LangArg::En { "en" } else { "ja" }.into());
    }
    if !a.qualifications.is_empty() {
        s.qualifications = a.qualifications.clone();
    }
    if !a.history.is_empty() {
        s.history = a.history.clone();
    }
    Ok(s)
}

/// Each checked file's settings, as linters find them: the `recelint.toml` nearest to the
/// file, searching upward from its folder (with the command line on top). Without one, or
/// with `--config` / `--isolated`, the run's settings. Found files are read once.
struct PerFile<'a> {
    run: &'a Settings,
    run_file: Option<PathBuf>,
    fixed: bool,
    by_dir: std::collections::HashMap<PathBuf, Option<PathBuf>>,
    loaded: std::collections::HashMap<PathBuf, Settings>,
}

impl<'a> PerFile<'a> {
    fn new(run: &'a Settings, run_file: Option<PathBuf>, a: &CheckArgs) -> Self {
        PerFile {
            run,
            run_file,
            fixed: a.isolated || a.config.is_some(),
            by_dir: Default::default(),
            loaded: Default::default(),
        }
    }

    /// The settings of the file at `path` (an error names the settings file).
    fn of(&mut self, path: &str, a: &CheckArgs) -> Result<&Settings, String> {
        if self.fixed || path == "-" {
            return Ok(self.run);
        }
        let dir = Path::new(path)
            .parent()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    d
                }
            })
            .unwrap_or(Path::new("."));
        let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        let found = self
            .by_dir
            .entry(dir.clone())
            .or_insert_with(|| config::discover(&dir))
            .clone();
        let run_file = self
            .run_file
            .as_ref()
            .and_then(|f| std::fs::canonicalize(f).ok());
        match found {
            Some(f) if Some(std::fs::canonicalize(&f).unwrap_or(f.clone())) != run_file => {
                if !self.loaded.contains_key(&f) {
                    let s = overlay(config::load(&f)?, a)?;
                    self.loaded.insert(f.clone(), s);
                }
                Ok(&self.loaded[&f])
            }
            _ => Ok(self.run),
        }
    }
}

/// `--show-settings`: the settings the run would use and where they came from, as TOML a
/// `recelint.toml` could hold (the source as a comment).
fn show_settings(s: &Settings, file: Option<&Path>, a: &CheckArgs) -> String {
    let list = |v: &[String]| {
        let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
        format!("[{}]", items.join(", "))
    };
    let mut out = String::new();
    out.push_str(&match (file, a.isolated) {
        (Some(p), _) => format!("# 設定ファイル / settings file: {}\n", p.display()),
        (None, true) => "# 設定ファイルなし（--isolated） / no settings file (--isolated)\n".into(),
        (None, false) => {
            "# 設定ファイルなし（既定値） / no settings file found (defaults)\n".into()
        }
    });
    out.push_str(
        "# コマンドラインの指定はこの上に重ねています / command-line options are applied on top\n",
    );
    out.push_str(&format!("select = {}\n", list(&s.select)));
    out.push_str(&format!("ignore = {}\n", list(&s.ignore)));
    out.push_str(&format!("fail-on = {:?}\n", s.fail_on.as_str()));
    out.push_str(&format!("lang = {:?}\n", s.lang.as_deref().unwrap_or("ja")));
    if !s.qualifications.is_empty() {
        let q: Vec<String> = s
            .qualifications
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        out.push_str(&format!("qualifications = {}\n", list(&q)));
    }
    if !s.history.is_empty() {
        let h: Vec<String> = s.history.iter().map(|p| p.display().to_string()).collect();
        out.push_str(&format!("history = {}\n", list(&h)));
    }
    if !s.severity.is_empty() {
        out.push_str("[severity]\n");
        for (code, sev) in &s.severity {
            out.push_str(&format!("{code} = {:?}\n", sev.as_str()));
        }
    }
    out
}

fn check_cmd(a: &CheckArgs) -> i32 {
    let (settings, settings_file) = match settings(a) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("recelint: {e}");
            return 2;
        }
    };
    if a.show_settings {
        print!("{}", show_settings(&settings, settings_file.as_deref(), a));
        return 0;
    }
    if a.verbose {
        match &settings_file {
            Some(p) => eprintln!("recelint: 設定ファイル / settings: {}", p.display()),
            None => eprintln!("recelint: 設定ファイルなし / no settings file"),
        }
    }
    let lang = if settings.lang.as_deref() == Some("en") {
        Lang::En
    } else {
        Lang::Ja
    };
    let stdout = std::io::stdout();
    let color = match a.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            let forced = std::env::var_os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0");
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            forced || (a.output_file.is_none() && stdout.is_terminal() && !no_color)
        }
    };
    let style = Style {
        lang,
        verbose: a.verbose,
        color: color && a.format == Format::Text,
        quiet: a.quiet,
    };
    if let Some(n) = a.threads {
        // Only fails if a pool already exists (a second run in one process): keep that one.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
    let (inputs, skipped) = expand_inputs(&a.paths);
    if a.verbose {
        for (p, why) in &skipped {
            eprintln!("recelint: {}: {}", why.text(), p.display());
        }
    }
    let files: Vec<&Path> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File(p) => Some(p.as_path()),
            Input::NoClaimFile { .. } => None,
        })
        .collect();
    if let Some(out) = &a.output_file {
        // Never write to an input: the same file by any path is refused before anything runs.
        let same = |p: &Path| match (std::fs::canonicalize(p), std::fs::canonicalize(out)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        };
        if let Some(p) = files.iter().find(|p| same(p)) {
            eprintln!(
                "recelint: --output-file {} は検査する入力ファイルです。入力には書き込みません / is an input file; recelint never writes to an input",
                p.display()
            );
            return 2;
        }
    }
    let progress = std::sync::Arc::new(Progress::default());
    let show =
        (a.format == Format::Text && !a.no_progress && !a.quiet && std::io::stderr().is_terminal())
            .then(|| {
                let total = files
                    .iter()
                    .filter_map(|p| std::fs::metadata(p).ok())
                    .map(|m| m.len())
                    .sum();
                ProgressShow::start(progress.clone(), files.len() as u64, total, lang)
            });
    let opts = CheckOptions {
        // The line decoded: text shows it; SARIF, concise and github give the field's column.
        source_lines: matches!(
            a.format,
            Format::Text | Format::Sarif | Format::Concise | Format::Github
        ),
        chunk_size: 0,
        progress: show.as_ref().map(|_| progress.clone()),
        kind: a.kind.map(Into::into),
    };
    // The run planned by facility from each file's first line (standard input's first bytes
    // are read for it and put back in front of the rest).
    let stdin_start: std::sync::Mutex<Option<Vec<u8>>> = std::sync::Mutex::new(None);
    let forced = a.kind.map(Into::into);
    let places: Vec<batch::Place> = inputs
        .par_iter()
        .map(|input| match input {
            Input::NoClaimFile { .. } => batch::Place::Alone,
            Input::File(p) if p.as_os_str() == "-" => {
                use std::io::Read;
                let mut start = Vec::new();
                let _ = std::io::stdin()
                    .lock()
                    .take(crate::scan::FACILITY_BYTES as u64)
                    .read_to_end(&mut start);
                let place = batch::place(&start, forced);
                *stdin_start.lock().unwrap_or_else(|p| p.into_inner()) = Some(start);
                place
            }
            Input::File(p) => batch::place_of_path(p, forced),
        })
        .collect();
    let sizes: Vec<u64> = inputs
        .iter()
        .map(|i| match i {
            Input::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
            Input::NoClaimFile { .. } => 0,
        })
        .collect();
    let history_paths = expand(&settings.history).0;
    let history_places: Vec<batch::Place> = history_paths
        .par_iter()
        .map(|p| batch::place_of_path(p, None))
        .collect();
    let plan = batch::plan(&places, &history_places, a.shard);
    // The qualification evidence (CSV, オンライン資格確認 result files, folders, ZIPs), read
    // once for every facility. (The stage's test panic is raised in each facility's
    // resolution, not here.)
    let qualifications: Vec<crate::qualify::onshi::Input> = settings
        .qualifications
        .iter()
        .map(|p| crate::qualify::onshi::Input::Path(p.clone()))
        .collect();
    let read_evidence = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::qualify::onshi::read(qualifications)
    }))
    .map_err(|p| internal::x001_args(Stage::Resolution, &*p));
    let (rows, csv_extra) = match read_evidence {
        Ok(x) => x,
        Err(args) => {
            let mut r = FileReport {
                path: settings
                    .qualifications
                    .first()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                ..FileReport::default()
            };
            let mut cx = crate::rules::Cx::default();
            cx.file(&internal::X001, args);
            r.diagnostics = cx.diags;
            (Vec::new(), vec![r])
        }
    };
    let rows = crate::qualify::index::Rows::build(rows);
    let check_input_file = |i: usize| -> FileReport {
        match &inputs[i] {
            Input::NoClaimFile { dir, others } => no_claim_file(dir, *others),
            Input::File(p) => guarded(Stage::Check, || {
                if p.as_os_str() == "-" {
                    let start = stdin_start
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .take()
                        .unwrap_or_default();
                    check_stdin(start, a, &opts)
                } else {
                    check_one(p, a, &opts)
                }
            })
            .unwrap_or_else(|args| {
                // A bug outside the chunk scan: the file gets an X001 instead of the run
                // stopping.
                let mut cx = crate::rules::Cx::default();
                cx.file(&internal::X001, args);
                FileReport {
                    path: p.display().to_string(),
                    diagnostics: cx.diags,
                    ..FileReport::default()
                }
            }),
        }
    };
    let check_input = |i: usize| -> FileReport {
        let report = check_input_file(i);
        if let Some(p) = &opts.progress {
            p.files.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        report
    };
    let check_history = |i: usize| batch::history_file(&history_paths[i]);
    let size = |i: usize| sizes[i];
    let steps = batch::Steps {
        input: &check_input,
        history: &check_history,
        size: &size,
        window: (batch::WINDOW_BYTES, batch::WINDOW_FILES),
    };
    // A bug after the per-file checks still ends the run with a valid report and exit code 2.
    let internal_error = std::sync::atomic::AtomicBool::new(false);
    let bug = |reports: &mut [FileReport], payload: Box<dyn std::any::Any + Send>| {
        internal_error.store(true, std::sync::atomic::Ordering::Relaxed);
        add_x001(reports, &internal::x001_args(Stage::Resolution, &*payload));
    };
    let sink: Box<dyn std::io::Write + '_> = match &a.output_file {
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("recelint: --output-file {}: {e}", p.display());
                return 2;
            }
        },
        None => Box::new(stdout.lock()),
    };
    let baseline = match &a.baseline {
        Some(p) => match crate::settings::baseline::load(p) {
            Ok(b) => Some(crate::settings::baseline::Hider::new(&b)),
            Err(e) => {
                eprintln!("recelint: {e}");
                return 2;
            }
        },
        None => None,
    };
    let mut after = After {
        per_file: PerFile::new(&settings, settings_file.clone(), a),
        a,
        baseline,
        recorded: a
            .write_baseline
            .as_ref()
            .map(|_| crate::settings::baseline::Recorder::default()),
        statistics: a.statistics.then(Statistics::default),
        writer: None,
        fails: false,
        unreadable: false,
        not_read: Vec::new(),
        internal_error: false,
        settings_error: None,
    };
    // Every input's settings are found before anything is written: a broken recelint.toml
    // is a usage error (exit 2) with nothing on stdout.
    for r in inputs.iter().map(|i| match i {
        Input::File(p) if p.as_os_str() == "-" => a.stdin_filename.clone(),
        Input::File(p) => p.display().to_string(),
        Input::NoClaimFile { dir, .. } => dir.display().to_string(),
    }) {
        if let Err(e) = after.per_file.of(&r, a) {
            eprintln!("recelint: {e}");
            return 2;
        }
    }
    let mut sink = Some(sink);
    if !a.statistics && a.write_baseline.is_none() {
        after.writer = sink.take().map(|s| Writer::new(a.format, style, s));
    }
    let tail = batch::stream(&plan, &rows, &steps, &bug, &mut |mut batch| {
        after.take(&mut batch)
    });
    drop(show);
    let mut tail: Vec<FileReport> = csv_extra.into_iter().chain(tail).collect();
    if !tail.is_empty() {
        after.take(&mut tail);
    }
    let internal_error = after.internal_error || internal_error.into_inner();
    if let Some(e) = &after.settings_error {
        eprintln!("recelint: {e}");
        return 2;
    }
    // Writing a baseline is the whole job of that run (a CI step "create the baseline"): it
    // says what it recorded and succeeds, unless a path could not be checked (the baseline
    // would then miss its findings).
    if let (Some(rec), Some(p)) = (after.recorded.take(), &a.write_baseline) {
        let b = rec.finish();
        let n: usize = b.findings.iter().map(|e| e.count).sum();
        if let Err(e) = crate::settings::baseline::write(p, &b) {
            eprintln!("recelint: {e}");
            return 2;
        }
        let (ja, en) = (
            format!("ベースラインに {n} 件の指摘を記録しました: {}", p.display()),
            format!("recorded {n} finding(s) in the baseline {}", p.display()),
        );
        eprintln!("recelint: {}", if style.lang.is_ja() { ja } else { en });
        for (path, m) in &after.not_read {
            eprintln!("recelint: {path}: {m}");
        }
        if internal_error || after.unreadable {
            return 2;
        }
        return 0;
    }
    // The exit code is the findings' verdict: a reader that stops early (`| head`) does not
    // change it. (A bug in rendering a file makes it 2.)
    let code = if internal_error || after.unreadable {
        2
    } else if !a.exit_zero && after.fails {
        1
    } else {
        0
    };
    let render_failed = after.render_failed();
    let written = match (after.statistics.take(), after.writer.take()) {
        (Some(st), _) => match sink.take() {
            Some(mut s) => st.write(a.format, lang, &mut *s),
            None => Ok(()),
        },
        (None, Some(w)) => w.finish(),
        (None, None) => Ok(()),
    };
    let code = if render_failed { 2 } else { code };
    match written {
        Ok(()) => code,
        Err(WriteError::Io(e)) => broken_pipe_or(e, code),
        Err(WriteError::Bug(args)) => {
            // The last net, for a bug outside a file's part (the totals, the end).
            let m = internal::X001.message(style.lang, &args);
            eprintln!("recelint: X001 {m}");
            2
        }
    }
}

/// What happens to each report once its facility is resolved, in input order: the settings
/// of its folder, the baseline, the limit, the verdict, masking, then the output.
struct After<'a, 'w> {
    a: &'a CheckArgs,
    per_file: PerFile<'a>,
    baseline: Option<crate::settings::baseline::Hider>,
    recorded: Option<crate::settings::baseline::Recorder>,
    statistics: Option<Statistics>,
    writer: Option<Writer<'w>>,
    /// Whether a finding fails the run, each file judged by its own settings' fail-on.
    fails: bool,
    unreadable: bool,
    /// With `--write-baseline`: the paths not read and why (said after what was recorded).
    not_read: Vec<(String, String)>,
    internal_error: bool,
    settings_error: Option<String>,
}

impl After<'_, '_> {
    fn take(&mut self, batch: &mut [FileReport]) {
        if self.settings_error.is_some() {
            return;
        }
        let a = self.a;
        let (per_file, baseline, recorded, fails) = (
            &mut self.per_file,
            &mut self.baseline,
            &mut self.recorded,
            &mut self.fails,
        );
        let applied = guarded(Stage::Settings, || -> Result<(), String> {
            for r in batch.iter_mut() {
                let s = per_file.of(&r.path, a)?;
                s.apply(std::slice::from_mut(r));
            }
            if let Some(rec) = recorded.as_mut() {
                rec.add(batch);
            }
            if let Some(h) = baseline.as_mut() {
                h.apply(batch);
            }
            if let Some(n) = a.max_diagnostics {
                for r in batch.iter_mut() {
                    r.limit(n);
                }
            }
            for r in batch.iter() {
                *fails |= per_file.of(&r.path, a)?.fails(std::slice::from_ref(r));
            }
            Ok(())
        });
        match applied {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                self.settings_error = Some(e);
                return;
            }
            Err(args) => {
                self.internal_error = true;
                add_x001(batch, &args);
            }
        }
        if a.redact && self.recorded.is_none() {
            if let Err(args) = guarded(Stage::Settings, || crate::report::redact::redact(batch)) {
                // Nothing unmasked may be shown: only the finding that says why.
                self.internal_error = true;
                for r in batch.iter_mut() {
                    r.diagnostics.clear();
                    r.labels.clear();
                }
                add_x001(batch, &args);
            }
        }
        self.internal_error |= batch.iter().any(FileReport::internal_error);
        self.unreadable |= batch.iter().any(|r| r.unreadable.is_some());
        if self.recorded.is_some() {
            for r in batch.iter() {
                if let Some(m) = &r.unreadable {
                    self.not_read.push((r.path.clone(), m.clone()));
                }
            }
        }
        if let Some(st) = &mut self.statistics {
            st.add(batch);
        }
        if let Some(w) = &mut self.writer {
            w.write(batch);
        }
    }

    fn render_failed(&self) -> bool {
        self.writer.as_ref().is_some_and(|w| w.failed)
    }
}

/// Why the report could not be written to the end.
enum WriteError {
    Io(std::io::Error),
    /// A bug outside a file's part: the arguments of its X001.
    Bug(Vec<crate::report::Arg>),
}

/// Files rendered at a time: their parts are made in parallel, then written in order.
const RENDER_WINDOW: usize = 64;

/// The run's report as it is written: each window of files rendered in parallel, one part
/// per file (a file whose part cannot be made is rendered as its X001 alone, and `failed`
/// is set), the parts written in input order, then the end. After a write error nothing
/// more is written (the run goes on for its exit code).
struct Writer<'w> {
    format: Format,
    r: Box<dyn crate::render::Renderer>,
    totals: Totals,
    out: std::io::BufWriter<Box<dyn std::io::Write + 'w>>,
    base: usize,
    failed: bool,
    error: Option<WriteError>,
}

impl<'w> Writer<'w> {
    fn new(format: Format, style: Style, sink: Box<dyn std::io::Write + 'w>) -> Self {
        Writer {
            format,
            r: renderer(format, style),
            totals: Totals::default(),
            // Block-buffered: a locked stdout is line-buffered, which made every diagnostic
            // of a JSON or text report its own write (20,000 system calls for a month's
            // findings).
            out: std::io::BufWriter::with_capacity(1 << 16, sink),
            base: 0,
            failed: false,
            error: None,
        }
    }

    fn write(&mut self, reports: &mut [FileReport]) {
        if self.error.is_some() {
            return;
        }
        let run =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.write_all(reports)));
        match run {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.error = Some(WriteError::Io(e)),
            Err(p) => self.error = Some(WriteError::Bug(internal::x001_args(Stage::Render, &*p))),
        }
    }

    fn write_all(&mut self, reports: &mut [FileReport]) -> std::io::Result<()> {
        for window in reports.chunks_mut(RENDER_WINDOW) {
            let r_ref: &dyn crate::render::Renderer = &*self.r;
            let base = self.base;
            let parts: Vec<(bool, std::io::Result<crate::render::Part>)> = window
                .par_iter_mut()
                .enumerate()
                .map(
                    |(i, rep)| match guarded(Stage::Render, || r_ref.part(base + i, rep)) {
                        Ok(part) => (false, part),
                        Err(args) => {
                            *rep = FileReport {
                                path: rep.path.clone(),
                                receipts: rep.receipts,
                                kind: rep.kind,
                                ..FileReport::default()
                            };
                            add_x001(std::slice::from_mut(rep), &args);
                            let part =
                                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    r_ref.part(base + i, rep)
                                }))
                                .unwrap_or_else(|_| Ok(crate::render::Part::default()));
                            (true, part)
                        }
                    },
                )
                .collect();
            self.base += window.len();
            for (rep, (bad, part)) in window.iter().zip(parts) {
                self.failed |= bad;
                self.totals.add(rep);
                self.r.put(&mut self.out, rep, part?)?;
                if let Some(msg) = &rep.unreadable {
                    if self.format != Format::Text {
                        // After what came before it on stdout, as when stdout was
                        // line-buffered.
                        self.out.flush()?;
                        eprintln!("recelint: {}: {}", rep.path, msg);
                    }
                }
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), WriteError> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.r.finish(&mut self.out, &self.totals)?;
            std::io::Write::flush(&mut self.out)
        }));
        match run {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(WriteError::Io(e)),
            Err(p) => Err(WriteError::Bug(internal::x001_args(Stage::Render, &*p))),
        }
    }
}

/// `--statistics`: the findings counted per rule over every file, most first (then by code),
/// like ruff's: text `COUNT CODE name title`, or with `--format json` an array of
/// `{"code","name","severity","count"}`. Infos are counted too.
#[derive(Default)]
struct Statistics {
    m: std::collections::BTreeMap<&'static str, (usize, &'static crate::report::Rule)>,
}

impl Statistics {
    fn add(&mut self, reports: &[FileReport]) {
        for r in reports {
            for d in &r.diagnostics {
                self.m.entry(d.rule.code).or_insert((0, d.rule)).0 += 1;
            }
            for (code, n) in &r.omitted_rules {
                if let Some(rule) = crate::rules::find(code) {
                    self.m.entry(rule.code).or_insert((0, rule)).0 += n;
                }
            }
        }
    }

    fn write(
        self,
        format: Format,
        lang: Lang,
        sink: &mut dyn std::io::Write,
    ) -> Result<(), WriteError> {
        let mut v: Vec<_> = self.m.into_values().collect();
        v.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(b.1.code)));
        let mut out = std::io::BufWriter::new(sink);
        let mut run = || -> std::io::Result<()> {
            if format == Format::Json {
                let rows: Vec<_> = v
                    .iter()
                    .map(|(n, r)| {
                        serde_json::json!({
                            "code": r.code, "name": r.name, "severity": r.severity.as_str(), "count": n
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut out, &rows)?;
                writeln!(out)?;
            } else {
                let width = v.first().map_or(1, |(n, _)| n.to_string().len());
                for (n, r) in &v {
                    writeln!(
                        out,
                        "{n:>width$}  {}  {}  {}",
                        r.code,
                        r.name,
                        r.title(lang)
                    )?;
                }
            }
            out.flush()
        };
        run().map_err(WriteError::Io)
    }
}

/// A reader that went away (`| head -1`) keeps the exit code the findings call for; any
/// other write error is exit code 2.
fn broken_pipe_or(e: std::io::Error, code: i32) -> i32 {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        code
    } else {
        eprintln!("recelint: {e}");
        2
    }
}

#[cfg(test)]
mod progress_tests {
    use super::*;
    use std::time::Duration;

    fn at(bytes: (u64, u64), secs: f64) -> ProgressLine {
        ProgressLine {
            files: (41, 1200),
            bytes,
            receipts: 123_456,
            elapsed: Duration::from_secs_f64(secs),
        }
    }

    /// At 40 % after 20 s, 30 s are left (indicatif's own estimate said `0s` there).
    #[test]
    fn the_eta_comes_from_the_bytes() {
        assert_eq!(at((400_000_000, 1_000_000_000), 20.0).eta(), Some(30));
        assert_eq!(at((1_000_000_000, 1_000_000_000), 20.0).eta(), Some(0));
        // Nothing done yet, or too little too soon: no guess.
        assert_eq!(at((0, 1_000_000_000), 20.0).eta(), None);
        assert_eq!(at((1_000, 1_000_000_000), 1.0).eta(), None);
        assert_eq!(at((1_000, 1_000_000_000), 0.2).eta(), None);
    }

    #[test]
    fn the_line_is_labelled_in_japanese_and_english_with_separators() {
        let l = at((400_000_000, 1_234_500_000), 20.0);
        assert_eq!(ProgressLine::label(Lang::Ja), "検査中");
        assert_eq!(ProgressLine::label(Lang::En), "Checking");
        assert_eq!(
            l.text(Lang::Ja),
            "ファイル 41/1,200・400.0/1,234.5 MB・6,173 レセプト/秒・残り 42秒"
        );
        assert_eq!(
            l.text(Lang::En),
            "files 41/1,200, 400.0/1,234.5 MB, 6,173 receipts/s, 42s left"
        );
        let early = at((0, 10), 0.1);
        assert!(early.text(Lang::Ja).ends_with("残り 計算中"));
        assert!(early.text(Lang::En).ends_with("time left: estimating"));
    }

    #[test]
    fn durations_read_as_hours_minutes_seconds() {
        assert_eq!(duration(0, true), "0秒");
        assert_eq!(duration(59, false), "59s");
        assert_eq!(duration(3725, true), "1時間2分5秒");
        assert_eq!(duration(3725, false), "1h 2m 5s");
        assert_eq!(duration(120, false), "2m 0s");
    }
}
