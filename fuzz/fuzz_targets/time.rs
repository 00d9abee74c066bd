//! Fuzz target `time`: the property is `test_fuzz::time` in tests/cli/test_fuzz.rs.
#![no_main]

#[path = "../../tests/cli/test_fuzz.rs"]
mod test_fuzz;

libfuzzer_sys::fuzz_target!(|data: &[u8]| test_fuzz::time(data));
