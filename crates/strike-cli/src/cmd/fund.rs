//! The strike fund: organizers open it, treasurers record money in and out, set strike pay,
//! approve and pay claims; members pledge, claim and check that the totals add up.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;
use strike_node::fund::views::FundView;
use strike_node::fund::{ClaimInput, FundInput, ReceiveInput, RuleInput, TransferInput};

use crate::config::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The strike fund: create, show, contribute, receive, transfer, rule, claim, approve,
    /// reject, pay, ledger, verify
    #[command(subcommand)]
    Fund(FundCommand),
}

#[derive(Debug, Subcommand)]
pub enum FundCommand {
    /// Open the network's fund (organizers); treasurers are the leads of a circle
    Create {
        network: String,
        /// ISO 4217 code: EUR, USD, GBP ...
        #[arg(long)]
        currency: String,
        /// Treasurers who must approve each payout (default 2)
        #[arg(long)]
        approvals: Option<u8>,
        /// The treasurers' circle (default: the organizers)
        #[arg(long, default_value = "")]
        circle: String,
    },
    /// Balance, money in and out by week, recipients, runway, and the claims you can see
    Show { network: String },
    /// Pledge a standing contribution (sealed to the treasurers)
    Contribute {
        network: String,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// Every month (else once)
        #[arg(long)]
        monthly: bool,
    },
    /// Record money received (treasurers)
    Receive {
        network: String,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// member, donor or event
        #[arg(long)]
        from: String,
        /// cash (you hold it) or bank
        #[arg(long, default_value = "cash")]
        method: String,
        /// The contributing member: only the treasurers see who
        #[arg(long, default_value = "")]
        member: String,
        /// Shown to every member: leave names out
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Hand money on (treasurers): your cash to another treasurer or into the bank, or bank
    /// money into your cash (--from bank --to YOU)
    Transfer {
        network: String,
        #[arg(long, allow_hyphen_values = true)]
        amount: String,
        /// bank, or a treasurer
        #[arg(long)]
        to: String,
        /// cash (yours) or bank
        #[arg(long, default_value = "cash")]
        from: String,
        /// Shown to every member
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Set strike pay for a call (treasurers)
    Rule {
        network: String,
        #[arg(long)]
        call: String,
        #[arg(long)]
        per_day: String,
        #[arg(long, default_value = "")]
        per_dependant: String,
        #[arg(long)]
        max_days: Option<u16>,
    },
    /// Ask for strike pay (--call) or a hardship grant (--hardship and --amount); sealed to
    /// the treasurers
    Claim {
        network: String,
        #[arg(long, default_value = "")]
        call: String,
        #[arg(long)]
        days: Option<u16>,
        #[arg(long)]
        dependants: Option<u16>,
        #[arg(long, default_value = "")]
        amount: String,
        /// What the hardship is ("rent due"): only the treasurers read it
        #[arg(long, default_value = "")]
        hardship: String,
    },
    /// Approve a claim (treasurers; not your own)
    Approve { network: String, claim: String },
    /// Turn a claim down (treasurers), saying why
    Reject {
        network: String,
        claim: String,
        #[arg(long)]
        why: String,
    },
    /// Record an approved claim paid (treasurers)
    Pay {
        network: String,
        claim: String,
        /// cash, bank or mobile
        #[arg(long, default_value = "cash")]
        method: String,
    },
    /// The journal and a trial balance; --csv FILE writes the journal to FILE and the trial
    /// balance beside it (FILE-trial-balance.csv)
    Ledger {
        network: String,
        #[arg(long)]
        csv: Option<PathBuf>,
    },
    /// Check that the public totals add up, and that your own payouts are in them
    Verify { network: String },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Command::Fund(cmd) = self;
        let mut node = ctx.unlock()?;
        match cmd {
            FundCommand::Create { network, currency, approvals, circle } => {
                let net = node.resolve_network(&network)?;
                let op = node.create_fund(&net, &FundInput { currency, approvals, circle })?;
                let v = node.fund(&net)?.expect("just opened");
                ctx.out.emit(json!({ "op_id": op.to_hex(), "fund": v }), || {
                    format!(
                        "fund opened in {}: {} treasurer(s) ({}), {} approvals per payout\n",
                        v.currency,
                        v.treasurers.len(),
                        v.treasurers.join(", "),
                        v.approvals
                    )
                });
            }
            FundCommand::Show { network } => {
                let net = node.resolve_network(&network)?;
                let v = node.fund(&net)?.ok_or_else(|| anyhow::anyhow!("this network has no fund yet"))?;
                ctx.out.emit(json!(v), || show_text(&v));
            }
            FundCommand::Contribute { network, amount, monthly } => {
                let net = node.resolve_network(&network)?;
                let op = node.fund_contribute(&net, &amount, monthly)?;
                ctx.out.emit(json!({ "op_id": op.to_hex() }), || {
                    "pledge sealed to the treasurers: other members see only that a note was written\n".into()
                });
            }
            FundCommand::Receive { network, amount, from, method, member, note } => {
                let net = node.resolve_network(&network)?;
                let op = node.fund_receive(&net, &ReceiveInput { amount, from, method, member, note })?;
                let v = node.fund(&net)?.expect("a fund");
                ctx.out.emit(json!({ "op_id": op.to_hex(), "balance": v.balance }), || {
                    format!("received ({}); the fund holds {} {}\n", op.short(), v.balance, v.currency)
                });
            }
            FundCommand::Transfer { network, amount, to, from, note } => {
                let net = node.resolve_network(&network)?;
                let op = node.fund_transfer(&net, &TransferInput { amount, to, from, note })?;
                ctx.out.emit(json!({ "op_id": op.to_hex() }), || format!("handed on ({})\n", op.short()));
            }
            FundCommand::Rule { network, call, per_day, per_dependant, max_days } => {
                let net = node.resolve_network(&network)?;
                let op = node.fund_rule(&net, &RuleInput { call, per_day, per_dependant, max_days })?;
                ctx.out.emit(json!({ "op_id": op.to_hex() }), || "strike pay set\n".into());
            }
            FundCommand::Claim { network, call, days, dependants, amount, hardship } => {
                let net = node.resolve_network(&network)?;
                let op = node.fund_claim(&net, &ClaimInput { call, days, dependants, amount, hardship })?;
                ctx.out.emit(json!({ "claim_id": op.to_hex() }), || {
                    format!("claim {} sealed to the treasurers; `fund verify` shows when it is paid\n", op.short())
                });
            }
            FundCommand::Approve { network, claim } => {
                let net = node.resolve_network(&network)?;
                let op = node.fund_answer(&net, &claim, true, "")?;
                ctx.out.emit(json!({ "op_id": op.to_hex() }), || "approved\n".into());
            }
            FundCommand::Reject { network, claim, why } => {
                let net = node.resolve_network(&network)?;
                let op = node.fund_answer(&net, &claim, false, &why)?;
                ctx.out.emit(json!({ "op_id": op.to_hex() }), || "turned down\n".into());
            }
            FundCommand::Pay { network, claim, method } => {
                let net = node.resolve_network(&network)?;
                let op = node.fund_pay(&net, &claim, &method)?;
                ctx.out.emit(json!({ "op_id": op.to_hex() }), || format!("paid ({})\n", op.short()));
            }
            FundCommand::Ledger { network, csv } => {
                let net = node.resolve_network(&network)?;
                let l = node.fund_ledger(&net)?;
                if let Some(path) = csv {
                    std::fs::write(&path, l.journal_csv())?;
                    let stem = path.with_extension("");
                    let trial = PathBuf::from(format!("{}-trial-balance.csv", stem.display()));
                    std::fs::write(&trial, l.trial_csv())?;
                    ctx.out.emit(json!({ "journal": path, "trial_balance": trial }), || {
                        format!(
                            "{} lines written to {}; trial balance to {}\n",
                            l.journal.len(),
                            path.display(),
                            trial.display()
                        )
                    });
                } else {
                    ctx.out.emit(json!(l), || {
                        let mut out = String::new();
                        for r in &l.journal {
                            let _ = writeln!(
                                out,
                                "{} {:<16} {:<22} {:>12} {:>12} {:<10} {}",
                                r.entry, r.when, r.account, r.debit, r.credit, r.party, r.standing
                            );
                        }
                        let _ = writeln!(out, "\ntrial balance ({})", l.currency);
                        for t in &l.trial {
                            let _ = writeln!(out, "  {:<22} {:>12} {:>12}", t.account, t.debit, t.credit);
                        }
                        let _ = writeln!(out, "  {:<22} {:>12} {:>12}", "total", l.total_debit, l.total_credit);
                        out
                    });
                }
            }
            FundCommand::Verify { network } => {
                let net = node.resolve_network(&network)?;
                let r = node.fund_verify(&net)?;
                ctx.out.emit(json!(r), || {
                    let mut out = format!("{} entries re-added\n", r.entries);
                    for c in &r.checks {
                        let _ = writeln!(out, "  [{}] {}", if c.ok { "ok" } else { "FAIL" }, c.what);
                    }
                    for m in &r.mine {
                        let _ = writeln!(out, "  your claim {} ({}): {}", m.claim, m.owed, m.found);
                    }
                    for p in &r.problems {
                        let _ = writeln!(out, "  problem: {p}");
                    }
                    let _ = writeln!(out, "{}", if r.ok { "the totals add up" } else { "the totals do NOT add up" });
                    out
                });
                if !r.ok {
                    anyhow::bail!("fund verify found problems");
                }
            }
        }
        Ok(())
    }
}

fn show_text(v: &FundView) -> String {
    let mut out = format!(
        "fund ({}): {} held, {} in, {} out to {} recipients\nrunway: {} (strike pay {} a week; {} claimed and approved by a treasurer, not yet paid)\n",
        v.currency, v.balance, v.income, v.payouts, v.recipients, v.runway, v.weekly_projection, v.open_payouts
    );
    let _ = writeln!(out, "treasurers ({}, {} approvals a payout): {}", v.circle, v.approvals, v.treasurers.join(", "));
    let _ = writeln!(out, "\nweek of        in            out");
    for w in v.weeks.iter().filter(|w| w.income_minor != 0 || w.payouts_minor != 0) {
        let _ = writeln!(out, "{}  {:>12}  {:>12}", w.start, w.income, w.payouts);
    }
    for r in &v.rules {
        let _ = writeln!(
            out,
            "\nstrike pay for {}: {} a day, {} a dependant, up to {} days ({} pledged)",
            r.title, r.per_day, r.per_dependant, r.max_days, r.pledged
        );
    }
    if let Some(mine) = &v.my_contribution {
        let _ = writeln!(out, "\nyour pledge: {mine}");
    }
    if let Some(p) = &v.pledges {
        let _ = writeln!(out, "\npledges: {} members, {} a month", p.members, p.monthly);
    }
    if !v.claims.is_empty() {
        let _ = writeln!(out, "\nclaims:");
        for c in &v.claims {
            let _ = writeln!(
                out,
                "  {} {:<10} {:<10} {:>10}  {} ({} of {}): {}",
                c.id, c.claimant, c.kind, c.amount, c.status, c.approvals, c.needed, c.what
            );
        }
    }
    if !v.review.is_empty() {
        let _ = writeln!(out, "\nneeds review:");
        for r in &v.review {
            let _ = writeln!(out, "  {r}");
        }
    }
    out
}
