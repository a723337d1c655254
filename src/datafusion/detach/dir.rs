//! detach_nodes from a directory of tables to a new one, where the data
//! is: the engine finds the removals, writes them and the tables after
//! them, one partition at a time; the caller never holds the removals.

use super::{Checked, after, check, location, removals, resolve};
use crate::datafusion::Error;
use crate::datafusion::guard::guarded;
use crate::datafusion::partition::{self, PARTITIONED, Part};
use crate::datafusion::tables::{self, TABLES};
use crate::elasticpath::detach::{DetachNodesRequest, DetachNodesResponse};
use crate::elasticpath::envelope::ErrorEnvelope;
use crate::limits::Limits;
use ::datafusion::arrow::array::AsArray;
use ::datafusion::arrow::datatypes::UInt64Type;
use ::datafusion::dataframe::DataFrameWriteOptions;
use ::datafusion::prelude::{DataFrame, ParquetReadOptions, SessionContext};
use std::path::{Path, PathBuf};

/// Options of [`detach_dir`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirOptions {
    /// Whether to keep the removed memberships as a table in the output
    /// (`removals/part-NNNNN.parquet`, or `removals.parquet` in the
    /// single-file layout; columns `removed_product_id`,
    /// `removed_node_id`), a record of what changed.
    pub removals: bool,
}

impl DirOptions {
    /// The defaults: no removals table.
    pub fn new() -> DirOptions {
        DirOptions::default()
    }

    /// Keeps (or not) the removed memberships as a table in the output.
    #[must_use]
    pub fn removals(mut self, keep: bool) -> DirOptions {
        self.removals = keep;
        self
    }
}

/// What [`detach_dir`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirDetached {
    /// The vendor's response.
    pub response: DetachNodesResponse,
    /// The number of memberships removed, as the engine counted them.
    pub memberships_removed: u64,
    /// The number of partitions worked on, one after another.
    pub partitions: usize,
}

/// Detaches as `request` asks from the tables in `dir` (either layout of
/// [`tables`](crate::datafusion::tables) and
/// [`partition`](crate::datafusion::partition)), writing the tables after
/// it to `out` in the same layout. `Ok(Err(envelope))` is the vendor's
/// error answer (the tables' integrity 500, a bad request), and then
/// nothing is written; `Err` is a failure of the files or of DataFusion.
///
/// It answers and writes as [`plan`](super::plan) followed by
/// [`apply_to_dir`](super::apply_to_dir), but the caller's memory does not
/// grow with the products or the removals (it holds the node tables and
/// the requested ids): the checks read the node tables and the distinct
/// node ids of the memberships, then each partition is one set of
/// queries that the engine runs and writes (its removals, its
/// `product_nodes` without them, its `products` with the changed records
/// rewritten), one partition after another, so that the engine's memory
/// is bounded by the largest partition. Give `ctx` a memory limit
/// (DataFusion's `RuntimeEnvBuilder::with_memory_limit`) to have a
/// partition too large for it fail with DataFusion's "resources
/// exhausted" rather than the process grow; `detach_parquet` does.
/// Bound the Tokio runtime's blocking threads too (DataFusion's file
/// reads and writes run on them; Tokio allows 512, and each may hold a
/// malloc arena of its own): `detach_parquet` allows 4, which took the
/// peak RSS of its 1M-product detach from 287-298 MB to 203-212 MB.
///
/// The tables of `dir` are registered in `ctx` for the checks (replacing
/// tables of those names). `ctx` may be a Ballista context: the queries
/// read and write files by path, so its executors must see `dir` and
/// `out`'s directory at the same paths.
///
/// # Nothing partial, nothing lost
///
/// The output is written to a new directory beside `out`
/// (`.NAME.partial-PID`), its files flushed to disk, and then renamed to
/// `out`: a job that fails or is killed leaves `out` as it was (the
/// previous output, or nothing) and at most that partial directory, which
/// the next `detach_dir` into the same `out` removes. An `out` that
/// exists is replaced: it is first renamed aside (`.NAME.replaced-PID`),
/// then the new one renamed into place, then the old one removed (if the
/// second rename fails, the old one is renamed back). A crash between the
/// two renames leaves the previous output in that aside directory, and
/// the next `detach_dir` into `out` renames it back before it stages
/// anything (a crash after them leaves an aside that the next one
/// removes). The input files are never written: an `out` that is `dir`,
/// inside it, or holding it (under any spelling) is
/// [`Error::WouldOverwriteInput`], before anything is written. Two jobs
/// writing the same `out` at once are not supported.
pub async fn detach_dir(
    ctx: &SessionContext,
    dir: &Path,
    request: &DetachNodesRequest,
    limits: &Limits,
    out: &Path,
    options: &DirOptions,
) -> Result<Result<DirDetached, ErrorEnvelope>, Error> {
    refuse_overlap(dir, out)?;
    let parts = partition::parts(dir)?;
    tables::register_parquet(ctx, dir).await?;
    let checked = match guarded(ctx, &TABLES, check(ctx, request, limits)).await? {
        Ok(checked) => checked,
        Err(envelope) => return Ok(Err(envelope)),
    };
    let staging = Staging::create(out)?;
    let mut removed = 0u64;
    for part in &parts {
        removed += guarded(
            ctx,
            &TABLES,
            detach_part(ctx, part, &checked, staging.path(), options),
        )
        .await?;
    }
    for table in TABLES.into_iter().filter(|t| !PARTITIONED.contains(t)) {
        let name = format!("{table}.parquet");
        copy(&dir.join(&name), &staging.path().join(&name))?;
    }
    staging.commit()?;
    Ok(Ok(DirDetached {
        response: checked.response,
        memberships_removed: removed,
        partitions: parts.len(),
    }))
}

/// One partition of [`detach_dir`]: writes its removals, then its tables
/// after them, into `staging`; the number of removals.
async fn detach_part(
    ctx: &SessionContext,
    part: &Part,
    checked: &Checked,
    staging: &Path,
    options: &DirOptions,
) -> Result<u64, Error> {
    let read = |path: PathBuf| async move {
        ctx.read_parquet(location(&path)?, ParquetReadOptions::default())
            .await
            .map_err(Error::from)
    };
    let products = read(part.products.clone()).await?;
    let product_nodes = read(part.product_nodes.clone()).await?;
    let target = |table: &str| -> Result<PathBuf, Error> {
        Ok(match &part.name {
            Some(name) => {
                let dir = staging.join(table);
                std::fs::create_dir_all(&dir).map_err(|source| Error::Io {
                    path: dir.clone(),
                    source,
                })?;
                dir.join(name)
            }
            None => staging.join(format!("{table}.parquet")),
        })
    };
    // The removals are written first, as a file (executors read tables by
    // path), then read by the two rewrites.
    let removals_path = target("removals")?;
    let removed = write(
        removals(
            products.clone(),
            product_nodes.clone(),
            &checked.filter,
            &checked.targeted,
        )?,
        &removals_path,
    )
    .await?;
    let (kept, rewritten) = after(products, product_nodes, read(removals_path.clone()).await?)?;
    write(kept, &target("product_nodes")?).await?;
    write(rewritten, &target("products")?).await?;
    if !options.removals {
        std::fs::remove_file(&removals_path).map_err(|source| Error::Io {
            path: removals_path.clone(),
            source,
        })?;
        if let Some(dir) = removals_path.parent().filter(|_| part.name.is_some()) {
            // Empty once every partition's file is gone.
            let _ = std::fs::remove_dir(dir);
        }
    }
    Ok(removed)
}

/// Writes `frame` to the one Parquet file `path`; the rows written, as the
/// engine counts them.
async fn write(frame: DataFrame, path: &Path) -> Result<u64, Error> {
    // As the export writes (the writer holds a row group in memory).
    let counts = frame
        .write_parquet(
            location(path)?,
            DataFrameWriteOptions::new().with_single_file_output(true),
            Some(tables::parquet_options()),
        )
        .await?;
    let mut rows = 0;
    for batch in &counts {
        if let Some(count) = batch
            .column_by_name("count")
            .and_then(|c| c.as_primitive_opt::<UInt64Type>())
        {
            rows += count.iter().flatten().sum::<u64>();
        }
    }
    Ok(rows)
}

/// Copies the file `from` to `to`.
fn copy(from: &Path, to: &Path) -> Result<(), Error> {
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|source| Error::Io {
            path: from.to_owned(),
            source,
        })
}

/// [`Error::WouldOverwriteInput`] when `out` is `dir`, is inside it, or
/// holds it (replacing `out` would remove it), after resolving links and
/// `..` as far as the paths exist.
fn refuse_overlap(dir: &Path, out: &Path) -> Result<(), Error> {
    let (dir, out) = (resolve(dir), resolve(out));
    if out.starts_with(&dir) || dir.starts_with(&out) {
        return Err(Error::WouldOverwriteInput { path: dir });
    }
    Ok(())
}

/// The directory [`detach_dir`] stages its output for `out` in, in this
/// process: `.NAME.partial-PID` beside `out` (`None` when `out` has no
/// name in UTF-8). [`detach_dir`] removes it when it fails or is
/// cancelled, but work DataFusion already started can still write there
/// after a cancelled future is dropped: a program that gives up on a
/// detach (a deadline, a signal) removes it again after stopping its
/// runtime.
pub fn partial_dir(out: &Path) -> Option<PathBuf> {
    let name = out.file_name()?.to_str()?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    Some(parent.join(format!(".{name}.partial-{}", std::process::id())))
}

/// The new output directory beside `out`, renamed to `out` by
/// [`commit`](Staging::commit); removed if dropped before.
struct Staging {
    out: PathBuf,
    path: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates `.NAME.partial-PID` beside `out` (and `out`'s parent),
    /// removing what earlier jobs into `out` left.
    fn create(out: &Path) -> Result<Staging, Error> {
        let path = partial_dir(out).ok_or_else(|| Error::Io {
            path: out.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the output must be a directory name in UTF-8",
            ),
        })?;
        let parent = path.parent().unwrap_or(Path::new(".")).to_owned();
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let leftover = name.trim_end_matches(|c: char| c.is_ascii_digit());
        recover_replaced(out, &parent, &leftover.replace(".partial-", ".replaced-"))?;
        for entry in std::fs::read_dir(&parent).map_err(io(&parent))?.flatten() {
            if entry
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(leftover))
            {
                let path = entry.path();
                std::fs::remove_dir_all(&path).map_err(io(&path))?;
            }
        }
        std::fs::create_dir(&path).map_err(io(&path))?;
        Ok(Staging {
            out: out.to_owned(),
            path,
            committed: false,
        })
    }

    fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the staged files to disk and renames the directory to
    /// `out`, replacing what was there.
    fn commit(mut self) -> Result<(), Error> {
        sync_tree(&self.path)?;
        let aside = self.path.with_file_name(
            self.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .replace(".partial-", ".replaced-"),
        );
        let replacing = std::fs::symlink_metadata(&self.out).is_ok();
        if replacing {
            std::fs::rename(&self.out, &aside).map_err(io(&self.out))?;
        }
        if let Err(e) = std::fs::rename(&self.path, &self.out) {
            // The previous output back in its place.
            if replacing {
                let _ = std::fs::rename(&aside, &self.out);
            }
            return Err(io(&self.out)(e));
        }
        self.committed = true;
        if let Some(parent) = self.out.parent() {
            sync_dir(if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            })?;
        }
        if replacing {
            remove(&aside)?;
        }
        Ok(())
    }
}

/// Settles what a job killed inside [`Staging::commit`] left: the
/// directories named `aside` + PID beside `out` hold outputs that were
/// replaced. When `out` is missing, the job was killed between the two
/// renames, so the newest of them is the previous output: it is renamed
/// back to `out` (a job that then fails leaves `out` as it was before the
/// killed one). When `out` exists, they are outputs already replaced, and
/// are removed.
fn recover_replaced(out: &Path, parent: &Path, aside: &str) -> Result<(), Error> {
    let mut asides: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(parent).map_err(io(parent))?.flatten() {
        let named = entry.file_name().to_str().is_some_and(|n| {
            n.strip_prefix(aside)
                .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
        });
        if named {
            let path = entry.path();
            let modified = std::fs::symlink_metadata(&path)
                .and_then(|m| m.modified())
                .map_err(io(&path))?;
            asides.push((modified, path));
        }
    }
    // The newest last.
    asides.sort();
    if std::fs::symlink_metadata(out).is_err() {
        if let Some((_, newest)) = asides.pop() {
            std::fs::rename(&newest, out).map_err(io(&newest))?;
            sync_dir(parent)?;
        }
    }
    for (_, path) in asides {
        remove(&path)?;
    }
    Ok(())
}

/// Removes the directory (with what it holds) or file at `path`.
fn remove(path: &Path) -> Result<(), Error> {
    let removed = match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        _ => std::fs::remove_file(path),
    };
    removed.map_err(io(path))
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// An I/O error at `path` as the back end's [`Error::Io`].
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_owned();
    move |source| Error::Io { path, source }
}

/// `fsync`s every file and directory under `dir`, and `dir`.
fn sync_tree(dir: &Path) -> Result<(), Error> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.is_dir() {
            sync_tree(&path)?;
        } else {
            std::fs::File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(io(&path))?;
        }
    }
    sync_dir(dir)
}

/// `fsync`s the directory `dir` (its entries).
fn sync_dir(dir: &Path) -> Result<(), Error> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory of its own for each test.
    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("catalog-filter-dir-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A directory holding one file `mark` with `text`.
    fn output(path: &Path, text: &str) {
        std::fs::create_dir_all(path).unwrap();
        std::fs::write(path.join("mark"), text).unwrap();
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    /// Killed between commit's two renames: `out` is missing and the
    /// previous output is aside. The next job's staging puts it back
    /// first, so a job that then fails leaves `out` as it was before.
    #[test]
    fn an_output_left_aside_is_renamed_back() {
        let dir = scratch("aside");
        let out = dir.join("out");
        output(&dir.join(".out.replaced-17"), "older");
        std::thread::sleep(std::time::Duration::from_millis(20));
        output(&dir.join(".out.replaced-42"), "previous");
        // Not asides of `out`: left alone.
        output(&dir.join(".out.replaced-"), "no pid");
        output(&dir.join(".other.replaced-42"), "another output's");
        let staging = Staging::create(&out).unwrap();
        let partial = staging
            .path()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            std::fs::read_to_string(out.join("mark")).unwrap(),
            "previous"
        );
        // The job fails: dropping the staging leaves the previous output.
        drop(staging);
        assert_eq!(
            names(&dir),
            [".other.replaced-42", ".out.replaced-", "out"],
            "the older aside removed, the staging ({partial}) too"
        );
        assert_eq!(
            std::fs::read_to_string(out.join("mark")).unwrap(),
            "previous"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Killed after both renames: `out` is the new output and the old one
    /// is still aside. The next job removes it and leaves `out`.
    #[test]
    fn an_output_already_replaced_is_removed() {
        let dir = scratch("replaced");
        let out = dir.join("out");
        output(&out, "current");
        output(&dir.join(".out.replaced-42"), "replaced");
        std::fs::write(dir.join(".out.replaced-43"), "a file").unwrap();
        let staging = Staging::create(&out).unwrap();
        drop(staging);
        assert_eq!(names(&dir), ["out"]);
        assert_eq!(
            std::fs::read_to_string(out.join("mark")).unwrap(),
            "current"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A commit replaces `out` and leaves nothing beside it.
    #[test]
    fn a_commit_replaces_the_output() {
        let dir = scratch("commit");
        let out = dir.join("out");
        output(&out, "previous");
        let staging = Staging::create(&out).unwrap();
        output(staging.path(), "new");
        staging.commit().unwrap();
        assert_eq!(names(&dir), ["out"]);
        assert_eq!(std::fs::read_to_string(out.join("mark")).unwrap(), "new");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
