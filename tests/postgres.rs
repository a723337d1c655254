//! The SQL back end against a real PostgreSQL server that the tests start
//! themselves (see `support/pg_server.rs`).
#![cfg(feature = "postgres")]

mod support;

use catalog_filter::compile;
use catalog_filter::sql::pg;
use support::pg_server;

#[test]
fn smoke() {
    let server = pg_server::shared();
    let mut client = server.fresh_database();
    let catalog = catalog_filter::synthetic::catalog(1, 300, 30);
    pg::load(&mut client, &catalog).unwrap();
    for f in ["eq(status,live)", "like(name,*Shoe*)", "eq(has_nodes,false)", "eq(extensions.shoe.size,9.5)", "eq(extensions.book.hardcover,true)", "gt(updated_at,2022-01-01)"] {
        let filter = compile(f).unwrap();
        let mut want: Vec<_> = catalog.select(&filter).map(|(_, p)| p.id).collect();
        want.sort();
        let got = pg::select_ids(&mut client, &filter).unwrap();
        assert_eq!(got, want, "{f}");
        println!("{f}: {}", got.len());
    }
}
