//! Columnar text, stored for the columnar evaluator of
//! [`Catalog::select`] (which lives in `eval`): each scalar text attribute
//! (`name`, `sku`, `slug`, `description`, `external_ref`, `upc_ean`,
//! `manufacturer_part_num`) and each scalar enumeration (`status`,
//! `commodity_type`, `owner`) of all products in one contiguous buffer with
//! offsets, so a condition on it scans memory in order (one substring search
//! over the whole buffer for `like(name,*Shoe*)`) instead of visiting every
//! product.
//!
//! A column is built on first use and kept (so loading never pays for it).
//! This module only stores and scans columns; it knows nothing of filters.

use super::Catalog;
use super::model::Product;
use crate::schema::ProductField;
use memchr::memmem;
use std::sync::OnceLock;

/// The scalar text and enumeration attributes that have columns.
const ATTRIBUTES: usize = ProductField::SCALAR_TEXT.len();

/// The first enumeration's column (the ones before are text).
pub(crate) const FIRST_ENUM: usize = 7;

/// The column of a scalar text or enumeration field of [`Product`], as
/// resolved when a filter is compiled: its place in
/// [`ProductField::SCALAR_TEXT`].
pub(crate) fn column_of(field: ProductField) -> Option<usize> {
    ProductField::SCALAR_TEXT.iter().position(|&f| f == field)
}

/// The product's value of column `column`.
fn value_of(column: usize, p: &Product) -> Option<&str> {
    p.scalar_text(*ProductField::SCALAR_TEXT.get(column)?)
}

/// The lazily built columns of a catalog.
#[derive(Clone, Debug, Default)]
pub(crate) struct Columns {
    text: [OnceLock<Option<TextColumn>>; ATTRIBUTES],
}

/// All products' values of one attribute: value `i` is
/// `bytes[offsets[i]..offsets[i + 1]]`, present when `present[i]`.
#[derive(Clone, Debug)]
pub(crate) struct TextColumn {
    bytes: Vec<u8>,
    offsets: Vec<u32>,
    present: Vec<bool>,
    /// The present values' indexes in value order (bytewise), built on
    /// the first equality test over many products.
    sorted: OnceLock<Vec<u32>>,
}

impl TextColumn {
    /// `None` when the values do not fit 32-bit offsets.
    fn build(column: usize, products: &[Product]) -> Option<TextColumn> {
        let total: usize = products
            .iter()
            .map(|p| value_of(column, p).map_or(0, str::len))
            .sum();
        u32::try_from(total).ok()?;
        let mut bytes = Vec::with_capacity(total);
        let mut offsets = Vec::with_capacity(products.len() + 1);
        let mut present = Vec::with_capacity(products.len());
        offsets.push(0);
        for p in products {
            let value = value_of(column, p);
            present.push(value.is_some());
            bytes.extend_from_slice(value.unwrap_or_default().as_bytes());
            // `total` fits u32, so every prefix does.
            offsets.push(bytes.len() as u32);
        }
        Some(TextColumn {
            bytes,
            offsets,
            present,
            sorted: OnceLock::new(),
        })
    }

    fn value(&self, i: usize) -> Option<&[u8]> {
        let start = *self.offsets.get(i)? as usize;
        let end = *self.offsets.get(i + 1)? as usize;
        self.bytes.get(start..end)
    }

    /// `mask[i] &= value i passes`, for every present value.
    pub(crate) fn retain(&self, mask: &mut [bool], mut test: impl FnMut(&[u8]) -> bool) {
        for (i, m) in mask.iter_mut().enumerate() {
            if *m {
                *m = self.present.get(i).copied().unwrap_or(false)
                    && self.value(i).is_some_and(&mut test);
            }
        }
    }

    /// `mask[i] &= value i is one of values`, by binary search in the
    /// values' order (built once, on first use: a sort of the column's
    /// indexes) rather than a comparison per product: the work is the
    /// matches and one pass over the mask. An `eq(sku,...)` over 1M
    /// products was a million comparisons per detach.
    pub(crate) fn retain_equal<'v>(
        &self,
        mask: &mut [bool],
        values: impl Iterator<Item = &'v [u8]>,
    ) {
        let sorted = self.sorted.get_or_init(|| {
            let mut order: Vec<u32> = (0..self.present.len())
                .filter(|&i| self.present.get(i).copied().unwrap_or(false))
                .filter_map(|i| u32::try_from(i).ok())
                .collect();
            order.sort_by(|&a, &b| self.value(a as usize).cmp(&self.value(b as usize)));
            order
        });
        let mut hits = vec![false; mask.len()];
        for value in values {
            let value = Some(value);
            let start = sorted.partition_point(|&i| self.value(i as usize) < value);
            let equal = sorted
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&i| self.value(i as usize) == value);
            for &i in equal {
                if let Some(h) = hits.get_mut(i as usize) {
                    *h = true;
                }
            }
        }
        for (m, h) in mask.iter_mut().zip(hits) {
            *m &= h;
        }
    }

    /// `mask[i] &= value i contains needle` (needle not empty), by one
    /// search over the whole buffer.
    pub(crate) fn retain_containing(&self, mask: &mut [bool], needle: &[u8]) {
        let finder = memmem::Finder::new(needle);
        let mut hits = vec![false; mask.len()];
        let mut at = 0usize;
        let mut product = 0usize;
        while let Some(k) = self.bytes.get(at..).and_then(|rest| finder.find(rest)) {
            let start = at + k;
            // The value holding byte `start`: the first whose end > start.
            // Hits are usually in the next few values: step there, and
            // search the rest only for a far one.
            let mut steps = 0;
            while steps < 8
                && self
                    .offsets
                    .get(product + 1)
                    .is_some_and(|&end| end as usize <= start)
            {
                product += 1;
                steps += 1;
            }
            if steps == 8 {
                let ends = self.offsets.get(product + 1..).unwrap_or_default();
                product += ends.partition_point(|&end| end as usize <= start);
            }
            let Some(&end) = self.offsets.get(product + 1) else {
                break;
            };
            let end = end as usize;
            if start + needle.len() <= end {
                if let Some(h) = hits.get_mut(product) {
                    *h = true;
                }
                // The rest of this value cannot add anything.
                at = end;
            } else {
                // The match crosses into the next value: look again from
                // the next byte.
                at = start + 1;
            }
        }
        for (m, h) in mask.iter_mut().zip(hits) {
            *m &= h;
        }
    }
}

impl Catalog {
    /// Column `column` (see [`column_of`]), built on first use; `None`
    /// when there is no such column or its values do not fit 32-bit
    /// offsets.
    pub(crate) fn text_column(&self, column: usize) -> Option<&TextColumn> {
        self.columns
            .text
            .get(column)?
            .get_or_init(|| TextColumn::build(column, self.products()))
            .as_ref()
    }

    /// True when column `column` has been built and holds values (a
    /// column is built by the first condition answered from it).
    #[cfg(test)]
    pub(crate) fn text_column_built(&self, column: usize) -> bool {
        self.columns
            .text
            .get(column)
            .is_some_and(|c| c.get().is_some_and(Option::is_some))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog of one product per value, each with `field` set to its
    /// value (absent for `None`).
    fn catalog_with(field: &str, values: &[Option<&str>]) -> Catalog {
        let products: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let v = v.map_or(String::new(), |v| format!(r#","{field}":"{v}""#));
                format!(r#"{{"id":"00000000-0000-4000-8000-{k:012}"{v}}}"#)
            })
            .collect();
        let json = format!(r#"{{"products":[{}]}}"#, products.join(","));
        Catalog::from_json(&json).unwrap_or_else(|e| panic!("{e}"))
    }

    /// One search over the whole buffer finds the values holding the
    /// needle whether the next hit is in the next value or far after it
    /// (past the few values stepped over before a binary search), and not
    /// a match that straddles two values.
    #[test]
    fn containing_finds_near_and_far_hits() {
        let names: Vec<String> = (0..40)
            .map(|i| match i {
                0 | 1 | 12 | 30 | 39 => format!("a shoe {i}"),
                // "sh" ending one value and "oe" starting the next.
                20 => "sh".to_owned(),
                21 => "oe".to_owned(),
                _ => format!("x{i}"),
            })
            .collect();
        let values: Vec<Option<&str>> = names.iter().map(|n| Some(n.as_str())).collect();
        let catalog = catalog_with("name", &values);
        let column = column_of(ProductField::Name)
            .and_then(|c| catalog.text_column(c))
            .expect("name has a column");
        let mut mask = vec![true; names.len()];
        column.retain_containing(&mut mask, b"shoe");
        let hits: Vec<usize> = (0..mask.len()).filter(|&i| mask[i]).collect();
        assert_eq!(hits, [0, 1, 12, 30, 39]);
    }

    /// Equality by the sorted order agrees with a comparison per product:
    /// duplicates, an empty value, absent values, values that are
    /// prefixes of others, and the mask ANDed (a product out of play stays
    /// out).
    #[test]
    fn equality_by_sorted_order() {
        let skus = [
            Some("b"),
            None,
            Some(""),
            Some("a"),
            Some("b"),
            Some("ba"),
            None,
            Some("a"),
            Some("b"),
        ];
        let catalog = catalog_with("sku", &skus);
        let column = column_of(ProductField::Sku)
            .and_then(|c| catalog.text_column(c))
            .expect("sku has a column");
        let check = |values: &[&str], mask: [bool; 9]| {
            let mut by_order = mask;
            column.retain_equal(&mut by_order, values.iter().map(|v| v.as_bytes()));
            let mut one_by_one = mask;
            column.retain(&mut one_by_one, |v| {
                values.iter().any(|w| w.as_bytes() == v)
            });
            assert_eq!(by_order, one_by_one, "{values:?} {mask:?}");
            by_order
        };
        let all = [true; 9];
        let t = true;
        let f = false;
        assert_eq!(check(&["b"], all), [t, f, f, f, t, f, f, f, t]);
        assert_eq!(check(&[""], all), [f, f, t, f, f, f, f, f, f]);
        assert_eq!(check(&["a", "ba", "a"], all), [f, f, f, t, f, t, f, t, f]);
        assert_eq!(check(&["c"], all), [f; 9]);
        assert_eq!(check(&[], all), [f; 9]);
        let some = [f, t, t, t, t, f, t, t, f];
        assert_eq!(check(&["b"], some), [f, f, f, f, t, f, f, f, f]);
        assert_eq!(check(&["a", ""], some), [f, f, t, t, f, f, f, t, f]);
    }
}
