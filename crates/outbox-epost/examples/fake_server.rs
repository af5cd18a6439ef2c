//! Serves the fake E-POST server (being written).
fn main() {}
