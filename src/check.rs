//! The library's entry points: check a claim file by path, from bytes or from a reader, and
//! the report it gives. The machinery (chunks, scan, fold) is in `scan`.

pub use crate::scan::{
    check_bytes, check_path, check_reader, top, CheckOptions, FileReport, Progress, DEFAULT_CHUNK,
};
