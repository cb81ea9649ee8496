//! Conditions in templates: `"hip_extension > 160"`, `"abs(feet_level) < 20"`,
//! `"max(hip_extension) < 168"`, `"hold_s < 5"`.
//!
//! A condition compares one value with a number. Frame conditions read signals of the current
//! frame; rep conditions read aggregates over a rep (or hold) and its built-in measures.

use std::fmt;

/// The largest threshold magnitude: far beyond any angle, ratio or speed a signal measures.
pub const MAX_THRESHOLD: f32 = 100_000.0;

/// How a value is derived from a signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reduce {
    /// The frame's value.
    Value,
    /// The frame's absolute value.
    Abs,
    /// Largest over the rep.
    Max,
    /// Smallest over the rep.
    Min,
    /// Mean over the rep.
    Mean,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn apply(self, a: f32, b: f32) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }
}

/// A parsed condition; `operand` is a signal name or a rep measure.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub reduce: Reduce,
    pub operand: String,
    pub op: Op,
    pub threshold: f32,
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = self.op.symbol();
        match self.reduce {
            Reduce::Value => write!(f, "{} {op} {}", self.operand, self.threshold),
            r => write!(
                f,
                "{}({}) {op} {}",
                format!("{r:?}").to_lowercase(),
                self.operand,
                self.threshold
            ),
        }
    }
}

impl Condition {
    /// Parses `"[func(]name[)] op number"`.
    pub fn parse(text: &str) -> Result<Condition, String> {
        let t = text.trim();
        let (pos, op_len, op) = ["<=", ">=", "<", ">"]
            .iter()
            .find_map(|sym| t.find(sym).map(|i| (i, sym.len(), *sym)))
            .ok_or_else(|| format!("'{t}' has no comparison (<, <=, >, >=)"))?;
        let op = match op {
            "<=" => Op::Le,
            ">=" => Op::Ge,
            "<" => Op::Lt,
            _ => Op::Gt,
        };
        let lhs = t[..pos].trim();
        let rhs = t[pos + op_len..].trim();
        // Rust reads "nan" and "inf" as numbers, and "1e39" as infinity: none can be compared
        // with a measurement meaningfully.
        let threshold: f32 = rhs
            .parse()
            .ok()
            .filter(|v: &f32| v.abs() <= MAX_THRESHOLD)
            .ok_or_else(|| {
                format!("'{rhs}' in '{t}' is not a number from -{MAX_THRESHOLD} to {MAX_THRESHOLD}")
            })?;
        let (reduce, operand) = match lhs.split_once('(') {
            Some((func, rest)) => {
                let inner = rest
                    .strip_suffix(')')
                    .ok_or_else(|| format!("'{lhs}' in '{t}' is missing its ')'"))?;
                let reduce = match func.trim() {
                    "abs" => Reduce::Abs,
                    "max" => Reduce::Max,
                    "min" => Reduce::Min,
                    "mean" => Reduce::Mean,
                    other => {
                        return Err(format!(
                            "unknown function '{other}' in '{t}' (use abs, max, min or mean)"
                        ));
                    }
                };
                (reduce, inner.trim())
            }
            None => (Reduce::Value, lhs),
        };
        if operand.is_empty()
            || !operand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(format!("'{operand}' in '{t}' is not a signal name"));
        }
        Ok(Condition {
            reduce,
            operand: operand.to_string(),
            op,
            threshold,
        })
    }

    /// Whether an aggregate function is used (valid only in rep conditions).
    pub fn is_aggregate(&self) -> bool {
        matches!(self.reduce, Reduce::Max | Reduce::Min | Reduce::Mean)
    }

    /// How far a value is inside the condition (negative: outside), in the value's units;
    /// `None` for an unknown value.
    pub fn margin(&self, value: Option<f32>) -> Option<f32> {
        let v = value.filter(|v| v.is_finite())?;
        let v = if self.reduce == Reduce::Abs {
            v.abs()
        } else {
            v
        };
        Some(match self.op {
            Op::Lt | Op::Le => self.threshold - v,
            Op::Gt | Op::Ge => v - self.threshold,
        })
    }

    /// Evaluates against a value; an unknown value (joint not seen) is never true.
    pub fn holds(&self, value: Option<f32>) -> bool {
        match value {
            Some(v) if v.is_finite() => {
                let v = if self.reduce == Reduce::Abs {
                    v.abs()
                } else {
                    v
                };
                self.op.apply(v, self.threshold)
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_function_and_aggregate_forms() {
        let c = Condition::parse("hip_extension > 160").unwrap();
        assert_eq!(c.operand, "hip_extension");
        assert_eq!(c.op, Op::Gt);
        assert_eq!(c.threshold, 160.0);
        let c = Condition::parse("abs(feet_level)<=20.5").unwrap();
        assert_eq!((c.reduce, c.op, c.threshold), (Reduce::Abs, Op::Le, 20.5));
        let c = Condition::parse(" max(hip_extension) < -3 ").unwrap();
        assert!(c.is_aggregate());
        assert_eq!(c.threshold, -3.0);
        assert_eq!(c.to_string(), "max(hip_extension) < -3");
    }

    #[test]
    fn rejects_malformed_text_with_a_reason() {
        assert!(
            Condition::parse("hip_extension 160")
                .unwrap_err()
                .contains("no comparison")
        );
        assert!(
            Condition::parse("hip > abc")
                .unwrap_err()
                .contains("not a number")
        );
        for absurd in ["nan", "NaN", "inf", "-inf", "1e39", "100001"] {
            let e = Condition::parse(&format!("hip > {absurd}")).unwrap_err();
            assert!(e.contains("from -100000 to 100000"), "{absurd}: {e}");
        }
        assert!(
            Condition::parse("sqrt(hip) > 1")
                .unwrap_err()
                .contains("unknown function")
        );
        assert!(
            Condition::parse("max(hip > 1")
                .unwrap_err()
                .contains("missing")
        );
        assert!(
            Condition::parse("hip-angle > 1")
                .unwrap_err()
                .contains("not a signal name")
        );
    }

    #[test]
    fn unknown_values_never_satisfy() {
        let c = Condition::parse("x < 5").unwrap();
        assert!(c.holds(Some(4.0)));
        assert!(!c.holds(Some(5.0)));
        assert!(!c.holds(None));
        assert!(!c.holds(Some(f32::NAN)));
        assert!(Condition::parse("abs(x) < 5").unwrap().holds(Some(-4.0)));
    }
}
