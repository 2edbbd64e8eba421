//! A token bucket for order-rate limits, driven by command timestamps (no
//! clock), in exact integer arithmetic.

use serde::{Deserialize, Serialize};

/// Up to `capacity` orders at once, refilled at `per_interval` orders every
/// `interval` timestamp units. Tokens are kept scaled by `interval`, so a
/// refill of any elapsed time is exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenBucket {
    capacity: u64,
    per_interval: u64,
    interval: u64,
    /// Tokens × `interval`.
    scaled: u128,
    last_ts: u64,
}

impl TokenBucket {
    /// A full bucket. `interval` and `capacity` must be positive.
    pub fn new(capacity: u64, per_interval: u64, interval: u64, now: u64) -> Self {
        debug_assert!(capacity > 0 && interval > 0);
        TokenBucket {
            capacity,
            per_interval,
            interval,
            scaled: u128::from(capacity) * u128::from(interval),
            last_ts: now,
        }
    }

    #[inline]
    fn refill(&mut self, now: u64) {
        if now > self.last_ts {
            let gained = u128::from(now - self.last_ts) * u128::from(self.per_interval);
            let full = u128::from(self.capacity) * u128::from(self.interval);
            self.scaled = (self.scaled + gained).min(full);
            self.last_ts = now;
        }
    }

    /// Takes one token at time `now` if there is one; time going backwards refills nothing.
    #[inline]
    pub fn try_take(&mut self, now: u64) -> bool {
        self.refill(now);
        let one = u128::from(self.interval);
        if self.scaled >= one {
            self.scaled -= one;
            true
        } else {
            false
        }
    }

    /// Whether a token is available at `now` (without taking it).
    #[inline(always)]
    pub fn has_token(&self, now: u64) -> bool {
        // A refill never lowers the count below one token when the bucket holds at least one when full.
        if self.scaled >= u128::from(self.interval) && self.capacity > 0 {
            return true;
        }
        let mut probe = *self;
        probe.refill(now);
        probe.scaled >= u128::from(self.interval)
    }

    /// The bucket's capacity.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_allows_a_burst_then_refills_with_time() {
        let mut b = TokenBucket::new(3, 1, 1_000, 0);
        assert!(b.try_take(0) && b.try_take(0) && b.try_take(0));
        assert!(!b.try_take(999));
        assert!(b.try_take(1_000));
        assert!(!b.try_take(1_500));
        assert!(!b.has_token(1_999) && b.has_token(2_000));
        // Never above capacity: three tokens after a long wait, not more.
        assert!(b.try_take(1_000_000) && b.try_take(1_000_000) && b.try_take(1_000_000));
        assert!(!b.has_token(1_000_000) && !b.try_take(1_000_000));
    }

    #[test]
    fn fractional_refills_accumulate_exactly() {
        let mut b = TokenBucket::new(2, 2, 3, 0); // two orders every 3 units
        assert!(b.try_take(0) && b.try_take(0));
        assert!(!b.try_take(1)); // 2/3 of a token
        assert!(b.try_take(2)); // 4/3: one token, 1/3 left
        assert!(!b.try_take(2));
        assert!(b.try_take(3)); // 1/3 + 2/3
    }

    #[test]
    fn time_going_backwards_refills_nothing() {
        let mut b = TokenBucket::new(1, 1, 10, 100);
        assert!(b.try_take(100));
        assert!(!b.try_take(50));
        assert!(b.try_take(110));
    }
}
