//! Money, exactly: amounts are integers in a currency's minor units (cents), read from what
//! people type and written back the same way; no float touches them. Splits give every
//! cent to someone by a stated rule.

/// Largest amount, in minor units (ten trillion euros): sums of many stay far inside i64.
pub const MAX_MINOR: i64 = 1_000_000_000_000_000;

/// A currency: its ISO 4217 code and how many decimals its minor unit has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    pub code: &'static str,
    pub exponent: u8,
}

/// The currencies a fund may keep (ISO 4217 codes and their minor units).
pub const CURRENCIES: &[(&str, u8)] = &[
    ("ARS", 2),
    ("AUD", 2),
    ("BGN", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("INR", 2),
    ("JPY", 0),
    ("KES", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("PHP", 2),
    ("PLN", 2),
    ("RON", 2),
    ("SEK", 2),
    ("TND", 3),
    ("TRY", 2),
    ("UAH", 2),
    ("USD", 2),
    ("ZAR", 2),
];

impl Currency {
    /// The currency with this code (any case).
    pub fn parse(code: &str) -> Result<Currency, String> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|(code, exponent)| Currency { code, exponent: *exponent })
            .ok_or_else(|| format!("{code:?} is not a currency a fund keeps (ISO 4217 codes such as EUR, USD, GBP)"))
    }

    fn scale(self) -> i64 {
        10i64.pow(u32::from(self.exponent))
    }

    /// Reads an amount as people type it: `12`, `0.10`, `1,234.50` (commas only between
    /// groups of three digits, a point before the decimals, at most the currency's decimals,
    /// optionally the code after it: `20.00 EUR`). Zero is allowed (a caller that needs a
    /// positive amount says so); negatives are not.
    pub fn parse_amount(self, text: &str) -> Result<i64, String> {
        let t = text.trim();
        let t = match t.rsplit_once(' ') {
            Some((number, code)) if code.eq_ignore_ascii_case(self.code) => number.trim(),
            Some((_, code)) if code.chars().all(|c| c.is_ascii_alphabetic()) && code.len() == 3 => {
                return Err(format!("this fund keeps {}, not {}", self.code, code.to_ascii_uppercase()));
            }
            _ => t,
        };
        let bad = || format!("cannot read the amount {text:?}: write it like 12, 0.10 or 1,234.50 ({})", self.code);
        if t.starts_with('-') {
            return Err(format!("an amount is not negative ({text:?})"));
        }
        let (whole, fraction) = match t.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (t, None),
        };
        if whole.is_empty() {
            return Err(bad());
        }
        // Thousands separators: groups of three after the first group of one to three.
        let groups: Vec<&str> = whole.split(',').collect();
        let grouped_ok = groups.len() == 1
            || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
        if !grouped_ok || groups.iter().any(|g| !g.chars().all(|c| c.is_ascii_digit())) {
            return Err(bad());
        }
        let digits: String = groups.concat();
        let mut minor: i64 = 0;
        for c in digits.chars() {
            minor = minor.checked_mul(10).and_then(|m| m.checked_add(i64::from(c as u8 - b'0'))).ok_or_else(bad)?;
            if minor > MAX_MINOR {
                return Err(format!("{text:?} is more than a fund can hold"));
            }
        }
        minor = minor.checked_mul(self.scale()).ok_or_else(bad)?;
        if let Some(f) = fraction {
            if f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            if f.len() > usize::from(self.exponent) {
                return Err(format!(
                    "{text:?} has {} decimals: {} has {}",
                    f.len(),
                    self.code,
                    if self.exponent == 0 { "none".to_string() } else { self.exponent.to_string() }
                ));
            }
            let padded = format!("{f:0<width$}", width = usize::from(self.exponent));
            minor += padded.parse::<i64>().map_err(|_| bad())?;
        }
        if minor > MAX_MINOR {
            return Err(format!("{text:?} is more than a fund can hold"));
        }
        Ok(minor)
    }

    /// Writes minor units as people read them: `1,234.50` (`-` before a negative one).
    pub fn format(self, minor: i64) -> String {
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let scale = self.scale().unsigned_abs();
        let whole = (abs / scale).to_string();
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        match self.exponent {
            0 => format!("{sign}{grouped}"),
            e => format!("{sign}{grouped}.{:0width$}", abs % scale, width = usize::from(e)),
        }
    }
}

/// Splits `total` minor units in proportion to `weights`: each part is its exact share
/// rounded down, and the units left over go one each to the largest remainders, equal
/// remainders to the earlier part (the remainder rule). The parts add up to `total`
/// exactly; with no weight, the whole total goes to the first part.
pub fn split(total: i64, weights: &[u64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 {
        let mut parts = vec![0; weights.len()];
        parts[0] = total;
        return parts;
    }
    let (sign, abs) = (total.signum(), u128::from(total.unsigned_abs()));
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut rest: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = abs * u128::from(w);
        parts.push(exact / sum);
        rest.push((exact % sum, i));
    }
    let left = abs - parts.iter().sum::<u128>();
    // Largest remainder first; a stable sort keeps equal ones in order.
    rest.sort_by_key(|r| std::cmp::Reverse(r.0));
    for &(_, i) in rest.iter().take(left as usize) {
        parts[i] += 1;
    }
    parts.into_iter().map(|p| sign * p as i64).collect()
}
