//! The CEvNS and preset features as users run them: `info --presets`, `generate` at COHERENT CsI
//! with the acceptance summary, and configuration errors (exit code 2, naming the key).

mod common;

use common::nuportal;

#[test]
fn info_lists_presets_with_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = nuportal(&["info", "--presets"], dir.path());
    assert_eq!(code, 0);
    for p in [
        "dark_photon",
        "b_minus_l",
        "lmu_minus_ltau",
        "lmu_plus_ltau_b1",
        "right_handed",
        "free",
    ] {
        assert!(out.contains(p), "{p}: {out}");
    }
    assert!(
        out.contains("mzprime, gprime, a") && out.contains("mzprime, epsilon"),
        "{out}"
    );
    let (code, out, _) = nuportal(&["info"], dir.path());
    assert_eq!(code, 0);
    assert!(
        out.contains("coherent_csi") && out.contains("texono") && out.contains("cevns"),
        "{out}"
    );
}

#[test]
fn generate_cevns_at_coherent_csi() {
    let dir = tempfile::tempdir().unwrap();
    let card = dir.path().join("cevns.toml");
    std::fs::write(
        &card,
        "[process]\nkind = \"cevns\"\n[model]\npreset = \"b_minus_l\"\nmzprime = 0.01\ngprime = 2e-5\n[experiment]\nname = \"coherent_csi\"\n[generation]\nevents = 20000\n",
    )
    .unwrap();
    let (code, out, err) = nuportal(
        &["generate", "--config", "cevns.toml", "--quiet"],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("nu_mu_Cs133") && out.contains("published recoil acceptance"),
        "{out}"
    );
    assert!(dir
        .path()
        .join("output/coherent_csi_cevns.parquet")
        .exists());
    let cases: &[(&[&str], &str)] = &[
        (&["--set", "model.gprime=-1e9"], "gprime"),
        (&["--set", "model.epsilon=0.1"], "epsilon"),
        (&["--set", "process.form_factor=\"x\""], "form_factor"),
        (&["--set", "model.mzprime=0"], "mzprime"),
    ];
    for (extra, key) in cases {
        let mut args = vec!["generate", "--config", "cevns.toml", "--quiet", "--force"];
        args.extend_from_slice(extra);
        let (code, _, err) = nuportal(&args, dir.path());
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(key), "{extra:?}: {err}");
    }
}
