#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| git_secure_release::fuzz::signed_object(data));
