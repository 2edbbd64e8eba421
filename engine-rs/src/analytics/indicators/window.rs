//! Sliding-window reductions (sum, max, min) by blocks — the van Herk /
//! Gil-Werman scheme — fused with what a kernel makes of each window, in a
//! form that runs several blocks' chains side by side in SIMD lanes and gives
//! the very same bits in the scalar and streaming forms.
//!
//! The series is cut into blocks of `n` (the window) starting at index 0. A
//! window ending at offset `r` of block `b` is the suffix `r+1..n` of block
//! `b-1` combined with the prefix `0..=r` of block `b` (the whole prefix when
//! `r = n-1`). Each block's suffix and prefix chains depend on nothing outside
//! the block, so lane `j` can run block `b+j`; every output is the same
//! sequence of IEEE operations whichever path computes it. Sums are more
//! accurate than a running add/subtract sum (no drift), at one extra add per
//! element.
//!
//! Lanes are blocks `n` apart, so the SIMD path moves data two offsets at a
//! time: a contiguous pair from each block, rearranged in registers
//! ([`Lane::gather_pair_unchecked`]), and back the same way for the outputs.
//! Each window is finished (divided, turned into bands, …) in the pass that
//! makes it, in lanes, so no window sum goes through memory.

use crate::analytics::simd::{F64x4, Lane, Path};

/// An associative reduction of two lanes.
pub(crate) trait Reduce {
    fn apply<L: Lane>(acc: L, v: L) -> L;
}

/// A per-element transform applied before reducing.
pub(crate) trait Map {
    fn apply<L: Lane>(v: L) -> L;
}

/// `acc + v`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sum;
/// The larger (TA-Lib's `if (v > acc) acc = v`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Max;
/// The smaller.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Min;
/// `v` unchanged.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Identity;
/// `v * v`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Square;

impl Reduce for Sum {
    #[inline(always)]
    fn apply<L: Lane>(acc: L, v: L) -> L {
        acc.add(v)
    }
}
impl Reduce for Max {
    #[inline(always)]
    fn apply<L: Lane>(acc: L, v: L) -> L {
        acc.pmax(v)
    }
}
impl Reduce for Min {
    #[inline(always)]
    fn apply<L: Lane>(acc: L, v: L) -> L {
        acc.pmin(v)
    }
}
impl Map for Identity {
    #[inline(always)]
    fn apply<L: Lane>(v: L) -> L {
        v
    }
}
impl Map for Square {
    #[inline(always)]
    fn apply<L: Lane>(v: L) -> L {
        v.mul(v)
    }
}

/// A kernel over windows fused with the block reductions that feed it: `C`
/// channels of terms, each reduced over every window by blocks, and a
/// finishing step that turns the `C` window reductions at an index into the
/// kernel's outputs, in the same pass. Lane `j` of every call is index
/// `i + j * stride`.
///
/// # Safety
/// The methods read and write without bounds checks: `len` must be no longer
/// than any slice they touch, and callers keep every index below `len`.
pub(crate) unsafe trait Windowed<const C: usize> {
    /// Length of the series.
    fn len(&self) -> usize;
    /// Each channel's reduction (e.g. [`Sum`] for all of them) of `acc` and `v`.
    fn reduce<L: Lane>(acc: [L; C], v: [L; C]) -> [L; C];
    /// The terms of the channels at `i`.
    ///
    /// # Safety
    /// `i + (L::WIDTH - 1) * stride < self.len()`.
    unsafe fn terms<L: Lane>(&self, i: usize, stride: usize) -> [L; C];
    /// The terms at `i` and at `i + 1`.
    ///
    /// # Safety
    /// `i + 1 + (L::WIDTH - 1) * stride < self.len()`.
    unsafe fn term_pairs<L: Lane>(&self, i: usize, stride: usize) -> ([L; C], [L; C]);
    /// Writes the outputs at `i` from the reductions of the window ending there.
    ///
    /// # Safety
    /// As [`Windowed::terms`].
    unsafe fn finish<L: Lane>(&mut self, i: usize, stride: usize, window: [L; C]);
    /// [`Windowed::finish`] at `i` and at `i + 1`.
    ///
    /// # Safety
    /// As [`Windowed::term_pairs`].
    unsafe fn finish_pair<L: Lane>(&mut self, i: usize, stride: usize, first: [L; C], second: [L; C]);
}

/// `R` on every channel, for [`Windowed::reduce`].
#[inline(always)]
pub(crate) fn reduce_each<R: Reduce, L: Lane, const C: usize>(acc: [L; C], v: [L; C]) -> [L; C] {
    core::array::from_fn(|c| R::apply(acc[c], v[c]))
}

/// Runs `k` over every window of `n` values (indices `n-1..k.len()`): on
/// the SIMD path `V::WIDTH` blocks side by side in the lanes of `V`, on the
/// scalar path one block at a time; the same operations per output, the
/// same bits.
pub(crate) fn windows<V: Lane, const C: usize, K: Windowed<C>>(k: &mut K, n: usize, path: Path) {
    match path {
        Path::Simd => windows_with::<V, C, K>(k, n),
        Path::Scalar => windows_with::<f64, C, K>(k, n),
    }
}

fn windows_with<L: Lane, const C: usize, K: Windowed<C>>(k: &mut K, n: usize) {
    let len = k.len();
    assert!(n >= 1 && n <= len, "window {n} of a series of {len}");
    // SAFETY: every index below is under `len`: block 0 is `0..n`, and the
    // blocks grouped below end at or before `whole * n <= len`.
    unsafe {
        // Block 0 has one window, its whole self: the prefix chain alone.
        let mut pre = k.terms::<f64>(0, n);
        for r in 1..n {
            pre = K::reduce(pre, k.terms::<f64>(r, n));
        }
        k.finish::<f64>(n - 1, n, pre);
        let whole = len / n;
        let mut block = 1;
        let mut suffix = vec![[L::splat(0.0); C]; n];
        while block + L::WIDTH <= whole {
            block_group::<L, C, K>(k, n, block, n, &mut suffix);
            block += L::WIDTH;
        }
        let mut suffix = vec![[0.0; C]; n];
        while block < whole {
            block_group::<f64, C, K>(k, n, block, n, &mut suffix);
            block += 1;
        }
        if block * n < len {
            block_group::<f64, C, K>(k, n, block, len - block * n, &mut suffix);
        }
    }
}

/// The windows ending at offsets `0..m` of blocks `block..block + L::WIDTH`,
/// one block per lane: the suffixes of the blocks before them (from the end
/// back), then their prefixes, each combined with the suffix it completes and
/// finished at once. Two offsets a step, so vector lanes move data as pairs.
///
/// # Safety
/// Blocks `block - 1..block + L::WIDTH - 1` are whole, and the first `m`
/// (≤ n) offsets of block `block + L::WIDTH - 1` are below `k.len()`.
#[inline(always)]
unsafe fn block_group<L: Lane, const C: usize, K: Windowed<C>>(
    k: &mut K,
    n: usize,
    block: usize,
    m: usize,
    suffix: &mut [[L; C]],
) {
    debug_assert!(block >= 1 && m >= 1 && m <= n && suffix.len() == n);
    debug_assert!((block + L::WIDTH - 1) * n + m <= k.len());
    let s = block * n;
    let prev = s - n;
    // suffix[r]: the reduction of the previous blocks' offsets r..n (r ≥ 1).
    if n > 1 {
        let mut acc = k.terms::<L>(prev + n - 1, n);
        suffix[n - 1] = acc;
        let mut r = n - 1;
        while r >= 3 {
            let (below, at) = k.term_pairs::<L>(prev + r - 2, n);
            acc = K::reduce(acc, at);
            // SAFETY: 1 ≤ r - 2 < r - 1 < n = suffix.len().
            *suffix.get_unchecked_mut(r - 1) = acc;
            acc = K::reduce(acc, below);
            *suffix.get_unchecked_mut(r - 2) = acc;
            r -= 2;
        }
        if r == 2 {
            suffix[1] = K::reduce(acc, k.terms::<L>(prev + 1, n));
        }
    }
    let suffix = &suffix[..n];
    let window = |r: usize, pre: [L; C]| if r < n - 1 { K::reduce(suffix[r + 1], pre) } else { pre };
    if m == 1 {
        k.finish::<L>(s, n, window(0, k.terms::<L>(s, n)));
        return;
    }
    let (first, second) = k.term_pairs::<L>(s, n);
    let mut pre = first;
    let w0 = window(0, pre);
    pre = K::reduce(pre, second);
    k.finish_pair::<L>(s, n, w0, window(1, pre));
    let mut r = 2;
    // Pairs of windows that both reach into the previous block (r + 1 < n - 1).
    while r + 2 < n && r + 2 <= m {
        let (a, b) = k.term_pairs::<L>(s + r, n);
        pre = K::reduce(pre, a);
        let wa = K::reduce(suffix[r + 1], pre);
        pre = K::reduce(pre, b);
        k.finish_pair::<L>(s + r, n, wa, K::reduce(suffix[r + 2], pre));
        r += 2;
    }
    // The last one or two, the block's last offset ending the window that is the block itself.
    if r + 2 <= m {
        let (a, b) = k.term_pairs::<L>(s + r, n);
        pre = K::reduce(pre, a);
        let wa = window(r, pre);
        pre = K::reduce(pre, b);
        k.finish_pair::<L>(s + r, n, wa, window(r + 1, pre));
        r += 2;
    }
    if r < m {
        pre = K::reduce(pre, k.terms::<L>(s + r, n));
        k.finish::<L>(s + r, n, window(r, pre));
    }
}

/// The streaming form of [`reduce`]: the same blocks (counted from the first
/// update), hence the same bits.
#[derive(Clone, Debug)]
pub(crate) struct BlockWindow<R, M> {
    n: usize,
    /// Mapped values of the current block so far.
    block: Vec<f64>,
    /// `suffix[r]`: reduction of the previous block's offsets `r..n` (valid for r ≥ 1).
    suffix: Vec<f64>,
    prefix: f64,
    seen_block: bool,
    _ops: core::marker::PhantomData<(R, M)>,
}

impl<R: Reduce, M: Map> BlockWindow<R, M> {
    pub(crate) fn new(n: usize) -> Self {
        debug_assert!(n >= 1);
        BlockWindow {
            n,
            block: Vec::with_capacity(n),
            suffix: vec![0.0; n],
            prefix: 0.0,
            seen_block: false,
            _ops: core::marker::PhantomData,
        }
    }

    /// Adds one value; the window's reduction once `n` values have been seen.
    pub(crate) fn update(&mut self, v: f64) -> Option<f64> {
        let n = self.n;
        let m = M::apply(v);
        let r = self.block.len();
        self.prefix = if r == 0 { m } else { R::apply(self.prefix, m) };
        self.block.push(m);
        let out = if r == n - 1 {
            Some(self.prefix)
        } else if self.seen_block {
            Some(R::apply(self.suffix[r + 1], self.prefix))
        } else {
            None
        };
        if r == n - 1 {
            if n > 1 {
                let mut acc = self.block[n - 1];
                self.suffix[n - 1] = acc;
                for q in (1..n - 1).rev() {
                    acc = R::apply(acc, self.block[q]);
                    self.suffix[q] = acc;
                }
            }
            self.block.clear();
            self.seen_block = true;
        }
        out
    }
}

/// An element-wise step over `WIDTH` consecutive indices from `i`.
pub(crate) trait Elementwise {
    fn at<L: Lane>(&mut self, i: usize);
}

/// Runs `k` over `lo..hi`: four lanes at a time on the SIMD path (the tail one
/// by one), one at a time on the scalar path.
pub(crate) fn elementwise<K: Elementwise>(k: &mut K, lo: usize, hi: usize, path: Path) {
    let mut i = lo;
    if path == Path::Simd {
        while i + F64x4::WIDTH <= hi {
            k.at::<F64x4>(i);
            i += F64x4::WIDTH;
        }
    }
    while i < hi {
        k.at::<f64>(i);
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::simd::{F64x2, F64x4};

    fn naive<R: Reduce, M: Map>(x: &[f64], n: usize, i: usize) -> f64 {
        let w = &x[i + 1 - n..=i];
        w[1..].iter().fold(M::apply(w[0]), |a, &v| R::apply(a, M::apply(v)))
    }

    /// Stores each window's Σx², max and min as they are.
    struct Store<'a> {
        x: &'a [f64],
        out: [&'a mut [f64]; 3],
    }

    // SAFETY: `len` is `x`'s length, and the outputs are as long (made so below).
    unsafe impl Windowed<3> for Store<'_> {
        fn len(&self) -> usize {
            self.x.len()
        }
        fn reduce<L: Lane>([s, hi, lo]: [L; 3], [v2, v, w]: [L; 3]) -> [L; 3] {
            [Sum::apply(s, v2), Max::apply(hi, v), Min::apply(lo, w)]
        }
        unsafe fn terms<L: Lane>(&self, i: usize, stride: usize) -> [L; 3] {
            let v = L::gather_unchecked(self.x, i, stride);
            [Square::apply(v), v, v]
        }
        unsafe fn term_pairs<L: Lane>(&self, i: usize, stride: usize) -> ([L; 3], [L; 3]) {
            let (a, b) = L::gather_pair_unchecked(self.x, i, stride);
            ([Square::apply(a), a, a], [Square::apply(b), b, b])
        }
        unsafe fn finish<L: Lane>(&mut self, i: usize, stride: usize, w: [L; 3]) {
            for (v, out) in w.into_iter().zip(self.out.iter_mut()) {
                v.scatter_unchecked(out, i, stride);
            }
        }
        unsafe fn finish_pair<L: Lane>(&mut self, i: usize, stride: usize, a: [L; 3], b: [L; 3]) {
            for ((u, v), out) in a.into_iter().zip(b).zip(self.out.iter_mut()) {
                L::scatter_pair_unchecked(u, v, out, i, stride);
            }
        }
    }

    /// Σx², max and min of every window, by `windows` with lanes `V`.
    fn run<V: Lane>(x: &[f64], n: usize, path: Path) -> [Vec<f64>; 3] {
        let mut outs = [vec![f64::NAN; x.len()], vec![f64::NAN; x.len()], vec![f64::NAN; x.len()]];
        let [a, b, c] = &mut outs;
        windows::<V, 3, _>(&mut Store { x, out: [a, b, c] }, n, path);
        outs
    }

    #[test]
    fn blocks_give_window_reductions_in_every_form() {
        let mut rng = fastrand::Rng::with_seed(7);
        let x: Vec<f64> = (0..1000).map(|_| (rng.i32(-500..500) as f64) / 4.0).collect();
        for n in [1, 2, 3, 5, 7, 16, 33, 999, 1000] {
            for len in [n, n + 1, 3 * n + 2, 8 * n + 5, 1000] {
                let x = &x[..len.min(1000)];
                let scalar = run::<f64>(x, n, Path::Scalar);
                let mut stream = BlockWindow::<Sum, Square>::new(n);
                let streamed: Vec<f64> = x.iter().map(|&v| stream.update(v).unwrap_or(f64::NAN)).collect();
                for simd in [run::<F64x2>(x, n, Path::Simd), run::<F64x4>(x, n, Path::Simd)] {
                    for (a, b) in simd.iter().zip(&scalar) {
                        assert!(a.iter().zip(b).all(|(p, q)| p.to_bits() == q.to_bits()), "n={n} len={len}");
                    }
                }
                for i in n - 1..x.len() {
                    // Quarter-integers squared sum exactly: every order gives the same value.
                    assert_eq!(scalar[0][i], naive::<Sum, Square>(x, n, i), "n={n} i={i}");
                    assert_eq!(scalar[0][i].to_bits(), streamed[i].to_bits());
                    assert_eq!(scalar[1][i], naive::<Max, Identity>(x, n, i));
                    assert_eq!(scalar[2][i], naive::<Min, Identity>(x, n, i));
                }
                assert!(scalar.iter().all(|o| o[..n - 1].iter().all(|v| v.is_nan())));
            }
        }
    }
}
