//! Latency models: how long an order takes to reach the simulated venue, and
//! how long data and order updates take to reach the strategy. Constant, or
//! drawn from a seeded distribution, so a run is always reproducible.

use super::rng::Rng;

/// A delay in timestamp units (whatever unit the data's timestamps use).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Latency {
    /// Always this delay.
    Constant(u64),
    /// Uniform over the integers `[lo, hi]`.
    Uniform {
        /// Smallest delay.
        lo: u64,
        /// Largest delay (≥ `lo`).
        hi: u64,
    },
    /// `min + Exp(mean − min)`, rounded down: a floor plus a long tail, the
    /// usual shape of network delay. Draws are capped at `min + 50 × (mean − min)`.
    Exponential {
        /// The floor.
        min: u64,
        /// The mean (≥ `min`).
        mean: u64,
    },
}

impl Default for Latency {
    fn default() -> Self {
        Latency::Constant(0)
    }
}

impl Latency {
    /// Whether the parameters make sense (`lo ≤ hi`, `min ≤ mean`).
    pub fn is_valid(&self) -> bool {
        match *self {
            Latency::Constant(_) => true,
            Latency::Uniform { lo, hi } => lo <= hi,
            Latency::Exponential { min, mean } => min <= mean,
        }
    }

    /// One delay. Constant delays draw nothing from `rng`, so adding a constant
    /// latency does not shift the random stream of the other model.
    pub fn draw(&self, rng: &mut Rng) -> u64 {
        match *self {
            Latency::Constant(d) => d,
            Latency::Uniform { lo, hi } => rng.between(lo, hi),
            Latency::Exponential { min, mean } => {
                let scale = (mean - min) as f64;
                // 1 − u is in (0, 1], so the logarithm is finite; `libm` gives every host the same bits.
                let x = -libm::log(1.0 - rng.unit()) * scale;
                min + x.min(50.0 * scale) as u64
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_draws_nothing_and_uniform_is_seeded() {
        let mut rng = Rng(5);
        assert_eq!(Latency::Constant(7).draw(&mut rng), 7);
        assert_eq!(rng, Rng(5), "a constant latency leaves the stream alone");
        let u = Latency::Uniform { lo: 10, hi: 12 };
        let mut seen = [false; 3];
        let mut again = Rng(5);
        for _ in 0..200 {
            let d = u.draw(&mut rng);
            seen[(d - 10) as usize] = true;
            assert_eq!(d, u.draw(&mut again));
        }
        assert!(seen.iter().all(|&s| s), "every value of [10, 12] appears");
    }

    #[test]
    fn exponential_has_its_floor_and_roughly_its_mean() {
        let e = Latency::Exponential { min: 100, mean: 300 };
        let mut rng = Rng(42);
        let n = 20_000;
        let draws: Vec<u64> = (0..n).map(|_| e.draw(&mut rng)).collect();
        assert!(draws.iter().all(|&d| (100..=100 + 50 * 200).contains(&d)));
        let mean = draws.iter().sum::<u64>() as f64 / n as f64;
        // Flooring loses 0.5 on average; the standard error of the mean is 200/√n ≈ 1.4.
        assert!((mean - 299.5).abs() < 10.0, "mean {mean}");
        assert!(!Latency::Uniform { lo: 2, hi: 1 }.is_valid() && !Latency::Exponential { min: 2, mean: 1 }.is_valid());
    }
}
