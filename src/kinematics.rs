//! Four-vectors, Lorentz boosts, rotations and two-body kinematics.
//!
//! Metric (+, -, -, -); components in GeV. Every function is pure and allocation-free.
//! The boost formula is the standard one (e.g. PDG 2024 "Kinematics" review, eq. (49.5)):
//! for a frame moving with velocity beta along the unit vector n (gamma = 1/sqrt(1 - beta^2)),
//! p' = p + [ (gamma - 1)(p.n) + gamma beta E ] n,  E' = gamma (E + beta p.n).

use std::ops::{Add, Mul, Neg, Sub};

/// A four-vector (E, px, py, pz) in GeV (or a space-time point (t, x, y, z) in any one unit).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FourVector {
    /// Energy (time) component.
    pub e: f64,
    /// x component.
    pub px: f64,
    /// y component.
    pub py: f64,
    /// z component.
    pub pz: f64,
}

/// A three-vector, used for directions, boost velocities and positions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Vec3 {
    /// x component.
    pub x: f64,
    /// y component.
    pub y: f64,
    /// z component.
    pub z: f64,
}

impl Vec3 {
    /// A three-vector from its components.
    #[inline]
    #[must_use]
    pub const fn new(x: f64, y: f64, z: f64) -> Self {
        Self { x, y, z }
    }
    /// Euclidean dot product.
    #[inline]
    #[must_use]
    pub fn dot(self, o: Self) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }
    /// Euclidean norm.
    #[inline]
    #[must_use]
    pub fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }
    /// Multiply by a scalar.
    #[inline]
    #[must_use]
    pub fn scale(self, s: f64) -> Self {
        Self::new(self.x * s, self.y * s, self.z * s)
    }
    /// The unit vector along `self`; the z axis for a zero vector.
    #[inline]
    #[must_use]
    pub fn unit(self) -> Self {
        let n = self.norm();
        if n > 0.0 {
            self.scale(1.0 / n)
        } else {
            Self::new(0.0, 0.0, 1.0)
        }
    }
    /// Cross product.
    #[inline]
    #[must_use]
    pub fn cross(self, o: Self) -> Self {
        Self::new(
            self.y * o.z - self.z * o.y,
            self.z * o.x - self.x * o.z,
            self.x * o.y - self.y * o.x,
        )
    }
    /// A unit vector from polar angle (given by its cosine) and azimuth, about the z axis.
    #[inline]
    #[must_use]
    pub fn from_angles(cos_theta: f64, phi: f64) -> Self {
        let sin_theta = (1.0 - cos_theta * cos_theta).max(0.0).sqrt();
        let (sp, cp) = phi.sin_cos();
        Self::new(sin_theta * cp, sin_theta * sp, cos_theta)
    }
    /// Rotate a vector given in a frame whose z axis is the unit vector `axis` into the lab frame.
    /// The rotation takes (0, 0, 1) to `axis`; the azimuth convention is fixed (a rotation about
    /// the axis perpendicular to both z and `axis`), which is immaterial for distributions that
    /// are uniform in azimuth.
    #[inline]
    #[must_use]
    pub fn rotate_from_z(self, axis: Self) -> Self {
        // Rodrigues' rotation taking z-hat to axis.
        let c = axis.z;
        if c > 1.0 - 1e-15 {
            return self;
        }
        if c < -1.0 + 1e-15 {
            // rotation by pi about x
            return Self::new(self.x, -self.y, -self.z);
        }
        let k = Self::new(-axis.y, axis.x, 0.0); // z x axis, |k| = sin
        let s2 = k.dot(k);
        // R v = v c + (k x v) + k (k.v) (1 - c)/s^2
        let kxv = k.cross(self);
        let kv = k.dot(self);
        Self::new(
            self.x * c + kxv.x + k.x * kv * (1.0 - c) / s2,
            self.y * c + kxv.y + k.y * kv * (1.0 - c) / s2,
            self.z * c + kxv.z + k.z * kv * (1.0 - c) / s2,
        )
    }
}

impl Add for Vec3 {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        Self::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}
impl Sub for Vec3 {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        Self::new(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}

impl FourVector {
    /// A four-vector from its components (GeV).
    #[inline]
    #[must_use]
    pub const fn new(e: f64, px: f64, py: f64, pz: f64) -> Self {
        Self { e, px, py, pz }
    }
    /// A particle of mass `m` at rest.
    #[inline]
    #[must_use]
    pub const fn at_rest(m: f64) -> Self {
        Self::new(m, 0.0, 0.0, 0.0)
    }
    /// A particle of mass `m` and three-momentum `p` (on shell).
    #[inline]
    #[must_use]
    pub fn on_shell(m: f64, p: Vec3) -> Self {
        Self::new((m * m + p.dot(p)).sqrt(), p.x, p.y, p.z)
    }
    /// The three-momentum.
    #[inline]
    #[must_use]
    pub fn p3(self) -> Vec3 {
        Vec3::new(self.px, self.py, self.pz)
    }
    /// Minkowski product a.b = a0 b0 - a.b.
    #[inline]
    #[must_use]
    pub fn dot(self, o: Self) -> f64 {
        self.e * o.e - self.px * o.px - self.py * o.py - self.pz * o.pz
    }
    /// Invariant mass squared p^2.
    #[inline]
    #[must_use]
    pub fn m2(self) -> f64 {
        self.dot(self)
    }
    /// Invariant mass, sqrt(max(p^2, 0)).
    #[inline]
    #[must_use]
    pub fn m(self) -> f64 {
        self.m2().max(0.0).sqrt()
    }
    /// |p|.
    #[inline]
    #[must_use]
    pub fn p(self) -> f64 {
        self.p3().norm()
    }
    /// Cosine of the polar angle with respect to +z (1 for a zero three-momentum).
    #[inline]
    #[must_use]
    pub fn cos_theta(self) -> f64 {
        let p = self.p();
        if p > 0.0 {
            self.pz / p
        } else {
            1.0
        }
    }
    /// Velocity vector beta = p / E of this four-vector (the boost that takes its rest frame to the
    /// frame it is given in).
    #[inline]
    #[must_use]
    pub fn beta(self) -> Vec3 {
        self.p3().scale(1.0 / self.e)
    }
    /// Lorentz boost by velocity `b` (|b| < 1): the vector seen from a frame moving with -b, i.e.
    /// a particle at rest becomes one moving with velocity b. See the module docs for the formula.
    #[inline]
    #[must_use]
    pub fn boost(self, b: Vec3) -> Self {
        let b2 = b.dot(b);
        if b2 <= 0.0 {
            return self;
        }
        let gamma = 1.0 / (1.0 - b2).sqrt();
        let bp = b.x * self.px + b.y * self.py + b.z * self.pz;
        let coef = (gamma - 1.0) * bp / b2 + gamma * self.e;
        Self::new(
            gamma * (self.e + bp),
            self.px + coef * b.x,
            self.py + coef * b.y,
            self.pz + coef * b.z,
        )
    }
    /// Boost from the rest frame of `frame` (a timelike four-vector, e.g. a parent particle) to the
    /// frame `frame` is given in: the same transformation as `self.boost(frame.beta())`, written
    /// with the parent's mass M = sqrt(frame^2) and momentum so that it stays exact at large
    /// gamma: E' = (E P0 + p.P)/M, p' = p + P [ (p.P)/(M (P0 + M)) + E/M ] (PDG 2024 Kinematics,
    /// eq. (49.5) with gamma = P0/M, gamma beta = P/M). Added for the dark-neutrino decays.
    /// The frame mass is taken from `frame` itself; see [`FourVector::boost_from_rest_frame_with_mass`].
    #[inline]
    #[must_use]
    pub fn boost_from_rest_frame_of(self, frame: Self) -> Self {
        self.boost_from_rest_frame_with_mass(frame, frame.m())
    }

    /// As [`FourVector::boost_from_rest_frame_of`] with the frame mass `m` (GeV) given explicitly.
    /// Momenta built in a rest frame with total energy `m` then sum exactly (to rounding) to `frame`
    /// after the boost, however large gamma is; computing m = sqrt(E^2 - p^2) instead carries a
    /// relative error ~ gamma^2 1e-16.
    #[inline]
    #[must_use]
    pub fn boost_from_rest_frame_with_mass(self, frame: Self, m: f64) -> Self {
        if !(m > 0.0) {
            return self;
        }
        let pp = self.px * frame.px + self.py * frame.py + self.pz * frame.pz;
        let coef = pp / (m * (frame.e + m)) + self.e / m;
        Self::new(
            (self.e * frame.e + pp) / m,
            self.px + coef * frame.px,
            self.py + coef * frame.py,
            self.pz + coef * frame.pz,
        )
    }

    /// Boost into the rest frame of `frame` (inverse of [`FourVector::boost_from_rest_frame_of`]).
    #[inline]
    #[must_use]
    pub fn boost_to_rest_frame_of(self, frame: Self) -> Self {
        self.boost_from_rest_frame_of(Self::new(frame.e, -frame.px, -frame.py, -frame.pz))
    }

    /// Rotate the three-momentum as by [`Vec3::rotate_from_z`].
    #[inline]
    #[must_use]
    pub fn rotate_from_z(self, axis: Vec3) -> Self {
        let p = self.p3().rotate_from_z(axis);
        Self::new(self.e, p.x, p.y, p.z)
    }
}

impl Add for FourVector {
    type Output = Self;
    #[inline]
    fn add(self, o: Self) -> Self {
        Self::new(self.e + o.e, self.px + o.px, self.py + o.py, self.pz + o.pz)
    }
}
impl Sub for FourVector {
    type Output = Self;
    #[inline]
    fn sub(self, o: Self) -> Self {
        Self::new(self.e - o.e, self.px - o.px, self.py - o.py, self.pz - o.pz)
    }
}
impl Neg for FourVector {
    type Output = Self;
    #[inline]
    fn neg(self) -> Self {
        Self::new(-self.e, -self.px, -self.py, -self.pz)
    }
}
impl Mul<f64> for FourVector {
    type Output = Self;
    #[inline]
    fn mul(self, s: f64) -> Self {
        Self::new(self.e * s, self.px * s, self.py * s, self.pz * s)
    }
}

/// Momentum of either daughter in the rest frame of a parent of mass `m0` decaying to masses
/// `m1`, `m2`: p* = sqrt(lambda(m0^2, m1^2, m2^2)) / (2 m0) (PDG 2024 Kinematics, eq. (49.17)).
/// Returns `None` below threshold.
#[inline]
#[must_use]
pub fn two_body_momentum(m0: f64, m1: f64, m2: f64) -> Option<f64> {
    if m0 < m1 + m2 || m0 <= 0.0 {
        return None;
    }
    let l = crate::units::kallen(m0 * m0, m1 * m1, m2 * m2);
    Some(l.max(0.0).sqrt() / (2.0 * m0))
}

/// Decay a parent of four-momentum `parent` into two daughters of masses `m1`, `m2`, with daughter 1
/// emitted in the parent rest frame along the unit vector `dir_rest` (given in the lab-aligned axes
/// of the rest frame). Returns (p1, p2) in the frame `parent` is given in, or `None` below threshold.
#[inline]
#[must_use]
pub fn two_body_decay(
    parent: FourVector,
    m1: f64,
    m2: f64,
    dir_rest: Vec3,
) -> Option<(FourVector, FourVector)> {
    let m0 = parent.m();
    let p = two_body_momentum(m0, m1, m2)?;
    let d = dir_rest.scale(p);
    let p1 = FourVector::on_shell(m1, d);
    let p2 = FourVector::on_shell(m2, Vec3::new(-d.x, -d.y, -d.z));
    // exact at large gamma (the velocity form loses ~gamma^2 1e-16 in 1 - beta^2)
    Some((
        p1.boost_from_rest_frame_of(parent),
        p2.boost_from_rest_frame_of(parent),
    ))
}

/// Maximum recoil kinetic energy, GeV, of a target of mass `m` GeV at rest struck elastically by a
/// massless neutrino of energy `e_nu` GeV: T_max = 2 E^2 / (M + 2 E) (PDG 2024 Kinematics, two-body
/// scattering; physics sheet items 5 and 7).
#[inline]
#[must_use]
pub fn elastic_t_max(e_nu: f64, m: f64) -> f64 {
    2.0 * e_nu * e_nu / (m + 2.0 * e_nu)
}

/// Cosine of the recoil's angle to the incoming neutrino (energy `e_nu` GeV, along +z) for a target of
/// mass `m` GeV at rest with recoil kinetic energy `t` GeV: cos theta = (E + M)/E sqrt(T/(T + 2M)),
/// clamped to [-1, 1].
#[inline]
#[must_use]
pub fn elastic_cos_theta(e_nu: f64, m: f64, t: f64) -> f64 {
    ((e_nu + m) / e_nu * (t / (t + 2.0 * m)).sqrt()).clamp(-1.0, 1.0)
}

/// Final state of nu + T -> nu + T (massless neutrino of energy `e_nu` GeV along +z, target of mass
/// `m` GeV at rest) for recoil kinetic energy `t` GeV and azimuth `phi`: (outgoing neutrino, recoil).
/// The neutrino is built by momentum conservation, so conservation is exact to rounding.
#[inline]
#[must_use]
pub fn elastic_final_state(e_nu: f64, m: f64, t: f64, phi: f64) -> (FourVector, FourVector) {
    let c = elastic_cos_theta(e_nu, m, t);
    let p = (t * (t + 2.0 * m)).sqrt();
    let recoil = FourVector::on_shell(m, Vec3::from_angles(c, phi).scale(p));
    let nu_in = FourVector::new(e_nu, 0.0, 0.0, e_nu);
    let nu_out = nu_in + FourVector::at_rest(m) - recoil;
    (nu_out, recoil)
}

/// Largest relative violation of four-momentum conservation between `initial` and `final_`,
/// normalised to the initial energy: max_mu |P_i^mu - P_f^mu| / E_i.
#[must_use]
pub fn conservation_violation(initial: FourVector, final_: FourVector) -> f64 {
    let d = initial - final_;
    let scale = initial.e.abs().max(1e-300);
    d.e.abs().max(d.px.abs()).max(d.py.abs()).max(d.pz.abs()) / scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn boost_of_rest_particle_gives_its_momentum() {
        let m = 0.42;
        let p = FourVector::on_shell(m, Vec3::new(0.3, -0.2, 1.1));
        let rest = FourVector::at_rest(m);
        let q = rest.boost(p.beta());
        assert!(conservation_violation(p, q) < 1e-14);
    }

    #[test]
    fn rest_frame_boosts_match_velocity_boost_and_invert() {
        let parent = FourVector::on_shell(0.42, Vec3::new(0.3, -0.2, 1.1));
        let q = FourVector::on_shell(0.1, Vec3::new(0.05, 0.02, -0.07));
        let a = q.boost(parent.beta());
        let b = q.boost_from_rest_frame_of(parent);
        assert!(conservation_violation(a, b) < 1e-14);
        assert!(conservation_violation(q, b.boost_to_rest_frame_of(parent)) < 1e-14);
        assert!(
            conservation_violation(
                FourVector::at_rest(0.42),
                parent.boost_to_rest_frame_of(parent)
            ) < 1e-14
        );
        // large gamma stays exact
        let fast = FourVector::on_shell(0.05, Vec3::new(8.0, 7.0, 0.0));
        let back = FourVector::at_rest(0.05).boost_from_rest_frame_with_mass(fast, 0.05);
        assert!(conservation_violation(fast, back) < 1e-15);
    }

    #[test]
    fn rotation_takes_z_to_axis() {
        let axis = Vec3::new(0.3, -0.4, 0.2).unit();
        let r = Vec3::new(0.0, 0.0, 1.0).rotate_from_z(axis);
        assert!((r - axis).norm() < 1e-14);
        let r = Vec3::new(0.0, 0.0, 1.0).rotate_from_z(Vec3::new(0.0, 0.0, -1.0));
        assert!((r.z + 1.0).abs() < 1e-15);
    }

    proptest! {
        #[test]
        fn two_body_decay_conserves_and_is_on_shell(
            m0 in 0.05f64..5.0, f1 in 0.0f64..0.45, f2 in 0.0f64..0.45,
            px in -10.0f64..10.0, py in -10.0f64..10.0, pz in -10.0f64..10.0,
            c in -1.0f64..1.0, phi in 0.0f64..std::f64::consts::TAU,
        ) {
            let (m1, m2) = (f1 * m0, f2 * m0);
            let parent = FourVector::on_shell(m0, Vec3::new(px, py, pz));
            let (p1, p2) = two_body_decay(parent, m1, m2, Vec3::from_angles(c, phi)).unwrap();
            prop_assert!(conservation_violation(parent, p1 + p2) < 1e-12);
            prop_assert!((p1.m2() - m1 * m1).abs() < 1e-10 * parent.e * parent.e);
            prop_assert!((p2.m2() - m2 * m2).abs() < 1e-10 * parent.e * parent.e);
        }

        #[test]
        fn boost_preserves_invariants(
            m in 0.0f64..3.0, px in -5.0f64..5.0, py in -5.0f64..5.0, pz in -5.0f64..5.0,
            bx in -0.5f64..0.5, by in -0.5f64..0.5, bz in -0.5f64..0.5,
        ) {
            let p = FourVector::on_shell(m, Vec3::new(px, py, pz));
            let q = FourVector::on_shell(0.1, Vec3::new(py, pz, px));
            let b = Vec3::new(bx, by, bz);
            let (pb, qb) = (p.boost(b), q.boost(b));
            let scale = (p.e * q.e).max(1.0);
            prop_assert!((pb.dot(qb) - p.dot(q)).abs() < 1e-12 * scale);
            // inverse boost returns the original
            let back = pb.boost(b.scale(-1.0));
            prop_assert!(conservation_violation(p, back) < 1e-12);
        }

        #[test]
        fn rotation_is_orthogonal(ax in -1.0f64..1.0, ay in -1.0f64..1.0, az in -1.0f64..1.0,
                                  vx in -1.0f64..1.0, vy in -1.0f64..1.0, vz in -1.0f64..1.0) {
            let axis = Vec3::new(ax, ay, az + 1e-3).unit();
            let v = Vec3::new(vx, vy, vz);
            let r = v.rotate_from_z(axis);
            prop_assert!((r.norm() - v.norm()).abs() < 1e-12);
            // z component maps onto the axis component
            prop_assert!((r.dot(axis) - v.z).abs() < 1e-12);
        }
    }
}
