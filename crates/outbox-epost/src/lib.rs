//! E-POST letter route (work in progress: client and fake server are being written).

#[cfg(feature = "fake")]
pub mod fake;
