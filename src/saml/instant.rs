//! SAML time instants: strict parsing and whole-second formatting.
//!
//! SAML Core 1.3.3: time values are `xs:dateTime` "expressed in UTC form,
//! with no time zone component" (the `Z` designator), and implementations
//! "SHOULD NOT rely on time resolution finer than milliseconds" and "MUST
//! NOT generate time instants that specify leap seconds". So the parser
//! accepts exactly `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` (uppercase `T` and `Z`,
//! four-digit year 0001–9999, no leap second, no surrounding whitespace)
//! and refuses everything else (SECURITY.md TM6) rather than guessing.
//! Fractions are kept (to the nanosecond), so comparisons are exact.
//!
//! We emit whole seconds (`2026-01-01T00:00:00Z`): every IdP personality
//! is compared in whole seconds, and boundaries stay easy to read.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Formats `t` in UTC, truncated to the second: `2026-01-01T00:00:00Z`.
pub fn format_instant(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    if let Ok(year @ 0..=9999) = u16::try_from(t.year()) {
        // Every instant a message carries: fixed-width digits, written
        // without the formatting machinery (a login writes a dozen).
        let mut out = String::with_capacity(20);
        let fields = [
            (year, 4, '-'),
            (u16::from(u8::from(t.month())), 2, '-'),
            (u16::from(t.day()), 2, 'T'),
            (u16::from(t.hour()), 2, ':'),
            (u16::from(t.minute()), 2, ':'),
            (u16::from(t.second()), 2, 'Z'),
        ];
        for (n, width, then) in fields {
            for place in (0..width).rev() {
                let digit = n / 10u16.pow(place) % 10;
                out.push(char::from(b'0' + digit as u8));
            }
            out.push(then);
        }
        return out;
    }
    format_with_fmt(t)
}

/// [`format_instant`] through the formatting machinery: for years outside
/// 0–9999, and the reference its fast path is tested against.
fn format_with_fmt(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `t` truncated to the whole second (what [`format_instant`] writes).
pub fn truncate_to_second(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u32, |acc, d| {
        acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

/// Parses a SAML instant strictly (see the module header). `None` when
/// the text is not exactly that form or names an impossible date.
pub fn parse_instant(s: &str) -> Option<OffsetDateTime> {
    let b = s.as_bytes();
    // YYYY-MM-DDTHH:MM:SS is 19 bytes, then an optional fraction, then Z.
    if b.len() < 20 || *b.last()? != b'Z' {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let rest = &b[19..b.len() - 1];
    let nanos = match rest {
        [] => 0,
        [b'.', frac @ ..] if (1..=9).contains(&frac.len()) => {
            let v = digits(frac)?;
            v * 10u32.pow(9 - frac.len() as u32)
        }
        _ => return None,
    };
    if year == 0 || second > 59 {
        return None;
    }
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()?;
    let time = Time::from_hms_nano(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
        nanos,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn strict_utc_instants_only() {
        assert_eq!(
            parse_instant("2026-01-01T00:00:00Z"),
            Some(datetime!(2026-01-01 00:00:00 UTC))
        );
        assert_eq!(
            parse_instant("2026-01-01T00:00:00.5Z"),
            Some(datetime!(2026-01-01 00:00:00.5 UTC))
        );
        assert_eq!(
            parse_instant("2026-01-01T00:00:00.123456789Z"),
            Some(datetime!(2026-01-01 00:00:00.123456789 UTC))
        );
        for bad in [
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00+00:00",
            "2026-01-01t00:00:00z",
            "2026-01-01T00:00:60Z",
            "2026-02-30T00:00:00Z",
            "0000-01-01T00:00:00Z",
            " 2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00.1234567890Z",
            "2026-01-01T24:00:00Z",
            "+2026-01-01T00:00:00Z",
        ] {
            assert_eq!(parse_instant(bad), None, "{bad}");
        }
        assert_eq!(
            format_instant(datetime!(2026-01-01 00:00:00.999 UTC)),
            "2026-01-01T00:00:00Z"
        );
    }

    #[test]
    fn instants_are_written_as_the_format_string_writes_them() {
        let reference = format_with_fmt;
        let offset = UtcOffset::from_hms(5, 30, 0).unwrap();
        for t in [
            datetime!(0000-01-01 00:00:00 UTC),
            datetime!(0999-12-31 23:59:59 UTC),
            datetime!(2026-11-29 09:05:07.5 UTC),
            datetime!(2026-11-29 01:00:00 UTC).to_offset(offset),
            datetime!(9999-12-31 23:59:59 UTC),
            datetime!(-0001-06-15 12:00:00 UTC),
        ] {
            assert_eq!(format_instant(t), reference(t), "{t}");
        }
        // Every second of a day that crosses a month and a year.
        let mut t = datetime!(2026-12-31 12:00:00 UTC);
        for _ in 0..86_400 {
            assert_eq!(format_instant(t), reference(t));
            t += time::Duration::SECOND;
        }
    }
}
