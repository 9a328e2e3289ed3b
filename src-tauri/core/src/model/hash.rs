//! Folio's one stable hash: FNV-1a 64. Stable across Rust versions, platforms and runs (unlike
//! `DefaultHasher`), so its values can be stored: item fingerprints ([`super::Item::fingerprint`]),
//! the hash of an imported file's text, duplicate-index keys.

/// FNV-1a 64 offset basis.
const OFFSET: u64 = 0xcbf29ce484222325;
/// FNV-1a 64 prime.
const PRIME: u64 = 0x100000001b3;

/// A streaming FNV-1a 64 hasher: feed it bytes piece by piece (as a [`std::hash::Hasher`], a
/// [`std::io::Write`] or a [`std::fmt::Write`]) and read the hash with [`Fnv64::finish`]. Feeding
/// the same bytes in any split gives the same hash as [`fnv1a`] over all of them.
///
/// As a `Hasher` it hashes exactly the bytes it is given: do not feed it through
/// `std::hash::Hash` impls when the value is stored, since their byte encoding is not a stable
/// promise of the standard library (`write_str`, for one, may add a terminator).
#[derive(Debug, Clone, Copy)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64::new()
    }
}

impl Fnv64 {
    pub const fn new() -> Fnv64 {
        Fnv64(OFFSET)
    }

    /// Feed bytes.
    #[inline]
    pub fn bytes(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
        self.0 = h;
    }

    /// The hash of everything fed so far.
    pub const fn finish(&self) -> u64 {
        self.0
    }
}

impl std::hash::Hasher for Fnv64 {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.bytes(bytes);
    }
}

impl std::io::Write for Fnv64 {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Write for Fnv64 {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.bytes(s.as_bytes());
        Ok(())
    }
}

/// FNV-1a 64 of `bytes` in one call.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv64::new();
    h.bytes(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values_and_streaming() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
        let mut h = Fnv64::new();
        std::io::Write::write_all(&mut h, b"foo").unwrap();
        std::fmt::Write::write_str(&mut h, "ba").unwrap();
        std::hash::Hasher::write(&mut h, b"r");
        assert_eq!(h.finish(), fnv1a(b"foobar"));
    }
}
