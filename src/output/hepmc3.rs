//! The HepMC3 sink: events in the HepMC3 ASCII format ("Asciiv3", the format of HepMC3's
//! `WriterAscii` and of `pyhepmc`), streamed batch by batch to a temporary file beside the target and
//! renamed only when complete (as [`super::parquet::ParquetSink`]).
//!
//! There is no maintained Rust HepMC3 crate (ECOSYSTEM.md section 0), so this is a small writer of
//! our own, tested by reading its files back in Rust (`tests/hepmc3_output.rs`) and with `pyhepmc`
//! (`tests/python_readers.rs`).
//!
//! # Layout of a file
//!
//! ```text
//! HepMC::Version 3.02.05
//! HepMC::Asciiv3-START_EVENT_LISTING
//! W CV                                   one weight per event: expected events (= the Parquet `weight`)
//! T nuportal\|<version>\|<description>   tool
//! A NuHepMC.Exposure.POT <pot>           run attributes: exposure, process ids and names,
//! A NuHepMC.ProcessIDs 0 1 ...           units, the run record known at the start (`nuportal`,
//! A NuHepMC.ProcessInfo[0].Name <name>   JSON) and the run summary (`nuportal.summary`, JSON,
//! A nuportal <json>                      written at the end into a line reserved at the start)
//! A nuportal.summary <json>
//! E <event_id> <vertices> <particles>
//! U GEV CM                               momenta in GeV, positions (and c t) in cm
//! W <weight>
//! A 0 ProcID <channel index>
//! A 0 w_osc <P>                          only with [oscillation]: the `w_osc` factor (not in W)
//! P 1 0 <nu_pdg> px py pz E m 4         incoming neutrino (status 4)
//! P 2 0 <target_pdg> 0 0 0 M M 4        target at rest (status 4)
//! V -1 0 [1,2] @ x y z 0                 scattering vertex (x_scatter, y_scatter, z_scatter, t = 0)
//! P 3 -1 5914 ... 2                      up-scattering: N (status 2, decayed)
//! P 4 -1 <target_pdg> ... 1              recoil (status 1)
//! V -2 0 [3] @ x y z ct                  N decay vertex (x_decay, y_decay, z_decay, c t = L / beta_N)
//! P 5 -2 <nu_pdg> ... 1                  outgoing neutrino, e-, e+ (status 1)
//! P 6 -2 11 ... 1
//! P 7 -2 -11 ... 1
//! HepMC::Asciiv3-END_EVENT_LISTING
//! ```
//!
//! nu-e elastic events have one vertex: `nu_in` and the electron at rest in, `nu_out` and `e_out` out.
//! The Z' of the decay chain is not written (it is not propagated; its four-momentum is e- + e+).
//! Floats are written with 17 significant digits (`%.16e`), so every f64 reads back exactly.
//! Particle masses are the invariant masses of the written four-momenta (0 for neutrinos).

use super::{OutputError, Sink};
use crate::event::{ColumnData, ColumnPlan, EventBatch, Particle, Source};
use rayon::prelude::*;
use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

/// PDG code written for the heavy neutrino N (DarkNews' code for N4, ECOSYSTEM.md section 2.1).
pub const PDG_HEAVY_NEUTRINO: i32 = 5914;
/// The HepMC3 version the files declare (that of the `pyhepmc` 2.16 writer, which reads them).
pub const HEPMC_VERSION: &str = "3.02.05";
/// Status codes (HepMC3 conventions, ECOSYSTEM.md section 2.1).
pub const STATUS_BEAM: i32 = 4;
/// Decayed particle.
pub const STATUS_DECAYED: i32 = 2;
/// Final-state particle.
pub const STATUS_FINAL: i32 = 1;

/// Events formatted per parallel task in [`HepMC3Sink::write_batch`].
const FORMAT_ROWS: usize = 2048;
/// Typical size of an up-scattering event record, bytes (buffer capacity hint).
const BYTES_PER_EVENT: usize = 1200;

/// A float in C's `%.16e` form (`-1.2345678901234567e-05`): 17 significant digits, so the value
/// round-trips exactly; formatted without allocating.
#[derive(Debug, Clone, Copy)]
pub struct Sci(pub f64);

/// A fixed stack buffer that collects `fmt` output.
struct StackBuf {
    buf: [u8; 48],
    len: usize,
}

impl fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl fmt::Display for Sci {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.0.is_finite() {
            return write!(f, "{}", self.0);
        }
        let mut b = StackBuf {
            buf: [0; 48],
            len: 0,
        };
        write!(b, "{:.16e}", self.0)?;
        let s = std::str::from_utf8(&b.buf[..b.len]).map_err(|_| fmt::Error)?;
        let (mantissa, exp) = s.split_once('e').ok_or(fmt::Error)?;
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        if digits.len() < 2 {
            write!(f, "{mantissa}e{sign}0{digits}")
        } else {
            write!(f, "{mantissa}e{sign}{digits}")
        }
    }
}

/// Escape a string attribute value as HepMC3 does (`\` -> `\\`, newline -> `\|`).
#[must_use]
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\|"),
            _ => out.push(c),
        }
    }
    out
}

/// Column indices of one particle's (E, px, py, pz).
type P4Cols = [usize; 4];

/// Where each quantity of an event sits in a batch (plan indices), found once at `begin`.
#[derive(Debug, Clone, Default)]
struct Layout {
    event_id: usize,
    weight: usize,
    channel: usize,
    nu_pdg: usize,
    target_pdg: usize,
    nu_in: P4Cols,
    /// Up-scattering: N, recoil, nu_out, e-, e+; nu-e: nu_out, e_out.
    n: Option<P4Cols>,
    recoil: Option<P4Cols>,
    nu_out: P4Cols,
    e_minus: Option<P4Cols>,
    e_plus: Option<P4Cols>,
    e_out: Option<P4Cols>,
    scatter: [usize; 3],
    decay: Option<[usize; 3]>,
    /// `w_osc` (runs with `[oscillation]`), written as the event attribute `w_osc`.
    w_osc: Option<usize>,
}

impl Layout {
    fn from_plan(plan: &ColumnPlan) -> Result<Self, OutputError> {
        let find = |s: Source| plan.columns.iter().position(|c| c.source == s);
        let need = |s: Source| {
            find(s).ok_or_else(|| {
                OutputError::Encode(format!("hepmc3: the run has no column for {s:?}"))
            })
        };
        let p4 = |p: Particle| -> Option<P4Cols> {
            Some([
                find(Source::Momentum(p, 0))?,
                find(Source::Momentum(p, 1))?,
                find(Source::Momentum(p, 2))?,
                find(Source::Momentum(p, 3))?,
            ])
        };
        let need_p4 = |p: Particle| {
            p4(p).ok_or_else(|| {
                OutputError::Encode(format!("hepmc3: the run has no {} columns", p.prefix()))
            })
        };
        let decay = match (
            find(Source::Decay(0)),
            find(Source::Decay(1)),
            find(Source::Decay(2)),
        ) {
            (Some(x), Some(y), Some(z)) => Some([x, y, z]),
            _ => None,
        };
        let layout = Self {
            event_id: need(Source::EventId)?,
            weight: need(Source::Weight)?,
            channel: need(Source::Channel)?,
            nu_pdg: need(Source::NuPdg)?,
            target_pdg: need(Source::TargetPdg)?,
            nu_in: need_p4(Particle::NuIn)?,
            n: p4(Particle::N),
            recoil: p4(Particle::Recoil),
            nu_out: need_p4(Particle::NuOut)?,
            e_minus: p4(Particle::EMinus),
            e_plus: p4(Particle::EPlus),
            e_out: p4(Particle::EOut),
            scatter: [
                need(Source::Scatter(0))?,
                need(Source::Scatter(1))?,
                need(Source::Scatter(2))?,
            ],
            decay,
            w_osc: find(Source::WOsc),
        };
        let upscattering = layout.n.is_some()
            && layout.recoil.is_some()
            && layout.e_minus.is_some()
            && layout.e_plus.is_some()
            && layout.decay.is_some();
        if !upscattering && layout.e_out.is_none() {
            return Err(OutputError::Encode(
                "hepmc3: the run's particles match neither nu-e scattering nor up-scattering"
                    .into(),
            ));
        }
        Ok(layout)
    }
}

/// Column slices of one batch, typed.
struct Cols<'a> {
    data: &'a [ColumnData],
}

impl Cols<'_> {
    fn f(&self, col: usize, row: usize) -> f64 {
        match &self.data[col] {
            ColumnData::F64(v) => v[row],
            _ => f64::NAN,
        }
    }
    fn i(&self, col: usize, row: usize) -> i64 {
        match &self.data[col] {
            ColumnData::I64(v) => v[row],
            ColumnData::I32(v) => i64::from(v[row]),
            ColumnData::I8(v) => i64::from(v[row]),
            ColumnData::Dict(v) => i64::from(v[row]),
            ColumnData::F64(_) => 0,
        }
    }
    /// (E, px, py, pz) of a particle.
    fn p4(&self, c: P4Cols, row: usize) -> [f64; 4] {
        [
            self.f(c[0], row),
            self.f(c[1], row),
            self.f(c[2], row),
            self.f(c[3], row),
        ]
    }
}

/// Invariant mass of (E, px, py, pz), GeV (0 for space-like rounding of massless particles).
fn mass(p: [f64; 4]) -> f64 {
    let m2 = p[0] * p[0] - p[1] * p[1] - p[2] * p[2] - p[3] * p[3];
    m2.max(0.0).sqrt()
}

/// Bytes reserved in the header for the run summary, written at the end (the line is padded with
/// spaces, which JSON readers ignore).
fn summary_reserve(channels: usize) -> usize {
    2048 + 512 * channels
}

/// Writes a HepMC3 ASCII file atomically: to `.<name>.<pid>.tmp` beside the target, renamed on
/// finish.
pub struct HepMC3Sink {
    file: super::AtomicPath,
    writer: Option<BufWriter<File>>,
    layout: Layout,
    /// Byte offset and length of the reserved summary line.
    summary_slot: (u64, usize),
}

impl HepMC3Sink {
    /// A sink for `target`; with `force` an existing file is replaced (at finish), otherwise its
    /// existence is an error at `begin`.
    #[must_use]
    pub fn new(target: &Path, force: bool) -> Self {
        Self {
            file: super::AtomicPath::new(target, force),
            writer: None,
            layout: Layout::default(),
            summary_slot: (0, 0),
        }
    }

    /// The temporary path used while writing.
    #[must_use]
    pub fn temp_path(&self) -> &Path {
        self.file.temp_path()
    }

    fn io(&self, source: std::io::Error) -> OutputError {
        self.file.io_error(source)
    }

    fn header(
        plan: &ColumnPlan,
        meta_json: &str,
        reserve: usize,
    ) -> Result<(String, u64), fmt::Error> {
        let mut h = String::new();
        writeln!(h, "HepMC::Version {HEPMC_VERSION}")?;
        writeln!(h, "HepMC::Asciiv3-START_EVENT_LISTING")?;
        writeln!(h, "W CV")?;
        writeln!(
            h,
            "T nuportal\\|{}\\|event generator for neutrino physics through light mediators",
            env!("CARGO_PKG_VERSION")
        )?;
        let meta: serde_json::Value = serde_json::from_str(meta_json).unwrap_or_default();
        if let Some(pot) = meta.get("experiment").and_then(|e| e.get("pot")) {
            writeln!(h, "A NuHepMC.Exposure.POT {pot}")?;
        }
        let ids: Vec<String> = (0..plan.channel_names.len())
            .map(|i| i.to_string())
            .collect();
        writeln!(h, "A NuHepMC.ProcessIDs {}", ids.join(" "))?;
        for (i, name) in plan.channel_names.iter().enumerate() {
            writeln!(h, "A NuHepMC.ProcessInfo[{i}].Name {}", escape(name))?;
        }
        writeln!(h, "A NuHepMC.Units.EventWeights events")?;
        writeln!(
            h,
            "A nuportal.weight CV = expected number of events at the configured exposure; the sum over the file is the predicted rate"
        )?;
        writeln!(h, "A nuportal {}", escape(meta_json))?;
        let offset = h.len() as u64;
        writeln!(h, "A nuportal.summary {:width$}", "{}", width = reserve)?;
        Ok((h, offset))
    }

    fn write_event<W: Write>(&self, w: &mut W, c: &Cols<'_>, r: usize) -> std::io::Result<()> {
        let l = &self.layout;
        let nu_pdg = c.i(l.nu_pdg, r);
        let target_pdg = c.i(l.target_pdg, r);
        let nu_in = c.p4(l.nu_in, r);
        let scatter = [
            c.f(l.scatter[0], r),
            c.f(l.scatter[1], r),
            c.f(l.scatter[2], r),
        ];
        let vertex = |w: &mut W, head: &str, x: [f64; 4]| {
            writeln!(
                w,
                "{head} @ {} {} {} {}",
                Sci(x[0]),
                Sci(x[1]),
                Sci(x[2]),
                Sci(x[3])
            )
        };
        let particle =
            |w: &mut W, id: u32, vtx: i32, pdg: i64, p: [f64; 4], m: f64, status: i32| {
                writeln!(
                    w,
                    "P {id} {vtx} {pdg} {} {} {} {} {} {status}",
                    Sci(p[1]),
                    Sci(p[2]),
                    Sci(p[3]),
                    Sci(p[0]),
                    Sci(m)
                )
            };
        let upscattering = match (l.n, l.recoil, l.e_minus, l.e_plus, l.decay) {
            (Some(n), Some(rec), Some(em), Some(ep), Some(d)) => Some((n, rec, em, ep, d)),
            _ => None,
        };
        let (nvtx, npart) = if upscattering.is_some() {
            (2, 7)
        } else {
            (1, 4)
        };
        writeln!(w, "E {} {nvtx} {npart}", c.i(l.event_id, r))?;
        writeln!(w, "U GEV CM")?;
        writeln!(w, "W {}", Sci(c.f(l.weight, r)))?;
        writeln!(w, "A 0 ProcID {}", c.i(l.channel, r))?;
        if let Some(k) = l.w_osc {
            writeln!(w, "A 0 w_osc {}", Sci(c.f(k, r)))?;
        }
        particle(w, 1, 0, nu_pdg, nu_in, 0.0, STATUS_BEAM)?;
        if let Some((n, rec, em, ep, d)) = upscattering {
            let recoil = c.p4(rec, r);
            let m_target = mass(recoil);
            particle(
                w,
                2,
                0,
                target_pdg,
                [m_target, 0.0, 0.0, 0.0],
                m_target,
                STATUS_BEAM,
            )?;
            vertex(w, "V -1 0 [1,2]", [scatter[0], scatter[1], scatter[2], 0.0])?;
            let pn = c.p4(n, r);
            particle(
                w,
                3,
                -1,
                i64::from(PDG_HEAVY_NEUTRINO),
                pn,
                mass(pn),
                STATUS_DECAYED,
            )?;
            particle(w, 4, -1, target_pdg, recoil, m_target, STATUS_FINAL)?;
            let decay = [c.f(d[0], r), c.f(d[1], r), c.f(d[2], r)];
            // c t of the decay: flight distance / beta_N (the N leaves the scattering vertex at t = 0).
            let dist = ((decay[0] - scatter[0]).powi(2)
                + (decay[1] - scatter[1]).powi(2)
                + (decay[2] - scatter[2]).powi(2))
            .sqrt();
            let pabs = (pn[1] * pn[1] + pn[2] * pn[2] + pn[3] * pn[3]).sqrt();
            let ct = if pabs > 0.0 { dist * pn[0] / pabs } else { 0.0 };
            vertex(w, "V -2 0 [3]", [decay[0], decay[1], decay[2], ct])?;
            particle(w, 5, -2, nu_pdg, c.p4(l.nu_out, r), 0.0, STATUS_FINAL)?;
            let pe = c.p4(em, r);
            particle(w, 6, -2, 11, pe, mass(pe), STATUS_FINAL)?;
            let pp = c.p4(ep, r);
            particle(w, 7, -2, -11, pp, mass(pp), STATUS_FINAL)?;
        } else if let Some(eo) = l.e_out {
            let me = crate::units::M_E;
            particle(w, 2, 0, target_pdg, [me, 0.0, 0.0, 0.0], me, STATUS_BEAM)?;
            vertex(w, "V -1 0 [1,2]", [scatter[0], scatter[1], scatter[2], 0.0])?;
            particle(w, 3, -1, nu_pdg, c.p4(l.nu_out, r), 0.0, STATUS_FINAL)?;
            let pe = c.p4(eo, r);
            particle(w, 4, -1, 11, pe, mass(pe), STATUS_FINAL)?;
        }
        Ok(())
    }
}

impl Sink for HepMC3Sink {
    fn begin(&mut self, plan: &ColumnPlan, meta_json: &str) -> Result<(), OutputError> {
        self.layout = Layout::from_plan(plan)?;
        let reserve = summary_reserve(plan.channel_names.len());
        let (header, offset) = Self::header(plan, meta_json, reserve)
            .map_err(|e| OutputError::Encode(format!("hepmc3 header: {e}")))?;
        let file = self.file.create()?;
        let mut w = BufWriter::with_capacity(1 << 20, file);
        w.write_all(header.as_bytes()).map_err(|e| self.io(e))?;
        self.summary_slot = (offset, header.len() - usize::try_from(offset).unwrap_or(0));
        self.writer = Some(w);
        Ok(())
    }

    fn write_batch(&mut self, batch: EventBatch) -> Result<(), OutputError> {
        let Some(mut w) = self.writer.take() else {
            return Err(OutputError::Encode("write_batch before begin".into()));
        };
        // Text formatting is the cost: format slices of the batch in parallel into buffers (one
        // allocation per slice, not per event), then write them in order.
        let cols = Cols { data: &batch.data };
        let starts: Vec<usize> = (0..batch.len()).step_by(FORMAT_ROWS).collect();
        let parts: std::io::Result<Vec<Vec<u8>>> = starts
            .par_iter()
            .map(|&start| {
                let end = (start + FORMAT_ROWS).min(batch.len());
                let mut buf = Vec::with_capacity((end - start) * BYTES_PER_EVENT);
                for r in start..end {
                    self.write_event(&mut buf, &cols, r)?;
                }
                Ok(buf)
            })
            .collect();
        let result = parts.and_then(|parts| parts.iter().try_for_each(|p| w.write_all(p)));
        self.writer = Some(w);
        result.map_err(|e| self.io(e))
    }

    fn finish(&mut self, final_json: &str) -> Result<(), OutputError> {
        let Some(mut w) = self.writer.take() else {
            return Err(OutputError::Encode("finish before begin".into()));
        };
        w.write_all(b"HepMC::Asciiv3-END_EVENT_LISTING\n\n")
            .map_err(|e| self.io(e))?;
        let mut file = w.into_inner().map_err(|e| self.io(e.into_error()))?;
        // The summary into its reserved line: `A nuportal.summary <json><spaces>\n`.
        let v: serde_json::Value = serde_json::from_str(final_json).unwrap_or_default();
        let mut summary = serde_json::json!({
            "predicted_events": v.get("predicted_events"),
            "summary": v.get("summary"),
            "chunk": v.get("chunk"),
        })
        .to_string();
        let (offset, slot) = self.summary_slot;
        let prefix = "A nuportal.summary ";
        let room = slot.saturating_sub(prefix.len() + 1);
        if summary.len() > room {
            // Too many channels for the reserved room: keep the totals only.
            let s = v.get("summary");
            let pick = |k: &str| s.and_then(|s| s.get(k)).cloned();
            summary = serde_json::json!({
                "predicted_events": v.get("predicted_events"),
                "summary": {
                    "predicted_total": pick("predicted_total"),
                    "mc_error_total": pick("mc_error_total"),
                    "events": pick("events"),
                    "attempts": pick("attempts"),
                    "envelope": pick("envelope"),
                    "acceptance": pick("acceptance"),
                },
            })
            .to_string();
        }
        if summary.len() <= room {
            let line = format!("{prefix}{summary:room$}\n");
            file.seek(SeekFrom::Start(offset))
                .and_then(|_| file.write_all(line.as_bytes()))
                .map_err(|e| self.io(e))?;
        }
        self.file.commit(file)
    }

    fn abort(&mut self) {
        self.writer = None;
        self.file.discard();
    }
}

impl Drop for HepMC3Sink {
    fn drop(&mut self) {
        self.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sci_matches_c_printf() {
        assert_eq!(Sci(1.0).to_string(), "1.0000000000000000e+00");
        assert_eq!(Sci(-2.5e-7).to_string(), "-2.4999999999999999e-07");
        assert_eq!(Sci(-0.25).to_string(), "-2.5000000000000000e-01");
        assert_eq!(Sci(1.5e300).to_string(), "1.5000000000000001e+300");
        assert_eq!(Sci(0.0).to_string(), "0.0000000000000000e+00");
        for x in [0.1, 1.0 / 3.0, 123_456.789, -9.87e-12, f64::MIN_POSITIVE] {
            assert_eq!(Sci(x).to_string().parse::<f64>().unwrap(), x);
        }
    }

    #[test]
    fn escape_as_hepmc3() {
        assert_eq!(escape("a\\b\nc\"d"), "a\\\\b\\|c\"d");
    }
}
