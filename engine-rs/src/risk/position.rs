//! One account's position in one instrument, with average-cost P&L.
//!
//! Average-cost method: buying into a long (or selling into a short) adds the
//! fill's notional to the cost basis; reducing releases the basis pro rata,
//! `released = basis × closed / |qty|`, rounded half away from zero, and
//! realizes `proceeds − released` (signed for shorts). A fill that crosses zero
//! first closes the whole position, then opens the rest at the fill price. The
//! basis always holds exactly what the open quantity cost, so
//! `cash + Σ basis = deposits − withdrawals − fees + realized` holds exactly.

use crate::types::Side;

/// Quantity, cost basis and realized P&L of one position, in integer units
/// (money in price units × quantity units).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[repr(C)]
pub struct Position {
    /// Signed quantity: positive long, negative short.
    pub qty: i64,
    /// Signed cost of the open quantity (negative for a short).
    pub basis: i128,
    /// Realized P&L so far.
    pub realized: i128,
}

/// `n / d` rounded half away from zero (`d` ≠ 0).
pub(crate) fn div_round(n: i128, d: i128) -> i128 {
    // 64-bit division when both fit (128-bit division is a slow library call); the same result.
    if let (Ok(n), Ok(d)) = (i64::try_from(n), i64::try_from(d)) {
        if n != i64::MIN && d != i64::MIN {
            return i128::from(div_round_i64(n, d));
        }
    }
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        q + if (n < 0) == (d < 0) { 1 } else { -1 }
    } else {
        q
    }
}

fn div_round_i64(n: i64, d: i64) -> i64 {
    let (q, r) = (n / d, n % d);
    // |r| < |d| ≤ 2^63 − 1, so 2|r| fits in a u64. Branch-free, like the fee's rounding: which way a
    // partial close rounds is a coin toss.
    let away = -i64::from(2 * r.unsigned_abs() >= d.unsigned_abs());
    let toward = if (n < 0) == (d < 0) { 1 } else { -1 };
    q + (toward & away)
}

impl Position {
    /// Applies a fill of `qty` at `price` on `side`; returns the P&L it realized.
    #[inline]
    pub fn apply_fill(&mut self, side: Side, price: i64, qty: i64) -> i128 {
        debug_assert!(qty > 0);
        let buy = side == Side::Buy;
        let signed = if buy { qty } else { -qty };
        let held = self.qty;
        if held == 0 || (held > 0) == buy {
            self.qty = held.checked_add(signed).expect("position within i64");
            self.basis += i128::from(price) * i128::from(signed);
            return 0;
        }
        // Reducing, closing or flipping: `closing` units of the position go (at most all of it).
        let held_abs = held.unsigned_abs();
        let closing = qty.unsigned_abs().min(held_abs);
        let released = if closing == held_abs {
            self.basis
        } else {
            div_round(self.basis * i128::from(closing), i128::from(held_abs))
        };
        // A long realizes exit value − cost; a short realizes cost − exit value
        // (its basis is negative, so both are the signed exit value minus `released`).
        let exit = i128::from(price) * i128::from(closing);
        let realized = if held > 0 { exit } else { -exit } - released;
        self.basis -= released;
        self.realized += realized;
        // Opposite signs: no overflow.
        self.qty = held + signed;
        // A flip (the whole position closed, its basis released to 0) opens the remainder at the fill price;
        // without one the remainder is 0 and this adds nothing.
        let rest = qty - closing as i64;
        debug_assert!(rest == 0 || self.basis == 0);
        self.basis += i128::from(price) * i128::from(if buy { rest } else { -rest });
        realized
    }

    /// 2 × |basis| while short (sale proceeds plus equal collateral), else 0.
    #[inline]
    pub fn short_requirement(&self) -> i128 {
        // Masked rather than branched on: whether a fill leaves a short is a coin toss in a mixed flow.
        (2 * self.basis.abs()) & -i128::from(self.qty < 0)
    }

    /// Unrealized P&L marked at `mark`.
    pub fn unrealized(&self, mark: i64) -> i128 {
        i128::from(self.qty) * i128::from(mark) - self.basis
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Side::{Buy, Sell};

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(5, 2), 3);
        assert_eq!(div_round(-5, 2), -3);
        assert_eq!(div_round(7, 3), 2);
        assert_eq!(div_round(-7, 3), -2);
        assert_eq!(div_round(8, 3), 3);
        assert_eq!(div_round(4, -2), -2);
        // The 64-bit path and the 128-bit path (operands beyond i64) round alike.
        let big = i128::from(i64::MAX) + 1;
        for (n, d) in [(5i128, 2i128), (-5, 2), (7, -3), (-7, -3), (9, 6), (-9, 6), (i64::MAX.into(), 2)] {
            assert_eq!(div_round(n * big, d * big), div_round(n, d), "{n} / {d}");
        }
    }

    #[test]
    fn long_then_partial_and_full_close() {
        let mut p = Position::default();
        assert_eq!(p.apply_fill(Buy, 100, 10), 0);
        assert_eq!(p.apply_fill(Buy, 110, 10), 0);
        assert_eq!((p.qty, p.basis), (20, 2_100)); // average 105
        assert_eq!(p.unrealized(120), 300);
        assert_eq!(p.apply_fill(Sell, 120, 5), 75); // 5 × (120 − 105)
        assert_eq!((p.qty, p.basis), (15, 1_575));
        assert_eq!(p.apply_fill(Sell, 100, 15), -75);
        assert_eq!(p, Position { qty: 0, basis: 0, realized: 0 });
    }

    #[test]
    fn short_then_cover() {
        let mut p = Position::default();
        p.apply_fill(Sell, 50, 4);
        assert_eq!((p.qty, p.basis), (-4, -200));
        assert_eq!(p.unrealized(45), 20);
        assert_eq!(p.apply_fill(Buy, 45, 3), 15);
        assert_eq!((p.qty, p.basis, p.realized), (-1, -50, 15));
    }

    #[test]
    fn a_flip_from_long_to_short_in_one_fill() {
        let mut p = Position::default();
        p.apply_fill(Buy, 100, 3);
        assert_eq!(p.apply_fill(Sell, 90, 5), -30); // closes 3 at a loss of 10 each
        assert_eq!((p.qty, p.basis, p.realized), (-2, -180, -30));
        assert_eq!(p.apply_fill(Buy, 80, 4), 20); // covers 2 at +10, opens 2 long at 80
        assert_eq!((p.qty, p.basis, p.realized), (2, 160, -10));
    }

    #[test]
    fn pro_rata_release_rounds_and_the_last_close_releases_the_rest() {
        let mut p = Position::default();
        p.apply_fill(Buy, 10, 1);
        p.apply_fill(Buy, 11, 2); // basis 32 for 3: average 10.67
        assert_eq!(p.apply_fill(Sell, 12, 1), 1); // releases round(32/3) = 11
        assert_eq!(p.basis, 21);
        assert_eq!(p.apply_fill(Sell, 12, 2), 3); // releases the remaining 21 exactly
        assert_eq!(p, Position { qty: 0, basis: 0, realized: 4 });
    }
}
