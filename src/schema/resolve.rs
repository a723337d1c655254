//! Resolving a filter's attribute path against a [`Schema`]: exact names,
//! patterns, aliases, and why a path names no attribute (with "did you
//! mean").

use super::attribute::AttributeDef;
use super::model::Schema;
use super::pattern::{AttributePattern, Segment};
use super::value_type::ValueType;
use std::fmt;

/// A path resolved against a schema: the attribute, the values of its
/// captures, and the alias used, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedAttribute<'a> {
    attribute: &'a AttributeDef,
    captures: Vec<&'a str>,
    alias: Option<&'a str>,
}

impl<'a> ResolvedAttribute<'a> {
    /// The attribute.
    pub fn attribute(&self) -> &'a AttributeDef {
        self.attribute
    }

    /// The value of the capture `name` (`template` in
    /// `extensions.<template>.<field>`).
    pub fn capture(&self, name: &str) -> Option<&'a str> {
        self.attribute
            .pattern
            .captures()
            .zip(&self.captures)
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// Every capture as `(name, value)`, in pattern order.
    pub fn captures(&self) -> impl Iterator<Item = (&'a str, &'a str)> + '_ {
        self.attribute
            .pattern
            .captures()
            .zip(self.captures.iter().copied())
    }

    /// The alias the filter used (as defined: `order_status`,
    /// `ext.<template>.<field>`), or `None` for the attribute's own name.
    pub fn alias(&self) -> Option<&'a str> {
        self.alias
    }

    /// The canonical path: the attribute's pattern with the captures filled
    /// in (`extensions.book.isbn`), whatever alias was used.
    pub fn path(&self) -> String {
        let mut values = self.captures.iter();
        let mut out = String::new();
        for (i, seg) in self.attribute.pattern.segments.iter().enumerate() {
            if i > 0 {
                out.push('.');
            }
            match seg {
                Segment::Literal(l) => out.push_str(l),
                Segment::Capture(_) => out.push_str(values.next().copied().unwrap_or_default()),
            }
        }
        out
    }
}

/// An attribute as a validated condition names it: the schema's attribute
/// and the canonical path (the pattern with its captures filled in, after
/// any alias). What a [`crate::eval::Record`] looks values up by, and what
/// the SQL renderer maps to a column. `Display` prints the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttributeRef<'a> {
    attribute: &'a AttributeDef,
    path: &'a str,
    id: u32,
    field: Option<super::ProductField>,
}

impl<'a> AttributeRef<'a> {
    /// Pairs an attribute with a canonical path it matches, its position
    /// in the schema and the product field it reads (resolved once).
    #[inline]
    pub(crate) fn new(
        attribute: &'a AttributeDef,
        path: Option<&'a str>,
        id: u32,
        field: Option<super::ProductField>,
    ) -> AttributeRef<'a> {
        AttributeRef {
            attribute,
            path: path.unwrap_or(&attribute.pattern.text),
            id,
            field,
        }
    }

    /// The attribute's position in its schema (the order of definition,
    /// from 0): a key resolved when the filter was compiled, which a
    /// record type can dispatch on instead of the pattern's text.
    #[inline]
    pub fn id(&self) -> usize {
        self.id as usize
    }

    /// The catalog product field the attribute reads, when its pattern is
    /// one of detach_nodes' (resolved when the schema was built).
    #[inline]
    pub fn product_field(&self) -> Option<super::ProductField> {
        self.field
    }

    /// The schema's attribute.
    pub fn attribute(&self) -> &'a AttributeDef {
        self.attribute
    }

    /// The attribute's pattern as written in the schema (`sku`,
    /// `extensions.<template>.<field>`): what a record implementation
    /// dispatches on.
    #[inline]
    pub fn pattern(&self) -> &'a str {
        &self.attribute.pattern.text
    }

    /// The canonical path (`extensions.book.isbn`).
    #[inline]
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The path's segments (`extensions`, `book`, `isbn`).
    pub fn segments(&self) -> std::str::Split<'a, char> {
        self.path.split('.')
    }

    /// The value of the capture `name` (`book` for `template`).
    pub fn capture(&self, name: &str) -> Option<&'a str> {
        self.attribute.pattern.capture_in(name, self.path)
    }

    /// The attribute's value type.
    pub fn value_type(&self) -> &'a ValueType {
        &self.attribute.value_type
    }
}

impl fmt::Display for AttributeRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path)
    }
}

/// Why a path names no attribute of a schema.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No attribute or alias matches; `suggestion` is the nearest known
    /// name, for "did you mean".
    #[error("unknown attribute `{path}` in {schema}{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    Unknown {
        /// The path as given.
        path: String,
        /// The schema's name.
        schema: String,
        /// The nearest attribute or alias path, if one is close.
        suggestion: Option<String>,
    },
    /// The first segment names an attribute or alias, but the path has the
    /// wrong number of segments for every one of them (`extensions.book`,
    /// `sku.x`).
    #[error("`{path}` does not fit `{expected}`")]
    Shape {
        /// The path as given.
        path: String,
        /// The pattern of the first attribute (or alias) with that first segment.
        expected: String,
    },
}

impl Schema {
    /// Resolves a filter's attribute path: an exact attribute, an attribute
    /// pattern, then aliases (see the [module docs](crate::schema)). Names are
    /// case-sensitive.
    pub fn resolve<'a>(&'a self, path: &'a str) -> Result<ResolvedAttribute<'a>, ResolveError> {
        if let Some(i) = self.index.exact.get(path) {
            if let Some(attribute) = self.def.attributes.get(i) {
                return Ok(ResolvedAttribute {
                    attribute,
                    captures: Vec::new(),
                    alias: None,
                });
            }
        }
        let parts: Vec<&'a str> = path.split('.').collect();
        if let Some(found) = self.match_attribute(&parts) {
            return Ok(found);
        }
        let alias = match self.index.exact_aliases.get(path) {
            Some(i) => self.index.aliases.get(i).map(|a| (a, Vec::new())),
            None => self
                .index
                .aliases
                .iter()
                .find_map(|a| a.0.matches(&parts).map(|values| (a, values))),
        };
        if let Some(((from, to), values)) = alias {
            // The target's segments: its literals, and the alias's captures
            // by name.
            let target: Vec<&'a str> = to
                .segments
                .iter()
                .map(|seg| match seg {
                    Segment::Literal(l) => l.as_str(),
                    Segment::Capture(c) => from
                        .captures()
                        .zip(&values)
                        .find(|(n, _)| n == c)
                        .map_or("", |(_, v)| *v),
                })
                .collect();
            let joined = target.join(".");
            let found = match self.index.exact.get(&joined) {
                Some(i) => self
                    .def
                    .attributes
                    .get(i)
                    .map(|attribute| ResolvedAttribute {
                        attribute,
                        captures: Vec::new(),
                        alias: None,
                    }),
                None => self.match_attribute(&target),
            };
            if let Some(mut found) = found {
                found.alias = Some(from.as_str());
                return Ok(found);
            }
        }
        Err(self.resolve_error(path, &parts))
    }

    /// Resolves `path` for validation without allocating when the path is
    /// an attribute's exact name or fits an attribute pattern: the
    /// attribute's index, and the canonical path when it differs from the
    /// written one (an alias; only then is a `String` built). `None` when
    /// the path does not resolve ([`Schema::resolve`] says why).
    #[inline]
    pub(crate) fn lookup(&self, path: &str) -> Option<(usize, Option<String>)> {
        // The common case, an exact name, inline in the caller.
        match self.index.exact.get(path) {
            Some(i) => Some((i, None)),
            None => self.lookup_pattern(path),
        }
    }

    /// [`Schema::lookup`] of a path that is no exact name.
    #[inline(never)]
    fn lookup_pattern(&self, path: &str) -> Option<(usize, Option<String>)> {
        if let Some(i) = self.match_pattern(path) {
            return Some((i, None));
        }
        let (from, to) = match self.index.exact_aliases.get(path) {
            Some(i) => self.index.aliases.get(i)?,
            None => self
                .index
                .aliases
                .iter()
                .find(|(from, _)| from.matches_str(path))?,
        };
        let target = from.fill(to, path);
        // An exact name is its attribute's pattern (the table holds only
        // those), so no path is kept apart from it.
        if let Some(i) = self.index.exact.get(target.as_str()) {
            return Some((i, None));
        }
        let i = self.match_pattern(&target)?;
        Some((i, Some(target)))
    }

    /// The index of the attribute pattern matching `path`.
    fn match_pattern(&self, path: &str) -> Option<usize> {
        self.index.patterns.iter().copied().find(|&i| {
            self.def
                .attributes
                .get(i)
                .is_some_and(|a| a.pattern.matches_str(path))
        })
    }

    /// The pattern attribute matching `parts`.
    fn match_attribute<'a>(&'a self, parts: &[&'a str]) -> Option<ResolvedAttribute<'a>> {
        self.index.patterns.iter().find_map(|&i| {
            let attribute = self.def.attributes.get(i)?;
            let captures = attribute.pattern.matches(parts)?;
            Some(ResolvedAttribute {
                attribute,
                captures,
                alias: None,
            })
        })
    }

    /// Every attribute and alias pattern, attributes first.
    fn all_patterns(&self) -> impl Iterator<Item = &AttributePattern> {
        self.def
            .attributes
            .iter()
            .map(|a| &a.pattern)
            .chain(self.index.aliases.iter().map(|(from, _)| from))
    }

    /// Why `path` did not resolve (only called on error paths).
    fn resolve_error(&self, path: &str, parts: &[&str]) -> ResolveError {
        let head = parts.first().copied().unwrap_or_default();
        let same_head = || self.all_patterns().filter(|p| p.head() == Some(head));
        if same_head().next().is_some() && same_head().all(|p| p.segments.len() != parts.len()) {
            if let Some(p) = same_head().next() {
                return ResolveError::Shape {
                    path: path.to_owned(),
                    expected: p.text.clone(),
                };
            }
        }
        ResolveError::Unknown {
            path: path.to_owned(),
            schema: self.def.name.clone(),
            suggestion: self.suggest(path, parts),
        }
    }

    /// The nearest attribute or alias to an unknown path: first by the whole
    /// path among exact names, then by the first segment among patterns
    /// (keeping the path's other segments when their number fits, else
    /// giving the pattern).
    fn suggest(&self, path: &str, parts: &[&str]) -> Option<String> {
        let exact = self
            .all_patterns()
            .filter(|p| p.is_exact())
            .map(|p| p.as_str());
        if let Some(name) = crate::suggest::nearest(path, exact) {
            return Some(name.to_owned());
        }
        let head = parts.first().copied().unwrap_or_default();
        let patterns: Vec<&AttributePattern> =
            self.all_patterns().filter(|p| !p.is_exact()).collect();
        let name = crate::suggest::nearest(head, patterns.iter().filter_map(|p| p.head()))?;
        let fits = patterns
            .iter()
            .filter(|p| p.head() == Some(name))
            .find(|p| p.segments.len() == parts.len());
        match (fits, parts.get(1..)) {
            (Some(_), Some(rest)) if !rest.is_empty() => Some(format!("{name}.{}", rest.join("."))),
            _ => patterns
                .iter()
                .find(|p| p.head() == Some(name))
                .map(|p| p.text.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Op;

    fn schema() -> Schema {
        Schema::builder("shop")
            .attribute("sku", ValueType::Text, &[Op::Eq, Op::Like])
            .alias("code", "sku")
            .attribute("contact.email", ValueType::Text, &[Op::Eq])
            .attribute("extensions.<template>.<field>", ValueType::Text, &[Op::Eq])
            .alias("ext.<template>.<field>", "extensions.<template>.<field>")
            .alias("isbn", "extensions.book.isbn")
            .alias("book.<field>", "extensions.book.<field>")
            .attribute("extensions.book.title", ValueType::Integer, &[Op::Eq])
            .attribute(
                "attributes.locales.<locale>.description",
                ValueType::Text,
                &[Op::Eq],
            )
            .alias(
                "locales.<locale>.description",
                "attributes.locales.<locale>.description",
            )
            .build()
            .unwrap()
    }

    fn resolved(s: &Schema, path: &str) -> (String, String, Vec<(String, String)>, Option<String>) {
        let r = s.resolve(path).unwrap();
        (
            r.attribute().pattern().to_owned(),
            r.path(),
            r.captures()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
            r.alias().map(str::to_owned),
        )
    }

    fn caps(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn exact_names() {
        let s = schema();
        assert_eq!(
            resolved(&s, "sku"),
            ("sku".into(), "sku".into(), vec![], None)
        );
        assert_eq!(
            resolved(&s, "contact.email"),
            ("contact.email".into(), "contact.email".into(), vec![], None)
        );
        // An exact name inside a pattern wins over the pattern.
        assert_eq!(
            resolved(&s, "extensions.book.title").0,
            "extensions.book.title"
        );
    }

    #[test]
    fn patterns_with_captures() {
        let s = schema();
        assert_eq!(
            resolved(&s, "extensions.book.isbn"),
            (
                "extensions.<template>.<field>".into(),
                "extensions.book.isbn".into(),
                caps(&[("template", "book"), ("field", "isbn")]),
                None
            )
        );
        let r = s.resolve("extensions.shoe-x.size_2").unwrap();
        assert_eq!(r.capture("template"), Some("shoe-x"));
        assert_eq!(r.capture("field"), Some("size_2"));
        assert_eq!(r.capture("nope"), None);
    }

    #[test]
    fn aliases_exact_and_patterned() {
        let s = schema();
        assert_eq!(
            resolved(&s, "code"),
            ("sku".into(), "sku".into(), vec![], Some("code".into()))
        );
        assert_eq!(
            resolved(&s, "ext.book.isbn"),
            (
                "extensions.<template>.<field>".into(),
                "extensions.book.isbn".into(),
                caps(&[("template", "book"), ("field", "isbn")]),
                Some("ext.<template>.<field>".into())
            )
        );
        // The Go helper's `^attributes\.locales\.([a-zA-Z0-9_-]+)\.description$`.
        assert_eq!(
            resolved(&s, "locales.en-GB.description"),
            (
                "attributes.locales.<locale>.description".into(),
                "attributes.locales.en-GB.description".into(),
                caps(&[("locale", "en-GB")]),
                Some("locales.<locale>.description".into())
            )
        );
        // Targets that fix segments of a pattern.
        assert_eq!(
            resolved(&s, "isbn"),
            (
                "extensions.<template>.<field>".into(),
                "extensions.book.isbn".into(),
                caps(&[("template", "book"), ("field", "isbn")]),
                Some("isbn".into())
            )
        );
        assert_eq!(resolved(&s, "book.title").0, "extensions.book.title");
        assert_eq!(resolved(&s, "book.pages").1, "extensions.book.pages");
        assert_eq!(
            s.attribute("sku").unwrap().aliases().collect::<Vec<_>>(),
            ["code"]
        );
        assert_eq!(s.aliases().len(), 2);
    }

    #[test]
    fn wrong_segment_count() {
        let s = schema();
        for (path, expected) in [
            ("extensions.book", "extensions.<template>.<field>"),
            ("extensions.a.b.c", "extensions.<template>.<field>"),
            ("sku.x", "sku"),
            ("ext.book", "ext.<template>.<field>"),
        ] {
            assert_eq!(
                s.resolve(path),
                Err(ResolveError::Shape {
                    path: path.into(),
                    expected: expected.into()
                }),
                "{path}"
            );
        }
        assert_eq!(
            s.resolve("extensions.book").unwrap_err().to_string(),
            "`extensions.book` does not fit `extensions.<template>.<field>`"
        );
    }

    #[test]
    fn unknown_with_suggestions() {
        let s = schema();
        let suggestion = |path: &str| match s.resolve(path) {
            Err(ResolveError::Unknown { suggestion, .. }) => suggestion,
            other => panic!("{path}: {other:?}"),
        };
        assert_eq!(suggestion("skus").as_deref(), Some("sku"));
        assert_eq!(suggestion("SKU").as_deref(), Some("sku"));
        assert_eq!(suggestion("cod").as_deref(), Some("code"));
        assert_eq!(
            suggestion("contact.emial").as_deref(),
            Some("contact.email")
        );
        assert_eq!(
            suggestion("extension.book.isbn").as_deref(),
            Some("extensions.book.isbn")
        );
        assert_eq!(
            suggestion("extension.book").as_deref(),
            Some("extensions.<template>.<field>")
        );
        assert_eq!(suggestion("colour"), None);
        assert_eq!(suggestion(""), None);
        assert_eq!(suggestion("contact.phone"), None);
        assert_eq!(
            s.resolve("skus").unwrap_err().to_string(),
            "unknown attribute `skus` in shop; did you mean `sku`?"
        );
        assert_eq!(
            s.resolve("colour").unwrap_err().to_string(),
            "unknown attribute `colour` in shop"
        );
        // Characters no path segment has never match a capture.
        assert!(s.resolve("extensions.bo ok.isbn").is_err());
        assert!(s.resolve("extensions..isbn").is_err());
    }
}
