//! Strong random passwords for PFX files.

use rand::RngExt;

const UPPER: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijkmnopqrstuvwxyz";
const DIGITS: &str = "23456789";
/// Symbols that need no quoting in PowerShell, cmd or a URL.
const SYMBOLS: &str = "-_.+=";

/// Default password length: about 140 bits of entropy.
pub const PASSWORD_LENGTH: usize = 24;

/// A 24-character password from a CSPRNG (see [`generate_password_of_length`]).
pub fn generate_password() -> String {
    generate_password_of_length(PASSWORD_LENGTH)
}

/// A random password with upper- and lower-case letters, digits and symbols,
/// at least one of each, without look-alikes (I, l, O, 0, 1) or shell-special
/// characters. Lengths under 12 are raised to 12.
pub fn generate_password_of_length(length: usize) -> String {
    let length = length.max(12);
    let alphabet: Vec<char> = [UPPER, LOWER, DIGITS, SYMBOLS].concat().chars().collect();
    let mut rng = rand::rng();
    loop {
        let candidate: String = (0..length)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())])
            .collect();
        let has = |set: &str| candidate.chars().any(|c| set.contains(c));
        if has(UPPER) && has(LOWER) && has(DIGITS) && has(SYMBOLS) {
            return candidate;
        }
    }
}
