//! The event loop: channels, energy samplers, fixed-size chunks with their own PCG streams, rayon,
//! and the hand-off of column batches to a sink.
//!
//! **Reproducibility.** The run is cut into chunks of [`GenerateOptions::chunk_size`] events in a
//! fixed order; chunk k draws from `Pcg64::new(state(seed), stream = k)` (rand_pcg: distinct streams
//! are independent sequences). Events are assigned to channels by a deterministic allocation
//! computed before any sampling. So the same seed gives the same events for any thread count, and a
//! chunk can be regenerated alone.
//!
//! **Threads.** `threads` workers each take the next group of chunks (one Parquet row group),
//! generate it and encode it with the sink's [`Encoder`]; the calling thread restores event order
//! and the sink's own thread appends. See [`Generator::run`].
//!
//! **Weights.** See [`crate::process`]: the sum of weights in a channel estimates
//! POT x N_targets x integral phi(E) sigma(E) dE without bias; the energy proposal is flux x sigma
//! tabulated once per channel, so weights are nearly uniform.
//!
//! **Allocation.** Channel c gets n_c = N [ (1 - a) R_c / R + a / N_channels ] events (largest
//! remainder, so sum n_c = N), with R_c the tabulated rate and a = `channel_floor`: rare channels
//! (helicity-flipping, antineutrino contamination) still get events to look at.

use crate::event::{ColumnPlan, Event, EventBatch};
use crate::experiment::Experiment;
use crate::flux::{FluxError, TabulatedSampler};
use crate::oscillation::OscillationWeight;
use crate::output::{Encoded, Encoder, OutputError, Sink};
use crate::process::Process;
use rand::{Rng, RngExt};
use rand_pcg::Pcg64;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// Options of a generation run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenerateOptions {
    /// Number of weighted events.
    pub events: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Events per chunk (one PCG stream each). Part of the definition of the event stream.
    pub chunk_size: usize,
    /// Fraction of events shared equally between channels (0..1).
    pub channel_floor: f64,
    /// Sub-intervals per flux-table interval in the energy proposal.
    pub energy_subdivisions: usize,
    /// Unweighted events: accept-reject against a computed envelope (see [`Generator::envelope`]).
    pub unweighted: bool,
    /// Which piece of the run to generate (`--chunk I/N`; [`Piece::WHOLE`] for the whole run).
    pub piece: Piece,
}

/// One of N reproducible pieces of a run (`--chunk I/N`, `[generation] chunk = "I/N"`; I is
/// 0-based, 0 <= I < N). Piece I generates the run's chunks k with k mod N = I, each from its own
/// PCG stream and with the weights of the whole run, so the N pieces together are exactly the
/// events of the unsplit run: the union of their rows is the unsplit file's rows, and the sum of
/// their weights is the unsplit run's prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Piece {
    /// Index of this piece, 0-based.
    pub index: u64,
    /// Number of pieces (>= 1).
    pub count: u64,
}

impl Piece {
    /// The whole run (piece 0 of 1).
    pub const WHOLE: Piece = Piece { index: 0, count: 1 };

    /// Parse `I/N` (0 <= I < N).
    ///
    /// # Errors
    /// A message naming the valid form and range.
    pub fn parse(s: &str) -> Result<Self, String> {
        let form = "expected I/N with whole numbers 0 <= I < N (I is 0-based), e.g. 0/4 .. 3/4";
        let (i, n) = s.trim().split_once('/').ok_or_else(|| form.to_string())?;
        let index: u64 = i.trim().parse().map_err(|_| form.to_string())?;
        let count: u64 = n.trim().parse().map_err(|_| form.to_string())?;
        if count == 0 || index >= count {
            return Err(form.to_string());
        }
        Ok(Self { index, count })
    }

    /// Whether chunk `k` of the run belongs to this piece.
    #[must_use]
    pub fn contains(self, k: u64) -> bool {
        k % self.count == self.index
    }

    /// True for the whole run.
    #[must_use]
    pub fn is_whole(self) -> bool {
        self.count == 1
    }
}

impl std::fmt::Display for Piece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl TryFrom<String> for Piece {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Piece::parse(&s)
    }
}

impl From<Piece> for String {
    fn from(p: Piece) -> String {
        p.to_string()
    }
}

impl GenerateOptions {
    /// Number of chunks of the whole run.
    #[must_use]
    pub fn n_chunks(&self) -> u64 {
        self.events.div_ceil(self.chunk_size.max(1) as u64)
    }

    /// Events (attempts, for unweighted runs) of the run's chunks in this piece.
    #[must_use]
    pub fn piece_events(&self) -> u64 {
        let (cs, n) = (self.chunk_size.max(1) as u64, self.n_chunks());
        let Piece { index, count } = self.piece;
        if index >= n {
            return 0;
        }
        let chunks = (n - 1 - index) / count + 1;
        // every chunk is full but possibly the run's last one
        let short = if (n - 1) % count == index {
            n * cs - self.events
        } else {
            0
        };
        chunks * cs - short
    }
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            events: 100_000,
            seed: 1,
            threads: 0,
            chunk_size: 65_536,
            channel_floor: 0.1,
            energy_subdivisions: 8,
            unweighted: false,
            piece: Piece::WHOLE,
        }
    }
}

/// Errors of a generation run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// No channel has any rate in the energy range.
    #[error("no channel is open: {0}")]
    NoChannel(String),
    /// Energy sampler construction failed.
    #[error(transparent)]
    Flux(#[from] FluxError),
    /// The sink failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The thread pool could not be built.
    #[error("thread pool: {0}")]
    Threads(String),
    /// The run was interrupted.
    #[error("interrupted after {done} of {total} events")]
    Interrupted {
        /// Events written before the interruption.
        done: u64,
        /// Events requested.
        total: u64,
    },
}

/// Energy proposal of one channel: flux x sigma tabulated on the continuous part of the flux, plus
/// the flux's monochromatic line (if any) as a discrete component chosen with probability
/// `p_line` = (line fluence x sigma(E_line)) / total.
#[derive(Debug, Clone)]
struct EnergyProposal {
    /// Continuous part (None when the flavour has only a line, e.g. the prompt nu_mu of a
    /// stopped-pion source).
    cont: Option<TabulatedSampler>,
    /// (energy GeV, fluence nu/cm^2/POT) of the line.
    line: Option<(f64, f64)>,
    /// Probability of the line component.
    p_line: f64,
    /// Integral of flux x sigma, continuous plus line, cm^2 per POT per target.
    total: f64,
}

impl EnergyProposal {
    /// Map a uniform `u` to (E, phi(E) / proposal density): the weight factor that turns
    /// sigma-weighted events into flux x sigma (for the line, fluence / p_line). With no line,
    /// `u` is used unchanged, so the event stream of a table flux does not depend on this layer.
    #[inline]
    fn sample(&self, u: f64, flux: &crate::flux::FluxTable, f: crate::flux::Flavour) -> (f64, f64) {
        if let (Some((e, fluence)), true) = (self.line, u < self.p_line) {
            return (e, fluence / self.p_line);
        }
        match &self.cont {
            Some(c) => {
                let v = if self.p_line > 0.0 {
                    ((u - self.p_line) / (1.0 - self.p_line)).clamp(0.0, 1.0 - f64::EPSILON)
                } else {
                    u
                };
                let (e, pdf) = c.sample_with_pdf(v);
                (e, flux.value(f, e) / (pdf * (1.0 - self.p_line)))
            }
            // UNWRAP-free fallback: a proposal is never built with neither part.
            None => (self.line.map_or(0.0, |l| l.0), 0.0),
        }
    }
}

/// Per-channel generation plan.
#[derive(Debug, Clone)]
struct ChannelPlan {
    sampler: EnergyProposal,
    /// POT x N_targets: turns flux x sigma into events.
    exposure: f64,
    /// Tabulated estimate of the predicted events (from the proposal's integral).
    rate_tabulated: f64,
    n_events: u64,
    first_event: u64,
}

/// Summary of one channel after a run.
#[derive(Debug, Clone, Serialize)]
pub struct ChannelSummary {
    /// Channel name.
    pub name: String,
    /// Events generated.
    pub events: u64,
    /// Sum of weights: predicted events.
    pub predicted: f64,
    /// Monte Carlo error of `predicted`: sqrt(sum w^2).
    pub mc_error: f64,
    /// The tabulated estimate (integral of the energy proposal), for comparison.
    pub tabulated: f64,
    /// Kish effective sample size (sum w)^2 / sum w^2.
    pub ess: f64,
}

/// Summary of a run.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// Per channel.
    pub channels: Vec<ChannelSummary>,
    /// Total predicted events (sum of all weights).
    pub predicted_total: f64,
    /// Its Monte Carlo error.
    pub mc_error_total: f64,
    /// Events written.
    pub events: u64,
    /// Events attempted (equal to `events` for weighted runs).
    pub attempts: u64,
    /// Unweighted runs: the envelope weight W every accepted event carries (0 for weighted runs).
    pub envelope: f64,
    /// Unweighted runs: accepted / attempted.
    pub acceptance: f64,
    /// Unweighted runs: events whose weight exceeded the envelope (kept with their own weight).
    pub envelope_overflows: u64,
    /// Events that failed the sanity check (weight non-finite or negative, or a non-finite
    /// momentum or vertex component); they are kept with weight 0.
    pub bad_events: u64,
    /// Kish effective sample size of the whole sample.
    pub ess: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    sw: f64,
    sw2: f64,
    n: u64,
    attempts: u64,
    bad: u64,
    overflow: u64,
}

/// A prepared generation run for one process in one experiment.
pub struct Generator<'a, P: Process> {
    process: &'a P,
    exp: &'a Experiment,
    opts: GenerateOptions,
    plans: Vec<ChannelPlan>,
    plan: ColumnPlan,
    envelope: f64,
    /// `w_osc` (runs with `[oscillation]`); cloned per chunk.
    osc: Option<OscillationWeight>,
    /// Detector stage (its own RNG stream per chunk, [`crate::detector::DETECTOR_STREAM`]).
    detector: Option<crate::detector::Detector>,
}

/// Pilot events per channel for the unweighting envelope.
pub const PILOT_EVENTS: usize = 4096;

/// The PCG state derived from the master seed (SplitMix64 expansion to 128 bits,
/// Steele, Lea, Flood, OOPSLA 2014).
#[must_use]
pub fn pcg_state(seed: u64) -> u128 {
    fn splitmix(x: &mut u64) -> u64 {
        *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    let mut s = seed;
    (u128::from(splitmix(&mut s)) << 64) | u128::from(splitmix(&mut s))
}

/// The RNG of chunk `k` of a run with master seed `seed`.
#[must_use]
pub fn chunk_rng(seed: u64, k: u64) -> Pcg64 {
    Pcg64::new(pcg_state(seed), u128::from(k))
}

/// The detector RNG of chunk `k`: same state as [`chunk_rng`], stream
/// [`crate::detector::DETECTOR_STREAM`] + k (disjoint from the truth streams).
#[must_use]
pub fn detector_rng(seed: u64, k: u64) -> Pcg64 {
    Pcg64::new(
        pcg_state(seed),
        crate::detector::DETECTOR_STREAM + u128::from(k),
    )
}

impl<'a, P: Process> Generator<'a, P> {
    /// Tabulate the energy proposals and allocate events to channels.
    ///
    /// # Errors
    /// [`GenerateError::NoChannel`] if no channel has a non-zero rate in the energy range.
    pub fn new(
        process: &'a P,
        exp: &'a Experiment,
        opts: GenerateOptions,
    ) -> Result<Self, GenerateError> {
        let (emin, emax) = exp.energy_range();
        let mut plans = Vec::new();
        let mut open = Vec::new();
        for (c, ch) in process.channels().iter().enumerate() {
            let lo = emin.max(ch.threshold_gev);
            if lo >= emax {
                open.push(false);
                continue;
            }
            let nodes = energy_nodes(
                exp.flux.energies(),
                lo,
                emax,
                opts.energy_subdivisions.max(1),
                ch.threshold_gev > emin,
            );
            let f: Vec<f64> = nodes
                .iter()
                .map(|&e| {
                    let v = exp.flux.value(ch.flavour, e) * process.sigma_cm2(c, e);
                    if v.is_finite() {
                        v.max(0.0)
                    } else {
                        0.0
                    }
                })
                .collect();
            let line = exp
                .flux
                .line(ch.flavour)
                .filter(|l| l.e_gev >= lo && l.e_gev <= emax && l.fluence > 0.0)
                .map(|l| {
                    (
                        l.e_gev,
                        l.fluence,
                        l.fluence * process.sigma_cm2(c, l.e_gev),
                    )
                })
                .filter(|l| l.2.is_finite() && l.2 > 0.0);
            let cont = match TabulatedSampler::new(nodes, f) {
                Ok(s) => Ok(Some(s)),
                Err(FluxError::EmptyDensity { .. }) => Ok(None),
                Err(e) => Err(e),
            };
            let proposal = cont.map(|cont| {
                let r_cont = cont.as_ref().map_or(0.0, TabulatedSampler::total);
                let r_line = line.map_or(0.0, |l| l.2);
                let total = r_cont + r_line;
                (total > 0.0).then(|| EnergyProposal {
                    cont,
                    line: line.map(|l| (l.0, l.1)),
                    p_line: r_line / total,
                    total,
                })
            });
            match proposal {
                Ok(Some(sampler)) => {
                    let exposure = exp.pot() * ch.target_count;
                    plans.push(ChannelPlan {
                        rate_tabulated: exposure * sampler.total,
                        sampler,
                        exposure,
                        n_events: 0,
                        first_event: 0,
                    });
                    open.push(true);
                }
                Ok(None) => open.push(false),
                Err(e) => return Err(e.into()),
            }
        }
        if plans.is_empty() {
            return Err(GenerateError::NoChannel(format!(
                "every channel has zero flux x cross section in [{emin}, {emax}] GeV at {}",
                exp.name()
            )));
        }
        // Keep only open channels, in order.
        let channels: Vec<_> = process
            .channels()
            .iter()
            .zip(&open)
            .filter(|(_, o)| **o)
            .map(|(c, _)| c.clone())
            .collect();
        let names: Vec<String> = channels.iter().map(|c| c.name.clone()).collect();
        // Unweighted events must share one weight across channels: allocate by rate only.
        let floor = if opts.unweighted {
            0.0
        } else {
            opts.channel_floor
        };
        let alloc = allocate(
            opts.events,
            &plans.iter().map(|p| p.rate_tabulated).collect::<Vec<_>>(),
            floor,
        );
        let mut first = 0;
        for (p, n) in plans.iter_mut().zip(alloc) {
            p.n_events = n;
            p.first_event = first;
            first += n;
        }
        let plan = ColumnPlan::new(
            process.particles(),
            process.has_decay_vertex(),
            process.has_helicity(),
            names,
        );
        let mut gen = Self {
            process,
            exp,
            opts,
            plans,
            plan,
            envelope: 0.0,
            osc: None,
            detector: None,
        };
        if opts.unweighted {
            gen.envelope = gen.compute_envelope();
        }
        Ok(gen)
    }

    /// Envelope for unweighted generation: 1.2 x the largest weight of a pilot sample of
    /// [`PILOT_EVENTS`] events per channel drawn from dedicated streams (2^64 + channel, never used
    /// by the run itself). Each attempted event is accepted with probability min(1, w / W) and then
    /// carries weight max(w, W): unbiased, and every event has weight W unless w > W, which is
    /// counted in the summary (`envelope_overflows`) rather than hidden.
    fn compute_envelope(&self) -> f64 {
        let mut wmax: f64 = 0.0;
        let mut ev = Event::default();
        for c in 0..self.plans.len() {
            if self.plans[c].n_events == 0 {
                continue;
            }
            let pc = self.process_channel(c);
            let mut rng = Pcg64::new(pcg_state(self.opts.seed), (1u128 << 64) + c as u128);
            let mut acc = Acc::default();
            for _ in 0..PILOT_EVENTS {
                self.one_event(0, c, pc, &mut rng, &mut ev, &mut acc);
                wmax = wmax.max(ev.weight);
            }
        }
        1.2 * wmax
    }

    /// The envelope weight of an unweighted run (0 for weighted runs).
    #[must_use]
    pub fn envelope(&self) -> f64 {
        self.envelope
    }

    /// Add the `w_osc` column: every event gets `P(source -> nu_pdg)` at its energy
    /// ([`OscillationWeight`]); the weights are unchanged.
    #[must_use]
    pub fn with_oscillation(mut self, osc: OscillationWeight) -> Self {
        self.plan = self.plan.with_oscillation_weight(&osc.describe_source());
        self.osc = Some(osc);
        self
    }

    /// Add the detector stage: every written event is smeared and selected with the chunk's
    /// detector stream (`Pcg64` stream [`crate::detector::DETECTOR_STREAM`] + k), which the truth
    /// never touches, so every truth column is identical with and without it.
    #[must_use]
    pub fn with_detector(mut self, det: crate::detector::Detector) -> Self {
        self.plan = self.plan.with_detector(det.columns());
        self.detector = Some(det);
        self
    }

    /// The detector stage, if any.
    #[must_use]
    pub fn detector(&self) -> Option<&crate::detector::Detector> {
        self.detector.as_ref()
    }

    /// The output column plan.
    #[must_use]
    pub fn column_plan(&self) -> &ColumnPlan {
        &self.plan
    }

    /// Index in the process's channel list of open channel `i`.
    fn process_channel(&self, i: usize) -> usize {
        let name = &self.plan.channel_names[i];
        self.process
            .channels()
            .iter()
            .position(|c| &c.name == name)
            .unwrap_or(i)
    }

    /// Tabulated predicted events per open channel (name, events), before sampling.
    #[must_use]
    pub fn tabulated_rates(&self) -> Vec<(String, f64)> {
        self.plan
            .channel_names
            .iter()
            .cloned()
            .zip(self.plans.iter().map(|p| p.rate_tabulated))
            .collect()
    }

    /// Number of chunks of the whole run.
    #[must_use]
    pub fn n_chunks(&self) -> u64 {
        self.opts.n_chunks()
    }

    /// Generate the chunks `ks` (consecutive in this piece) and encode them into one group for the
    /// sink; returns the group and each chunk's per-channel accumulators (summed by the caller in
    /// chunk order, so that totals do not depend on the grouping).
    #[allow(clippy::type_complexity, reason = "private, used once")]
    fn group(
        &self,
        ks: &[u64],
        encoder: &Encoder,
    ) -> Result<(Encoded, Vec<Vec<Acc>>), OutputError> {
        let mut group = encoder.start()?;
        let mut accs = Vec::with_capacity(ks.len());
        for &k in ks {
            let (batch, acc) = self.chunk(k);
            group.push(batch)?;
            accs.push(acc);
        }
        Ok((group.finish()?, accs))
    }

    /// Generate chunk `k` into a fresh batch; returns the batch and per-channel accumulators.
    fn chunk(&self, k: u64) -> (EventBatch, Vec<Acc>) {
        let cs = self.opts.chunk_size as u64;
        let start = k * cs;
        let end = ((k + 1) * cs).min(self.opts.events);
        let mut rng = chunk_rng(self.opts.seed, k);
        let mut det_rng = detector_rng(self.opts.seed, k);
        let mut batch = EventBatch::new(&self.plan, usize::try_from(end - start).unwrap_or(0));
        let mut acc = vec![Acc::default(); self.plans.len()];
        let mut ev = Event::default();
        let mut c = self
            .plans
            .iter()
            .position(|p| start < p.first_event + p.n_events)
            .unwrap_or(0);
        let mut pc = self.process_channel(c);
        // The oscillator caches per energy and needs `&mut`: one clone per chunk (not per event).
        let mut osc = self.osc.clone();
        for i in start..end {
            while i >= self.plans[c].first_event + self.plans[c].n_events {
                c += 1;
                pc = self.process_channel(c);
            }
            self.one_event(i, c, pc, &mut rng, &mut ev, &mut acc[c]);
            if let Some(o) = osc.as_mut() {
                ev.w_osc = o.probability(self.process.channels()[pc].flavour, ev.nu_in.e);
            }
            if self.opts.unweighted {
                let a = &mut acc[c];
                a.sw -= ev.weight;
                a.sw2 -= ev.weight * ev.weight;
                a.n -= 1;
                let w = ev.weight;
                if rng.random::<f64>() * self.envelope >= w {
                    continue;
                }
                if w > self.envelope {
                    a.overflow += 1;
                } else {
                    ev.weight = self.envelope;
                }
                a.sw += ev.weight;
                a.sw2 += ev.weight * ev.weight;
                a.n += 1;
            }
            if let Some(d) = &self.detector {
                d.apply(&mut ev, &mut det_rng);
            }
            batch.push(&ev);
        }
        (batch, acc)
    }

    #[inline]
    fn one_event<R: Rng + ?Sized>(
        &self,
        i: u64,
        c: usize,
        pc: usize,
        rng: &mut R,
        ev: &mut Event,
        acc: &mut Acc,
    ) {
        let plan = &self.plans[c];
        let ch = &self.process.channels()[pc];
        ev.event_id = i64::try_from(i).unwrap_or(i64::MAX);
        ev.channel = u16::try_from(c).unwrap_or(u16::MAX);
        ev.nu_pdg = ch.flavour.pdg();
        ev.target_pdg = ch.target_pdg;
        ev.helicity = ch.helicity;
        let (e, phi_over_pdf) =
            plan.sampler
                .sample(rng.random::<f64>(), &self.exp.flux, ch.flavour);
        ev.nu_in = crate::kinematics::FourVector::new(e, 0.0, 0.0, e);
        ev.scatter = self.exp.spec.geometry.sample(rng);
        let f = self.process.sample(pc, e, rng, ev);
        #[allow(
            clippy::cast_precision_loss,
            reason = "event counts are far below 2^52"
        )]
        let mut w = plan.exposure * phi_over_pdf * f / plan.n_events as f64;
        // Sanity check: a non-finite or negative weight, or a non-finite momentum or vertex,
        // is counted (summary `bad_events`, reported by `generate`) and the event kept with
        // weight 0, never silently dropped.
        if !(w.is_finite() && w >= 0.0 && ev.kinematics_finite()) {
            acc.bad += 1;
            w = 0.0;
        }
        ev.weight = w;
        acc.sw += w;
        acc.sw2 += w * w;
        acc.n += 1;
        acc.attempts += 1;
    }

    /// Run: generate every chunk (in parallel, in groups the sink's encoder turns into output on the
    /// generating threads) and hand the groups to `sink` in event order.
    /// `progress` is called with the number of events done after each group; `stop` is polled
    /// before the run and as each group arrives, and interrupts the run (the sink is aborted) when it
    /// returns true.
    ///
    /// # Errors
    /// [`GenerateError`] from the sink, the thread pool, or an interruption.
    pub fn run<S: Sink + Send>(
        &self,
        sink: &mut S,
        meta_json: &str,
        finish_json: impl FnOnce(&RunSummary) -> String,
        mut progress: impl FnMut(u64),
        stop: impl Fn() -> bool,
    ) -> Result<RunSummary, GenerateError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.opts.threads)
            .build()
            .map_err(|e| GenerateError::Threads(e.to_string()))?;
        if let Err(e) = sink.begin(&self.plan, meta_json) {
            sink.abort();
            return Err(e.into());
        }
        // The unit of parallel work is a group of consecutive chunks of this piece, which the
        // sink's encoder turns into one piece of output (a Parquet row group) on the generating
        // thread. Workers take the next group as soon as they are free (no barrier); this thread
        // puts the groups back in event order, sums the accumulators chunk by chunk (so totals do
        // not depend on threads or grouping) and passes the groups to the sink's thread, which
        // only appends them. A worker may run at most `ahead` groups beyond the last one released
        // in order, which bounds the memory in flight.
        let encoder = sink.encoder();
        let per_group = (encoder.rows_per_group() / self.opts.chunk_size.max(1)).max(1);
        let threads = pool.current_num_threads().max(1);
        // Groups differ in cost (channels are contiguous runs of events), so a worker may run two
        // groups per thread ahead of the slowest one: with threads + 1 a fast worker waited
        // (1e6 default events on 2 threads 0.79 -> 0.76 s). An encoded group is ~16 MB.
        let encodes = encoder.rows_per_group() > 0;
        let ahead = 2 * threads + usize::from(encodes) * 2;
        let piece = self.opts.piece;
        // (the count is at most the number of chunks, validated with the config)
        let step = piece.count.max(1);
        let piece_chunks = self.n_chunks().saturating_sub(piece.index).div_ceil(step);
        let n_groups = piece_chunks.div_ceil(per_group as u64);
        let group_chunks = |g: u64| {
            let lo = g * per_group as u64;
            let hi = (lo + per_group as u64).min(piece_chunks);
            (lo..hi).map(move |m| piece.index + m * step)
        };
        let (tx, rx) = std::sync::mpsc::sync_channel::<Encoded>(if encodes { 1 } else { ahead });
        let result = std::thread::scope(|scope| {
            let writer = scope.spawn(|| -> Result<(), OutputError> {
                for group in rx {
                    sink.write_encoded(group)?;
                }
                Ok(())
            });
            let next = AtomicU64::new(0);
            let cancel = AtomicBool::new(false);
            let released = (Mutex::new(0u64), Condvar::new());
            let generated = pool.in_place_scope(|workers| -> Result<Vec<Acc>, GenerateError> {
                let total = self.opts.piece_events();
                if stop() {
                    return Err(GenerateError::Interrupted { done: 0, total });
                }
                type Done = Result<(Encoded, Vec<Vec<Acc>>), OutputError>;
                let (res_tx, res_rx) = std::sync::mpsc::channel::<(u64, Done)>();
                for _ in 0..threads {
                    let res_tx = res_tx.clone();
                    let (next, cancel, released) = (&next, &cancel, &released);
                    let encoder = &encoder;
                    workers.spawn(move |_| loop {
                        let g = next.fetch_add(1, Ordering::Relaxed);
                        if g >= n_groups {
                            break;
                        }
                        {
                            let mut r = released.0.lock().unwrap_or_else(PoisonError::into_inner);
                            while g >= *r + ahead as u64 && !cancel.load(Ordering::Relaxed) {
                                r = released.1.wait(r).unwrap_or_else(PoisonError::into_inner);
                            }
                        }
                        if cancel.load(Ordering::Relaxed) {
                            break;
                        }
                        let ks: Vec<u64> = group_chunks(g).collect();
                        if res_tx.send((g, self.group(&ks, encoder))).is_err() {
                            break;
                        }
                    });
                }
                drop(res_tx);
                // Stop the workers (they finish the group in hand) on every way out of here.
                let halt = || {
                    cancel.store(true, Ordering::Relaxed);
                    let _guard = released.0.lock().unwrap_or_else(PoisonError::into_inner);
                    released.1.notify_all();
                };
                let cs = self.opts.chunk_size as u64;
                let mut acc = vec![Acc::default(); self.plans.len()];
                let mut done = 0u64;
                let mut waiting = std::collections::BTreeMap::new();
                let mut in_order = 0u64;
                for (g, r) in &res_rx {
                    if stop() {
                        halt();
                        return Err(GenerateError::Interrupted { done, total });
                    }
                    waiting.insert(g, r);
                    while let Some(r) = waiting.remove(&in_order) {
                        let (group, accs) = match r {
                            Ok(x) => x,
                            Err(e) => {
                                halt();
                                return Err(e.into());
                            }
                        };
                        for (j, a) in group_chunks(in_order).zip(accs) {
                            done += ((j + 1) * cs).min(self.opts.events) - j * cs;
                            for (t, s) in acc.iter_mut().zip(a) {
                                t.sw += s.sw;
                                t.sw2 += s.sw2;
                                t.n += s.n;
                                t.attempts += s.attempts;
                                t.bad += s.bad;
                                t.overflow += s.overflow;
                            }
                        }
                        if tx.send(group).is_err() {
                            // the writer stopped: its error is reported below
                            halt();
                            return Ok(acc);
                        }
                        in_order += 1;
                        *released.0.lock().unwrap_or_else(PoisonError::into_inner) = in_order;
                        released.1.notify_all();
                        progress(done);
                    }
                }
                if in_order < n_groups {
                    // only if a worker died (a bug): never finish a file with missing events
                    return Err(GenerateError::Threads(format!(
                        "the workers stopped after {in_order} of {n_groups} row groups"
                    )));
                }
                Ok(acc)
            });
            drop(tx);
            let written = writer
                .join()
                .unwrap_or_else(|_| Err(OutputError::Encode("the writer thread panicked".into())));
            match (generated, written) {
                (Err(e), _) => Err(e),
                (Ok(_), Err(e)) => Err(e.into()),
                (Ok(acc), Ok(())) => Ok(acc),
            }
        });
        let result = result.and_then(|acc| {
            let summary = self.summarise(&acc);
            sink.finish(&finish_json(&summary))?;
            Ok(summary)
        });
        if result.is_err() {
            sink.abort();
        }
        result
    }

    fn summarise(&self, acc: &[Acc]) -> RunSummary {
        let channels: Vec<ChannelSummary> = acc
            .iter()
            .zip(&self.plans)
            .zip(&self.plan.channel_names)
            .map(|((a, p), name)| ChannelSummary {
                name: name.clone(),
                events: a.n,
                predicted: a.sw,
                mc_error: a.sw2.sqrt(),
                tabulated: p.rate_tabulated,
                ess: if a.sw2 > 0.0 {
                    a.sw * a.sw / a.sw2
                } else {
                    0.0
                },
            })
            .collect();
        let sw: f64 = acc.iter().map(|a| a.sw).sum();
        let sw2: f64 = acc.iter().map(|a| a.sw2).sum();
        let events: u64 = acc.iter().map(|a| a.n).sum();
        let attempts: u64 = acc.iter().map(|a| a.attempts).sum();
        #[allow(
            clippy::cast_precision_loss,
            reason = "event counts are far below 2^52"
        )]
        RunSummary {
            predicted_total: sw,
            mc_error_total: sw2.sqrt(),
            events,
            attempts,
            envelope: self.envelope,
            acceptance: if attempts > 0 {
                events as f64 / attempts as f64
            } else {
                0.0
            },
            envelope_overflows: acc.iter().map(|a| a.overflow).sum(),
            bad_events: acc.iter().map(|a| a.bad).sum(),
            ess: if sw2 > 0.0 { sw * sw / sw2 } else { 0.0 },
            channels,
        }
    }
}

/// Energy nodes for a proposal on [lo, hi]: the flux-table energies inside, the end points, and
/// `sub` equal sub-intervals of every interval. With `threshold` (lo is the channel's threshold, not
/// the flux's edge) the first interval also gets nodes at lo + h 2^-k, k = 1..=THRESHOLD_HALVINGS
/// (h its width): sigma(E) rises from zero like a power of E - E_th, and the helicity-flipping
/// coherent channels of a light N peak within a few percent of E_th, where one straight segment from
/// zero underestimates flux x sigma and the weights spread (Kish ESS/N 0.35 for m4 = 0.1 GeV at
/// MINERvA before, 0.9 after).
fn energy_nodes(table: &[f64], lo: f64, hi: f64, sub: usize, threshold: bool) -> Vec<f64> {
    const THRESHOLD_HALVINGS: i32 = 20;
    let mut knots = vec![lo];
    knots.extend(table.iter().copied().filter(|&e| e > lo && e < hi));
    knots.push(hi);
    let mut nodes = Vec::with_capacity(knots.len() * sub + 24);
    for (i, w) in knots.windows(2).enumerate() {
        let h = w[1] - w[0];
        nodes.push(w[0]);
        if i == 0 && threshold {
            // increasing, all inside (w0, w0 + h/sub)
            nodes.extend(
                (1..=THRESHOLD_HALVINGS)
                    .rev()
                    .map(|k| w[0] + h * 2f64.powi(-k))
                    .filter(|&e| e > w[0] && e < w[0] + h / sub as f64),
            );
        }
        for s in 1..sub {
            #[allow(clippy::cast_precision_loss, reason = "small integers")]
            nodes.push(w[0] + h * s as f64 / sub as f64);
        }
    }
    nodes.push(hi);
    // halvings below the resolution of w0 can round to the same node
    nodes.dedup();
    nodes
}

/// Allocate `n` events to channels with rates `r` and equal-share fraction `floor`
/// (largest-remainder rounding; deterministic).
#[must_use]
pub fn allocate(n: u64, r: &[f64], floor: f64) -> Vec<u64> {
    let total: f64 = r.iter().sum();
    let k = r.len();
    if k == 0 {
        return vec![];
    }
    let a = floor.clamp(0.0, 1.0);
    #[allow(
        clippy::cast_precision_loss,
        reason = "event counts are far below 2^52"
    )]
    let ideal: Vec<f64> = r
        .iter()
        .map(|ri| {
            n as f64
                * ((1.0 - a)
                    * if total > 0.0 {
                        ri / total
                    } else {
                        1.0 / k as f64
                    }
                    + a / k as f64)
        })
        .collect();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "non-negative, below n"
    )]
    let mut out: Vec<u64> = ideal.iter().map(|x| x.floor() as u64).collect();
    let mut rest = n - out.iter().sum::<u64>().min(n);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&i, &j| {
        (ideal[j] - ideal[j].floor())
            .total_cmp(&(ideal[i] - ideal[i].floor()))
            .then(i.cmp(&j))
    });
    for &i in order.iter().cycle() {
        if rest == 0 {
            break;
        }
        out[i] += 1;
        rest -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_sums_and_floors() {
        let a = allocate(1000, &[1.0, 1e-6, 3.0], 0.1);
        assert_eq!(a.iter().sum::<u64>(), 1000);
        assert!(a[1] >= 33, "{a:?}");
        assert_eq!(allocate(7, &[1.0, 1.0], 0.0).iter().sum::<u64>(), 7);
    }

    #[test]
    fn piece_events_add_up_to_the_run() {
        for (events, cs, count) in [
            (40_000u64, 4096usize, 4u64),
            (10, 3, 4),
            (7, 7, 1),
            (65, 8, 3),
        ] {
            let mut sum = 0;
            for index in 0..count {
                let o = GenerateOptions {
                    events,
                    chunk_size: cs,
                    piece: Piece { index, count },
                    ..Default::default()
                };
                let brute: u64 = (0..o.n_chunks())
                    .filter(|k| k % count == index)
                    .map(|k| ((k + 1) * cs as u64).min(events) - k * cs as u64)
                    .sum();
                assert_eq!(o.piece_events(), brute, "{events} {cs} {index}/{count}");
                sum += brute;
            }
            assert_eq!(sum, events);
        }
        assert_eq!(
            Piece::parse(" 3 / 4 ").unwrap(),
            Piece { index: 3, count: 4 }
        );
        assert!(Piece::parse("4/4").is_err() && Piece::parse("0/0").is_err());
        assert!(Piece::parse("1").is_err() && Piece::parse("-1/2").is_err());
    }

    #[test]
    fn energy_nodes_cover_range() {
        for threshold in [false, true] {
            let n = energy_nodes(&[0.0, 1.0, 2.0], 0.5, 1.5, 4, threshold);
            assert_eq!(n.first(), Some(&0.5));
            assert_eq!(n.last(), Some(&1.5));
            assert!(n.windows(2).all(|w| w[1] > w[0]));
            // the refinement towards the threshold: down to 2^-20 of the first interval
            assert_eq!(n[1] - 0.5 < 1e-6, threshold, "{n:?}");
        }
    }
}
