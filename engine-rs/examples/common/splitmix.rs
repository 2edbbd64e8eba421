//! The examples' one PRNG: the crate's SplitMix64 (`cift_engine::backtest::Rng`)
//! under a local name, so each example can add its own draws with an `impl`.

/// A SplitMix64 generator; the field is its state (the seed at first).
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits (the crate's generator, stepped from this state).
    pub fn next(&mut self) -> u64 {
        let mut core = cift_engine::backtest::Rng(self.0);
        let bits = core.next();
        self.0 = core.0;
        bits
    }
}
