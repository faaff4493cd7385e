//! A hub's invite tickets: the newest word for an invite wins, and a member cannot grow the
//! table without end.

use strike_core::NetworkId;
use strike_store::{HubTicketRow, MAX_HUB_TICKETS};

use crate::support::{NOW, memory_store};

fn ticket(n: u16) -> HubTicketRow {
    let mut invite = [0u8; 16];
    invite[..2].copy_from_slice(&n.to_be_bytes());
    HubTicketRow { invite, key: [n as u8; 32], expires: None, uses: 1, removed: vec![] }
}

#[test]
fn a_hub_keeps_the_newest_tickets_only() {
    let mut store = memory_store();
    let net = NetworkId([4; 32]);
    store.ensure_network(&net, NOW).unwrap();
    let total = MAX_HUB_TICKETS as u16 + 44;
    for n in 0..total {
        store.put_hub_ticket(&net, &ticket(n), NOW + u64::from(n)).unwrap();
    }
    assert!(store.hub_ticket(&net, &ticket(0).invite).unwrap().is_none(), "the oldest went");
    let kept = (0..total).filter(|n| store.hub_ticket(&net, &ticket(*n).invite).unwrap().is_some()).count();
    assert_eq!(kept as i64, MAX_HUB_TICKETS);
    // A newer word for a kept invite replaces it.
    let mut again = ticket(total - 1);
    again.uses = 9;
    again.removed = vec![[7; 32]];
    store.put_hub_ticket(&net, &again, NOW + 10_000).unwrap();
    let (t, joiners) = store.hub_ticket(&net, &again.invite).unwrap().unwrap();
    assert_eq!((t.uses, t.removed, joiners.len()), (9, vec![[7; 32]], 0));
}
