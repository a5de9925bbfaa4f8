//! recelint: a pre-submission linter for Japanese medical claim files
//! (レセプト電算処理システム, 医科 `RECEIPTC.UKE`).
//!
//! - [`grammar`]: record layouts and code tables, loaded from `grammar/*.toml`.
//! - [`parse`]: tolerant zero-copy reading of lines, records and field values.
//! - [`rules`]: the rule registry and one module per rule family.
//! - [`check`]: runs the rule passes over a file into its own diagnostic buffer.
//! - [`render`]: text (miette), concise and JSON output.
// One exception, in `parse::split`: SSE2 compares, which every x86-64 processor has.
#![deny(unsafe_code)]

pub mod baseline;
pub mod batch;
pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod fill;
pub mod fixture;
pub mod grammar;
pub mod kind;
pub mod layout;
pub mod model;
pub mod parse;
pub mod qualify;
pub mod redact;
pub mod render;
pub mod rules;
mod scan;
pub mod sjis;
