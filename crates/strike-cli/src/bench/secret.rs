//! `openstrike bench secret`: a secret call with 10,000 pledgers (the issue's size). Each step
//! timed on its own: the members' nodes blinding their requests, the issuer signing them, the
//! members unblinding their credentials, every secret pledge ingested by a node (its
//! credential verified on the way in), and the tally: the credentials fold over 10,000
//! requests, answers and one-time authors, then the trigger.

use std::collections::BTreeSet;
use std::time::Instant;

use serde_json::json;
use strike_core::body::{CredentialKey, SecretPledge};
use strike_core::calls::{self, Call, CallKind, PledgeEvent, Roster, Rule, Wave};
use strike_core::secret::fold::{self, In};
use strike_core::secret::{Proof, Secrecy, credential_message};
use strike_core::{AuthorId, Body, CoarseTime, Kind, NetworkKind, OpDraft, OpId};
use strike_crypto::blind::{self, IssuerKey};
use strike_crypto::{KdfParams, SigningSecret};
use strike_node::Node;

use crate::output::Output;

pub fn secret(out: Output, pledgers: usize) -> anyhow::Result<()> {
    anyhow::ensure!(pledgers > 0, "at least one pledger");
    let mut rng = rand::rng();
    let tmp = tempfile::tempdir()?;
    let mut node = Node::init(&tmp.path().join("n"), b"bench secret", KdfParams::MINIMUM)?;
    let net = node.create_network("Bench", NetworkKind::Workplace)?;
    let me = node.network(&net)?.my_author.ok_or_else(|| anyhow::anyhow!("no author"))?;
    let now = CoarseTime::from_unix_seconds(node.now()).0;
    let call = Call {
        kind: CallKind::Strike,
        title: "Walk out".into(),
        demands: Vec::new(),
        scope: String::new(),
        deadline: now + 7 * 1440,
        exempt_roles: Vec::new(),
        waves: vec![Wave { rules: vec![Rule::Count { n: (pledgers / 2) as u32 }], starts: now + 8 * 1440 }],
        secret: Some(Secrecy { issuers: vec![me] }),
    };
    let call_op = node.author(&net, Body::Call(call.clone()))?;
    let key = IssuerKey::generate(&mut rng)?;
    let public = key.public_der()?;
    let key_op = node.author(
        &net,
        Body::CredentialKey(CredentialKey { scope: call_op, group: String::new(), key: public.clone() }),
    )?;
    let one_time: Vec<SigningSecret> = (0..pledgers).map(|_| SigningSecret::generate(&mut rng)).collect();
    let messages: Vec<Vec<u8>> =
        one_time.iter().map(|k| credential_message(&net, &call_op, &AuthorId(k.public().0))).collect();

    let t = Instant::now();
    let blindings = messages.iter().map(|m| blind::blind(&mut rng, &public, m)).collect::<Result<Vec<_>, _>>()?;
    let requests_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let answers = blindings.iter().map(|b| key.sign_blinded(&b.blinded)).collect::<Result<Vec<_>, _>>()?;
    let issue_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let credentials = blindings
        .iter()
        .zip(&answers)
        .zip(&messages)
        .map(|((b, a), m)| blind::finalize(&public, a, b, m))
        .collect::<Result<Vec<_>, _>>()?;
    let finalize_s = t.elapsed().as_secs_f64();

    let (epoch, network_key) = node.store().write_key(&net)?.ok_or_else(|| anyhow::anyhow!("no network key"))?;
    let mut ops = Vec::with_capacity(pledgers);
    for (k, c) in one_time.iter().zip(&credentials) {
        let body = Body::SecretPledge(SecretPledge {
            call: call_op,
            keys: vec![key_op],
            proofs: vec![Proof { randomizer: c.randomizer, signature: c.signature.clone() }],
            pledged: true,
        });
        let draft = OpDraft {
            network: net,
            seq: 1,
            prev: None,
            deps: vec![call_op, key_op],
            time: CoarseTime(now),
            epoch,
            body,
        };
        ops.push(draft.seal(k, &network_key, strike_crypto::random_bytes(&mut rng))?.bytes().to_vec());
    }
    let t = Instant::now();
    let mut applied = 0;
    for chunk in ops.chunks(1000) {
        applied += node.ingest(&net, chunk.to_vec())?.applied;
    }
    let ingest_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(applied as usize == pledgers, "{applied} of {pledgers} pledges taken");

    // The tally as every node computes it: the fold over the requests of 10,000 eligible
    // members, the issuer's answers and the one-time authors' pledges, then the trigger.
    let t = Instant::now();
    let facts = node.store().secret_facts(&net, Kind::SecretPledge, &call_op)?;
    let eligible: BTreeSet<AuthorId> = (0..pledgers).map(member).collect();
    let keys = vec![In { op: key_op, author: me, seq: 2, time: CoarseTime(now), what: String::new() }];
    let requests: Vec<fold::RequestIn> = (0..pledgers)
        .map(|i| In { op: OpId(member(i).0), author: member(i), seq: 1, time: CoarseTime(now), what: vec![key_op] })
        .collect();
    let granted = (0..pledgers).map(|i| OpId(member(i).0)).collect();
    let issues = vec![In { op: OpId([0xee; 32]), author: me, seq: 3, time: CoarseTime(now), what: (key_op, granted) }];
    let secret: Vec<fold::SecretIn> = facts
        .iter()
        .map(|f| In { op: f.op_id, author: f.author, seq: f.seq, time: f.time, what: vec![key_op] })
        .collect();
    let creds = fold::credentials(&[me], &eligible, &keys, &requests, &issues, &secret);
    let pledgers_of = creds.counted.keys().map(|a| (*a, strike_node::secret::person_of("", ""))).collect();
    let roster = Roster { pledgers: pledgers_of, ..Roster::default() };
    let mut events: Vec<PledgeEvent> =
        facts.iter().map(|f| PledgeEvent { author: f.author, seq: f.seq, time: f.time, pledged: true }).collect();
    let tally = calls::evaluate(&call, &roster, &mut events, None, CoarseTime(now));
    let tally_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(tally.counted as usize == pledgers, "counted {} of {pledgers}", tally.counted);

    let rate = |s: f64| pledgers as f64 / s;
    out.emit(
        json!({ "pledgers": pledgers, "requests_s": requests_s, "issue_s": issue_s, "finalize_s": finalize_s,
                "ingest_s": ingest_s, "tally_s": tally_s, "counted": tally.counted, "status": tally.status.as_str() }),
        || {
            format!(
                "bench secret: a secret call with {pledgers} pledgers (RSA-2048 blind signatures, one issuer)\n\
                 requests (blinding)     {:>8.2} s  {:>8.0} /s\n\
                 issuer signing          {:>8.2} s  {:>8.0} /s\n\
                 credentials (unblind)   {:>8.2} s  {:>8.0} /s\n\
                 pledges ingested        {:>8.2} s  {:>8.0} /s (each credential verified)\n\
                 tally (fold + trigger)  {:>8.3} s  {:>8.0} /s: {} counted, {}\n",
                requests_s,
                rate(requests_s),
                issue_s,
                rate(issue_s),
                finalize_s,
                rate(finalize_s),
                ingest_s,
                rate(ingest_s),
                tally_s,
                rate(tally_s),
                tally.counted,
                tally.status.as_str()
            )
        },
    );
    Ok(())
}

/// The i-th eligible member (and their request's id) of the synthetic electorate.
fn member(i: usize) -> AuthorId {
    let mut a = [0u8; 32];
    a[..8].copy_from_slice(&(i as u64).to_be_bytes());
    a[8] = 0xaa;
    AuthorId(a)
}
