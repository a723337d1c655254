//! Shared helpers of the PostgreSQL tests.

pub mod generate;
pub mod pg_server;
