//! Circles: private scopes inside a network. Every network has the organizers' circle;
//! organizers open others (a crisis team, treasurers) whose leads add and remove members.

use clap::Subcommand;
use serde_json::json;
use strike_node::Node;
use strike_node::circles::CircleView;

use crate::config::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Circles of a network: private scopes with their own keys (the organizers' circle, a
    /// crisis team, treasurers ...)
    #[command(subcommand)]
    Circle(CircleCommand),
}

#[derive(Debug, Subcommand)]
pub enum CircleCommand {
    /// The network's circles: name, purpose, members (count, and names if you are in it)
    List { network: String },
    /// Open a circle (organizers); you lead it
    Create {
        network: String,
        #[arg(long)]
        name: String,
        /// What it is for, as every member sees it
        #[arg(long, default_value = "")]
        purpose: String,
    },
    /// Add a member of the network to a circle (organizers, or the circle's leads)
    Add {
        network: String,
        /// `organizers`, the circle's name or an id prefix
        circle: String,
        /// The member's pseudonym or id prefix
        member: String,
    },
    /// Take someone out of a circle: a fresh key is sealed to the rest
    Remove { network: String, circle: String, member: String },
    /// A circle: its leads, size, members and posts (members and posts only if you are in it)
    Show { network: String, circle: String },
    /// Appoint a circle's lead, or end it with --end (organizers)
    Lead {
        network: String,
        circle: String,
        member: String,
        #[arg(long)]
        end: bool,
    },
    /// Write a post into a circle you are in: only its members read it
    Post { network: String, circle: String, text: String },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Command::Circle(cmd) = self;
        let mut node = ctx.unlock()?;
        circle(ctx, &mut node, cmd)
    }
}

fn line(c: &CircleView) -> String {
    let you = if c.i_lead {
        "  (you lead it)"
    } else if c.i_am_in {
        "  (you are in it)"
    } else {
        ""
    };
    let who = match &c.members {
        Some(m) if c.i_am_in || c.organizers => m
            .iter()
            .map(|p| if p.lead { format!("{}*", p.name) } else { p.name.clone() })
            .collect::<Vec<_>>()
            .join(", "),
        _ => format!("led by {}", c.leads.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(", ")),
    };
    let short = if c.organizers { "organizers".to_string() } else { c.id[..12].to_string() };
    format!("{short:<12}  {:<20} {:>3} members  {who}{you}\n", c.name, c.size)
}

fn circle(ctx: &Ctx, node: &mut Node, cmd: CircleCommand) -> anyhow::Result<()> {
    match cmd {
        CircleCommand::List { network } => {
            let id = node.resolve_network(&network)?;
            let list = node.circles(&id)?;
            ctx.out.emit(json!({ "circles": list }), || {
                let mut out: String = list.iter().map(line).collect();
                out.push_str("(* leads; members are listed only for circles you are in)\n");
                out
            });
        }
        CircleCommand::Create { network, name, purpose } => {
            let id = node.resolve_network(&network)?;
            let op = node.create_circle(&id, &name, &purpose)?;
            ctx.out.emit(json!({ "circle": op.to_hex() }), || {
                format!(
                    "circle {:?} opened ({}); you lead it: add members with `openstrike circle add`",
                    name.trim(),
                    op.short()
                )
            });
        }
        CircleCommand::Add { network, circle, member } => entry(ctx, node, &network, &circle, &member, true)?,
        CircleCommand::Remove { network, circle, member } => entry(ctx, node, &network, &circle, &member, false)?,
        CircleCommand::Show { network, circle } => {
            let id = node.resolve_network(&network)?;
            let c = node.resolve_circle(&id, &circle)?;
            let view = node.circle(&id, &c)?;
            let posts = node.circle_posts(&id, &c)?;
            ctx.out.emit(json!({ "circle": view, "posts": posts }), || {
                let mut out = line(&view);
                if !view.purpose.is_empty() {
                    out.push_str(&format!("{}\n", view.purpose));
                }
                if view.i_am_in {
                    out.push_str(&format!("posts ({}):\n", view.visible_to));
                    for p in &posts {
                        out.push_str(&format!("  {}  {}: {}\n", strike_core::CoarseTime(p.time), p.author, p.text));
                    }
                } else {
                    out.push_str("you are not in this circle: you see its size and leads, nothing it holds\n");
                }
                out
            });
        }
        CircleCommand::Lead { network, circle, member, end } => {
            let id = node.resolve_network(&network)?;
            let c = node.resolve_circle(&id, &circle)?;
            let who = node.resolve_member(&id, &member)?;
            let op = node.set_circle_lead(&id, &c, &who.author, !end)?;
            ctx.out.emit(json!({ "op_id": op.to_hex() }), || {
                if end { format!("{} no longer leads it", who.name) } else { format!("{} leads it", who.name) }
            });
        }
        CircleCommand::Post { network, circle, text } => {
            let id = node.resolve_network(&network)?;
            let c = node.resolve_circle(&id, &circle)?;
            let op = node.post_in_circle(&id, &c, &text)?;
            let label = node.visible_to(&id, &c)?;
            ctx.out.emit(json!({ "op_id": op.to_hex(), "visible_to": label }), || format!("posted ({label})"));
        }
    }
    Ok(())
}

fn entry(ctx: &Ctx, node: &mut Node, network: &str, circle: &str, member: &str, added: bool) -> anyhow::Result<()> {
    let id = node.resolve_network(network)?;
    let c = node.resolve_circle(&id, circle)?;
    let who = node.resolve_member(&id, member)?;
    let op =
        if added { node.add_to_circle(&id, &c, &who.author)? } else { node.remove_from_circle(&id, &c, &who.author)? };
    let view = node.circle(&id, &c)?;
    ctx.out.emit(json!({ "op_id": op.to_hex(), "circle": view }), || {
        if added {
            format!("{} added to {}: their node receives its key on the next sync", who.name, view.name)
        } else {
            format!("{} taken out of {}: the rest have a fresh key", who.name, view.name)
        }
    });
    Ok(())
}
