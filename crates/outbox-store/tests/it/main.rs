//! Integration tests of `outbox-store`.
//!
//! They build into one binary: a binary per file would link the whole dependency tree once per
//! file, which costs CI minutes and gigabytes of disk (see the dev profile in the root manifest).

mod basics;
mod blobs;
mod claims;
mod common;
mod concurrency;
mod isolation;
mod model_agreement;
