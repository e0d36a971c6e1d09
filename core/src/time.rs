//! Timestamps: RFC 3339 parsing and printing without a clock.

use std::fmt;

use serde::{Serialize, Serializer};

/// A point in time, in whole seconds since the Unix epoch (UTC), plus nanoseconds.
///
/// Gatewise never reads the clock: creation timestamps come from manifests (or the
/// loader's "one second apart" rule) and `lastTransitionTime` from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    secs: i64,
    nanos: u32,
}

impl Timestamp {
    /// 2024-01-01T00:00:00Z: the first default creation timestamp.
    pub const DEFAULT_EPOCH: Timestamp = Timestamp {
        secs: 1_704_067_200,
        nanos: 0,
    };

    /// From seconds since the Unix epoch.
    pub const fn from_unix(secs: i64) -> Self {
        Timestamp { secs, nanos: 0 }
    }

    /// Seconds since the Unix epoch.
    pub const fn unix(self) -> i64 {
        self.secs
    }

    /// This timestamp plus `secs` seconds.
    pub const fn plus_secs(self, secs: i64) -> Self {
        Timestamp {
            secs: self.secs.saturating_add(secs),
            nanos: self.nanos,
        }
    }

    /// Parses RFC 3339 (`2024-01-01T00:00:00Z`, fractional seconds and offsets allowed).
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() < 20 {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let s = text.get(r)?;
            if !s.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't' | b' ')
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || min > 59
            || sec > 60
        {
            return None;
        }
        let mut i = 19;
        let mut nanos = 0u32;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return None;
            }
            let digits = &text[start..i.min(start + 9)];
            let scale = 10u32.pow(9 - u32::try_from(digits.len()).ok()?);
            nanos = digits.parse::<u32>().ok()? * scale;
        }
        let offset = match b.get(i)? {
            b'Z' | b'z' if i + 1 == b.len() => 0,
            sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
                let h = num(i + 1..i + 3)?;
                let m = num(i + 4..i + 6)?;
                let off = h * 3600 + m * 60;
                if *sign == b'+' { off } else { -off }
            }
            _ => return None,
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + min * 60 + sec - offset;
        Some(Timestamp { secs, nanos })
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC, as Kubernetes prints it (`2024-01-01T00:00:00Z`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let rem = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_epoch_is_2024_01_01() {
        assert_eq!(Timestamp::DEFAULT_EPOCH.to_string(), "2024-01-01T00:00:00Z");
        assert_eq!(
            Timestamp::parse("2024-01-01T00:00:00Z"),
            Some(Timestamp::DEFAULT_EPOCH)
        );
    }

    #[test]
    fn offsets_and_fractions_parse() {
        let a = Timestamp::parse("2024-01-01T01:00:00+01:00").expect("valid");
        assert_eq!(a, Timestamp::DEFAULT_EPOCH);
        let b = Timestamp::parse("2024-01-01T00:00:00.5Z").expect("valid");
        assert!(b > Timestamp::DEFAULT_EPOCH);
        assert_eq!(Timestamp::parse("2024-13-01T00:00:00Z"), None);
        assert_eq!(Timestamp::parse("yesterday"), None);
    }
}
