//! What the fault tests of `detach_parquet` share: a generated catalog
//! exported to tables, a previous output, waiting for a job's staging
//! directory, and the checks that nothing was lost.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Every file under `dir` with its bytes.
pub fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    found
}

/// The staging directories (`.NAME.partial-PID`) beside `out`.
pub fn partials(out: &Path) -> Vec<PathBuf> {
    let name = out.file_name().unwrap().to_str().unwrap();
    let prefix = format!(".{name}.partial-");
    let Ok(entries) = std::fs::read_dir(out.parent().unwrap()) else {
        return Vec::new();
    };
    entries
        .map(|e| e.unwrap())
        .filter(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .map(|e| e.path())
        .collect()
}

/// A generated catalog of `products` products in `dir/catalog.json`,
/// exported by `detach_parquet` to `dir/tables` in 4 partitions; and a
/// previous output `dir/out` holding only `previous.txt`. Returns the
/// catalog's text.
pub fn prepare(detach_parquet: &Path, dir: &Path, products: usize) -> String {
    let catalog = catalog_filter::synthetic::catalog(11, products, 60).to_json();
    let input = dir.join("catalog.json");
    std::fs::write(&input, &catalog).unwrap();
    let status = Command::new(detach_parquet)
        .args(["--from-json", input.to_str().unwrap(), "--partitions", "4"])
        .args(["--dir", dir.join("tables").to_str().unwrap()])
        .args(["--out", dir.join("unused").to_str().unwrap()])
        .args(["--filter", "like(name,*)", "--node", "no-such-node"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::remove_dir_all(dir.join("unused")).unwrap();
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::write(dir.join("out/previous.txt"), b"the previous output").unwrap();
    catalog
}

/// The ids of the catalog's hierarchies.
pub fn hierarchies(catalog: &str) -> Vec<String> {
    catalog_filter::catalog::Catalog::from_json(catalog)
        .unwrap()
        .hierarchies()
        .iter()
        .map(|h| h.id.clone())
        .collect()
}

/// Waits until `job` has a staging directory beside `out` (it is writing)
/// or has ended; whether it is still running.
pub fn wait_writing(job: &mut Child, out: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if job.try_wait().unwrap().is_some() {
            return false;
        }
        if !partials(out).is_empty() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the job neither wrote nor ended in 120 s");
}

/// Waits for `job` to end (at most `limit`), killing it after; its exit
/// code, stdout and stderr.
pub fn finish(mut job: Child, limit: Duration) -> (Option<i32>, String, String) {
    let deadline = Instant::now() + limit;
    while job.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = job.kill();
            panic!("the job did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = job.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
