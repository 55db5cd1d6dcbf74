//! The learned classifiers: linear models over the features of `features.rs`, one per
//! task, trained by `scripts/text/train_classifiers.py` on the hand-written, CC0 training
//! sets in `data/text/train/` (and, for English sentiment, VADER's rated tweets). See
//! docs/text/CLASSIFIERS.md.
//!
//! - toxicity: one logit (toxic vs ok);
//! - spam: one logit (spam vs ham);
//! - sentiment: three logits (neg, neu, pos), softmax.
//!
//! File format (little endian): `TSM1`, hash bits (u32), number of outputs `k` (u32),
//! weight scale (f32), `k` biases (f32), number `n` of features with a weight (u32), their
//! `n` indices (u32, strictly increasing), then `n·k` values (i16, row by row,
//! `value = i16 · scale`). Loaded once into a dense table, so scoring is one array read per
//! feature and output.

use std::sync::LazyLock;

/// Hash bits of the feature space; must match the training script.
pub const BITS: u32 = 18;

/// One embedded model.
pub struct Model {
    outputs: usize,
    bits: u32,
    bias: Vec<f32>,
    /// `weights[index * outputs + output]`.
    weights: Vec<f32>,
}

impl Model {
    /// Parses a model file; `None` if it is malformed (the rules then decide alone).
    pub fn parse(bytes: &[u8]) -> Option<Model> {
        if bytes.get(..4)? != b"TSM1" {
            return None;
        }
        let u32_at = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
        };
        let f32_at = |at: usize| -> Option<f32> {
            Some(f32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
        };
        let bits = u32_at(4)?;
        let outputs = u32_at(8)? as usize;
        if bits != BITS || !(1..=8).contains(&outputs) {
            return None;
        }
        let scale = f32_at(12)?;
        let bias: Vec<f32> = (0..outputs)
            .map(|k| f32_at(16 + 4 * k))
            .collect::<Option<_>>()?;
        let at = 16 + 4 * outputs;
        let n = u32_at(at)? as usize;
        let idx_start = at + 4;
        let val_start = idx_start + 4 * n;
        if bytes.len() != val_start + 2 * n * outputs {
            return None;
        }
        let size = 1usize << bits;
        let mut weights = vec![0f32; size * outputs];
        let mut last: Option<u32> = None;
        for j in 0..n {
            let index = u32_at(idx_start + 4 * j)?;
            if last.is_some_and(|l| l >= index) || index as usize >= size {
                return None;
            }
            last = Some(index);
            for k in 0..outputs {
                let v = val_start + 2 * (j * outputs + k);
                let q = i16::from_le_bytes(bytes.get(v..v + 2)?.try_into().ok()?);
                weights[index as usize * outputs + k] = f32::from(q) * scale;
            }
        }
        Some(Model {
            outputs,
            bits,
            bias,
            weights,
        })
    }

    /// The raw outputs (logits) for a feature vector from [`super::features::extract`].
    pub fn logits(&self, features: &[(u32, f32)]) -> [f32; 3] {
        let mut z = [0f32; 3];
        for (k, b) in self.bias.iter().enumerate().take(3) {
            z[k] = *b;
        }
        let mask = (1usize << self.bits) - 1;
        for &(i, v) in features {
            let row = (i as usize & mask) * self.outputs;
            for (k, zk) in z.iter_mut().enumerate().take(self.outputs.min(3)) {
                *zk += self.weights.get(row + k).copied().unwrap_or(0.0) * v;
            }
        }
        z
    }

    /// Number of outputs (1 for a yes/no task, 3 for sentiment).
    pub fn outputs(&self) -> usize {
        self.outputs
    }
}

static TOXICITY: LazyLock<Option<Model>> =
    LazyLock::new(|| Model::parse(include_bytes!("../../models/toxicity_linear.bin")));
static SPAM: LazyLock<Option<Model>> =
    LazyLock::new(|| Model::parse(include_bytes!("../../models/spam_linear.bin")));
static SENTIMENT: LazyLock<Option<Model>> =
    LazyLock::new(|| Model::parse(include_bytes!("../../models/sentiment3_linear.bin")));

/// The toxicity model, if the embedded file is well formed.
pub fn toxicity() -> Option<&'static Model> {
    TOXICITY.as_ref().filter(|m| m.outputs() == 1)
}

/// The spam model, if the embedded file is well formed.
pub fn spam() -> Option<&'static Model> {
    SPAM.as_ref().filter(|m| m.outputs() == 1)
}

/// The three-class sentiment model, if the embedded file is well formed.
pub fn sentiment() -> Option<&'static Model> {
    SENTIMENT.as_ref().filter(|m| m.outputs() == 3)
}

/// The three models' weights side by side, `[toxicity, spam, neg, neu, pos]` per feature:
/// one memory access per feature instead of three (the tables are megabytes, so each access
/// is a likely cache miss).
pub struct Joint {
    bias: [f32; 5],
    weights: Vec<[f32; 5]>,
}

static JOINT: LazyLock<Option<Joint>> = LazyLock::new(|| {
    let (t, s, m) = (toxicity()?, spam()?, sentiment()?);
    if t.bits != s.bits || t.bits != m.bits {
        return None;
    }
    let size = 1usize << t.bits;
    let mut weights = vec![[0f32; 5]; size];
    for (i, w) in weights.iter_mut().enumerate() {
        *w = [
            t.weights[i],
            s.weights[i],
            m.weights[3 * i],
            m.weights[3 * i + 1],
            m.weights[3 * i + 2],
        ];
    }
    Some(Joint {
        bias: [t.bias[0], s.bias[0], m.bias[0], m.bias[1], m.bias[2]],
        weights,
    })
});

/// All three models at once, if all three load.
pub fn joint() -> Option<&'static Joint> {
    JOINT.as_ref()
}

impl Joint {
    /// `[toxicity logit, spam logit, neg, neu, pos logits]`.
    pub fn logits(&self, features: &[(u32, f32)]) -> [f32; 5] {
        let mut z = self.bias;
        let mask = self.weights.len() - 1;
        for &(i, v) in features {
            if let Some(w) = self.weights.get(i as usize & mask) {
                for (zk, wk) in z.iter_mut().zip(w) {
                    *zk += wk * v;
                }
            }
        }
        z
    }
}

/// Logistic function.
pub fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z.clamp(-30.0, 30.0)).exp())
}

/// Softmax of three logits.
pub fn softmax(z: [f32; 3]) -> [f32; 3] {
    let m = z[0].max(z[1]).max(z[2]);
    let e = z.map(|v| (v - m).exp());
    let s = e[0] + e[1] + e[2];
    e.map(|v| v / s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_models_load() {
        assert!(toxicity().is_some());
        assert!(spam().is_some());
        assert!(sentiment().is_some());
    }

    #[test]
    fn malformed_files_are_refused() {
        assert!(Model::parse(b"TSM1").is_none());
        assert!(Model::parse(b"XXXX\x12\0\0\0\x01\0\0\0").is_none());
    }
}
