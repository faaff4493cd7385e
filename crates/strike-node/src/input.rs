//! Reading what people type: shares, per-group minimums, escalation waves and whole strike
//! calls. The CLI's flags and the web UI's forms and JSON bodies all go through here, so a
//! call typed anywhere becomes the same [`Call`].

use serde::Deserialize;
use strike_core::calls::{Call, CallKind, Dimension, Rule, Wave};
use strike_core::{CoarseTime, parse_time};

use crate::{NodeError, Result};

fn invalid(message: impl Into<String>) -> NodeError {
    NodeError::InvalidInput(message.into())
}

fn minutes(unix: u64) -> u32 {
    CoarseTime::from_unix_seconds(unix).0
}

/// `0.6` or `60%` to permille (600).
pub fn parse_share(text: &str) -> Result<u16> {
    let t = text.trim();
    let value: f64 = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    }
    .map_err(|_| invalid(format!("{text:?} is not a share (0.6 or 60%)")))?;
    if !(value > 0.0 && value <= 1.0) {
        return Err(invalid(format!("{text:?}: a share is above 0 and at most 100%")));
    }
    Ok((value * 1000.0).round() as u16)
}

/// `department=5`: at least 5 pledges in every department.
pub fn parse_min_per(text: &str) -> Result<Rule> {
    let (d, n) = text.split_once('=').ok_or_else(|| invalid(format!("{text:?}: write a minimum as department=5")))?;
    let dimension = Dimension::parse(d.trim())
        .ok_or_else(|| invalid(format!("{:?} is not a dimension (department, workplace, shift)", d.trim())))?;
    let n = n.trim().parse().map_err(|_| invalid(format!("{:?} is not a number", n.trim())))?;
    Ok(Rule::MinPer { dimension, n })
}

/// `count=100,share=80%,min-per=department=5,starts=2027-01-10`
pub fn parse_wave(text: &str, now: u64) -> Result<Wave> {
    let mut rules = Vec::new();
    let mut starts = None;
    for part in text.split(',') {
        let (k, v) = part.split_once('=').ok_or_else(|| invalid(format!("wave part {part:?} is not key=value")))?;
        match k.trim() {
            "count" => {
                rules.push(Rule::Count { n: v.trim().parse().map_err(|_| invalid(format!("{v:?} is not a number")))? })
            }
            "share" => rules.push(Rule::Share { permille: parse_share(v)? }),
            "min-per" => rules.push(parse_min_per(v)?),
            "starts" => starts = Some(minutes(parse_time(v, now).map_err(invalid)?)),
            other => return Err(invalid(format!("wave: unknown key {other:?} (count, share, min-per, starts)"))),
        }
    }
    let starts = starts.ok_or_else(|| invalid("a wave needs starts=..."))?;
    Ok(Wave { rules, starts })
}

/// A strike call as people write it: times as `2026-12-15T06:00` or `21d`, shares as `60%`,
/// minimums as `department=5`, further waves as in [`parse_wave`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CallSpec {
    /// strike, sickout, slowdown, work-to-rule or boycott.
    pub kind: String,
    pub title: String,
    pub demands: Vec<String>,
    /// Only this workplace counts; empty: the whole network.
    pub scope: String,
    pub threshold_count: Option<u32>,
    pub threshold_share: Option<String>,
    pub min_per: Vec<String>,
    /// Pledges made after this do not count.
    pub deadline: String,
    /// When the action starts once triggered.
    pub starts: String,
    pub exempt_roles: Vec<String>,
    pub waves: Vec<String>,
}

impl CallSpec {
    /// The call this spec describes, with relative times counted from `now` (unix seconds).
    /// Blank demands and roles are dropped; the core's own checks run when the call is written.
    pub fn build(&self, now: u64) -> Result<Call> {
        let kind = CallKind::parse(self.kind.trim()).ok_or_else(|| {
            invalid(format!("{:?} is not a kind of call (strike, sickout, slowdown, work-to-rule, boycott)", self.kind))
        })?;
        if self.title.trim().is_empty() {
            return Err(invalid("a call needs a title"));
        }
        let mut rules = Vec::new();
        if let Some(n) = self.threshold_count {
            rules.push(Rule::Count { n });
        }
        if let Some(s) = self.threshold_share.as_deref().filter(|s| !s.trim().is_empty()) {
            rules.push(Rule::Share { permille: parse_share(s)? });
        }
        for m in self.min_per.iter().filter(|m| !m.trim().is_empty()) {
            rules.push(parse_min_per(m)?);
        }
        if rules.is_empty() {
            return Err(invalid("a call needs at least one rule: a count, a share or a minimum per group"));
        }
        let at = |what: &str, text: &str| -> Result<u32> {
            if text.trim().is_empty() {
                return Err(invalid(format!("a call needs {what}")));
            }
            Ok(minutes(parse_time(text, now).map_err(invalid)?))
        };
        let mut waves = vec![Wave { rules, starts: at("a start time", &self.starts)? }];
        for w in self.waves.iter().filter(|w| !w.trim().is_empty()) {
            waves.push(parse_wave(w, now)?);
        }
        let kept = |v: &[String]| v.iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        Ok(Call {
            kind,
            title: self.title.trim().into(),
            demands: kept(&self.demands),
            scope: self.scope.trim().into(),
            deadline: at("a deadline", &self.deadline)?,
            exempt_roles: kept(&self.exempt_roles),
            waves,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_minimums_and_waves() {
        assert_eq!(parse_share("60%").unwrap(), 600);
        assert_eq!(parse_share("0.625").unwrap(), 625);
        for bad in ["0", "120%", "lots", ""] {
            assert!(parse_share(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_min_per("department=5").unwrap(), Rule::MinPer { dimension: Dimension::Department, n: 5 });
        assert!(parse_min_per("floor=5").is_err());
        let w = parse_wave("count=100,share=80%,starts=2d", 0).unwrap();
        assert_eq!(w.rules, vec![Rule::Count { n: 100 }, Rule::Share { permille: 800 }]);
        assert_eq!(w.starts, 2 * 24 * 60);
        assert!(parse_wave("count=1", 0).is_err(), "a wave needs a start");
    }

    #[test]
    fn a_call_spec_builds_the_call_or_says_what_is_missing() {
        let spec = CallSpec {
            kind: "work-to-rule".into(),
            title: " Heat ".into(),
            demands: vec!["Cooling".into(), " ".into()],
            threshold_count: Some(50),
            threshold_share: Some("60%".into()),
            min_per: vec!["department=5".into()],
            deadline: "21d".into(),
            starts: "2026-12-14T06:00".into(),
            exempt_roles: vec!["nurse".into()],
            ..CallSpec::default()
        };
        let call = spec.build(0).unwrap();
        assert_eq!((call.kind, call.title.as_str(), call.demands.len()), (CallKind::WorkToRule, "Heat", 1));
        assert_eq!(call.waves[0].rules.len(), 3);
        assert_eq!(call.deadline, 21 * 24 * 60);
        let err = |f: &dyn Fn(&mut CallSpec)| {
            let mut s = spec.clone();
            f(&mut s);
            s.build(0).unwrap_err().to_string()
        };
        assert!(err(&|s| s.kind = "riot".into()).contains("not a kind"));
        assert!(err(&|s| s.title.clear()).contains("title"));
        assert!(
            err(&|s| {
                s.threshold_count = None;
                s.threshold_share = None;
                s.min_per.clear();
            })
            .contains("at least one rule")
        );
        assert!(err(&|s| s.deadline = "soon".into()).contains("cannot read the time"));
        assert!(err(&|s| s.starts.clear()).contains("start time"));
    }
}
