//! The embedded store's durability: a snapshot file served from memory,
//! and a journal of what applied requests changed.
//!
//! A store's directory holds `snapshot-<SEQ>.json` (the state after the
//! journal entries up to SEQ), `journal.jsonl`, one line
//! `{"seq":N,"entry":{...}}` per applied request (its resolved effect,
//! `stores.rs`), and `LOCK`, locked
//! (`File::try_lock`, an advisory lock the system releases when the
//! process ends, however it ends) by the one process serving the store: a
//! second server on the same directory refuses to start. A write:
//!
//! 1. takes the store's write lock (writes are serialized; readers go on);
//! 2. plans on the current state (a refusal ends here: nothing is written);
//! 3. appends its journal line and `fdatasync`s the journal;
//! 4. applies the plan under the state's write lock (held only for the
//!    apply, so a reader sees the state before or after it, never half);
//! 5. answers. A 200 is sent only after step 3.
//!
//! Compaction (once at least `compact_after` entries wait and the journal
//! has grown to a `compact_ratio`th of the snapshot's size, and at
//! shutdown) writes the
//! state as read, with only the changed lists spliced in, to
//! `snapshot-<SEQ>.json.tmp`, fsyncs it, renames it to `snapshot-<SEQ>.json`,
//! fsyncs the directory, then empties the journal and removes the old
//! snapshot. It holds the write lock (writes wait) and a read lock on the
//! state (reads go on). At start the newest snapshot is loaded and the
//! journal's entries after its SEQ replayed, so a crash at any step leaves
//! the old state or the new: an entry already in the snapshot is skipped (a
//! journal of such entries alone is emptied, finishing the compaction), a
//! last line cut short by a crash (never answered) is dropped, and older
//! snapshots (a crash between the rename and their removal) are removed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// What a durable store holds: a snapshot loaded from its text, written
/// back as read, and changed by journal entries.
pub trait Doc: Send + Sync + Sized + 'static {
    /// What the store answers when its snapshot does not load.
    type Broken;
    /// Loads a snapshot.
    fn load(text: Vec<u8>) -> Result<Self, Self::Broken>;
    /// Writes the snapshot as read, with the changes spliced in.
    fn write_as_read(&self, out: &mut dyn Write) -> io::Result<()>;
    /// Applies one journal entry (its JSON text) again.
    fn replay(&mut self, entry: &str) -> Result<(), String>;
}

/// Why a store did not open.
pub enum OpenError<B> {
    /// Its snapshot does not load.
    Load(B),
    /// Anything else (files, the journal).
    Other(String),
    /// Another process holds the store's lock (serves the same directory).
    Locked(String),
}

/// The journal file and where the store stands.
struct Journal {
    file: File,
    /// Its length (the end of the last whole entry).
    len: u64,
    /// The last entry's sequence number.
    seq: u64,
    /// The sequence number of the snapshot file.
    base: u64,
    /// Set when a failed append could not be undone: no more writes.
    broken: Option<String>,
    /// The size of the snapshot file.
    snapshot_len: u64,
}

/// When a store's journal is folded into a new snapshot.
#[derive(Clone, Copy, Debug)]
pub struct Compaction {
    /// At least this many entries wait (1 at least).
    pub after: u64,
    /// And the journal is at least 1/`ratio` of the snapshot's size (0:
    /// the count alone decides). A compaction rewrites the whole snapshot,
    /// and writes wait while it runs: with a ratio, each byte journaled
    /// costs at most `ratio` bytes of rewriting whatever the snapshot's
    /// size, where a count alone would rewrite a 355 MB catalog every
    /// `after` detaches. Replaying such a journal at start costs a
    /// fraction of loading the snapshot.
    pub ratio: u64,
}

/// A snapshot served from memory and made durable by a journal.
pub struct Durable<D> {
    dir: PathBuf,
    /// `LOCK`, locked for as long as the store is open.
    _lock: File,
    state: RwLock<D>,
    journal: Mutex<Journal>,
    compaction: Compaction,
}

const JOURNAL: &str = "journal.jsonl";
const LOCK: &str = "LOCK";

fn snapshot_name(seq: u64) -> String {
    format!("snapshot-{seq:020}.json")
}

fn seq_of(name: &str) -> Option<u64> {
    name.strip_prefix("snapshot-")?
        .strip_suffix(".json")?
        .parse()
        .ok()
}

/// `File::try_lock`, stable since rustc 1.89: the `server` feature needs
/// 1.89 where the library needs 1.85 (`rust-version`; see Cargo.toml).
#[allow(
    clippy::incompatible_msrv,
    reason = "the server feature needs rustc 1.89 (Cargo.toml, README)"
)]
fn try_lock(file: &File) -> Result<(), fs::TryLockError> {
    file.try_lock()
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<D: Doc> Durable<D> {
    /// Opens the store in `dir`, creating it from `initial` when `dir` does
    /// not exist (through a temporary directory renamed into place, so a
    /// crash never leaves half a store).
    pub fn open(
        dir: &Path,
        initial: impl FnOnce() -> Result<Vec<u8>, String>,
        compaction: Compaction,
    ) -> Result<Durable<D>, OpenError<D::Broken>> {
        let other = |what: &str, e: io::Error| OpenError::Other(format!("{what}: {e}"));
        if !dir.exists() {
            let bytes = initial().map_err(OpenError::Other)?;
            create(dir, &bytes)
                .map_err(|e| other(&format!("cannot create {}", dir.display()), e))?;
        }
        // The lock before anything is read or changed.
        let lock_path = dir.join(LOCK);
        let lock = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| other(&format!("cannot open {}", lock_path.display()), e))?;
        match try_lock(&lock) {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(OpenError::Locked(format!(
                    "{} is in use by another process ({} is locked): one server per state directory",
                    dir.display(),
                    lock_path.display()
                )));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(other(&format!("cannot lock {}", lock_path.display()), e));
            }
        }
        let mut snapshots = Vec::new();
        for entry in
            fs::read_dir(dir).map_err(|e| other(&format!("cannot read {}", dir.display()), e))?
        {
            let entry = entry.map_err(|e| other("cannot list the store", e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".tmp") {
                // A compaction cut short: the previous snapshot is complete.
                let _ = fs::remove_file(entry.path());
            } else if let Some(seq) = seq_of(&name) {
                snapshots.push(seq);
            }
        }
        let base = snapshots.iter().copied().max().ok_or_else(|| {
            OpenError::Other(format!("{} holds no snapshot-*.json", dir.display()))
        })?;
        // Older snapshots: a compaction ended (a crash, a failure) between
        // renaming the new one into place and removing the old one. The
        // newest holds everything they do.
        let mut removed = false;
        for seq in snapshots.into_iter().filter(|&seq| seq < base) {
            let path = dir.join(snapshot_name(seq));
            fs::remove_file(&path)
                .map_err(|e| other(&format!("cannot remove {}", path.display()), e))?;
            removed = true;
        }
        if removed {
            sync_dir(dir).map_err(|e| other("cannot sync the store's directory", e))?;
        }
        let path = dir.join(snapshot_name(base));
        let bytes =
            fs::read(&path).map_err(|e| other(&format!("cannot read {}", path.display()), e))?;
        let snapshot_len = bytes.len() as u64;
        let mut doc = D::load(bytes).map_err(OpenError::Load)?;
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(dir.join(JOURNAL))
            .map_err(|e| other("cannot open the journal", e))?;
        let mut text = Vec::new();
        file.read_to_end(&mut text)
            .map_err(|e| other("cannot read the journal", e))?;
        let (seq, whole) = replay(&mut doc, &text, base).map_err(OpenError::Other)?;
        // When the snapshot holds every entry (a compaction ended between
        // its rename and the journal's truncation), the truncation is
        // finished here: else the stale lines would stay until the next
        // compaction, a clean stop's included, which has nothing to fold.
        let len = if seq == base { 0 } else { whole };
        if len < text.len() as u64 {
            // The rest: a last line cut short by a crash (never answered),
            // or the entries the snapshot holds.
            file.set_len(len)
                .and_then(|()| file.sync_all())
                .map_err(|e| other("cannot cut the journal back to its pending entries", e))?;
        }
        file.seek(SeekFrom::End(0))
            .map_err(|e| other("cannot open the journal", e))?;
        Ok(Durable {
            dir: dir.to_path_buf(),
            _lock: lock,
            state: RwLock::new(doc),
            journal: Mutex::new(Journal {
                file,
                len,
                seq,
                base,
                broken: None,
                snapshot_len,
            }),
            compaction: Compaction {
                after: compaction.after.max(1),
                ..compaction
            },
        })
    }

    /// The state, for reading (never blocked by a compaction).
    pub fn read(&self) -> RwLockReadGuard<'_, D> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_state(&self) -> RwLockWriteGuard<'_, D> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// One write (see the module docs): `plan` on the current state gives
    /// the plan and its journal entry (`None` when it changes nothing), or
    /// the refusal; the entry is made durable, then `apply` runs. The outer
    /// error is a failure to write the journal (nothing applied).
    pub fn write<P, R>(
        &self,
        plan: impl FnOnce(&D) -> Result<(P, Option<String>), R>,
        apply: impl FnOnce(&mut D, &P),
    ) -> io::Result<Result<P, R>> {
        let mut journal = lock(&self.journal);
        if let Some(reason) = &journal.broken {
            return Err(io::Error::other(reason.clone()));
        }
        let planned = plan(&self.read());
        let (plan, entry) = match planned {
            Ok(planned) => planned,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if let Some(entry) = entry {
            let seq = journal.seq + 1;
            let line = format!("{{\"seq\":{seq},\"entry\":{entry}}}\n");
            let written = journal
                .file
                .write_all(line.as_bytes())
                .and_then(|()| journal.file.sync_data());
            if let Err(e) = written {
                let len = journal.len;
                if let Err(undo) = journal
                    .file
                    .set_len(len)
                    .and_then(|()| journal.file.sync_data())
                {
                    journal.broken = Some(format!("the journal could not be repaired: {undo}"));
                }
                return Err(e);
            }
            journal.seq = seq;
            journal.len += line.len() as u64;
            apply(&mut self.write_state(), &plan);
        }
        Ok(Ok(plan))
    }

    /// True when enough waits in the journal for a compaction (see
    /// [`Compaction`]).
    pub fn wants_compaction(&self) -> bool {
        let journal = lock(&self.journal);
        journal.broken.is_none()
            && journal.seq.saturating_sub(journal.base) >= self.compaction.after
            && (self.compaction.ratio == 0
                || journal.len.saturating_mul(self.compaction.ratio) >= journal.snapshot_len)
    }

    /// Folds the journal into a new snapshot (see the module docs); does
    /// nothing when the journal is empty.
    pub fn compact(&self) -> io::Result<()> {
        let mut journal = lock(&self.journal);
        if journal.seq == journal.base || journal.broken.is_some() {
            return Ok(());
        }
        let seq = journal.seq;
        let path = self.dir.join(snapshot_name(seq));
        let tmp = self.dir.join(format!("{}.tmp", snapshot_name(seq)));
        let snapshot_len = {
            let file = File::create(&tmp)?;
            let mut out = BufWriter::with_capacity(1 << 20, file);
            self.read().write_as_read(&mut out)?;
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            file.metadata()?.len()
        };
        fs::rename(&tmp, &path)?;
        // A failure up to here leaves the journal as it was (a snapshot
        // renamed into place holds entries the journal still has: replay
        // skips them, and the next open removes the older snapshot).
        sync_dir(&self.dir)?;
        // The new snapshot holds every entry: the journal can go. Once the
        // file is cut, the bookkeeping follows it at once (a later failed
        // append cuts back to `len`, which must not be past the end); a
        // truncation that failed or is not durable leaves the journal in a
        // state no append may build on: no more writes.
        let old = journal.base;
        if let Err(e) = journal.file.set_len(0) {
            journal.broken = Some(format!("the journal could not be emptied: {e}"));
            return Err(e);
        }
        journal.len = 0;
        journal.base = seq;
        journal.snapshot_len = snapshot_len;
        if let Err(e) = journal.file.sync_all() {
            journal.broken = Some(format!("the emptied journal could not be synced: {e}"));
            return Err(e);
        }
        fs::remove_file(self.dir.join(snapshot_name(old)))?;
        sync_dir(&self.dir)
    }
}

/// Writes a new store directory: snapshot 0 and an empty journal, in a
/// temporary directory renamed into place.
fn create(dir: &Path, snapshot: &[u8]) -> io::Result<()> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parent = dir.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let tmp = parent.join(format!(".{name}.tmp"));
    if tmp.exists() {
        fs::remove_dir_all(&tmp)?;
    }
    fs::create_dir(&tmp)?;
    let mut file = File::create(tmp.join(snapshot_name(0)))?;
    file.write_all(snapshot)?;
    file.sync_all()?;
    File::create(tmp.join(JOURNAL))?.sync_all()?;
    sync_dir(&tmp)?;
    fs::rename(&tmp, dir)?;
    sync_dir(parent)
}

/// Replays the journal `text` on `doc` (entries after `base`); returns the
/// last sequence number and the length of the whole lines.
fn replay<D: Doc>(doc: &mut D, text: &[u8], base: u64) -> Result<(u64, u64), String> {
    #[derive(serde::Deserialize)]
    struct Line<'a> {
        seq: u64,
        #[serde(borrow)]
        entry: &'a serde_json::value::RawValue,
    }
    let mut seq = base;
    let mut at = 0usize;
    while at < text.len() {
        let rest = text.get(at..).unwrap_or_default();
        let Some(end) = memchr::memchr(b'\n', rest) else {
            break; // a last line without its newline: cut short
        };
        let line_bytes = rest.get(..end).unwrap_or_default();
        let line = match std::str::from_utf8(line_bytes)
            .ok()
            .and_then(|s| serde_json::from_str::<Line<'_>>(s).ok())
        {
            Some(line) => line,
            None if at + end + 1 == text.len() => break, // torn last line
            None => return Err(format!("journal line at byte {at} is not an entry")),
        };
        if line.seq > base {
            if line.seq <= seq {
                return Err(format!("journal entry {} is out of order", line.seq));
            }
            doc.replay(line.entry.get())
                .map_err(|e| format!("journal entry {}: {e}", line.seq))?;
            seq = line.seq;
        }
        at += end + 1;
    }
    Ok((seq, at as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document of lines; an entry appends its text.
    struct Lines(String);

    impl Doc for Lines {
        type Broken = String;
        fn load(text: Vec<u8>) -> Result<Lines, String> {
            String::from_utf8(text)
                .map(Lines)
                .map_err(|e| e.to_string())
        }
        fn write_as_read(&self, out: &mut dyn Write) -> io::Result<()> {
            out.write_all(self.0.as_bytes())
        }
        fn replay(&mut self, entry: &str) -> Result<(), String> {
            let text: String = serde_json::from_str(entry).map_err(|e| e.to_string())?;
            self.0.push_str(&text);
            Ok(())
        }
    }

    fn dir() -> PathBuf {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "catalog-filter-durable-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    fn open(dir: &Path) -> Durable<Lines> {
        match Durable::open(dir, || Ok(b"a".to_vec()), counted(1000)) {
            Ok(d) => d,
            Err(OpenError::Load(e) | OpenError::Other(e) | OpenError::Locked(e)) => panic!("{e}"),
        }
    }

    /// Compaction after `after` entries, whatever their size.
    fn counted(after: u64) -> Compaction {
        Compaction { after, ratio: 0 }
    }

    /// Compaction after `after` entries and a sixteenth of the snapshot.
    fn sized(after: u64) -> Compaction {
        Compaction { after, ratio: 16 }
    }

    fn add(d: &Durable<Lines>, text: &str) {
        let entry = serde_json::to_string(text).unwrap();
        let text = text.to_owned();
        d.write(
            |_| Ok::<_, ()>(((), Some(entry))),
            move |doc, ()| doc.0.push_str(&text),
        )
        .unwrap()
        .unwrap();
    }

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn journal_replay_and_compaction() {
        let root = dir();
        let store = root.join("s");
        let d = open(&store);
        add(&d, "b");
        add(&d, "c");
        assert_eq!(d.read().0, "abc");
        drop(d);
        // Reopened: the journal replayed over snapshot 0.
        let d = open(&store);
        assert_eq!(d.read().0, "abc");
        d.compact().unwrap();
        assert_eq!(
            files(&store),
            [
                "LOCK",
                "journal.jsonl",
                "snapshot-00000000000000000002.json"
            ]
        );
        assert_eq!(fs::read(store.join(JOURNAL)).unwrap(), b"");
        add(&d, "d");
        drop(d);
        let d = open(&store);
        assert_eq!(d.read().0, "abcd");
        // A write that plans a refusal or no change writes nothing.
        let len = fs::metadata(store.join(JOURNAL)).unwrap().len();
        assert_eq!(
            d.write(|_| Err::<((), Option<String>), _>("no"), |_, ()| {})
                .unwrap(),
            Err("no")
        );
        d.write(|_| Ok::<_, ()>(((), None)), |_, ()| panic!("applied"))
            .unwrap()
            .unwrap();
        assert_eq!(fs::metadata(store.join(JOURNAL)).unwrap().len(), len);
        let _ = fs::remove_dir_all(root);
    }

    /// Compaction waits for `compact_after` entries and for a journal of
    /// a sixteenth of the snapshot's size, whichever comes last.
    #[test]
    fn compaction_waits_for_a_journal_of_a_sixteenth_of_the_snapshot() {
        let root = dir();
        let store = root.join("s");
        // 1,600 bytes of snapshot: compaction once the journal holds 100.
        let d: Durable<Lines> = match Durable::open(&store, || Ok(vec![b'a'; 1_600]), sized(3)) {
            Ok(d) => d,
            Err(OpenError::Load(e) | OpenError::Other(e) | OpenError::Locked(e)) => panic!("{e}"),
        };
        // Each entry is `{"seq":N,"entry":"b"}` and a newline: 22 bytes.
        let mut wants = Vec::new();
        for _ in 0..6 {
            add(&d, "b");
            wants.push(d.wants_compaction());
        }
        // 3 entries (66 bytes): not yet; 5 (110 bytes): due.
        assert_eq!(wants, [false, false, false, false, true, true]);
        d.compact().unwrap();
        assert!(!d.wants_compaction());
        // The new snapshot (1,606 bytes) sets the next threshold: 101 bytes.
        for _ in 0..4 {
            add(&d, "c");
        }
        assert!(!d.wants_compaction(), "88 journal bytes");
        add(&d, "c");
        assert!(
            d.wants_compaction(),
            "111 journal bytes (seq 10 has two digits)"
        );
        drop(d);
        // Reopened, the snapshot's size is read again: still due.
        let d: Durable<Lines> = match Durable::open(&store, || Ok(Vec::new()), sized(3)) {
            Ok(d) => d,
            Err(OpenError::Load(e) | OpenError::Other(e) | OpenError::Locked(e)) => panic!("{e}"),
        };
        assert!(d.wants_compaction());
        drop(d);
        // A count not reached holds it back whatever the size.
        let d: Durable<Lines> = match Durable::open(&store, || Ok(Vec::new()), sized(6)) {
            Ok(d) => d,
            Err(OpenError::Load(e) | OpenError::Other(e) | OpenError::Locked(e)) => panic!("{e}"),
        };
        assert!(!d.wants_compaction(), "5 entries of 6");
        drop(d);
        // Ratio 0: the count alone.
        let d: Durable<Lines> = match Durable::open(&store, || Ok(Vec::new()), counted(5)) {
            Ok(d) => d,
            Err(OpenError::Load(e) | OpenError::Other(e) | OpenError::Locked(e)) => panic!("{e}"),
        };
        assert!(d.wants_compaction(), "5 entries of 5, 110 bytes");
        let _ = fs::remove_dir_all(root);
    }

    #[test]
    fn crashes() {
        let root = dir();
        let store = root.join("s");
        let d = open(&store);
        add(&d, "b");
        drop(d);
        // A crash after the compaction's rename, before the truncation:
        // the entries already in the new snapshot are skipped.
        fs::write(store.join(snapshot_name(1)), "ab").unwrap();
        // A compaction cut short before its rename: ignored and removed.
        fs::write(store.join(format!("{}.tmp", snapshot_name(7))), "junk").unwrap();
        let d = open(&store);
        assert_eq!(d.read().0, "ab");
        // The older snapshot is removed, as is the temporary file, and the
        // journal, whose entry the snapshot holds, is emptied (the
        // compaction's truncation finished).
        assert_eq!(files(&store), ["LOCK", "journal.jsonl", &snapshot_name(1)]);
        assert_eq!(fs::read(store.join(JOURNAL)).unwrap(), b"");
        drop(d);
        // A torn last line is dropped (and cut off the file).
        let mut journal = OpenOptions::new()
            .append(true)
            .open(store.join(JOURNAL))
            .unwrap();
        journal.write_all(br#"{"seq":2,"entry":"#).unwrap();
        let d = open(&store);
        assert_eq!(d.read().0, "ab");
        add(&d, "c");
        drop(d);
        assert_eq!(open(&store).read().0, "abc");
        // A bad line before the last is corruption: the store does not open.
        let mut text = fs::read(store.join(JOURNAL)).unwrap();
        text.splice(0..0, b"garbage\n".iter().copied());
        fs::write(store.join(JOURNAL), &text).unwrap();
        assert!(matches!(
            Durable::<Lines>::open(&store, || Ok(Vec::new()), counted(1)),
            Err(OpenError::Other(_))
        ));
        // Out of order.
        fs::write(
            store.join(JOURNAL),
            "{\"seq\":3,\"entry\":\"x\"}\n{\"seq\":2,\"entry\":\"y\"}\n",
        )
        .unwrap();
        assert!(matches!(
            Durable::<Lines>::open(&store, || Ok(Vec::new()), counted(1)),
            Err(OpenError::Other(_))
        ));
        let _ = fs::remove_dir_all(root);
    }

    #[test]
    fn one_process_per_store() {
        let root = dir();
        let store = root.join("s");
        let d = open(&store);
        // Another open of the same directory (the lock is per open file, so
        // this process's second open is refused as another process's is).
        match Durable::<Lines>::open(&store, || Ok(Vec::new()), counted(1)) {
            Err(OpenError::Locked(reason)) => assert!(reason.contains("LOCK"), "{reason}"),
            Err(OpenError::Load(e) | OpenError::Other(e)) => panic!("{e}"),
            Ok(_) => panic!("opened twice"),
        }
        drop(d);
        // Closed: it opens again.
        drop(open(&store));
        let _ = fs::remove_dir_all(root);
    }
}
