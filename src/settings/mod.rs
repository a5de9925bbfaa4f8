//! What the user set: `recelint.toml` (which rules, severities, defaults) and baselines
//! (today's findings, hidden in later runs).

pub mod baseline;
pub mod config;
