//! Fuzz target `merge`: the property is `test_fuzz::merge` in tests/cli/test_fuzz.rs.
#![no_main]

#[path = "../../tests/cli/test_fuzz.rs"]
mod test_fuzz;

libfuzzer_sys::fuzz_target!(|data: &[u8]| test_fuzz::merge(data));
