//! The fields of one record, as the row rules read them: ranges of a line split where it lies
//! in the chunk, or the fields of a record the CSV parser wrote out (quoted cells unquoted).

/// The fields of one record.
#[derive(Debug, Clone, Copy)]
pub enum Fields<'r> {
    /// Fields split in place: each `(start, end)` of `bounds` is a range of `bytes`.
    Split {
        /// The bytes the ranges point into (a chunk of the file).
        bytes: &'r [u8],
        /// One range per field, in order.
        bounds: &'r [(usize, usize)],
    },
    /// A record read by the CSV parser.
    Record(&'r csv::ByteRecord),
}

impl<'r> Fields<'r> {
    /// How many fields the record has.
    pub fn len(&self) -> usize {
        match self {
            Fields::Split { bounds, .. } => bounds.len(),
            Fields::Record(r) => r.len(),
        }
    }

    /// Whether the record has no field at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Field `i`, if the record has that many.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'r [u8]> {
        match *self {
            Fields::Split { bytes, bounds } => bounds.get(i).map(|&(s, e)| &bytes[s..e]),
            Fields::Record(r) => r.get(i),
        }
    }

    /// The fields in order.
    pub fn iter(self) -> impl DoubleEndedIterator<Item = &'r [u8]> {
        (0..self.len()).map(move |i| self.get(i).unwrap_or_default())
    }
}

impl<'r> From<&'r csv::ByteRecord> for Fields<'r> {
    fn from(record: &'r csv::ByteRecord) -> Self {
        Fields::Record(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_fields_read_as_the_record_of_the_same_cells() {
        let line = b"c1,acme, phone ,,x";
        let bounds = [(0, 2), (3, 7), (8, 15), (16, 16), (17, 18)];
        let split = Fields::Split {
            bytes: line,
            bounds: &bounds,
        };
        let record = csv::ByteRecord::from(vec!["c1", "acme", " phone ", "", "x"]);
        let parsed = Fields::from(&record);
        assert_eq!(split.len(), 5);
        assert_eq!(
            split.iter().collect::<Vec<_>>(),
            parsed.iter().collect::<Vec<_>>()
        );
        assert_eq!(split.get(5), None);
        assert_eq!(parsed.get(5), None);
        assert_eq!(split.iter().next_back(), Some(&b"x"[..]));
    }
}
