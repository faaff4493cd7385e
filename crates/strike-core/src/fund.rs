//! The strike fund: exact money ([`money`]), the double-entry journal folded the same on
//! every node ([`ledger`]), and the fund's bodies and their public fold ([`state`]):
//!
//! - organizers open the fund ([`Fund`]): its currency, how many treasurers must approve a
//!   payout, and the circle whose leads are the treasurers (the organizers' circle, whose
//!   members are the organizers, when none is named);
//! - treasurers record what comes in and goes out as balanced [`FundEntry`]s, set strike pay
//!   for a call ([`FundRule`]) and approve payouts by their commitment ([`FundApproval`]);
//! - a member's contribution pledge or claim is a [`FundNote`]: sealed to the treasurers'
//!   circle and padded to one size, so a member sees that someone wrote to the treasurers,
//!   never whether it was a pledge or a claim, nor what it says;
//! - who gave or got money stays in the treasurers' circle ([`FundDetail`]); every member
//!   sees the amount, category, week and a commitment to the person.

pub mod ledger;
pub mod money;
pub mod state;

use serde::{Deserialize, Serialize};

use crate::body::{Fact, FactIndex, MAX_NOTE_LEN};
use crate::text::check_optional;
use crate::{AuthorId, NetworkId, OpId, Reject};
pub use ledger::Account;

/// Most treasurers a payout may need.
pub const MAX_APPROVALS: u8 = 9;
/// Most days of strike pay one claim asks for.
pub const MAX_CLAIM_DAYS: u16 = 366;
/// Most dependants a claim names.
pub const MAX_DEPENDANTS: u16 = 20;
/// Longest hardship reason, in bytes (it is padded inside a note).
pub const MAX_REASON_LEN: usize = 280;
/// Size every note's plaintext is padded to, so a pledge and a claim look alike.
pub const NOTE_PLAIN_LEN: usize = 512;
/// HPKE info of a note sealed to the treasurers' circle.
pub const FUND_NOTE_INFO: &[u8] = b"openstrike 2026-12 fund note v1";
/// HPKE info of the copy of a note sealed to its author.
pub const FUND_NOTE_COPY_INFO: &[u8] = b"openstrike 2026-12 fund note copy v1";
const MAX_SEALED: usize = 1024;

fn invalid(message: impl Into<String>) -> Reject {
    Reject::InvalidBody(message.into())
}

/// The fund of a network. The first one written fixes the currency; a later one by an
/// organizer may change the approvals and the treasurers' circle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fund {
    /// ISO 4217 code (`EUR`).
    pub currency: String,
    /// Distinct treasurers who must approve a payout before it counts.
    pub approvals: u8,
    /// The treasurers' circle: its leads are the treasurers.
    pub circle: OpId,
}

impl Fact for Fund {
    fn check(&self) -> Result<(), Reject> {
        money::Currency::parse(&self.currency).map_err(invalid)?;
        if self.approvals == 0 || self.approvals > MAX_APPROVALS {
            return Err(invalid(format!("a payout needs 1 to {MAX_APPROVALS} approvals")));
        }
        Ok(())
    }
}

/// One line of an entry as written: an account (`bank`, `cash:<treasurer id>`,
/// `contributions`, `donations`, `events`, `strike_pay`, `hardship`) and a signed amount in
/// minor units (a debit is positive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundLine {
    pub account: String,
    pub amount: i64,
}

/// A treasurer's entry in the journal: balanced lines, a public memo, and, for a payout or
/// a member's contribution, the 32-byte commitment to the person (empty otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundEntry {
    pub lines: Vec<FundLine>,
    pub memo: String,
    #[serde(with = "crate::bytes::bytes_vec")]
    pub party: Vec<u8>,
    /// How the money moved: `cash`, `bank` or `mobile` (empty for a transfer).
    pub method: String,
}

/// How money moves.
pub const METHODS: &[&str] = &["cash", "bank", "mobile"];

impl FundEntry {
    /// The lines, read.
    pub fn parsed_lines(&self) -> Result<Vec<ledger::Line>, Reject> {
        self.lines
            .iter()
            .map(|l| Ok(ledger::Line { account: Account::parse(&l.account).map_err(invalid)?, amount: l.amount }))
            .collect()
    }

    /// The commitment it carries, if any.
    pub fn party(&self) -> Option<[u8; 32]> {
        self.party.as_slice().try_into().ok()
    }
}

impl Fact for FundEntry {
    fn check(&self) -> Result<(), Reject> {
        ledger::check_lines(&self.parsed_lines()?).map_err(invalid)?;
        check_optional("a memo", &self.memo, MAX_NOTE_LEN)?;
        if !self.party.is_empty() && self.party.len() != 32 {
            return Err(invalid("a commitment is 32 bytes"));
        }
        if !self.method.is_empty() && !METHODS.contains(&self.method.as_str()) {
            return Err(invalid(format!("a method is one of {}", METHODS.join(", "))));
        }
        Ok(())
    }
}

/// Strike pay for a call, set by a treasurer: per day of the strike, and per dependant per
/// day, for at most `max_days` days. The latest rule for a call stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundRule {
    pub call: OpId,
    pub per_day: i64,
    pub per_dependant: i64,
    pub max_days: u16,
}

impl FundRule {
    /// What a claim of `days` with `dependants` is owed under the rule.
    pub fn owed(&self, days: u16, dependants: u16) -> i64 {
        let days = i64::from(days.min(self.max_days));
        days * (self.per_day + i64::from(dependants) * self.per_dependant)
    }
}

impl Fact for FundRule {
    fn check(&self) -> Result<(), Reject> {
        let cap = money::MAX_MINOR / i64::from(MAX_CLAIM_DAYS) / (i64::from(MAX_DEPENDANTS) + 1);
        if self.per_day <= 0 || self.per_day > cap || self.per_dependant < 0 || self.per_dependant > cap {
            return Err(invalid("strike pay is a positive amount a day (and zero or more per dependant)"));
        }
        if self.max_days == 0 || self.max_days > MAX_CLAIM_DAYS {
            return Err(invalid(format!("strike pay runs 1 to {MAX_CLAIM_DAYS} days")));
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.call.0)
    }
}

/// A treasurer approves (or turns down) the payout of a claim, named by its commitment and
/// amount, so that nobody outside the treasurers learns whose claim it is. A treasurer's
/// latest answer for a commitment stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundApproval {
    #[serde(with = "crate::bytes::bytes_array")]
    pub commitment: [u8; 32],
    /// What the payout will be, in minor units.
    pub amount: i64,
    /// `strike_pay` or `hardship`.
    pub category: String,
    pub approve: bool,
    pub why: String,
}

impl Fact for FundApproval {
    fn check(&self) -> Result<(), Reject> {
        if self.amount <= 0 || self.amount > money::MAX_MINOR {
            return Err(invalid("a payout is a positive amount within the fund's limit"));
        }
        if !matches!(Account::parse(&self.category), Ok(Account::StrikePay | Account::Hardship)) {
            return Err(invalid("a payout is strike_pay or hardship"));
        }
        check_optional("a reason", &self.why, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.commitment)
    }
}

/// Who a commitment of an entry names, and its salt, in the treasurers' circle (a member's
/// contribution received; a payout's recipient is in their claim, which the circle reads).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundDetail {
    pub circle: OpId,
    #[serde(with = "crate::bytes::bytes_array")]
    pub commitment: [u8; 32],
    pub member: AuthorId,
    #[serde(with = "crate::bytes::bytes_array")]
    pub salt: [u8; 16],
    pub note: String,
}

impl Fact for FundDetail {
    fn check(&self) -> Result<(), Reject> {
        if ledger::commitment(&self.member, &self.salt) != self.commitment {
            return Err(invalid("the commitment is not to that member with that salt"));
        }
        check_optional("a note", &self.note, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.commitment)
    }
}

/// What a member writes to the treasurers, inside a [`FundNote`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum FundAsk {
    /// A standing pledge to contribute `amount` (monthly, or once); the latest stands.
    #[serde(rename = "contribution")]
    Contribution { amount: i64, monthly: bool },
    /// A claim: strike pay for `days` of a call (with dependants), or a hardship grant of
    /// `amount` for `reason`. The payout commits to the claimant with `salt`.
    #[serde(rename = "claim")]
    Claim {
        call: Option<OpId>,
        days: u16,
        dependants: u16,
        amount: i64,
        reason: String,
        #[serde(with = "crate::bytes::bytes_array")]
        salt: [u8; 16],
        /// A claim filed for someone else (a responder asks a hardship grant for the person they
        /// help): the payout commits to them, and the note's copy is sealed to them. Absent from
        /// the map when the claimant is the note's author.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        beneficiary: Option<AuthorId>,
    },
}

impl FundAsk {
    pub fn check(&self) -> Result<(), Reject> {
        match self {
            FundAsk::Contribution { amount, .. } => {
                if *amount <= 0 || *amount > money::MAX_MINOR {
                    return Err(invalid("a contribution is a positive amount"));
                }
            }
            FundAsk::Claim { call, days, dependants, amount, reason, .. } => {
                if *days > MAX_CLAIM_DAYS || *dependants > MAX_DEPENDANTS {
                    return Err(invalid(format!(
                        "a claim is for up to {MAX_CLAIM_DAYS} days and {MAX_DEPENDANTS} dependants"
                    )));
                }
                if *amount < 0 || *amount > money::MAX_MINOR {
                    return Err(invalid("a claim's amount is zero or more"));
                }
                if reason.len() > MAX_REASON_LEN {
                    return Err(invalid(format!("a hardship reason is at most {MAX_REASON_LEN} bytes")));
                }
                match call {
                    Some(_) if *days == 0 => return Err(invalid("a claim of strike pay is for 1 day or more")),
                    None if *amount == 0 || reason.trim().is_empty() => {
                        return Err(invalid("a hardship claim says how much and why"));
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The plaintext sealed in a note: canonical CBOR padded with zeros to one size.
    pub fn padded(&self) -> Result<Vec<u8>, Reject> {
        self.check()?;
        crate::circles::pad(self, NOTE_PLAIN_LEN)
    }

    /// Reads a padded plaintext, insisting on its one form.
    pub fn unpad(plain: &[u8]) -> Option<FundAsk> {
        let ask: FundAsk = crate::circles::unpad(plain, NOTE_PLAIN_LEN)?;
        ask.check().ok().map(|()| ask)
    }
}

/// A contribution pledge or a claim, sealed to the entry key of one epoch of the treasurers'
/// circle, with a copy sealed to its author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundNote {
    pub circle: OpId,
    pub epoch: u32,
    #[serde(with = "crate::bytes::bytes_vec")]
    pub sealed: Vec<u8>,
    #[serde(with = "crate::bytes::bytes_vec")]
    pub copy: Vec<u8>,
}

impl Fact for FundNote {
    fn check(&self) -> Result<(), Reject> {
        if self.sealed.len() > MAX_SEALED || self.copy.len() > MAX_SEALED {
            return Err(invalid(format!("a fund note is at most {MAX_SEALED} bytes")));
        }
        Ok(())
    }
}

impl FundNote {
    /// Seals `ask` to the circle's entry key of `epoch`, and a copy to `author`.
    pub fn seal<R: rand_core::CryptoRng>(
        network: &NetworkId,
        circle: &OpId,
        epoch: u32,
        entry_key: &[u8; 32],
        author: &strike_crypto::AgreementPublic,
        ask: &FundAsk,
        rng: &mut R,
    ) -> Result<FundNote, Reject> {
        let (sealed, copy) = crate::circles::seal_with_copy(
            network,
            circle,
            epoch,
            entry_key,
            author,
            (FUND_NOTE_INFO, FUND_NOTE_COPY_INFO),
            &ask.padded()?,
            rng,
        )?;
        Ok(FundNote { circle: *circle, epoch, sealed, copy })
    }

    /// Opens it with the circle's key of its epoch.
    pub fn open(&self, network: &NetworkId, key: &[u8; 32]) -> Option<FundAsk> {
        let plain = crate::circles::open_entry(network, &self.circle, self.epoch, key, FUND_NOTE_INFO, &self.sealed)?;
        FundAsk::unpad(&plain)
    }

    /// Opens the author's copy with their agreement secret.
    pub fn open_copy(&self, network: &NetworkId, mine: &strike_crypto::AgreementSecret) -> Option<FundAsk> {
        let plain =
            crate::circles::open_copy(network, &self.circle, self.epoch, mine, FUND_NOTE_COPY_INFO, &self.copy)?;
        FundAsk::unpad(&plain)
    }
}
