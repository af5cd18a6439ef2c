//! E-mail address syntax.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::{Problem, ProblemCode};

/// A syntactically valid e-mail address (`local@domain.tld`).
///
/// The check is deliberately the practical subset mail servers accept (RFC 5321 lengths, a dot-atom
/// local part, a domain of letter-digit-hyphen labels with a dot), not every form RFC 5322 allows:
/// quoted local parts and IP literals are refused because real recipients do not use them and
/// some SMTP servers reject them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

/// Why a string is not an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid e-mail address: {reason}")]
pub struct InvalidEmail {
    /// The rejected input.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl InvalidEmail {
    /// The same as a validation problem for `field`.
    pub fn to_problem(&self, field: &str) -> Problem {
        Problem::new(
            ProblemCode::EmailInvalid,
            field,
            format!("„{}“ ist keine gültige E-Mail-Adresse.", self.input),
            self.to_string(),
        )
    }
}

impl EmailAddress {
    /// Parses and checks an address; surrounding blanks are removed.
    pub fn parse(input: &str) -> Result<Self, InvalidEmail> {
        let s = input.trim();
        let err = |reason| InvalidEmail {
            input: input.to_owned(),
            reason,
        };
        if s.len() > 254 {
            return Err(err("longer than 254 characters"));
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(|| err("no @"))?;
        if local.is_empty() || local.len() > 64 {
            return Err(err("the part before @ must have 1 to 64 characters"));
        }
        let local_ok = local.split('.').all(|atom| {
            !atom.is_empty()
                && atom.chars().all(|c| {
                    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii()
                })
        });
        if !local_ok {
            return Err(err(
                "the part before @ has a forbidden character or dot placement",
            ));
        }
        let labels: Vec<&str> = domain.split('.').collect();
        if labels.len() < 2 {
            return Err(err("the domain needs a dot, as in example.de"));
        }
        let labels_ok = labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !labels_ok {
            return Err(err(
                "the domain has an empty label or a forbidden character",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain part.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for EmailAddress {
    type Err = InvalidEmail;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<'de> Deserialize<'de> for EmailAddress {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}
