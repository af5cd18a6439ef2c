//! Downloads fetched from the portal but not yet handed to the caller.
//!
//! The portal lists downloads after a cursor; `poll` only answers for the deliveries it was asked
//! about. Downloads of other deliveries are kept until those deliveries are polled, and the
//! cursor a caller may persist ([`Ledger::safe_cursor`]) never passes a download that has not
//! been handed out, so a restart can lose nothing (at worst a download is reported twice).

use std::collections::{BTreeMap, HashSet};

use outbox_model::DeliveryId;

use crate::protocol::DownloadEntry;

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    /// Everything up to here has been fetched from the portal.
    fetched: u64,
    /// Fetched but not yet handed out, by cursor.
    pending: BTreeMap<u64, DownloadEntry>,
}

impl Ledger {
    /// The cursor to fetch after.
    pub(crate) fn fetched(&self) -> u64 {
        self.fetched
    }

    /// Takes in a page of downloads; ignores entries at or before the fetched cursor (a portal
    /// answering with old entries must not produce duplicates).
    pub(crate) fn absorb(&mut self, entries: impl IntoIterator<Item = DownloadEntry>) {
        for e in entries {
            if e.cursor > self.fetched {
                self.pending.insert(e.cursor, e);
            }
        }
        if let Some((&last, _)) = self.pending.last_key_value() {
            self.fetched = self.fetched.max(last);
        }
    }

    /// Removes and returns the pending downloads of the given deliveries, in cursor order.
    pub(crate) fn take(&mut self, deliveries: &HashSet<DeliveryId>) -> Vec<DownloadEntry> {
        let keys: Vec<u64> = self
            .pending
            .iter()
            .filter(|(_, e)| deliveries.contains(&e.delivery_id))
            .map(|(k, _)| *k)
            .collect();
        keys.into_iter()
            .filter_map(|k| self.pending.remove(&k))
            .collect()
    }

    /// The largest cursor such that every download up to it has been handed out.
    pub(crate) fn safe_cursor(&self) -> u64 {
        self.pending
            .first_key_value()
            .map_or(self.fetched, |(&c, _)| c - 1)
    }

    /// Number of downloads waiting for their delivery to be polled.
    pub(crate) fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Starts over from a persisted cursor.
    pub(crate) fn reset(&mut self, cursor: u64) {
        self.fetched = cursor;
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use outbox_model::DocumentId;
    use proptest::prelude::*;

    fn entry(cursor: u64, delivery: u64) -> DownloadEntry {
        DownloadEntry {
            cursor,
            delivery_id: DeliveryId(delivery),
            document_id: DocumentId(1),
            account: "a".into(),
            at: Utc::now(),
        }
    }

    #[test]
    fn old_entries_are_ignored() {
        let mut l = Ledger::default();
        l.absorb([entry(1, 1), entry(2, 2)]);
        l.absorb([entry(2, 2)]);
        assert_eq!(l.pending_len(), 2);
        let got = l.take(&HashSet::from([DeliveryId(2)]));
        assert_eq!(got.len(), 1);
        assert_eq!(l.safe_cursor(), 0);
        l.take(&HashSet::from([DeliveryId(1)]));
        assert_eq!(l.safe_cursor(), 2);
        l.reset(10);
        assert_eq!((l.fetched(), l.safe_cursor()), (10, 10));
    }

    proptest! {
        /// Whatever the order of fetches and polls: every download is handed out exactly once,
        /// and the safe cursor never passes one that was not handed out.
        #[test]
        fn every_download_is_handed_out_once(
            deliveries in prop::collection::vec(0u64..5, 1..60),
            polls in prop::collection::vec((1usize..8, prop::collection::hash_set(0u64..5, 0..5)), 1..20),
        ) {
            let all: Vec<DownloadEntry> = deliveries
                .iter()
                .enumerate()
                .map(|(i, d)| entry(i as u64 + 1, *d))
                .collect();
            let mut l = Ledger::default();
            let mut handed: Vec<u64> = Vec::new();
            for (page, wanted) in polls {
                let start = l.fetched() as usize;
                let end = (start + page).min(all.len());
                l.absorb(all[start..end].iter().cloned());
                let wanted: HashSet<DeliveryId> = wanted.into_iter().map(DeliveryId).collect();
                for e in l.take(&wanted) {
                    prop_assert!(wanted.contains(&e.delivery_id));
                    handed.push(e.cursor);
                }
                let safe = l.safe_cursor();
                prop_assert!((1..=safe).all(|c| handed.contains(&c)));
            }
            let everyone: HashSet<DeliveryId> = (0..5).map(DeliveryId).collect();
            while (l.fetched() as usize) < all.len() {
                let start = l.fetched() as usize;
                l.absorb(all[start..].iter().cloned());
            }
            handed.extend(l.take(&everyone).into_iter().map(|e| e.cursor));
            handed.sort_unstable();
            let expected: Vec<u64> = (1..=all.len() as u64).collect();
            prop_assert_eq!(handed, expected);
            prop_assert_eq!(l.safe_cursor(), all.len() as u64);
        }
    }
}
