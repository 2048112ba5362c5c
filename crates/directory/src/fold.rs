//! Diacritic detection and ASCII folding (é → e, ñ → n, ø → o, ß → ss).

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Letters that do not decompose under NFD but are conventionally written
/// in ASCII this way.
fn special(c: char) -> Option<&'static str> {
    Some(match c {
        'ø' => "o",
        'Ø' => "O",
        'ł' => "l",
        'Ł' => "L",
        'đ' => "d",
        'Đ' => "D",
        'ħ' => "h",
        'Ħ' => "H",
        'ı' => "i",
        'ß' => "ss",
        'ẞ' => "SS",
        'æ' => "ae",
        'Æ' => "AE",
        'œ' => "oe",
        'Œ' => "OE",
        'þ' => "th",
        'Þ' => "Th",
        'ð' => "d",
        'Ð' => "D",
        _ => return None,
    })
}

/// The ASCII letters a character folds to, if it is a Latin letter with a
/// diacritic (or one of the letters in `special`). None for ASCII and for
/// characters with no ASCII folding (Cyrillic, CJK, symbols).
pub fn fold_char(c: char) -> Option<String> {
    if c.is_ascii() {
        return None;
    }
    if let Some(s) = special(c) {
        return Some(s.to_string());
    }
    let mut base = String::new();
    let mut marks = false;
    for d in std::iter::once(c).nfd() {
        if is_combining_mark(d) {
            marks = true;
        } else {
            base.push(d);
        }
    }
    (marks && !base.is_empty() && base.chars().all(|b| b.is_ascii_alphabetic())).then_some(base)
}

/// True if `c` is a letter with a diacritic that folds to ASCII.
pub fn is_diacritic(c: char) -> bool {
    !c.is_ascii() && fold_char(c).is_some()
}

/// Replace every letter with a diacritic by its ASCII folding; other
/// characters are kept.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match fold_char(c) {
            Some(f) => out.push_str(&f),
            None => out.push(c),
        }
    }
    out
}

/// The distinct diacritic letters in `s`, in order of appearance.
pub fn diacritics_in(s: &str) -> Vec<char> {
    let mut v: Vec<char> = Vec::new();
    if s.is_ascii() {
        return v;
    }
    for c in s.chars().filter(|&c| is_diacritic(c)) {
        if !v.contains(&c) {
            v.push(c);
        }
    }
    v
}
