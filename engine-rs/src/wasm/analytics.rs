//! Analytics for JavaScript: columns of f64 that live in WASM memory
//! ([`F64Buffer`], viewed from JS as a `Float64Array` with no copy), batch
//! indicators that read and write such buffers, and one streaming class per
//! indicator. Windows arrive as JS numbers and must be whole; errors become
//! JS `Error`s naming the argument. `simd` picks the path (default: SIMD).

use crate::analytics::indicators as ind;
use crate::analytics::{AnalyticsError, Path};
use wasm_bindgen::prelude::*;

fn js_err(e: AnalyticsError) -> JsError {
    JsError::new(&e.to_string())
}

/// A window or period: a whole number from 0 to 2^32 − 1 (0 is then refused
/// by the indicator with its own message).
fn period(name: &str, v: f64) -> Result<usize, JsError> {
    if v.is_finite() && v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
        Ok(v as usize)
    } else {
        Err(JsError::new(&format!("{name} must be a whole number from 0 to {}, got {v}", u32::MAX)))
    }
}

fn path(simd: Option<bool>) -> Path {
    if simd.unwrap_or(true) {
        Path::Simd
    } else {
        Path::Scalar
    }
}

/// A column of f64 in WASM memory. Fill and read it through
/// `new Float64Array(wasmMemory().buffer, buf.ptr(), buf.len())`, taken again
/// after any call that may grow memory (allocating another buffer does).
#[wasm_bindgen]
pub struct F64Buffer {
    data: Vec<f64>,
}

impl F64Buffer {
    /// A buffer holding `data`, for functions whose output length is known only once computed.
    pub(crate) fn from_values(data: Vec<f64>) -> Self {
        F64Buffer { data }
    }

    /// The values, for other binding modules.
    pub(crate) fn values(&self) -> &[f64] {
        &self.data
    }

    /// The values, writable, for other binding modules.
    pub(crate) fn values_mut(&mut self) -> &mut [f64] {
        &mut self.data
    }
}

#[wasm_bindgen]
impl F64Buffer {
    /// A buffer of `len` zeros.
    #[wasm_bindgen(constructor)]
    pub fn new(len: f64) -> Result<F64Buffer, JsError> {
        let len = period("len", len)?;
        Ok(F64Buffer { data: vec![0.0; len] })
    }

    /// Byte offset of the first value in WASM memory.
    pub fn ptr(&self) -> usize {
        self.data.as_ptr() as usize
    }

    /// Number of values.
    pub fn len(&self) -> u32 {
        self.data.len() as u32
    }

    /// Whether the buffer holds no values.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// Simple moving average of `x` into `out` (NaN for the first `window − 1`).
#[wasm_bindgen]
pub fn sma(x: &F64Buffer, window: f64, out: &mut F64Buffer, simd: Option<bool>) -> Result<(), JsError> {
    ind::sma(x.values(), period("window", window)?, out.values_mut(), path(simd)).map_err(js_err)
}

/// Exponential moving average (TA-Lib seeding) of `x` into `out`.
#[wasm_bindgen]
pub fn ema(x: &F64Buffer, window: f64, out: &mut F64Buffer, simd: Option<bool>) -> Result<(), JsError> {
    ind::ema(x.values(), period("window", window)?, out.values_mut(), path(simd)).map_err(js_err)
}

/// Weighted moving average of `x` into `out`.
#[wasm_bindgen]
pub fn wma(x: &F64Buffer, window: f64, out: &mut F64Buffer, simd: Option<bool>) -> Result<(), JsError> {
    ind::wma(x.values(), period("window", window)?, out.values_mut(), path(simd)).map_err(js_err)
}

/// Wilder RSI of `x` into `out` (NaN for the first `window`).
#[wasm_bindgen]
pub fn rsi(x: &F64Buffer, window: f64, out: &mut F64Buffer, simd: Option<bool>) -> Result<(), JsError> {
    ind::rsi(x.values(), period("window", window)?, out.values_mut(), path(simd)).map_err(js_err)
}

/// Rolling population standard deviation of `x` into `out`.
#[wasm_bindgen(js_name = rollingStd)]
pub fn rolling_std(x: &F64Buffer, window: f64, out: &mut F64Buffer, simd: Option<bool>) -> Result<(), JsError> {
    ind::rolling_std(x.values(), period("window", window)?, out.values_mut(), path(simd)).map_err(js_err)
}

/// Rolling z-score of `x` into `out`.
#[wasm_bindgen]
pub fn zscore(x: &F64Buffer, window: f64, out: &mut F64Buffer, simd: Option<bool>) -> Result<(), JsError> {
    ind::zscore(x.values(), period("window", window)?, out.values_mut(), path(simd)).map_err(js_err)
}

/// MACD line, signal and histogram of `x`.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn macd(
    x: &F64Buffer,
    fast: f64,
    slow: f64,
    signal: f64,
    line: &mut F64Buffer,
    signal_out: &mut F64Buffer,
    hist: &mut F64Buffer,
    simd: Option<bool>,
) -> Result<(), JsError> {
    let (f, s, g) = (period("fast", fast)?, period("slow", slow)?, period("signal", signal)?);
    ind::macd(x.values(), f, s, g, line.values_mut(), signal_out.values_mut(), hist.values_mut(), path(simd))
        .map_err(js_err)
}

/// Bollinger Bands of `x`: `kUp` / `kDown` population σ around the SMA.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn bollinger(
    x: &F64Buffer,
    window: f64,
    k_up: f64,
    k_down: f64,
    upper: &mut F64Buffer,
    middle: &mut F64Buffer,
    lower: &mut F64Buffer,
    simd: Option<bool>,
) -> Result<(), JsError> {
    let w = period("window", window)?;
    ind::bollinger(x.values(), w, k_up, k_down, upper.values_mut(), middle.values_mut(), lower.values_mut(), path(simd))
        .map_err(js_err)
}

/// Wilder ATR of the bars into `out` (NaN for the first `window`).
#[wasm_bindgen]
pub fn atr(
    high: &F64Buffer,
    low: &F64Buffer,
    close: &F64Buffer,
    window: f64,
    out: &mut F64Buffer,
    simd: Option<bool>,
) -> Result<(), JsError> {
    let w = period("window", window)?;
    ind::atr(high.values(), low.values(), close.values(), w, out.values_mut(), path(simd)).map_err(js_err)
}

/// Stochastic slow %K and %D of the bars.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn stoch(
    high: &F64Buffer,
    low: &F64Buffer,
    close: &F64Buffer,
    fast_k: f64,
    slow_k: f64,
    slow_d: f64,
    k_out: &mut F64Buffer,
    d_out: &mut F64Buffer,
    simd: Option<bool>,
) -> Result<(), JsError> {
    let (fk, sk, sd) = (period("fastK", fast_k)?, period("slowK", slow_k)?, period("slowD", slow_d)?);
    ind::stoch(
        high.values(),
        low.values(),
        close.values(),
        fk,
        sk,
        sd,
        k_out.values_mut(),
        d_out.values_mut(),
        path(simd),
    )
    .map_err(js_err)
}

/// Declares a streaming class over one input with one output.
macro_rules! single_stream {
    ($(#[$doc:meta])* $js:ident, $rust:ident, $inner:ty) => {
        $(#[$doc])*
        #[wasm_bindgen(js_name = $js)]
        pub struct $rust($inner);

        #[wasm_bindgen(js_class = $js)]
        impl $rust {
            /// A streaming indicator over `window` values.
            #[wasm_bindgen(constructor)]
            pub fn new(window: f64) -> Result<$rust, JsError> {
                <$inner>::new(period("window", window)?).map($rust).map_err(js_err)
            }

            /// Adds `x`; the indicator's value (NaN during warm-up). Throws on a
            /// non-finite `x`, and the state is unchanged.
            pub fn update(&mut self, x: f64) -> Result<f64, JsError> {
                self.0.update(x).map_err(js_err)
            }
        }
    };
}

single_stream!(
    /// Streaming SMA.
    SmaStream, SmaStream, ind::Sma
);
single_stream!(
    /// Streaming EMA.
    EmaStream, EmaStream, ind::Ema
);
single_stream!(
    /// Streaming WMA.
    WmaStream, WmaStream, ind::Wma
);
single_stream!(
    /// Streaming RSI.
    RsiStream, RsiStream, ind::Rsi
);
single_stream!(
    /// Streaming rolling σ.
    RollingStdStream, RollingStdStream, ind::RollingStd
);
single_stream!(
    /// Streaming z-score.
    ZScoreStream, ZScoreStream, ind::ZScore
);

/// Streaming MACD: `update` returns the line; `signal` and `hist` hold the rest.
#[wasm_bindgen]
pub struct MacdStream {
    inner: ind::Macd,
    last: ind::MacdPoint,
}

#[wasm_bindgen]
impl MacdStream {
    /// A MACD with the given periods (`fast < slow`).
    #[wasm_bindgen(constructor)]
    pub fn new(fast: f64, slow: f64, signal: f64) -> Result<MacdStream, JsError> {
        let inner =
            ind::Macd::new(period("fast", fast)?, period("slow", slow)?, period("signal", signal)?).map_err(js_err)?;
        Ok(MacdStream { inner, last: ind::MacdPoint { line: f64::NAN, signal: f64::NAN, hist: f64::NAN } })
    }

    /// Adds `x`; the MACD line (NaN during warm-up).
    pub fn update(&mut self, x: f64) -> Result<f64, JsError> {
        self.last = self.inner.update(x).map_err(js_err)?;
        Ok(self.last.line)
    }

    /// The signal of the last update.
    #[wasm_bindgen(getter)]
    pub fn signal(&self) -> f64 {
        self.last.signal
    }

    /// The histogram of the last update.
    #[wasm_bindgen(getter)]
    pub fn hist(&self) -> f64 {
        self.last.hist
    }
}

/// Streaming Bollinger Bands: `update` returns the middle band; `upper` and `lower` hold the rest.
#[wasm_bindgen]
pub struct BollingerStream {
    inner: ind::Bollinger,
    last: ind::BollingerPoint,
}

#[wasm_bindgen]
impl BollingerStream {
    /// Bands over `window` values, `kUp` / `kDown` σ wide.
    #[wasm_bindgen(constructor)]
    pub fn new(window: f64, k_up: f64, k_down: f64) -> Result<BollingerStream, JsError> {
        let inner = ind::Bollinger::new(period("window", window)?, k_up, k_down).map_err(js_err)?;
        Ok(BollingerStream { inner, last: ind::BollingerPoint { upper: f64::NAN, middle: f64::NAN, lower: f64::NAN } })
    }

    /// Adds `x`; the middle band (NaN during warm-up).
    pub fn update(&mut self, x: f64) -> Result<f64, JsError> {
        self.last = self.inner.update(x).map_err(js_err)?;
        Ok(self.last.middle)
    }

    /// The upper band of the last update.
    #[wasm_bindgen(getter)]
    pub fn upper(&self) -> f64 {
        self.last.upper
    }

    /// The lower band of the last update.
    #[wasm_bindgen(getter)]
    pub fn lower(&self) -> f64 {
        self.last.lower
    }
}

/// Streaming ATR.
#[wasm_bindgen]
pub struct AtrStream(ind::Atr);

#[wasm_bindgen]
impl AtrStream {
    /// An ATR over `window` bars.
    #[wasm_bindgen(constructor)]
    pub fn new(window: f64) -> Result<AtrStream, JsError> {
        ind::Atr::new(period("window", window)?).map(AtrStream).map_err(js_err)
    }

    /// Adds a bar; the ATR (NaN during warm-up).
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Result<f64, JsError> {
        self.0.update(high, low, close).map_err(js_err)
    }
}

/// Streaming stochastic: `update` returns slow %K; `d` holds %D.
#[wasm_bindgen]
pub struct StochStream {
    inner: ind::Stoch,
    last: ind::StochPoint,
}

#[wasm_bindgen]
impl StochStream {
    /// A stochastic with the given periods.
    #[wasm_bindgen(constructor)]
    pub fn new(fast_k: f64, slow_k: f64, slow_d: f64) -> Result<StochStream, JsError> {
        let inner = ind::Stoch::new(period("fastK", fast_k)?, period("slowK", slow_k)?, period("slowD", slow_d)?)
            .map_err(js_err)?;
        Ok(StochStream { inner, last: ind::StochPoint { k: f64::NAN, d: f64::NAN } })
    }

    /// Adds a bar; slow %K (NaN during warm-up).
    pub fn update(&mut self, high: f64, low: f64, close: f64) -> Result<f64, JsError> {
        self.last = self.inner.update(high, low, close).map_err(js_err)?;
        Ok(self.last.k)
    }

    /// %D of the last update.
    #[wasm_bindgen(getter)]
    pub fn d(&self) -> f64 {
        self.last.d
    }
}
