//! Bytes to text: Shift_JIS (JIS X 0208 with the CP932 extensions recognised), the scan for
//! invalid bytes, 外字 and stand-ins, and decoding for output.

pub mod sjis;
