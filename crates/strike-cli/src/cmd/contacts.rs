//! Contacts and assessments: co-workers who are not members yet, one-on-one notes, support
//! from 1 to 5, and the workplace map.

use clap::Subcommand;
use serde_json::json;
use strike_core::contacts::Contact;
use strike_node::Node;

use crate::config::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
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
    /// Re-issue a contact written before circles into the organizers' circle, and retract the
    /// old one (its ciphertext stays in every copy of the log)
    Reissue { network: String, contact: String },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Contact(cmd) => contact(ctx, &mut ctx.unlock()?, &cmd),
            Command::Assess { network, contact, level, note } => {
                assess(ctx, &mut ctx.unlock()?, &network, &contact, level, &note)
            }
            Command::Map { network } => map(ctx, &ctx.unlock()?, &network),
        }
    }
}

fn contact(ctx: &Ctx, node: &mut Node, cmd: &ContactCommand) -> anyhow::Result<()> {
    match cmd {
        ContactCommand::Add { network, name, workplace, department, shift, role } => {
            let id = node.resolve_network(network)?;
            let contact = Contact {
                name: name.clone(),
                workplace: workplace.clone(),
                department: department.clone(),
                shift: shift.clone(),
                role: role.clone(),
            };
            let op = node.add_contact(&id, contact)?;
            ctx.out.emit(json!({ "op_id": op.to_hex() }), || format!("contact added ({})", op.short()));
        }
        ContactCommand::List { network } => {
            let id = node.resolve_network(network)?;
            let list = node.contacts(&id)?;
            ctx.out.emit(json!({ "contacts": list }), || {
                list.iter()
                    .map(|c| {
                        let name = if c.name.is_empty() { "(in the organizers' circle)" } else { c.name.as_str() };
                        let old = if c.legacy { "  [written before circles: every member reads it]" } else { "" };
                        format!(
                            "{}  {:<20} {:<12} {:<8} support {}  ({} notes){old}\n",
                            c.id,
                            name,
                            c.department,
                            c.shift,
                            c.support.map_or("-".into(), |l| l.to_string()),
                            c.notes.len()
                        )
                    })
                    .collect()
            });
        }
        ContactCommand::Note { network, contact, text } => {
            let id = node.resolve_network(network)?;
            let c = node.resolve_contact(&id, contact)?;
            let op = node.note_contact(&id, &c, text)?;
            ctx.out
                .emit(json!({ "op_id": op.to_hex() }), || "note recorded (visible to: the organizers' circle)".into());
        }
        ContactCommand::Reissue { network, contact } => {
            let id = node.resolve_network(network)?;
            let c = node.resolve_contact(&id, contact)?;
            let op = node.reissue_contact(&id, &c)?;
            ctx.out.emit(json!({ "contact": op.to_hex() }), || {
                format!(
                    "re-issued into the organizers' circle as {}; the old entry is retracted, and its ciphertext stays in \
                     every copy of the log, readable with the keys that opened it before",
                    op.short()
                )
            });
        }
    }
    Ok(())
}

fn assess(ctx: &Ctx, node: &mut Node, network: &str, contact: &str, level: u8, note: &str) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let c = node.resolve_contact(&id, contact)?;
    let op = node.assess(&id, &c, level, note)?;
    ctx.out.emit(json!({ "op_id": op.to_hex() }), || format!("assessed at {level}"));
    Ok(())
}

fn map(ctx: &Ctx, node: &Node, network: &str) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let m = node.workplace_map(&id)?;
    ctx.out.emit(json!({ "map": m }), || {
        let mut out = format!("{:<16}", "");
        for s in &m.shifts {
            out.push_str(&format!("{s:<26}"));
        }
        if m.full {
            out.push_str("\n(each cell: members | contacts by support 1-5 | not assessed)\n");
        } else {
            out.push_str("\n(each cell: members | contacts; support levels stay in the organizers' circle)\n");
        }
        for (d, row) in m.departments.iter().zip(&m.cells) {
            out.push_str(&format!("{d:<16}"));
            for c in row {
                let s = &c.by_support;
                let cell = if m.full {
                    format!("{} | {} {} {} {} {} | {}", c.members, s[0], s[1], s[2], s[3], s[4], c.unassessed)
                } else {
                    format!("{} | {}", c.members, c.contacts)
                };
                out.push_str(&format!("{cell:<26}"));
            }
            out.push('\n');
        }
        out
    });
    Ok(())
}
