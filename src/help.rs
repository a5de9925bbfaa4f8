//! The command line's help in Japanese and English: one [`Text`] pair per subcommand and
//! option, applied to the clap command at run time in the language chosen by [`lang_of`]
//! (the derive structs in `cli.rs` stay one set; their doc comments are the code's
//! documentation, this table is what `--help` shows).

use crate::report::Lang;
use std::ffi::OsString;

/// One help text in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Text {
    pub ja: &'static str,
    pub en: &'static str,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &'static str {
        if lang.is_ja() {
            self.ja
        } else {
            self.en
        }
    }
}

const fn t(ja: &'static str, en: &'static str) -> Text {
    Text { ja, en }
}

/// The program's one-line description.
pub(crate) const ABOUT: Text = t(
    "レセプト電算処理システムの請求ファイル（医科・歯科・調剤・DPC）を提出前に検査します",
    "Lints Japanese medical claim files (医科・歯科・調剤・DPC) before submission",
);

/// `-h` / `--help` and `-V` / `--version`.
const HELP_FLAG: Text = t(
    "ヘルプを表示する（-h は要約）",
    "Print help (-h for a summary)",
);
const VERSION_FLAG: Text = t("バージョンを表示する", "Print version");
const HELP_COMMAND: Text = t(
    "このヘルプ、またはコマンドのヘルプを表示する（recelint help check）",
    "Print this message or the help of the given subcommand(s)",
);

/// Each subcommand's description.
pub(crate) const COMMANDS: &[(&str, Text)] = &[
    (
        "check",
        t(
            "請求ファイルを検査する（ファイルまたはフォルダ）",
            "Check claim files (files or folders)",
        ),
    ),
    (
        "serve",
        t(
            "窓口用の画面を開く（127.0.0.1 だけ・どこにも送信しない）",
            "Open the desk page for office staff (127.0.0.1 only, nothing sent)",
        ),
    ),
    (
        "completions",
        t(
            "シェル補完スクリプトを出力する",
            "Print a shell completion script",
        ),
    ),
    (
        "rules",
        t(
            "規則の一覧・1 つの規則の説明",
            "List the rules, or explain one",
        ),
    ),
];

/// Each option and argument of each subcommand, by clap id.
pub(crate) const OPTIONS: &[(&str, &str, Text)] = &[
    ("check", "paths", t(
        "ファイルまたはフォルダ（フォルダでは *.UKE・*.CYO と、最初のレコードが請求の頭のファイルを探します）",
        "Files or folders (folders are searched for *.UKE and *.CYO files, and files whose first record is a claim header)",
    )),
    ("check", "format", t("出力の形式", "Output format")),
    ("check", "lang", t(
        "メッセージの言語（既定: 設定ファイルの lang、なければ ja）",
        "Message language (default: the config's `lang`, else ja)",
    )),
    ("check", "config", t(
        "recelint.toml を探さずにこの設定ファイルを使う",
        "Use this config file instead of looking for recelint.toml",
    )),
    ("check", "isolated", t("設定ファイルを一切読まない", "Ignore every config file")),
    ("check", "select", t(
        "この規則だけ（コードまたは接頭辞、カンマ区切り: Q,S010）。設定ファイルより優先",
        "Only these rules (codes or prefixes, comma-separated: Q,S010); overrides the config",
    )),
    ("check", "ignore", t(
        "この規則を除く（コードまたは接頭辞）。設定ファイルより優先",
        "Not these rules (codes or prefixes); overrides the config",
    )),
    ("check", "fail_on", t(
        "終了コードを 1 にする最も低い重大度（既定 error）",
        "Lowest severity that makes the exit code 1 (default error)",
    )),
    ("check", "exit_zero", t(
        "指摘があっても終了コード 0（読めないものがあれば 2 のまま）",
        "Exit 0 even with findings (2 still means something could not be read)",
    )),
    ("check", "write_baseline", t(
        "今の指摘を FILE に記録して終了コード 0（JSON。請求ファイルと同じように保管）",
        "Record today's findings in FILE (JSON; keep it like the claim files) and exit 0",
    )),
    ("check", "baseline", t(
        "FILE に記録した指摘を隠し、新しい指摘だけを報告する",
        "Hide the findings recorded in FILE and report only new ones",
    )),
    ("check", "verbose", t(
        "情報レベルの指摘も表示する（text・concise・github）。使った設定ファイルも示す",
        "Show info-level findings in text, concise and github output, and name the config file used",
    )),
    ("check", "color", t("色付けする", "Colour the output")),
    ("check", "qualifications", t(
        "資格確認の記録（繰り返し可）: オンライン資格確認の資格確認結果（XML）、その res・face フォルダか ZIP、または医療機関の CSV（README 参照）",
        "Qualification evidence (repeatable): the オンライン資格確認 result files (XML), their res / face folders or ZIP archives, or the clinic's CSV (see README)",
    )),
    ("check", "history", t(
        "前月までの請求ファイルかフォルダ: 照合の材料だけで検査結果は出さない（繰り返し可）",
        "An earlier month's claim file or folder: evidence only, not reported on (repeatable)",
    )),
    ("check", "threads", t(
        "作業スレッド数（既定: コア数）。いくつでも出力は同じ",
        "Worker threads (default: one per core); the output is the same for any number",
    )),
    ("check", "max_diagnostics", t(
        "1 ファイルあたり最大 N 件だけ報告し、残りの件数を示す",
        "Report at most N findings per file and say how many more there were",
    )),
    ("check", "kind", t(
        "請求ファイルの種類を判定せずに指定する",
        "Check every file as this kind instead of detecting it",
    )),
    ("check", "no_progress", t(
        "進捗バーを出さない（端末への text 出力のときだけ出ます）",
        "Never show the progress bar (it is shown only for text output on a terminal)",
    )),
    ("check", "redact", t(
        "患者の情報（氏名・生年月日・記号番号・カルテ番号・自由記載）をすべての出力で伏せる（長さと文字の種類は保つ）",
        "Mask patient data (names, birth dates, card numbers, chart numbers, free text) in every output, keeping lengths and character classes",
    )),
    ("check", "output_file", t(
        "報告を標準出力でなく FILE に書く（入力ファイルには決して書かない）",
        "Write the report to FILE instead of standard output (never one of the inputs)",
    )),
    ("check", "statistics", t(
        "指摘の代わりに、規則ごとの件数を多い順に出す",
        "Print how many findings each rule has (most first) instead of the findings",
    )),
    ("check", "quiet", t(
        "text 出力: 指摘だけを出す（ファイルごとの行・合計・進捗バーなし）",
        "Text output: print the findings only (no per-file lines, no totals, no progress bar)",
    )),
    ("check", "show_settings", t(
        "使う設定とその出どころのファイルを表示して終了する",
        "Print the settings the run would use and the file they came from, and exit",
    )),
    ("check", "stdin_filename", t(
        "標準入力（-）を報告するときの名前",
        "The name to report standard input (`-`) under",
    )),
    ("check", "shard", t(
        "N 分割の K 番目の医療機関だけを検査する（医療機関コードのハッシュで分け、同じ医療機関のファイルと前月分は必ず同じ分割に入る）。`--format json-lines` の出力はつなげると 1 つになる",
        "Check only the facilities of shard K of N (by a hash of the 医療機関コード: a facility's files and history always land in the same shard), to split a month over machines; `--format json-lines` outputs of the shards concatenate into one stream",
    )),
    ("serve", "port", t(
        "127.0.0.1 のポート（既定 0: 空いているポートをシステムが選ぶ）",
        "Port on 127.0.0.1 (default 0: a free port chosen by the system)",
    )),
    ("serve", "no_open", t(
        "ブラウザを開かず、アドレスだけを表示する",
        "Do not open the browser; only print the address",
    )),
    ("serve", "lang", t(
        "画面の言語（画面にも切り替えボタンがあります）",
        "Language of the page (it has a switch too)",
    )),
    ("serve", "max_upload_mb", t(
        "受け付ける最大の大きさ（MB、請求ファイルと CSV の合計）",
        "Largest upload accepted, in MB (claim files and CSV together)",
    )),
    ("serve", "config", t(
        "今のフォルダから上へ recelint.toml を探さずに、この設定ファイルを使う",
        "Use this config file instead of looking for recelint.toml upward from the current folder",
    )),
    ("serve", "isolated", t("設定ファイルを一切読まない", "Ignore every config file")),
    ("serve", "qualifications", t(
        "毎回の検査に使う資格確認の記録（繰り返し可。画面で入れたものに加える）",
        "Qualification evidence for every check (repeatable; added to what the page uploads)",
    )),
    ("serve", "history", t(
        "毎回の検査に照合の材料として使う前月までの請求ファイルかフォルダ（繰り返し可）",
        "An earlier month's claim file or folder, evidence for every check (repeatable)",
    )),
    ("serve", "redact", t(
        "画面と保存する報告書で患者の情報を伏せる",
        "Mask patient data in the page and its downloads",
    )),
    ("completions", "shell", t("シェルの種類", "The shell")),
    ("rules", "code", t("説明する規則のコード（例 S010）", "The rule to explain (e.g. S010)")),
    ("rules", "lang", t("説明の言語", "Language of the explanations")),
];

/// Each `--format` value (clap's name), shown under the option in `--help`.
pub(crate) const FORMATS: &[(&str, Text)] = &[
    ("text", t(
        "人が読む形。レセプトごとにまとめ、元の行と項目に下線を引く",
        "Human-readable, grouped by receipt, with the source line and field underlined",
    )),
    ("concise", t(
        "1 件 1 行: `path:line:column: CODE message`",
        "One line per finding: `path:line:column: CODE message`",
    )),
    ("json", t("1 つの JSON 文書", "One JSON document")),
    ("jsonl", t(
        "JSON Lines（json-lines）: 指摘 1 件に 1 行（json と同じ項目）、最後に要約の行",
        "JSON Lines (json-lines): one object per finding (the `json` format's fields), then a summary line",
    )),
    ("sarif", t(
        "SARIF 2.1.0。コードスキャン（GitHub、IDE）向け",
        "SARIF 2.1.0, for code scanning (GitHub, IDE viewers)",
    )),
    ("github", t(
        "GitHub Actions のワークフローコマンド（注釈として表示）",
        "GitHub Actions workflow commands (`::error file=…,line=…::…`), shown as annotations",
    )),
    ("html", t(
        "1 つで完結する HTML の報告書: 判定、規則ごとの直し方、グラフ、レセプトごとの指摘",
        "One self-contained HTML page: verdict, how to fix each rule, charts, findings by receipt",
    )),
    ("gitlab", t(
        "GitLab Code Quality: マージリクエスト向けの JSON 配列",
        "GitLab Code Quality: a JSON array of issues for merge requests",
    )),
    ("junit", t(
        "JUnit XML: ファイルごとのテストスイート、エラー・警告ごとに失敗したテストケース",
        "JUnit XML: a test suite per file, a failed test case per error or warning",
    )),
];

/// `--format`'s long help: the option's text, then each value with its description.
fn formats_help(lang: Lang, head: &str) -> String {
    let width = FORMATS.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let mut s = format!("{head}\n");
    for (name, text) in FORMATS {
        s.push_str(&format!("\n- {name:width$}  {}", text.get(lang)));
    }
    s
}

/// The language of the help: `--lang ja|en` anywhere on the command line, else
/// `RECELINT_LANG`, else the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`) when it starts with
/// `en`; otherwise Japanese (also for `C` / `POSIX` / unset, as on most office PCs).
pub(crate) fn lang_of(args: &[OsString], env: impl Fn(&str) -> Option<String>) -> Lang {
    let named = |v: &str| match v {
        "en" => Some(Lang::En),
        "ja" => Some(Lang::Ja),
        _ => None,
    };
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        let v = if a == "--lang" {
            it.next().map(|v| v.to_string())
        } else {
            a.strip_prefix("--lang=").map(str::to_string)
        };
        if let Some(l) = v.as_deref().and_then(named) {
            return l;
        }
    }
    if let Some(l) = env("RECELINT_LANG").as_deref().and_then(named) {
        return l;
    }
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .find_map(|k| env(k).filter(|v| !v.is_empty()));
    match locale {
        Some(l) if l.starts_with("en") => Lang::En,
        _ => Lang::Ja,
    }
}

/// `cmd` with every help text, heading and the help / version flags in `lang`.
pub(crate) fn localize(cmd: clap::Command, lang: Lang) -> clap::Command {
    let ja = lang.is_ja();
    let mut cmd = cmd
        .about(ABOUT.get(lang))
        .disable_help_flag(true)
        .disable_version_flag(true)
        .arg(help_flag(lang))
        .arg({
            let v = clap::Arg::new("version")
                .short('V')
                .long("version")
                .action(clap::ArgAction::Version)
                .help(VERSION_FLAG.get(lang));
            if ja {
                v.help_heading("オプション")
            } else {
                v
            }
        });
    if ja {
        cmd = cmd
            .subcommand_help_heading("コマンド")
            .subcommand_value_name("コマンド")
            .help_template(TEMPLATE_JA);
    }
    for (name, text) in COMMANDS {
        cmd = cmd.mut_subcommand(*name, |sub| {
            let mut sub = sub
                .about(text.get(lang))
                .disable_help_flag(true)
                .arg(help_flag(lang));
            let ids: Vec<String> = sub
                .get_arguments()
                .map(|a| a.get_id().to_string())
                .collect();
            for id in ids {
                let help = OPTIONS
                    .iter()
                    .find(|(s, i, _)| s == name && *i == id)
                    .map(|(_, _, t)| t.get(lang));
                let is_format = *name == "check" && id == "format";
                sub = sub.mut_arg(id, |a| {
                    let a = match help {
                        Some(h) if is_format => a
                            .help(h)
                            .long_help(formats_help(lang, h))
                            .hide_possible_values(true),
                        Some(h) => a.help(h).long_help(None::<&str>),
                        None => a,
                    };
                    if !ja {
                        a
                    } else if a.is_positional() {
                        japanese_tags(a).help_heading("引数")
                    } else {
                        japanese_tags(a).help_heading("オプション")
                    }
                });
            }
            if ja {
                sub.help_template(TEMPLATE_JA)
            } else {
                sub
            }
        });
    }
    // clap adds the `help` subcommand when the command is built: build it here so that its
    // text can be given too.
    cmd.build();
    cmd.mut_subcommand("help", |h| h.about(HELP_COMMAND.get(lang)))
}

/// A Japanese sentence printed after clap's own (English) message for a command line it
/// could not parse, so that office staff know what went wrong and what to type.
pub(crate) fn error_note(kind: clap::error::ErrorKind) -> Option<&'static str> {
    use clap::error::ErrorKind as K;
    Some(match kind {
        K::UnknownArgument => "知らないオプションです。使えるオプションは recelint check --help で表示します。",
        K::InvalidSubcommand => "知らないコマンドです。コマンドの一覧は recelint --help で表示します。",
        K::InvalidValue | K::ValueValidation => "オプションの値が正しくありません。使える値は --help で表示します。",
        K::MissingRequiredArgument => "必要な引数がありません（検査するファイルまたはフォルダなど）。",
        K::MissingSubcommand | K::DisplayHelpOnMissingArgumentOrSubcommand => {
            "コマンドを指定してください（例: recelint check RECEIPTC.UKE、窓口の画面は recelint serve）。"
        }
        K::ArgumentConflict => "同時に使えないオプションが指定されています。",
        K::TooManyValues | K::WrongNumberOfValues | K::TooFewValues => {
            "オプションの値の数が正しくありません。"
        }
        _ => return None,
    })
}

/// clap's `[default: …]` and `[possible values: …]` tags, in Japanese: the same facts
/// appended to the option's own help (`（既定: text。値: ja, en）`).
fn japanese_tags(a: clap::Arg) -> clap::Arg {
    if !a.get_action().takes_values() {
        return a;
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    let values: Vec<String> = if a.is_hide_possible_values_set() {
        Vec::new()
    } else {
        a.get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect()
    };
    let mut tags = Vec::new();
    // A help that already says its default (`（既定 0: …）`) is not told it twice.
    let says_default = a.get_help().is_some_and(|h| h.to_string().contains("既定"));
    if !defaults.is_empty() && !a.is_hide_default_value_set() && !says_default {
        tags.push(format!("既定: {}", defaults.join(", ")));
    }
    if !values.is_empty() {
        tags.push(format!("値: {}", values.join(", ")));
    }
    if tags.is_empty() {
        return a.hide_default_value(true).hide_possible_values(true);
    }
    let tags = tags.join("。");
    let short = a.get_help().map(|h| format!("{h}（{tags}）"));
    let long = a.get_long_help().map(|h| format!("{h}\n\n{tags}"));
    let mut a = a.hide_default_value(true).hide_possible_values(true);
    if let Some(h) = short {
        a = a.help(h);
    }
    if let Some(h) = long {
        a = a.long_help(h);
    }
    a
}

fn help_flag(lang: Lang) -> clap::Arg {
    let a = clap::Arg::new("help")
        .short('h')
        .long("help")
        .action(clap::ArgAction::Help)
        .help(HELP_FLAG.get(lang));
    if lang.is_ja() {
        a.help_heading("オプション")
    } else {
        a
    }
}

/// clap's default layout with the usage heading in Japanese.
const TEMPLATE_JA: &str =
    "{before-help}{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_language_is_the_options_then_the_environments() {
        assert_eq!(lang_of(&args(&["check", "-h"]), env(&[])), Lang::Ja);
        assert_eq!(
            lang_of(&args(&["check", "--lang", "en", "-h"]), env(&[])),
            Lang::En
        );
        assert_eq!(
            lang_of(&args(&["check", "--lang=en", "-h"]), env(&[])),
            Lang::En
        );
        assert_eq!(
            lang_of(
                &args(&["check", "--lang", "ja"]),
                env(&[("RECELINT_LANG", "en")])
            ),
            Lang::Ja
        );
        assert_eq!(
            lang_of(&args(&["-h"]), env(&[("RECELINT_LANG", "en")])),
            Lang::En
        );
        assert_eq!(
            lang_of(&args(&["-h"]), env(&[("LANG", "en_US.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            lang_of(&args(&["-h"]), env(&[("LANG", "ja_JP.UTF-8")])),
            Lang::Ja
        );
        assert_eq!(
            lang_of(&args(&["-h"]), env(&[("LANG", "C.UTF-8")])),
            Lang::Ja
        );
        assert_eq!(
            lang_of(
                &args(&["-h"]),
                env(&[("LC_ALL", "ja_JP"), ("LANG", "en_US")])
            ),
            Lang::Ja
        );
        // After `--` it is a file name.
        assert_eq!(
            lang_of(&args(&["check", "--", "--lang", "en"]), env(&[])),
            Lang::Ja
        );
    }

    /// Every subcommand and every option has a text in both languages, and no entry names
    /// something the command line does not have.
    #[test]
    fn every_option_and_subcommand_has_both_texts() {
        let cmd = crate::cli::Cli::command();
        let mut seen = Vec::new();
        for sub in cmd.get_subcommands() {
            let name = sub.get_name();
            assert!(
                COMMANDS.iter().any(|(n, _)| *n == name),
                "no help for {name}"
            );
            for a in sub.get_arguments() {
                let id = a.get_id().as_str();
                assert!(
                    OPTIONS.iter().any(|(s, i, _)| *s == name && *i == id),
                    "no help for {name} {id}"
                );
                seen.push((name.to_string(), id.to_string()));
            }
        }
        for (s, i, text) in OPTIONS {
            assert!(
                seen.contains(&(s.to_string(), i.to_string())),
                "{s} {i} is not an option"
            );
            assert!(!text.ja.is_empty() && !text.en.is_empty());
            assert_ne!(text.ja, text.en, "{s} {i}");
        }
        let format = cmd
            .find_subcommand("check")
            .unwrap()
            .get_arguments()
            .find(|a| a.get_id() == "format")
            .unwrap();
        let values: Vec<String> = format
            .get_possible_values()
            .iter()
            .map(|v| v.get_name().to_string())
            .collect();
        let ours: Vec<String> = FORMATS.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(values, ours);
    }

    fn help(lang: Lang, sub: &str, long: bool) -> String {
        let mut cmd = localize(crate::cli::Cli::command(), lang);
        cmd.build();
        let sub = cmd.find_subcommand_mut(sub).unwrap();
        let s = if long {
            sub.render_long_help()
        } else {
            sub.render_help()
        };
        s.to_string()
    }

    #[test]
    fn a_command_line_error_gets_a_japanese_sentence() {
        let mut cmd = localize(crate::cli::Cli::command(), Lang::Ja);
        let e = cmd
            .try_get_matches_from_mut(["recelint", "check", "--bogus", "x"])
            .unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::UnknownArgument);
        assert!(error_note(e.kind()).unwrap().contains("知らないオプション"));
        let e = cmd
            .try_get_matches_from_mut(["recelint", "check", "--format", "foo", "x"])
            .unwrap_err();
        assert!(error_note(e.kind())
            .unwrap()
            .contains("値が正しくありません"));
        assert_eq!(error_note(clap::error::ErrorKind::DisplayVersion), None);
    }

    #[test]
    fn help_is_japanese_or_english_not_both() {
        let ja = help(Lang::Ja, "check", false);
        assert!(
            ja.contains("請求ファイルを検査する")
                && ja.contains("使い方:")
                && ja.contains("オプション:"),
            "{ja}"
        );
        assert!(
            ja.contains("患者の情報") && !ja.contains("Mask patient data"),
            "{ja}"
        );
        let en = help(Lang::En, "check", false);
        assert!(
            en.contains("Check claim files")
                && en.contains("Usage:")
                && en.contains("Mask patient data"),
            "{en}"
        );
        assert!(
            !en.contains("患者の情報") && !en.contains("請求ファイルを検査する"),
            "{en}"
        );
        let long = help(Lang::Ja, "check", true);
        assert!(
            long.contains("- sarif") && long.contains("コードスキャン"),
            "{long}"
        );
        assert!(
            !long.contains("[default") && !long.contains("[possible values"),
            "{long}"
        );
        assert!(
            long.contains("既定: auto。値: auto, always, never"),
            "{long}"
        );
        let serve_ja = help(Lang::Ja, "serve", false);
        assert!(
            !serve_ja.contains("[default") && serve_ja.contains("（既定: 256）"),
            "{serve_ja}"
        );
        let mut top = localize(crate::cli::Cli::command(), Lang::Ja);
        let top = top.render_help().to_string();
        assert!(
            top.contains("コマンドのヘルプを表示する") && !top.contains("Print this message"),
            "{top}"
        );
        let serve = help(Lang::En, "serve", false);
        assert!(serve.contains("Mask patient data in the page"), "{serve}");
    }
}
