//! Integration tests of `outbox-email`.
//!
//! They build into one binary: a binary per file would link the whole dependency tree once per
//! file, which costs CI minutes and gigabytes of disk (see the dev profile in the root manifest).

mod accounts;
mod common;
mod conformance;
mod roundtrip_props;
mod smtp;
mod unknown_outcome;
