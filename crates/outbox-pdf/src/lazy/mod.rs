//! A lazy, zero-copy PDF object reader.
//!
//! lopdf loads a whole file into its object model (up to ~10× the file on object-dense
//! inputs). [`LazyFile`] instead reads only the cross-reference data when it opens a file,
//! and each object when asked for it, straight from the input bytes; stream data is
//! borrowed from the input, never copied. Objects equal what lopdf's loader produces for the
//! same file (the tests use lopdf as the oracle).
//!
//! The reader is strict: whatever it does not handle (encryption, damaged cross-reference
//! data, a missing `endobj`, unknown syntax) is an [`Unreadable`] error, never a guess, and
//! the caller then loads the file fully with lopdf.

mod file;
mod lexer;
mod object;
mod objstm;
mod xref;

#[cfg(test)]
mod tests_edge;
#[cfg(test)]
mod tests_oracle;

pub(crate) use file::{HEADER_SEARCH_BYTES, LazyFile};

use lopdf::{Dictionary, Stream};

use crate::limits::Limits;

/// Why the lazy reader cannot read this file (the caller then loads it fully with lopdf).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Unreadable(pub(crate) String);

/// An object as read from the file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw<'a> {
    /// Any object that is not a stream (from the file body or from an object stream).
    Object(lopdf::Object),
    /// A stream: its dictionary (as written, /Length included) and its raw, still-encoded
    /// data, borrowed from the input.
    Stream {
        /// The stream dictionary as written.
        dict: Dictionary,
        /// The encoded data.
        data: &'a [u8],
    },
}

/// The decoded data of a stream whose encoded data lies in the input (filters and
/// predictors applied by lopdf), at most `limit` bytes. Used for cross-reference and object
/// streams here, and for content streams by [`Doc`](crate::doc::Doc).
pub(crate) fn decode_stream(dict: &Dictionary, raw: &[u8], limit: usize) -> lopdf::Result<Vec<u8>> {
    Stream::new(dict.clone(), raw.to_vec()).get_plain_content_with_limit(limit)
}

/// [`decode_stream`] bounded by `limits.max_decompressed_stream_bytes`, for the reader.
fn decode(dict: &Dictionary, raw: &[u8], limits: &Limits) -> Result<Vec<u8>, Unreadable> {
    decode_stream(dict, raw, limits.max_decompressed_stream_bytes)
        .map_err(|e| Unreadable(format!("a stream cannot be decoded: {e}")))
}
