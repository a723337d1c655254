//! Shared helpers of the PostgreSQL tests.

#[allow(dead_code)] // each test uses a part
pub mod generate;
pub mod pg_server;
