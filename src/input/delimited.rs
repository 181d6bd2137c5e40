//! The records of a mapped text export (comma, semicolon, tab or bar separated), read exactly
//! as the CSV parser reads them, faster: a line holding no quote, and no CR other than one
//! ending it, is split at its delimiters directly; any other record goes through the parser.
//!
//! For such a line the two agree by construction: without a quote nothing is escaped, a field
//! ends at each delimiter, the record at the LF (a CR before it dropped), and a blank line is
//! no record at all. Most lines of real exports are like that, and the parser's byte-by-byte
//! state machine was a fifth of a mapped export's reading thread.

use super::pipeline::{broadcast, zero_bytes};
use std::io::Read;
use std::ops::Range;

/// A source record: its cells as ranges of one buffer. A line split where it lies is copied
/// whole, its cells ranges between the delimiters; cells the parser unquoted, or that a
/// workbook or a JSON line gave, are laid one after another.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRecord {
    bytes: Vec<u8>,
    bounds: Vec<(usize, usize)>,
}

impl RawRecord {
    /// A record of no cell.
    pub fn new() -> Self {
        Self::default()
    }

    /// Removes every cell.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.bounds.clear();
    }

    /// Adds a cell at the end.
    pub fn push_field(&mut self, field: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(field);
        self.bounds.push((start, self.bytes.len()));
    }

    /// How many cells the record has.
    pub fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Whether the record has no cell.
    pub fn is_empty(&self) -> bool {
        self.bounds.is_empty()
    }

    /// Cell `i`, if the record has that many.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.bounds.get(i).map(|&(s, e)| &self.bytes[s..e])
    }

    /// Where cell `i` lies in [`RawRecord::as_slice`].
    #[inline]
    pub fn range(&self, i: usize) -> Option<Range<usize>> {
        self.bounds.get(i).map(|&(s, e)| s..e)
    }

    /// Every byte of the record: its cells, with the delimiters between them when it was split
    /// where it lay.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    /// The cells in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &[u8]> + '_ {
        self.bounds.iter().map(|&(s, e)| &self.bytes[s..e])
    }

    /// Makes the record the cells of `line` between its `delimiter`s, eight bytes at a time,
    /// unless `line` holds a `quote` (then false, and the record is left empty).
    fn split(&mut self, line: &[u8], delimiter: u8, quote: Option<u8>) -> bool {
        self.clear();
        // Without quoting, a quote is text.
        let (d, q) = (broadcast(delimiter), quote.map(broadcast));
        let mut field = 0;
        let mut words = line.chunks_exact(8);
        for (n, word) in words.by_ref().enumerate() {
            let w = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            if q.is_some_and(|q| zero_bytes(w ^ q) != 0) {
                self.clear();
                return false;
            }
            let mut found = zero_bytes(w ^ d);
            while found != 0 {
                let at = n * 8 + (found.trailing_zeros() / 8) as usize;
                self.bounds.push((field, at));
                field = at + 1;
                found &= found - 1;
            }
        }
        let tail = line.len() - words.remainder().len();
        for (at, &b) in line.iter().enumerate().skip(tail) {
            if Some(b) == quote {
                self.clear();
                return false;
            }
            if b == delimiter {
                self.bounds.push((field, at));
                field = at + 1;
            }
        }
        self.bounds.push((field, line.len()));
        self.bytes.extend_from_slice(line);
        true
    }
}

impl<T: AsRef<[u8]>> From<Vec<T>> for RawRecord {
    fn from(cells: Vec<T>) -> Self {
        let mut r = RawRecord::new();
        for c in cells {
            r.push_field(c.as_ref());
        }
        r
    }
}

/// Bytes read at a time at first (a longer record grows the buffer).
const BUFFER: usize = 1 << 18;

/// The CSV parser for records separated by `delimiter`, with cells quoted by `quote` (none:
/// quotes are text).
pub fn parser(delimiter: u8, quote: Option<u8>) -> csv_core::Reader {
    let mut b = csv_core::ReaderBuilder::new();
    b.delimiter(delimiter);
    match quote {
        Some(q) => b.quote(q),
        None => b.quoting(false),
    };
    b.build()
}

/// What feeding bytes to a [`RecordParser`] came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fed {
    /// The bytes ended inside the record: more are needed (none at the end of the input).
    More,
    /// The record is complete: its cells are [`RecordParser::cells`].
    Record,
    /// The input ended before any record.
    End,
}

/// The CSV parser reading one record at a time, fed in pieces, with where it writes the
/// record's cells (grown as a long record needs).
pub struct RecordParser {
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    written: usize,
    fields: usize,
}

impl RecordParser {
    /// Reads records with `core`.
    pub fn new(core: csv_core::Reader) -> Self {
        RecordParser {
            core,
            out: vec![0; 1 << 12],
            ends: vec![0; 64],
            written: 0,
            fields: 0,
        }
    }

    /// Starts a record afresh.
    pub fn start(&mut self) {
        self.core.reset();
        (self.written, self.fields) = (0, 0);
    }

    /// Feeds `input` (empty: the input ended); returns what it came to and the bytes it took.
    pub fn feed(&mut self, input: &[u8]) -> (Fed, usize) {
        use csv_core::ReadRecordResult::*;
        let mut took = 0;
        loop {
            let (result, r, w, f) = self.core.read_record(
                &input[took..],
                &mut self.out[self.written..],
                &mut self.ends[self.fields..],
            );
            took += r;
            self.written += w;
            self.fields += f;
            match result {
                OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                InputEmpty => return (Fed::More, took),
                Record => return (Fed::Record, took),
                End => return (Fed::End, took),
            }
        }
    }

    /// The cells of the record last completed.
    pub fn cells(&self) -> impl Iterator<Item = &[u8]> + '_ {
        let ends = &self.ends[..self.fields];
        ends.iter().scan(0, |from, &end| {
            Some(&self.out[std::mem::replace(from, end)..end])
        })
    }
}

/// The records of a delimited text, with where each starts.
pub struct DelimitedRecords<R> {
    inner: R,
    buf: Vec<u8>,
    /// The unread bytes are `buf[lo..hi]`.
    lo: usize,
    hi: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Whether `inner` has no more bytes.
    eof: bool,
    delimiter: u8,
    quote: Option<u8>,
    /// The parser, for records that hold a quote or a lone CR.
    parser: RecordParser,
}

impl<R: Read> DelimitedRecords<R> {
    /// Records of `inner` separated by `delimiter`, with cells quoted by `quote` (none: quotes
    /// are text).
    pub fn new(inner: R, delimiter: u8, quote: Option<u8>) -> Self {
        Self::with_buffer(inner, delimiter, quote, BUFFER)
    }

    fn with_buffer(inner: R, delimiter: u8, quote: Option<u8>, size: usize) -> Self {
        DelimitedRecords {
            inner,
            buf: vec![0; size.max(1)],
            lo: 0,
            hi: 0,
            base: 0,
            eof: false,
            delimiter,
            quote,
            parser: RecordParser::new(parser(delimiter, quote)),
        }
    }

    /// The reader the bytes come from.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The reader the bytes come from.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Reads more bytes after `hi`, moving the unread ones to the front first and growing the
    /// buffer when they fill it. Returns false at the end of the input.
    fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.lo > 0 {
            self.buf.copy_within(self.lo..self.hi, 0);
            self.base += self.lo as u64;
            self.hi -= self.lo;
            self.lo = 0;
        }
        if self.hi == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        let n = loop {
            match self.inner.read(&mut self.buf[self.hi..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        self.hi += n;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// Reads the next record into `record`; returns the stream offset it starts at (before any
    /// blank lines the parser skips to reach it), or `None` at the end.
    pub fn read(&mut self, record: &mut RawRecord) -> std::io::Result<Option<u64>> {
        record.clear();
        let mut searched = self.lo;
        loop {
            // The first line end: an LF, or a CR (one that ends a line of an old Mac export
            // goes to the parser, so such a file is never searched to its end for an LF).
            let found =
                memchr::memchr2(b'\n', b'\r', &self.buf[searched..self.hi]).map(|i| searched + i);
            let nl = match found {
                Some(at) if self.buf[at] == b'\n' => Some(at),
                Some(at) if at + 1 < self.hi && self.buf[at + 1] == b'\n' => Some(at + 1),
                // A CR not followed by an LF: a line of its own kind, read by the parser.
                Some(at) if at + 1 < self.hi || self.eof => return self.parsed(record),
                // A CR at the end of what is read: whether an LF follows is still to be read.
                Some(at) => {
                    searched = at;
                    None
                }
                None => {
                    searched = self.hi;
                    None
                }
            };
            let Some(nl) = nl else {
                let before = self.lo;
                if self.fill()? {
                    searched -= before - self.lo;
                    continue;
                }
                if searched < self.hi {
                    // The CR at the very end.
                    continue;
                }
                // The last line, without a line end.
                if self.lo == self.hi {
                    return Ok(None);
                }
                return self.parsed(record);
            };
            let line = &self.buf[self.lo..nl];
            let body = line.strip_suffix(b"\r").unwrap_or(line);
            if body.is_empty() {
                // A blank line: no record.
                self.lo = nl + 1;
                searched = self.lo;
                continue;
            }
            // The line holds no CR (the first was found ending it): only a quote needs the parser.
            if !record.split(body, self.delimiter, self.quote) {
                return self.parsed(record);
            }
            let start = self.base + self.lo as u64;
            self.lo = nl + 1;
            return Ok(Some(start));
        }
    }

    /// The record at `lo` read by the parser, over as many lines and reads as it takes.
    fn parsed(&mut self, record: &mut RawRecord) -> std::io::Result<Option<u64>> {
        let start = self.base + self.lo as u64;
        record.clear();
        self.parser.start();
        loop {
            let (fed, took) = self.parser.feed(&self.buf[self.lo..self.hi]);
            self.lo += took;
            match fed {
                // At the end of the input the parser is fed no bytes, which it reads as the end.
                Fed::More => {
                    self.fill()?;
                }
                Fed::Record => {
                    for cell in self.parser.cells() {
                        record.push_field(cell);
                    }
                    return Ok(Some(start));
                }
                Fed::End => return Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every record of `bytes` as the CSV parser reads it, with its start offset.
    fn by_the_parser(bytes: &[u8], delimiter: u8, quote: Option<u8>) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut b = csv::ReaderBuilder::new();
        b.has_headers(false).flexible(true).delimiter(delimiter);
        match quote {
            Some(q) => b.quote(q),
            None => b.quoting(false),
        };
        let mut reader = b.from_reader(bytes);
        let mut record = csv::ByteRecord::new();
        let mut all = Vec::new();
        while reader.read_byte_record(&mut record).unwrap() {
            let start = record.position().unwrap().byte();
            all.push((start, record.iter().map(<[u8]>::to_vec).collect()));
        }
        all
    }

    fn by_the_splitter(
        bytes: &[u8],
        delimiter: u8,
        quote: Option<u8>,
        buffer: usize,
    ) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut reader = DelimitedRecords::with_buffer(bytes, delimiter, quote, buffer);
        let mut record = RawRecord::new();
        let mut all = Vec::new();
        while let Some(start) = reader.read(&mut record).unwrap() {
            all.push((start, record.iter().map(<[u8]>::to_vec).collect()));
        }
        all
    }

    /// Compares the two readers: the same records, each starting in the same place once the
    /// line ends the parser leaves before a record are skipped (as `LineEnds::line_of` does).
    fn agree(bytes: &[u8], delimiter: u8, quote: Option<u8>, buffer: usize) {
        let skip = |at: u64| {
            let mut at = at as usize;
            while matches!(bytes.get(at), Some(b'\n' | b'\r')) {
                at += 1;
            }
            at as u64
        };
        let want: Vec<_> = by_the_parser(bytes, delimiter, quote)
            .into_iter()
            .map(|(at, r)| (skip(at), r))
            .collect();
        let got: Vec<_> = by_the_splitter(bytes, delimiter, quote, buffer)
            .into_iter()
            .map(|(at, r)| (skip(at), r))
            .collect();
        assert_eq!(got, want, "{:?}", String::from_utf8_lossy(bytes));
    }

    #[test]
    fn lines_without_quotes_are_split_as_the_parser_splits_them() {
        let text = b"id,at,who\r\na,2026-10-01 08:00,x\n\n\r\nb,,\n c , d \nlast,row";
        assert_eq!(
            by_the_splitter(text, b',', Some(b'"'), 4),
            vec![
                (0, vec![b"id".to_vec(), b"at".to_vec(), b"who".to_vec()]),
                (
                    11,
                    vec![b"a".to_vec(), b"2026-10-01 08:00".to_vec(), b"x".to_vec()]
                ),
                (35, vec![b"b".to_vec(), b"".to_vec(), b"".to_vec()]),
                (39, vec![b" c ".to_vec(), b" d ".to_vec()]),
                (47, vec![b"last".to_vec(), b"row".to_vec()]),
            ]
        );
        for buffer in [1, 3, 7, 64, BUFFER] {
            agree(text, b',', Some(b'"'), buffer);
        }
    }

    #[test]
    fn quoted_cells_and_lone_crs_go_through_the_parser() {
        let texts: [&[u8]; 6] = [
            b"a,\"b,c\"\nd,\"e\nf\"\r\ng,h\n",
            b"a,\"say \"\"hi\"\"\",b\n\"open,\nnever closed",
            b"a,b\rc,d\r\re,f\n",
            b"x,y\n\"q\"uoted\",z\r\n\r\nlast",
            b"\r\n\r\n\"a\"\n\n",
            b"a|b\"c|d\n|\n",
        ];
        for text in texts {
            for buffer in [1, 2, 5, 64] {
                agree(text, b',', Some(b'"'), buffer);
                agree(text, b'|', None, buffer);
                agree(text, b';', Some(b'\''), buffer);
            }
        }
    }

    #[test]
    fn an_old_mac_export_is_read_line_by_line_not_searched_to_its_end() {
        // Lines ending in a lone CR: each goes to the parser as soon as its CR is found, so
        // the reader never holds more than a line or two, nor searches ahead for an LF.
        let text = "id,at\r".to_string() + &"c1,2026-10-01 09:00\r".repeat(1000);
        agree(text.as_bytes(), b',', Some(b'"'), 16);
        let mut reader = DelimitedRecords::with_buffer(text.as_bytes(), b',', Some(b'"'), 16);
        let mut record = RawRecord::new();
        let mut n = 0;
        while reader.read(&mut record).unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 1001);
        assert!(
            reader.buf.len() <= 64,
            "buffer grew to {}",
            reader.buf.len()
        );
    }

    #[test]
    fn a_failing_read_is_an_error_not_an_end() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk gone"))
            }
        }
        let mut reader = DelimitedRecords::new(Failing, b',', Some(b'"'));
        assert!(reader.read(&mut RawRecord::new()).is_err());
    }

    proptest! {
        #[test]
        fn any_text_reads_as_the_parser_reads_it(
            bytes in proptest::collection::vec(
                prop::sample::select(vec![b'a', b' ', b',', b'|', b'"', b'\r', b'\n']),
                0..120,
            ),
            buffer in 1usize..40,
        ) {
            agree(&bytes, b',', Some(b'"'), buffer);
            agree(&bytes, b'|', None, buffer);
        }
    }
}
