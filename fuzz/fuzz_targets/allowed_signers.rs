#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| git_secure_release::fuzz::allowed_signers(data));
