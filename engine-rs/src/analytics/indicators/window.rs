//! Sliding-window reductions (sum, max, min) by blocks — the van Herk /
//! Gil-Werman scheme — in a form that runs four windows' chains side by side
//! in SIMD lanes and gives the very same bits in the scalar and streaming forms.
//!
//! The series is cut into blocks of `n` (the window) starting at index 0. A
//! window ending at offset `r` of block `b` is the suffix `r+1..n` of block
//! `b-1` combined with the prefix `0..=r` of block `b` (the whole prefix when
//! `r = n-1`). Each block's suffix and prefix chains depend on nothing outside
//! the block, so lane `j` can run block `b+j`; every output is the same
//! sequence of IEEE operations whichever path computes it. Sums are more
//! accurate than a running add/subtract sum (no drift), at one extra add per
//! element.

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

/// Elements per chunk the batch functions work on, so scratch stays in cache.
const CHUNK_TARGET: usize = 4096;

/// Chunks of whole blocks `(first index, end index)` covering `0..len`.
pub(crate) fn chunks(n: usize, len: usize) -> impl Iterator<Item = (usize, usize)> {
    // A multiple of four blocks, so SIMD groups rarely leave a scalar remainder.
    let blocks = (CHUNK_TARGET / n).max(1).next_multiple_of(4);
    let step = blocks * n;
    (0..len).step_by(step).map(move |lo| (lo, (lo + step).min(len)))
}

/// Writes into `out[i - lo]` the reduction of `map(x[i+1-n..=i])` for every `i`
/// in `max(lo, n-1)..hi`, where `lo` is a multiple of `n` and `out.len() == hi - lo`.
/// Slots before `n-1` are left as they are.
pub(crate) fn reduce<R: Reduce, M: Map>(x: &[f64], n: usize, lo: usize, hi: usize, out: &mut [f64], path: Path) {
    debug_assert!(n >= 1 && lo % n == 0 && hi <= x.len() && out.len() == hi - lo);
    let mut block = lo / n;
    if block == 0 {
        if hi >= n {
            out[n - 1] = prefix_of_block_zero::<R, M>(x, n);
        }
        block = 1;
    }
    let first_partial = x.len().min(hi) / n; // blocks before this one end inside 0..hi
    let full_end = first_partial.max(block);
    if path == Path::Simd && n > 1 {
        let mut suffix = Vec::new();
        while block + F64x4::WIDTH <= full_end {
            four_full_blocks::<R, M>(x, n, block, lo, out, &mut suffix);
            block += F64x4::WIDTH;
        }
    }
    while block < full_end {
        full_blocks::<f64, R, M>(x, n, block, lo, out);
        block += 1;
    }
    if block * n < hi {
        partial_block::<R, M>(x, n, block, hi, lo, out);
    }
}

fn prefix_of_block_zero<R: Reduce, M: Map>(x: &[f64], n: usize) -> f64 {
    let mut pre = M::apply(x[0]);
    for &v in &x[1..n] {
        pre = R::apply(pre, M::apply(v));
    }
    pre
}

/// Blocks `block..block + L::WIDTH`, all full, one per lane.
#[inline(always)]
fn full_blocks<L: Lane, R: Reduce, M: Map>(x: &[f64], n: usize, block: usize, lo: usize, out: &mut [f64]) {
    let s = block * n;
    let o = s - lo;
    if n > 1 {
        // Suffixes of the previous blocks, parked in the output slots that need them.
        let mut acc = M::apply(L::gather(x, s - 1, n));
        acc.scatter(out, o + n - 2, n);
        for r in (1..n - 1).rev() {
            acc = R::apply(acc, M::apply(L::gather(x, s - n + r, n)));
            acc.scatter(out, o + r - 1, n);
        }
    }
    let mut pre = M::apply(L::gather(x, s, n));
    for r in 0..n {
        if r > 0 {
            pre = R::apply(pre, M::apply(L::gather(x, s + r, n)));
        }
        let v = if r < n - 1 { R::apply(L::gather(out, o + r, n), pre) } else { pre };
        v.scatter(out, o + r, n);
    }
}

/// [`full_blocks`] for four blocks in the lanes of an [`F64x4`], moving data
/// two consecutive offsets at a time: contiguous pair loads and stores
/// rearranged in registers ([`F64x4::gather_pair`], [`F64x4::scatter_pair`])
/// rather than one scattered scalar per lane, with the suffixes kept in lanes
/// in `suffix` rather than parked in `out`. Every lane runs the very
/// operations of [`full_blocks`], in the same order: the same bits.
#[inline(always)]
fn four_full_blocks<R: Reduce, M: Map>(
    x: &[f64],
    n: usize,
    block: usize,
    lo: usize,
    out: &mut [f64],
    suffix: &mut Vec<F64x4>,
) {
    debug_assert!(n > 1);
    let s = block * n;
    let o = s - lo;
    let prev = s - n;
    // suffix[r]: the reduction of the previous blocks' offsets r..n (r ≥ 1).
    suffix.clear();
    suffix.resize(n, F64x4::splat(0.0));
    let mut acc = M::apply(F64x4::gather(x, prev + n - 1, n));
    suffix[n - 1] = acc;
    let mut r = n - 1; // suffix[r..] done
    while r >= 3 {
        let (below, at) = F64x4::gather_pair(x, prev + r - 2, n);
        acc = R::apply(acc, M::apply(at));
        suffix[r - 1] = acc;
        acc = R::apply(acc, M::apply(below));
        suffix[r - 2] = acc;
        r -= 2;
    }
    if r == 2 {
        suffix[1] = R::apply(acc, M::apply(F64x4::gather(x, prev + 1, n)));
    }
    let window = |r: usize, pre: F64x4| if r < n - 1 { R::apply(suffix[r + 1], pre) } else { pre };
    let (first, second) = F64x4::gather_pair(x, s, n);
    let mut pre = M::apply(first);
    let out0 = window(0, pre);
    pre = R::apply(pre, M::apply(second));
    F64x4::scatter_pair(out0, window(1, pre), out, o, n);
    let mut r = 2;
    while r + 2 <= n {
        let (a, b) = F64x4::gather_pair(x, s + r, n);
        pre = R::apply(pre, M::apply(a));
        let out_a = window(r, pre);
        pre = R::apply(pre, M::apply(b));
        F64x4::scatter_pair(out_a, window(r + 1, pre), out, o + r, n);
        r += 2;
    }
    if r < n {
        pre = R::apply(pre, M::apply(F64x4::gather(x, s + r, n)));
        window(r, pre).scatter(out, o + r, n);
    }
}

/// The last block, cut short at `hi`: the same operations, fewer outputs kept.
fn partial_block<R: Reduce, M: Map>(x: &[f64], n: usize, block: usize, hi: usize, lo: usize, out: &mut [f64]) {
    let s = block * n;
    let o = s - lo;
    let m = hi - s;
    debug_assert!(m < n);
    if n > 1 {
        let mut acc = M::apply(x[s - 1]);
        if n - 2 < m {
            out[o + n - 2] = acc;
        }
        for r in (1..n - 1).rev() {
            acc = R::apply(acc, M::apply(x[s - n + r]));
            if r - 1 < m {
                out[o + r - 1] = acc;
            }
        }
    }
    let mut pre = M::apply(x[s]);
    for r in 0..m {
        if r > 0 {
            pre = R::apply(pre, M::apply(x[s + r]));
        }
        out[o + r] = if r < n - 1 { R::apply(out[o + r], pre) } else { pre };
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

    fn naive<R: Reduce, M: Map>(x: &[f64], n: usize, i: usize) -> f64 {
        let w = &x[i + 1 - n..=i];
        w[1..].iter().fold(M::apply(w[0]), |a, &v| R::apply(a, M::apply(v)))
    }

    #[test]
    fn blocks_give_window_reductions_in_every_form() {
        let mut rng = fastrand::Rng::with_seed(7);
        let x: Vec<f64> = (0..1000).map(|_| (rng.i32(-500..500) as f64) / 4.0).collect();
        for n in [1, 2, 3, 5, 7, 16, 33, 999, 1000] {
            for len in [n, n + 1, 3 * n + 2, 1000] {
                let x = &x[..len.min(1000)];
                let mut outs = Vec::new();
                for path in [Path::Simd, Path::Scalar] {
                    let mut out = vec![f64::NAN; x.len()];
                    for (lo, hi) in chunks(n, x.len()) {
                        reduce::<Sum, Square>(x, n, lo, hi, &mut out[lo..hi], path);
                    }
                    outs.push(out);
                }
                let mut stream = BlockWindow::<Sum, Square>::new(n);
                let streamed: Vec<f64> = x.iter().map(|&v| stream.update(v).unwrap_or(f64::NAN)).collect();
                for i in n - 1..x.len() {
                    // Quarter-integers squared sum exactly: every order gives the same value.
                    assert_eq!(outs[0][i], naive::<Sum, Square>(x, n, i), "n={n} i={i}");
                    assert_eq!(outs[0][i].to_bits(), outs[1][i].to_bits());
                    assert_eq!(outs[0][i].to_bits(), streamed[i].to_bits());
                }
                assert!(outs[0][..n - 1].iter().all(|v| v.is_nan()));
                let mut max = vec![f64::NAN; x.len()];
                let mut min = vec![f64::NAN; x.len()];
                for (lo, hi) in chunks(n, x.len()) {
                    reduce::<Max, Identity>(x, n, lo, hi, &mut max[lo..hi], Path::Simd);
                    reduce::<Min, Identity>(x, n, lo, hi, &mut min[lo..hi], Path::Simd);
                }
                for i in n - 1..x.len() {
                    assert_eq!(max[i], naive::<Max, Identity>(x, n, i));
                    assert_eq!(min[i], naive::<Min, Identity>(x, n, i));
                }
            }
        }
    }
}
