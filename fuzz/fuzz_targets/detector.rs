//! Fuzz the detector-file parser (TOML, with the shipped flux tables resolvable by name).
//! Errors are fine; panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = nuportal::experiment::Experiment::from_toml(
        text,
        nuportal::data::Origin::Embedded("fuzz".into()),
        None,
    );
});
