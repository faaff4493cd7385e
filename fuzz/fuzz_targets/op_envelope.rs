//! The op envelope decoder and signature check on arbitrary bytes.
//! Run: `cargo +nightly fuzz run op_envelope`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = strike_core::SealedOp::verify(data.to_vec());
    let _ = strike_core::Body::decode(data);
});
