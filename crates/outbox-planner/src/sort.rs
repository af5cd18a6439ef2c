//! A least-significant-digit radix sort for the packed item keys: linear in the number of keys,
//! with at most six passes for any key width.

/// Below this many keys the histograms cost more than a comparison sort.
const SMALL: usize = 1024;
/// Widest digit: 2^11 counters fit the L1 cache.
const MAX_DIGIT_BITS: u32 = 11;

/// Sorts `keys` ascending. Every key must be below `2^bits`.
pub(crate) fn radix_sort(keys: &mut Vec<u64>, bits: u32) {
    let n = keys.len();
    if n < SMALL {
        keys.sort_unstable();
        return;
    }
    if bits == 0 {
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

    let mut src = std::mem::take(keys);
    let mut dst = vec![0u64; n];
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
        for &k in &src {
            let b = ((k >> shift) & mask) as usize;
            dst[h[b]] = k;
            h[b] += 1;
        }
        std::mem::swap(&mut src, &mut dst);
    }
    *keys = src;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_like_sort_unstable() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for bits in [1u32, 7, 12, 23, 34, 64] {
            let mut keys: Vec<u64> = (0..5000)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    if bits == 64 { x } else { x & ((1 << bits) - 1) }
                })
                .collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            radix_sort(&mut keys, bits);
            assert_eq!(keys, expected, "bits {bits}");
        }
    }
}
