//! The partitioned layout of the large tables: `products` and
//! `product_nodes` split by a hash of the product id into N files each,
//! so that a product's row and its memberships are always in the files of
//! the same number, and a detach works on one partition at a time
//! ([`detach::detach_dir`](super::detach::detach_dir)).
//!
//! ```text
//! DIR/products/part-00000.parquet ... part-0000{N-1}.parquet
//! DIR/product_nodes/part-00000.parquet ... (the same names)
//! DIR/nodes.parquet, DIR/hierarchies.parquet, DIR/snapshot.parquet
//! ```
//!
//! [`export_parquet_partitioned`] writes it;
//! [`tables::register_parquet`](super::tables::register_parquet) reads
//! it as well as the single-file layout of
//! [`tables::export_parquet`](super::tables::export_parquet) (a directory
//! `DIR/products/` is taken as the partitioned layout). The partition of
//! a product is [`partition_of`] its id: stable across runs, machines and
//! versions of the crate (it is part of the files' meaning).
//!
//! # How N maps to machines
//!
//! A partition is the unit of work: a detach holds one partition's
//! matching products and removals in memory at a time (in one process,
//! partitions run one after another; under Ballista each is a job whose
//! tasks the scheduler spreads over the executors). Choose N so that one
//! partition fits comfortably in a worker's memory, and at least the
//! number of executor slots, so that every machine has work. Measured on
//! 1M products detached from every hierarchy (README "Performance"), the
//! whole process peaked at 1.8 GB with one partition, 615 MB with 4,
//! 287 MB with 16 (62,500 products each) and 227 MB with 64: about
//! 200 MB of the engine plus a partition's share.

use super::Error;
use super::tables::{catalog_batches, write_batch};
use crate::catalog::Catalog;
use ::datafusion::arrow::array::{RecordBatch, UInt32Array};
use ::datafusion::arrow::compute::take_record_batch;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// The tables that are split into partitions (the others stay one file).
pub const PARTITIONED: [&str; 2] = ["products", "product_nodes"];

/// The partition of the product `id` among `partitions`: FNV-1a (64-bit)
/// of the id's 16 bytes, modulo `partitions`.
///
/// ```
/// use catalog_filter::datafusion::partition::partition_of;
/// use std::num::NonZeroUsize;
///
/// let id: uuid::Uuid = "00000000-0000-4000-8000-000000000001".parse()?;
/// let four = NonZeroUsize::new(4).unwrap();
/// assert_eq!(partition_of(&id, four), 2);
/// assert_eq!(partition_of(&id, NonZeroUsize::MIN), 0);
/// # Ok::<(), uuid::Error>(())
/// ```
pub fn partition_of(id: &Uuid, partitions: NonZeroUsize) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    // `usize` is at most 64 bits wide, so the remainder fits.
    let n = u64::try_from(partitions.get()).unwrap_or(u64::MAX);
    usize::try_from(hash % n).unwrap_or(0)
}

/// The name of partition `i`'s file in a partitioned table's directory.
pub fn part_file(i: usize) -> String {
    format!("part-{i:05}.parquet")
}

/// Writes the catalog's tables to `dir` in the partitioned layout, with
/// `partitions` files for each of [`PARTITIONED`] (creating `dir`;
/// replacing the tables there, in either layout: files of a previous
/// export that the new one does not write are removed). Each file is
/// written beside its place and renamed into it.
pub fn export_parquet_partitioned(
    catalog: &Catalog,
    dir: &Path,
    partitions: NonZeroUsize,
) -> Result<(), Error> {
    let batches = catalog_batches(catalog)?;
    // Row numbers of each partition: a product's row, and its memberships'
    // rows (which follow the products' order, in list order).
    let n = partitions.get();
    let mut products: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut memberships: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut membership = 0u32;
    for (row, product) in (0u32..).zip(catalog.products()) {
        let part = partition_of(&product.id, partitions);
        let rows = membership..membership.saturating_add(count(product.node_ids.len()));
        membership = rows.end;
        if let (Some(p), Some(m)) = (products.get_mut(part), memberships.get_mut(part)) {
            p.push(row);
            m.extend(rows);
        }
    }
    for table in PARTITIONED {
        let table_dir = dir.join(table);
        std::fs::create_dir_all(&table_dir).map_err(|source| Error::Io {
            path: table_dir.clone(),
            source,
        })?;
        let (batch, rows) = match table {
            "products" => (&batches.products, &products),
            _ => (&batches.product_nodes, &memberships),
        };
        for (i, rows) in rows.iter().enumerate() {
            let part = take(batch, rows, table)?;
            write_batch(&part, &table_dir.join(part_file(i)))?;
        }
        remove_stale(&table_dir, n)?;
        remove_file(&dir.join(format!("{table}.parquet")))?;
    }
    for (table, batch) in batches.tables() {
        if !PARTITIONED.contains(&table) {
            write_batch(batch, &dir.join(format!("{table}.parquet")))?;
        }
    }
    Ok(())
}

/// Removes the partitioned layout's files from `dir` (before a
/// single-file export there): the partition files, then their
/// directories, which must then be empty.
pub(super) fn remove_partitioned(dir: &Path) -> Result<(), Error> {
    for table in PARTITIONED {
        let table_dir = dir.join(table);
        if !table_dir.is_dir() {
            continue;
        }
        remove_stale(&table_dir, 0)?;
        std::fs::remove_dir(&table_dir).map_err(|source| Error::Io {
            path: table_dir.clone(),
            source,
        })?;
    }
    Ok(())
}

/// `len` as a row count (a catalog has far fewer than `u32::MAX` rows).
fn count(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The rows `rows` of `batch`.
fn take(batch: &RecordBatch, rows: &[u32], table: &'static str) -> Result<RecordBatch, Error> {
    take_record_batch(batch, &UInt32Array::from(rows.to_vec()))
        .map_err(|source| Error::Arrow { table, source })
}

/// Removes the partition files of `dir` numbered `n` and above (left by an
/// export with more partitions).
fn remove_stale(dir: &Path, n: usize) -> Result<(), Error> {
    for (i, path) in parts_in(dir)? {
        if i >= n {
            remove_file(&path)?;
        }
    }
    Ok(())
}

/// Removes the file `path` if it exists.
fn remove_file(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Io {
            path: path.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// The partition files of `dir` (`part-NNNNN.parquet`) with their numbers,
/// in number order; other files are ignored.
fn parts_in(dir: &Path) -> Result<Vec<(usize, PathBuf)>, Error> {
    let io = |source| Error::Io {
        path: dir.to_owned(),
        source,
    };
    let mut parts = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name();
        let number = name
            .to_str()
            .and_then(|n| n.strip_prefix("part-"))
            .and_then(|n| n.strip_suffix(".parquet"))
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(i) = number {
            parts.push((i, entry.path()));
        }
    }
    parts.sort();
    Ok(parts)
}

/// The files of one partition: a product's row and its memberships.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Part {
    /// The `products` file.
    pub(super) products: PathBuf,
    /// The `product_nodes` file.
    pub(super) product_nodes: PathBuf,
    /// The file's name inside each table's directory (`part-NNNNN.parquet`),
    /// or `None` in the single-file layout (`DIR/<table>.parquet`).
    pub(super) name: Option<String>,
}

/// The partitions of the tables in `dir`: one per file of the partitioned
/// layout (the two tables must have the same files), or the single files.
/// A missing file is [`Error::MissingTable`].
pub(super) fn parts(dir: &Path) -> Result<Vec<Part>, Error> {
    let [products, product_nodes] = PARTITIONED.map(|t| dir.join(t));
    if !products.is_dir() {
        return Ok(vec![Part {
            products: dir.join("products.parquet"),
            product_nodes: dir.join("product_nodes.parquet"),
            name: None,
        }]);
    }
    let mut parts = Vec::new();
    for (_, path) in parts_in(&products)? {
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        let memberships = product_nodes.join(&name);
        if !memberships.is_file() {
            return Err(Error::MissingTable {
                table: "product_nodes",
                path: memberships,
            });
        }
        parts.push(Part {
            products: path,
            product_nodes: memberships,
            name: Some(name),
        });
    }
    // A membership file without its products file is as wrong.
    if product_nodes.is_dir() {
        for (_, path) in parts_in(&product_nodes)? {
            if let Some(name) = path.file_name() {
                let products_file = products.join(name);
                if !products_file.is_file() {
                    return Err(Error::MissingTable {
                        table: "products",
                        path: products_file,
                    });
                }
            }
        }
    }
    if parts.is_empty() {
        return Err(Error::MissingTable {
            table: "products",
            path: products.join(part_file(0)),
        });
    }
    Ok(parts)
}

/// The file or directory a table of [`TABLES`] is read from in `dir`:
/// `DIR/<table>/` for a partitioned table written so, else
/// `DIR/<table>.parquet`.
pub(super) fn table_path(dir: &Path, table: &str) -> PathBuf {
    let partitioned = dir.join(table);
    if PARTITIONED.contains(&table) && partitioned.is_dir() {
        partitioned
    } else {
        dir.join(format!("{table}.parquet"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datafusion::tables::TABLES;

    #[test]
    fn partitions_spread_ids_and_stay_in_range() {
        let n = NonZeroUsize::new(8).unwrap();
        let mut counts = [0usize; 8];
        for i in 0..8000u128 {
            let p = partition_of(&Uuid::from_u128(i), n);
            counts[p] += 1;
        }
        // Sequential ids spread: each partition within 25% of its share.
        assert!(
            counts.iter().all(|c| (750..=1250).contains(c)),
            "{counts:?}"
        );
        assert_eq!(partition_of(&Uuid::nil(), NonZeroUsize::MIN), 0);
        // FNV-1a of sixteen zero bytes is 0x88201fb960ff6465: pinned, since
        // the partition is part of the files' meaning.
        assert_eq!(
            partition_of(&Uuid::nil(), NonZeroUsize::new(1000).unwrap()),
            221
        );
        assert!(PARTITIONED.iter().all(|t| TABLES.contains(t)));
    }

    #[test]
    fn part_files_are_named_and_listed_in_number_order() {
        assert_eq!(part_file(7), "part-00007.parquet");
        let dir = std::env::temp_dir().join(format!("cf-parts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for name in [
            "part-00010.parquet",
            "part-00002.parquet",
            "part-.parquet",
            "notes.txt",
            "part-x1.parquet",
            "part-+3.parquet",
        ] {
            std::fs::write(dir.join(name), b"").unwrap();
        }
        let found: Vec<usize> = parts_in(&dir)
            .unwrap()
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(found, [2, 10]);
        remove_stale(&dir, 5).unwrap();
        assert!(dir.join("part-00002.parquet").exists());
        assert!(!dir.join("part-00010.parquet").exists());
        // A file that cannot be removed (here a directory in its place) is
        // an error naming it; one that is not there is not.
        std::fs::create_dir_all(dir.join("part-00007.parquet")).unwrap();
        match remove_stale(&dir, 5) {
            Err(Error::Io { path, .. }) => assert_eq!(path, dir.join("part-00007.parquet")),
            other => panic!("{other:?}"),
        }
        assert!(remove_file(&dir.join("no-such-file")).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
