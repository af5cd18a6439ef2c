//! Writing a PDF object by object, straight to its destination.
//!
//! A letter is written while its inputs are read: each object goes out as soon as it is
//! copied, so neither the inputs' object models nor the finished file have to be held in
//! memory. Only the offsets for the cross-reference table are kept (8 bytes per object).

use std::io::{self, Write};

use lopdf::{Dictionary, Object, Writer};

/// The version written into the header. Later versions (2.0) are declared in the catalog,
/// which PDF 1.4 and later allow, because the header is written before the inputs are read.
pub(crate) const HEADER_VERSION: (u32, u32) = (1, 7);

/// A PDF being written; object numbers are chosen by the caller, each written once.
pub(crate) struct PdfSink<W: Write> {
    out: W,
    written: u64,
    /// Offset of each object by number; 0 where nothing was written.
    offsets: Vec<u64>,
}

impl<W: Write> PdfSink<W> {
    /// A file to be written to `out`; the header goes out with the first object, so that
    /// creating a sink cannot fail.
    pub(crate) fn new(out: W) -> Self {
        Self {
            out,
            written: 0,
            offsets: Vec::new(),
        }
    }

    fn header(&mut self) -> io::Result<()> {
        if self.written == 0 {
            let (major, minor) = HEADER_VERSION;
            self.put(format!("%PDF-{major}.{minor}\n").as_bytes())?;
            // Bytes above 127 tell transfer programs that the file is binary.
            self.put(b"%\xE2\xE3\xCF\xD3\n")?;
        }
        Ok(())
    }

    /// Bytes written so far.
    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.written += bytes.len() as u64;
        Ok(())
    }

    fn begin(&mut self, number: u32) -> io::Result<()> {
        self.header()?;
        let i = number as usize;
        if self.offsets.len() <= i {
            self.offsets.resize(i + 1, 0);
        }
        self.offsets[i] = self.written;
        self.put(format!("{number} 0 obj\n").as_bytes())
    }

    /// Writes a non-stream object.
    pub(crate) fn object(&mut self, number: u32, obj: &Object) -> io::Result<()> {
        self.begin(number)?;
        let mut body = Vec::with_capacity(64);
        write_value(&mut body, obj)?;
        body.extend_from_slice(b"\nendobj\n");
        self.put(&body)
    }

    /// Writes a stream with its data as is; `/Length` is set from the data.
    pub(crate) fn stream(&mut self, number: u32, dict: &Dictionary, data: &[u8]) -> io::Result<()> {
        self.begin(number)?;
        let mut head = Vec::with_capacity(128);
        head.extend_from_slice(b"<<");
        for (key, value) in dict.iter() {
            if key.as_slice() == b"Length" {
                continue;
            }
            write_name(&mut head, key);
            head.push(b' ');
            write_value(&mut head, value)?;
        }
        head.extend_from_slice(format!("/Length {}>>\nstream\n", data.len()).as_bytes());
        self.put(&head)?;
        self.put(data)?;
        self.put(b"\nendstream\nendobj\n")
    }

    /// Writes the cross-reference table and trailer and returns the destination and the
    /// file size.
    pub(crate) fn finish(mut self, root: u32) -> io::Result<(W, u64)> {
        self.header()?;
        let start = self.written;
        let size = self.offsets.len().max(1);
        let mut table = Vec::with_capacity(size * 20 + 64);
        table.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
        // Unwritten numbers (dead weight of an input that failed mid-way) are free entries.
        for (i, offset) in self.offsets.iter().enumerate().take(size) {
            if i == 0 || *offset == 0 {
                table.extend_from_slice(b"0000000000 65535 f\r\n");
            } else {
                table.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
            }
        }
        if self.offsets.is_empty() {
            table.extend_from_slice(b"0000000000 65535 f\r\n");
        }
        table.extend_from_slice(
            format!("trailer\n<</Size {size}/Root {root} 0 R>>\nstartxref\n{start}\n%%EOF\n")
                .as_bytes(),
        );
        self.put(&table)?;
        self.out.flush()?;
        Ok((self.out, self.written))
    }
}

fn write_value(out: &mut Vec<u8>, obj: &Object) -> io::Result<()> {
    Writer::write_object(out, obj).map_err(|e| io::Error::other(e.to_string()))
}

/// A name with every byte outside the regular characters escaped as `#xx`.
fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &b in name {
        let regular = b.is_ascii_graphic() && !b"()<>[]{}/%#".contains(&b);
        if regular {
            out.push(b);
        } else {
            out.extend_from_slice(format!("#{b:02X}").as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_a_file_lopdf_reads_back() {
        let mut sink = PdfSink::new(Vec::new());
        let mut page = Dictionary::new();
        page.set("Type", Object::Name(b"Page".to_vec()));
        page.set("Parent", Object::Reference((2, 0)));
        page.set("Contents", Object::Reference((4, 0)));
        page.set(
            "MediaBox",
            Object::Array(vec![0.into(), 0.into(), 595.into(), 842.into()]),
        );
        let mut pages = Dictionary::new();
        pages.set("Type", Object::Name(b"Pages".to_vec()));
        pages.set("Kids", Object::Array(vec![Object::Reference((3, 0))]));
        pages.set("Count", 1);
        let mut catalog = Dictionary::new();
        catalog.set("Type", Object::Name(b"Catalog".to_vec()));
        catalog.set("Pages", Object::Reference((2, 0)));
        let mut stream_dict = Dictionary::new();
        stream_dict.set("Length", 9999);
        stream_dict.set("Odd Name#", true);
        // Written out of order, as the copy does.
        sink.stream(4, &stream_dict, b"0 0 m 1 1 l S").unwrap();
        sink.object(3, &Object::Dictionary(page)).unwrap();
        sink.object(2, &Object::Dictionary(pages)).unwrap();
        sink.object(1, &Object::Dictionary(catalog)).unwrap();
        let (bytes, size) = sink.finish(1).unwrap();
        assert_eq!(size, bytes.len() as u64);
        let doc = lopdf::Document::load_mem(&bytes).unwrap();
        assert_eq!(doc.get_pages().len(), 1);
        let stream = doc.get_object((4, 0)).unwrap().as_stream().unwrap();
        assert_eq!(stream.content, b"0 0 m 1 1 l S");
        assert_eq!(stream.dict.get(b"Length").unwrap().as_i64().unwrap(), 13);
        assert!(stream.dict.get(b"Odd Name#").unwrap().as_bool().unwrap());
        assert!(bytes.starts_with(b"%PDF-1.7\n"));
    }
}
