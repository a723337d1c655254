//! `miette::Diagnostic` for the error types (feature `miette`).
//!
//! Each problem becomes a label on its span, carrying the problem's
//! message, so a [`ValidationErrors`] shows every problem in one report.
//! The errors do not keep the filter text: attach it when reporting, as
//! with any miette source (`miette::Report::new(err).with_source_code(input)`).
//! Codes: `catalog_filter::too_long`, `catalog_filter::parse`,
//! `catalog_filter::validate`. The built-in caret renderer (`render`)
//! stays the default and needs no feature.
//!
//! ```
//! use miette::Diagnostic;
//!
//! let input = "eq(nmae,x):gt(name,x)";
//! let err = catalog_filter::compile(input).unwrap_err();
//! let labels: Vec<_> = err.labels().unwrap().map(|l| (l.offset(), l.len())).collect();
//! assert_eq!(labels, [(3, 4), (14, 4)]);
//! assert_eq!(err.code().unwrap().to_string(), "catalog_filter::validate");
//! let report = miette::Report::new(err).with_source_code(input.to_owned());
//! assert!(report.to_string().starts_with("unknown attribute `nmae`"));
//! ```

use crate::error::FilterError;
use crate::syntax::{ParseError, Span};
use crate::validate::{FilterTooLong, ValidationError, ValidationErrors};
use miette::{Diagnostic, LabeledSpan};
use std::fmt::Display;

fn label(message: String, span: Span) -> LabeledSpan {
    LabeledSpan::new(Some(message), span.start, span.len())
}

type Labels<'a> = Option<Box<dyn Iterator<Item = LabeledSpan> + 'a>>;

fn one_label(message: String, span: Span) -> Labels<'static> {
    Some(Box::new(std::iter::once(label(message, span))))
}

fn code(text: &'static str) -> Option<Box<dyn Display + 'static>> {
    Some(Box::new(text))
}

impl Diagnostic for FilterTooLong {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        code("catalog_filter::too_long")
    }
}

impl Diagnostic for ParseError {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        code("catalog_filter::parse")
    }

    fn labels(&self) -> Labels<'_> {
        one_label(self.to_string(), self.span())
    }
}

impl Diagnostic for ValidationError {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        code("catalog_filter::validate")
    }

    fn labels(&self) -> Labels<'_> {
        one_label(self.to_string(), self.span())
    }
}

impl Diagnostic for ValidationErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        code("catalog_filter::validate")
    }

    /// One label per problem, in source order.
    fn labels(&self) -> Labels<'_> {
        Some(Box::new(
            self.iter().map(|e| label(e.to_string(), e.span())),
        ))
    }
}

impl Diagnostic for FilterError {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        match self {
            FilterError::TooLong(e) => e.code(),
            FilterError::Parse(e) => e.code(),
            FilterError::Invalid(e) => e.code(),
        }
    }

    fn labels(&self) -> Labels<'_> {
        match self {
            FilterError::TooLong(e) => e.labels(),
            FilterError::Parse(e) => e.labels(),
            FilterError::Invalid(e) => e.labels(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(d: &dyn Diagnostic) -> Vec<(usize, usize, String)> {
        d.labels()
            .into_iter()
            .flatten()
            .map(|l| {
                (
                    l.offset(),
                    l.len(),
                    l.label().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn labels_follow_the_spans() {
        let err = crate::compiler::compile("eq(sku,a):eqq(sku,b)").unwrap_err();
        let FilterError::Parse(parse) = &err else {
            panic!("a parse error")
        };
        assert_eq!(spans(&err), spans(parse));
        let [(start, len, message)] = spans(&err).try_into().unwrap_or_else(|v| panic!("{v:?}"));
        assert_eq!((start, start + len), (parse.span().start, parse.span().end));
        assert_eq!(message, parse.to_string());
        assert_eq!(
            err.code().map(|c| c.to_string()).as_deref(),
            Some("catalog_filter::parse")
        );

        let err = crate::compiler::compile("eq(nmae,x):gt(name,x)").unwrap_err();
        let FilterError::Invalid(es) = &err else {
            panic!("validation errors")
        };
        let expected: Vec<_> = es
            .iter()
            .map(|e| (e.span().start, e.span().len(), e.to_string()))
            .collect();
        assert_eq!(spans(&err), expected);
        assert_eq!(expected.len(), 2);

        let limits = crate::limits::Limits {
            max_filter_bytes: 4,
            ..crate::limits::Limits::DEFAULT
        };
        let err =
            crate::compiler::compile_checked("eq(sku,a)", crate::validate::detach_nodes(), &limits)
                .unwrap_err();
        assert!(spans(&err).is_empty());
        assert_eq!(
            err.code().map(|c| c.to_string()).as_deref(),
            Some("catalog_filter::too_long")
        );
    }
}
