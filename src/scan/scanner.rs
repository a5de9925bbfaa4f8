//! The scan of one chunk: lines split into records, records grouped into blocks (the IR
//! header, each receipt from RE to the next RE, the GO trailer) and the rule passes run over
//! records, receipts and the file.

use super::*;

/// The block being assembled.
pub(super) enum Block {
    None,
    Receipt(u32),
}

pub(super) struct Scanner<'a> {
    pub(super) buf: RecBuf<'a>,
    pub(super) block: Block,
    pub(super) structure: structure::Structure,
    pub(super) values: value::Values,
    pub(super) flags: file::FileFlags,
    pub(super) receipts: u32,
    pub(super) records: u32,
    pub(super) scans: Vec<Scan>,
    pub(super) text_ok: bool,
    /// Diagnostics count when the current receipt started (to know if it needs a label).
    pub(super) receipt_start: usize,
    pub(super) labels: BTreeMap<u32, ReceiptLabel>,
    /// The header's 医療機関名称 and 請求年月 as recorded, once the header is read.
    pub(super) header_text: Option<(String, String)>,
    pub(super) facts: Vec<ReceiptFact>,
    /// The facts' RE and HO lines, when the file cannot be read again by offset.
    pub(super) spool: Option<qualification::Spool>,
    pub(super) breakdown: Breakdown,
    pub(super) first_label: Option<ReceiptLabel>,
    /// Records with invalid bytes (F001 is reported for the first [`file::MAX_F001`]).
    pub(super) f001: usize,
    /// The current receipt has a JD record (S017 compares it with HO / KO).
    pub(super) jd: bool,
    /// The file's header, which each receipt's own opening record repeats (歯科 IR).
    pub(super) header: &'a Header,
    /// The last record was a receipt-opening record other than RE (歯科 IR): RE must follow.
    pub(super) opened: bool,
    /// The kind's receipts open with a record of their own before RE (歯科 IR).
    pub(super) own_opener: bool,
    /// The records after an opening record that RE did not follow (D001 said so): part of a
    /// receipt without its RE, not records "before the first RE" (S004).
    pub(super) orphan: bool,
    /// The DPC 総括 group being read (its Q003 / Q004 wait for its end).
    pub(super) group: Option<qualification::Group>,
}

impl<'a> Scanner<'a> {
    pub(super) fn flush(&mut self, cx: &mut Cx) {
        if let Block::Receipt(n) = self.block {
            structure::on_receipt(cx, &mut self.structure, &self.buf);
            if std::mem::take(&mut self.jd) && self.buf.spec.kind.def().jd_counts_days {
                structure::visit_days(cx, &self.buf);
            }
            insurer::on_receipt(cx, &self.buf);
            // The kind's own rules.
            match self.buf.spec.own {
                crate::kind::own::Own::Dental(_) => crate::rules::dental::on_receipt(cx, &self.buf),
                crate::kind::own::Own::Pharmacy(_) => {
                    crate::rules::pharmacy::on_receipt(cx, &self.buf)
                }
                crate::kind::own::Own::Dpc(_) => crate::rules::dpc::on_receipt(cx, &self.buf),
                crate::kind::own::Own::None => {}
            }
            // The Q rules read names and remarks as text: in a file saved in another encoding
            // (F002) they would judge mojibake, so they wait until it is saved again.
            // DPC: a summary receipt (総括区分 1) opens a 総括 group, its details (2, 3)
            // continue it, any other receipt ends it.
            let l = self.buf.layout();
            let summary = l.re_summary.map(|i| self.buf.view(0).field(i));
            match summary {
                Some(b"1") => {
                    if let Some(g) = self.group.replace(Default::default()) {
                        g.finish(cx);
                    }
                }
                // A detail receipt first in its chunk: its group began in the chunk before.
                Some(b"2" | b"3") => {
                    if self.group.is_none() {
                        self.group = Some(qualification::Group::partial());
                    }
                }
                _ => {
                    if let Some(g) = self.group.take() {
                        g.finish(cx);
                    }
                }
            }
            let waiting = self.group.as_ref().map_or(0, |g| g.waiting());
            let fact = if self.text_ok {
                qualification::on_receipt(
                    cx,
                    &self.buf,
                    &mut self.breakdown,
                    self.spool.as_mut(),
                    self.group.as_mut(),
                )
            } else {
                None
            };
            if let Some(f) = fact {
                self.facts.push(f);
            }
            // A finding set aside for the group's end names this receipt.
            if self.group.as_ref().map_or(0, |g| g.waiting()) > waiting {
                self.structure.want_label = true;
            }
            let aside = std::mem::take(&mut self.structure.want_label);
            if cx.diags.len() > self.receipt_start || n == 1 || aside {
                let l = self.buf.layout();
                let re = self.buf.view(0);
                let text_ok = self.text_ok;
                let decode = |b: &[u8]| {
                    if text_ok {
                        sjis::decode(b).into_owned()
                    } else {
                        String::from_utf8_lossy(b).into_owned()
                    }
                };
                let label = ReceiptLabel {
                    number: decode(re.field(l.re_no)),
                    karte: decode(re.field(l.re_karte)),
                    name: decode(re.field(l.re_name)),
                    line: re.rec.no,
                };
                // The chunk's first receipt is named too: the merge may report on it.
                if n == 1 {
                    self.first_label = Some(label.clone());
                }
                if cx.diags.len() > self.receipt_start || aside {
                    self.labels.insert(n, label);
                }
            }
        }
        self.buf.clear();
        self.block = Block::None;
        cx.receipt = None;
    }

    #[inline(always)]
    pub(super) fn line(&mut self, cx: &mut Cx, mut line: Line<'a>) {
        let g = &self.buf.spec.grammar;
        let l = self.buf.layout();
        self.records += 1;
        let whole = line;
        if line.raw.len() > file::MAX_RECORD {
            line.raw = &line.raw[..file::MAX_RECORD];
        }
        // Blocks: RE opens a receipt; IR and GO stand alone.
        let id_end = line
            .raw
            .iter()
            .position(|&b| b == b',')
            .unwrap_or(line.raw.len());
        let def = g.lookup(&line.raw[..id_end]);
        let scope = def.map(|d| g.record(d).scope);
        // 歯科: IR opens each receipt and RE follows it; the receipt's records are RE's.
        let (opens, opened) = if self.own_opener {
            let opens = def == Some(l.opener);
            (opens, std::mem::replace(&mut self.opened, opens))
        } else {
            (false, false)
        };
        if def == Some(l.re) || scope == Some(Scope::File) || opens {
            self.flush(cx);
        }
        if def == Some(l.re) {
            self.receipts += 1;
            self.block = Block::Receipt(self.receipts);
            cx.receipt = Some(self.receipts);
            self.receipt_start = cx.diags.len();
        }
        // Line-level findings belong to the receipt the line opens, if it opens one.
        let (i, bytes) = self.buf.push(def, &line);
        // The pass saw only the first MAX_RECORD bytes of an overlong line (F009 says so).
        let quote = if whole.raw.len() > line.raw.len() {
            memchr::memchr(b'"', whole.raw).is_some()
        } else {
            bytes.quote
        };
        // Most lines: CR LF, no quote, not too long (F009, F003, F006 have nothing to say).
        if whole.term != Term::CrLf || quote || whole.raw.len() > file::MAX_RECORD {
            file::on_line(cx, &mut self.flags, &whole, quote);
        }
        let v = self.buf.view(i);
        if self.own_opener {
            if opened != v.is(l.re) {
                crate::rules::dental::unpaired(cx, &v, opened);
            }
            if opens || v.is(l.re) {
                self.orphan = false;
            } else if opened {
                self.orphan = true;
            }
            if opens {
                crate::rules::dental::against_header(cx, &v, &self.header.same);
            }
        }
        if v.is(l.re) {
            // The receipt's 診療年月, for its dates and for codes valid only in old months.
            self.values.care_ym = crate::parse::value::parse_date(v.field(l.re_care_ym), false)
                .ok()
                .map(|d| d.ym());
        }
        let in_receipt = matches!(self.block, Block::Receipt(_)) || self.orphan;
        structure::on_record(cx, &mut self.structure, &v, in_receipt);
        if v.is(l.header) && self.header_text.is_none() {
            let name = l
                .header_facility_name
                .map(|i| sjis::decode(v.field(i)).trim().to_string())
                .unwrap_or_default();
            let ym = sjis::decode(v.field(l.header_claim_ym)).trim().to_string();
            self.header_text = Some((name, ym));
        }

        // Text: scan the fields of records with non-ASCII or control bytes.
        let scans = if bytes.plain {
            None
        } else {
            // Per field (an empty one has the empty scan), from the non-empty fields' spans.
            self.scans.clear();
            self.scans.resize(v.nfields(), Scan::default());
            for (i, (s, e)) in v.numbered_spans() {
                if let Some(slot) = self.scans.get_mut(i) {
                    *slot = sjis::scan(&v.rec.raw[s as usize..e as usize]);
                }
            }
            if self.text_ok {
                // One F001 and one C001 per record: a record of a thousand 外字 fields is one
                // finding, not a thousand.
                let (mut bad, mut ext) = (false, false);
                for (f, s) in self.scans.iter().enumerate() {
                    if !bad && s.bad.is_some() {
                        bad = true;
                        self.f001 += 1;
                        if self.f001 <= file::MAX_F001 {
                            file::on_scan(cx, &v, f, s);
                        }
                    }
                    if !ext && s.ext.is_some() {
                        ext = chars::on_scan(cx, &v, f, s);
                    }
                }
            }
            Some(&self.scans[..])
        };
        value::on_record(cx, &mut self.values, &v, scans, self.text_ok);
        if v.is(l.re) || v.is(l.diag) {
            value::on_dates(cx, &mut self.values, &v);
        } else if v.is(l.jd) {
            self.jd = true;
        }
        if v.is(l.re) && self.text_ok {
            chars::on_re(cx, &v);
        }
        if scope == Some(Scope::File) || opens {
            self.buf.clear();
        }
    }
}

/// What one chunk's scan produced; line numbers and receipt ordinals are chunk-relative.
pub(super) struct ChunkOut {
    pub(super) diags: Vec<Diagnostic>,
    pub(super) lines: u32,
    pub(super) receipts: u32,
    pub(super) records: u32,
    pub(super) labels: BTreeMap<u32, ReceiptLabel>,
    pub(super) facts: Vec<ReceiptFact>,
    pub(super) spool: Option<qualification::Spool>,
    pub(super) breakdown: Breakdown,
    pub(super) header_text: Option<(String, String)>,
    pub(super) first_label: Option<ReceiptLabel>,
    pub(super) f001: usize,
    /// Findings past the per-rule cap, counted by rule.
    pub(super) overflow: BTreeMap<&'static str, usize>,
    pub(super) structure: structure::Structure,
    pub(super) values: value::Values,
    pub(super) flags: file::FileFlags,
}

pub(super) fn scan_chunk(
    c: &Chunk,
    spec: &'static Spec,
    text_ok: bool,
    utf8: bool,
    opts: &CheckOptions,
    spool: bool,
) -> ChunkOut {
    // Test hook (debug builds only): proves a bug in a rule becomes X001, not a crash.
    if cfg!(debug_assertions) && memchr::memmem::find(c.data(), b"RECELINT-TEST-PANIC").is_some() {
        panic!("test panic requested by the input");
    }
    let mut cx = Cx::default();
    let mut sc = Scanner {
        buf: RecBuf::new(spec),
        block: Block::None,
        structure: structure::Structure::new(c.first),
        values: value::Values::default(),
        flags: file::FileFlags::default(),
        receipts: 0,
        records: 0,
        scans: Vec::new(),
        text_ok,
        receipt_start: 0,
        labels: BTreeMap::new(),
        header_text: None,
        facts: Vec::new(),
        breakdown: Breakdown::default(),
        spool: spool.then(Default::default),
        first_label: None,
        f001: 0,
        jd: false,
        header: &c.header,
        opened: false,
        own_opener: spec.layout.opener != spec.layout.re,
        orphan: false,
        group: None,
    };
    sc.values.claim_ym = c.header.claim_ym;
    let mut lines = 0;
    for line in Lines::new(c.data(), c.base, 1) {
        lines = line.no;
        sc.line(&mut cx, line);
    }
    sc.flush(&mut cx);
    if let Some(g) = sc.group.take() {
        g.finish(&mut cx);
    }
    if opts.source_lines {
        for d in cx.diags.iter_mut() {
            attach_source(d, c.data(), c.base, utf8);
        }
        for d in sc.structure.pending_mut() {
            attach_source(d, c.data(), c.base, utf8);
        }
    }
    ChunkOut {
        overflow: cx.take_overflow(),
        diags: cx.diags,
        lines,
        receipts: sc.receipts,
        records: sc.records,
        labels: sc.labels,
        facts: sc.facts,
        spool: sc.spool,
        breakdown: sc.breakdown,
        header_text: sc.header_text,
        first_label: sc.first_label,
        f001: sc.f001,
        structure: sc.structure,
        values: sc.values,
        flags: sc.flags,
    }
}

/// [`scan_chunk`], with a bug in a rule turned into an X001 finding at the chunk's start
/// instead of stopping the run.
pub(super) fn scan_chunk_guarded(
    c: &Chunk,
    spec: &'static Spec,
    text_ok: bool,
    utf8: bool,
    opts: &CheckOptions,
    spool: bool,
) -> ChunkOut {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        scan_chunk(c, spec, text_ok, utf8, opts, spool)
    }))
    .unwrap_or_else(|p| {
        let mut cx = Cx::default();
        use crate::rules::internal::{x001_args, Stage, X001};
        cx.line(&X001, 1, c.base, x001_args(Stage::Check, &*p));
        // The chunk's lines still count, so later line numbers stay right.
        let lines = memchr::memchr_iter(b'\n', c.data()).count() as u32
            + u32::from(!c.data().ends_with(b"\n"));
        ChunkOut {
            diags: cx.diags,
            lines,
            receipts: 0,
            records: 0,
            labels: BTreeMap::new(),
            facts: Vec::new(),
            spool: None,
            breakdown: Breakdown::default(),
            header_text: None,
            first_label: None,
            f001: 0,
            overflow: BTreeMap::new(),
            structure: structure::Structure::new(c.first),
            values: value::Values::default(),
            flags: file::FileFlags::default(),
        }
    })
}
