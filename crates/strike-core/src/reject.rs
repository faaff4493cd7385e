//! Why an operation was refused. Each reason has a stable code for the audit log.

/// Why ingest refused an operation. The [`Reject::code`] strings are part of the audit log's
/// format and documented in `docs/protocol.md`; never renumber or rename them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reject {
    /// Larger than the protocol's limit.
    #[error("operation larger than the {limit}-byte limit")]
    TooLarge { limit: usize },
    /// Could not be decoded at all.
    #[error("malformed encoding: {0}")]
    Malformed(&'static str),
    /// Decodes, but is not the one canonical encoding of its content.
    #[error("non-canonical encoding: {0}")]
    NonCanonical(&'static str),
    /// An envelope version this node does not speak.
    #[error("unsupported envelope version {0}")]
    UnsupportedVersion(u8),
    /// The signature does not verify under the author key.
    #[error("signature does not verify")]
    BadSignature,
    /// The op belongs to another network than the one it was delivered for.
    #[error("operation belongs to another network")]
    WrongNetwork,
    /// Already held: a replay of an op this node has.
    #[error("operation already held (replay)")]
    Duplicate,
    /// `prev` names an op that is not this author's previous one.
    #[error("author chain broken: {0}")]
    BadChain(&'static str),
    /// The author already signed a different op at this sequence number: kept as evidence.
    #[error("equivocation: the author signed two different operations at one sequence number")]
    Equivocation,
    /// The author is flagged as an equivocator from this sequence number on.
    #[error("author is flagged for equivocation")]
    Equivocator,
    /// Claims a time earlier than an op it depends on.
    #[error("claims a time earlier than an operation it depends on")]
    TimeBeforeDeps,
    /// The author has no right to write this op in this network.
    #[error("author has no right to write this: {0}")]
    NoRightToWrite(&'static str),
    /// Decryption failed under the epoch key.
    #[error("body does not decrypt under the network's key for its epoch")]
    DecryptFailed,
    /// The decrypted body is not a valid event.
    #[error("invalid body: {0}")]
    InvalidBody(String),
    /// The node holds too many ops waiting for missing dependencies.
    #[error("too many operations waiting for missing dependencies")]
    PendingFull,
    /// A hub's quota for the network or the author is used up.
    #[error("over the hub's quota: {0}")]
    OverQuota(&'static str),
    /// An op sealed in a circle by an author who is not in it: logged (it may count once an
    /// entry that adds its author arrives) and audited, but it counts for nothing until then.
    #[error("written into a circle its author is not in")]
    NotInCircle,
    /// A secret pledge or ballot whose credentials do not prove it may count.
    #[error("credential refused: {0}")]
    BadCredential(&'static str),
}

impl Reject {
    /// The stable reason code recorded in the audit log.
    pub fn code(&self) -> &'static str {
        match self {
            Reject::TooLarge { .. } => "too_large",
            Reject::Malformed(_) => "malformed",
            Reject::NonCanonical(_) => "non_canonical",
            Reject::UnsupportedVersion(_) => "unsupported_version",
            Reject::BadSignature => "bad_signature",
            Reject::WrongNetwork => "wrong_network",
            Reject::Duplicate => "duplicate",
            Reject::BadChain(_) => "bad_chain",
            Reject::Equivocation => "equivocation",
            Reject::Equivocator => "equivocator",
            Reject::TimeBeforeDeps => "time_before_deps",
            Reject::NoRightToWrite(_) => "no_right_to_write",
            Reject::DecryptFailed => "decrypt_failed",
            Reject::InvalidBody(_) => "invalid_body",
            Reject::PendingFull => "pending_full",
            Reject::OverQuota(_) => "over_quota",
            Reject::NotInCircle => "not_in_circle",
            Reject::BadCredential(_) => "bad_credential",
        }
    }
}
