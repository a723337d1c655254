//! Shared helpers of the PostgreSQL tests.

pub mod pg_server;
