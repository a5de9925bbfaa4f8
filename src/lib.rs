//! recelint: a pre-submission linter for Japanese medical claim files
//! (レセプト電算処理システム, 医科 `RECEIPTC.UKE`).
//!
//! - [`kind`]: the claim kinds; each kind's grammar (record layouts and code tables, loaded
//!   from `grammar/<kind>/*.toml`) and the field positions its rules read.
//! - [`encoding`] and [`parse`]: tolerant zero-copy reading of bytes, lines, records and
//!   field values.
//! - [`rules`]: the rule registry and one module per rule family (and per kind).
//! - [`check`] and [`batch`]: a file checked into its own diagnostic buffer; a whole run with
//!   insured-number resolution ([`qualify`]).
//! - [`report`]: the diagnostic model; [`render`]: every output format.
//! - [`settings`]: `recelint.toml` and baselines.
// One exception, in `parse::split`: SSE2 compares, which every x86-64 processor has.
#![deny(unsafe_code)]

// Entry points: checking files and a whole run, and the command line.
pub mod batch;
pub mod check;
pub mod cli;
pub(crate) mod desk;
pub(crate) mod help;
// What a claim kind is: its grammar (records, code tables) and the positions rules read.
pub mod kind;
// Reading: Shift_JIS, lines and fields, typed values, records.
pub mod encoding;
pub mod parse;
// Checking: the rule registry and families, the scan, insured-number resolution.
pub mod qualify;
pub mod rules;
mod scan;
// Output: the diagnostic model, redaction and the renderers; settings.
pub mod render;
pub mod report;
pub(crate) mod settings;
// The readable fixture format of testdata/ (tests, examples and `.ci/snapshot`).
pub mod fixture;
