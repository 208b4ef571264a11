//! Value stability: the first events of fixed-seed runs. A change that alters these numbers changes
//! the event stream for a fixed seed: mark it "value-breaking" in CHANGELOG.md and update the numbers
//! here in the same commit (rand_distr's tests/value_stability.rs practice). Tolerance 1e-9 relative
//! admits libm differences between platforms.

use nuportal::config::Config;
use nuportal::output::memory::MemorySink;
use nuportal::run;

fn first_events(card: &str, sets: &[&str]) -> (Vec<f64>, Vec<f64>) {
    let sets: Vec<String> = sets.iter().map(|s| (*s).to_string()).collect();
    let prepared = run::prepare(Config::parse(card, "golden", &sets).unwrap()).unwrap();
    let mut sink = MemorySink::default();
    prepared.generate(&mut sink, |_| {}, || false).unwrap();
    (
        sink.f64_column("E_nu").unwrap()[..3].to_vec(),
        sink.f64_column("weight").unwrap()[..3].to_vec(),
    )
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x / y - 1.0).abs() < 1e-9)
}

#[test]
fn nu_e_stream_is_stable() {
    let (e, w) = first_events(
        include_str!("../config/examples/nu_e_sm_minerva.toml"),
        &["generation.events=1000"],
    );
    println!("nu_e E_nu {e:?} weight {w:?}");
    assert!(close(&e, &NUE_E), "E_nu {e:?}");
    assert!(close(&w, &NUE_W), "weight {w:?}");
}

#[test]
fn dark_neutrino_stream_is_stable() {
    let (e, w) = first_events(
        include_str!("../config/default.toml"),
        &["generation.events=1000"],
    );
    println!("dark E_nu {e:?} weight {w:?}");
    assert!(close(&e, &DN_E), "E_nu {e:?}");
    assert!(close(&w, &DN_W), "weight {w:?}");
}

const NUE_E: [f64; 3] = [9.401436460823971, 5.703304061067825, 2.1049258458579962];
const NUE_W: [f64; 3] = [
    0.11120810626799171,
    0.11121592624610963,
    0.11121420282034594,
];
const DN_E: [f64; 3] = [1.8235952278856002, 1.4497405068759723, 1.0631888677000951];
const DN_W: [f64; 3] = [15.311174945717687, 15.359635561111864, 15.97635692278852];

#[test]
fn cevns_stream_is_stable() {
    // Also runs the example card (config/examples/cevns_coherent_csi.toml): stopped-pion flux with
    // its exact prompt line, B-L Z'.
    let (e, w) = first_events(
        include_str!("../config/examples/cevns_coherent_csi.toml"),
        &["generation.events=1000"],
    );
    println!("cevns E_nu {e:?} weight {w:?}");
    assert!(close(&e, &CEVNS_E), "E_nu {e:?}");
    assert!(close(&w, &CEVNS_W), "weight {w:?}");
}

const CEVNS_E: [f64; 3] = [
    0.0282556803542281,
    0.036202578289846174,
    0.023106379466498683,
];
const CEVNS_W: [f64; 3] = [1.7047618600016043, 1.5042473743071954, 1.1204713398044734];
