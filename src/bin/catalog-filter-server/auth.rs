//! Bearer tokens: read from the `Authorization` header, compared in
//! constant time with every configured token, never logged or echoed.

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

struct Entry {
    token: Vec<u8>,
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
    /// The tokens of the config.
    pub fn new(tokens: &[TokenConfig]) -> Tokens {
        Tokens(
            tokens
                .iter()
                .map(|t| Entry {
                    token: t.token.as_bytes().to_vec(),
                    caller: Caller {
                        store: t.store.clone(),
                        grant: t.grant.unwrap_or(Grant::ClientCredentials),
                        scopes: t.scopes.clone(),
                    },
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
        let mut found = None;
        for entry in &self.0 {
            if constant_time_eq(&entry.token, token) {
                found = Some(&entry.caller);
            }
        }
        found.ok_or(NoCaller::Unknown)
    }
}

/// `a == b`, reading every byte of the longer one whatever the contents.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let len = a.len().max(b.len());
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..len {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= std::hint::black_box(x ^ y);
    }
    diff == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abc\0"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
    }
}
