//! The directory: your profile in a network, and the skills and assets you bring.

use clap::Subcommand;
use serde_json::json;
use strike_node::Node;

use crate::config::Ctx;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Your profile in a network
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Skills and assets you bring: car, legal, medical, translation, loud-voice, snacks ...
    #[command(subcommand)]
    Skill(SkillCommand),
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

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Profile(cmd) => profile(ctx, &mut ctx.unlock()?, &cmd),
            Command::Skill(cmd) => skill(ctx, &mut ctx.unlock()?, &cmd),
        }
    }
}

fn profile(ctx: &Ctx, node: &mut Node, cmd: &ProfileCommand) -> anyhow::Result<()> {
    match cmd {
        ProfileCommand::Set {
            network,
            pseudonym,
            workplace,
            department,
            shift,
            role,
            sector,
            city,
            country,
            languages,
        } => {
            let id = node.resolve_network(network)?;
            let op = node.set_profile(&id, |p| {
                let set = |field: &mut String, v: &Option<String>| {
                    if let Some(v) = v {
                        *field = v.trim().to_owned();
                    }
                };
                set(&mut p.pseudonym, pseudonym);
                set(&mut p.workplace, workplace);
                set(&mut p.department, department);
                set(&mut p.shift, shift);
                set(&mut p.role, role);
                set(&mut p.sector, sector);
                set(&mut p.city, city);
                set(&mut p.country, country);
                if let Some(l) = languages {
                    p.languages = l.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                }
            })?;
            ctx.out.emit(json!({ "op_id": op.to_hex() }), || "profile updated".into());
        }
        ProfileCommand::List { network } => {
            let id = node.resolve_network(network)?;
            let dir = node.directory(&id)?;
            ctx.out.emit(json!({ "directory": dir }), || {
                dir.iter()
                    .map(|p| {
                        let f = &p.profile;
                        let place: Vec<&str> = [&f.workplace, &f.department, &f.shift, &f.role, &f.city, &f.country]
                            .into_iter()
                            .map(String::as_str)
                            .filter(|s| !s.is_empty())
                            .collect();
                        format!("{:<20} {:<50} {}\n", p.pseudonym, place.join(" / "), p.skills.join(", "))
                    })
                    .collect()
            });
        }
    }
    Ok(())
}

fn skill(ctx: &Ctx, node: &mut Node, cmd: &SkillCommand) -> anyhow::Result<()> {
    let (network, skill, has) = match cmd {
        SkillCommand::Add { network, skill } => (network, skill, true),
        SkillCommand::Remove { network, skill } => (network, skill, false),
    };
    let id = node.resolve_network(network)?;
    let op = node.set_skill(&id, skill, has)?;
    ctx.out.emit(json!({ "op_id": op.to_hex() }), || {
        format!("{} {}", if has { "added" } else { "removed" }, skill.trim().to_lowercase())
    });
    Ok(())
}
