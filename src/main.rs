//! `nuportal`: the command-line interface (a thin layer over the library).
//!
//! Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error, 130 interrupted
//! (SIGINT/SIGTERM; no output file is left).

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use nuportal::config::Config;
use nuportal::output::FileSink;
use nuportal::process::Process;
use nuportal::run::{self, AnyProcess, RunError};
use std::path::PathBuf;
use std::process::ExitCode;

/// `println!` that ends the program quietly when stdout is closed (`nuportal xsec | head`), instead
/// of panicking on the broken pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0);
        }
    }};
}

/// `eprintln!` that ignores a closed stderr: a failed diagnostic write must never turn into a panic
/// (or into a different exit code than the error being reported).
macro_rules! err {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// Event generator for neutrino physics through light mediators.
#[derive(Parser, Debug)]
#[command(name = "nuportal", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate an event sample (weighted or unweighted) into Parquet or HepMC3
    ///
    /// Examples:
    ///   nuportal generate                                  # embedded default run
    ///   nuportal generate --config run.toml --output out.parquet
    ///   nuportal generate --config run.toml --format hepmc3 --unweighted --output out.hepmc3
    ///   nuportal generate --config run.toml --chunk $SLURM_ARRAY_TASK_ID/100 --output dataset
    ///   nuportal generate --experiment charmii_fhc --events 100000 --set model.preset='"free"' \
    ///       --set model.mzprime=0.02 --set model.g_nu_mu=1e-5 --set model.g_e=1e-5
    #[command(verbatim_doc_comment)]
    Generate(GenerateArgs),
    /// Print cross-section tables: sigma(E) per channel and dsigma/dT at one energy (CSV).
    ///
    /// Example: nuportal xsec --experiment minerva_le_fhc --energies 0.01:100:41:log --dsigma-at 5
    Xsec(XsecArgs),
    /// Widths, branching ratios and lifetimes of N and Z' for a dark-neutrino model (CSV or JSON).
    ///
    /// Example: nuportal decay --set model.m4=0.15 --set model.mzprime=1.25
    Decay(DecayArgs),
    /// List experiments, presets, and the output schema.
    Info(InfoArgs),
    /// Oscillation probabilities on an energy grid (CSV), from the [oscillation] section of a config.
    ///
    /// Columns: E_GeV, then P_<a>_<b> (neutrinos) and Pbar_<a>_<b> (antineutrinos), a -> b in
    /// e, mu, tau (and s for 3+1). See docs/oscillation.md.
    ///
    /// Example: nuportal oscillate --config osc.toml --energies 0.5:30:40:log --output p.csv --plot p.png
    Oscillate(OscillateArgs),
    /// Efficiency-corrected spectra of a sample in the experiment's binning (CSV + PNG per
    /// observable), compared with the public data: chi^2 for MiniBooNE, selected events against the
    /// published nu-e samples for MINERvA and CHARM-II. Needs a sample generated with the detector
    /// stage (on by default for MiniBooNE, MINERvA and CHARM-II).
    ///
    /// Every bin holds sum(weight x efficiency) over the selected events, scaled to the POT of the
    /// data set. Data sets: miniboone_2020_fhc, miniboone_2018_fhc, miniboone_rhc, minerva_le,
    /// minerva_me, charmii_fhc, charmii_rhc (default: the sample's experiment).
    ///
    /// Examples:
    ///   nuportal spectrum output/miniboone_fhc_upscattering.parquet
    ///   nuportal spectrum sample.parquet --data miniboone_2018_fhc --output spectra/
    Spectrum(SpectrumArgs),
    /// Draw the standard distributions of a Parquet sample into one PNG (weighted: events per bin).
    ///
    /// Panels: E_nu; energy and cos(theta) of the visible particles (e-, e+ or the recoil electron,
    /// with its E theta^2); the e+e- opening angle; the recoil kinetic energy; the N decay length.
    ///
    /// Example: nuportal plot output/miniboone_fhc_upscattering.parquet --output sample.png
    Plot(PlotArgs),
}

#[derive(Args, Debug)]
struct SpectrumArgs {
    /// The sample (Parquet written by `nuportal generate`).
    sample: PathBuf,
    /// Public data set to compare with (default: the one of the sample's experiment).
    #[arg(long)]
    data: Option<String>,
    /// Output directory (default: <sample without extension>_spectrum).
    #[arg(long)]
    output: Option<PathBuf>,
    /// No PNG figures.
    #[arg(long)]
    no_plots: bool,
    /// Also write each figure as SVG.
    #[arg(long)]
    svg: bool,
}

#[derive(Args, Debug)]
struct PlotArgs {
    /// The sample (a Parquet file written by `nuportal generate`).
    sample: PathBuf,
    /// The PNG to write (default: the sample's path with .png).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Bins per histogram (5..=1000).
    #[arg(long, default_value_t = 50)]
    bins: usize,
}

#[derive(Args, Debug, Clone)]
struct CommonArgs {
    /// Run configuration (TOML); default: the embedded default run.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Experiment: a shipped name or a path to a detector TOML (overrides [experiment] name).
    #[arg(long)]
    experiment: Option<String>,
    /// Override any config key, e.g. --set model.mzprime=0.03 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
}

#[derive(Args, Debug)]
struct GenerateArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Number of weighted events.
    #[arg(long)]
    events: Option<u64>,
    /// Master seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (0 = all cores); the output does not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output path (default: [output] path, or output/<experiment>_<process>.<parquet|hepmc3>);
    /// with --chunk, a dataset directory that receives chunk=I/part-0.<ext>.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Output format: parquet (one row per event) or hepmc3 (HepMC3 ASCII event records).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Generate only piece I of N (0-based, 0 <= I < N) of the run, e.g. --chunk $SLURM_ARRAY_TASK_ID/100:
    /// same seed, the run's chunks k with k mod N = I, weights of the whole run; written to
    /// <output>/chunk=I/part-0.<ext>, a Hive-partitioned dataset whose union is the unsplit run.
    #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
    chunk: Option<String>,
    /// Overwrite an existing output file.
    #[arg(long)]
    force: bool,
    /// Unweighted events (accept-reject against a computed envelope; --events counts attempts).
    #[arg(long)]
    unweighted: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

/// `--format` values.
#[derive(clap::ValueEnum, Debug, Clone, Copy)]
enum FormatArg {
    /// Apache Parquet.
    Parquet,
    /// HepMC3 ASCII (Asciiv3).
    Hepmc3,
}

#[derive(Args, Debug)]
struct XsecArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Energy grid LO:HI:N[:log|lin] in GeV.
    #[arg(long, default_value = "0.01:100:41:log")]
    energies: String,
    /// Also print dsigma/dT (cm^2/GeV) at this neutrino energy, GeV.
    #[arg(long)]
    dsigma_at: Option<f64>,
    /// Number of T points for --dsigma-at.
    #[arg(long, default_value_t = 50)]
    points: usize,
}

#[derive(Args, Debug)]
struct DecayArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Print JSON (with the derived couplings) instead of CSV.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct InfoArgs {
    /// Print the output schema (columns, types, units, meaning): every column of every run (the
    /// README's table), or with --config/--experiment/--set the columns of that run.
    #[arg(long)]
    schema: bool,
    /// List the model presets with their parameters and sources.
    #[arg(long)]
    presets: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args, Debug)]
struct OscillateArgs {
    /// Configuration (TOML) with an [oscillation] section; other sections are ignored.
    #[arg(long)]
    config: PathBuf,
    /// Energy grid LO:HI:N[:log|lin] in GeV.
    #[arg(long, default_value = "0.5:30:40:log")]
    energies: String,
    /// Write the CSV here (default: stdout).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Also draw P(nu_mu -> nu_mu) and P(antinu_mu -> antinu_mu) versus L/E into this PNG.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Override a key of the config, e.g. --set oscillation.alpha=150 (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    sets: Vec<String>,
}

/// An error with its exit code.
struct Failure {
    code: u8,
    err: anyhow::Error,
}

impl From<anyhow::Error> for Failure {
    fn from(err: anyhow::Error) -> Self {
        Failure { code: 1, err }
    }
}

fn usage(err: impl Into<anyhow::Error>) -> Failure {
    Failure {
        code: 2,
        err: err.into(),
    }
}

fn classify(e: RunError) -> Failure {
    match e {
        RunError::Config(_)
        | RunError::Experiment(_)
        | RunError::Signal(_)
        | RunError::Nuclear(_) => usage(e),
        RunError::Detector(_) => usage(e),
        RunError::Generate(_) => Failure {
            code: 1,
            err: e.into(),
        },
        #[allow(unreachable_patterns, reason = "non_exhaustive enum")]
        _ => Failure {
            code: 1,
            err: anyhow::anyhow!("{e}"),
        },
    }
}

fn load_config(c: &CommonArgs, extra: &[String]) -> Result<Config, Failure> {
    let mut sets = c.sets.clone();
    if let Some(e) = &c.experiment {
        sets.push(format!(
            "experiment.name={}",
            toml::Value::String(e.clone())
        ));
    }
    sets.extend_from_slice(extra);
    match &c.config {
        None => Config::default_with(&sets).map_err(usage),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read config {}", p.display()))
                .map_err(usage)?;
            Config::parse(&text, &p.display().to_string(), &sets).map_err(usage)
        }
    }
}

fn generate(a: GenerateArgs) -> Result<(), Failure> {
    // SIGINT / SIGTERM stop the run at the next finished row group; the sink then removes its temporary file.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = stop.clone();
    let _ = ctrlc::set_handler(move || flag.store(true, std::sync::atomic::Ordering::SeqCst));
    let mut extra = Vec::new();
    if let Some(n) = a.events {
        extra.push(format!("generation.events={n}"));
    }
    if let Some(s) = a.seed {
        extra.push(format!("generation.seed={s}"));
    }
    if let Some(t) = a.threads {
        extra.push(format!("generation.threads={t}"));
    }
    if a.unweighted {
        extra.push("generation.unweighted=true".into());
    }
    if let Some(f) = a.format {
        let name = match f {
            FormatArg::Parquet => "parquet",
            FormatArg::Hepmc3 => "hepmc3",
        };
        extra.push(format!("output.format=\"{name}\""));
    }
    if let Some(c) = &a.chunk {
        let piece = nuportal::generate::Piece::parse(c)
            .map_err(|e| usage(anyhow::anyhow!("--chunk {c:?}: {e}")))?;
        extra.push(format!("generation.chunk=\"{piece}\""));
    }
    let cfg = load_config(&a.common, &extra)?;
    let force = a.force || cfg.output.force;
    let t0 = std::time::Instant::now();
    let prepared = run::prepare(cfg).map_err(classify)?;
    let out = prepared.output_path(a.output.as_deref());
    // With --chunk the file is <dataset>/chunk=I/part-0.<ext>: the dataset must be a directory.
    let dataset = out.parent().and_then(std::path::Path::parent);
    if let (Some(_), Some(dir)) = (prepared.config.generation.chunk, dataset) {
        if dir.is_file() {
            return Err(usage(anyhow::anyhow!(
                "--output / [output] path {}: with --chunk the output is a dataset directory (receiving chunk=I/part-0.<ext>), but this is a file",
                dir.display()
            )));
        }
    }
    if out.exists() && !force {
        return Err(usage(anyhow::anyhow!(
            "{} exists; pass --force to overwrite it",
            out.display()
        )));
    }
    let total = prepared.config.generate_options().piece_events();
    let bar = if a.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total)
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} events ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut sink = FileSink::new(prepared.config.output.format, &out, force);
    let t_setup = t0.elapsed();
    let result = prepared.generate(
        &mut sink,
        |n| bar.set_position(n),
        || stop.load(std::sync::atomic::Ordering::SeqCst),
    );
    bar.finish_and_clear();
    if let Err(RunError::Generate(nuportal::generate::GenerateError::Interrupted { done, total })) =
        &result
    {
        return Err(Failure {
            code: 130,
            err: anyhow::anyhow!(
                "interrupted after {done} of {total} events; nothing was written to {}",
                out.display()
            ),
        });
    }
    let report = result.map_err(classify)?;
    let dt = t0.elapsed();
    let s = &report.summary;
    out!(
        "nuportal {} — {} at {} ({} POT)",
        env!("CARGO_PKG_VERSION"),
        prepared.config.process.kind(),
        prepared.experiment.name(),
        prepared.experiment.pot()
    );
    out!(
        "{:<32} {:>10} {:>14} {:>12} {:>8}",
        "channel",
        "events",
        "predicted",
        "mc_error",
        "ESS/N"
    );
    for c in &s.channels {
        #[allow(clippy::cast_precision_loss, reason = "display only")]
        let essn = if c.events > 0 {
            c.ess / c.events as f64
        } else {
            0.0
        };
        out!(
            "{:<32} {:>10} {:>14.6e} {:>12.3e} {:>8.3}",
            c.name,
            c.events,
            c.predicted,
            c.mc_error,
            essn
        );
    }
    #[allow(clippy::cast_precision_loss, reason = "display only")]
    let essn = s.ess / s.events.max(1) as f64;
    out!(
        "{:<32} {:>10} {:>14.6e} {:>12.3e} {:>8.3}",
        "TOTAL",
        s.events,
        s.predicted_total,
        s.mc_error_total,
        essn
    );
    if let Some(acc) = prepared.accepted_prediction() {
        let src = prepared
            .experiment
            .spec
            .recoil_acceptance
            .as_ref()
            .map_or(String::new(), |a| a.source.clone());
        out!(
            "predicted with the published recoil acceptance ({src}): {:.4e} events (no detector smearing; thresholds belong to the detector stage)",
            acc.iter().map(|c| c.1).sum::<f64>()
        );
    }
    if prepared.config.generation.unweighted {
        out!(
            "unweighted: {} of {} attempts accepted (efficiency {:.4}), every event weight {:.6e}; {} events above the envelope kept with their own weight",
            s.events, s.attempts, s.acceptance, s.envelope, s.envelope_overflows
        );
    }
    if let Some(p) = prepared.config.generation.chunk {
        out!(
            "piece {p} of the run: {} of its {} chunks; weights are the whole run's, so the sum over all {} pieces is the predicted rate",
            (0..prepared.config.generate_options().n_chunks()).filter(|&k| p.contains(k)).count(),
            prepared.config.generate_options().n_chunks(),
            p.count
        );
    }
    if s.bad_events > 0 {
        out!(
            "warning: {} events failed the weight sanity check and carry weight 0",
            s.bad_events
        );
    }
    #[allow(clippy::cast_precision_loss, reason = "display only")]
    let rate = s.events as f64 / dt.as_secs_f64();
    out!(
        "wrote {} ({} events) in {:.2} s ({:.3e} events/s; setup {:.3} s)",
        out.display(),
        s.events,
        dt.as_secs_f64(),
        rate,
        t_setup.as_secs_f64()
    );
    if let Some(mib) = peak_resident_mib() {
        out!("peak resident memory {mib:.1} MiB");
    }
    Ok(())
}

/// Peak resident set size of this process in MiB (`VmHWM` of `/proc/self/status`; Linux only).
fn peak_resident_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Parse LO:HI:N[:log|lin].
fn parse_grid(s: &str) -> anyhow::Result<Vec<f64>> {
    let p: Vec<&str> = s.split(':').collect();
    anyhow::ensure!(
        p.len() == 3 || p.len() == 4,
        "--energies {s:?}: expected LO:HI:N[:log|lin]"
    );
    let lo: f64 = p[0]
        .parse()
        .with_context(|| format!("--energies: LO {:?} is not a number", p[0]))?;
    let hi: f64 = p[1]
        .parse()
        .with_context(|| format!("--energies: HI {:?} is not a number", p[1]))?;
    let n: usize = p[2]
        .parse()
        .with_context(|| format!("--energies: N {:?} is not a whole number", p[2]))?;
    let log = match p.get(3).copied().unwrap_or("log") {
        "log" => true,
        "lin" => false,
        o => anyhow::bail!("--energies: scale {o:?} must be log or lin"),
    };
    anyhow::ensure!(
        lo > 0.0 && hi > lo && hi.is_finite(),
        "--energies: need 0 < LO < HI (got {lo}, {hi})"
    );
    anyhow::ensure!(
        (2..=100_000).contains(&n),
        "--energies: N = {n} must be in [2, 100000]"
    );
    #[allow(clippy::cast_precision_loss, reason = "small integers")]
    Ok((0..n)
        .map(|i| {
            let t = i as f64 / (n - 1) as f64;
            if log {
                lo * (hi / lo).powf(t)
            } else {
                lo + (hi - lo) * t
            }
        })
        .collect())
}

fn xsec(a: XsecArgs) -> Result<(), Failure> {
    let cfg = load_config(&a.common, &[])?;
    let grid = parse_grid(&a.energies).map_err(usage)?;
    let prepared = run::prepare(cfg).map_err(classify)?;
    let (names, rows) = prepared.sigma_table(&grid);
    out!(
        "# sigma(E) per scattering centre (electron, nucleus, or proton), cm^2; process {}, model {}",
        prepared.config.process.kind(),
        prepared.config.model.preset()
    );
    out!(
        "E_GeV,{}",
        names
            .iter()
            .map(|n| format!("sigma_{n}_cm2"))
            .collect::<Vec<_>>()
            .join(",")
    );
    for (e, row) in grid.iter().zip(&rows) {
        let row: Vec<String> = row.iter().map(|v| format!("{v:.7e}")).collect();
        out!("{e:.6e},{}", row.join(","));
    }
    if let Some(e) = a.dsigma_at {
        let AnyProcess::NuElectron(p) = &prepared.process else {
            return Err(usage(anyhow::anyhow!(
                "--dsigma-at is available for kind = \"nu_e_elastic\""
            )));
        };
        if !(e > 0.0 && e.is_finite()) {
            return Err(usage(anyhow::anyhow!(
                "--dsigma-at {e}: the energy must be > 0 GeV"
            )));
        }
        let tm = nuportal::process::nu_electron::t_max(e);
        out!();
        out!("# dsigma/dT at E_nu = {e} GeV, cm^2/GeV; T = electron recoil kinetic energy, T_max = {tm:.6e} GeV");
        out!(
            "T_GeV,{}",
            names
                .iter()
                .map(|n| format!("dsigma_dT_{n}_cm2_per_GeV"))
                .collect::<Vec<_>>()
                .join(",")
        );
        #[allow(clippy::cast_precision_loss, reason = "small integers")]
        for i in 0..a.points.max(2) {
            let t = tm * (i as f64 + 0.5) / a.points.max(2) as f64;
            let row: Vec<String> = p
                .channels()
                .iter()
                .map(|c| {
                    format!(
                        "{:.7e}",
                        p.dsigma_dt(c.flavour, e, t) * nuportal::units::HBARC2_GEV2_CM2
                    )
                })
                .collect();
            out!("{t:.6e},{}", row.join(","));
        }
    }
    Ok(())
}

fn decay(a: DecayArgs) -> Result<(), Failure> {
    let cfg = load_config(&a.common, &[])?;
    let model = cfg.model.dark_neutrino().map_err(usage)?.ok_or_else(|| {
        usage(anyhow::anyhow!(
            "`nuportal decay` needs [model] preset = \"dark_neutrino\" (got {:?})",
            cfg.model.preset()
        ))
    })?;
    let v = nuportal::decay::summary_json(&model);
    if a.json {
        out!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| Failure {
                code: 1,
                err: e.into()
            })?
        );
        return Ok(());
    }
    out!("quantity,value,unit");
    if let Some(obj) = v.as_object() {
        for (k, val) in obj {
            if k == "couplings" {
                continue;
            }
            let unit = if k.ends_with("_GeV") {
                "GeV"
            } else if k.ends_with("_cm") {
                "cm"
            } else if k.ends_with("_s") {
                "s"
            } else {
                ""
            };
            out!("{k},{val},{unit}");
        }
    }
    Ok(())
}

fn info(a: InfoArgs) -> Result<(), Failure> {
    if a.schema {
        let c = &a.common;
        if c.config.is_none() && c.experiment.is_none() && c.sets.is_empty() {
            // Every column of every run: the README's table.
            out!("{}", nuportal::output::schema::reference_table().trim_end());
            return Ok(());
        }
        let cfg = load_config(&a.common, &["generation.events=1".into()])?;
        let prepared = run::prepare(cfg).map_err(classify)?;
        out!(
            "{}",
            nuportal::output::schema::run_table(&prepared.column_plan()).trim_end()
        );
        return Ok(());
    }
    if a.presets {
        out!("model presets ([model] preset = NAME, then its parameters; mzprime in GeV):");
        for p in nuportal::model::presets::PRESETS {
            out!("  {:<17} {}", p.name, p.parameters);
            out!("  {:<17}   {}", "", p.couplings);
            out!("  {:<17}   source: {}", "", p.source);
        }
        return Ok(());
    }
    out!("experiments (shipped detector files; or pass a path to your own):");
    for n in nuportal::data::experiment_names() {
        let e = nuportal::experiment::Experiment::load(n).map_err(|e| Failure {
            code: 1,
            err: e.into(),
        })?;
        out!(
            "  {:<16} {:<10} {:>8} t {:>10.3e} POT  flux {}  — {}",
            n,
            e.spec.target.material,
            e.spec.target.mass_t,
            e.pot(),
            e.spec
                .flux
                .source
                .map_or(e.spec.flux.file.clone(), |s| format!(
                    "analytic {}",
                    s.kind()
                )),
            e.spec.description
        );
    }
    out!("processes: nu_e_elastic, upscattering, cevns");
    out!("model presets (details: nuportal info --presets):");
    for p in nuportal::model::presets::PRESETS {
        out!("  {:<17} {}", p.name, p.parameters);
    }
    out!(
        "fluxes: {}",
        nuportal::data::FLUX_FILES
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

fn oscillate(a: OscillateArgs) -> Result<(), Failure> {
    use nuportal::oscillation::{Flavour, NuType, ProbabilityTable};
    let text = std::fs::read_to_string(&a.config)
        .with_context(|| format!("cannot read config {}", a.config.display()))
        .map_err(usage)?;
    let cfg = nuportal::config::parse_oscillation(&text, &a.config.display().to_string(), &a.sets)
        .map_err(usage)?;
    let grid = parse_grid(&a.energies).map_err(usage)?;
    let baseline_km = cfg
        .matter_profile()
        .map_err(|e| usage(nuportal::config::ConfigError::from(e)))?
        .baseline_km();
    if a.plot.is_some() && baseline_km <= 0.0 {
        return Err(usage(anyhow::anyhow!(
            "--plot draws versus L/E and needs baseline_km > 0 (got {baseline_km} km)"
        )));
    }
    let mut osc = cfg
        .build()
        .map_err(|e| usage(nuportal::config::ConfigError::from(e)))?;
    let table = ProbabilityTable::compute(&mut osc, &grid).map_err(|e| Failure {
        code: 1,
        err: e.into(),
    })?;
    match &a.output {
        None => {
            let stdout = std::io::stdout();
            table
                .write_csv(stdout.lock())
                .context("cannot write to stdout")?;
        }
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            table
                .write_csv(std::io::BufWriter::new(file))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    if let Some(path) = &a.plot {
        // A fine grid over the same energy range, uniform in log(L/E), so that fast oscillations
        // are drawn rather than aliased by the (usually coarse) table grid.
        const POINTS: usize = 4000;
        let (e_lo, e_hi) = (grid[0], grid[grid.len() - 1]);
        let (x_lo, x_hi) = (baseline_km / e_hi, baseline_km / e_lo);
        let mut curves = Vec::new();
        for (nu, label, colour) in [
            (NuType::Neutrino, "P(nu_mu -> nu_mu)", 1),
            (NuType::Antineutrino, "P(antinu_mu -> antinu_mu)", 2),
        ] {
            let mut points = Vec::with_capacity(POINTS);
            #[allow(clippy::cast_precision_loss, reason = "small integers")]
            for i in 0..POINTS {
                let x = x_lo * (x_hi / x_lo).powf(i as f64 / (POINTS - 1) as f64);
                let p = osc
                    .probabilities(baseline_km / x, nu)
                    .map_err(|e| Failure {
                        code: 1,
                        err: e.into(),
                    })?;
                points.push((x, p.get(Flavour::Mu, Flavour::Mu).unwrap_or(f64::NAN)));
            }
            curves.push(nuportal::plot::Curve {
                label: label.into(),
                points,
                colour,
                width: 1,
            });
        }
        let panel = nuportal::plot::Panel {
            title: format!("model {}, L = {baseline_km} km", cfg.model),
            x_label: "L/E (km/GeV)".into(),
            y_label: "survival probability".into(),
            x_range: (x_lo, x_hi),
            y_range: (0.0, 1.3),
            x_log: true,
            curves,
        };
        nuportal::plot::write_png(path, (1000, 650), &[panel]).context("--plot")?;
    }
    if a.output.is_some() || a.plot.is_some() {
        let wrote: Vec<String> = a
            .output
            .iter()
            .chain(&a.plot)
            .map(|p| p.display().to_string())
            .collect();
        err!(
            "wrote {} ({} energies, {} columns)",
            wrote.join(", "),
            grid.len(),
            table.columns.len()
        );
    }
    Ok(())
}

fn spectrum(a: SpectrumArgs) -> Result<(), Failure> {
    use nuportal::spectrum::{self, Spectra, SpectrumError};
    let classify = |e: SpectrumError| match e {
        SpectrumError::Io { .. } | SpectrumError::Parquet { .. } => Failure {
            code: 1,
            err: e.into(),
        },
        _ => usage(e),
    };
    if !a.sample.exists() {
        return Err(usage(anyhow::anyhow!(
            "{}: no such file",
            a.sample.display()
        )));
    }
    let sp = Spectra::from_parquet(&a.sample, None).map_err(classify)?;
    let data_name = a
        .data
        .clone()
        .or_else(|| spectrum::default_data(&sp.experiment).map(str::to_string));
    let data = match &data_name {
        Some(n) => {
            let d = spectrum::data_set(n).map_err(classify)?;
            if !sp.experiment.starts_with(d.experiment) {
                return Err(usage(anyhow::anyhow!(
                    "--data {n}: a {} data set does not apply to a {} sample",
                    d.experiment,
                    sp.experiment
                )));
            }
            Some(d)
        }
        None => None,
    };
    let scale = match &data {
        Some(d) if sp.pot > 0.0 => d.pot / sp.pot,
        _ => 1.0,
    };
    let dir = a.output.clone().unwrap_or_else(|| {
        let mut p = a.sample.clone();
        p.set_extension("");
        PathBuf::from(format!("{}_spectrum", p.display()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut summary = String::from("quantity,value\n");
    let mut line = |k: &str, v: String| {
        out!("{k:<48} {v}");
        summary.push_str(&format!("{k},{v}\n"));
    };
    line("sample", a.sample.display().to_string());
    line("experiment", sp.experiment.clone());
    line("sample_pot", format!("{:.4e}", sp.pot));
    line("rows", sp.rows.to_string());
    line("predicted_events_total", format!("{:.6e}", sp.total_weight));
    line(
        "fraction_passing_selection",
        format!(
            "{:.6}",
            sp.passing_weight / sp.total_weight.max(f64::MIN_POSITIVE)
        ),
    );
    line(
        "fraction_one_electron_like_shower",
        format!(
            "{:.6}",
            sp.shower_weight / sp.total_weight.max(f64::MIN_POSITIVE)
        ),
    );
    line(
        "selected_events_x_efficiency",
        format!("{:.6e}", sp.selected),
    );
    if let Some(d) = &data {
        line("data_set", d.name.to_string());
        line("data_pot", format!("{:.4e}", d.pot));
        line("pot_scale", format!("{scale:.6}"));
        line(
            "selected_events_at_data_pot",
            format!("{:.6e}", sp.selected * scale),
        );
    }
    let mut files = Vec::new();
    for h in &sp.histograms {
        let mut h = h.clone();
        h.scale(scale);
        let overlays: Vec<(&str, Vec<f64>)> = data
            .as_ref()
            .and_then(|d| d.overlays.iter().find(|(n, _)| *n == h.observable.name))
            .map(|(_, cols)| cols.iter().map(|(n, v)| (*n, v.clone())).collect())
            .unwrap_or_default();
        let csv = dir.join(format!("{}.csv", h.observable.name));
        std::fs::write(&csv, spectrum::to_csv(&h, &overlays))
            .with_context(|| format!("cannot write {}", csv.display()))?;
        files.push(csv.display().to_string());
        if !a.no_plots {
            let png = dir.join(format!("{}.png", h.observable.name));
            let title = format!(
                "{} {}{}",
                sp.experiment,
                h.observable.name,
                data.as_ref()
                    .map(|d| format!(" vs {}", d.name))
                    .unwrap_or_default()
            );
            spectrum::draw_png(&png, &title, &h, &overlays).context("plot")?;
            files.push(png.display().to_string());
            if a.svg {
                let svg = png.with_extension("svg");
                spectrum::draw_png(&svg, &title, &h, &overlays).context("plot")?;
                files.push(svg.display().to_string());
            }
        }
        line(
            &format!("events_in_{}_histogram", h.observable.name),
            format!("{:.6e}", h.total()),
        );
        if h.observable.name == "costheta" && h.total() > 0.0 {
            let fwd: f64 = h.events[18..].iter().sum();
            line(
                "costheta_fraction_above_0.8",
                format!("{:.4}", fwd / h.total()),
            );
            line(
                "costheta_fraction_above_0.9",
                format!("{:.4}", h.events[19] / h.total()),
            );
            if let Some((_, v)) = overlays.iter().find(|(n, _)| *n == "data") {
                if let Some((_, b)) = overlays.iter().find(|(n, _)| *n == "background") {
                    let exc: Vec<f64> = v.iter().zip(b).map(|(x, y)| x - y).collect();
                    let tot: f64 = exc.iter().sum();
                    line(
                        "excess_costheta_fraction_above_0.8",
                        format!("{:.4}", exc[18..].iter().sum::<f64>() / tot),
                    );
                    line(
                        "excess_costheta_fraction_above_0.9",
                        format!("{:.4}", exc[19] / tot),
                    );
                }
            }
        }
        if h.observable.name == "E_QE" {
            if let Some(d) = data.as_ref().filter(|d| d.experiment == "miniboone") {
                let c = spectrum::miniboone_chi2(d, &h.events).map_err(classify)?;
                line(
                    "miniboone_signal_events_200_3000MeV",
                    format!("{:.3}", c.signal_events),
                );
                line(
                    "miniboone_chi2_background_only",
                    format!("{:.3}", c.background_only),
                );
                line(
                    "miniboone_chi2_with_signal",
                    format!("{:.3}", c.with_signal),
                );
                line(
                    "miniboone_delta_chi2",
                    format!("{:.3}", c.background_only - c.with_signal),
                );
                line("miniboone_chi2_bins", c.bins.to_string());
            }
        }
    }
    if let Some(c) = data.as_ref().and_then(|d| d.comparison) {
        let s = sp.selected * scale;
        let k = sp.kinematic * scale;
        line("published_nu_e_events", format!("{}", c.events));
        line("published_sigma_combined", format!("{:.3}", c.sigma()));
        line("signal_in_nu_e_selection", format!("{s:.3}"));
        line("signal_over_sigma", format!("{:.3}", s / c.sigma()));
        if (k - s).abs() > 0.0 {
            line("signal_before_final_pid_cut", format!("{k:.3}"));
            line("signal_rejected_by_pid_cut", format!("{:.3}", k - s));
        }
        if let Some((b, what)) = c.benchmark {
            line("reference_benchmark_events", format!("{b} ({what})"));
        }
    }
    if let Some(d) = &data {
        line("data_source", format!("\"{}\"", d.source));
    }
    let sum = dir.join("summary.csv");
    std::fs::write(&sum, &summary).with_context(|| format!("cannot write {}", sum.display()))?;
    files.push(sum.display().to_string());
    err!("wrote {}", files.join(", "));
    Ok(())
}

/// The error and its causes joined by ": ", skipping a cause whose text the message already holds
/// (many errors embed their source in their own message, and `{:#}` would print it twice).
fn render_error(err: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        let text = text.trim_end();
        if out.contains(text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(text);
    }
    out
}

fn plot(a: PlotArgs) -> Result<(), Failure> {
    if !(5..=1000).contains(&a.bins) {
        return Err(usage(anyhow::anyhow!(
            "--bins {}: must be in [5, 1000]",
            a.bins
        )));
    }
    if !a.sample.is_file() {
        return Err(usage(anyhow::anyhow!(
            "{}: no such sample file (pass a Parquet file written by `nuportal generate`)",
            a.sample.display()
        )));
    }
    let png = a.output.unwrap_or_else(|| a.sample.with_extension("png"));
    let n = nuportal::sample_plot::plot_sample(&a.sample, &png, (500, 400), a.bins).map_err(
        |e| match e {
            nuportal::sample_plot::SamplePlotError::Read(_) => usage(e),
            _ => Failure {
                code: 1,
                err: e.into(),
            },
        },
    )?;
    out!("wrote {} ({n} panels)", png.display());
    Ok(())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let r = match cli.command {
        Command::Generate(a) => generate(a),
        Command::Xsec(a) => xsec(a),
        Command::Decay(a) => decay(a),
        Command::Info(a) => info(a),
        Command::Oscillate(a) => oscillate(a),
        Command::Spectrum(a) => spectrum(a),
        Command::Plot(a) => plot(a),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            err!("error: {}", render_error(&f.err));
            ExitCode::from(f.code)
        }
    }
}
