//! Command-line arguments: the interface contract documented in the README.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "openstrike",
    version,
    about = "Open Strike: encrypted, serverless strike networks",
    long_about = "Open Strike: encrypted, serverless strike networks.\n\n\
        Every command works on one data directory: an identity (a key file locked by your passphrase) \
        and an encrypted database. Nothing is sent anywhere unless you export a bundle or sync.\n\n\
        The passphrase is read from --passphrase-file, else OPENSTRIKE_PASSPHRASE, else asked for in the terminal.",
    after_help = "Start with `openstrike demo` to see a demo node, or `openstrike init` to create your own identity."
)]
pub struct Cli {
    /// Data directory [default: the platform's data directory, e.g. ~/.local/share/openstrike]
    #[arg(long, global = true, env = "OPENSTRIKE_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Print machine-readable JSON on stdout instead of text
    #[arg(long, global = true)]
    pub json: bool,

    /// Read the passphrase from the first line of this file
    #[arg(long, global = true, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create your identity and encrypted store (asks for a new passphrase)
    Init,
    /// Change the passphrase (re-wraps the keys; the database is not re-encrypted)
    Passphrase(PassphraseArgs),
    /// Create, list and inspect networks
    #[command(subcommand)]
    Network(NetworkCommand),
    /// Post a signed announcement to a network (organizers)
    Announce {
        /// Network id, id prefix or unique name
        network: String,
        /// The announcement text
        text: String,
    },
    /// Show a network's announcements, newest first
    Announcements {
        /// Network id, id prefix or unique name
        network: String,
        /// How many to show
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Invite people: a link and a QR code ("Are you in?")
    #[command(subcommand)]
    Invite(InviteCommand),
    /// Ask to join a network with an invite link; you see nothing of it until admitted
    Join {
        /// The invite link (openstrike://join/v1/...)
        link: String,
        /// The name the network will know you by
        #[arg(long)]
        pseudonym: String,
        /// Where to write your join request for the members (a bundle only they can open)
        #[arg(long, default_value = "join-request.osb")]
        out: PathBuf,
    },
    /// Members, pending joiners and who vouched for whom; promote and remove
    #[command(subcommand)]
    Member(MemberCommand),
    /// Go on under a new key after yours forked (a restored or cloned device signed with it):
    /// an organizer vouches the new key in, and your old key is removed
    Recover {
        /// Network id, id prefix or unique name
        network: String,
        /// Your key has not forked, but a device holding this data directory was seized or
        /// copied: go on under a new key before anyone signs with the old one
        #[arg(long)]
        compromised: bool,
    },
    /// Vouch for a pending joiner (admission needs the network's number of vouches)
    Vouch {
        network: String,
        /// The joiner's pseudonym or id (prefix)
        member: String,
    },
    /// Your profile in a network
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Skills and assets you bring: car, legal, medical, translation, loud-voice, snacks ...
    #[command(subcommand)]
    Skill(SkillCommand),
    /// Cover offers and needs: shifts, childcare, rides, eldercare; who can cover for whom
    #[command(subcommand)]
    Cover(CoverCommand),
    /// Organizers' contacts: co-workers who are not members yet, and one-on-one notes
    #[command(subcommand)]
    Contact(ContactCommand),
    /// Record a 1-5 support assessment of a contact (organizers)
    Assess {
        network: String,
        /// Contact id (prefix, 6+ hex digits) or exact name
        contact: String,
        /// 1 (hostile) to 5 (will lead)
        level: u8,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The workplace map: departments x shifts, members and contacts by support level
    Map { network: String },
    /// Strike calls with threshold rules
    #[command(subcommand)]
    Call(CallCommand),
    /// Pledge to a call (`pledge CALL`), or take it back before it triggers (`pledge withdraw CALL`)
    Pledge {
        /// CALL, or `withdraw CALL`
        #[arg(num_args = 1..=2, required = true, value_name = "[withdraw] CALL")]
        words: Vec<String>,
    },
    /// Print events as they arrive: new members, pledges counted, TRIGGERED, STARTED
    Watch {
        /// Only this network
        #[arg(long)]
        network: Option<String>,
        /// Seconds between looks
        #[arg(long, default_value_t = 2)]
        interval: u64,
        /// Stop after this many seconds (default: run until interrupted)
        #[arg(long)]
        for_secs: Option<u64>,
    },
    /// A campaign countdown in phases with objectives and readiness gates
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Members, pledges, cover coverage, and the campaign's gates met and missed
    Readiness { network: String },
    /// Run the node: answer sync sessions from peers (QUIC) and sync with every added peer
    /// in the background. Prints its address first
    Serve {
        /// UDP address to listen on
        #[arg(long, default_value = "0.0.0.0:7474")]
        listen: std::net::SocketAddr,
        /// Seconds between background sync rounds with the added peers (0: never)
        #[arg(long, default_value_t = 60)]
        interval: u64,
        /// Sessions answered at once; more connection attempts wait their turn
        #[arg(long, default_value_t = 32)]
        concurrent: usize,
        /// Also find members of the same networks on the local network by mDNS and sync
        /// with them. Anyone on the LAN then sees that a node listens here (not which
        /// networks: those are hidden in tags only members recognise)
        #[arg(long)]
        lan: bool,
        #[command(flatten)]
        ui: UiArgs,
    },
    /// Run this node as a hub, or grant a hub the right to carry a network
    #[command(subcommand)]
    Hub(HubCommand),
    /// This node's address, to give to peers
    #[command(subcommand)]
    Node(NodeCommand),
    /// Peers to sync networks with
    #[command(subcommand)]
    Peer(PeerCommand),
    /// One sync round now with the peers of a network (or one peer), and a summary
    Sync {
        #[arg(long)]
        network: Option<String>,
        /// ID@HOST:PORT (default: every peer added for the network)
        #[arg(long)]
        peer: Option<String>,
    },
    /// Move a network's operations on a USB stick: encrypted bundle files
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Maintenance: rebuild views, read the audit log, check the database
    #[command(subcommand)]
    Admin(AdminCommand),
    /// PANIC BUTTON: destroy the keys so this data can never be opened again
    Wipe {
        /// Do not ask for confirmation
        #[arg(long)]
        yes: bool,
    },
    /// Seed (or reopen) a demo node in its own data directory and serve its web UI: prints
    /// the address and the demo passphrase
    Demo {
        /// Throw the demo away and seed it again
        #[arg(long)]
        reset: bool,
        /// Only seed and show what the demo holds; do not serve the web UI
        #[arg(long)]
        no_serve: bool,
        /// Address of the web UI [default: 127.0.0.1:7475, or a free port if that is taken]
        #[arg(long, value_name = "ADDR")]
        ui_listen: Option<std::net::SocketAddr>,
    },
    /// Measure performance and print the figures
    #[command(subcommand)]
    Bench(BenchCommand),
}

/// Where the web UI listens.
#[derive(Debug, Args)]
pub struct UiArgs {
    /// Address of the web UI. Keep it on loopback: elsewhere anyone who reaches it can try
    /// passphrases (five a minute), and it speaks plain HTTP
    #[arg(long, default_value = "127.0.0.1:7475", value_name = "ADDR")]
    pub ui_listen: std::net::SocketAddr,
    /// A further host name the UI answers to (behind a reverse proxy: its name and port);
    /// repeat for several. Requests naming any other host are refused (DNS rebinding)
    #[arg(long = "ui-host", value_name = "HOST:PORT")]
    pub ui_hosts: Vec<String>,
    /// Do not serve the web UI
    #[arg(long)]
    pub no_ui: bool,
}

#[derive(Debug, Args)]
pub struct PassphraseArgs {
    #[command(subcommand)]
    pub action: PassphraseAction,
}

#[derive(Debug, Subcommand)]
pub enum PassphraseAction {
    /// Set a new passphrase (read from --new-passphrase-file, OPENSTRIKE_NEW_PASSPHRASE or the terminal)
    Change {
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// Create a network; you become its first organizer. Prints its id
    Create {
        /// A name members will recognise (kept encrypted; never leaves the network)
        #[arg(long)]
        name: String,
        /// What kind of network
        #[arg(long, value_enum, default_value_t = KindArg::Workplace)]
        kind: KindArg,
    },
    /// List the networks this node holds
    List,
    /// Show one network
    Show {
        /// Network id, id prefix or unique name
        network: String,
    },
    /// Print the hash of a network's state: equal on every node holding the same operations
    /// (and, for the history layer, the same history keys)
    StateHash {
        /// Network id, id prefix or unique name
        network: String,
    },
    /// Set what new members read of what was written before their admission (organizers):
    /// `all`, or `since-admission` (they read the roster, members, profiles, calls and
    /// pledges, but no earlier announcements, cover, skills, notes or assessments)
    History {
        /// Network id, id prefix or unique name
        network: String,
        /// all | since-admission
        mode: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Crew,
    Workplace,
    Hub,
    Sector,
    Federation,
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write every operation of a network to an encrypted bundle file
    Export {
        /// Network id, id prefix or unique name
        #[arg(long)]
        network: String,
        /// Output file (conventionally .osb)
        #[arg(long)]
        out: PathBuf,
        /// Seal to a passphrase (OPENSTRIKE_BUNDLE_PASSPHRASE or asked) instead of to the members' keys
        #[arg(long)]
        passphrase: bool,
    },
    /// Verify a bundle completely, then apply it; importing twice changes nothing
    Import {
        /// The bundle file
        file: PathBuf,
        /// The bundle is sealed to a passphrase (OPENSTRIKE_BUNDLE_PASSPHRASE or asked)
        #[arg(long)]
        passphrase: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Drop every view and rebuild it from the operation log (state hashes stay the same)
    Rebuild,
    /// Show refused operations and why, newest first
    Audit {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Run SQLite's and SQLCipher's integrity checks
    Check,
    /// Say this data directory is the only copy: writes in NETWORK resume without a sync
    /// (after a restore or a move they wait for one, so no sequence number is signed twice)
    OnlyCopy { network: String },
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Create and ingest announcement ops; prints ops/s and the share spent verifying signatures
    Ingest {
        /// Ops per run
        #[arg(long, default_value_t = 100_000)]
        ops: usize,
        /// Runs (the median is reported)
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Post announcements one commit at a time, printing each op id once it is durable
    /// (a write-load generator; the crash-safety test kills it mid-write)
    Writes {
        /// Network id, id prefix or unique name
        #[arg(long)]
        network: String,
        /// How many announcements to post
        #[arg(long, default_value_t = 1000)]
        count: u64,
    },
    /// Tally pledges across calls: the fold and status evaluation, pure and from the store
    Tally {
        #[arg(long, default_value_t = 1000)]
        calls: usize,
        /// Pledge events (pledges and withdrawals) per call
        #[arg(long, default_value_t = 1000)]
        per_call: usize,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Sync: a new node's catch-up over QUIC on loopback, and set reconciliation of two large
    /// replicas (round trips, bytes each way)
    Sync {
        /// Ops the new node catches up on (0: skip)
        #[arg(long, default_value_t = 100_000)]
        catchup: usize,
        #[arg(long, default_value_t = 1_000_000)]
        ids: usize,
        #[arg(long, default_value_t = 1000)]
        differ: usize,
    },
    /// The web UI under load: a node with a large network, many clients on loopback; p50 and
    /// p99 latency and requests per second for the dashboard and a call's page
    Ui {
        /// Members of the network (built from real ops through ingest)
        #[arg(long, default_value_t = 10_000)]
        members: usize,
        /// Concurrent clients, each on its own keep-alive connection
        #[arg(long, default_value_t = 50)]
        clients: usize,
        /// Seconds of load per page
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Unlocking: the passphrase derivation at the old and the current cost, opening a node,
    /// and a whole CLI command (each command unlocks once)
    Unlock {
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Time `wipe` on a data directory with a database of the given size
    Wipe {
        /// Database size in MiB
        #[arg(long, default_value_t = 1024)]
        mib: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum InviteCommand {
    /// Create an invite (organizers): prints the link, shows a QR code in a terminal
    Create {
        #[arg(long)]
        network: String,
        /// How many people may join with it
        #[arg(long, default_value_t = 1)]
        uses: u16,
        /// Valid for this long (e.g. 7d, 12h); joins claiming a later time do not count
        #[arg(long)]
        expires: Option<String>,
        /// Where to reach the network (peer or hub address); repeat for several
        #[arg(long = "addr", value_name = "ADDR")]
        addresses: Vec<String>,
        /// Also write the QR code as a PNG image
        #[arg(long, value_name = "FILE")]
        qr: Option<PathBuf>,
        /// Never draw the QR code in the terminal
        #[arg(long)]
        no_terminal_qr: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MemberCommand {
    /// Members, pending joiners and removed members, with their vouchers
    List { network: String },
    /// Remove a member or turn down a joiner (organizers); rotates the network key
    Remove { network: String, member: String },
    /// Make a member an organizer (organizers)
    Promote { network: String, member: String },
}

// Parsed once per run: the size of the biggest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Set fields of your profile; fields not given stay as they were
    Set {
        network: String,
        #[arg(long)]
        pseudonym: Option<String>,
        #[arg(long)]
        workplace: Option<String>,
        #[arg(long)]
        department: Option<String>,
        #[arg(long)]
        shift: Option<String>,
        /// Your job (nurse, picker ...): calls may exempt vital roles
        #[arg(long)]
        role: Option<String>,
        #[arg(long)]
        sector: Option<String>,
        #[arg(long)]
        city: Option<String>,
        #[arg(long)]
        country: Option<String>,
        /// Comma-separated
        #[arg(long)]
        languages: Option<String>,
    },
    /// The directory: members' profiles and skills
    List { network: String },
}

#[derive(Debug, Subcommand)]
pub enum SkillCommand {
    Add { network: String, skill: String },
    Remove { network: String, skill: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CoverKindArg {
    Shift,
    Childcare,
    Ride,
    Eldercare,
}

#[derive(Debug, Args)]
pub struct CoverSpec {
    pub network: String,
    #[arg(long, value_enum)]
    pub kind: CoverKindArg,
    /// Days and hours, e.g. "mon-fri 18:00-22:00", "weekends", "any"
    #[arg(long, default_value = "any")]
    pub when: String,
    /// Where (a district, a site)
    #[arg(long = "where", default_value = "")]
    pub place: String,
}

#[derive(Debug, Subcommand)]
pub enum CoverCommand {
    /// Offer cover
    Offer {
        #[command(flatten)]
        spec: CoverSpec,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Ask for cover (counted in readiness: how many needs have a matching offer)
    Need {
        #[command(flatten)]
        spec: CoverSpec,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Who can cover this: open offers that match kind, days and hours, and place
    Find {
        #[command(flatten)]
        spec: CoverSpec,
    },
    /// Every open offer and need
    List { network: String },
    /// Close one of your offers or needs
    Close { network: String, id: String },
}

#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Add a co-worker who is not a member (organizers)
    Add {
        network: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "")]
        workplace: String,
        #[arg(long, default_value = "")]
        department: String,
        #[arg(long, default_value = "")]
        shift: String,
        #[arg(long, default_value = "")]
        role: String,
    },
    /// Contacts with their support level and history
    List { network: String },
    /// Note a one-on-one conversation
    Note { network: String, contact: String, text: String },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CallKindArg {
    Strike,
    Sickout,
    Slowdown,
    WorkToRule,
    Boycott,
}

// Parsed once per run: the size of the biggest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum CallCommand {
    /// Open a strike call (organizers). Rules combine with AND
    Create {
        network: String,
        #[arg(long, value_enum)]
        kind: CallKindArg,
        #[arg(long)]
        title: String,
        /// A demand; repeat for several
        #[arg(long = "demand")]
        demands: Vec<String>,
        /// Only this workplace counts (default: the whole network)
        #[arg(long, default_value = "")]
        scope: String,
        /// At least this many pledges
        #[arg(long)]
        threshold_count: Option<u32>,
        /// At least this share of the mapped workforce (0.6 or 60%)
        #[arg(long)]
        threshold_share: Option<String>,
        /// At least N in every department (or workplace, shift): department=5
        #[arg(long, value_name = "DIMENSION=N")]
        min_per: Vec<String>,
        /// Pledges made after this do not count (2026-12-15, 2026-12-15T17:00 UTC, or 21d)
        #[arg(long)]
        deadline: String,
        /// When the action starts once triggered
        #[arg(long)]
        starts: String,
        /// Vital roles that are not asked to stop and not counted (`--exempt-role nurse midwife`)
        #[arg(long = "exempt-role", num_args = 1..)]
        exempt_roles: Vec<String>,
        /// A further escalation wave: "count=100,share=80%,min-per=department=5,starts=2027-01-10"
        #[arg(long = "wave")]
        waves: Vec<String>,
    },
    /// Calls of a network with their status
    List { network: String },
    /// Progress toward every rule, and the status: open / triggered / expired / started
    Show { call: String },
    /// Close the count of a call whose deadline has passed (organizers; done on its own too)
    Close { call: String },
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Set the campaign from a JSON file (format in the README) (organizers)
    Set {
        network: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// The countdown: phases, dates, objectives, gates
    Show { network: String },
}

#[derive(Debug, Subcommand)]
pub enum NodeCommand {
    /// Print this node's address (ID@HOST:PORT) for the port `serve` listens on
    Addr {
        #[arg(long, default_value_t = 7474)]
        port: u16,
        /// The host or IP peers reach this machine at
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum HubCommand {
    /// Run as an always-on hub: store and forward the ciphertext of the networks granted to
    /// it, holding no keys. Creates the data directory's identity if there is none
    Run {
        /// UDP address to listen on
        #[arg(long, default_value = "0.0.0.0:7474")]
        listen: std::net::SocketAddr,
        /// Most a network may store here, in MiB
        #[arg(long, default_value_t = 1024)]
        max_network_mib: u64,
        /// Most ops one author may store here
        #[arg(long, default_value_t = 100_000)]
        max_author_ops: u64,
        /// Sessions answered at once
        #[arg(long, default_value_t = 64)]
        concurrent: usize,
        /// Also answer sync over HTTP on this TCP address, for members whose networks block
        /// UDP (put a TLS reverse proxy in front when it faces the internet)
        #[arg(long)]
        http_listen: Option<std::net::SocketAddr>,
    },
    /// (Founder) let the hub at HUB_ADDR store and forward NETWORK; it becomes a peer of it.
    /// Prints the grant, for the hub's operator (`hub allow`); members' nodes present it too
    Grant {
        network: String,
        /// The hub's address, ID@HOST:PORT (its operator gets it from `openstrike node addr`)
        hub_addr: String,
        /// Days until the grant expires
        #[arg(long, default_value_t = 365)]
        days: u64,
    },
    /// (Hub operator) accept a grant before any member presents it
    Allow { grant: String },
    /// (Hub operator) the networks this hub carries: ops, bytes, authors, grant expiry
    Status,
}

#[derive(Debug, Subcommand)]
pub enum PeerCommand {
    /// Sync NET with the peer at ADDR from now on
    Add { network: String, addr: String },
    /// Peers and when each last synced
    List {
        #[arg(long)]
        network: Option<String>,
    },
}
