//! Fault tests of `catalog-filter-server`, on real processes (issue 28,
//! "Fault tests"):
//!
//! - [`sigkill_at_random_moments`]: a stream of detaches, each taking one
//!   distinct product out of two nodes, with the server killed (SIGKILL) at
//!   seeded pseudo-random moments, compactions included, and restarted on
//!   the same state: after each restart the store loads, every detach that
//!   got a 200 is in it, a detach without an answer is wholly in or wholly
//!   out, and nothing else changed (the whole catalog compared with the
//!   library's `detach::handle` applied to the fixture).
//! - [`the_order_of_the_system_calls`]: under `strace`, the journal's
//!   `fdatasync` ends before the 200 is written to the socket, and a
//!   compaction's snapshot is fsynced before its rename, which comes before
//!   the directory's fsync and the journal's truncation (a killed process
//!   keeps the page cache, so the first test cannot show durability).
//! - [`clients_that_disconnect`]: a body cut short leaves the store as it
//!   was; a detach whose answer is never read is applied wholly or not at
//!   all, the same in memory and on disk; the server serves on.

use catalog_filter::Limits;
use catalog_filter::catalog::Catalog;
use catalog_filter::elasticpath::detach::{self, Grant};
use serde_json::{Value, json};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "support/server.rs"]
mod server_support;
use server_support::{Server, sigterm, snapshots, temp_dir};

const TOKEN: &str = "token-faults";
/// The kills of [`sigkill_at_random_moments`].
const KILLS: usize = 60;
/// At most this many detaches between two kills (on a fast disk many
/// more would fit in 30 ms).
const PER_KILL: usize = 12;
/// Products of the generated catalog: one per detach at most.
const PRODUCTS: usize = KILLS * PER_KILL;
/// Each product's memberships; a detach takes it out of the first two.
const NODES: [&str; 3] = ["n1", "n2", "n3"];

/// A small deterministic generator (xorshift64): the same kills each run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The generated catalog: `PRODUCTS` products `p<i>`, each in every node of
/// `NODES`, with a description long enough that a compaction takes a
/// moment (so that kills land inside some).
fn catalog_json() -> Value {
    let products: Vec<Value> = (0..PRODUCTS)
        .map(|i| {
            json!({
                "id": format!("00000000-0000-4000-8000-{i:012}"),
                "sku": format!("p{i}"),
                "name": format!("Product {i}"),
                "status": "live",
                "description": format!("{i} ").repeat(60),
                "node_ids": NODES,
            })
        })
        .collect();
    json!({
        "store": "faults",
        "hierarchies": [{"id": "h", "name": "Shop"}],
        "nodes": NODES.iter().map(|id| json!({"id": id, "hierarchy_id": "h", "name": id})).collect::<Vec<_>>(),
        "products": products,
    })
}

/// A fresh test directory holding the catalog and a config serving it as
/// store `a` (journal folded after `compact_after` entries).
fn setup(compact_after: u64) -> PathBuf {
    let dir = temp_dir();
    let catalog = dir.join("catalog.json");
    std::fs::write(
        &catalog,
        serde_json::to_string_pretty(&catalog_json()).unwrap(),
    )
    .unwrap();
    let config = format!(
        r#"
[server]
compact_after = {compact_after}
compact_ratio = 0
timeout_secs = 30

[[stores]]
name = "a"
vendor = "elasticpath"
snapshot = "{}"

[[tokens]]
token = "{TOKEN}"
store = "a"
"#,
        catalog.display()
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
    dir
}

/// The detach of product `i` (out of the first two nodes).
fn body(i: usize) -> String {
    json!({"data": {"filter": format!("eq(sku,p{i})"), "node_ids": ["n1", "n2"]}}).to_string()
}

/// What the server must hold: the fixture with the applied detaches, as
/// the library applies them.
struct Expected {
    catalog: Catalog,
    fixture: Value,
}

impl Expected {
    fn new() -> Expected {
        let fixture = catalog_json();
        Expected {
            // The text the server reads (`setup`), so that the snapshots
            // written as read compare byte for byte.
            catalog: Catalog::from_json(&serde_json::to_string_pretty(&fixture).unwrap()).unwrap(),
            fixture,
        }
    }

    /// Applies detach `i`; the library's answer (status, body).
    fn apply(&mut self, i: usize) -> (u16, Value) {
        let answer = detach::handle(
            &mut self.catalog,
            Some(Grant::ClientCredentials),
            &body(i),
            &Limits::default(),
        );
        (
            answer.status,
            serde_json::from_str(&answer.body_json()).unwrap(),
        )
    }

    /// Product `i`'s memberships now.
    fn node_ids(&self, i: usize) -> Vec<String> {
        self.catalog.products()[i]
            .node_ids
            .iter()
            .map(|id| AsRef::<str>::as_ref(id).to_owned())
            .collect()
    }

    /// The preview items of every product: the fixture's members, `id` out,
    /// `node_ids` as the library holds them.
    fn items(&self) -> Vec<Value> {
        self.fixture["products"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, product)| {
                let mut attributes = product.as_object().unwrap().clone();
                let id = attributes.remove("id").unwrap();
                attributes.insert("node_ids".into(), json!(self.node_ids(i)));
                json!({"type": "product", "id": id, "attributes": attributes})
            })
            .collect()
    }

    /// The snapshot a compaction writes: the library's `write_json_as_read`.
    fn snapshot(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.catalog.write_json_as_read(&mut out).unwrap();
        out
    }
}

/// Every product as the server's preview serves it (the store loads: 200).
async fn served(server: &Server) -> Vec<Value> {
    let mut items = Vec::new();
    loop {
        let query = format!("?page[limit]=100&page[offset]={}", items.len());
        let (status, page) = server.products(TOKEN, &query).await;
        assert_eq!(
            status,
            200,
            "the store does not load: {page}\n{}",
            server.log()
        );
        assert_eq!(
            page["meta"]["results"]["total"], PRODUCTS,
            "{}",
            page["meta"]
        );
        let data = page["data"].as_array().unwrap();
        if data.is_empty() {
            return items;
        }
        items.extend(data.iter().cloned());
    }
}

/// Product `i`'s memberships in the served items.
fn served_node_ids(items: &[Value], i: usize) -> Vec<String> {
    serde_json::from_value(items[i]["attributes"]["node_ids"].clone()).unwrap()
}

/// What a detach got: its product and its status (none: no answer, the
/// server was killed before it answered or the connection was refused).
type Outcome = (usize, Option<u16>);

/// Sends detaches of products `first`, `first + 1`, ... one after the
/// other until one gets no answer or `PER_KILL` were sent; records each
/// outcome as it comes.
/// `base` is the server's address, `client` its client.
async fn stream_detaches(
    base: String,
    client: reqwest::Client,
    first: usize,
    outcomes: Arc<Mutex<Vec<Outcome>>>,
) {
    let url = format!("{base}/pcm/products/detach_nodes");
    let mut i = first;
    loop {
        let sent = client
            .post(&url)
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("Content-Type", "application/json")
            .body(body(i))
            .send()
            .await;
        let status = match sent {
            // The status line is written after the handler returned (after
            // the journal's fdatasync): a 200 counts, its body read or not.
            Ok(response) => {
                let status = response.status().as_u16();
                if let Ok(text) = response.text().await {
                    let answer: Value = serde_json::from_str(&text).unwrap();
                    assert_eq!(
                        (status, answer),
                        (
                            200,
                            json!({"meta": {"nodes_detached": 2, "nodes_not_found": []}})
                        ),
                        "detach {i}"
                    );
                }
                Some(status)
            }
            Err(_) => None,
        };
        outcomes.lock().unwrap().push((i, status));
        i += 1;
        if status.is_none() || i == first + PER_KILL {
            return;
        }
    }
}

/// What the killed server left in its store's directory.
#[derive(Default, Debug)]
struct Leftovers {
    /// A compaction cut short before its rename (`snapshot-*.json.tmp`).
    tmp: usize,
    /// Cut short between its rename and the old snapshot's removal.
    two_snapshots: usize,
    /// Kills with entries in the journal.
    journal: usize,
    /// Compactions done before the kill (snapshot newer than 0).
    compacted: usize,
}

impl Leftovers {
    fn look(&mut self, dir: &Path) {
        let store = dir.join("state/a");
        let names: Vec<String> = std::fs::read_dir(&store)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        self.tmp += usize::from(names.iter().any(|n| n.ends_with(".tmp")));
        let snapshots = snapshots(dir, "a");
        let snapshots: Vec<_> = snapshots.iter().filter(|n| n.ends_with(".json")).collect();
        self.two_snapshots += usize::from(snapshots.len() > 1);
        self.compacted += usize::from(
            snapshots
                .last()
                .is_some_and(|n| *n != "snapshot-00000000000000000000.json"),
        );
        let journal = std::fs::metadata(store.join("journal.jsonl"))
            .unwrap()
            .len();
        self.journal += usize::from(journal > 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments() {
    const SEED: u64 = 0x2545_f491_4f6c_dd1d;
    let started = Instant::now();
    let mut rng = XorShift(SEED);
    let mut expected = Expected::new();
    let mut next = 0;
    let (mut answered, mut in_flight_in, mut in_flight_out) = (0, 0, 0);
    let mut leftovers = Leftovers::default();
    let mut server = Server::start_in(setup(3));
    for kill in 0..KILLS {
        // Stream detaches; after some of them are answered, wait 0-30 ms
        // and kill the server wherever it is.
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let client = tokio::spawn(stream_detaches(
            server.base.clone(),
            server.client.clone(),
            next,
            Arc::clone(&outcomes),
        ));
        let after = usize::try_from(rng.below(7)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while outcomes.lock().unwrap().len() < after && !client.is_finished() {
            assert!(Instant::now() < deadline, "kill {kill}: no answers");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.below(31))).await;
        let dir = server.kill();
        client.await.unwrap();
        leftovers.look(&dir);
        server = Server::start_in(dir);
        let items = served(&server).await;
        // Every 200 is in the store; the detach without an answer is in it
        // wholly (out of both nodes) or not at all.
        let outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
        for (i, status) in outcomes {
            assert_eq!(i, next);
            next += 1;
            let detached = match status {
                Some(200) => {
                    answered += 1;
                    true
                }
                Some(other) => panic!("detach {i}: status {other}"),
                None => {
                    let now = served_node_ids(&items, i);
                    if now == ["n3"] {
                        in_flight_in += 1;
                        true
                    } else {
                        assert_eq!(now, NODES, "kill {kill}: detach {i} is half applied");
                        in_flight_out += 1;
                        false
                    }
                }
            };
            if detached {
                let answer = expected.apply(i);
                assert_eq!(answer.0, 200, "{}", answer.1);
            }
        }
        // Nothing else changed: every product as the library says.
        let want = expected.items();
        for (i, (got, want)) in items.iter().zip(&want).enumerate() {
            assert_eq!(got, want, "kill {kill}: product {i}");
        }
        assert_eq!(items.len(), want.len());
    }
    // A clean stop folds the journal: the snapshot is the library's, byte
    // for byte, and the journal is empty.
    let dir = server.terminate();
    let names = snapshots(&dir, "a");
    assert_eq!(names.len(), 1, "{names:?}");
    let written = std::fs::read(dir.join("state/a").join(&names[0])).unwrap();
    assert!(
        written == expected.snapshot(),
        "the compacted snapshot differs"
    );
    assert_eq!(
        std::fs::read(dir.join("state/a/journal.jsonl")).unwrap(),
        b""
    );
    println!(
        "{KILLS} kills (seed {SEED:#x}) in {:.1} s: {answered} detaches answered, \
         {in_flight_in} unanswered in the store, {in_flight_out} not; at the kills: {leftovers:?}",
        started.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// One system call of an `strace -f -y` log: its thread, name and
/// arguments (as printed at its start), its result, and the lines of the
/// log where it started and where it ended (the same line unless another
/// thread's call came between: `<unfinished ...>` / `<... resumed>`).
#[derive(Debug, Clone)]
struct Call {
    name: String,
    args: String,
    result: String,
    start: usize,
    end: usize,
}

impl Call {
    /// The path `strace -y` printed for the call's first argument (a file
    /// descriptor): `7</tmp/x/journal.jsonl>` gives `/tmp/x/journal.jsonl`,
    /// a socket `TCP:[...]`.
    fn fd_path(&self) -> &str {
        let Some(open) = self.args.find('<') else {
            return "";
        };
        let comma = self.args.find(", ").unwrap_or(self.args.len());
        if open > comma {
            return "";
        }
        let rest = &self.args[open + 1..];
        let close = rest.find(">, ").or_else(|| rest.rfind('>')).unwrap_or(0);
        &rest[..close]
    }

    fn is_socket(&self) -> bool {
        let path = self.fd_path();
        path.starts_with("TCP") || path.starts_with("socket:")
    }
}

/// `ARGS)   = RESULT` (strace pads before the `=`) as its two parts.
fn split_result(text: &str) -> (&str, String) {
    match text.rfind(" = ") {
        Some(eq) => {
            let args = text[..eq].trim_end();
            (
                args.strip_suffix(')').unwrap_or(args),
                text[eq + 3..].trim().to_owned(),
            )
        }
        None => (text, "?".to_owned()),
    }
}

/// The calls of an `strace -f -y -o FILE` log, in the order of their starts.
fn parse_strace(log: &str) -> Vec<Call> {
    let mut calls: Vec<Call> = Vec::new();
    // Per thread, the call that started and has not ended.
    let mut unfinished: std::collections::HashMap<String, usize> = Default::default();
    for (line_no, line) in log.lines().enumerate() {
        let Some((pid, rest)) = line.trim_start().split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(resumed) = rest.strip_prefix("<... ") {
            // `<... NAME resumed>ARGS) = RESULT`
            let k = unfinished
                .remove(pid)
                .unwrap_or_else(|| panic!("line {line_no}: nothing to resume: {line}"));
            let (_, after) = resumed.split_once("resumed>").unwrap();
            let (more, result) = split_result(after);
            calls[k].args.push_str(more);
            calls[k].result = result;
            calls[k].end = line_no;
            continue;
        }
        let Some((name, args)) = rest.split_once('(') else {
            continue; // `+++ exited with 0 +++`, `--- SIGTERM ... ---`
        };
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let mut call = Call {
            name: name.to_owned(),
            args: String::new(),
            result: String::new(),
            start: line_no,
            end: line_no,
        };
        if let Some(args) = args.strip_suffix(" <unfinished ...>") {
            call.args = args.to_owned();
            call.end = usize::MAX;
            unfinished.insert(pid.to_owned(), calls.len());
        } else {
            let (args, result) = split_result(args);
            call.args = args.to_owned();
            call.result = result;
        }
        calls.push(call);
    }
    calls
}

/// A filter of the calls on the file `path`.
fn on(path: &str) -> impl Fn(&&Call) -> bool + '_ {
    move |c| c.fd_path() == path
}

/// Whether `strace` runs here and may trace (ptrace may be refused in a
/// container); why not when it does not.
fn strace_works() -> Result<(), String> {
    match std::process::Command::new("strace")
        .args(["-f", "-o", "/dev/null", "true"])
        .stderr(std::process::Stdio::piped())
        .output()
    {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "strace cannot trace here: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("strace is not there: {e}")),
    }
}

/// The server process traced by the `strace` that `server` runs (its child).
fn traced_pid(server: &Server) -> String {
    let strace = server.child.id();
    let children =
        std::fs::read_to_string(format!("/proc/{strace}/task/{strace}/children")).unwrap();
    let pids: Vec<&str> = children.split_whitespace().collect();
    assert_eq!(pids.len(), 1, "strace's children: {pids:?}");
    pids[0].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_of_the_system_calls() {
    if let Err(why) = strace_works() {
        println!("skipped: {why}");
        return;
    }
    const DETACHES: usize = 4;
    let dir = setup(2);
    let trace = dir.join("strace.log");
    let wrapper: Vec<&OsStr> = [
        "strace",
        "-f",
        "-y",
        "-s",
        "48",
        "-e",
        "trace=fsync,fdatasync,rename,renameat,renameat2,ftruncate,write,writev,sendto,sendmsg",
        "-o",
    ]
    .iter()
    .map(OsStr::new)
    .chain([trace.as_os_str()])
    .collect();
    let config = dir.join("config.toml");
    let server = Server::spawn_under(&wrapper, dir, Some(config));
    let mut expected = Expected::new();
    for i in 0..DETACHES {
        let (status, answer) = server
            .detach(TOKEN, serde_json::from_str(&body(i)).unwrap())
            .await;
        assert_eq!((status, answer), expected.apply(i));
    }
    // Compactions (after every 2 entries, in the background; the next
    // write may take the journal first) and the one at shutdown (SIGTERM to
    // the server, not to strace) fold every entry: the last snapshot holds
    // entry 4.
    assert!(sigterm(&traced_pid(&server)));
    let dir = server.terminate_wait();
    assert_eq!(
        snapshots(&dir, "a"),
        [format!("snapshot-{DETACHES:020}.json")]
    );
    let log = std::fs::read_to_string(&trace).unwrap();
    let calls = parse_strace(&log);
    let store = dir.join("state/a");
    let journal = store.join("journal.jsonl");
    let journal = journal.to_str().unwrap();
    let syncs = |c: &&Call| (c.name == "fsync" || c.name == "fdatasync") && c.result == "0";
    // Detaches: append, fdatasync of the journal ended, then the 200.
    let answers: Vec<&Call> = calls
        .iter()
        .filter(|c| c.is_socket() && c.args.contains("HTTP/1.1 200"))
        .collect();
    assert_eq!(answers.len(), DETACHES, "{log}");
    let appends: Vec<&Call> = calls
        .iter()
        .filter(|c| c.name == "write" && c.fd_path() == journal)
        .collect();
    assert_eq!(appends.len(), DETACHES, "{log}");
    for (k, (append, answer)) in appends.iter().zip(&answers).enumerate() {
        assert!(
            append.args.contains(&format!("{{\\\"seq\\\":{},", k + 1)),
            "{append:?}"
        );
        let sync = calls
            .iter()
            .filter(on(journal))
            .filter(syncs)
            .find(|c| c.start > append.end)
            .unwrap_or_else(|| panic!("entry {}: no sync of the journal\n{log}", k + 1));
        assert!(
            sync.end < answer.start,
            "entry {}: the 200 (line {}) before the journal's sync ended (line {})\n{log}",
            k + 1,
            answer.start + 1,
            sync.end + 1
        );
        if k > 0 {
            assert!(answers[k - 1].end < append.start, "{log}");
        }
    }
    // Compactions (not the store's creation, a directory renamed into
    // place): the new snapshot written and fsynced, renamed, the
    // directory fsynced, then the journal truncated (and fsynced).
    let renames: Vec<&Call> = calls
        .iter()
        .filter(|c| {
            c.name.starts_with("rename") && c.args.contains(".json.tmp\"") && c.result == "0"
        })
        .collect();
    assert!(!renames.is_empty(), "no compaction\n{log}");
    for rename in renames {
        // `rename("DIR/snapshot-SEQ.json.tmp", "DIR/snapshot-SEQ.json")`
        let tmp = rename.args.split('"').nth(1).unwrap();
        let snapshot = tmp.strip_suffix(".tmp").unwrap();
        assert!(
            tmp.starts_with(store.to_str().unwrap())
                && rename.args.contains(&format!("\"{snapshot}\"")),
            "{rename:?}"
        );
        let writes: Vec<&Call> = calls
            .iter()
            .filter(|c| c.name == "write" && c.fd_path() == tmp)
            .collect();
        assert!(!writes.is_empty(), "no write of {tmp}\n{log}");
        let sync = calls
            .iter()
            .filter(on(tmp))
            .filter(syncs)
            .find(|c| c.start > writes.last().unwrap().end)
            .unwrap_or_else(|| panic!("{tmp} never fsynced after its writes\n{log}"));
        assert!(sync.name == "fsync", "{sync:?}");
        assert!(
            sync.end < rename.start,
            "{tmp}: renamed before its fsync ended\n{log}"
        );
        let dir_sync = calls
            .iter()
            .filter(on(store.to_str().unwrap()))
            .filter(syncs)
            .find(|c| c.start > rename.end)
            .unwrap_or_else(|| panic!("no fsync of the directory after the rename\n{log}"));
        let truncate = calls
            .iter()
            .find(|c| c.name == "ftruncate" && c.fd_path() == journal && c.start > rename.end)
            .unwrap_or_else(|| panic!("the journal is not truncated after the rename\n{log}"));
        assert!(
            dir_sync.end < truncate.start,
            "truncated before the directory's fsync\n{log}"
        );
        assert!(
            truncate.args.ends_with(", 0"),
            "the journal is not emptied: {truncate:?}"
        );
        // Nothing was appended between the snapshot's writes and the
        // truncation (the write lock is held): the entries it drops are
        // those the renamed snapshot holds.
        assert!(
            !appends
                .iter()
                .any(|a| a.start > writes[0].start && a.start < truncate.start),
            "an append during a compaction\n{log}"
        );
        let journal_sync = calls
            .iter()
            .filter(on(journal))
            .filter(syncs)
            .find(|c| c.start > truncate.end);
        assert!(
            journal_sync.is_some(),
            "the emptied journal is not synced\n{log}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The raw request of detach `i` (HTTP/1.1, with its `Content-Length`):
/// the head and the body.
fn raw_detach(i: usize) -> (String, String) {
    let body = body(i);
    let head = format!(
        "POST /pcm/products/detach_nodes HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    (head, body)
}

/// Sends `bytes` on a new connection to `server` and closes it at once,
/// reading nothing.
fn send_and_close(server: &Server, bytes: &[u8]) {
    use std::io::Write;
    let addr = server.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(bytes).unwrap();
    drop(stream);
}

/// The served items once they stop changing (a request whose client left
/// may still be running): the same twice in a row, 200 ms apart, after an
/// answer on a later connection (the server accepts in order).
async fn settled(server: &Server) -> Vec<Value> {
    let (status, _, _) = server.call("GET", "/healthz", None, None).await;
    assert_eq!(status, 200);
    let mut last = served(server).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = served(server).await;
        if now == last {
            return now;
        }
        assert!(Instant::now() < deadline, "the store keeps changing");
        last = now;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_disconnect() {
    let mut expected = Expected::new();
    const ROUNDS: usize = 6;
    let server = Server::start_in(setup(1));
    let journal = server.dir.join("state/a/journal.jsonl");
    // Mid-body: the head says N bytes, fewer come, then the connection
    // closes. Nothing is applied, nothing journaled.
    let (head, body_0) = raw_detach(0);
    for cut in [0, 1, body_0.len() / 2, body_0.len() - 1] {
        send_and_close(&server, format!("{head}{}", &body_0[..cut]).as_bytes());
    }
    assert_eq!(settled(&server).await, expected.items());
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), 0);
    // The server serves on.
    let (status, answer) = server
        .detach(TOKEN, serde_json::from_str(&body(1)).unwrap())
        .await;
    assert_eq!((status, answer), expected.apply(1));
    // Mid-response: whole requests whose answers are never read, in
    // rounds. Each is applied wholly or not at all, the same in memory and
    // on disk; and one applied is compacted (compact_after 1) whether its
    // client stayed or not.
    let mut applied = Vec::new();
    let mut left = 0;
    for round in 0..ROUNDS {
        let sent = 10 + 4 * round..14 + 4 * round;
        for i in sent.clone() {
            let (head, body) = raw_detach(i);
            send_and_close(&server, format!("{head}{body}").as_bytes());
            left += 1;
        }
        let items = settled(&server).await;
        for i in sent {
            let now = served_node_ids(&items, i);
            if now == ["n3"] {
                applied.push(i);
                assert_eq!(expected.apply(i).0, 200);
            } else {
                assert_eq!(now, NODES, "detach {i} is half applied");
            }
        }
        assert_eq!(items, expected.items());
        let deadline = Instant::now() + Duration::from_secs(5);
        while std::fs::metadata(&journal).unwrap().len() > 0 {
            assert!(
                Instant::now() < deadline,
                "round {round}: no compaction after the applied detaches ({applied:?}): {:?}, journal of {} bytes",
                snapshots(&server.dir, "a"),
                std::fs::metadata(&journal).unwrap().len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    // The server serves on.
    let (status, answer) = server
        .detach(TOKEN, serde_json::from_str(&body(2)).unwrap())
        .await;
    assert_eq!((status, answer), expected.apply(2));
    // On disk as in memory: killed and restarted, the store is the same.
    let dir = server.kill();
    let server = Server::start_in(dir);
    assert_eq!(served(&server).await, expected.items());
    println!(
        "answers never read: {} of {left} detaches applied ({applied:?})",
        applied.len(),
    );
}
