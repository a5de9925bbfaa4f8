//! `--format sarif`: one SARIF 2.1.0 document with one run, for code-scanning tools (GitHub
//! code scanning, IDE viewers). The driver lists every rule of the registry; each finding is a
//! result pointing at its file and line (and, when the checker decoded the line, the columns
//! of the field, counted in characters). SARIF is a single document, so results are collected
//! per file and the document is written at the end.
//!
//! The types below are a small subset of the SARIF object model; they deserialize as well as
//! serialize, so a written log can be read back.

use super::{Part, Renderer, Style, Totals};
use crate::report::FileReport;
use crate::report::{Diagnostic, Lang, Rule, Severity};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const VERSION: &str = "2.1.0";
/// Key of the fingerprint in `partialFingerprints`.
/// The `partialFingerprints` key. v2: the baseline's key hashed (file name, receipt identity,
/// record, field, code), so it does not move when lines do; `-2`, `-3` … for repeats. (v1 held
/// the line number.)
pub const FINGERPRINT: &str = "recelint/v2";

/// `sarifLog`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SarifLog {
    #[serde(rename = "$schema")]
    pub schema: String,
    pub version: String,
    pub runs: Vec<Run>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    pub tool: Tool,
    /// Columns are counted in Unicode code points of the decoded line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_kind: Option<String>,
    #[serde(
        rename = "originalUriBaseIds",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub original_uri_base_ids: BTreeMap<String, BaseLocation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invocations: Vec<Invocation>,
    pub results: Vec<SarifResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub driver: Driver,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    pub name: String,
    pub version: String,
    /// Where to learn about the tool: the crate's `homepage`, else its `repository`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<String>,
    pub rules: Vec<ReportingDescriptor>,
}

/// The crate's `homepage`, else its `repository` (Cargo.toml), as `informationUri`; `None`
/// when neither is declared (an address is never made up).
pub fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
}

/// A rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    pub id: String,
    pub name: String,
    pub short_description: Message,
    pub full_description: Message,
    pub help: MultiformatMessage,
    pub default_configuration: Configuration,
    pub properties: RuleProperties,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiformatMessage {
    pub text: String,
    pub markdown: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Configuration {
    pub level: Level,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleProperties {
    pub title_ja: String,
    pub title_en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl From<Severity> for Level {
    fn from(s: Severity) -> Self {
        match s {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Info => Level::Note,
        }
    }
}

/// `result` (named so it does not shadow `std::result::Result`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    pub rule_id: String,
    pub rule_index: usize,
    pub level: Level,
    pub message: Message,
    pub locations: Vec<Location>,
    pub partial_fingerprints: BTreeMap<String, String>,
    pub properties: ResultProperties,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub physical_location: PhysicalLocation,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    pub artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactLocation {
    /// A relative reference (percent-encoded, `/` separators) against `uriBaseId`, or an
    /// absolute `file:` URI for a file outside the folder recelint ran in.
    pub uri: String,
    #[serde(rename = "uriBaseId", default, skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<String>,
}

/// The base the relative artifact URIs are resolved against.
pub const SRCROOT: &str = "SRCROOT";

/// An entry of `originalUriBaseIds`: what the base is (its absolute URI is left to the
/// consumer, as code scanning services set it to the checkout; recording the machine's
/// folder would make the output differ by where it ran).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseLocation {
    pub description: Message,
}

/// 1-based lines; 1-based columns, `endColumn` one past the last character. A finding about
/// the whole file spans its records: `startLine` 1 to `endLine` the last record (an empty
/// file: the empty region at byte 0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_offset: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_length: Option<u64>,
}

impl Region {
    /// The whole of a file of `records` lines.
    pub fn whole_file(records: u32) -> Region {
        if records == 0 {
            return Region {
                start_line: None,
                start_column: None,
                end_line: None,
                end_column: None,
                byte_offset: Some(0),
                byte_length: Some(0),
            };
        }
        Region {
            start_line: Some(1),
            start_column: None,
            end_line: Some(records),
            end_column: None,
            byte_offset: None,
            byte_length: None,
        }
    }
}

/// Where in the claim the finding is, as in the `json` format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultProperties {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// How the run went: files that could not be read are tool notifications, not results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    pub execution_successful: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_execution_notifications: Vec<Notification>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub level: Level,
    pub message: Message,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
}

pub struct Sarif {
    style: Style,
    rules: Vec<ReportingDescriptor>,
    index: HashMap<&'static str, usize>,
    results: Vec<SarifResult>,
    notifications: Vec<Notification>,
    /// Occurrences of each fingerprint so far (they must be unique in a run).
    seen: HashMap<String, usize>,
}

fn other(lang: Lang) -> Lang {
    if lang.is_ja() {
        Lang::En
    } else {
        Lang::Ja
    }
}

fn descriptor(rule: &Rule, lang: Lang) -> ReportingDescriptor {
    let explain = rule.explain(lang).to_string();
    ReportingDescriptor {
        id: rule.code.to_string(),
        name: rule.name.to_string(),
        short_description: Message {
            text: rule.title(lang).to_string(),
        },
        full_description: Message {
            text: rule.title(other(lang)).to_string(),
        },
        help: MultiformatMessage {
            text: explain.clone(),
            markdown: explain,
        },
        default_configuration: Configuration {
            level: rule.severity.into(),
        },
        properties: RuleProperties {
            title_ja: rule.title_ja.to_string(),
            title_en: rule.title_en.to_string(),
        },
    }
}

/// The artifact location of `path`: relative to the folder recelint ran in (base
/// [`SRCROOT`]) when it is there, else an absolute `file:` URI; percent-encoded (RFC 3986),
/// so names in Japanese and with spaces are valid URIs.
pub fn location(path: &str) -> ArtifactLocation {
    let p = path.replace('\\', "/");
    let drive = p.len() >= 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic();
    if !(p.starts_with('/') || drive) {
        let rel = p.trim_start_matches("./");
        return ArtifactLocation {
            uri: encode(rel),
            uri_base_id: Some(SRCROOT.to_string()),
        };
    }
    let under = std::env::current_dir().ok().and_then(|d| {
        let d = d.to_string_lossy().replace('\\', "/");
        let d = d.trim_end_matches('/');
        p.strip_prefix(d)?.strip_prefix('/').map(str::to_string)
    });
    match under {
        Some(rel) => ArtifactLocation {
            uri: encode(&rel),
            uri_base_id: Some(SRCROOT.to_string()),
        },
        None => ArtifactLocation {
            uri: format!("file://{}{}", if drive { "/" } else { "" }, encode(&p)),
            uri_base_id: None,
        },
    }
}

/// Percent-encodes what a URI path may not hold as it is (everything but unreserved
/// characters, `/` and a drive's `:`).
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for (i, b) in path.bytes().enumerate() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b':' if i == 1 => out.push(':'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// 1-based character columns of the diagnostic's span in its decoded line, when known.
impl Sarif {
    pub fn new(style: Style) -> Self {
        let rules: Vec<ReportingDescriptor> = crate::rules::all()
            .map(|r| descriptor(r, style.lang))
            .collect();
        let index = crate::rules::all()
            .enumerate()
            .map(|(i, r)| (r.code, i))
            .collect();
        Sarif {
            style,
            rules,
            index,
            results: Vec::new(),
            notifications: Vec::new(),
            seen: HashMap::new(),
        }
    }

    /// Index of the rule in the driver's list (a rule missing from the registry is added).
    fn rule_index(&mut self, rule: &'static Rule) -> usize {
        if let Some(&i) = self.index.get(rule.code) {
            return i;
        }
        let i = self.rules.len();
        self.rules.push(descriptor(rule, self.style.lang));
        self.index.insert(rule.code, i);
        i
    }

    /// The result of `d`; its `rule_index` is set by `put` (it may add a rule).
    fn result(&self, r: &FileReport, d: &Diagnostic) -> SarifResult {
        let lang = self.style.lang;
        let artifact_location = location(&r.path);
        let region = Some(match d.line {
            Some(l) => {
                let cols = super::columns(d);
                Region {
                    start_line: Some(l),
                    start_column: cols.map(|c| c.0),
                    end_line: Some(l),
                    end_column: cols.map(|c| c.1),
                    byte_offset: None,
                    byte_length: None,
                }
            }
            None => Region::whole_file(r.records),
        });
        let fingerprint = crate::settings::baseline::fingerprint(r, d);
        SarifResult {
            rule_id: d.rule.code.to_string(),
            rule_index: 0,
            level: d.severity.into(),
            message: Message {
                text: d.message(lang),
            },
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location,
                    region,
                },
            }],
            partial_fingerprints: BTreeMap::from([(FINGERPRINT.to_string(), fingerprint)]),
            properties: ResultProperties {
                receipt: d.receipt,
                record: d.record.clone(),
                field: d.field,
                field_name: d.field_label(lang).map(str::to_string),
                value: d.value.clone(),
            },
        }
    }
}

impl Renderer for Sarif {
    fn part(&self, _index: usize, r: &FileReport) -> io::Result<Part> {
        let results: Vec<(&'static Rule, SarifResult)> =
            super::map_all(&r.diagnostics, |d| (d.rule, self.result(r, d)));
        Ok(Part {
            bytes: Default::default(),
            items: Some(Box::new(results)),
        })
    }

    fn put(&mut self, _out: &mut dyn Write, r: &FileReport, part: Part) -> io::Result<()> {
        if let Some(e) = &r.unreadable {
            self.notifications.push(Notification {
                level: Level::Error,
                message: Message { text: e.clone() },
                locations: vec![Location {
                    physical_location: PhysicalLocation {
                        artifact_location: location(&r.path),
                        region: None,
                    },
                }],
            });
        }
        let results = part
            .items
            .and_then(|b| b.downcast::<Vec<(&'static Rule, SarifResult)>>().ok())
            .map(|b| *b)
            .unwrap_or_default();
        for (rule, mut res) in results {
            res.rule_index = self.rule_index(rule);
            if let Some(fp) = res.partial_fingerprints.get_mut(FINGERPRINT) {
                let n = self.seen.entry(fp.clone()).or_default();
                *n += 1;
                if *n > 1 {
                    *fp = format!("{fp}-{n}");
                }
            }
            self.results.push(res);
        }
        Ok(())
    }

    fn finish(&mut self, out: &mut dyn Write, _t: &Totals) -> io::Result<()> {
        let log = SarifLog {
            schema: SCHEMA.to_string(),
            version: VERSION.to_string(),
            runs: vec![Run {
                tool: Tool {
                    driver: Driver {
                        name: "recelint".to_string(),
                        version: env!("CARGO_PKG_VERSION").to_string(),
                        information_uri: information_uri().map(str::to_string),
                        rules: std::mem::take(&mut self.rules),
                    },
                },
                column_kind: Some("unicodeCodePoints".to_string()),
                original_uri_base_ids: BTreeMap::from([(
                    SRCROOT.to_string(),
                    BaseLocation {
                        description: Message {
                            text: "The folder recelint was run in; file paths are relative to it."
                                .to_string(),
                        },
                    },
                )]),
                invocations: vec![Invocation {
                    execution_successful: self.notifications.is_empty(),
                    tool_execution_notifications: std::mem::take(&mut self.notifications),
                }],
                results: std::mem::take(&mut self.results),
            }],
        };
        serde_json::to_writer_pretty(&mut *out, &log)?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod uri_tests {
    use super::*;

    /// SARIF validators refuse paths that are not URIs (SARIF1004): a relative path is a
    /// relative reference against SRCROOT, anything else an absolute `file:` URI, and both are
    /// percent-encoded.
    #[test]
    fn paths_become_valid_uri_references() {
        let l = location("請求 分/RECEIPTC.UKE");
        assert_eq!(l.uri, "%E8%AB%8B%E6%B1%82%20%E5%88%86/RECEIPTC.UKE");
        assert_eq!(l.uri_base_id.as_deref(), Some(SRCROOT));
        assert_eq!(location("./a\\b.UKE").uri, "a/b.UKE");
        let abs = location("C:\\月次\\a b.UKE");
        assert_eq!(abs.uri, "file:///C:/%E6%9C%88%E6%AC%A1/a%20b.UKE");
        assert_eq!(abs.uri_base_id, None);
        let here = std::env::current_dir().unwrap().join("x.UKE");
        let l = location(&here.to_string_lossy());
        assert_eq!(
            (l.uri.as_str(), l.uri_base_id.as_deref()),
            ("x.UKE", Some(SRCROOT))
        );
    }
}
