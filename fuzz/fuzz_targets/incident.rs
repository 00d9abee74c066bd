//! Fuzz target `incident`: the property is `test_fuzz::incident` in tests/cli/test_fuzz.rs.
#![no_main]

#[path = "../../tests/cli/test_fuzz.rs"]
mod test_fuzz;

libfuzzer_sys::fuzz_target!(|data: &[u8]| test_fuzz::incident(data));
