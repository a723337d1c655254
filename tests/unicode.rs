//! `ilike` and `text` on non-ASCII text: in memory as PostgreSQL under
//! `LC_CTYPE 'C.UTF-8'`, one character at a time (issue 27, D6).
//!
//! - the issue's five rows, in memory, with PostgreSQL's answers;
//! - with feature `postgres`: the corpus of `tests/data/unicode_corpus.txt`
//!   (Greek with final sigma, Turkish dotted and dotless i, German ß and ẞ,
//!   ligatures, fractions, combining marks, Cherokee, Georgian, titlecase
//!   digraphs) run in memory and in a throwaway PostgreSQL, every line as a
//!   value against every line as an `ilike` pattern (as itself and between
//!   `*`) and as a `text` query.

use catalog_filter::ValidFilter;
use catalog_filter::schema::{Schema, ValueType};
use catalog_filter::syntax::Op;
use serde_json::{Map, Value, json};

fn schema() -> Schema {
    Schema::builder("unicode")
        .attribute("s", ValueType::Text, &[Op::Ilike, Op::Text])
        .build()
        .unwrap()
}

fn record(id: usize, s: &str) -> Map<String, Value> {
    json!({"id": id, "s": s}).as_object().cloned().unwrap()
}

/// `"..."` with `"` and `\` escaped, as the filter syntax reads it.
fn quote(v: &str) -> String {
    let mut out = String::from("\"");
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The issue's table: memory answered the other way before. Row 2's
/// PostgreSQL answer is `'İ' ILIKE 'İ'` (true: both sides lower to `i`);
/// the issue's "false" came from the crate's SQL, which compared
/// `lower(s)` with the pattern lowered by Rust's full mapping (`i̇`, two
/// characters), a mismatch gone now that both sides lower alike.
#[test]
fn the_issues_rows_answer_as_postgresql() {
    let schema = schema();
    let rows = [
        ("ilike(s,\"*σ*\")", "ΑΣ", true),
        ("ilike(s,\"İ\")", "İ", true),
        ("text(s,\"ΑΣ\")", "ας", false),
        ("text(s,\"İstanbul\")", "istanbul", true),
        ("text(s,\"½\")", "½", false),
    ];
    for (filter, value, want) in rows {
        let f = schema.compile(filter).unwrap();
        assert_eq!(f.matches(&record(1, value)), want, "{filter} on {value:?}");
    }
    // And their neighbours: the pattern lower-cases the same way.
    for (filter, value, want) in [
        ("ilike(s,\"İ\")", "i", true),
        ("ilike(s,\"ΟΔΟΣ\")", "οδοσ", true),
        ("ilike(s,\"ΟΔΟΣ\")", "οδος", false),
        ("ilike(s,\"ẞ\")", "ß", true),
        ("ilike(s,\"ǅ\")", "Ǆ", true),
        ("text(s,\"ΑΣ\")", "ασ", true),
        ("text(s,\"cafe\u{301}\")", "CAFE\u{301}", true),
        ("text(s,\"cafe\u{301}\")", "cafe", false),
        ("text(s,\"abc1s\")", "abc1", false),
        ("text(s,\"the1\")", "the1", true),
    ] {
        let f = schema.compile(filter).unwrap();
        assert_eq!(f.matches(&record(1, value)), want, "{filter} on {value:?}");
    }
}

/// The corpus: one value per line, `#` lines skipped, `\u{...}` decoded.
fn corpus() -> Vec<String> {
    let text = include_str!("data/unicode_corpus.txt");
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut out = String::new();
            let mut rest = l;
            while let Some(at) = rest.find("\\u{") {
                out.push_str(&rest[..at]);
                let after = &rest[at + 3..];
                let end = after.find('}').unwrap();
                let c = u32::from_str_radix(&after[..end], 16).unwrap();
                out.push(char::from_u32(c).unwrap());
                rest = &after[end + 1..];
            }
            out.push_str(rest);
            out
        })
        .collect()
}

/// Every filter the corpus test runs: each line as `ilike(s,line)`,
/// `ilike(s,*line*)` and `text(s,line)`.
fn corpus_filters(schema: &Schema, corpus: &[String]) -> Vec<(String, ValidFilter)> {
    let mut out = Vec::new();
    for q in corpus {
        for f in [
            format!("ilike(s,{})", quote(q)),
            format!("ilike(s,{})", quote(&format!("*{q}*"))),
            format!("text(s,{})", quote(q)),
        ] {
            let compiled = schema.compile(&f).unwrap();
            out.push((f, compiled));
        }
    }
    out
}

#[test]
fn the_corpus_decodes() {
    let corpus = corpus();
    assert_eq!(corpus.len(), 83);
    assert!(corpus.contains(&"cafe\u{301}".to_owned()));
    assert_eq!(corpus_filters(&schema(), &corpus).len(), 3 * 83);
}

#[cfg(feature = "postgres")]
#[allow(dead_code)]
mod support;

/// Every line against every filter of the corpus, in memory and in
/// PostgreSQL: the same rows.
#[cfg(feature = "postgres")]
#[test]
fn the_corpus_agrees_with_postgresql_under_c_utf8() {
    use catalog_filter::sql::{RenderOptions, pg, render_with};
    let server = support::pg_server::shared();
    let name = format!("cf_unicode_{}", std::process::id());
    server
        .connect("postgres")
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' \
             LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
        ))
        .unwrap();
    let mut client = server.connect(&name);
    client
        .batch_execute("CREATE TABLE corpus (id int PRIMARY KEY, s text)")
        .unwrap();
    let corpus = corpus();
    let records: Vec<_> = corpus
        .iter()
        .enumerate()
        .map(|(i, s)| record(i, s))
        .collect();
    for (i, s) in corpus.iter().enumerate() {
        client
            .execute("INSERT INTO corpus VALUES ($1, $2)", &[&(i as i32), s])
            .unwrap();
    }
    let options = RenderOptions {
        products: "corpus".into(),
        ..RenderOptions::default()
    };
    let mut differ = Vec::new();
    let mut matched = 0;
    for (text, filter) in corpus_filters(&schema(), &corpus) {
        let sql = render_with(&filter, &options);
        let query = format!("SELECT id FROM corpus WHERE {} ORDER BY id", sql.sql_where);
        let got: Vec<i32> = client
            .query(&query, &pg::bind(&sql.params))
            .unwrap_or_else(|e| panic!("{query}: {e:?}"))
            .iter()
            .map(|r| r.get(0))
            .collect();
        let want: Vec<i32> = (0..records.len())
            .filter(|&i| filter.matches(&records[i]))
            .map(|i| i as i32)
            .collect();
        matched += want.len();
        if got != want {
            differ.push(format!("{text}: PostgreSQL {got:?}, memory {want:?}"));
        }
    }
    // Nothing differs (README, "Known differences": PostgreSQL's own
    // tokens for e-mails, URLs, hosts, file paths and hyphenated words are
    // not in the corpus).
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    assert!(matched > 400, "only {matched} matches");
}

/// Every code point (surrogates and NUL excepted) alone and between two
/// `q`s: the lexemes of PostgreSQL's `to_tsvector('english', ...)` are the
/// stems memory finds. This covers the lower-case mapping of every
/// character PostgreSQL lowers (all are word characters), which letters and
/// digits start a word and which marks continue one. The only differences
/// are PostgreSQL's own tokens, listed in README: `q-q` (a hyphenated
/// word: PostgreSQL also keeps `q-q`), `q.q` (a host name), `q/q` and
/// `~q` (file paths), which memory splits.
#[cfg(feature = "postgres")]
#[test]
fn every_code_point_reads_as_in_postgresql() {
    use catalog_filter::validate::TextQuery;
    use std::collections::BTreeMap;
    let server = support::pg_server::shared();
    let name = format!("cf_unicode_all_{}", std::process::id());
    server
        .connect("postgres")
        .batch_execute(&format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' \
             LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
        ))
        .unwrap();
    let mut client = server.connect(&name);
    for (prefix, suffix) in [("", ""), ("q", "q")] {
        let rows = client
            .query(
                "SELECT i, tsvector_to_array(to_tsvector('english', $1::text || chr(i) || $2::text)) \
                 FROM generate_series(1, 1114111) i WHERE i < 55296 OR i > 57343",
                &[&prefix, &suffix],
            )
            .unwrap();
        let pg: BTreeMap<u32, Vec<String>> = rows
            .iter()
            .map(|r| (r.get::<_, i32>(0) as u32, r.get(1)))
            .collect();
        assert_eq!(pg.len(), 0x10FFFF - 2048);
        let mut differ = Vec::new();
        for (&i, want) in &pg {
            let c = char::from_u32(i).unwrap();
            let mut got = TextQuery::new(&format!("{prefix}{c}{suffix}"))
                .stems()
                .to_vec();
            got.sort();
            got.dedup();
            if &got != want {
                differ.push(format!("U+{i:04X}: PostgreSQL {want:?}, memory {got:?}"));
            }
        }
        let expected: &[&str] = if prefix.is_empty() {
            &[]
        } else {
            &[
                "U+002D: PostgreSQL [\"q\", \"q-q\"], memory [\"q\"]",
                "U+002E: PostgreSQL [\"q.q\"], memory [\"q\"]",
                "U+002F: PostgreSQL [\"q/q\"], memory [\"q\"]",
                "U+007E: PostgreSQL [\"q\", \"~q\"], memory [\"q\"]",
            ]
        };
        assert_eq!(differ, expected, "{prefix:?}");
    }
}
