//! Seeded randomness: a SplitMix64 generator and smooth noise built from it.
//!
//! Everything random in a clip (timing jitter, sway, breathing) is drawn from one of these,
//! so the same seed gives byte-identical output. Written here because it is a dozen lines and
//! its sequence must never change under us with a dependency update.

pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng {
            state: seed ^ 0x5EED_0FB0_D1E5,
        }
    }

    /// A generator for one purpose, independent of how many numbers other purposes draw.
    pub fn fork(&self, stream: u64) -> Rng {
        let mut r = Rng {
            state: self.state ^ stream.wrapping_mul(0xA24B_AED4_963E_E407),
        };
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// A smooth random signal in about [-1, 1]: three incommensurate sines with seeded phases.
/// Cheap, deterministic and free of the steps that interpolated noise would show as jerks.
pub struct Wobble {
    parts: [(f64, f64); 3],
}

impl Wobble {
    /// `period` is the slowest period in seconds; faster parts are added at lower amplitude.
    pub fn new(rng: &mut Rng, period: f64) -> Wobble {
        let mut part = |ratio: f64| {
            let freq = std::f64::consts::TAU / (period / ratio) * rng.range(0.85, 1.15);
            (freq, rng.range(0.0, std::f64::consts::TAU))
        };
        Wobble {
            parts: [part(1.0), part(2.37), part(5.11)],
        }
    }

    pub fn at(&self, t: f64) -> f32 {
        let weights = [0.6, 0.3, 0.1];
        self.parts
            .iter()
            .zip(weights)
            .map(|(&(f, p), w)| w * (f * t + p).sin())
            .sum::<f64>() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers_and_forks_differ() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!(a.next_u64(), b.next_u64());
        let (mut f1, mut f2) = (a.fork(1), a.fork(2));
        assert_ne!(f1.next_u64(), f2.next_u64());
        let u = Rng::new(3).unit();
        assert!((0.0..1.0).contains(&u));
    }

    #[test]
    fn wobble_stays_bounded() {
        let w = Wobble::new(&mut Rng::new(1), 4.0);
        assert!((0..1000).all(|i| w.at(i as f64 * 0.01).abs() <= 1.0));
    }
}
