//! Elastic Path: `POST /pcm/products/detach_nodes`, and the JSON:API error
//! envelope its APIs answer with.
//!
//! - [`detach`]: the request and response wire types, [`detach::authorize`],
//!   [`detach::plan`] (pure, from a `&Catalog`) and [`detach::apply`];
//! - [`envelope`]: the JSON:API error envelope, including how a filter error
//!   is put on the wire (pointer `/data/filter`).
//!
//! The filter core ([`crate::syntax`], [`crate::validate`]) knows nothing of
//! this request layout.

pub mod detach;
pub mod envelope;
mod request;
