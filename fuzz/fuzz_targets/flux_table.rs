//! Fuzz the flux-table parser (whitespace columns, `#` comments, a units header) in every units
//! mode, and query what it accepts. Errors are fine; panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nuportal::flux::{FluxTable, FluxUnits};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for units in [None, Some(FluxUnits::PerCm2), Some(FluxUnits::PerM2)] {
        if let Ok(table) = FluxTable::parse(text, "fuzz.dat", units) {
            let (lo, hi) = table.range();
            for f in nuportal::flux::Flavour::ALL {
                let _ = table.value(f, 0.5 * (lo + hi));
                let _ = table.integral(f, lo, hi);
            }
        }
    }
});
