//! Fake E-POSTBUSINESS server (being written).
