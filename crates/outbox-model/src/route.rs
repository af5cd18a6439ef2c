//! Delivery routes and a contact's ordered set of preferred routes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

use crate::Language;

/// How a delivery reaches its recipient.
///
/// The serde names (`"epost_letter"`, `"email"`, `"portal_share"`, `"email_share"`) are stable:
/// they are stored in databases and exchanged with other programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Hybrid letter through the Deutsche Post E-POSTBUSINESS API (printed and posted).
    EpostLetter,
    /// E-mail with the documents attached.
    Email,
    /// Upload to the tenant/owner portal; the download is the proof.
    PortalShare,
    /// Documents stored for download; an e-mail carries a time-limited link.
    EmailShare,
}

impl Route {
    /// Every route, in display order.
    pub const ALL: [Route; 4] = [
        Route::EpostLetter,
        Route::Email,
        Route::PortalShare,
        Route::EmailShare,
    ];

    /// The stable machine name, identical to the serde name.
    pub fn as_str(self) -> &'static str {
        match self {
            Route::EpostLetter => "epost_letter",
            Route::Email => "email",
            Route::PortalShare => "portal_share",
            Route::EmailShare => "email_share",
        }
    }

    /// The name shown to users.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            Route::EpostLetter => lang.pick("E-Post-Brief", "E-POST letter"),
            Route::Email => lang.pick("E-Mail", "E-mail"),
            Route::PortalShare => lang.pick("Portal-Freigabe", "Portal share"),
            Route::EmailShare => lang.pick("E-Mail-Freigabe", "E-mail share"),
        }
    }

    /// A small dense index (0..4), for arrays keyed by route.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the proof of delivery is the recipient's download.
    pub fn has_download_proof(self) -> bool {
        matches!(self, Route::PortalShare | Route::EmailShare)
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label(Language::De))
    }
}

/// A string is not a route name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown route `{0}`: expected one of epost_letter, email, portal_share, email_share")]
pub struct ParseRouteError(pub String);

impl FromStr for Route {
    type Err = ParseRouteError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Route::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ParseRouteError(s.to_owned()))
    }
}

/// A route was added twice to a [`RouteSet`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("route {0:?} is already in the set; each route may appear once")]
pub struct DuplicateRoute(pub Route);

/// An ordered set of routes without duplicates: a contact's preferences, first is most preferred.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RouteSet(Vec<Route>);

impl RouteSet {
    /// An empty set.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Builds a set from routes in order; a repeated route is an error.
    pub fn try_from_routes(
        routes: impl IntoIterator<Item = Route>,
    ) -> Result<Self, DuplicateRoute> {
        let mut set = Self::new();
        for r in routes {
            set.push(r)?;
        }
        Ok(set)
    }

    /// Appends a route at the end; refuses a route already present.
    pub fn push(&mut self, route: Route) -> Result<(), DuplicateRoute> {
        if self.contains(route) {
            return Err(DuplicateRoute(route));
        }
        self.0.push(route);
        Ok(())
    }

    /// Adds a route if missing; returns whether it was added.
    pub fn insert(&mut self, route: Route) -> bool {
        self.push(route).is_ok()
    }

    /// Removes a route; returns whether it was present.
    pub fn remove(&mut self, route: Route) -> bool {
        let before = self.0.len();
        self.0.retain(|r| *r != route);
        before != self.0.len()
    }

    /// Whether the route is in the set.
    pub fn contains(&self, route: Route) -> bool {
        self.0.contains(&route)
    }

    /// The routes in preference order.
    pub fn iter(&self) -> impl Iterator<Item = Route> + '_ {
        self.0.iter().copied()
    }

    /// Number of routes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The routes as a slice, in order.
    pub fn as_slice(&self) -> &[Route] {
        &self.0
    }
}

impl<'de> Deserialize<'de> for RouteSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let routes = Vec::<Route>::deserialize(deserializer)?;
        RouteSet::try_from_routes(routes).map_err(serde::de::Error::custom)
    }
}

impl<'a> IntoIterator for &'a RouteSet {
    type Item = Route;
    type IntoIter = std::iter::Copied<std::slice::Iter<'a, Route>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().copied()
    }
}
