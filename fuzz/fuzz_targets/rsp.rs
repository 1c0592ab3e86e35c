#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| godfly::fuzz::rsp(data));
