//! Integration tests of `outbox-pdf`.
//!
//! They build into one binary: a binary per file would link the whole dependency tree once per
//! file, which costs CI minutes and gigabytes of disk (see the dev profile in the root manifest).

mod common;
mod corpus;
mod cover_sheet;
mod normalise;
mod properties;
mod streaming;
