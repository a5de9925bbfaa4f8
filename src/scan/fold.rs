//! Folding chunk results, in order, into the file's findings and state.

use super::*;

/// The file's findings and state as chunks are folded in, in order.
#[derive(Default)]
pub(super) struct FileAcc {
    pub(super) cx: Cx,
    pub(super) drop: Vec<usize>,
    pub(super) lines: u32,
    pub(super) receipts: u32,
    pub(super) records: u32,
    pub(super) labels: BTreeMap<u32, ReceiptLabel>,
    pub(super) facts: Vec<ReceiptFact>,
    pub(super) spool: qualification::Spool,
    pub(super) breakdown: Breakdown,
    pub(super) header_text: Option<(String, String)>,
    pub(super) structure: structure::FileStructure,
    pub(super) values: value::Values,
    pub(super) flags: file::FileFlags,
    pub(super) f001: usize,
    pub(super) overflow: BTreeMap<&'static str, usize>,
}

impl FileAcc {
    pub(super) fn merge(&mut self, c: ChunkOut) {
        self.f001 += c.f001;
        for (code, n) in c.overflow {
            *self.overflow.entry(code).or_default() += n;
        }
        let (lines, receipts) = (self.lines, self.receipts);
        let offset = self.cx.diags.len();
        self.cx.diags.extend(c.diags.into_iter().map(|mut d| {
            d.line = d.line.map(|l| l + lines);
            d.receipt = d.receipt.map(|r| r + receipts);
            d
        }));
        self.flags.merge(c.flags, offset, &mut self.drop);
        self.values.merge(c.values, offset, &mut self.drop);
        let before = self.cx.diags.len();
        self.structure.merge(
            &mut self.cx,
            c.structure,
            lines,
            receipts,
            offset,
            &mut self.drop,
        );
        if self.cx.diags.len() > before {
            if let Some(mut l) = c.first_label {
                l.line += lines;
                self.labels.entry(receipts + 1).or_insert(l);
            }
        }
        if self.header_text.is_none() {
            self.header_text = c.header_text;
        }
        self.facts.extend(c.facts.into_iter().map(|mut f| {
            f.line += lines;
            f.re_line += lines;
            f.receipt += receipts;
            f
        }));
        if let Some((bytes, at)) = c.spool {
            let base = self.spool.0.len() as u64;
            self.spool.0.extend_from_slice(&bytes);
            self.spool.1.extend(at.into_iter().map(|a| a + base));
        }
        self.labels.extend(c.labels.into_iter().map(|(n, mut l)| {
            l.line += lines;
            (n + receipts, l)
        }));
        self.breakdown.add(&c.breakdown);
        self.lines += c.lines;
        self.receipts += c.receipts;
        self.records += c.records;
    }

    /// The end of the file: the file-level passes, findings deduplicated, sorted and capped
    /// (F001, MAX_PER_RULE), and the report filled.
    pub(super) fn finish(
        self,
        end: &FileEnd,
        report: &mut FileReport,
        opts: &CheckOptions,
        body: Option<std::path::PathBuf>,
        spec: &'static Spec,
    ) {
        let mut acc = self;
        let cx = &mut acc.cx;
        structure::on_end(cx, &acc.structure, spec);
        report.editions = acc
            .structure
            .editions()
            .into_iter()
            .map(|(def, fields, lines)| crate::report::Edition {
                record: spec.grammar.record(def).id.clone(),
                fields,
                lines,
            })
            .collect();
        value::on_end(cx, &acc.values);
        file::on_end(
            cx,
            &acc.flags,
            end.eof_mark,
            end.after,
            end.size,
            acc.records,
            acc.lines + 1,
        );
        let mut diags = std::mem::take(&mut cx.diags);
        if !acc.drop.is_empty() {
            acc.drop.sort_unstable();
            let mut k = 0;
            let mut i = 0;
            diags.retain(|_| {
                let keep = acc.drop.get(k) != Some(&i);
                if !keep {
                    k += 1;
                }
                i += 1;
                keep
            });
        }
        // Insurer-side data: its make-up as a file is not a facility's (S019 says so).
        if acc.structure.insurer_side() {
            diags.retain(|d| !structure::NOT_ON_INSURER_SIDE.contains(&d.rule.code));
        }
        diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        // Each chunk reported at most MAX_F001 F001: keep the file's first MAX_F001 and count the
        // rest on the last one kept.
        if acc.f001 > file::MAX_F001 {
            let mut seen = 0;
            diags.retain(|d| {
                if d.rule.code != "F001" {
                    return true;
                }
                seen += 1;
                seen <= file::MAX_F001
            });
            let more = acc.f001 - file::MAX_F001;
            if let Some(d) = diags.iter_mut().rev().find(|d| d.rule.code == "F001") {
                d.args.resize(3, Arg::default());
                d.args[2] = crate::report::bi(
                    &format!(
                        "（このファイルではほかに {more} 件のレコードにも不正なバイトがあります）"
                    ),
                    &format!(" ({more} more record(s) of this file have invalid bytes)"),
                );
            }
        }
        // At most MAX_PER_RULE findings of a rule per file; the rest (here and those each chunk
        // already left out) are counted as left out.
        let mut kept: BTreeMap<&'static str, usize> = BTreeMap::new();
        diags.retain(|d| {
            let n = kept.entry(d.rule.code).or_default();
            *n += 1;
            if *n > crate::rules::MAX_PER_RULE {
                report.omitted[d.severity as usize] += 1;
                *report.omitted_rules.entry(d.rule.code).or_default() += 1;
                false
            } else {
                true
            }
        });
        for (code, n) in std::mem::take(&mut acc.overflow) {
            if let Some(rule) = crate::rules::find(code) {
                report.omitted[rule.severity as usize] += n;
                *report.omitted_rules.entry(code).or_default() += n;
            }
        }
        // A chunk may have named a receipt for a finding the merge then dropped as a duplicate.
        let named: std::collections::BTreeSet<u32> =
            diags.iter().filter_map(|d| d.receipt).collect();
        acc.labels.retain(|n, _| named.contains(n));
        report.receipts = acc.receipts;
        report.records = acc.records;
        report.labels = acc.labels;
        report.facts = acc.facts;
        report.source_lines = opts.source_lines;
        report.body = match body {
            _ if report.facts.is_empty() => crate::qualify::reread::Body::None,
            Some(p) => crate::qualify::reread::Body::File(p),
            None => crate::qualify::reread::Body::Spool {
                bytes: acc.spool.0,
                at: acc.spool.1,
            },
        };
        report.breakdown = acc.breakdown;
        (report.facility_name, report.claim_ym) = acc.header_text.unwrap_or_default();
        report.diagnostics = diags;
    }
}

/// Where the file ended: its 0x1A mark, the bytes after it, and its size.
pub(super) struct FileEnd {
    pub(super) eof_mark: Option<usize>,
    pub(super) after: usize,
    pub(super) size: usize,
}
