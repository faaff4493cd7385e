//! Events and picket shifts: organizers set out meetings, pickets, trainings, socials and
//! actions; members answer them and sign up for a picket's shifts.

use clap::Subcommand;
use serde_json::json;
use strike_core::CoarseTime;
use strike_core::events::{Answer, ShiftInput};
use strike_node::events::{EventSpec, EventView};

use crate::config::Ctx;
use crate::output::time;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Meetings, pickets, trainings, socials and actions
    #[command(subcommand)]
    Event(EventCommand),
    /// Sign up for a picket's or an action's shifts, or leave one
    #[command(subcommand)]
    Shift(ShiftCommand),
}

#[derive(Debug, Subcommand)]
pub enum EventCommand {
    /// Set out an event (organizers)
    Create {
        /// Network id, id prefix or unique name
        network: String,
        /// meeting, picket, training, social or action
        #[arg(long)]
        kind: String,
        #[arg(long)]
        title: String,
        /// When it starts: 2026-12-15T18:00 (UTC), or from now as 3d
        #[arg(long)]
        start: String,
        #[arg(long, default_value = "")]
        place: String,
        #[arg(long, default_value = "")]
        note: String,
        /// A shift of a picket or action, on the event's day: "North gate, 05:30-09:00, 4"; repeat for several
        #[arg(long = "shift", value_name = "GATE, HH:MM-HH:MM, PEOPLE")]
        shifts: Vec<String>,
    },
    /// Events of a network, soonest first
    List {
        /// Network id, id prefix or unique name
        network: String,
    },
    /// One event: its answers, and each shift's fill and who is on it
    Show { event: String },
    /// Answer an event: going, maybe or no (the last answer stands)
    Rsvp { event: String, answer: String },
    /// Call an event off (organizers)
    Cancel {
        event: String,
        #[arg(long, default_value = "")]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ShiftCommand {
    /// Sign up for shift N of an event (see `event show`)
    Signup { event: String, shift: u16 },
    /// Leave shift N of an event
    Leave { event: String, shift: u16 },
}

impl Command {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let mut node = ctx.unlock()?;
        match self {
            Command::Event(EventCommand::Create { network, kind, title, start, place, note, shifts }) => {
                let id = node.resolve_network(&network)?;
                let shifts = shifts.iter().map(|s| ShiftInput::parse(s)).collect::<Result<Vec<_>, _>>();
                let shifts = shifts.map_err(|e| crate::cmd::usage(format!("--shift: {e}")))?;
                let spec = EventSpec { kind, title, start, place, note, shifts };
                let op = node.create_event(&id, &spec)?;
                let v = node.event(&id, &op)?;
                ctx.out.emit(json!(v), || {
                    let mut out = format!("event {} set out: {}\n", v.id, headline(&v));
                    if !v.shifts.is_empty() {
                        out.push_str(&format!("Members sign up with: openstrike shift signup {} N\n", v.id));
                    }
                    out
                });
            }
            Command::Event(EventCommand::List { network }) => {
                let id = node.resolve_network(&network)?;
                let events = node.events(&id)?;
                ctx.out.emit(json!({ "network_id": id.to_hex(), "events": events }), || {
                    if events.is_empty() {
                        return "no events yet".into();
                    }
                    events
                        .iter()
                        .map(|v| {
                            let short = match v.short_shifts.len() {
                                0 => String::new(),
                                n => format!("  ({n} shift{} short)", if n == 1 { "" } else { "s" }),
                            };
                            format!("{}  {}{}\n", v.id, headline(v), short)
                        })
                        .collect()
                });
            }
            Command::Event(EventCommand::Show { event }) => {
                let (net, op) = node.find_event(&event)?;
                let v = node.event(&net, &op)?;
                ctx.out.emit(json!(v), || details(&v));
            }
            Command::Event(EventCommand::Rsvp { event, answer }) => {
                let answer = Answer::parse(&answer).map_err(crate::cmd::usage)?;
                let (net, op) = node.find_event(&event)?;
                node.rsvp(&net, &op, answer)?;
                let v = node.event(&net, &op)?;
                ctx.out.emit(json!(v), || {
                    format!(
                        "answered {}: {}\n{} going, {} maybe, {} no\n",
                        answer.as_str(),
                        v.title,
                        v.going,
                        v.maybe,
                        v.no
                    )
                });
            }
            Command::Event(EventCommand::Cancel { event, reason }) => {
                let (net, op) = node.find_event(&event)?;
                node.cancel_event(&net, &op, &reason)?;
                let v = node.event(&net, &op)?;
                ctx.out.emit(json!(v), || format!("called off: {}\n", v.title));
            }
            Command::Shift(cmd) => {
                let (event, number, joined) = match cmd {
                    ShiftCommand::Signup { event, shift } => (event, shift, true),
                    ShiftCommand::Leave { event, shift } => (event, shift, false),
                };
                let (net, op) = node.find_event(&event)?;
                node.shift_signup(&net, &op, number, joined)?;
                let v = node.event(&net, &op)?;
                let shift = &v.shifts[usize::from(number - 1)];
                ctx.out.emit(json!(v), || {
                    let what = match (joined, shift.me) {
                        (false, _) => "left",
                        (true, Some("standby")) => "on standby for",
                        (true, _) => "signed up for",
                    };
                    format!("{what} {} ({})\n{}\n", shift.label, v.title, shift.fill)
                });
            }
        }
        Ok(())
    }
}

fn headline(v: &EventView) -> String {
    let place = if v.place.is_empty() { String::new() } else { format!(" at {}", v.place) };
    let off = if v.cancelled.is_some() { "  CALLED OFF" } else { "" };
    format!("{} UTC  {}: {}{place}{off}", time(CoarseTime::from_unix_seconds(v.start)), v.kind, v.title)
}

fn details(v: &EventView) -> String {
    let mut out = format!("{} ({})\n{}\n", v.title, v.id, headline(v));
    if let Some(reason) = &v.cancelled {
        out.push_str(&format!("called off{}\n", if reason.is_empty() { String::new() } else { format!(": {reason}") }));
    }
    if !v.note.is_empty() {
        out.push_str(&format!("{}\n", v.note));
    }
    out.push_str(&format!(
        "set out by {}; {} going, {} maybe, {} no{}\n",
        v.by,
        v.going,
        v.maybe,
        v.no,
        v.my_answer.map(|a| format!(" (you: {a})")).unwrap_or_default()
    ));
    for s in &v.shifts {
        out.push_str(&format!(
            "  {}. {}{}{}\n",
            s.number,
            s.fill,
            if s.short { "  SHORT" } else { "" },
            s.me.map(|m| format!("  (you: {m})")).unwrap_or_default()
        ));
        if !s.on.is_empty() {
            out.push_str(&format!("       on: {}\n", s.on.join(", ")));
        }
        if !s.standby.is_empty() {
            out.push_str(&format!("       standby: {}\n", s.standby.join(", ")));
        }
    }
    out
}
