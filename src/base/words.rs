//! A large table of 64-bit words, zeroed and written through before use. A table of hundreds of
//! megabytes looked up at random (the duplicate check's slots) spends much of each lookup
//! translating its address: on Linux its memory is asked for in huge pages (2 MiB), which one
//! translation covers where a 4 KiB page needs its own. Only a hint: where the system declines,
//! the table is the same table in ordinary pages.

use std::ops::{Deref, DerefMut};

/// A table of zeroed 64-bit words.
pub struct Words(Memory);

enum Memory {
    Heap(Vec<u64>),
    #[cfg(target_os = "linux")]
    Mapped(memmap2::MmapMut),
}

/// Tables at least this large are mapped for huge pages; smaller ones live on the heap.
#[cfg(target_os = "linux")]
const MAPPED_BYTES: usize = 4 << 20;

/// The smallest page a system maps.
#[cfg(target_os = "linux")]
const PAGE_BYTES: usize = 4096;

impl Default for Words {
    fn default() -> Self {
        Words(Memory::Heap(Vec::new()))
    }
}

impl Words {
    /// `len` zeroed words, every page of them written already: a page left to be mapped lazily
    /// is first mapped to a shared zero page by a read, and every later write then faults.
    /// A large table's pages are written by `threads` threads (the caller's and `threads - 1`
    /// more), taking 2 MiB blocks in turn: the system's cost of new memory is per page, and
    /// scales with the cores that ask (107 MiB took 0.22 s on one core, 0.14 s on two).
    pub fn zeroed(len: usize, threads: usize) -> Words {
        #[cfg(target_os = "linux")]
        if let Some(bytes) = len.checked_mul(8).filter(|&b| b >= MAPPED_BYTES) {
            if let Ok(mut map) = memmap2::MmapMut::map_anon(bytes) {
                // Declined (no transparent huge pages): ordinary pages, the same table.
                let _ = map.advise(memmap2::Advice::HugePage);
                write_pages(&mut map, threads);
                return Words(Memory::Mapped(map));
            }
        }
        Words(Memory::Heap(vec_of_zeros(len)))
    }

    /// Whether the words are in a mapping asked for huge pages.
    #[cfg(all(test, target_os = "linux"))]
    fn mapped(&self) -> bool {
        matches!(self.0, Memory::Mapped(_))
    }
}

/// Writes one byte of every page of `bytes`, on `threads` threads: one write a page is enough,
/// the system zeroes what it maps. The threads take blocks of [`SHARE_BYTES`] in turn until none
/// is left, as some pages cost the system more than others (those it has handed back to its
/// host). The writes only ask for the memory early: blocks no started thread takes are written
/// by the caller, and a page never written is mapped as the table is used, zeroed all the same.
#[cfg(target_os = "linux")]
fn write_pages(bytes: &mut [u8], threads: usize) {
    fn write(blocks: &std::sync::Mutex<std::slice::ChunksMut<'_, u8>>) {
        loop {
            let block = blocks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .next();
            let Some(block) = block else { return };
            for page in block.chunks_mut(PAGE_BYTES) {
                page[0] = 0;
            }
        }
    }
    let helpers = threads.saturating_sub(1).min(bytes.len() / SHARE_BYTES);
    let blocks = std::sync::Mutex::new(bytes.chunks_mut(SHARE_BYTES));
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            let _ = std::thread::Builder::new()
                .name("zero-pages".into())
                .spawn_scoped(scope, || write(&blocks));
        }
        write(&blocks);
    });
}

/// The block of pages [`write_pages`]' threads take at a time: a huge page.
#[cfg(target_os = "linux")]
const SHARE_BYTES: usize = 2 << 20;

// Zeroes written on purpose (see [`Words::zeroed`]), which clippy would have allocated zeroed.
#[allow(clippy::slow_vector_initialization)]
fn vec_of_zeros(len: usize) -> Vec<u64> {
    let mut v = Vec::with_capacity(len);
    v.resize(len, 0);
    v
}

impl Deref for Words {
    type Target = [u64];

    #[inline]
    fn deref(&self) -> &[u64] {
        match &self.0 {
            Memory::Heap(v) => v,
            // A mapping starts on a page boundary: its bytes are always aligned as words.
            #[cfg(target_os = "linux")]
            Memory::Mapped(m) => bytemuck::cast_slice(m),
        }
    }
}

impl DerefMut for Words {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u64] {
        match &mut self.0 {
            Memory::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Memory::Mapped(m) => bytemuck::cast_slice_mut(m),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_of_any_size_is_zeroed_and_holds_what_is_written() {
        for len in [
            0,
            1,
            1000,
            (4 << 20) / 8,
            (4 << 20) / 8 + 3,
            (8 << 20) / 8 + 1,
        ] {
            for threads in [0, 1, 2, 3] {
                let mut w = Words::zeroed(len, threads);
                assert_eq!(w.len(), len);
                assert!(w.iter().all(|&x| x == 0), "{len} on {threads}");
                if len > 1 {
                    w[len - 1] = u64::MAX;
                    w[0] = 7;
                    assert_eq!((w[0], w[1], w[len - 1]), (7, 0, u64::MAX));
                }
                #[cfg(target_os = "linux")]
                assert_eq!(w.mapped(), len * 8 >= MAPPED_BYTES, "{len}");
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn every_page_is_written_once_whatever_the_threads() {
        // Blocks of whole pages, the last page short.
        let mut bytes = vec![1u8; 3 * SHARE_BYTES + 10 * PAGE_BYTES + 5];
        for threads in [1, 2, 3, 4, 11, 64] {
            bytes.fill(1);
            write_pages(&mut bytes, threads);
            let written: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i] == 0).collect();
            let starts: Vec<usize> = (0..=3 * SHARE_BYTES / PAGE_BYTES + 10)
                .map(|p| p * PAGE_BYTES)
                .collect();
            assert_eq!(written, starts, "{threads} threads");
        }
        write_pages(&mut [], 2);
    }
}
