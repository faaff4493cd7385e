//! The sync message decoder and a responder session fed whatever a peer sends; the first-frame
//! (`Auth`) and hub grant decoders too.
//! Run: `cargo +nightly fuzz run sync_message`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strike_core::{AuthorId, NetworkId, OpId};
use strike_sync::protocol::{Head, Message, Replica, Session};

struct Empty;

impl Replica for Empty {
    fn heads(&self) -> Vec<Head> {
        Vec::new()
    }
    fn op_at(&self, _: &AuthorId, _: u64) -> Option<OpId> {
        None
    }
    fn ops_after(&self, _: &[(AuthorId, u64)]) -> Vec<Vec<u8>> {
        Vec::new()
    }
    fn items(&self) -> Vec<(u64, OpId)> {
        Vec::new()
    }
    fn ops_by_id(&self, _: &[OpId]) -> Vec<Vec<u8>> {
        Vec::new()
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(strike_sync::auth::Auth::HubOpen { grant, .. }) = strike_sync::auth::Auth::decode(data) {
        if let Ok(grant) = strike_sync::hub::Grant::decode(&grant) {
            let _ = grant.verify(&[0; 32], 0);
        }
    }
    if let Ok(grant) = strike_sync::hub::Grant::decode(data) {
        let _ = grant.verify(&[0; 32], 0);
    }
    if let Ok(msg) = Message::decode(data) {
        let mut session = Session::respond(NetworkId([0; 32]));
        let _ = session.step(msg, &Empty);
    }
});
