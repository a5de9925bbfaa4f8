//! The XML files inside a ZIP archive (bulk results may arrive zipped).
//!
//! Only what a result archive needs is read: the central directory, entries stored (method
//! 0) or deflated (method 8, inflated by miniz_oxide), each checked against its CRC-32.
//! Encrypted entries, ZIP64 archives and archives split over disks are refused with a reason.
//! Every offset and size is checked against the bytes, and inflating stops at the size limit,
//! so a hostile archive costs at most that much memory and never panics.

/// Most entries read from one archive.
const MAX_ENTRIES: usize = 200_000;
/// Most bytes inflated from one archive, all entries together.
const MAX_TOTAL: usize = 1 << 30;

/// A reason, in Japanese and English.
pub(crate) type Why = (String, String);

/// One XML entry: its name in the archive and its bytes (or why they cannot be had).
#[derive(Debug)]
pub(crate) struct Entry {
    pub name: String,
    pub bytes: Result<Vec<u8>, Why>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// CRC-32 (IEEE, reflected), as ZIP stores it.
fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, e) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *e = c;
        }
        t
    });
    !data.iter().fold(!0u32, |c, &b| {
        t[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

fn bad(ja: &str, en: &str) -> Why {
    (ja.to_string(), en.to_string())
}

/// The archive's XML entries (by name, `*.xml` in any case; folders and other files are
/// skipped), in the order of its central directory. Err when the archive cannot be read.
pub(crate) fn xml_entries(b: &[u8]) -> Result<Vec<Entry>, Why> {
    // The end record is in the last 22 + 65,535 bytes.
    let from = b.len().saturating_sub(22 + 0xFFFF);
    let eocd = (from..b.len().saturating_sub(21))
        .rev()
        .find(|&i| u32_at(b, i) == Some(0x0605_4b50))
        .ok_or_else(|| {
            bad(
                "ZIP の終端レコードが見つかりません（壊れているか、ZIP ではありません）",
                "no ZIP end record (damaged, or not a ZIP archive)",
            )
        })?;
    let disk = u16_at(b, eocd + 4).unwrap_or(1);
    let cd_disk = u16_at(b, eocd + 6).unwrap_or(1);
    let count = u16_at(b, eocd + 10).unwrap_or(0) as usize;
    let cd_size = u32_at(b, eocd + 12).unwrap_or(0) as usize;
    let cd_at = u32_at(b, eocd + 16).unwrap_or(u32::MAX);
    if disk != 0 || cd_disk != 0 {
        return Err(bad(
            "複数に分割された ZIP は読めません",
            "a ZIP archive split over several parts is not read",
        ));
    }
    if count == 0xFFFF || cd_at == u32::MAX || cd_size == u32::MAX as usize {
        return Err(bad("ZIP64 形式は読めません", "ZIP64 archives are not read"));
    }
    let cd_at = cd_at as usize;
    if cd_at.checked_add(cd_size).is_none_or(|e| e > eocd) {
        return Err(bad(
            "ZIP の中央ディレクトリがファイルの外を指しています（壊れています）",
            "the ZIP central directory points outside the file (damaged)",
        ));
    }
    let mut out = Vec::new();
    let mut total = 0usize;
    let mut at = cd_at;
    for _ in 0..count.min(MAX_ENTRIES) {
        if u32_at(b, at) != Some(0x0201_4b50) {
            return Err(bad(
                "ZIP の中央ディレクトリが壊れています",
                "the ZIP central directory is damaged",
            ));
        }
        let field = |o: usize| u16_at(b, at + o).unwrap_or(0);
        let flags = field(8);
        let method = field(10);
        let crc = u32_at(b, at + 16).unwrap_or(0);
        let csize = u32_at(b, at + 20).unwrap_or(0) as usize;
        let usize_ = u32_at(b, at + 24).unwrap_or(0) as usize;
        let (n, e, c) = (field(28) as usize, field(30) as usize, field(32) as usize);
        let local = u32_at(b, at + 42).unwrap_or(u32::MAX) as usize;
        let raw_name = b.get(at + 46..at + 46 + n).unwrap_or(b"");
        at += 46 + n + e + c;
        let name = if flags & 0x800 != 0 {
            String::from_utf8_lossy(raw_name).into_owned()
        } else {
            // Archives made on Japanese Windows name their entries in Shift_JIS.
            match std::str::from_utf8(raw_name) {
                Ok(s) => s.to_string(),
                Err(_) => crate::encoding::sjis::decode(raw_name).into_owned(),
            }
        };
        if name.ends_with('/') || !name.to_ascii_lowercase().ends_with(".xml") {
            continue;
        }
        let bytes = entry(b, local, flags, method, crc, csize, usize_, &mut total);
        out.push(Entry { name, bytes });
    }
    Ok(out)
}

/// One entry's bytes, from its local header.
#[allow(clippy::too_many_arguments)]
fn entry(
    b: &[u8],
    local: usize,
    flags: u16,
    method: u16,
    crc: u32,
    csize: usize,
    size: usize,
    total: &mut usize,
) -> Result<Vec<u8>, Why> {
    if flags & 1 != 0 {
        return Err(bad(
            "暗号化されたエントリは読めません",
            "an encrypted entry is not read",
        ));
    }
    if u32_at(b, local) != Some(0x0403_4b50) {
        return Err(bad(
            "エントリのローカルヘッダーが壊れています",
            "the entry's local header is damaged",
        ));
    }
    let n = u16_at(b, local + 26).unwrap_or(0) as usize;
    let e = u16_at(b, local + 28).unwrap_or(0) as usize;
    let start = local + 30 + n + e;
    let data = start
        .checked_add(csize)
        .and_then(|end| b.get(start..end))
        .ok_or_else(|| {
            bad(
                "エントリのデータがファイルの外にあります（ZIP が途中で切れています）",
                "the entry's data lies outside the file (the archive is cut short)",
            )
        })?;
    let limit = super::xml::MAX_BYTES.min(MAX_TOTAL.saturating_sub(*total));
    if size > limit {
        return Err(bad("エントリが大きすぎます", "the entry is too large"));
    }
    let out = match method {
        0 => data.to_vec(),
        8 => miniz_oxide::inflate::decompress_to_vec_with_limit(data, limit).map_err(|_| {
            bad(
                "エントリを展開できません（壊れているか大きすぎます）",
                "the entry cannot be inflated (damaged or too large)",
            )
        })?,
        m => {
            return Err((
                format!("圧縮方式 {m} のエントリは読めません（無圧縮か deflate のみ）"),
                format!("an entry compressed with method {m} is not read (stored or deflate only)"),
            ))
        }
    };
    *total += out.len();
    if crc32(&out) != crc {
        return Err(bad(
            "エントリの CRC が合いません（壊れています）",
            "the entry's CRC does not match (damaged)",
        ));
    }
    Ok(out)
}

/// A ZIP archive of `files` (name, bytes), stored without compression: for tests and the
/// benchmark, which need archives without a ZIP writer.
pub fn stored(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut cd = Vec::new();
    for (name, data) in files {
        let at = out.len() as u32;
        let crc = crc32(data);
        let head = |sig: u32, v: &mut Vec<u8>| {
            v.extend_from_slice(&sig.to_le_bytes());
        };
        head(0x0403_4b50, &mut out);
        out.extend_from_slice(&[20, 0, 0, 0x08, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&crc.to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        head(0x0201_4b50, &mut cd);
        cd.extend_from_slice(&[20, 0, 20, 0, 0, 0x08, 0, 0, 0, 0, 0, 0]);
        cd.extend_from_slice(&crc.to_le_bytes());
        cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
        cd.extend_from_slice(&(data.len() as u32).to_le_bytes());
        cd.extend_from_slice(&(name.len() as u16).to_le_bytes());
        cd.extend_from_slice(&[0; 12]);
        cd.extend_from_slice(&at.to_le_bytes());
        cd.extend_from_slice(name.as_bytes());
    }
    let cd_at = out.len() as u32;
    out.extend_from_slice(&cd);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(files.len() as u16).to_le_bytes());
    out.extend_from_slice(&(cd.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_a_known_string() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }

    #[test]
    fn stored_and_deflated_entries_are_read() {
        let z = stored(&[
            ("a/OQS1.xml", b"<x/>"),
            ("readme.txt", b"hi"),
            ("B.XML", b"<y/>"),
        ]);
        let e = xml_entries(&z).unwrap();
        let names: Vec<&str> = e.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a/OQS1.xml", "B.XML"]);
        assert_eq!(e[0].bytes.as_deref().unwrap(), b"<x/>");
        // The same archive with its one entry deflated instead.
        let data = b"<XmlMsg>hello hello hello</XmlMsg>";
        let packed = miniz_oxide::deflate::compress_to_vec(data, 6);
        let mut z = stored(&[("c.xml", data)]);
        // Method 8, compressed size, and the packed bytes in place of the stored ones.
        let n = z.len();
        let cd_at = u32_at(&z, n - 6).unwrap() as usize;
        let mut w = z[..30 + 5].to_vec();
        w[8] = 8;
        w[18..22].copy_from_slice(&(packed.len() as u32).to_le_bytes());
        w.extend_from_slice(&packed);
        let new_cd = w.len() as u32;
        let mut cd = z[cd_at..n - 22].to_vec();
        cd[10] = 8;
        cd[20..24].copy_from_slice(&(packed.len() as u32).to_le_bytes());
        w.extend_from_slice(&cd);
        let mut end = z[n - 22..].to_vec();
        end[16..20].copy_from_slice(&new_cd.to_le_bytes());
        w.extend_from_slice(&end);
        z = w;
        let e = xml_entries(&z).unwrap();
        assert_eq!(e[0].bytes.as_deref().unwrap(), data);
    }

    #[test]
    fn damaged_archives_are_reasons_not_panics() {
        let z = stored(&[("a.xml", b"<x/>")]);
        assert!(xml_entries(b"PK\x03\x04").is_err());
        assert!(xml_entries(&z[..z.len() - 3]).is_err());
        for cut in 0..z.len() {
            let _ = xml_entries(&z[..cut]);
            let mut flipped = z.clone();
            flipped[cut] ^= 0x5A;
            let _ = xml_entries(&flipped);
        }
        let mut bad_crc = z.clone();
        bad_crc[30 + 5] = b'!';
        let e = xml_entries(&bad_crc).unwrap();
        assert!(e[0].bytes.as_ref().unwrap_err().1.contains("CRC"));
    }
}
