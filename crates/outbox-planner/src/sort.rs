//! Sorting the packed item keys in linear time.
//!
//! The keys start with the recipient, so one counting-sort pass by recipient does most of the
//! work; each recipient's few keys are then put in order on their own: by insertion for the usual
//! handful, by a least-significant-digit radix sort for a recipient with many items.

use crate::{PlanError, PlanItem};

/// Segments up to this length are sorted by insertion.
const INSERTION_MAX: usize = 32;
/// Widest radix digit: 2^11 counters fit the L1 cache.
const MAX_DIGIT_BITS: u32 = 11;

/// Builds the key of every item with `key_of` and returns the keys sorted ascending. A key must
/// hold the item's recipient position from bit `recipient_shift` up. Fails on the first item
/// whose recipient is out of range or that `key_of` rejects.
pub(crate) fn sorted_keys(
    items: &[PlanItem],
    recipients: usize,
    recipient_shift: u32,
    mut key_of: impl FnMut(&PlanItem) -> Result<u64, PlanError>,
) -> Result<Vec<u64>, PlanError> {
    // cursor[r] starts as the first slot of recipient r and ends one past its last.
    let mut cursor = vec![0u32; recipients];
    for item in items {
        let Some(c) = cursor.get_mut(item.recipient.get()) else {
            return Err(PlanError::UnknownRecipient {
                index: item.recipient.0,
                recipients,
            });
        };
        // At most u32::MAX items (the caller checks), so counts fit.
        *c += 1;
    }
    let mut sum = 0u32;
    for c in cursor.iter_mut() {
        let count = *c;
        *c = sum;
        sum += count;
    }
    let mut keys = vec![0u64; items.len()];
    for item in items {
        let key = key_of(item)?;
        // The recipient was checked in the counting pass.
        let c = &mut cursor[item.recipient.get()];
        keys[*c as usize] = key;
        *c += 1;
    }
    let mut start = 0usize;
    for &end in &cursor {
        let segment = &mut keys[start..end as usize];
        if segment.len() <= INSERTION_MAX {
            insertion_sort(segment);
        } else {
            radix_sort(segment, recipient_shift);
        }
        start = end as usize;
    }
    Ok(keys)
}

fn insertion_sort(keys: &mut [u64]) {
    for i in 1..keys.len() {
        let k = keys[i];
        let mut j = i;
        while j > 0 && keys[j - 1] > k {
            keys[j] = keys[j - 1];
            j -= 1;
        }
        keys[j] = k;
    }
}

/// Sorts `keys` ascending by their low `bits` bits; higher bits must be equal across the keys.
pub(crate) fn radix_sort(keys: &mut [u64], bits: u32) {
    let n = keys.len();
    if bits == 0 || n < 2 {
        return;
    }
    let passes = bits.div_ceil(MAX_DIGIT_BITS);
    let width = bits.div_ceil(passes);
    let buckets = 1usize << width;
    let mask = (buckets - 1) as u64;

    // One read of the keys fills the histograms of all passes.
    let mut hist = vec![0usize; buckets * passes as usize];
    for &k in keys.iter() {
        for (p, h) in hist.chunks_exact_mut(buckets).enumerate() {
            h[((k >> (p as u32 * width)) & mask) as usize] += 1;
        }
    }

    let mut scratch = vec![0u64; n];
    let mut in_scratch = false;
    for (p, h) in hist.chunks_exact_mut(buckets).enumerate() {
        // A digit shared by every key leaves the order as it is.
        if h.contains(&n) {
            continue;
        }
        let mut sum = 0;
        for c in h.iter_mut() {
            let count = *c;
            *c = sum;
            sum += count;
        }
        let shift = p as u32 * width;
        let (src, dst): (&[u64], &mut [u64]) = if in_scratch {
            (&scratch, keys)
        } else {
            (keys, &mut scratch)
        };
        for &k in src {
            let b = ((k >> shift) & mask) as usize;
            dst[h[b]] = k;
            h[b] += 1;
        }
        in_scratch = !in_scratch;
    }
    if in_scratch {
        keys.copy_from_slice(&scratch);
    }
}

#[cfg(test)]
mod tests {
    use outbox_model::Route;

    use super::*;
    use crate::{DocumentIndex, RecipientIndex};

    fn xorshift(x: &mut u64) -> u64 {
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        *x
    }

    #[test]
    fn radix_sorts_like_sort_unstable() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for bits in [1u32, 7, 12, 23, 34, 64] {
            let mut keys: Vec<u64> = (0..5000)
                .map(|_| {
                    let v = xorshift(&mut x);
                    if bits == 64 { v } else { v & ((1 << bits) - 1) }
                })
                .collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            radix_sort(&mut keys, bits);
            assert_eq!(keys, expected, "bits {bits}");
        }
    }

    #[test]
    fn sorted_keys_handles_small_and_large_recipients() {
        let mut x = 7u64;
        // Recipient 0 has many items (radix path), the others a few (insertion path).
        let items: Vec<PlanItem> = (0..3000u32)
            .map(|i| PlanItem {
                document: DocumentIndex((xorshift(&mut x) % 1000) as u32),
                recipient: RecipientIndex(if i % 3 == 0 { 0 } else { i % 50 }),
                route: Route::ALL[(xorshift(&mut x) % 4) as usize],
            })
            .collect();
        let key = |it: &PlanItem| {
            Ok((u64::from(it.recipient.0) << 12)
                | ((it.route.index() as u64) << 10)
                | u64::from(it.document.0))
        };
        let keys = sorted_keys(&items, 50, 12, key).unwrap();
        let mut expected: Vec<u64> = items.iter().map(|i| key(i).unwrap()).collect();
        expected.sort_unstable();
        assert_eq!(keys, expected);
        assert!(matches!(
            sorted_keys(&items, 10, 12, key),
            Err(PlanError::UnknownRecipient { recipients: 10, .. })
        ));
    }
}
