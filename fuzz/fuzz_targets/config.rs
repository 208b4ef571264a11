//! Fuzz the run-config parser: any bytes, as a TOML card, with the first line also tried as a
//! `--set` override, and the `[oscillation]`-only parser of `nuportal oscillate`. Errors are fine;
//! panics, hangs and aborts are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = nuportal::config::Config::parse(text, "fuzz", &[]);
    let set: Vec<String> = text.lines().take(1).map(str::to_owned).collect();
    let _ = nuportal::config::Config::default_with(&set);
    let _ = nuportal::config::parse_oscillation(text, "fuzz", &[]);
});
