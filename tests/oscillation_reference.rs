//! Golden comparison with the oscillation reference tables in `shared/reference/oscillation`.
//!
//! Every CSV there is reproduced to 1e-6 absolute (the DESIGN target; a correct f64 implementation
//! with the same constants agrees to ~1e-11). Each table restates its model, parameters, constants
//! and profile in `#` header lines; this test reads them from the header, builds an
//! [`OscillationConfig`] from them (so the configuration path is exercised too) and compares every
//! probability column for neutrinos and antineutrinos at every energy.
//!
//! The reference directory is `$NUPORTAL_REFERENCE_DIR` if set, else `<crate>/../shared/reference`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nuportal::oscillation::{
    ConstantSet, Flavour, ModelKind, NsiConfig, NsiMatrixConfig, NuType, OscillationConfig,
    PhysicalConstants,
};

/// Absolute tolerance on every probability (DESIGN target).
const TOLERANCE: f64 = 1e-6;

/// The reference directory: `$NUPORTAL_REFERENCE_DIR`, else `<CARGO_MANIFEST_DIR>/../shared/reference`.
fn reference_dir() -> PathBuf {
    std::env::var_os("NUPORTAL_REFERENCE_DIR").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference")),
        PathBuf::from,
    )
}

/// A parsed reference table.
struct Table {
    header: Vec<String>,
    columns: Vec<String>,
    rows: Vec<Vec<f64>>,
}

fn read_table(path: &Path) -> Table {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut header = Vec::new();
    let mut columns = Vec::new();
    let mut rows = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(h) = line.strip_prefix('#') {
            header.push(h.trim().to_owned());
        } else if columns.is_empty() {
            columns = line.split(',').map(str::to_owned).collect();
        } else {
            rows.push(
                line.split(',')
                    .map(|v| {
                        v.parse()
                            .unwrap_or_else(|e| panic!("{}: bad number {v}: {e}", path.display()))
                    })
                    .collect(),
            );
        }
    }
    Table {
        header,
        columns,
        rows,
    }
}

impl Table {
    /// The header line starting with `prefix`, without it.
    fn line(&self, prefix: &str) -> Option<&str> {
        self.header.iter().find_map(|l| l.strip_prefix(prefix))
    }

    /// All `key = value` pairs of the `;`-separated header lines (value: first whitespace token).
    fn values(&self) -> BTreeMap<String, f64> {
        let mut map = BTreeMap::new();
        for line in &self.header {
            for part in line.split(';') {
                if let Some((key, value)) = part.split_once('=') {
                    let token = value.split_whitespace().next().unwrap_or("");
                    if let Ok(v) = token.parse::<f64>() {
                        map.entry(key.trim().to_owned()).or_insert(v);
                    }
                }
            }
        }
        map
    }
}

/// Numbers inside `[...]` groups of `text`, e.g. `[122.5, 2.6, 0.5] ; [490.0, 2.9, 0.5]`.
fn bracket_triples(text: &str) -> Vec<[f64; 3]> {
    text.split('[')
        .skip(1)
        .filter_map(|chunk| chunk.split_once(']').map(|(inside, _)| inside))
        .filter_map(|inside| {
            let v: Vec<f64> = inside
                .split(',')
                .filter_map(|x| x.trim().parse().ok())
                .collect();
            (v.len() == 3).then(|| [v[0], v[1], v[2]])
        })
        .collect()
}

/// NSI entries of the header: lines `eps^<f>_{<a> <b>} = ... (= <re> <+/-im> i)`.
fn nsi_from_header(table: &Table) -> NsiConfig {
    let mut nsi = NsiConfig::default();
    for line in &table.header {
        let Some(rest) = line.strip_prefix("eps^") else {
            continue;
        };
        let (target, rest) = rest.split_once("_{").expect("eps^f_{a b}");
        let (pair, rest) = rest.split_once('}').expect("closing brace");
        let key: String = pair.split_whitespace().collect();
        let (_, cartesian) = rest.split_once("(=").expect("(= re + im i)");
        let cartesian = cartesian
            .trim_end_matches(')')
            .trim()
            .trim_end_matches('i')
            .replace(' ', "");
        // "<re><+|->im": split at the sign of the imaginary part (not the exponent's).
        let split = cartesian
            .char_indices()
            .skip(1)
            .find(|&(i, ch)| (ch == '+' || ch == '-') && !cartesian[..i].ends_with(['e', 'E']))
            .map(|(i, _)| i)
            .expect("imaginary part");
        let re: f64 = cartesian[..split].parse().expect("re");
        let im: f64 = cartesian[split..].parse().expect("im");
        let matrix: &mut NsiMatrixConfig = match target {
            "e" => &mut nsi.e,
            "u" => &mut nsi.u,
            "d" => &mut nsi.d,
            other => panic!("unknown NSI target {other}"),
        };
        let slot = match key.as_str() {
            "ee" => &mut matrix.ee,
            "emu" => &mut matrix.emu,
            "etau" => &mut matrix.etau,
            "mumu" => &mut matrix.mumu,
            "mutau" => &mut matrix.mutau,
            "tautau" => &mut matrix.tautau,
            other => panic!("unknown NSI entry {other}"),
        };
        *slot = [re, im];
    }
    nsi
}

/// The configuration and constants a table states in its header.
fn config_from_header(table: &Table) -> (OscillationConfig, PhysicalConstants) {
    let v = table.values();
    let get = |k: &str| *v.get(k).unwrap_or_else(|| panic!("header lacks `{k}`"));
    let model_line = table.line("model:").expect("model line");
    let model = match model_line.split_whitespace().next() {
        Some("3nu") => ModelKind::ThreeNu,
        Some("nsi") => ModelKind::Nsi,
        Some("nussi") => ModelKind::NuSsi,
        Some("3p1") => ModelKind::ThreePlusOne,
        other => panic!("unknown model {other:?}"),
    };
    let sterile = model == ModelKind::NuSsi || model == ModelKind::ThreePlusOne;
    let opt = |k: &str| sterile.then(|| get(k));
    let profile_line = table.line("profile").expect("profile line");
    let (_, segments) = profile_line.split_once("Y_e]:").expect("segments");
    let layers = bracket_triples(segments);
    assert!(!layers.is_empty(), "no layers parsed from `{profile_line}`");
    let config = OscillationConfig {
        model,
        dm21: get("Dm21^2"),
        dm31: get("Dm31^2"),
        dm41: opt("Dm41^2"),
        s12sq: get("sin^2 th12"),
        s13sq: get("sin^2 th13"),
        s23sq: get("sin^2 th23"),
        s14sq: opt("sin^2 th14"),
        s24sq: opt("sin^2 th24"),
        s34sq: opt("sin^2 th34"),
        delta_cp: get("delta_CP"),
        alpha: (model == ModelKind::NuSsi).then(|| get("alpha")),
        baseline_km: Some(get("total L")),
        density_gcc: None,
        ye: None,
        layers: Some(layers),
        prem: false,
        constants: ConstantSet::ReferenceTables,
        source: None,
        nsi: (model == ModelKind::Nsi).then(|| nsi_from_header(table)),
        nsi_from_model: false,
        model_nsi: None,
    };
    // "hbar*c = h c/(2 pi e) = 1.97...e-07 eV*m": the last '=' of that part.
    let constants_line = table.line("constants:").expect("constants line");
    let hbarc_ev_m: f64 = constants_line
        .split(';')
        .next()
        .and_then(|p| p.rsplit('=').next())
        .and_then(|p| p.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .expect("hbar c");
    let constants = PhysicalConstants {
        g_f: get("G_F"),
        hbarc_gev_cm: hbarc_ev_m * 1e-9 * 1e2,
        avogadro: get("N_A"),
    };
    assert_eq!(
        constants,
        PhysicalConstants::REFERENCE_TABLES,
        "table constants changed"
    );
    (config, constants)
}

/// `nu_<a>_to_<b>` / `nubar_<a>_to_<b>` -> (type, a, b).
fn parse_column(name: &str) -> (NuType, Flavour, Flavour) {
    let (nu, rest) = name.split_once('_').expect("column prefix");
    let nu = match nu {
        "nu" => NuType::Neutrino,
        "nubar" => NuType::Antineutrino,
        other => panic!("unknown column prefix {other}"),
    };
    let (a, b) = rest.split_once("_to_").expect("_to_");
    let flavour = |s: &str| {
        *Flavour::WITH_STERILE
            .iter()
            .find(|f| f.label() == s)
            .unwrap_or_else(|| panic!("unknown flavour {s}"))
    };
    (nu, flavour(a), flavour(b))
}

/// Max |computed - reference| over all energies and columns of one table.
fn max_deviation(path: &Path) -> f64 {
    let table = read_table(path);
    let (config, constants) = config_from_header(&table);
    // The `constants = "reference_tables"` key selects exactly the constants of the header.
    assert_eq!(config.constants.constants(), constants);
    let mut osc = config
        .build()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(table.columns[0], "E_GeV");
    let columns: Vec<_> = table.columns[1..].iter().map(|c| parse_column(c)).collect();
    assert_eq!(table.rows.len(), 25, "{}", path.display());
    let mut worst: f64 = 0.0;
    for row in &table.rows {
        let probabilities = osc.probabilities_both(row[0]).expect("probabilities");
        for (&(nu, a, b), &reference) in columns.iter().zip(&row[1..]) {
            let matrix = match nu {
                NuType::Neutrino => probabilities.nu,
                NuType::Antineutrino => probabilities.nubar,
            };
            let computed = matrix.get(a, b).expect("flavour in model");
            let deviation = (computed - reference).abs();
            // NaN must fail, not vanish in max().
            worst = if deviation.is_nan() {
                f64::INFINITY
            } else {
                worst.max(deviation)
            };
        }
    }
    worst
}

#[test]
fn every_reference_table_is_reproduced() {
    let dir = reference_dir().join("oscillation");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "reference directory {} not readable ({e}); set NUPORTAL_REFERENCE_DIR",
                dir.display()
            )
        })
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 9,
        "expected the 9 reference tables in {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for path in &files {
        let deviation = max_deviation(path);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("{name}: max |dP| = {deviation:.3e}");
        if deviation > TOLERANCE {
            failures.push(format!("{name}: {deviation:e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "deviations above {TOLERANCE}: {failures:?}"
    );
}
