//! The text a snapshot was read from, and writing it back: the text copied
//! as read, with only the lists an operation changed spliced in.

use super::write::write_spliced;
use std::io;
use std::ops::Range;
use std::sync::Arc;

/// The text a snapshot was read from, where the snapshot object is in it,
/// where each item's changeable list is (a product's `node_ids` or
/// `category_ids`), and which of those lists changed since loading.
#[derive(Clone, Debug, Default)]
pub(crate) struct Source {
    /// The whole input (the snapshot may be a part of it).
    text: Arc<String>,
    /// The snapshot object's bytes in `text`.
    root: Range<usize>,
    /// Each item's list in `text`, if it has that member.
    lists: Spans,
    /// Items whose list changed since loading.
    changed: Vec<bool>,
}

impl Source {
    /// The snapshot `text[root]`, its items' lists at `lists`, none changed.
    pub(crate) fn new(text: Arc<String>, root: Range<usize>, lists: Spans, items: usize) -> Source {
        Source {
            text,
            root,
            lists,
            changed: vec![false; items],
        }
    }

    /// Records that item `index` changed its list.
    pub(crate) fn mark_changed(&mut self, index: usize) {
        if let Some(flag) = self.changed.get_mut(index) {
            *flag = true;
        }
    }

    /// The snapshot as compact JSON text, the changed lists written by
    /// `list` (given the item and its list's text as read).
    pub(crate) fn to_json(&self, list: impl Fn(usize, &str) -> Option<Vec<u8>>) -> String {
        let mut out = Vec::with_capacity(self.root.len());
        // Writing to a Vec cannot fail.
        let _ = self.write(&mut out, true, list);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Writes the snapshot's text to `out` with each changed list written
    /// by `list` (given the item and its list's text as read) in its place;
    /// with `compact`, whitespace outside strings is left out.
    pub(crate) fn write(
        &self,
        out: &mut dyn io::Write,
        compact: bool,
        list: impl Fn(usize, &str) -> Option<Vec<u8>>,
    ) -> io::Result<()> {
        let edits = self
            .changed
            .iter()
            .enumerate()
            .filter(|&(_, &c)| c)
            .filter_map(|(i, _)| {
                let span = self.lists.get(i)?;
                let written = list(i, self.text.get(span.clone())?)?;
                Some((span, written))
            });
        write_spliced(out, &self.text, self.root.clone(), edits, compact)
    }
}

/// Optional byte ranges of a document, one per item (product): two `u32`s each
/// (8 bytes) while the document is under 4 GiB, full ranges past that.
#[derive(Clone, Debug)]
pub(crate) enum Spans {
    /// `(start, end)`; `(u32::MAX, 0)` for none.
    Narrow(Vec<(u32, u32)>),
    /// Any range.
    Wide(Vec<Option<Range<usize>>>),
}

impl Default for Spans {
    fn default() -> Spans {
        Spans::Narrow(Vec::new())
    }
}

impl Spans {
    const NONE: (u32, u32) = (u32::MAX, 0);

    /// Appends the next item's range (`None`: it has no such member).
    pub(crate) fn push(&mut self, span: Option<Range<usize>>) {
        if let Spans::Narrow(narrow) = self {
            let packed = match &span {
                None => Some(Spans::NONE),
                Some(r) => match (u32::try_from(r.start), u32::try_from(r.end)) {
                    (Ok(start), Ok(end)) if start != u32::MAX => Some((start, end)),
                    _ => None,
                },
            };
            match packed {
                Some(p) => return narrow.push(p),
                None => {
                    let wide = narrow
                        .iter()
                        .map(|&(start, end)| {
                            (start != u32::MAX).then_some(start as usize..end as usize)
                        })
                        .collect();
                    *self = Spans::Wide(wide);
                }
            }
        }
        if let Spans::Wide(wide) = self {
            wide.push(span);
        }
    }

    /// The range of item `i`.
    pub(crate) fn get(&self, i: usize) -> Option<Range<usize>> {
        match self {
            Spans::Narrow(narrow) => {
                let &(start, end) = narrow.get(i)?;
                (start != u32::MAX).then_some(start as usize..end as usize)
            }
            Spans::Wide(wide) => wide.get(i)?.clone(),
        }
    }
}
