//! Live performance: capture-to-overlay latency and the frame rate achieved.

use std::time::{Duration, Instant};

/// Latencies kept for the percentile (a ring, so hours of running stay bounded).
const KEEP: usize = 4096;

pub struct LiveStats {
    latencies_ms: Vec<f64>,
    next: usize,
    count: u64,
    sum_ms: f64,
    start: Instant,
    /// Recent frame times, for the current frame rate.
    recent: std::collections::VecDeque<Instant>,
}

/// A summary of a session's performance.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct StatsSummary {
    pub frames: u64,
    pub fps: f64,
    pub latency_mean_ms: f64,
    pub latency_p95_ms: f64,
}

impl Default for LiveStats {
    fn default() -> Self {
        LiveStats {
            latencies_ms: Vec::with_capacity(KEEP),
            next: 0,
            count: 0,
            sum_ms: 0.0,
            start: Instant::now(),
            recent: std::collections::VecDeque::new(),
        }
    }
}

impl LiveStats {
    /// Records a frame captured at `captured` whose overlay is ready now.
    pub fn frame(&mut self, captured: Instant) {
        let now = Instant::now();
        let ms = now.duration_since(captured).as_secs_f64() * 1e3;
        if self.latencies_ms.len() < KEEP {
            self.latencies_ms.push(ms);
        } else {
            self.latencies_ms[self.next] = ms;
            self.next = (self.next + 1) % KEEP;
        }
        self.count += 1;
        self.sum_ms += ms;
        self.recent.push_back(now);
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(2))
        {
            self.recent.pop_front();
        }
    }

    /// Frames per second over the last two seconds.
    pub fn current_fps(&self) -> f64 {
        match (self.recent.front(), self.recent.back()) {
            (Some(a), Some(b)) if self.recent.len() > 1 => {
                (self.recent.len() - 1) as f64 / b.duration_since(*a).as_secs_f64().max(1e-6)
            }
            _ => 0.0,
        }
    }

    pub fn summary(&self) -> StatsSummary {
        let mut sorted = self.latencies_ms.clone();
        sorted.sort_by(f64::total_cmp);
        let p95 = sorted
            .get(((sorted.len() as f64 * 0.95) as usize).min(sorted.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0);
        StatsSummary {
            frames: self.count,
            fps: self.count as f64 / self.start.elapsed().as_secs_f64().max(1e-6),
            latency_mean_ms: self.sum_ms / self.count.max(1) as f64,
            latency_p95_ms: p95,
        }
    }

    /// The line shown with `--stats`.
    pub fn line(&self) -> String {
        let s = self.summary();
        format!(
            "{:.1} fps  latency {:.0} ms (p95 {:.0})",
            self.current_fps(),
            s.latency_mean_ms,
            s.latency_p95_ms
        )
    }
}
