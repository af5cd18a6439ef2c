//! Integration tests of `outbox-mailshare`.
//!
//! They build into one binary: a binary per file would link the whole dependency tree once per
//! file, which costs CI minutes and gigabytes of disk (see the dev profile in the root manifest).

mod common;
mod conformance;
mod embedding;
mod http;
mod notify_retry;
mod tamper_props;
