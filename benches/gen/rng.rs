//! A small seeded random number generator (SplitMix64) and ULID encoding.
//!
//! Self-contained on purpose: the generated ledgers must not change when a
//! dependency's RNG changes, since commit ids are compared across runs.

/// SplitMix64: fast, tiny, and good enough for synthetic data.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator for one stream (such as one incident), independent of the
    /// order in which streams are drawn.
    pub(crate) fn stream(seed: u64, stream: u64) -> Self {
        let mut mix = Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        let _ = mix.next_u64();
        Rng(mix.next_u64())
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// True with probability `percent` / 100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let n = items.len() as u64;
        &items[usize::try_from(self.next_u64() % n).expect("index fits usize")]
    }
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A ULID: 48 bits of milliseconds, 80 random bits, 26 Crockford base32 chars.
pub(crate) fn ulid(millis: u64, rng: &mut Rng) -> String {
    let random = (u128::from(rng.next_u64()) << 16) ^ u128::from(rng.next_u64() & 0xFFFF);
    let value = (u128::from(millis & 0xFFFF_FFFF_FFFF) << 80) | (random & ((1u128 << 80) - 1));
    (0..26)
        .map(|i| {
            let shift = 5 * (25 - i);
            char::from(CROCKFORD[usize::try_from((value >> shift) & 31).expect("5 bits")])
        })
        .collect()
}
