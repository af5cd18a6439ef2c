//! Resource bounds applied to untrusted input.

/// Bounds on the work and memory spent on one input PDF.
///
/// The defaults are far above what real letters need (a 94-page, 20 MB E-POST letter fits
/// many times over) and keep a crafted file from exhausting memory or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest input file accepted, in bytes.
    pub max_input_bytes: u64,
    /// Largest size any single stream may decompress to while loading or analysing.
    pub max_decompressed_stream_bytes: usize,
    /// Most pages accepted in one input.
    pub max_pages: usize,
    /// Deepest page tree accepted (real files rarely exceed 5 levels; the walk is iterative, so
    /// this bounds work, not stack).
    pub max_page_tree_depth: usize,
    /// Most indirect objects accepted in one input.
    pub max_objects: usize,
    /// Deepest nesting of form XObjects followed when looking for marks on a page.
    pub max_form_depth: usize,
    /// Most content-stream operations examined per page when looking for marks.
    pub max_operations_per_page: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 256 * 1024 * 1024,
            max_decompressed_stream_bytes: 64 * 1024 * 1024,
            max_pages: 10_000,
            max_page_tree_depth: 256,
            max_objects: 2_000_000,
            max_form_depth: 8,
            max_operations_per_page: 2_000_000,
        }
    }
}
