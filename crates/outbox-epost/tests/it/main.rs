//! Integration tests of `outbox-epost`.
//!
//! They build into one binary: a binary per file would link the whole dependency tree once per
//! file, which costs CI minutes and gigabytes of disk (see the dev profile in the root manifest).

mod activation;
mod channel_check;
mod common;
mod conformance;
mod corpus;
mod credentials;
mod fake_accounts;
mod fake_auth;
mod fake_faults;
mod fake_introspection;
mod fake_letters;
mod fake_pdf;
mod fake_status;
mod fake_support;
mod letter_mapping;
mod malformed;
mod rate_limit;
mod reconcile;
mod secrets_in_logs;
mod split;
mod status;
