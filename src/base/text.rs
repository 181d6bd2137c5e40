//! Text from inputs shown to people: control characters escaped, long values cut, so a hostile
//! cell can neither drive the terminal (an ESC sequence) nor flood it (a 50 MB header).

use std::borrow::Cow;

/// The longest value a message shows whole, in characters.
pub const SHOWN_CHARS: usize = 200;

/// `s` with every control character but line feed and tab written as an escape (`\u{1b}`).
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `s` cut to [`SHOWN_CHARS`] characters, saying how much was left out.
pub fn clip(s: &str) -> Cow<'_, str> {
    clip_to(s, SHOWN_CHARS)
}

/// `s` cut to `max` characters, saying how much was left out.
pub fn clip_to(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((at, _)) => Cow::Owned(format!(
            "{}… ({} more characters)",
            &s[..at],
            s[at..].chars().count()
        )),
    }
}

/// A value from an input as a message shows it: escaped, and cut when long.
pub fn shown(s: &str) -> String {
    visible(&clip(s)).into_owned()
}

/// A whole message for the terminal: control characters escaped, every line cut when long.
pub fn message(s: &str) -> String {
    s.split('\n')
        .map(|line| match line.char_indices().nth(4 * SHOWN_CHARS) {
            None => visible(line).into_owned(),
            Some((at, _)) => format!(
                "{}… ({} more characters)",
                visible(&line[..at]),
                line[at..].chars().count()
            ),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A duration in seconds as `rates.toml` writes one (`3h`, `1h30m`, `45s`).
pub fn duration_text(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_written_as_rates_toml_writes_them() {
        assert_eq!(duration_text(10_800), "3h");
        assert_eq!(duration_text(5_400), "1h30m");
        assert_eq!(duration_text(45), "45s");
        assert_eq!(duration_text(86_400), "24h");
    }

    #[test]
    fn control_characters_are_escaped_and_long_values_cut() {
        assert_eq!(visible("plain 手机\tok"), "plain 手机\tok");
        assert_eq!(visible("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(visible("a\u{7}b\rc"), "a\\u{7}b\\u{d}c");
        let long = "x".repeat(SHOWN_CHARS + 50);
        assert_eq!(
            clip(&long),
            format!("{}… (50 more characters)", "x".repeat(SHOWN_CHARS))
        );
        assert_eq!(shown("short"), "short");
        let m = message(&format!("one\n{}", "y".repeat(1000)));
        assert!(
            m.starts_with("one\nyyy") && m.ends_with("(200 more characters)"),
            "{m}"
        );
    }
}
