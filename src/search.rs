//! The `text` operator: full-text search with PostgreSQL's meaning of
//! `to_tsvector('english', attribute) @@ plainto_tsquery('english', query)`.
//!
//! Both sides are split into words as PostgreSQL's parser cuts them under
//! `C.UTF-8` (a letter or digit of the C library, then letters, digits and
//! combining marks: `½` and `²` are no words), lower-cased one character
//! at a time as its dictionaries do (`Σ` to `σ` wherever it stands), English stop words are dropped (PostgreSQL's
//! `english.stop` list, the Snowball one), and the rest are stemmed with the
//! Snowball English (Porter 2) stemmer, the algorithm of PostgreSQL's
//! `english_stem` dictionary. A value matches when every stemmed query word
//! is among its stemmed words. A query with no word left (empty, or only
//! stop words) matches nothing, as in PostgreSQL.
//!
//! A word with an ASCII digit (`x1`, `12s`) is lower-cased but neither
//! stemmed nor dropped as a stop word, as PostgreSQL's `simple` dictionary
//! does for its `numword` and `int` tokens.
//!
//! PostgreSQL's parser also recognises e-mail addresses, URLs, hyphenated
//! words and numbers with signs or decimals as tokens of their own; here
//! such text is split at every character that is not a letter or digit, so
//! a query for one part of a hyphenated word finds it in both.
//!
//! ```
//! use catalog_filter::validate::TextQuery;
//!
//! let q = TextQuery::new("running shoes");
//! assert!(q.matches("The shoe for runners who run"));
//! assert!(!q.matches("a running jacket"));
//! assert!(!TextQuery::new("the and of").matches("the and of"));
//! ```

use rust_stemmers::{Algorithm, Stemmer};
use std::fmt;

/// PostgreSQL's `english.stop` (the Snowball English stop word list), sorted.
const STOP_WORDS: [&str; 127] = [
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// A compiled `text` query: the query as written and its stemmed words.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TextQuery {
    query: Box<str>,
    stems: Vec<String>,
}

impl TextQuery {
    /// Compiles a query. Every text is a valid query.
    pub fn new(query: &str) -> TextQuery {
        let mut stems = Vec::new();
        lexemes(query, |stem| {
            if !stems.iter().any(|s| s == stem) {
                stems.push(stem.to_owned());
            }
        });
        TextQuery {
            query: query.into(),
            stems,
        }
    }

    /// The query as written.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The stemmed, distinct query words that a value must all contain.
    pub fn stems(&self) -> &[String] {
        &self.stems
    }

    /// True when every stemmed query word occurs among the stemmed words of
    /// `value` (never for a query without words).
    pub fn matches(&self, value: &str) -> bool {
        if self.stems.is_empty() {
            return false;
        }
        let mut found = vec![false; self.stems.len()];
        lexemes(value, |stem| {
            for (f, s) in found.iter_mut().zip(&self.stems) {
                if s == stem {
                    *f = true;
                }
            }
        });
        found.iter().all(|&f| f)
    }
}

impl fmt::Debug for TextQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TextQuery")
            .field("query", &self.query)
            .field("stems", &self.stems)
            .finish()
    }
}

/// Calls `each` with the stem of every word of `text` that is not a stop
/// word.
fn lexemes(text: &str, mut each: impl FnMut(&str)) {
    let stemmer = Stemmer::create(Algorithm::English);
    crate::pg_ctype::words(text, |word| {
        let lower = crate::pg_ctype::lower(word);
        if word.bytes().any(|b| b.is_ascii_digit()) {
            // PostgreSQL's `numword`/`int` tokens go to the `simple`
            // dictionary: lower-cased, never stemmed nor stop-listed.
            each(&lower);
        } else if STOP_WORDS.binary_search(&lower.as_ref()).is_err() {
            each(&stemmer.stem(&lower));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The query is kept as written, its stems distinct and in order
    /// (stop words dropped), and `Debug` shows both.
    #[test]
    fn query_stems_and_debug() {
        let q = TextQuery::new("The Running shoes, run!");
        assert_eq!(q.query(), "The Running shoes, run!");
        assert_eq!(q.stems(), ["run", "shoe"]);
        assert_eq!(
            format!("{q:?}"),
            r#"TextQuery { query: "The Running shoes, run!", stems: ["run", "shoe"] }"#
        );
        assert!(TextQuery::new("the of").stems().is_empty());
    }

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn as_postgresql() {
        // select to_tsvector('english', v) @@ plainto_tsquery('english', q)
        for (q, v, want) in [
            ("shoes", "Running Shoe", true),
            ("run", "running", true),
            ("the shoe", "shoe", true),
            ("shoe polish", "shoe", false),
            ("", "anything", false),
            ("café", "CAFÉ latte", true),
            ("trail-shoe", "trail shoe", true),
            ("abc1s", "abc1", false),
            ("runs1", "runs1", true),
            ("the1 12s", "THE1 12S", true),
        ] {
            assert_eq!(TextQuery::new(q).matches(v), want, "{q:?} in {v:?}");
        }
    }
}
