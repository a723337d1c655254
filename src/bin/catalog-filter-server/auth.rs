//! Bearer tokens: read from the `Authorization` header, compared in
//! constant time with every configured token, never logged or echoed.
//!
//! Every comparison runs over [`MAX_TOKEN_BYTES`] bytes, the token and the
//! candidate zero-padded to it and their lengths compared alongside, so
//! its time depends neither on where they differ nor on either length: a
//! configured token's length is not given away. The config refuses longer
//! tokens; a presented one longer than the bound matches none and is not
//! compared (its length is the caller's own). No hash crate is needed for
//! this: the bound is far above real tokens (Elastic Path's and Ecwid's
//! are tens of bytes; a JWT a few hundred), and the work is a few KiB of
//! XOR per configured token.

use crate::config::TokenConfig;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use catalog_filter::elasticpath::detach::Grant;

/// What a token may do.
pub struct Caller {
    /// The store it is for.
    pub store: String,
    /// Elastic Path: its grant.
    pub grant: Grant,
    /// Ecwid: its scopes.
    pub scopes: Vec<String>,
}

/// The longest token, in bytes (configured or presented).
pub const MAX_TOKEN_BYTES: usize = 1024;

/// A token zero-padded to [`MAX_TOKEN_BYTES`], and its length.
struct Padded {
    bytes: Box<[u8; MAX_TOKEN_BYTES]>,
    len: usize,
}

impl Padded {
    /// `None` when longer than [`MAX_TOKEN_BYTES`].
    fn new(token: &[u8]) -> Option<Padded> {
        let mut bytes = Box::new([0u8; MAX_TOKEN_BYTES]);
        bytes.get_mut(..token.len())?.copy_from_slice(token);
        Some(Padded {
            bytes,
            len: token.len(),
        })
    }
}

struct Entry {
    token: Padded,
    caller: Caller,
}

/// The configured tokens.
pub struct Tokens(Vec<Entry>);

/// Why a request has no caller (each a 401).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoCaller {
    /// No `Authorization` header.
    Missing,
    /// Not `Bearer <token>`.
    Malformed,
    /// A token no store knows.
    Unknown,
}

impl NoCaller {
    /// The message of the 401 (never the token).
    pub fn message(self) -> &'static str {
        match self {
            NoCaller::Missing => "A bearer token is required",
            NoCaller::Malformed => "The Authorization header must be `Bearer <token>`",
            NoCaller::Unknown => "The bearer token is not valid",
        }
    }
}

impl Tokens {
    /// The tokens of the config (each at most [`MAX_TOKEN_BYTES`], as the
    /// config's checks ensure; a longer one would match nothing).
    pub fn new(tokens: &[TokenConfig]) -> Tokens {
        Tokens(
            tokens
                .iter()
                .filter_map(|t| {
                    Some(Entry {
                        token: Padded::new(t.token.as_bytes())?,
                        caller: Caller {
                            store: t.store.clone(),
                            grant: t.grant.unwrap_or(Grant::ClientCredentials),
                            scopes: t.scopes.clone(),
                        },
                    })
                })
                .collect(),
        )
    }

    /// The caller of a request, from its `Authorization: Bearer` header.
    /// Every configured token is compared, each in time independent of
    /// where the bytes differ.
    pub fn caller(&self, headers: &HeaderMap) -> Result<&Caller, NoCaller> {
        let mut values = headers.get_all(AUTHORIZATION).iter();
        let value = values.next().ok_or(NoCaller::Missing)?;
        if values.next().is_some() {
            return Err(NoCaller::Malformed);
        }
        let bytes = value.as_bytes();
        let token = match bytes.split_at_checked(7) {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case(b"bearer ") => token,
            _ => return Err(NoCaller::Malformed),
        };
        if token.is_empty() || !token.iter().all(u8::is_ascii_graphic) {
            return Err(NoCaller::Malformed);
        }
        let token = Padded::new(token).ok_or(NoCaller::Unknown)?;
        let mut found = None;
        for entry in &self.0 {
            if constant_time_eq(&entry.token, &token) {
                found = Some(&entry.caller);
            }
        }
        found.ok_or(NoCaller::Unknown)
    }
}

/// `a == b`, reading all [`MAX_TOKEN_BYTES`] bytes of both whatever their
/// contents and lengths.
fn constant_time_eq(a: &Padded, b: &Padded) -> bool {
    let mut diff = std::hint::black_box(a.len ^ b.len);
    for (x, y) in a.bytes.iter().zip(b.bytes.iter()) {
        diff |= usize::from(std::hint::black_box(x ^ y));
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(a: &[u8], b: &[u8]) -> bool {
        constant_time_eq(&Padded::new(a).unwrap(), &Padded::new(b).unwrap())
    }

    #[test]
    fn equality() {
        assert!(eq(b"abc", b"abc"));
        assert!(!eq(b"abc", b"abd"));
        assert!(!eq(b"abc", b"abc\0"));
        assert!(!eq(b"", b"a"));
        assert!(eq(b"", b""));
        let longest = [b'x'; MAX_TOKEN_BYTES];
        assert!(eq(&longest, &longest));
        assert!(!eq(&longest, &longest[1..]));
        assert!(Padded::new(&[b'x'; MAX_TOKEN_BYTES + 1]).is_none());
    }

    #[test]
    fn a_token_over_the_bound_matches_nothing() {
        let config = |token: &str| TokenConfig {
            token: token.to_owned(),
            store: "s".into(),
            grant: None,
            scopes: Vec::new(),
        };
        let long = "x".repeat(MAX_TOKEN_BYTES + 1);
        let tokens = Tokens::new(&[config("short"), config(&long)]);
        let header = |token: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
            headers
        };
        assert!(tokens.caller(&header("short")).is_ok());
        assert_eq!(tokens.caller(&header(&long)).err(), Some(NoCaller::Unknown));
    }
}
