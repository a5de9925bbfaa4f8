//! X: recelint's own failures, reported as findings on the file being checked so that one
//! bad input never stops the run.

use super::rule;
use crate::report::{bi, Arg, Rule};

pub static X001: Rule = rule!("X001", "internal-error", Error,
    ja: "recelint 内部のエラー",
    "{1}に recelint の内部エラーが起き、ここから先を検査できませんでした: {0}（不具合です。入力は送らず、このメッセージを報告してください）",
    en: "internal error in recelint",
    "an internal error {1} stopped the check here: {0} (a bug: please report this message, not the input file)");

/// Where in a run recelint failed: named in X001 so a report says what was left undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading and checking one file.
    Check,
    /// Resolving insured numbers over the batch (Q rules).
    Resolution,
    /// Applying the configuration, the baseline or the masking.
    Settings,
    /// Writing the report.
    Render,
    /// Anywhere else in the run.
    Run,
}

impl Stage {
    /// The stage as a phrase of the X001 message.
    pub fn arg(self) -> Arg {
        match self {
            Stage::Check => bi("ファイルの検査中", "while checking the file"),
            Stage::Resolution => bi("被保険者番号の照合中", "while resolving insured numbers"),
            Stage::Settings => bi(
                "設定・ベースライン・マスクの適用中",
                "while applying the settings, baseline or masking",
            ),
            Stage::Render => bi("結果の出力中", "while writing the report"),
            Stage::Run => bi("実行中", "during the run"),
        }
    }

    /// The name the test hook `RECELINT_TEST_PANIC` uses.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Check => "check",
            Stage::Resolution => "resolution",
            Stage::Settings => "settings",
            Stage::Render => "render",
            Stage::Run => "run",
        }
    }
}

/// The arguments of an X001 finding for a panic caught in `stage`.
pub fn x001_args(stage: Stage, p: &(dyn std::any::Any + Send)) -> Vec<Arg> {
    vec![Arg::Text(panic_message(p)), stage.arg()]
}

/// Test hook (debug builds only): `RECELINT_TEST_PANIC=<stage>` panics at that stage, so the
/// tests prove a bug anywhere in a run becomes X001 and exit code 2, not a crash.
pub fn test_panic(stage: Stage) {
    if cfg!(debug_assertions)
        && std::env::var("RECELINT_TEST_PANIC").is_ok_and(|v| v == stage.name())
    {
        panic!("test panic requested at stage {}", stage.name());
    }
}

pub static RULES: &[&Rule] = &[&X001];

/// The message of a caught panic.
pub fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_string()
    }
}
