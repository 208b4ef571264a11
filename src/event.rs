//! The event record filled by the generator stages, and the column plan that turns it into
//! output columns.
//!
//! One [`Event`] is a plain stack struct reused for every event of a chunk: stages overwrite the
//! fields they own. Which fields become columns is decided once per run by the process
//! ([`crate::process::Process::particles`]); the output schema and the batch encoder are built
//! from the same [`ColumnPlan`], so they cannot drift (STYLE.md section 7).

use crate::kinematics::{FourVector, Vec3};

/// One generated event. Units: GeV for four-momenta, cm for positions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Event {
    /// Index of the event in the run (unique, reproducible).
    pub event_id: i64,
    /// Index into the run's channel list.
    pub channel: u16,
    /// PDG code of the incoming neutrino.
    pub nu_pdg: i32,
    /// PDG code of the target (11 for an electron, 2212 for a proton, 100ZZZAAA0 for a nucleus).
    pub target_pdg: i32,
    /// Helicity of the produced heavy neutrino (-1, +1), 0 when there is none.
    pub helicity: i8,
    /// Event weight: expected number of events at the configured exposure.
    pub weight: f64,
    /// Incoming neutrino.
    pub nu_in: FourVector,
    /// Heavy neutrino N.
    pub n: FourVector,
    /// Recoiling target (nucleus or proton).
    pub recoil: FourVector,
    /// Outgoing light neutrino.
    pub nu_out: FourVector,
    /// Electron from the decay.
    pub e_minus: FourVector,
    /// Positron from the decay.
    pub e_plus: FourVector,
    /// Recoil electron of nu-e elastic scattering.
    pub e_out: FourVector,
    /// Scattering vertex, cm.
    pub scatter: Vec3,
    /// Decay vertex, cm.
    pub decay: Vec3,
    /// Oscillation probability from the flavour at production to `nu_pdg` (only with `[oscillation]`).
    pub w_osc: f64,
    /// Reconstructed quantities (only with the detector stage, [`crate::detector`]).
    pub reco: crate::detector::Reco,
}

impl Event {
    /// Whether every four-momentum and vertex component is finite (the sanity check of the event
    /// loop; a NaN or infinity anywhere propagates into the sum).
    #[must_use]
    pub fn kinematics_finite(&self) -> bool {
        let p = |v: &FourVector| v.e + v.px + v.py + v.pz;
        let x = |v: &Vec3| v.x + v.y + v.z;
        (p(&self.nu_in)
            + p(&self.n)
            + p(&self.recoil)
            + p(&self.nu_out)
            + p(&self.e_minus)
            + p(&self.e_plus)
            + p(&self.e_out)
            + x(&self.scatter)
            + x(&self.decay))
        .is_finite()
    }
}

/// A particle slot of the event record that a process may declare as output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Particle {
    /// `nu_in`.
    NuIn,
    /// `N`.
    N,
    /// `recoil`.
    Recoil,
    /// `nu_out`.
    NuOut,
    /// `e_minus`.
    EMinus,
    /// `e_plus`.
    EPlus,
    /// `e_out`.
    EOut,
}

impl Particle {
    /// Column-name prefix.
    #[must_use]
    pub fn prefix(self) -> &'static str {
        match self {
            Particle::NuIn => "nu_in",
            Particle::N => "N",
            Particle::Recoil => "recoil",
            Particle::NuOut => "nu_out",
            Particle::EMinus => "e_minus",
            Particle::EPlus => "e_plus",
            Particle::EOut => "e_out",
        }
    }
    /// Human description for the schema.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Particle::NuIn => "incoming neutrino",
            Particle::N => "heavy neutrino N",
            Particle::Recoil => "recoiling target, nucleus or proton (T = recoil_E - M)",
            Particle::NuOut => "outgoing light neutrino",
            Particle::EMinus => "electron from the decay",
            Particle::EPlus => "positron from the decay",
            Particle::EOut => "recoil electron",
        }
    }
    /// The four-vector of this particle in an event.
    #[inline]
    #[must_use]
    pub fn get(self, ev: &Event) -> FourVector {
        match self {
            Particle::NuIn => ev.nu_in,
            Particle::N => ev.n,
            Particle::Recoil => ev.recoil,
            Particle::NuOut => ev.nu_out,
            Particle::EMinus => ev.e_minus,
            Particle::EPlus => ev.e_plus,
            Particle::EOut => ev.e_out,
        }
    }
}

/// Physical type of an output column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// 64-bit float.
    F64,
    /// 32-bit signed integer.
    I32,
    /// 64-bit signed integer.
    I64,
    /// 8-bit signed integer.
    I8,
    /// Dictionary-encoded string (the channel name).
    Dict,
}

/// Which value of the event a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `event_id`.
    EventId,
    /// `weight`.
    Weight,
    /// `channel`.
    Channel,
    /// `nu_pdg`.
    NuPdg,
    /// `target_pdg`.
    TargetPdg,
    /// `helicity`.
    Helicity,
    /// `E_nu` (= nu_in energy).
    ENu,
    /// A four-vector component: particle and index 0..4 (E, px, py, pz).
    Momentum(Particle, u8),
    /// Scattering vertex component 0..3 (x, y, z).
    Scatter(u8),
    /// Decay vertex component 0..3.
    Decay(u8),
    /// `w_osc`.
    WOsc,
    /// A reconstructed variable of the detector stage.
    Reco(crate::detector::RecoField),
}

/// An output column: name, type, unit, meaning, and where its value comes from.
#[derive(Debug, Clone)]
pub struct ColumnSpec {
    /// Column name (stable; users' scripts rely on it).
    pub name: String,
    /// Physical type.
    pub kind: ColumnKind,
    /// Unit ("" for dimensionless or codes).
    pub unit: &'static str,
    /// Meaning.
    pub description: String,
    /// Value source.
    pub source: Source,
}

impl Source {
    /// Float value of this source in an event (for F64 columns).
    #[inline]
    #[must_use]
    pub fn f64_of(self, ev: &Event) -> f64 {
        match self {
            Source::Weight => ev.weight,
            Source::WOsc => ev.w_osc,
            Source::Reco(f) => f.f64_of(&ev.reco),
            Source::ENu => ev.nu_in.e,
            Source::Momentum(p, i) => {
                let v = p.get(ev);
                match i {
                    0 => v.e,
                    1 => v.px,
                    2 => v.py,
                    _ => v.pz,
                }
            }
            Source::Scatter(i) => match i {
                0 => ev.scatter.x,
                1 => ev.scatter.y,
                _ => ev.scatter.z,
            },
            Source::Decay(i) => match i {
                0 => ev.decay.x,
                1 => ev.decay.y,
                _ => ev.decay.z,
            },
            _ => f64::NAN,
        }
    }
    /// Integer value of this source in an event (for integer and dictionary columns).
    #[inline]
    #[must_use]
    pub fn i64_of(self, ev: &Event) -> i64 {
        match self {
            Source::EventId => ev.event_id,
            Source::Channel => i64::from(ev.channel),
            Source::NuPdg => i64::from(ev.nu_pdg),
            Source::TargetPdg => i64::from(ev.target_pdg),
            Source::Helicity => i64::from(ev.helicity),
            Source::Reco(f) => f.i64_of(&ev.reco),
            _ => 0,
        }
    }
}

/// The ordered list of output columns of a run.
#[derive(Debug, Clone)]
pub struct ColumnPlan {
    /// Columns in output order.
    pub columns: Vec<ColumnSpec>,
    /// Channel names (the dictionary of the `channel` column).
    pub channel_names: Vec<String>,
}

impl ColumnPlan {
    /// The plan for a process that fills the given particles and vertices.
    #[must_use]
    pub fn new(
        particles: &[Particle],
        has_decay_vertex: bool,
        has_helicity: bool,
        channel_names: Vec<String>,
    ) -> Self {
        let mut c = Vec::new();
        let mut push = |name: &str, kind, unit, description: &str, source| {
            c.push(ColumnSpec {
                name: name.to_string(),
                kind,
                unit,
                description: description.to_string(),
                source,
            });
        };
        push(
            "event_id",
            ColumnKind::I64,
            "",
            "event index in the run (unique across chunks)",
            Source::EventId,
        );
        push("weight", ColumnKind::F64, "events", "expected number of events at the configured exposure; the sum over the file is the predicted rate", Source::Weight);
        push(
            "channel",
            ColumnKind::Dict,
            "",
            "production channel (the HepMC3 ProcID is its index): `nu_mu_e` (nu-e); `<flavour>_<target>_<coherent|pel>_<HC|HF>` (upscattering), e.g. `nu_mu_C12_coherent_HC`; `<flavour>_<isotope>` (CEvNS), e.g. `nu_e_Cs133`",
            Source::Channel,
        );
        push(
            "nu_pdg",
            ColumnKind::I32,
            "",
            "PDG code of the incoming neutrino",
            Source::NuPdg,
        );
        push(
            "target_pdg",
            ColumnKind::I32,
            "",
            "PDG code of the target: 11 electron, 2212 proton, 100ZZZAAA0 nucleus",
            Source::TargetPdg,
        );
        if has_helicity {
            push(
                "helicity",
                ColumnKind::I8,
                "",
                "helicity of N in the nu-target CM frame (-1 conserving, +1 flipping)",
                Source::Helicity,
            );
        }
        push(
            "E_nu",
            ColumnKind::F64,
            "GeV",
            "incoming neutrino energy",
            Source::ENu,
        );
        for &p in particles {
            for (i, comp) in ["E", "px", "py", "pz"].iter().enumerate() {
                let what = if i == 0 {
                    "energy"
                } else {
                    "momentum component"
                };
                push(
                    &format!("{}_{comp}", p.prefix()),
                    ColumnKind::F64,
                    "GeV",
                    &format!("{}: {what} {comp} (lab frame, beam along +z)", p.describe()),
                    Source::Momentum(p, u8::try_from(i).unwrap_or(0)),
                );
            }
        }
        for (i, a) in ["x", "y", "z"].iter().enumerate() {
            let i = u8::try_from(i).unwrap_or(0);
            push(
                &format!("{a}_scatter"),
                ColumnKind::F64,
                "cm",
                &format!("scattering vertex {a}, uniform in the detector volume (detector frame)"),
                Source::Scatter(i),
            );
        }
        if has_decay_vertex {
            for (i, a) in ["x", "y", "z"].iter().enumerate() {
                let i = u8::try_from(i).unwrap_or(0);
                push(
                    &format!("{a}_decay"),
                    ColumnKind::F64,
                    "cm",
                    &format!("decay vertex {a} of N: scatter + beta gamma c tau X along p_N, X ~ Exp(1) (detector frame)"),
                    Source::Decay(i),
                );
            }
        }
        Self {
            columns: c,
            channel_names,
        }
    }

    /// Append the `w_osc` column (runs with an `[oscillation]` section); `source` describes the
    /// flavour at production, e.g. "the event's own flavour (survival probability)".
    #[must_use]
    pub fn with_oscillation_weight(mut self, source: &str) -> Self {
        self.columns.push(ColumnSpec {
            name: "w_osc".to_string(),
            kind: ColumnKind::F64,
            unit: "",
            description: format!(
                "oscillation probability P(source -> nu_pdg) at E_nu over the [oscillation] baseline and matter profile (Pbar for antineutrinos), source = {source}; NOT included in `weight`: the oscillated expectation is weight * w_osc"
            ),
            source: Source::WOsc,
        });
        self
    }

    /// Append the detector columns ([`crate::detector::Detector::columns`]).
    #[must_use]
    pub fn with_detector(mut self, columns: Vec<ColumnSpec>) -> Self {
        self.columns.extend(columns);
        self
    }
}

/// The data of one output column in a batch.
#[derive(Debug, Clone)]
pub enum ColumnData {
    /// f64 values.
    F64(Vec<f64>),
    /// i64 values.
    I64(Vec<i64>),
    /// i32 values.
    I32(Vec<i32>),
    /// i8 values.
    I8(Vec<i8>),
    /// Dictionary keys (indices into the plan's channel names).
    Dict(Vec<u16>),
}

impl ColumnData {
    fn with_capacity(kind: ColumnKind, n: usize) -> Self {
        match kind {
            ColumnKind::F64 => ColumnData::F64(Vec::with_capacity(n)),
            ColumnKind::I64 => ColumnData::I64(Vec::with_capacity(n)),
            ColumnKind::I32 => ColumnData::I32(Vec::with_capacity(n)),
            ColumnKind::I8 => ColumnData::I8(Vec::with_capacity(n)),
            ColumnKind::Dict => ColumnData::Dict(Vec::with_capacity(n)),
        }
    }
}

/// A fixed-capacity batch of events stored by columns (structure of arrays).
#[derive(Debug, Clone)]
pub struct EventBatch {
    /// One entry per column of the plan, in plan order.
    pub data: Vec<ColumnData>,
    sources: Vec<Source>,
    len: usize,
}

impl EventBatch {
    /// An empty batch for `plan` with room for `capacity` events (the only allocation).
    #[must_use]
    pub fn new(plan: &ColumnPlan, capacity: usize) -> Self {
        Self {
            data: plan
                .columns
                .iter()
                .map(|c| ColumnData::with_capacity(c.kind, capacity))
                .collect(),
            sources: plan.columns.iter().map(|c| c.source).collect(),
            len: 0,
        }
    }

    /// Number of events.
    #[must_use]
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Append one event (no allocation while within capacity).
    #[inline]
    pub fn push(&mut self, ev: &Event) {
        for (col, src) in self.data.iter_mut().zip(&self.sources) {
            match col {
                ColumnData::F64(v) => v.push(src.f64_of(ev)),
                ColumnData::I64(v) => v.push(src.i64_of(ev)),
                // The i32/i8/u16 sources hold values of that width by construction.
                ColumnData::I32(v) => v.push(i32::try_from(src.i64_of(ev)).unwrap_or(i32::MIN)),
                ColumnData::I8(v) => v.push(i8::try_from(src.i64_of(ev)).unwrap_or(i8::MIN)),
                ColumnData::Dict(v) => v.push(u16::try_from(src.i64_of(ev)).unwrap_or(u16::MAX)),
            }
        }
        self.len += 1;
    }

    /// The f64 column with the given plan index, if it is one.
    #[must_use]
    pub fn f64_column(&self, i: usize) -> Option<&[f64]> {
        match &self.data[i] {
            ColumnData::F64(v) => Some(v),
            _ => None,
        }
    }
}
