//! GEP-2257 durations: the `Duration` type of the Gateway API
//! (`HTTPRouteTimeouts.request`, `backendRequest`, ...).
//!
//! The format is the CRD pattern `^([0-9]{1,5}(h|m|s|ms)){1,4}$`: one to four
//! parts, each one to five decimal digits followed by a unit, `h`, `m`, `s` or
//! `ms`. There is no sign, no fraction, no space and no other unit. A unit may
//! repeat (`1s1s` is two seconds), as Go's `time.ParseDuration`, whose strict
//! subset this is, allows.

use std::time::Duration;

/// Most parts in a duration.
const MAX_PARTS: usize = 4;
/// Most digits in one part.
const MAX_DIGITS: usize = 5;

/// Parses a GEP-2257 duration (`1h`, `500ms`, `1h30m`, `0s`).
///
/// Returns `None` for any text that does not match
/// `^([0-9]{1,5}(h|m|s|ms)){1,4}$` (`1d`, `0.5s`, `100us`, `-1s`, `1h 30m`, ``).
///
/// ```
/// use std::time::Duration;
/// use gatewise::duration::parse;
///
/// assert_eq!(parse("1h30m"), Some(Duration::from_secs(5400)));
/// assert_eq!(parse("500ms"), Some(Duration::from_millis(500)));
/// assert_eq!(parse("1.5s"), None);
/// ```
pub fn parse(s: &str) -> Option<Duration> {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut parts = 0;
    let mut total = Duration::ZERO;
    while i < bytes.len() {
        parts += 1;
        if parts > MAX_PARTS {
            return None;
        }
        let digits_start = i;
        let mut value: u64 = 0;
        while let Some(b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            value = value * 10 + u64::from(b - b'0');
            i += 1;
        }
        let digits = i - digits_start;
        if digits == 0 || digits > MAX_DIGITS {
            return None;
        }
        // `ms` is tried before `m`: a part must be followed by a digit or the
        // end, so `m` followed by `s` can only be milliseconds.
        let part = match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b'm'), Some(b's')) => {
                i += 2;
                Duration::from_millis(value)
            }
            (Some(b'h'), _) => {
                i += 1;
                Duration::from_secs(value * 3600)
            }
            (Some(b'm'), _) => {
                i += 1;
                Duration::from_secs(value * 60)
            }
            (Some(b's'), _) => {
                i += 1;
                Duration::from_secs(value)
            }
            _ => return None,
        };
        total += part;
    }
    // The loop ran at least once unless the text is empty.
    (parts > 0).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_unit() {
        assert_eq!(parse("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse("3m"), Some(Duration::from_secs(180)));
        assert_eq!(parse("4s"), Some(Duration::from_secs(4)));
        assert_eq!(parse("500ms"), Some(Duration::from_millis(500)));
    }

    #[test]
    fn zero_is_a_duration() {
        assert_eq!(parse("0s"), Some(Duration::ZERO));
        assert_eq!(parse("0ms"), Some(Duration::ZERO));
    }

    #[test]
    fn parts_add_up() {
        assert_eq!(parse("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse("1h2m3s4ms"), Some(Duration::from_millis(3_723_004)));
        assert_eq!(parse("1s1s"), Some(Duration::from_secs(2)));
        assert_eq!(parse("1m1ms"), Some(Duration::from_millis(60_001)));
    }

    #[test]
    fn at_most_four_parts() {
        assert!(parse("1h1m1s1ms").is_some());
        assert_eq!(parse("1h1m1s1ms1h"), None);
    }

    #[test]
    fn at_most_five_digits_per_part() {
        assert_eq!(parse("99999s"), Some(Duration::from_secs(99_999)));
        assert_eq!(parse("100000s"), None);
    }

    #[test]
    fn rejects_what_the_pattern_rejects() {
        for bad in [
            "", "s", "1", "1d", "100us", "500ns", "0.5s", "-1s", "+1s", "1h 30m", " 1s", "1s ",
            "1S", "1H", "1ms1", "h1", "1sm", "１s",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    proptest::proptest! {
        /// The parser accepts exactly what the CRD pattern accepts, and never panics.
        #[test]
        fn agrees_with_the_crd_pattern(s in "[0-9hms.a-z]{0,14}") {
            let pattern = regex::Regex::new(r"^([0-9]{1,5}(h|m|s|ms)){1,4}$");
            proptest::prop_assert!(pattern.is_ok());
            if let Ok(pattern) = pattern {
                proptest::prop_assert_eq!(parse(&s).is_some(), pattern.is_match(&s));
            }
        }
    }
}
