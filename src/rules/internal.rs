//! X: recelint's own failures, reported as findings on the file being checked so that one
//! bad input never stops the run.

use super::rule;
use crate::diag::Rule;

pub static X001: Rule = rule!("X001", "internal-error", Error,
    ja: "recelint 内部のエラー",
    "recelint の内部エラーで、ここから先を検査できませんでした: {0}（不具合です。入力は送らず、このメッセージを報告してください）",
    en: "internal error in recelint",
    "an internal error stopped the check here: {0} (a bug: please report this message, not the input file)");

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
