//! Integration tests of `outbox-engine`.
//!
//! They build into one binary: a binary per file would link the whole dependency tree once per
//! file, which costs CI minutes and gigabytes of disk (see the dev profile in the root manifest).

mod actions;
mod common;
mod dispatcher;
mod random_actions;
