//! Running DataFusion work so that no file can end the caller's process.
//!
//! Corrupt bytes in a Parquet file can make the Parquet, Arrow or
//! DataFusion code that reads it panic (an impossible bit width in the
//! file's embedded Arrow schema, a negative length in a page). [`guarded`]
//! runs the work with a panic in the caller's task caught: it becomes
//! [`Error::Panicked`], naming the files of the tables the work reads. A
//! panic in a task DataFusion spawned reaches the caller as DataFusion's
//! error, and that, like any error DataFusion reports while the work
//! runs, becomes [`Error::Query`], naming the files too.
//!
//! Limits: the default panic hook still prints the panic's message on
//! stderr (the crate leaves the process-wide hook alone); a build with
//! `panic = "abort"` aborts instead (nothing can be caught); and work cut
//! short by a panic may leave its effects half done (some tables of
//! [`register_parquet`](super::tables::register_parquet) registered,
//! part of [`write_json`](super::tables::write_json)'s output written).
//! The crate reuses neither.

use super::Error;
use ::datafusion::datasource::listing::ListingTable;
use ::datafusion::prelude::SessionContext;
use futures::FutureExt;
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;

/// Runs `work`, which reads the tables `tables` of `ctx`: a panic in it is
/// [`Error::Panicked`], a DataFusion error [`Error::Query`], both naming
/// the tables' files.
pub(super) async fn guarded<T>(
    ctx: &SessionContext,
    tables: &[&str],
    work: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(Err(Error::DataFusion(source))) => Err(Error::Query {
            files: describe(&files(ctx, tables).await),
            source,
        }),
        Ok(result) => result,
        Err(panic) => Err(Error::Panicked {
            files: describe(&files(ctx, tables).await),
            message: message(panic.as_ref()),
        }),
    }
}

/// Runs `work`, which reads the one file `path`: a panic in it is
/// [`Error::Panicked`] naming the file.
pub(super) async fn guarded_file<T>(
    path: &std::path::Path,
    work: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    match AssertUnwindSafe(work).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => Err(Error::Panicked {
            files: path.display().to_string(),
            message: message(panic.as_ref()),
        }),
    }
}

/// The files behind the tables `tables` of `ctx` that are Parquet (listing)
/// tables, in the order given; in-memory tables have none.
pub(super) async fn files(ctx: &SessionContext, tables: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for table in tables {
        let Ok(provider) = ctx.table_provider(*table).await else {
            continue;
        };
        if let Some(listing) = provider.downcast_ref::<ListingTable>() {
            // A local file's path decoded from its URL (`%20` is a space);
            // another store's location as its URL.
            out.extend(listing.table_paths().iter().map(|url| {
                url.get_url()
                    .to_file_path()
                    .unwrap_or_else(|()| PathBuf::from(url.as_str()))
            }));
        }
    }
    out
}

/// The files for a message: comma-separated, or what the tables are when
/// they are not files.
fn describe(files: &[PathBuf]) -> String {
    if files.is_empty() {
        return "the in-memory tables".to_owned();
    }
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A panic's message (`panic!` with a literal or a formatted string), or a
/// placeholder for another payload.
fn message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_panics_and_lists_of_files() {
        assert_eq!(message(&"literal"), "literal");
        assert_eq!(message(&String::from("formatted 1")), "formatted 1");
        assert_eq!(message(&42_u8), "a panic without a message");
        assert_eq!(describe(&[]), "the in-memory tables");
        assert_eq!(
            describe(&[PathBuf::from("/a/x.parquet"), PathBuf::from("/b/y.parquet")]),
            "/a/x.parquet, /b/y.parquet"
        );
    }

    #[test]
    fn a_panic_in_the_work_is_an_error_naming_the_file() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let path = std::path::Path::new("/t/products.parquet");
        let got = rt.block_on(guarded_file(path, async {
            if path.is_absolute() {
                panic!("bit width {}", -3);
            }
            Ok(1)
        }));
        assert_eq!(
            got.unwrap_err().to_string(),
            "/t/products.parquet: reading panicked (caught): bit width -3"
        );
        let ok = rt.block_on(guarded_file(path, async { Ok(7) }));
        assert_eq!(ok.unwrap(), 7);
        let ctx = SessionContext::new();
        let got: Result<(), Error> = rt.block_on(guarded(&ctx, &["products"], async {
            Err(Error::DataFusion(
                ::datafusion::error::DataFusionError::Plan("no".into()),
            ))
        }));
        assert_eq!(
            got.unwrap_err().to_string(),
            "running a query over the in-memory tables: Error during planning: no"
        );
    }
}
