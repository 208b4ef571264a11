//! Nuclear and nucleon targets: masses, PDG codes and form factors.
//!
//! # Masses
//! Nuclear masses follow DarkNews 0.4.8 (`nuclear_tools.py`): the AME2020 *atomic* mass
//! (Huang et al., Chin. Phys. C 45 (2021) 030002; Wang et al., ibid. 030003) minus Z electron
//! masses plus the total electron binding energy from the fit of Lunney, Pearson & Thibault,
//! Rev. Mod. Phys. 75 (2003) 1021, eq. (A4): B_e(Z) = (14.4381 Z^2.39 + 1.55468e-6 Z^5.35) eV.
//! The free proton ("H1") uses the PDG 2024 proton mass directly (the AME route agrees to 1e-8).
//!
//! # Form factors
//! All form factors are normalised to F(0) = 1 and take Q^2 = -t in GeV^2:
//! - [`FormFactorModel::FourierBessel`]: charge-density fits of de Vries, de Jager & de Vries,
//!   At. Data Nucl. Data Tables 36 (1987) 495 (coefficients a_nu in fm^-3 and cut-off radius R in
//!   fm, as tabulated there and shipped by DarkNews in `const_dics.fourier_bessel_dic`);
//! - [`FormFactorModel::Helm`]: Helm, Phys. Rev. 104 (1956) 1466, with the Lewin & Smith,
//!   Astropart. Phys. 6 (1996) 87, sec. 4.2 parameters (c = 1.23 A^(1/3) - 0.60 fm, a = 0.52 fm,
//!   s = 0.9 fm);
//! - [`FormFactorModel::KleinNystrand`]: Klein & Nystrand, PRC 60 (1999) 014903 (hard sphere
//!   R_A = 1.2 A^(1/3) fm folded with a Yukawa of range 0.7 fm), as used by COHERENT 2017;
//! - [`FormFactorModel::SymmetrizedFermi`]: analytic symmetrised-Fermi form factor (Sprung &
//!   Martorell, J. Phys. A 30 (1997) 6525, eq. (8)), with DarkNews' parameters a = 0.523 fm,
//!   c = 1.03 A^(1/3) fm - what DarkNews uses for nuclei without a Fourier-Bessel fit (DarkNews
//!   sets it to zero above Q = 5 GeV; here it is continued analytically).
//!
//! DarkNews 0.4.8 uses the same coherent form factor for the Z' and the SM-Z coupling.
//! Nucleons: dipole Sachs form factors, see [`proton_em_form_factors`].

use thiserror::Error;

/// hbar c in GeV fm: turns Q in GeV into q in fm^-1 (q = Q / HBARC_GEV_FM).
const HBARC_GEV_FM: f64 = crate::units::HBARC_GEV_CM * 1.0e13;

/// Errors of the nuclear module.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum NuclearError {
    /// The nucleus name is not in the built-in table.
    #[error("unknown nucleus '{0}' (known: {known})", known = KNOWN_NUCLEI)]
    UnknownNucleus(String),
    /// A form-factor model name was not recognised.
    #[error("unknown form-factor model '{0}' (valid: fourier_bessel, helm, symmetrized_fermi, klein_nystrand)")]
    UnknownFormFactor(String),
    /// The requested Fourier-Bessel fit does not exist for this nucleus.
    #[error("no Fourier-Bessel charge-density fit for {0}")]
    NoFourierBessel(&'static str),
}

const KNOWN_NUCLEI: &str = "H1, C12, O16, Na23, Si28, Ar40, Ca40, Fe56, Ge70, Ge72, Ge73, Ge74, Ge76, I127, Xe124, Xe126, Xe128, Xe129, Xe130, Xe131, Xe132, Xe134, Xe136, Cs133, Pb208";

/// Fourier-Bessel expansion of a nuclear charge density, rho(r) = sum_nu a_nu j0(nu pi r / R) for
/// r < R (de Vries, de Jager & de Vries 1987).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FourierBessel {
    /// Cut-off radius R, fm.
    pub r_fm: f64,
    /// Coefficients a_1 .. a_n, fm^-3.
    pub a: &'static [f64],
    /// F(0) before normalisation, sum_nu a_nu (-1)^(nu+1) R / k_nu^2 (fm^-1; fixed by the fit).
    den: f64,
}

impl FourierBessel {
    /// A fit with cut-off radius `r_fm` (fm) and coefficients `a` (fm^-3); the normalisation
    /// sum_nu a_nu (-1)^(nu+1) R / k_nu^2 is computed here, once (at compile time for the tables).
    #[must_use]
    pub const fn new(r_fm: f64, a: &'static [f64]) -> Self {
        let mut den = 0.0;
        let mut i = 0;
        while i < a.len() {
            #[allow(clippy::cast_precision_loss, reason = "a few dozen terms")]
            let k = (i + 1) as f64 * std::f64::consts::PI / r_fm;
            let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
            den += a[i] * sign * r_fm / (k * k);
            i += 1;
        }
        Self { r_fm, a, den }
    }

    /// Normalised form factor F(Q^2) (dimensionless) at Q^2 in GeV^2.
    ///
    /// F(q) = [sum_nu a_nu (-1)^(nu+1) sin(qR) / (q (k_nu^2 - q^2))] / [sum_nu a_nu (-1)^(nu+1) R / k_nu^2],
    /// k_nu = nu pi / R, q = Q / (hbar c) in fm^-1 (Fourier transform of the density above).
    /// Near the poles q = k_nu the equivalent form R sinc((q - k_nu) R) / (q (q + k_nu)) is used,
    /// so the result is finite everywhere.
    #[must_use]
    pub fn form_factor(&self, q2: f64) -> f64 {
        let r = self.r_fm;
        let q = q2.max(0.0).sqrt() / HBARC_GEV_FM;
        let qr = q * r;
        // One sine serves every term: k_nu R = nu pi, so sin((q - k_nu) R) = (-1)^nu sin(qR).
        let sin_qr = qr.sin();
        let mut num = 0.0;
        for (i, &a) in self.a.iter().enumerate() {
            let nu = (i + 1) as f64;
            let k = nu * std::f64::consts::PI / r;
            // (-1)^(nu+1)
            let sign = if (i + 1) % 2 == 1 { 1.0 } else { -1.0 };
            let term = if qr < 1.0 {
                // direct form, no pole nearby (k_1 R = pi > 1)
                let sin_over_q = if q > 0.0 { sin_qr / q } else { r };
                sign * sin_over_q / (k * k - q * q)
            } else {
                // R sinc(x) / (q (q + k)), x = (q - k) R, sin(x) = -sign sin(qR); the series
                // below |x| = 1e-3 (where the subtraction in x, not sin, sets the precision).
                let x = (q - k) * r;
                let sinc_x = if x.abs() < 1e-3 {
                    let x2 = x * x;
                    1.0 - x2 / 6.0 + x2 * x2 / 120.0
                } else {
                    -sign * sin_qr / x
                };
                r * sinc_x / (q * (q + k))
            };
            num += a * term;
        }
        num / self.den
    }
}

/// 3 j1(x)/x, with the small-x series (-> 1).
fn three_j1_over_x(x: f64) -> f64 {
    if x.abs() < 1e-3 {
        1.0 - x * x / 10.0
    } else {
        3.0 * (x.sin() / (x * x) - x.cos() / x) / x
    }
}

/// Nuclear form-factor models (all normalised to F(0) = 1; see module docs for the references).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FormFactorModel {
    /// Fourier-Bessel charge-density fit (de Vries, de Jager & de Vries 1987).
    FourierBessel,
    /// Helm form factor with Lewin-Smith parameters.
    Helm,
    /// Symmetrised Fermi distribution (DarkNews' fallback parameters).
    SymmetrizedFermi,
    /// Klein & Nystrand, PRC 60 (1999) 014903: hard sphere folded with a Yukawa potential.
    KleinNystrand,
}

impl FormFactorModel {
    /// Parse a model by name: `fourier_bessel`, `helm`, `symmetrized_fermi`.
    ///
    /// # Errors
    /// [`NuclearError::UnknownFormFactor`] for any other string.
    pub fn from_name(name: &str) -> Result<Self, NuclearError> {
        match name.to_ascii_lowercase().as_str() {
            "fourier_bessel" | "fourierbessel" => Ok(Self::FourierBessel),
            "helm" => Ok(Self::Helm),
            "symmetrized_fermi" | "symmetrizedfermi" => Ok(Self::SymmetrizedFermi),
            "klein_nystrand" | "kleinnystrand" => Ok(Self::KleinNystrand),
            _ => Err(NuclearError::UnknownFormFactor(name.to_owned())),
        }
    }
}

/// A target nucleus (ground state).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nucleus {
    /// Name in DarkNews style, e.g. "C12".
    pub name: &'static str,
    /// Proton number.
    pub z: u32,
    /// Mass number.
    pub a: u32,
    /// Nuclear mass, GeV (see module docs).
    pub mass: f64,
    fourier_bessel: Option<FourierBessel>,
}

/// (name, Z, A, AME2020 atomic mass in u, Fourier-Bessel fit)
type NucleusRow = (&'static str, u32, u32, f64, Option<FourierBessel>);

// de Vries, de Jager, de Vries, ADNDT 36 (1987) 495 (as in DarkNews const_dics.py).
const FB_C12: FourierBessel = FourierBessel::new(
    8.0,
    &[
        1.5737e-2, 3.8897e-2, 3.7085e-2, 1.4795e-2, -4.4831e-3, -1.0057e-2, -6.8696e-3, -2.8813e-3,
        -7.7229e-4, 6.6908e-5, 1.0636e-4, -3.6864e-5, -5.0135e-6, 9.4550e-6, -4.7687e-6,
    ],
);
const FB_O16: FourierBessel = FourierBessel::new(
    8.0,
    &[
        2.0238e-2, 4.4793e-2, 3.3533e-2, 3.5030e-3, -1.2293e-2, -1.0329e-2, -3.4036e-3, -4.1627e-4,
        -9.4435e-4, -2.5771e-4, 2.3759e-4, -1.0603e-4, 4.1480e-5,
    ],
);
const FB_SI28: FourierBessel = FourierBessel::new(
    8.0,
    &[
        3.3495e-2, 5.9533e-2, 2.0979e-2, -1.6900e-2, -1.4998e-2, -9.3248e-4, 3.3266e-3, 5.9244e-4,
        -4.0013e-4, 1.2242e-4, -1.2994e-5, -9.2784e-6, 7.2595e-6, -4.2096e-6,
    ],
);
const FB_AR40: FourierBessel = FourierBessel::new(
    9.0,
    &[
        3.0451e-2, 5.5337e-2, 2.0203e-2, -1.6765e-2, -1.3578e-2, -4.3204e-5, 9.1988e-4, -4.1205e-4,
        1.1971e-4, -1.9801e-5, -4.3204e-6, 6.1205e-6, -3.7803e-6, 1.8001e-6, -7.7407e-7,
    ],
);
const FB_CA40: FourierBessel = FourierBessel::new(
    8.0,
    &[
        4.4846e-2, 6.1326e-2, -1.6818e-3, -2.6217e-2, -2.9725e-3, 8.5534e-3, 3.5322e-3, -4.8258e-4,
        -3.9346e-4, 2.0338e-4, 2.5461e-5, -1.7794e-5, 6.7394e-6, -2.1033e-6,
    ],
);
const FB_FE56: FourierBessel = FourierBessel::new(
    9.0,
    &[
        4.2018e-2, 6.2337e-2, 2.3995e-4, -3.2776e-2, -7.9941e-3, 1.0844e-2, 4.9123e-3, -2.2144e-3,
        -1.8146e-4, 3.7261e-4, -2.3296e-4, 1.1494e-4, -5.0596e-5, 2.0652e-5, -7.9428e-6, 2.8986e-6,
        -1.0075e-6,
    ],
);
const FB_GE70: FourierBessel = FourierBessel::new(
    10.0,
    &[
        3.8182e-2, 6.0306e-2, 6.4346e-3, -2.9427e-2, -9.5888e-3, 8.7849e-3, 4.9187e-3, -1.5189e-3,
        -1.7385e-3, -1.6794e-4, -1.1746e-4, 6.5768e-5, -3.0691e-5, 1.3051e-6, -5.2251e-6,
    ],
);
const FB_GE72: FourierBessel = FourierBessel::new(
    10.0,
    &[
        3.8083e-2, 5.9342e-2, 4.7718e-3, -2.9953e-2, -8.8476e-3, 9.6205e-3, 4.7901e-3, -1.6869e-3,
        -1.5406e-3, -9.7230e-5, -4.7640e-5, -1.5669e-6, 6.7076e-6, -4.4500e-6, 2.2158e-6,
    ],
);
const FB_GE74: FourierBessel = FourierBessel::new(
    10.0,
    &[
        3.7989e-2, 5.8298e-2, 2.7406e-3, -3.0666e-2, -8.1505e-3, 1.0231e-2, 4.9382e-3, -1.6270e-3,
        -1.3937e-3, 1.5476e-4, 1.4396e-4, -7.3075e-5, 3.1998e-5, -1.2822e-5, 4.8406e-6,
    ],
);
const FB_GE76: FourierBessel = FourierBessel::new(
    10.0,
    &[
        3.7951e-2, 5.7876e-2, 1.5303e-3, -3.1822e-2, -7.6875e-3, 1.1237e-2, 5.0780e-3, -1.7293e-3,
        -1.5523e-3, 7.2439e-5, 1.6560e-4, -8.6631e-5, 3.9159e-5, -1.6259e-5, 6.3681e-6,
    ],
);

/// Built-in nuclei: AME2020 atomic masses (u).
const NUCLEI: &[NucleusRow] = &[
    ("C12", 6, 12, 12.0, Some(FB_C12)),
    ("O16", 8, 16, 15.994_914_619_57, Some(FB_O16)),
    ("Na23", 11, 23, 22.989_769_282, None),
    ("Si28", 14, 28, 27.976_926_532_73, Some(FB_SI28)),
    ("Ar40", 18, 40, 39.962_383_123_24, Some(FB_AR40)),
    ("Ca40", 20, 40, 39.962_590_850, Some(FB_CA40)),
    ("Fe56", 26, 56, 55.934_936_326, Some(FB_FE56)),
    ("Ge70", 32, 70, 69.924_248_701, Some(FB_GE70)),
    ("Ge72", 32, 72, 71.922_075_824, Some(FB_GE72)),
    ("Ge73", 32, 73, 72.923_458_954, None),
    ("Ge74", 32, 74, 73.921_177_760, Some(FB_GE74)),
    ("Ge76", 32, 76, 75.921_402_725, Some(FB_GE76)),
    ("I127", 53, 127, 126.904_471_9, None),
    ("Xe124", 54, 124, 123.905_892, None),
    ("Xe126", 54, 126, 125.904_298_3, None),
    ("Xe128", 54, 128, 127.903_531, None),
    ("Xe129", 54, 129, 128.904_780_857, None),
    ("Xe130", 54, 130, 129.903_509_4, None),
    ("Xe131", 54, 131, 130.905_084_057, None),
    ("Xe132", 54, 132, 131.904_155_085, None),
    ("Xe134", 54, 134, 133.905_393_030, None),
    ("Xe136", 54, 136, 135.907_214_474, None),
    ("Cs133", 55, 133, 132.905_451_961, None),
    ("Pb208", 82, 208, 207.976_652_005, None),
];

/// Total electron binding energy of a neutral atom, GeV (Lunney, Pearson & Thibault,
/// RMP 75 (2003) 1021, eq. (A4)).
#[must_use]
pub fn electron_binding_energy(z: u32) -> f64 {
    let z = f64::from(z);
    (14.4381 * z.powf(2.39) + 1.55468e-6 * z.powf(5.35)) * 1e-9
}

/// Nuclear mass (GeV) from an atomic mass in u: M = m_atom - Z m_e + B_e(Z).
#[must_use]
pub fn nuclear_mass_from_atomic(atomic_mass_u: f64, z: u32) -> f64 {
    atomic_mass_u * crate::units::AMU - f64::from(z) * crate::units::M_E
        + electron_binding_energy(z)
}

impl Nucleus {
    /// The free proton as a target ("H1"): mass = PDG 2024 m_p, dipole form factors.
    #[must_use]
    pub const fn proton() -> Self {
        Self {
            name: "H1",
            z: 1,
            a: 1,
            mass: crate::units::M_P,
            fourier_bessel: None,
        }
    }

    /// Look a nucleus up by name ("C12", "c12", "Ar40", ...; "H1", "p" or "proton" for the proton).
    ///
    /// # Errors
    /// [`NuclearError::UnknownNucleus`] if the name is not in the built-in table.
    pub fn from_name(name: &str) -> Result<Self, NuclearError> {
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), "h1" | "p" | "proton") {
            return Ok(Self::proton());
        }
        NUCLEI
            .iter()
            .find(|row| row.0.eq_ignore_ascii_case(&lower))
            .map(|&(n, z, a, m_u, fb)| Self {
                name: n,
                z,
                a,
                mass: nuclear_mass_from_atomic(m_u, z),
                fourier_bessel: fb,
            })
            .ok_or_else(|| NuclearError::UnknownNucleus(name.to_owned()))
    }

    /// Neutron number N = A - Z.
    #[must_use]
    pub const fn n(&self) -> u32 {
        self.a - self.z
    }

    /// True for the free proton (A = 1).
    #[must_use]
    pub const fn is_proton(&self) -> bool {
        self.a == 1
    }

    /// PDG Monte Carlo code: 2212 for the proton, 100ZZZAAA0 for nuclei (PDG 2024 "Monte Carlo
    /// particle numbering scheme", rule 16).
    #[must_use]
    pub const fn pdg_code(&self) -> i64 {
        if self.is_proton() {
            2212
        } else {
            1_000_000_000 + 10_000 * self.z as i64 + 10 * self.a as i64
        }
    }

    /// The Fourier-Bessel fit, if tabulated for this nucleus.
    #[must_use]
    pub const fn fourier_bessel(&self) -> Option<&FourierBessel> {
        self.fourier_bessel.as_ref()
    }

    /// The model DarkNews 0.4.8 uses for the Z' (electromagnetic-like) coherent form factor:
    /// Fourier-Bessel where tabulated, else the symmetrised Fermi form factor.
    #[must_use]
    pub const fn default_form_factor_model(&self) -> FormFactorModel {
        if self.fourier_bessel.is_some() {
            FormFactorModel::FourierBessel
        } else {
            FormFactorModel::SymmetrizedFermi
        }
    }

    /// Check that `model` can be evaluated for this nucleus.
    ///
    /// # Errors
    /// [`NuclearError::NoFourierBessel`] if `model` is Fourier-Bessel and no fit is tabulated.
    pub fn check_form_factor(&self, model: FormFactorModel) -> Result<(), NuclearError> {
        if model == FormFactorModel::FourierBessel && self.fourier_bessel.is_none() {
            return Err(NuclearError::NoFourierBessel(self.name));
        }
        Ok(())
    }

    /// Coherent form factor F(Q^2) (dimensionless, F(0) = 1) at Q^2 in GeV^2.
    /// A Fourier-Bessel request for a nucleus without a fit falls back to the symmetrised Fermi
    /// form factor, as DarkNews does (use [`Nucleus::check_form_factor`] to reject it instead).
    #[must_use]
    pub fn form_factor(&self, model: FormFactorModel, q2: f64) -> f64 {
        let a = f64::from(self.a);
        match model {
            FormFactorModel::FourierBessel => match &self.fourier_bessel {
                Some(fb) => fb.form_factor(q2),
                None => symmetrized_fermi(q2, a),
            },
            FormFactorModel::Helm => helm_lewin_smith(q2, a),
            FormFactorModel::SymmetrizedFermi => symmetrized_fermi(q2, a),
            FormFactorModel::KleinNystrand => klein_nystrand(q2, a),
        }
    }
}

/// Helm form factor, Lewin-Smith parameters (physics.md item 6; Lewin & Smith 1996 eqs. (4.7)-(4.11)):
/// F = 3 j1(q r_n)/(q r_n) exp(-q^2 s^2/2), r_n^2 = c^2 + (7/3) pi^2 a^2 - 5 s^2,
/// c = 1.23 A^(1/3) - 0.60 fm, a = 0.52 fm, s = 0.9 fm. Q^2 in GeV^2.
#[must_use]
pub fn helm_lewin_smith(q2: f64, a_mass: f64) -> f64 {
    let (a, s) = (0.52, 0.9);
    let c = 1.23 * a_mass.cbrt() - 0.60;
    let rn = (c * c + 7.0 / 3.0 * std::f64::consts::PI.powi(2) * a * a - 5.0 * s * s)
        .max(0.0)
        .sqrt();
    let q = q2.max(0.0).sqrt() / HBARC_GEV_FM;
    three_j1_over_x(q * rn) * (-0.5 * q * q * s * s).exp()
}

/// Klein-Nystrand form factor (Klein & Nystrand, PRC 60 (1999) 014903, sec. II): a hard sphere of
/// radius R_A = 1.2 A^(1/3) fm folded with a Yukawa potential of range a_k = 0.7 fm,
/// F = 3 j1(q R_A)/(q R_A) / (1 + q^2 a_k^2), the form COHERENT used for its 2017 prediction
/// (arXiv:1708.01294). Q^2 in GeV^2.
#[must_use]
pub fn klein_nystrand(q2: f64, a_mass: f64) -> f64 {
    let (r_a, a_k) = (1.2 * a_mass.cbrt(), 0.7);
    let q = q2.max(0.0).sqrt() / HBARC_GEV_FM;
    three_j1_over_x(q * r_a) / (1.0 + q * q * a_k * a_k)
}

/// Symmetrised Fermi form factor (Sprung & Martorell 1997, eq. (8)) with DarkNews' parameters
/// a = 0.523 fm, c = 1.03 A^(1/3) fm:
/// F = 3 pi a / (c (c^2 + pi^2 a^2)) [pi a coth(pi q a) sin(qc) - c cos(qc)] / (q sinh(pi q a)).
/// Q^2 in GeV^2. For q c < 1e-3 the series 1 - q^2 <r^2>/6, <r^2> = (3/5) c^2 + (7/5) pi^2 a^2 is used.
#[must_use]
pub fn symmetrized_fermi(q2: f64, a_mass: f64) -> f64 {
    let a = 0.523;
    let c = 1.03 * a_mass.cbrt();
    let pi = std::f64::consts::PI;
    let q = q2.max(0.0).sqrt() / HBARC_GEV_FM;
    if q * c < 1e-3 {
        let r2 = 0.6 * c * c + 1.4 * pi * pi * a * a;
        return 1.0 - q * q * r2 / 6.0;
    }
    let y = pi * q * a;
    // coth(y) and 1/sinh(y) written with exp(-y) to avoid overflow at large q.
    let e = (-y).exp();
    let e2 = e * e;
    let coth = (1.0 + e2) / (1.0 - e2);
    let csch = 2.0 * e / (1.0 - e2);
    3.0 * pi * a / (c * (c * c + pi * pi * a * a))
        * (pi * a * coth * (q * c).sin() - c * (q * c).cos())
        * csch
        / q
}

/// Dipole vector mass of the nucleon form factors, GeV (DarkNews 0.4.8 `nuclear_tools.D`).
pub const DIPOLE_MASS_GEV: f64 = 0.843;
/// Proton magnetic moment in nuclear magnetons, as DarkNews 0.4.8 (`MAG_P`).
pub const MU_P: f64 = 2.792;
/// Neutron magnetic moment in nuclear magnetons, as DarkNews 0.4.8 (`MAG_N`).
pub const MU_N: f64 = -1.913;
/// Nucleon axial coupling g_A and axial mass M_A (GeV) used by DarkNews 0.4.8 (`nucleon_F3_NC`).
pub const G_A_NUCLEON: f64 = 1.26;
/// Axial dipole mass, GeV (DarkNews 0.4.8).
pub const M_A_GEV: f64 = 1.02;

/// Dipole G_D(Q^2) = (1 + Q^2/M_V^2)^-2, M_V = 0.843 GeV. Q^2 in GeV^2.
#[must_use]
pub fn dipole(q2: f64) -> f64 {
    let x = 1.0 + q2 / (DIPOLE_MASS_GEV * DIPOLE_MASS_GEV);
    1.0 / (x * x)
}

/// Proton Dirac and Pauli form factors (F1, F2) from dipole Sachs form factors
/// G_E = G_D, G_M = mu_p G_D (physics.md items 1-2; e.g. Perdrisat, Punjabi, Vanderhaeghen,
/// Prog. Part. Nucl. Phys. 59 (2007) 694, eq. (6)): F1 = (G_E + tau G_M)/(1 + tau),
/// F2 = (G_M - G_E)/(1 + tau), tau = Q^2/(4 m_p^2). Q^2 in GeV^2.
#[must_use]
pub fn proton_em_form_factors(q2: f64) -> (f64, f64) {
    let tau = q2 / (4.0 * crate::units::M_P * crate::units::M_P);
    let gd = dipole(q2);
    (
        (1.0 + tau * MU_P) * gd / (1.0 + tau),
        (MU_P - 1.0) * gd / (1.0 + tau),
    )
}

/// Proton neutral-current form factors (F1^Z, F2^Z, G_A^Z) exactly as DarkNews 0.4.8 builds them
/// (`nucleon_F1_NC`, `nucleon_F2_NC`, `nucleon_F3_NC`, isospin tau3 = +1, s_W^2 = 0.22343).
///
/// DarkNews multiplies these (which already contain the NC charges (1/2 - 2 s_W^2 at Q^2 = 0) and
/// g_A/2) by a further coupling `cprotonV`; the reproduction keeps that convention, see
/// `process::upscatter`. Q^2 in GeV^2.
#[must_use]
pub fn proton_nc_form_factors_darknews(q2: f64) -> (f64, f64, f64) {
    let s2w = crate::units::SIN2_THETA_W_ON_SHELL_DARKNEWS;
    let tau = q2 / (4.0 * crate::units::M_P * crate::units::M_P);
    let gd = dipole(q2);
    let f1 = ((0.5 - s2w) * (1.0 + tau * (1.0 + MU_P - MU_N))
        - s2w * (1.0 + tau * (1.0 + MU_P + MU_N)))
        / (1.0 + tau);
    let f2 = ((0.5 - s2w) * (MU_P - MU_N) - s2w * (MU_P + MU_N)) / (1.0 + tau);
    let xa = 1.0 + q2 / (M_A_GEV * M_A_GEV);
    (f1 * gd, f2 * gd, 0.5 * G_A_NUCLEON / (xa * xa))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-sine evaluation equals the term-by-term formula (a sine per term) to 1e-12,
    /// including next to every pole q = k_nu, for every nucleus with a Fourier-Bessel fit.
    #[test]
    fn one_sine_fourier_bessel_equals_the_term_by_term_sum() {
        fn direct(fb: &FourierBessel, q: f64) -> f64 {
            let r = fb.r_fm;
            let (mut num, mut den) = (0.0, 0.0);
            for (i, &a) in fb.a.iter().enumerate() {
                let k = (i + 1) as f64 * std::f64::consts::PI / r;
                let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
                den += a * sign * r / (k * k);
                num += a * sign * (q * r).sin() / q / (k * k - q * q);
            }
            num / den
        }
        for fb in [FB_C12, FB_O16, FB_SI28, FB_AR40, FB_FE56, FB_GE76] {
            let k1 = std::f64::consts::PI / fb.r_fm;
            for j in 1..400 {
                // q from 0.01 k_1 to ~8 k_1, avoiding exact poles by an irrational offset.
                let q = k1 * (0.01 + 0.02 * j as f64 + 1e-3 * std::f64::consts::SQRT_2);
                let q2 = (q * HBARC_GEV_FM).powi(2);
                let (a, b) = (fb.form_factor(q2), direct(&fb, q));
                assert!(
                    (a - b).abs() < 1e-12 * (1.0 + b.abs()),
                    "q = {q}: {a} vs {b}"
                );
            }
            // Right next to the poles the series branch takes over and stays finite and continuous.
            for nu in 1..=fb.a.len() {
                let k = nu as f64 * k1;
                let at = |q: f64| fb.form_factor((q * HBARC_GEV_FM).powi(2));
                let (lo, mid, hi) = (at(k * (1.0 - 1e-9)), at(k), at(k * (1.0 + 1e-9)));
                assert!(
                    mid.is_finite() && (lo - mid).abs() < 1e-7 && (hi - mid).abs() < 1e-7,
                    "pole {nu}: {lo} {mid} {hi}"
                );
            }
        }
    }

    #[test]
    fn c12_mass_matches_physics_sheet() {
        let c12 = Nucleus::from_name("C12").unwrap();
        assert!((c12.mass - 11.174_86).abs() < 1e-5, "{}", c12.mass);
        assert_eq!(c12.pdg_code(), 1_000_060_120);
        assert_eq!(
            Nucleus::from_name("ar40").unwrap().pdg_code(),
            1_000_180_400
        );
        assert_eq!(Nucleus::proton().pdg_code(), 2212);
        assert!(Nucleus::from_name("Xx1").is_err());
    }

    #[test]
    fn form_factors_are_normalised_and_finite() {
        for name in [
            "C12", "O16", "Si28", "Ar40", "Ge76", "Cs133", "Xe132", "Pb208",
        ] {
            let nuc = Nucleus::from_name(name).unwrap();
            for model in [
                FormFactorModel::FourierBessel,
                FormFactorModel::Helm,
                FormFactorModel::SymmetrizedFermi,
            ] {
                assert!(
                    (nuc.form_factor(model, 0.0) - 1.0).abs() < 1e-12,
                    "{name} {model:?}"
                );
                for i in 0..2000 {
                    let q2 = 1e-8 * 1.02f64.powi(i);
                    let f = nuc.form_factor(model, q2);
                    assert!(
                        f.is_finite() && f.abs() <= 1.0 + 1e-9,
                        "{name} {model:?} {q2} {f}"
                    );
                }
            }
        }
    }

    #[test]
    fn fourier_bessel_is_continuous_through_poles() {
        let fb = FB_C12;
        for nu in 1..15 {
            let k = f64::from(nu) * std::f64::consts::PI / fb.r_fm;
            let q2 = (k * HBARC_GEV_FM).powi(2);
            let (lo, mid, hi) = (
                fb.form_factor(q2 * (1.0 - 1e-7)),
                fb.form_factor(q2),
                fb.form_factor(q2 * (1.0 + 1e-7)),
            );
            assert!(
                (lo - mid).abs() < 1e-6 && (hi - mid).abs() < 1e-6,
                "nu={nu}: {lo} {mid} {hi}"
            );
        }
    }

    #[test]
    fn c12_radius_from_fourier_bessel() {
        // <r^2> = -6 dF/dq^2 at 0; the C12 charge radius is 2.47 fm (de Vries et al. 1987).
        let nuc = Nucleus::from_name("C12").unwrap();
        let q = 0.01 / HBARC_GEV_FM; // fm^-1
        let f = nuc.form_factor(FormFactorModel::FourierBessel, (0.01f64).powi(2));
        let r = (6.0 * (1.0 - f) / (q * q)).sqrt();
        assert!((r - 2.47).abs() < 0.02, "{r}");
    }

    #[test]
    fn proton_form_factors_at_zero() {
        let (f1, f2) = proton_em_form_factors(0.0);
        assert!((f1 - 1.0).abs() < 1e-15 && (f2 - (MU_P - 1.0)).abs() < 1e-15);
        let (g1, _g2, ga) = proton_nc_form_factors_darknews(0.0);
        assert!((g1 - (0.5 - 2.0 * 0.22343)).abs() < 1e-12);
        assert!((ga - 0.63).abs() < 1e-12);
    }
}
