//! Exporting and importing bundle files.
//!
//! Import reads the whole bundle once to verify every chunk and the end record, and only then
//! reads it again to apply it chunk by chunk (one transaction per chunk): a damaged bundle is
//! refused before anything from it is applied, and memory stays bounded by one chunk.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

use strike_core::NetworkId;
use strike_sync::bundle::{self, BundleError, BundleWriter, Seal, Unseal};

use strike_crypto::AgreementSecret;

use crate::{IngestReport, Node, NodeError, Result, io_err, unix_now};

/// Key-derivation context for the X25519 key bundles from a joiner are sealed to.
pub const INVITE_BUNDLE_CONTEXT: &str = "openstrike 2026-11 invite bundle key v1";

/// The X25519 secret of an invite's bundle key: joiners seal to it, members open with it.
pub fn invite_bundle_secret(invite_secret: &[u8; 32]) -> [u8; 32] {
    strike_crypto::derive(INVITE_BUNDLE_CONTEXT, invite_secret)
}

/// What export wrote.
#[derive(Debug, Clone)]
pub struct BundleSummary {
    pub network: NetworkId,
    pub n_ops: u64,
    pub n_bytes: u64,
    /// How many member keys it was sealed to (0 for a passphrase).
    pub n_recipients: usize,
}

/// Progress of an import, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum ImportProgress {
    /// Verified this many ops so far (first pass).
    Verified { n_ops: u64 },
    /// Applied this many of `total` ops (second pass).
    Applied { n_ops: u64, total: u64 },
}

/// What import did.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub network: NetworkId,
    pub n_ops: u64,
    pub n_chunks: u32,
    pub ingest: IngestReport,
}

impl Node {
    /// Writes every op of `network` to `out`, sealed to the network's members or to a
    /// passphrase. The file appears under its name only once complete.
    pub fn export_bundle(&self, network: &NetworkId, out: &Path, passphrase: Option<&str>) -> Result<BundleSummary> {
        let row = self.network(network)?;
        let mut keys: Vec<[u8; 32]> = self
            .members(network)?
            .into_iter()
            .filter(|m| m.status == strike_core::membership::Status::Member)
            .map(|m| m.agreement)
            .collect();
        if keys.is_empty() {
            // A joiner cannot read the member list: it seals its bundle to the invite it holds,
            // which every member can open.
            keys = self
                .store
                .invite_secrets()?
                .into_iter()
                .filter(|(n, _)| n == network)
                .map(|(_, s)| AgreementSecret::from_bytes(invite_bundle_secret(&s)).public().0)
                .collect();
        }
        let seal = match passphrase {
            Some("") => {
                return Err(NodeError::InvalidInput("the bundle passphrase must not be empty".into()));
            }
            Some(p) => Seal::Passphrase(p),
            None if keys.is_empty() => {
                return Err(NodeError::InvalidInput(
                    "this node holds neither the network's member list nor an invite, so it can only export with --passphrase".into(),
                ));
            }
            None => Seal::Recipients(&keys),
        };
        let n_recipients = if passphrase.is_some() { 0 } else { keys.len() };
        let tmp = out.with_extension("osb.partial");
        let file = File::create(&tmp).map_err(io_err(format!("creating {}", tmp.display())))?;
        let mut writer = BundleWriter::new(BufWriter::new(file), seal, &row.id, unix_now())?;
        let written = self.store.for_each_op(network, |op| writer.push(op))?;
        written.map_err(io_err("writing the bundle"))?;
        let (buffered, n_ops) = writer.finish().map_err(io_err("writing the bundle"))?;
        let file = buffered.into_inner().map_err(|e| io_err("writing the bundle")(e.into_error()))?;
        file.sync_all().map_err(io_err("writing the bundle"))?;
        std::fs::rename(&tmp, out).map_err(io_err(format!("renaming to {}", out.display())))?;
        let n_bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
        tracing::info!(network = %network.short(), n_ops, n_bytes, "bundle exported");
        Ok(BundleSummary { network: *network, n_ops, n_bytes, n_recipients })
    }

    fn unseal(&self, passphrase: Option<&str>) -> Result<Unseal> {
        let mut identities = self.store.my_agreement_secrets()?;
        for (_, secret) in self.store.invite_secrets()? {
            identities.push(zeroize::Zeroizing::new(invite_bundle_secret(&secret)));
        }
        Ok(Unseal { identities, passphrase: passphrase.map(|p| zeroize::Zeroizing::new(p.to_owned())) })
    }

    /// Verifies a whole bundle, then applies it. Importing the same bundle again changes nothing.
    pub fn import_bundle(
        &mut self,
        path: &Path,
        passphrase: Option<&str>,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportReport> {
        let unseal = self.unseal(passphrase)?;
        let open = |path: &Path| -> Result<_> {
            let file = File::open(path).map_err(io_err(format!("opening {}", path.display())))?;
            Ok(bundle::open(BufReader::new(file), &unseal)?)
        };
        // Pass 1: verify everything, apply nothing.
        let mut reader = open(path)?;
        let network = reader.network();
        let mut n_chunks = 0u32;
        while reader.next_chunk()?.is_some() {
            n_chunks += 1;
            progress(ImportProgress::Verified { n_ops: reader.n_ops() });
        }
        let total = reader.n_ops();
        // Pass 2: apply, chunk by chunk. The file is read again; if it changed in between, its
        // chunks no longer verify and the import stops with an error (every op applied so far
        // was verified on its own by ingest).
        let mut reader = open(path)?;
        if reader.network() != network {
            return Err(BundleError::BadHeader("the file changed during import".into()).into());
        }
        let mut report = IngestReport::default();
        while let Some(ops) = reader.next_chunk()? {
            let batch = self.store.ingest(&network, ops, unix_now())?;
            report.merge(&batch);
            progress(ImportProgress::Applied { n_ops: reader.n_ops(), total });
        }
        tracing::info!(network = %network.short(), total, applied = report.applied, "bundle imported");
        self.upkeep(&network)?;
        Ok(ImportReport { network, n_ops: total, n_chunks, ingest: report })
    }
}
