//! `recelint.toml`: which rules run, at what severity, what fails the run, and defaults for
//! the command line. Found, for each checked file, in its folder or the nearest parent with one;
//! for the run's own options, from the current folder (`--config PATH` names one,
//! `--isolated` ignores it). Command-line switches override it.
//!
//! ```toml
//! select = ["F", "S", "V", "Q"]      # codes or prefixes; default: every rule
//! ignore = ["C004", "S009"]
//! fail-on = "warning"                # "error" (default), "warning" or "info"
//! lang = "ja"
//! qualifications = ["res", "face"]  # result folders, XML, ZIP or the CSV; relative to this file
//! history = ["../2026-09"]
//! [severity]
//! I006 = "error"
//! Q004 = "info"
//! ```

use crate::report::FileReport;
use crate::report::Severity;
use crate::rules;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = "recelint.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    select: Option<Vec<String>>,
    ignore: Option<Vec<String>>,
    #[serde(default)]
    severity: BTreeMap<String, String>,
    fail_on: Option<String>,
    lang: Option<String>,
    qualifications: Option<OneOrMany>,
    history: Option<Vec<PathBuf>>,
}

/// A path or a list of paths (`qualifications = "quals.csv"` or `["res", "face"]`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(PathBuf),
    Many(Vec<PathBuf>),
}

/// The settings a run uses.
#[derive(Debug, Clone)]
pub struct Settings {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub severity: BTreeMap<&'static str, Severity>,
    pub fail_on: Severity,
    pub lang: Option<String>,
    /// `--qualifications` inputs (result files and folders, ZIP archives, the CSV).
    pub qualifications: Vec<PathBuf>,
    pub history: Vec<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            fail_on: Severity::Error,
            lang: None,
            qualifications: Vec::new(),
            history: Vec::new(),
        }
    }
}

/// `recelint.toml` in `start` or the nearest parent that has one.
pub fn discover(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// The known rule codes closest to `s` (for "did you mean").
fn hint(s: &str) -> String {
    let up = s.to_ascii_uppercase();
    let near: Vec<&str> = rules::all()
        .map(|r| r.code)
        .filter(|c| c.starts_with(&up[..up.len().min(1)]))
        .take(6)
        .collect();
    if near.is_empty() {
        "コードは F S V C I Q X で始まります / codes start with F S V C I Q X".into()
    } else {
        format!("例 / e.g. {}", near.join(", "))
    }
}

/// Checks a selector (a code or a prefix) against the registry.
pub fn check_selector(s: &str) -> Result<String, String> {
    let up = s.trim().to_ascii_uppercase();
    if !up.is_empty() && rules::all().any(|r| r.code.starts_with(&up)) {
        Ok(up)
    } else {
        Err(format!(
            "不明な規則コードまたは接頭辞「{s}」/ unknown rule code or prefix '{s}' ({})",
            hint(s)
        ))
    }
}

/// Parses a severity name.
pub fn parse_severity(s: &str) -> Result<Severity, String> {
    match s.to_ascii_lowercase().as_str() {
        "error" => Ok(Severity::Error),
        "warning" => Ok(Severity::Warning),
        "info" => Ok(Severity::Info),
        _ => Err(format!("重大度は error / warning / info のいずれかです / severity must be error, warning or info: '{s}'")),
    }
}

/// Reads a config file; every problem is an error naming the file.
pub fn load(path: &Path) -> Result<Settings, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let raw: Raw = toml::from_str(&text).map_err(|e| {
        let known = "select, ignore, severity, fail-on, lang, qualifications, history";
        format!("{}: {e}\n使える項目 / known keys: {known}", path.display())
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let at = |e: String| format!("{}: {e}", path.display());
    let mut s = Settings::default();
    for sel in raw.select.unwrap_or_default() {
        s.select.push(check_selector(&sel).map_err(at)?);
    }
    for sel in raw.ignore.unwrap_or_default() {
        s.ignore.push(check_selector(&sel).map_err(at)?);
    }
    for (code, sev) in raw.severity {
        let rule = rules::find(&code).ok_or_else(|| at(format!("[severity] {}", check_selector(&code).err().unwrap_or_else(|| format!("「{code}」は接頭辞ではなく 1 つの規則コードで指定します / give one rule code, not a prefix: '{code}'")))))?;
        s.severity
            .insert(rule.code, parse_severity(&sev).map_err(at)?);
    }
    if let Some(f) = raw.fail_on {
        s.fail_on = parse_severity(&f).map_err(at)?;
    }
    if let Some(l) = raw.lang {
        if l != "ja" && l != "en" {
            return Err(at(format!(
                "lang は ja か en です / lang must be ja or en: '{l}'"
            )));
        }
        s.lang = Some(l);
    }
    s.qualifications = match raw.qualifications {
        None => Vec::new(),
        Some(OneOrMany::One(p)) => vec![base.join(p)],
        Some(OneOrMany::Many(v)) => v.into_iter().map(|p| base.join(p)).collect(),
    };
    s.history = raw
        .history
        .unwrap_or_default()
        .into_iter()
        .map(|p| base.join(p))
        .collect();
    Ok(s)
}

impl Settings {
    /// Whether the rule `code` runs: it matches a `select` prefix (or there is none) and no
    /// `ignore` prefix. X001 (internal error) always runs.
    pub fn enabled(&self, code: &str) -> bool {
        if code.starts_with('X') {
            return true;
        }
        let selected =
            self.select.is_empty() || self.select.iter().any(|p| code.starts_with(p.as_str()));
        selected && !self.ignore.iter().any(|p| code.starts_with(p.as_str()))
    }

    /// Drops the findings of rules that are off and applies severity overrides.
    pub fn apply(&self, reports: &mut [FileReport]) {
        for r in reports {
            r.diagnostics.retain(|d| self.enabled(d.rule.code));
            for d in &mut r.diagnostics {
                if let Some(&s) = self.severity.get(d.rule.code) {
                    d.severity = s;
                }
            }
        }
    }

    /// True when a finding fails the run (exit code 1).
    pub fn fails(&self, reports: &[FileReport]) -> bool {
        reports.iter().any(|r| {
            [Severity::Info, Severity::Warning, Severity::Error]
                .into_iter()
                .filter(|s| *s >= self.fail_on)
                .any(|s| r.count(s) > 0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_codes_or_prefixes() {
        assert_eq!(check_selector("q").unwrap(), "Q");
        assert_eq!(check_selector("C00").unwrap(), "C00");
        assert!(check_selector("Z9").unwrap_err().contains("Z9"));
        let s = Settings {
            select: vec!["Q".into(), "S01".into()],
            ignore: vec!["Q004".into()],
            ..Default::default()
        };
        assert!(
            s.enabled("Q001")
                && s.enabled("S010")
                && !s.enabled("Q004")
                && !s.enabled("S001")
                && s.enabled("X001")
        );
    }

    #[test]
    fn a_config_file_with_unknown_keys_or_codes_is_refused_with_a_hint() {
        let d = std::env::temp_dir().join(format!("recelint-config-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join(FILE_NAME);
        std::fs::write(&p, "selct = [\"Q\"]\n").unwrap();
        let e = load(&p).unwrap_err();
        assert!(e.contains("selct") && e.contains("known keys"), "{e}");
        std::fs::write(&p, "ignore = [\"Q999\"]\n").unwrap();
        assert!(load(&p).unwrap_err().contains("Q999"));
        std::fs::write(&p, "[severity]\nI006 = \"error\"\n").unwrap();
        assert_eq!(
            load(&p).unwrap().severity.get("I006"),
            Some(&Severity::Error)
        );
        std::fs::write(&p, "fail-on = \"warning\"\nqualifications = \"q.csv\"\n").unwrap();
        let s = load(&p).unwrap();
        assert_eq!(s.fail_on, Severity::Warning);
        assert_eq!(s.qualifications, vec![d.join("q.csv")]);
        std::fs::write(&p, "qualifications = [\"res\", \"face\"]\n").unwrap();
        assert_eq!(
            load(&p).unwrap().qualifications,
            vec![d.join("res"), d.join("face")]
        );
        assert_eq!(discover(&d.join("sub/dir")).unwrap(), p);
        let _ = std::fs::remove_dir_all(&d);
    }
}
