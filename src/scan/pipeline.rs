//! Reading, scanning and folding a file's chunks at once: a reader thread, the pool
//! scanning a window of chunks, and the fold in order.

use super::*;

/// Scans a file's chunks in parallel while a thread of its own reads the next ones, and hands
/// each chunk's result to `fold` in file order.
///
/// The reader waits while it is `2 × threads + 2` chunks ahead of the last result folded, so
/// memory stays a few chunks per thread whatever the file's size, even while one slow chunk
/// holds the others' results in `pending` (which used to grow to the rest of the file: found
/// by review, with a test below). The channel holds at most one chunk per pool thread.
/// Scanned buffers go back to the reader for reuse. Reading used to alternate with scanning, a window of chunks at a time: the
/// pool then sat idle during every read, and at every window's slowest chunk.
pub(super) fn pipeline<R: std::io::Read + Send>(
    chunker: &mut Chunker<R>,
    first: Chunk,
    threads: usize,
    scan: &(dyn Fn(&Chunk) -> ChunkOut + Sync),
    fold: &mut (dyn FnMut(ChunkOut, usize) + Send),
) -> std::io::Result<()> {
    use rayon::iter::{ParallelBridge, ParallelIterator};
    use std::sync::mpsc::{channel, sync_channel};
    use std::sync::{Condvar, Mutex};
    struct Order<'f> {
        /// The next chunk to fold.
        next: usize,
        pending: BTreeMap<usize, (ChunkOut, usize)>,
        fold: &'f mut (dyn FnMut(ChunkOut, usize) + Send),
        /// No more results will be folded (the scan ended or unwound): the reader stops.
        closed: bool,
    }
    /// Closes `Order` when the scan ends, however it ends, so a waiting reader wakes.
    struct Close<'a, 'f>(&'a Mutex<Order<'f>>, &'a Condvar);
    impl Drop for Close<'_, '_> {
        fn drop(&mut self) {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).closed = true;
            self.1.notify_all();
        }
    }
    let window = 2 * threads + 2;
    let (chunks_tx, chunks_rx) = sync_channel::<std::io::Result<(usize, Chunk)>>(threads);
    let (spare_tx, spare_rx) = channel::<Vec<u8>>();
    let size = chunker.size;
    let order = Mutex::new(Order {
        next: 0,
        pending: BTreeMap::new(),
        fold,
        closed: false,
    });
    let folded = Condvar::new();
    let mut failed = None;
    std::thread::scope(|s| {
        let (order, folded) = (&order, &folded);
        let reader = s.spawn(move || {
            let mut item = Ok(Some(first));
            let mut n = 0;
            loop {
                match item {
                    Ok(Some(c)) => {
                        let mut o = order.lock().unwrap_or_else(|p| p.into_inner());
                        while n >= o.next + window && !o.closed {
                            o = folded.wait(o).unwrap_or_else(|p| p.into_inner());
                        }
                        if o.closed {
                            return;
                        }
                        drop(o);
                        if chunks_tx.send(Ok((n, c))).is_err() {
                            return;
                        }
                        n += 1;
                    }
                    Ok(None) => return,
                    Err(e) => {
                        let _ = chunks_tx.send(Err(e));
                        return;
                    }
                }
                // At most a window of buffers kept for reuse.
                while let Ok(b) = spare_rx.try_recv() {
                    if chunker.spare.len() < 2 * threads + 2 {
                        chunker.spare.push(b);
                    }
                }
                item = chunker.next();
            }
        });
        let errors = Mutex::new(None);
        let close = Close(order, folded);
        chunks_rx.into_iter().par_bridge().for_each(|item| {
            let (i, chunk) = match item {
                Ok(x) => x,
                Err(e) => {
                    *errors.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                    return;
                }
            };
            let out = scan(&chunk);
            let bytes = chunk.range.len();
            // The last user of a large buffer gives it back to the reader (the odd small or
            // huge one is let go).
            if let Ok(b) = std::sync::Arc::try_unwrap(chunk.buf) {
                if b.capacity() >= size && b.capacity() <= 4 * size + (4 << 20) {
                    let _ = spare_tx.send(b);
                }
            }
            let mut o = order.lock().unwrap_or_else(|p| p.into_inner());
            o.pending.insert(i, (out, bytes));
            let before = o.next;
            loop {
                let next = o.next;
                let Some((out, bytes)) = o.pending.remove(&next) else {
                    break;
                };
                (o.fold)(out, bytes);
                o.next += 1;
            }
            if o.next > before {
                folded.notify_all();
            }
        });
        drop(close);
        // A panic in the reader is a bug: pass it on as one.
        if let Err(p) = reader.join() {
            std::panic::resume_unwind(p);
        }
        failed = errors.into_inner().unwrap_or_else(|p| p.into_inner());
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
