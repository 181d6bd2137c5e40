//! The floor under `settle` on this machine: what reading, hashing and splitting a month's
//! files into records and fields costs with nothing else done, on one thread.
//!
//!     cargo run --release --example floor -- DIR/calls.csv DIR/tickets.csv …
//!
//! For each file, an untimed pass to bring it into the page cache, then three passes over the
//! cached bytes, each timed alone: `read` (read(2)
//! into a 1 MiB buffer), `read + sha256` (the seal settle computes), and `read + split`
//! (line feeds and commas found with memchr, fields counted: the record split of a quote-free
//! chunk, without judging a single cell). Prints seconds and GB/s per pass and the totals.
//! BENCHMARKS.md compares settle's stages with these.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::time::Instant;

fn pass(path: &str, mut each: impl FnMut(&[u8])) -> std::io::Result<(u64, f64)> {
    let mut file = File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let start = Instant::now();
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        bytes += n as u64;
        each(&buf[..n]);
    }
    Ok((bytes, start.elapsed().as_secs_f64()))
}

fn main() -> std::io::Result<()> {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("usage: floor FILE…");
        std::process::exit(2);
    }
    let mut totals = [0f64; 3];
    let mut all_bytes = 0u64;
    for path in &files {
        pass(path, |_| {})?; // untimed: the file into the page cache
        let (bytes, read) = pass(path, |_| {})?;
        let mut hasher = Sha256::new();
        let (_, hashed) = pass(path, |b| hasher.update(b))?;
        let digest = hasher.finalize();
        let (mut records, mut fields) = (0u64, 0u64);
        let (_, split) = pass(path, |b| {
            records += memchr::memchr_iter(b'\n', b).count() as u64;
            fields += memchr::memchr2_iter(b',', b'\n', b).count() as u64;
        })?;
        all_bytes += bytes;
        for (t, x) in totals.iter_mut().zip([read, hashed, split]) {
            *t += x;
        }
        println!(
            "{path}: {:.0} MB, {records} records, {fields} fields; read {read:.3} s, read + sha256 {hashed:.3} s ({:.2} GB/s), read + split {split:.3} s; sha256 {:02x}{:02x}…",
            bytes as f64 / 1e6,
            bytes as f64 / hashed / 1e9,
            digest[0],
            digest[1],
        );
    }
    println!(
        "all {:.0} MB: read {:.3} s, read + sha256 {:.3} s, read + split {:.3} s; floor (read once, hash, split) ≈ {:.3} s of one core",
        all_bytes as f64 / 1e6,
        totals[0],
        totals[1],
        totals[2],
        totals[1] + totals[2] - totals[0]
    );
    Ok(())
}
