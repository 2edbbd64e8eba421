//! Lanes of f64 for the analytics kernels: `v128` (f64x2) on wasm32 with
//! simd128, a portable pair of scalars elsewhere, so native tests run the very
//! code paths the WASM build runs.
//!
//! Every kernel is written once, generic over [`Lane`], and instantiated twice:
//! with `f64` (the scalar path, one element at a time) and with [`F64x4`] (the
//! SIMD path: two v128 registers, four independent lanes in flight) or, for
//! Bollinger and the stochastic, [`F64x2`] (their finishing divisions and
//! square roots, not the sums' chains, bound them; four lanes measured no
//! faster). Each lane
//! performs exactly the IEEE-754 operations the scalar path performs on the same
//! element, in the same order (no fused multiply-add, no reassociation), so the
//! two paths give bit-identical results; tests hold them to that.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
use core::arch::wasm32::*;

/// Which implementation a batch function runs. Both are always compiled in, so
/// a host (and the benchmark) can pick either at runtime on the same module.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Path {
    /// Lanes of `v128` (portable pairs of f64 off wasm32) where the maths allows.
    #[default]
    Simd,
    /// One element at a time.
    Scalar,
}

/// The operations the kernels use, lane by lane. Implemented by `f64` (one lane),
/// [`F64x2`] and [`F64x4`].
pub trait Lane: Copy {
    /// Number of f64 lanes.
    const WIDTH: usize;
    /// All lanes set to `v`.
    fn splat(v: f64) -> Self;
    /// `WIDTH` consecutive values starting at `s[i]`.
    fn load(s: &[f64], i: usize) -> Self;
    /// Writes the lanes to `WIDTH` consecutive slots starting at `s[i]`.
    fn store(self, s: &mut [f64], i: usize);
    /// Lane `j` reads `s[i + j * stride]` (one value from each of `WIDTH` strided places).
    fn gather(s: &[f64], i: usize, stride: usize) -> Self;
    /// Lane `j` is written to `s[i + j * stride]`.
    fn scatter(self, s: &mut [f64], i: usize, stride: usize);
    /// [`Lane::gather`] without bounds checks, for the hot loops of kernels
    /// that check their bounds once.
    ///
    /// # Safety
    /// `i + (WIDTH - 1) * stride < s.len()`.
    unsafe fn gather_unchecked(s: &[f64], i: usize, stride: usize) -> Self;
    /// [`Lane::scatter`] without bounds checks.
    ///
    /// # Safety
    /// `i + (WIDTH - 1) * stride < s.len()`.
    unsafe fn scatter_unchecked(self, s: &mut [f64], i: usize, stride: usize);
    /// [`Lane::gather_unchecked`] at `i` and at `i + 1`: contiguous pairs
    /// loaded once and rearranged in registers where the lanes are vectors.
    ///
    /// # Safety
    /// `i + 1 + (WIDTH - 1) * stride < s.len()`.
    unsafe fn gather_pair_unchecked(s: &[f64], i: usize, stride: usize) -> (Self, Self);
    /// The inverse of [`Lane::gather_pair_unchecked`]: `first` to `i`, `second` to `i + 1`.
    ///
    /// # Safety
    /// `i + 1 + (WIDTH - 1) * stride < s.len()`.
    unsafe fn scatter_pair_unchecked(first: Self, second: Self, s: &mut [f64], i: usize, stride: usize);
    /// Lane-wise `a + b`.
    fn add(self, b: Self) -> Self;
    /// Lane-wise `a - b`.
    fn sub(self, b: Self) -> Self;
    /// Lane-wise `a * b`.
    fn mul(self, b: Self) -> Self;
    /// Lane-wise `a / b`.
    fn div(self, b: Self) -> Self;
    /// Lane-wise square root.
    fn sqrt(self) -> Self;
    /// Lane-wise absolute value.
    fn abs(self) -> Self;
    /// Lane-wise `if a < b { b } else { a }` (wasm's `pmax`; the C idiom TA-Lib uses).
    fn pmax(self, b: Self) -> Self;
    /// Lane-wise `if b < a { b } else { a }` (wasm's `pmin`).
    fn pmin(self, b: Self) -> Self;
    /// Lane-wise `if self < b { then } else { other }`.
    fn lt_select(self, b: Self, then: Self, other: Self) -> Self;
    /// Lane-wise `if self != b { then } else { other }`.
    fn ne_select(self, b: Self, then: Self, other: Self) -> Self;
    /// Lane-wise `self - self`: 0 for a finite value, NaN for NaN or ±∞.
    fn finite_probe(self) -> Self {
        self.sub(self)
    }
}

impl Lane for f64 {
    const WIDTH: usize = 1;
    #[inline(always)]
    fn splat(v: f64) -> Self {
        v
    }
    #[inline(always)]
    fn load(s: &[f64], i: usize) -> Self {
        s[i]
    }
    #[inline(always)]
    fn store(self, s: &mut [f64], i: usize) {
        s[i] = self;
    }
    #[inline(always)]
    fn gather(s: &[f64], i: usize, _stride: usize) -> Self {
        s[i]
    }
    #[inline(always)]
    fn scatter(self, s: &mut [f64], i: usize, _stride: usize) {
        s[i] = self;
    }
    #[inline(always)]
    unsafe fn gather_unchecked(s: &[f64], i: usize, _stride: usize) -> Self {
        debug_assert!(i < s.len());
        *s.get_unchecked(i)
    }
    #[inline(always)]
    unsafe fn scatter_unchecked(self, s: &mut [f64], i: usize, _stride: usize) {
        debug_assert!(i < s.len());
        *s.get_unchecked_mut(i) = self;
    }
    #[inline(always)]
    unsafe fn gather_pair_unchecked(s: &[f64], i: usize, _stride: usize) -> (Self, Self) {
        debug_assert!(i + 1 < s.len());
        (*s.get_unchecked(i), *s.get_unchecked(i + 1))
    }
    #[inline(always)]
    unsafe fn scatter_pair_unchecked(first: Self, second: Self, s: &mut [f64], i: usize, _stride: usize) {
        debug_assert!(i + 1 < s.len());
        *s.get_unchecked_mut(i) = first;
        *s.get_unchecked_mut(i + 1) = second;
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        self + b
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        self - b
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        self * b
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        self / b
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f64::abs(self)
    }
    #[inline(always)]
    fn pmax(self, b: Self) -> Self {
        if self < b {
            b
        } else {
            self
        }
    }
    #[inline(always)]
    fn pmin(self, b: Self) -> Self {
        if b < self {
            b
        } else {
            self
        }
    }
    #[inline(always)]
    fn lt_select(self, b: Self, then: Self, other: Self) -> Self {
        if self < b {
            then
        } else {
            other
        }
    }
    #[inline(always)]
    fn ne_select(self, b: Self, then: Self, other: Self) -> Self {
        if self != b {
            then
        } else {
            other
        }
    }
}

/// Two f64 lanes: one `v128` on wasm32 with simd128, a `[f64; 2]` elsewhere.
#[derive(Clone, Copy, Debug)]
pub struct F64x2(Repr);

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
type Repr = v128;
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
type Repr = [f64; 2];

impl F64x2 {
    /// Lanes `[a, b]`.
    #[inline(always)]
    pub fn new(a: f64, b: f64) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return F64x2(f64x2(a, b));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return F64x2([a, b]);
    }

    /// Lane 0.
    #[inline(always)]
    pub fn lo(self) -> f64 {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return f64x2_extract_lane::<0>(self.0);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return self.0[0];
    }

    /// Lane 1.
    #[inline(always)]
    pub fn hi(self) -> f64 {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return f64x2_extract_lane::<1>(self.0);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return self.0[1];
    }
}

impl F64x2 {
    /// `s[i..i + 2]`, unchecked.
    ///
    /// # Safety
    /// `i + 1 < s.len()`.
    #[inline(always)]
    unsafe fn load_unchecked(s: &[f64], i: usize) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        // v128 loads need no alignment.
        return F64x2(v128_load(s.as_ptr().add(i) as *const v128));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return F64x2([*s.get_unchecked(i), *s.get_unchecked(i + 1)]);
    }

    /// Writes the lanes to `s[i..i + 2]`, unchecked.
    ///
    /// # Safety
    /// `i + 1 < s.len()`.
    #[inline(always)]
    unsafe fn store_unchecked(self, s: &mut [f64], i: usize) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        v128_store(s.as_mut_ptr().add(i) as *mut v128, self.0);
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            *s.get_unchecked_mut(i) = self.0[0];
            *s.get_unchecked_mut(i + 1) = self.0[1];
        }
    }

    /// `([a.lo, b.lo], [a.hi, b.hi])`: a 2×2 transpose of two pairs (two
    /// `i8x16.shuffle`s on wasm32), which turns contiguous pairs read from two
    /// places into one register per offset, and back.
    #[inline(always)]
    pub fn transpose(a: Self, b: Self) -> (Self, Self) {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return (F64x2(i64x2_shuffle::<0, 2>(a.0, b.0)), F64x2(i64x2_shuffle::<1, 3>(a.0, b.0)));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return (F64x2([a.0[0], b.0[0]]), F64x2([a.0[1], b.0[1]]));
    }
}

/// Applies a binary operation lane by lane: the v128 intrinsic on wasm32, the
/// scalar operator on both elements of the pair elsewhere.
macro_rules! binary {
    ($self:ident, $b:ident, $simd:ident, |$x:ident, $y:ident| $scalar:expr) => {{
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return F64x2($simd($self.0, $b.0));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        {
            let f = |$x: f64, $y: f64| $scalar;
            return F64x2([f($self.0[0], $b.0[0]), f($self.0[1], $b.0[1])]);
        }
    }};
}

impl Lane for F64x2 {
    const WIDTH: usize = 2;
    #[inline(always)]
    fn splat(v: f64) -> Self {
        Self::new(v, v)
    }
    #[inline(always)]
    fn load(s: &[f64], i: usize) -> Self {
        let pair = &s[i..i + 2];
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        // SAFETY: `pair` is 16 readable bytes; v128 loads need no alignment.
        return F64x2(unsafe { v128_load(pair.as_ptr() as *const v128) });
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return F64x2([pair[0], pair[1]]);
    }
    #[inline(always)]
    fn store(self, s: &mut [f64], i: usize) {
        let pair = &mut s[i..i + 2];
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        // SAFETY: `pair` is 16 writable bytes; v128 stores need no alignment.
        unsafe {
            v128_store(pair.as_mut_ptr() as *mut v128, self.0)
        };
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        pair.copy_from_slice(&self.0);
    }
    #[inline(always)]
    fn gather(s: &[f64], i: usize, stride: usize) -> Self {
        Self::new(s[i], s[i + stride])
    }
    #[inline(always)]
    fn scatter(self, s: &mut [f64], i: usize, stride: usize) {
        s[i] = self.lo();
        s[i + stride] = self.hi();
    }
    #[inline(always)]
    unsafe fn gather_unchecked(s: &[f64], i: usize, stride: usize) -> Self {
        debug_assert!(i + stride < s.len());
        Self::new(*s.get_unchecked(i), *s.get_unchecked(i + stride))
    }
    #[inline(always)]
    unsafe fn scatter_unchecked(self, s: &mut [f64], i: usize, stride: usize) {
        debug_assert!(i + stride < s.len());
        *s.get_unchecked_mut(i) = self.lo();
        *s.get_unchecked_mut(i + stride) = self.hi();
    }
    #[inline(always)]
    unsafe fn gather_pair_unchecked(s: &[f64], i: usize, stride: usize) -> (Self, Self) {
        debug_assert!(i + 1 + stride < s.len());
        Self::transpose(Self::load_unchecked(s, i), Self::load_unchecked(s, i + stride))
    }
    #[inline(always)]
    unsafe fn scatter_pair_unchecked(first: Self, second: Self, s: &mut [f64], i: usize, stride: usize) {
        debug_assert!(i + 1 + stride < s.len());
        let (a, b) = Self::transpose(first, second);
        a.store_unchecked(s, i);
        b.store_unchecked(s, i + stride);
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        binary!(self, b, f64x2_add, |x, y| x + y)
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        binary!(self, b, f64x2_sub, |x, y| x - y)
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        binary!(self, b, f64x2_mul, |x, y| x * y)
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        binary!(self, b, f64x2_div, |x, y| x / y)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return F64x2(f64x2_sqrt(self.0));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return F64x2([self.0[0].sqrt(), self.0[1].sqrt()]);
    }
    #[inline(always)]
    fn abs(self) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return F64x2(f64x2_abs(self.0));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return F64x2([self.0[0].abs(), self.0[1].abs()]);
    }
    #[inline(always)]
    fn pmax(self, b: Self) -> Self {
        binary!(self, b, f64x2_pmax, |x, y| x.pmax(y))
    }
    #[inline(always)]
    fn pmin(self, b: Self) -> Self {
        binary!(self, b, f64x2_pmin, |x, y| x.pmin(y))
    }
    #[inline(always)]
    fn lt_select(self, b: Self, then: Self, other: Self) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return F64x2(v128_bitselect(then.0, other.0, f64x2_lt(self.0, b.0)));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return F64x2([
            self.0[0].lt_select(b.0[0], then.0[0], other.0[0]),
            self.0[1].lt_select(b.0[1], then.0[1], other.0[1]),
        ]);
    }
    #[inline(always)]
    fn ne_select(self, b: Self, then: Self, other: Self) -> Self {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        return F64x2(v128_bitselect(then.0, other.0, f64x2_ne(self.0, b.0)));
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        return F64x2([
            self.0[0].ne_select(b.0[0], then.0[0], other.0[0]),
            self.0[1].ne_select(b.0[1], then.0[1], other.0[1]),
        ]);
    }
}

/// Four f64 lanes as two [`F64x2`]: two v128 registers whose dependency chains
/// run side by side, which is what hides the latency of a running sum.
#[derive(Clone, Copy, Debug)]
pub struct F64x4(pub F64x2, pub F64x2);

/// Applies an [`F64x2`] operation to both halves.
macro_rules! both {
    ($self:ident . $op:ident ( $($arg:ident),* )) => {
        F64x4($self.0.$op($($arg.0),*), $self.1.$op($($arg.1),*))
    };
}

impl Lane for F64x4 {
    const WIDTH: usize = 4;
    #[inline(always)]
    fn splat(v: f64) -> Self {
        F64x4(F64x2::splat(v), F64x2::splat(v))
    }
    #[inline(always)]
    fn load(s: &[f64], i: usize) -> Self {
        F64x4(F64x2::load(s, i), F64x2::load(s, i + F64x2::WIDTH))
    }
    #[inline(always)]
    fn store(self, s: &mut [f64], i: usize) {
        self.0.store(s, i);
        self.1.store(s, i + F64x2::WIDTH);
    }
    #[inline(always)]
    fn gather(s: &[f64], i: usize, stride: usize) -> Self {
        F64x4(F64x2::gather(s, i, stride), F64x2::gather(s, i + F64x2::WIDTH * stride, stride))
    }
    #[inline(always)]
    fn scatter(self, s: &mut [f64], i: usize, stride: usize) {
        self.0.scatter(s, i, stride);
        self.1.scatter(s, i + F64x2::WIDTH * stride, stride);
    }
    #[inline(always)]
    unsafe fn gather_unchecked(s: &[f64], i: usize, stride: usize) -> Self {
        F64x4(F64x2::gather_unchecked(s, i, stride), F64x2::gather_unchecked(s, i + F64x2::WIDTH * stride, stride))
    }
    #[inline(always)]
    unsafe fn scatter_unchecked(self, s: &mut [f64], i: usize, stride: usize) {
        self.0.scatter_unchecked(s, i, stride);
        self.1.scatter_unchecked(s, i + F64x2::WIDTH * stride, stride);
    }
    #[inline(always)]
    unsafe fn gather_pair_unchecked(s: &[f64], i: usize, stride: usize) -> (Self, Self) {
        let (a0, a1) = F64x2::gather_pair_unchecked(s, i, stride);
        let (b0, b1) = F64x2::gather_pair_unchecked(s, i + F64x2::WIDTH * stride, stride);
        (F64x4(a0, b0), F64x4(a1, b1))
    }
    #[inline(always)]
    unsafe fn scatter_pair_unchecked(first: Self, second: Self, s: &mut [f64], i: usize, stride: usize) {
        F64x2::scatter_pair_unchecked(first.0, second.0, s, i, stride);
        F64x2::scatter_pair_unchecked(first.1, second.1, s, i + F64x2::WIDTH * stride, stride);
    }
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        both!(self.add(b))
    }
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        both!(self.sub(b))
    }
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        both!(self.mul(b))
    }
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        both!(self.div(b))
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        both!(self.sqrt())
    }
    #[inline(always)]
    fn abs(self) -> Self {
        both!(self.abs())
    }
    #[inline(always)]
    fn pmax(self, b: Self) -> Self {
        both!(self.pmax(b))
    }
    #[inline(always)]
    fn pmin(self, b: Self) -> Self {
        both!(self.pmin(b))
    }
    #[inline(always)]
    fn lt_select(self, b: Self, then: Self, other: Self) -> Self {
        both!(self.lt_select(b, then, other))
    }
    #[inline(always)]
    fn ne_select(self, b: Self, then: Self, other: Self) -> Self {
        both!(self.ne_select(b, then, other))
    }
}

/// Index of the first NaN or infinite value of `x`, if any. Sums `v - v` (0 for
/// a finite value, NaN otherwise) over lanes, then looks closer only on a hit.
pub fn first_non_finite(x: &[f64], path: Path) -> Option<usize> {
    match path {
        Path::Simd => first_bad_with::<F64x4, false>(x),
        Path::Scalar => first_bad_with::<f64, false>(x),
    }
}

/// Index of the first NaN, infinite or negative value of `x`, if any: as
/// [`first_non_finite`], with the lanes' minimum besides.
pub fn first_negative_or_non_finite(x: &[f64], path: Path) -> Option<usize> {
    match path {
        Path::Simd => first_bad_with::<F64x4, true>(x),
        Path::Scalar => first_bad_with::<f64, true>(x),
    }
}

/// The first value that is not finite, or (with `NON_NEGATIVE`) below 0.
/// Two accumulators of each kind, so the adds of one chain overlap the other's.
fn first_bad_with<L: Lane, const NON_NEGATIVE: bool>(x: &[f64]) -> Option<usize> {
    const CHUNK: usize = 256;
    let bad = |v: f64| !v.is_finite() || (NON_NEGATIVE && v < 0.0);
    let mut start = 0;
    while start < x.len() {
        let end = (start + CHUNK).min(x.len());
        let zero = L::splat(0.0);
        let (mut acc, mut low) = ([zero; 2], [zero; 2]);
        let pairs = x[start..end].chunks_exact(2 * L::WIDTH);
        let tail = pairs.remainder().iter().any(|&v| bad(v));
        for pair in pairs {
            for (j, (acc, low)) in acc.iter_mut().zip(&mut low).enumerate() {
                let v = L::load(pair, j * L::WIDTH);
                *acc = acc.add(v.finite_probe());
                if NON_NEGATIVE {
                    *low = low.pmin(v);
                }
            }
        }
        // Every lane type is at most four wide; unused slots stay 0.
        let (mut probes, mut lows) = ([0.0; 4], [0.0; 4]);
        acc[0].add(acc[1]).store(&mut probes, 0);
        low[0].pmin(low[1]).store(&mut lows, 0);
        if tail || probes.iter().any(|v| *v != 0.0) || lows.iter().any(|v| *v < 0.0) {
            return x[start..end].iter().position(|&v| bad(v)).map(|p| start + p);
        }
        start = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_match_scalar_ops() {
        let a = [1.5, -2.25, 3.0, 0.1];
        let b = [0.3, 4.0, -3.0, 0.1];
        let x = F64x4::load(&a, 0);
        let y = F64x4::load(&b, 0);
        let mut out = [0.0; 4];
        for (op, f) in [
            (F64x4::add as fn(F64x4, F64x4) -> F64x4, (|p, q| p + q) as fn(f64, f64) -> f64),
            (F64x4::sub, |p, q| p - q),
            (F64x4::mul, |p, q| p * q),
            (F64x4::div, |p, q| p / q),
            (F64x4::pmax, |p: f64, q| if p < q { q } else { p }),
            (F64x4::pmin, |p: f64, q| if q < p { q } else { p }),
        ] {
            op(x, y).store(&mut out, 0);
            for j in 0..4 {
                assert_eq!(out[j].to_bits(), f(a[j], b[j]).to_bits());
            }
        }
        x.lt_select(y, F64x4::splat(1.0), F64x4::splat(2.0)).store(&mut out, 0);
        assert_eq!(out, [2.0, 1.0, 2.0, 2.0]);
        x.ne_select(y, F64x4::splat(1.0), F64x4::splat(2.0)).store(&mut out, 0);
        assert_eq!(out, [1.0, 1.0, 1.0, 2.0]);
        let g = F64x4::gather(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 1, 2);
        g.store(&mut out, 0);
        assert_eq!(out, [1.0, 3.0, 5.0, 7.0]);
        let mut s = [0.0; 8];
        g.scatter(&mut s, 0, 2);
        assert_eq!(s, [1.0, 0.0, 3.0, 0.0, 5.0, 0.0, 7.0, 0.0]);
        let src: Vec<f64> = (0..16).map(f64::from).collect();
        // SAFETY: the last index read or written is 2 + 3 * 3 = 11 < 16.
        let (first, second) = unsafe { F64x4::gather_pair_unchecked(&src, 1, 3) };
        first.store(&mut out, 0);
        assert_eq!(out, [1.0, 4.0, 7.0, 10.0]);
        second.store(&mut out, 0);
        assert_eq!(out, [2.0, 5.0, 8.0, 11.0]);
        let mut back = [0.0; 16];
        // SAFETY: as above.
        unsafe { F64x4::scatter_pair_unchecked(first, second, &mut back, 1, 3) };
        for j in 0..4 {
            assert_eq!((back[1 + 3 * j], back[2 + 3 * j]), (src[1 + 3 * j], src[2 + 3 * j]));
        }
    }

    #[test]
    fn finds_the_first_non_finite_value() {
        let mut x = vec![1.0; 1000];
        for path in [Path::Simd, Path::Scalar] {
            assert_eq!(first_non_finite(&x, path), None);
            assert_eq!(first_negative_or_non_finite(&x, path), None);
            x[500] = -0.0;
            assert_eq!(first_negative_or_non_finite(&x, path), None);
            x[501] = -1e-300;
            assert_eq!(first_non_finite(&x, path), None);
            assert_eq!(first_negative_or_non_finite(&x, path), Some(501));
            x[501] = 1.0;
            x[998] = -2.0;
            assert_eq!(first_negative_or_non_finite(&x, path), Some(998));
            x[998] = 1.0;
            x[777] = f64::NAN;
            x[999] = f64::INFINITY;
            assert_eq!(first_non_finite(&x, path), Some(777));
            assert_eq!(first_negative_or_non_finite(&x, path), Some(777));
            x[777] = 1.0;
            assert_eq!(first_non_finite(&x, path), Some(999));
            x[999] = 1.0;
        }
    }
}
