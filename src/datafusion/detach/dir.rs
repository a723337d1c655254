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
/// two renames leaves the previous output in that aside directory; the
/// next `detach_dir` into `out` that passes its checks renames it back
/// before it stages anything (a request refused by the checks changes
/// nothing, the aside included). A crash after them leaves an aside that
/// the next one removes. The input files are never written: an `out` that is `dir`,
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
    let (parent, name) = parent_and_name(out)?;
    Some(parent.join(format!("{}{}", prefix(name, PARTIAL), std::process::id())))
}

/// What a job into `out` names its staging directory and the previous
/// output it sets aside: `.NAME.partial-PID`, `.NAME.replaced-PID`.
const PARTIAL: &str = "partial";
/// See [`PARTIAL`].
const REPLACED: &str = "replaced";

/// `out`'s parent directory (`.` for a bare name) and its name in UTF-8.
fn parent_and_name(out: &Path) -> Option<(PathBuf, &str)> {
    let name = out.file_name()?.to_str()?;
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    Some((parent, name))
}

/// `.NAME.KIND-`, what the PID follows.
fn prefix(name: &str, kind: &str) -> String {
    format!(".{name}.{kind}-")
}

/// The PID in `file_name` when it is `prefix` and digits, and nothing
/// else (so `.out.partial-backup` is no job's).
fn pid_in<'n>(file_name: &'n str, prefix: &str) -> Option<&'n str> {
    file_name
        .strip_prefix(prefix)
        .filter(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// The new output directory beside `out`, renamed to `out` by
/// [`commit`](Staging::commit); removed if dropped before.
struct Staging {
    out: PathBuf,
    path: PathBuf,
    /// Where `commit` sets the previous output aside.
    aside: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates `.NAME.partial-PID` beside `out` (and `out`'s parent),
    /// after settling what earlier jobs into `out` left: the previous
    /// output of a job killed inside its commit is renamed back (see
    /// [`settle`]), and their staging directories are removed.
    fn create(out: &Path) -> Result<Staging, Error> {
        let invalid = || Error::Io {
            path: out.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the output must be a directory name in UTF-8",
            ),
        };
        let (parent, name) = parent_and_name(out).ok_or_else(invalid)?;
        let path = partial_dir(out).ok_or_else(invalid)?;
        let aside = parent.join(format!("{}{}", prefix(name, REPLACED), std::process::id()));
        std::fs::create_dir_all(&parent).map_err(io(&parent))?;
        settle(out, &parent, name)?;
        std::fs::create_dir(&path).map_err(io(&path))?;
        Ok(Staging {
            out: out.to_owned(),
            path,
            aside,
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
        let aside = self.aside.clone();
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

/// Settles what earlier jobs into `out` (named `name`, in `parent`) left.
///
/// A job killed inside [`Staging::commit`] between its two renames left
/// `out` missing, the previous output as `.NAME.replaced-PID` and its
/// complete new output still as `.NAME.partial-PID`: the killed job never
/// answered, so the previous output is renamed back to `out`. A job killed
/// after both renames left only the aside, and `out` holds its new output:
/// the aside is removed (best effort: it is only space).
///
/// Anything else is left as it is: an aside whose staging directory is
/// still there while `out` exists again (someone recreated `out`; the
/// aside may be the only copy of the previous output), asides without
/// their staging directory while `out` is missing (someone removed `out`
/// after a finished job; those are older outputs), and several candidates
/// at once. Then the staging directories of earlier jobs are removed,
/// except those beside an aside that was kept. Only names of the exact
/// form `.NAME.KIND-` and digits are touched.
fn settle(out: &Path, parent: &Path, name: &str) -> Result<(), Error> {
    let (partial, replaced) = (prefix(name, PARTIAL), prefix(name, REPLACED));
    let mut partials: Vec<(String, PathBuf)> = Vec::new();
    let mut asides: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(parent).map_err(io(parent))?.flatten() {
        let Some(file_name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if let Some(pid) = pid_in(&file_name, &partial) {
            partials.push((pid.to_owned(), entry.path()));
        } else if let Some(pid) = pid_in(&file_name, &replaced) {
            asides.push((pid.to_owned(), entry.path()));
        }
    }
    let out_missing = match std::fs::symlink_metadata(out) {
        Ok(_) => false,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(io(out)(e)),
    };
    let staged = |pid: &str| partials.iter().any(|(p, _)| p == pid);
    let (interrupted, finished): (Vec<_>, Vec<_>) =
        asides.into_iter().partition(|(pid, _)| staged(pid));
    let mut kept: Vec<String> = Vec::new();
    match interrupted.as_slice() {
        [(_, previous)] if out_missing => {
            std::fs::rename(previous, out).map_err(io(previous))?;
            sync_dir(parent)?;
        }
        _ => kept.extend(interrupted.into_iter().map(|(pid, _)| pid)),
    }
    if !out_missing {
        for (_, path) in finished {
            let _ = remove(&path);
        }
    }
    for (pid, path) in partials {
        if !kept.contains(&pid) {
            remove(&path)?;
        }
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

    /// Killed between commit's two renames: `out` is missing, the
    /// previous output is aside and the new one still staged. The next
    /// job's staging puts the previous one back first and removes the
    /// staged one, so a job that then fails leaves `out` as it was before
    /// the killed job. Names not of that job's exact form are left.
    #[test]
    fn an_output_left_aside_is_renamed_back() {
        let dir = scratch("aside");
        let out = dir.join("out");
        output(&dir.join(".out.replaced-42"), "previous");
        output(&dir.join(".out.partial-42"), "never answered");
        // An aside without its staging directory is an older output,
        // whose job finished: with `out` missing, it is left alone.
        output(&dir.join(".out.replaced-17"), "older");
        output(&dir.join(".out.replaced-"), "no pid");
        output(&dir.join(".out.partial-backup"), "not a job's");
        output(&dir.join(".other.replaced-42"), "another output's");
        let staging = Staging::create(&out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("mark")).unwrap(),
            "previous"
        );
        // The job fails: dropping the staging leaves the previous output.
        drop(staging);
        assert_eq!(
            names(&dir),
            [
                ".other.replaced-42",
                ".out.partial-backup",
                ".out.replaced-",
                ".out.replaced-17",
                "out"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(out.join("mark")).unwrap(),
            "previous"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Killed after both renames: `out` is the new output and the old one
    /// is still aside. The next job removes it, and earlier jobs' staging
    /// directories, and leaves `out`.
    #[test]
    fn an_output_already_replaced_is_removed() {
        let dir = scratch("replaced");
        let out = dir.join("out");
        output(&out, "current");
        output(&dir.join(".out.replaced-42"), "replaced");
        std::fs::write(dir.join(".out.replaced-43"), "a file").unwrap();
        output(&dir.join(".out.partial-7"), "killed while writing");
        let staging = Staging::create(&out).unwrap();
        drop(staging);
        assert_eq!(names(&dir), ["out"]);
        assert_eq!(
            std::fs::read_to_string(out.join("mark")).unwrap(),
            "current"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Killed between the renames, then `out` recreated by someone: the
    /// aside may be the only copy of the previous output, so it and its
    /// staging directory stay, and so does `out`.
    #[test]
    fn an_aside_is_kept_when_out_came_back() {
        let dir = scratch("recreated");
        let out = dir.join("out");
        output(&out, "recreated");
        output(&dir.join(".out.replaced-42"), "previous");
        output(&dir.join(".out.partial-42"), "never answered");
        let staging = Staging::create(&out).unwrap();
        drop(staging);
        assert_eq!(names(&dir), [".out.partial-42", ".out.replaced-42", "out"]);
        assert_eq!(
            std::fs::read_to_string(out.join("mark")).unwrap(),
            "recreated"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The names beside `out` come from `out`'s whole name, so an output
    /// named like another's staging directory sets aside under its own.
    #[test]
    fn names_come_from_the_whole_output_name() {
        let dir = scratch("names");
        let staging = Staging::create(&dir.join("a.partial-b")).unwrap();
        let pid = std::process::id();
        assert_eq!(
            staging.path(),
            dir.join(format!(".a.partial-b.partial-{pid}"))
        );
        assert_eq!(
            staging.aside,
            dir.join(format!(".a.partial-b.replaced-{pid}"))
        );
        drop(staging);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The staging directory is beside `out`, in `.` for a bare name;
    /// an output without a name in UTF-8 has none.
    #[test]
    fn the_staging_directory_is_beside_the_output() {
        let pid = std::process::id();
        assert_eq!(
            partial_dir(Path::new("tables/out")),
            Some(PathBuf::from(format!("tables/.out.partial-{pid}")))
        );
        assert_eq!(
            partial_dir(Path::new("out")),
            Some(PathBuf::from(format!("./.out.partial-{pid}")))
        );
        assert_eq!(partial_dir(Path::new("/")), None);
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let not_utf8 = std::ffi::OsStr::from_bytes(b"out\xff");
            assert_eq!(partial_dir(Path::new(not_utf8)), None);
        }
        assert_eq!(pid_in(".out.partial-12", ".out.partial-"), Some("12"));
        for other in [
            ".out.partial-",
            ".out.partial-1a",
            ".out.partial-x",
            ".out.partial",
        ] {
            assert_eq!(pid_in(other, ".out.partial-"), None, "{other}");
        }
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
