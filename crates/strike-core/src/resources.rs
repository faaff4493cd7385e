//! The resource network: what hubs hold and hand out, in the Valueflows vocabulary
//! (`docs/protocol.md`, "Resources"):
//!
//! - a [`ResourceSpec`] (ResourceSpecification) says what a thing is and its unit: rice in
//!   kg, insulin in vials with a cold chain;
//! - a lot (EconomicResource) is a quantity of one specification at a place, with an expiry
//!   and a custodian; it is never written as such: a `receive` [`StockEvent`] opens it and
//!   its quantity is the sum of the events on it ([`stock`]);
//! - [`StockEvent`]s (EconomicEvent) receive, transfer, move, consume, raise and lower;
//! - [`ResourceOffer`]s and [`ResourceRequest`]s are intents, closed by [`IntentClose`];
//! - a [`Commitment`] is one allocation of a lot's units to a request, as the engine
//!   ([`allocate`]) planned it; a [`Handover`] fulfils it, fully or partly.
//!
//! Keepers are the hub network's organizers, and its keepers' circle is the organizers'
//! circle: a request whose content is sensitive (medicine) is sealed there.

pub mod allocate;
pub mod stock;

use serde::{Deserialize, Serialize};

pub use allocate::Urgency;

use crate::body::{Fact, FactIndex, MAX_FIELD_LEN, MAX_NOTE_LEN};
use crate::text::{check_optional, check_text};
use crate::{OpId, Reject};

/// Most units in one event, request or commitment: a billion (of kg, vials, litres ...).
pub const MAX_QTY: u64 = 1_000_000_000;
/// Most people in one household.
pub const MAX_HOUSEHOLD: u16 = 50;

/// The categories a specification falls in, for the days-left chart and the gates.
pub const CATEGORIES: &[&str] = &["food", "water", "medical", "fuel", "hygiene", "baby", "other"];

fn check_qty(what: &str, qty: u64) -> Result<(), Reject> {
    if qty == 0 || qty > MAX_QTY {
        return Err(Reject::InvalidBody(format!("{what} is 1 to {MAX_QTY} units")));
    }
    Ok(())
}

/// What a thing is, its unit and how it keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceSpec {
    pub name: String,
    /// `kg`, `vials`, `L`, `cans` ...: every quantity of it is a whole number of these.
    pub unit: String,
    /// One of [`CATEGORIES`].
    pub category: String,
    /// Kept cold (insulin, some vaccines): shown on its lots.
    pub cold_chain: bool,
    /// How long a lot keeps from receipt, in days, when the lot gives no expiry.
    pub shelf_life: Option<u32>,
}

impl Fact for ResourceSpec {
    fn check(&self) -> Result<(), Reject> {
        check_text("a specification's name", &self.name, MAX_FIELD_LEN)?;
        check_text("a unit", &self.unit, 16)?;
        if !CATEGORIES.contains(&self.category.as_str()) {
            return Err(Reject::InvalidBody(format!("a category is one of {}", CATEGORIES.join(", "))));
        }
        if self.shelf_life.is_some_and(|d| d == 0 || d > 36_500) {
            return Err(Reject::InvalidBody("a shelf life is 1 to 36,500 days".into()));
        }
        Ok(())
    }
}

/// The reserve of a specification: kept for critical requests only (the latest one stands).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceMinimum {
    pub spec: OpId,
    /// 0 removes the reserve.
    pub qty: u64,
}

impl Fact for ResourceMinimum {
    fn check(&self) -> Result<(), Reject> {
        if self.qty > MAX_QTY {
            return Err(Reject::InvalidBody(format!("a minimum is at most {MAX_QTY} units")));
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.spec.0)
    }
}

/// What a stock event does to a lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StockAction {
    /// Opens a lot (this event's id is the lot's) of `qty` at `place`, from `party`.
    Receive,
    /// Hands `qty` of a lot to another custodian (`party`): a new lot, this event's id.
    Transfer,
    /// Takes `qty` of a lot to another `place`: a new lot, this event's id.
    Move,
    /// `qty` of a lot used up (cooked, burnt, given out without a request).
    Consume,
    /// A count found `qty` more than the lot holds.
    Raise,
    /// A count found `qty` less (spoiled, lost, miscounted).
    Lower,
}

impl StockAction {
    pub const ALL: &[StockAction] = &[
        StockAction::Receive,
        StockAction::Transfer,
        StockAction::Move,
        StockAction::Consume,
        StockAction::Raise,
        StockAction::Lower,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StockAction::Receive => "receive",
            StockAction::Transfer => "transfer",
            StockAction::Move => "move",
            StockAction::Consume => "consume",
            StockAction::Raise => "raise",
            StockAction::Lower => "lower",
        }
    }

    /// Whether it opens a lot of its own (receive, transfer, move).
    pub fn opens_lot(self) -> bool {
        matches!(self, StockAction::Receive | StockAction::Transfer | StockAction::Move)
    }
}

/// An economic event on a lot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockEvent {
    pub action: StockAction,
    pub spec: OpId,
    /// The lot it acts on; none for a receive (which opens one).
    pub lot: Option<OpId>,
    pub qty: u64,
    /// Receive: where the lot is kept; move: where it goes; otherwise empty.
    pub place: String,
    /// Receive: when the lot expires, in coarse minutes; otherwise none.
    pub expires: Option<u32>,
    /// Receive: who gave it; transfer: the new custodian; otherwise empty.
    pub party: String,
    pub note: String,
}

impl Fact for StockEvent {
    fn check(&self) -> Result<(), Reject> {
        check_qty("a stock event's quantity", self.qty)?;
        check_optional("a note", &self.note, MAX_NOTE_LEN)?;
        check_optional("a party", &self.party, MAX_FIELD_LEN)?;
        check_optional("a place", &self.place, MAX_FIELD_LEN)?;
        let bad = |why: &str| Err(Reject::InvalidBody(why.into()));
        match self.action {
            StockAction::Receive if self.lot.is_some() => return bad("a receive opens a lot and names none"),
            StockAction::Receive if self.place.trim().is_empty() => return bad("a receive says where the lot is kept"),
            StockAction::Move if self.place.trim().is_empty() => return bad("a move says where the lot goes"),
            StockAction::Transfer if self.party.trim().is_empty() => return bad("a transfer names the new custodian"),
            a if a != StockAction::Receive && self.lot.is_none() => return bad("only a receive names no lot"),
            _ => {}
        }
        if self.action != StockAction::Receive && self.expires.is_some() {
            return bad("only a receive gives an expiry");
        }
        if !matches!(self.action, StockAction::Receive | StockAction::Move) && !self.place.is_empty() {
            return bad("only a receive or a move gives a place");
        }
        if !matches!(self.action, StockAction::Receive | StockAction::Transfer) && !self.party.is_empty() {
            return bad("only a receive or a transfer names a party");
        }
        Ok(())
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.spec.0)
    }
}

/// A donation offered to the hub (an intent to give).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceOffer {
    pub spec: OpId,
    pub qty: u64,
    /// Where it can be picked up; may be empty.
    pub place: String,
    pub note: String,
}

impl Fact for ResourceOffer {
    fn check(&self) -> Result<(), Reject> {
        check_qty("an offer's quantity", self.qty)?;
        check_optional("a place", &self.place, MAX_FIELD_LEN)?;
        check_optional("a note", &self.note, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.spec.0)
    }
}

/// A member asks for supplies (an intent to receive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceRequest {
    pub spec: OpId,
    pub qty: u64,
    pub urgency: Urgency,
    /// Wanted by, in coarse minutes.
    pub due: u32,
    /// People in the household it is for (1 if unsaid).
    pub household: u16,
    /// Where it is wanted (for distances); may be empty.
    pub place: String,
    pub note: String,
}

impl Fact for ResourceRequest {
    fn check(&self) -> Result<(), Reject> {
        check_qty("a request's quantity", self.qty)?;
        if self.household == 0 || self.household > MAX_HOUSEHOLD {
            return Err(Reject::InvalidBody(format!("a household is 1 to {MAX_HOUSEHOLD} people")));
        }
        check_optional("a place", &self.place, MAX_FIELD_LEN)?;
        check_optional("a note", &self.note, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.spec.0)
    }
}

/// HPKE info of a request sealed to a circle's entry key.
pub const SEALED_REQUEST_INFO: &[u8] = b"openstrike 2026-12 sealed request v1";
/// HPKE info of the copy of a sealed request to its author.
pub const SEALED_REQUEST_COPY_INFO: &[u8] = b"openstrike 2026-12 sealed request copy v1";
/// Longest sealed request (its plaintext is a request body of at most a few kB).
const MAX_SEALED: usize = 4 * 1024;

/// A request only a circle reads (medicine: the keepers'), written by a member who need not
/// be in it. `sealed` is HPKE (as circle entries) to the entry key of `epoch` of `circle`,
/// `copy` HPKE to the author's own agreement key, both of the canonical encoding of a
/// `resource_request` body, with aad = network id || circle id || epoch. The op's id is the
/// request's. The network sees that its author asked the circle something, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedRequest {
    pub circle: OpId,
    pub epoch: u32,
    #[serde(with = "crate::bytes::bytes_vec")]
    pub sealed: Vec<u8>,
    #[serde(with = "crate::bytes::bytes_vec")]
    pub copy: Vec<u8>,
}

impl Fact for SealedRequest {
    fn check(&self) -> Result<(), Reject> {
        if self.sealed.len() > MAX_SEALED || self.copy.len() > MAX_SEALED {
            return Err(Reject::InvalidBody(format!("a sealed request is at most {MAX_SEALED} bytes")));
        }
        Ok(())
    }
}

impl SealedRequest {
    /// Seals `request` to the entry key of `epoch` of `circle`, and a copy to `author`.
    pub fn seal<R: rand_core::CryptoRng>(
        network: &crate::NetworkId,
        circle: &OpId,
        epoch: u32,
        entry_key: &[u8; 32],
        author: &strike_crypto::AgreementPublic,
        request: &ResourceRequest,
        rng: &mut R,
    ) -> Result<SealedRequest, Reject> {
        request.check()?;
        let plain = crate::Body::ResourceRequest(request.clone()).encode();
        let infos = (SEALED_REQUEST_INFO, SEALED_REQUEST_COPY_INFO);
        let (sealed, copy) =
            crate::circles::seal_with_copy(network, circle, epoch, entry_key, author, infos, &plain, rng)?;
        Ok(SealedRequest { circle: *circle, epoch, sealed, copy })
    }

    /// Opens it with the circle's key of its epoch.
    pub fn open(&self, network: &crate::NetworkId, key: &[u8; 32]) -> Option<ResourceRequest> {
        let secret = crate::circles::entry_secret(key);
        self.open_with(network, &secret, SEALED_REQUEST_INFO, &self.sealed)
    }

    /// Opens the author's copy with their agreement secret.
    pub fn open_copy(
        &self,
        network: &crate::NetworkId,
        mine: &strike_crypto::AgreementSecret,
    ) -> Option<ResourceRequest> {
        self.open_with(network, mine, SEALED_REQUEST_COPY_INFO, &self.copy)
    }

    fn open_with(
        &self,
        network: &crate::NetworkId,
        secret: &strike_crypto::AgreementSecret,
        info: &[u8],
        blob: &[u8],
    ) -> Option<ResourceRequest> {
        let aad = crate::circles::circle_aad(network, &self.circle, self.epoch);
        let plain = strike_crypto::open_sealed(secret, info, &aad, blob).ok()?;
        match crate::Body::decode(&plain).ok()? {
            crate::Body::ResourceRequest(r) => Some(r),
            _ => None,
        }
    }
}

/// An offer or request is closed: withdrawn by its author, or done with by a keeper (an
/// offer received, a request met some other way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentClose {
    pub intent: OpId,
    pub note: String,
}

impl Fact for IntentClose {
    fn check(&self) -> Result<(), Reject> {
        check_optional("a note", &self.note, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.intent.0)
    }
}

/// Units of a lot promised to a request (keepers commit a plan as these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    pub request: OpId,
    pub lot: OpId,
    pub qty: u64,
}

impl Fact for Commitment {
    fn check(&self) -> Result<(), Reject> {
        check_qty("a commitment's quantity", self.qty)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.lot.0)
    }
}

/// A commitment fulfilled, fully or partly: the units left the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub commitment: OpId,
    pub qty: u64,
    pub note: String,
}

impl Fact for Handover {
    fn check(&self) -> Result<(), Reject> {
        check_qty("a handover's quantity", self.qty)?;
        check_optional("a note", &self.note, MAX_NOTE_LEN)
    }

    fn index(&self) -> FactIndex {
        FactIndex::about(&self.commitment.0)
    }
}

/// How far apart two places are (any unit the keepers agree on: minutes, km), for the
/// engine's last preference; the latest entry for a pair stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceDistance {
    pub a: String,
    pub b: String,
    pub distance: u32,
}

impl Fact for PlaceDistance {
    fn check(&self) -> Result<(), Reject> {
        check_text("a place", &self.a, MAX_FIELD_LEN)?;
        check_text("a place", &self.b, MAX_FIELD_LEN)?;
        if self.a.trim().eq_ignore_ascii_case(self.b.trim()) {
            return Err(Reject::InvalidBody("a distance is between two different places".into()));
        }
        Ok(())
    }
}
