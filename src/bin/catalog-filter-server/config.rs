//! The configuration file (TOML): the stores, the tokens, the limits.
//!
//! ```toml
//! [server]
//! max_concurrency = 64          # requests served at once; more wait for a slot
//! timeout_secs = 30             # per request, body included
//! compact_after = 64            # journal entries folded into a new snapshot, once
//! compact_ratio = 16            #   the journal is also 1/16 of the snapshot's size (0: count only)
//!
//! [limits]                      # catalog_filter::Limits; max_snapshot_bytes is the body limit
//! max_snapshot_bytes = 1048576  # the default here (1 MiB) whatever other limits are set
//!
//! [[stores]]
//! name = "catalog"              # an Elastic Path catalog (its tokens select it)
//! vendor = "elasticpath"
//! backend = "embedded"          # a snapshot file in the state directory, journaled
//! snapshot = "catalog.json"     # the initial snapshot, relative to this file
//!
//! [[stores]]
//! name = "pg"                   # an Elastic Path catalog in PostgreSQL
//! vendor = "elasticpath"
//! backend = "postgres://postgres@127.0.0.1:5432/catalog"  # or "postgres:host=... user=..."
//! snapshot = "catalog.json"     # optional: loaded when the tables are empty
//!
//! [[stores]]
//! name = "1003"                 # an Ecwid store: the {storeId} of its paths
//! vendor = "ecwid"
//! snapshot = "store.json"
//!
//! [playground]                  # the filter playground (GET /playground always)
//! at_root = true                # GET / serves it too
//! public_stores = ["catalog"]   # catalogs it counts and lists without a token
//!
//! [[tokens]]
//! token = "ep-admin-token"
//! store = "catalog"
//! grant = "client_credentials"  # Elastic Path: admin (client_credentials) or implicit
//!
//! [[tokens]]
//! token = "ecwid-1003-token"
//! store = "1003"
//! scopes = ["update_catalog"]   # Ecwid: the token's scopes
//! ```

use catalog_filter::Limits;
use catalog_filter::elasticpath::detach::Grant;
use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The sample catalog served without `--config` (examples/data).
pub const SAMPLE_CATALOG: &str = include_str!("../../../examples/data/catalog.json");
/// The sample Ecwid store served without `--config` (examples/data).
pub const SAMPLE_STORE: &str = include_str!("../../../examples/data/store.json");

/// The default configuration: the sample data of `examples/data/`, with the
/// tokens of the README's curl session.
pub const DEFAULT_CONFIG: &str = r#"
[[stores]]
name = "catalog"
vendor = "elasticpath"
snapshot = "sample:catalog.json"

[[stores]]
name = "1003"
vendor = "ecwid"
snapshot = "sample:store.json"

[playground]
at_root = true
public_stores = ["catalog"]

[[tokens]]
token = "ep-admin-token"
store = "catalog"
grant = "client_credentials"

[[tokens]]
token = "ep-shopper-token"
store = "catalog"
grant = "implicit"

[[tokens]]
token = "ecwid-1003-token"
store = "1003"
scopes = ["update_catalog"]

[[tokens]]
token = "ecwid-1003-readonly"
store = "1003"
scopes = ["read_catalog"]
"#;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Server settings.
    #[serde(default)]
    pub server: ServerSettings,
    /// Request limits (the library's; `max_snapshot_bytes` bounds bodies,
    /// [`DEFAULT_BODY_LIMIT`] unless set, whichever other limits are).
    #[serde(default = "request_limits", deserialize_with = "limits")]
    pub limits: Limits,
    /// The stores.
    #[serde(default)]
    pub stores: Vec<StoreConfig>,
    /// The tokens.
    #[serde(default)]
    pub tokens: Vec<TokenConfig>,
    /// `[playground]`: `GET /` and the stores it reads without a token.
    #[serde(default)]
    pub playground: crate::playground::Settings,
    /// Where relative snapshot paths start (the config file's directory).
    #[serde(skip)]
    pub base: PathBuf,
}

/// The body limit when the config sets none: 1 MiB, far above the largest
/// request the other limits allow (1,000 node ids, 10,000 product ids).
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

fn request_limits() -> Limits {
    Limits {
        max_snapshot_bytes: DEFAULT_BODY_LIMIT,
        ..Limits::default()
    }
}

/// `[limits]`: the library's `Limits` (each field defaulting as there),
/// but `max_snapshot_bytes` the server's [`DEFAULT_BODY_LIMIT`] when the
/// table does not set it (the library's default, 1 GiB, is for snapshots).
fn limits<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Limits, D::Error> {
    use serde::de::Error;
    let table = toml::Table::deserialize(d)?;
    let body_limit_set = table.contains_key("max_snapshot_bytes");
    let mut limits: Limits = table.try_into().map_err(D::Error::custom)?;
    if !body_limit_set {
        limits.max_snapshot_bytes = DEFAULT_BODY_LIMIT;
    }
    Ok(limits)
}

/// `[server]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Requests served at once; more wait for a slot (up to the timeout).
    pub max_concurrency: usize,
    /// Seconds a request may take, reading its body included.
    pub timeout_secs: u64,
    /// Journal entries after which a store is compacted into a new snapshot.
    pub compact_after: u64,
    /// And once the journal is at least 1/`compact_ratio` of the
    /// snapshot's size (0: the count alone decides).
    pub compact_ratio: u64,
}

impl Default for ServerSettings {
    fn default() -> ServerSettings {
        ServerSettings {
            max_concurrency: 64,
            timeout_secs: 30,
            compact_after: 64,
            compact_ratio: 16,
        }
    }
}

/// Which vendor's API a store serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// An Elastic Path catalog: `/pcm/products...`.
    Elasticpath,
    /// An Ecwid store: `/api/v3/{storeId}/...`.
    Ecwid,
}

/// The back end of a store.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Backend {
    /// A snapshot file in the state directory, served from memory, with a
    /// journal of what applied requests changed (`"embedded"`).
    #[default]
    Embedded,
    /// An Elastic Path catalog in PostgreSQL, in the reference schema
    /// (`sql/schema.sql`): the connection string, a `postgres://` or
    /// `postgresql://` URL or `key=value` pairs after `postgres:`.
    Postgres(String),
    /// Anything else: refused by [`Config::check`].
    Unknown,
}

impl std::fmt::Debug for Backend {
    /// Never the connection string: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Backend::Embedded => f.write_str("embedded"),
            Backend::Postgres(_) => f.write_str("postgres"),
            Backend::Unknown => f.write_str("unknown"),
        }
    }
}

impl<'de> Deserialize<'de> for Backend {
    /// Never fails: a value that is neither is refused by [`Config::check`],
    /// with a message that does not repeat it (the TOML reader's own
    /// errors quote the line, and a connection string may hold a password).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Backend, D::Error> {
        let text = String::deserialize(d)?;
        Ok(if text == "embedded" {
            Backend::Embedded
        } else if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Backend::Postgres(text)
        } else if let Some(pairs) = text.strip_prefix("postgres:") {
            Backend::Postgres(pairs.to_owned())
        } else {
            Backend::Unknown
        })
    }
}

/// Why a PostgreSQL connection string cannot serve, in words that do not
/// repeat it.
fn postgres_problem(conninfo: &str) -> Option<String> {
    match tokio_postgres::Config::from_str(conninfo) {
        // tokio-postgres names the option, never its value.
        Err(e) => Some(format!(
            "the PostgreSQL connection string does not parse: {e}"
        )),
        Ok(config) if config.get_hosts().is_empty() => {
            Some("the PostgreSQL connection string names no host".to_owned())
        }
        Ok(_) => None,
    }
}

/// `[[stores]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreConfig {
    /// The store's name: its directory in the state directory; for Ecwid,
    /// the `{storeId}` of its paths.
    pub name: String,
    /// Its vendor.
    pub vendor: Vendor,
    /// Its back end.
    #[serde(default)]
    pub backend: Backend,
    /// The initial snapshot (relative to the config file; `sample:NAME` is
    /// a file of `examples/data/` built into the program): for an embedded
    /// store, copied into the state directory when the store has none there
    /// yet (required); for a PostgreSQL one, loaded when its tables are
    /// empty (optional).
    #[serde(default)]
    pub snapshot: Option<String>,
}

/// `[[tokens]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// The bearer token: printable ASCII without spaces, at most
    /// [`crate::auth::MAX_TOKEN_BYTES`] (1,024) bytes.
    pub token: String,
    /// The store it is for.
    pub store: String,
    /// Elastic Path: how the token was granted (default `client_credentials`).
    #[serde(default)]
    pub grant: Option<Grant>,
    /// Ecwid: the token's scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for TokenSecretless<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "token for store {}", self.0.store)
    }
}

/// A token printed without its secret.
pub struct TokenSecretless<'a>(pub &'a TokenConfig);

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let base = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Config::parse(&text, base).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The default configuration (the sample data).
    pub fn sample() -> Result<Config, String> {
        Config::parse(DEFAULT_CONFIG, PathBuf::from("."))
    }

    /// Parses and checks config text.
    pub fn parse(text: &str, base: PathBuf) -> Result<Config, String> {
        let mut config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.base = base;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        let mut names = HashSet::new();
        for store in &self.stores {
            let ok_name = !store.name.is_empty()
                && store
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !ok_name {
                return Err(format!(
                    "store name `{}` must be letters, digits, `_` or `-`",
                    store.name
                ));
            }
            if !names.insert(store.name.as_str()) {
                return Err(format!("store `{}` is configured twice", store.name));
            }
            match (&store.backend, &store.vendor, &store.snapshot) {
                (Backend::Unknown, ..) => {
                    return Err(format!(
                        "store `{}`: a back end is \"embedded\" or a PostgreSQL connection \
                         string (\"postgres://...\", or \"postgres:host=... user=...\")",
                        store.name
                    ));
                }
                (Backend::Postgres(conninfo), Vendor::Elasticpath, _) => {
                    if let Some(problem) = postgres_problem(conninfo) {
                        return Err(format!("store `{}`: {problem}", store.name));
                    }
                }
                (Backend::Embedded, _, None) => {
                    return Err(format!(
                        "store `{}`: an embedded store needs its initial `snapshot`",
                        store.name
                    ));
                }
                (Backend::Postgres(_), Vendor::Ecwid, _) => {
                    return Err(format!(
                        "store `{}`: PostgreSQL serves Elastic Path catalogs only",
                        store.name
                    ));
                }
                _ => {}
            }
            if store.vendor == Vendor::Ecwid && crate::http::decimal_u64(&store.name).is_none() {
                return Err(format!(
                    "Ecwid store `{}`: the name is its numeric storeId",
                    store.name
                ));
            }
        }
        let mut tokens = HashSet::new();
        for token in &self.tokens {
            let Some(store) = self.stores.iter().find(|s| s.name == token.store) else {
                return Err(format!(
                    "{:?} names no configured store",
                    TokenSecretless(token)
                ));
            };
            if token.token.is_empty() || !token.token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(format!(
                    "{:?}: a token is printable ASCII without spaces",
                    TokenSecretless(token)
                ));
            }
            if token.token.len() > crate::auth::MAX_TOKEN_BYTES {
                return Err(format!(
                    "{:?}: a token is at most {} bytes",
                    TokenSecretless(token),
                    crate::auth::MAX_TOKEN_BYTES
                ));
            }
            if !tokens.insert(token.token.as_str()) {
                return Err(format!(
                    "{:?}: the same token is configured twice",
                    TokenSecretless(token)
                ));
            }
            match store.vendor {
                Vendor::Elasticpath if !token.scopes.is_empty() => {
                    return Err(format!(
                        "{:?}: scopes are for Ecwid stores (Elastic Path tokens have a grant)",
                        TokenSecretless(token)
                    ));
                }
                Vendor::Ecwid if token.grant.is_some() => {
                    return Err(format!(
                        "{:?}: a grant is for Elastic Path catalogs (Ecwid tokens have scopes)",
                        TokenSecretless(token)
                    ));
                }
                _ => {}
            }
        }
        self.playground.check(&self.stores)?;
        if self.server.max_concurrency == 0 || self.server.timeout_secs == 0 {
            return Err("server.max_concurrency and server.timeout_secs must be at least 1".into());
        }
        Ok(())
    }

    /// The initial snapshot text of `store`.
    pub fn initial_snapshot(&self, store: &StoreConfig) -> Result<Vec<u8>, String> {
        let Some(snapshot) = &store.snapshot else {
            return Err(format!("store `{}` has no initial snapshot", store.name));
        };
        match snapshot.strip_prefix("sample:") {
            Some("catalog.json") => Ok(SAMPLE_CATALOG.as_bytes().to_vec()),
            Some("store.json") => Ok(SAMPLE_STORE.as_bytes().to_vec()),
            Some(other) => Err(format!("no sample file `{other}`")),
            None => {
                let path = self.base.join(snapshot);
                std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(text: &str) -> Result<Limits, String> {
        Config::parse(text, PathBuf::from(".")).map(|c| c.limits)
    }

    #[test]
    fn the_body_limit_defaults_to_1_mib() {
        assert_eq!(limits("").unwrap().max_snapshot_bytes, DEFAULT_BODY_LIMIT);
        assert_eq!(
            limits("[limits]").unwrap().max_snapshot_bytes,
            DEFAULT_BODY_LIMIT
        );
        let set = limits("[limits]\nmax_conditions = 20").unwrap();
        assert_eq!(
            (set.max_snapshot_bytes, set.max_conditions),
            (DEFAULT_BODY_LIMIT, 20)
        );
        assert_eq!(
            limits("[limits]\nmax_snapshot_bytes = 5")
                .unwrap()
                .max_snapshot_bytes,
            5
        );
        assert!(limits("[limits]\nmax_conditionz = 20").is_err());
        assert!(limits("[limits]\nmax_conditions = -1").is_err());
    }

    #[test]
    fn an_ecwid_store_name_is_digits() {
        let store = |name: &str| {
            Config::parse(
                &format!(
                    "[[stores]]\nname = \"{name}\"\nvendor = \"ecwid\"\nsnapshot = \"s.json\""
                ),
                PathBuf::from("."),
            )
        };
        assert!(store("1003").is_ok());
        for name in ["+1003", "x", "18446744073709551616"] {
            assert!(store(name).is_err(), "{name}");
        }
    }

    #[test]
    fn a_back_end_is_embedded_or_a_postgres_connection_string() {
        let store = |vendor: &str, backend: &str, snapshot: &str| {
            Config::parse(
                &format!("[[stores]]\nname = \"1003\"\nvendor = \"{vendor}\"\n{backend}{snapshot}"),
                PathBuf::from("."),
            )
            .map(|c| c.stores.into_iter().map(|s| s.backend).collect::<Vec<_>>())
        };
        let snapshot = "snapshot = \"c.json\"\n";
        assert_eq!(
            store("elasticpath", "", snapshot),
            Ok(vec![Backend::Embedded])
        );
        assert_eq!(
            store("elasticpath", "backend = \"embedded\"\n", snapshot),
            Ok(vec![Backend::Embedded])
        );
        let url = "postgres://u:secret@h:5/db";
        assert_eq!(
            store("elasticpath", &format!("backend = \"{url}\"\n"), ""),
            Ok(vec![Backend::Postgres(url.into())])
        );
        assert_eq!(
            store("elasticpath", "backend = \"postgresql://h/db\"\n", snapshot),
            Ok(vec![Backend::Postgres("postgresql://h/db".into())])
        );
        assert_eq!(
            store("elasticpath", "backend = \"postgres:host=h user=u\"\n", ""),
            Ok(vec![Backend::Postgres("host=h user=u".into())])
        );
        // The connection string (and its password) is never printed.
        assert_eq!(format!("{:?}", Backend::Postgres(url.into())), "postgres");
        let refused = |vendor: &str, backend: &str, snapshot: &str, expected: &str| {
            let Err(e) = store(vendor, backend, snapshot) else {
                panic!("{backend} {snapshot} was accepted");
            };
            assert!(e.contains(expected), "{e}");
        };
        refused(
            "elasticpath",
            "backend = \"mysql://h\"\n",
            snapshot,
            "a back end is",
        );
        refused("elasticpath", "", "", "needs its initial `snapshot`");
        refused(
            "ecwid",
            "backend = \"postgres://h/db\"\n",
            snapshot,
            "PostgreSQL serves Elastic Path catalogs only",
        );
        refused(
            "elasticpath",
            "backend = \"postgres:user=u\"\n",
            "",
            "names no host",
        );
        refused(
            "elasticpath",
            "backend = \"postgres://u:pw@h:nope/db\"\n",
            "",
            "does not parse",
        );
        // A refused connection string is never repeated: it may hold a
        // password (the TOML reader's own errors quote the line).
        for backend in [
            "mysql://u:secret@h/db",
            "postgres://u:secret@h:nope/db",
            "postgres:password=secret",
            "postgres:password=secret port=x host=h",
        ] {
            let Err(e) = store("elasticpath", &format!("backend = \"{backend}\"\n"), "") else {
                panic!("{backend} was accepted");
            };
            assert!(e.contains("store `1003`"), "{e}");
            assert!(!e.contains("secret"), "{e}");
        }
    }
}
