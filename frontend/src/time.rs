//! Times as the console shows them: to the minute, in UTC as the API sends them, and the time
//! left until a deadline, counting down.

use leptos::prelude::*;

/// "2026-12-06 20:23" from an RFC 3339 time: the minute is as precise as a person reads.
pub fn minute(at: &str) -> String {
    at.chars().take(16).collect::<String>().replace('T', " ")
}

/// "in 9 days 23 hours", "in 40 minutes", or "passed 2 hours ago", from `now` (milliseconds
/// since 1970, the browser's clock) to `at` (RFC 3339); `None` when `at` does not parse.
pub fn time_left(at: &str, now: f64) -> Option<String> {
    let due = js_sys::Date::parse(at);
    if due.is_nan() {
        return None;
    }
    Some(left(((due - now) / 60_000.0).trunc()))
}

/// The words for a deadline `minutes` away (negative: passed).
fn left(minutes: f64) -> String {
    let span = span(minutes.abs());
    if minutes >= 0.0 {
        format!("in {span}")
    } else {
        format!("passed {span} ago")
    }
}

/// A span of whole minutes in its two largest units.
fn span(minutes: f64) -> String {
    // Whole minutes below 2^53 convert exactly; a deadline is never that far.
    let minutes = minutes as u64;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    let unit = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (days, hours) {
        (0, 0) => unit(mins, "minute"),
        (0, h) => format!("{} {}", unit(h, "hour"), unit(mins, "minute")),
        (d, h) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

/// An RFC 3339 time in UTC from a `datetime-local` input's value, read in the browser's time
/// zone (as the person typed it); `None` when it does not parse.
pub fn from_local_input(value: &str) -> Option<String> {
    let date = js_sys::Date::new(&value.into());
    (!date.get_time().is_nan()).then(|| String::from(date.to_iso_string()))
}

/// The browser's time now, as an RFC 3339 time in UTC.
pub fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// The time left until `at`, said again every half minute while it is on screen.
#[component]
pub fn Countdown(at: String) -> impl IntoView {
    let now = RwSignal::new(js_sys::Date::now());
    if let Ok(ticks) = set_interval_with_handle(
        move || now.set(js_sys::Date::now()),
        std::time::Duration::from_secs(30),
    ) {
        on_cleanup(move || ticks.clear());
    }
    let label = minute(&at);
    view! {
        <span class="countdown">
            {move || time_left(&at, now.get()).unwrap_or_default()}
            <small class="hint">{format!(" ({label} UTC)")}</small>
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::{left, minute};

    #[test]
    fn a_deadline_reads_in_its_two_largest_units() {
        assert_eq!(
            left(13.0 * 1440.0 + 23.0 * 60.0 + 59.0),
            "in 13 days 23 hours"
        );
        assert_eq!(left(1440.0), "in 1 day 0 hours");
        assert_eq!(left(61.0), "in 1 hour 1 minute");
        assert_eq!(left(0.0), "in 0 minutes");
        assert_eq!(left(-125.0), "passed 2 hours 5 minutes ago");
    }

    #[test]
    fn times_show_to_the_minute() {
        assert_eq!(minute("2026-12-20T22:09:31.5+00:00"), "2026-12-20 22:09");
    }
}
