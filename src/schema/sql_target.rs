//! Where an attribute lives in SQL ([`SqlTarget`]), for the SQL renderer.

/// Where an attribute lives in SQL, for the SQL renderer.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SqlTarget {
    /// `{"column": "email"}`: a column of the table (an identifier
    /// `[A-Za-z_][A-Za-z0-9_]*`, optionally qualified `t.email`).
    Column(String),
    /// `{"json": ["extensions", "$template", "$field"]}`: a JSON(B) column
    /// and the keys to follow in it. A key `$name` is the attribute's
    /// capture `<name>`; `$$` stands for a literal `$` at the start of a key.
    Json {
        /// The JSON column (an identifier, as for [`SqlTarget::Column`]).
        column: String,
        /// The keys to follow, at least one.
        path: Vec<JsonKey>,
    },
    /// `{"exists": {"table": "product_nodes", "column": "product_id", "key": "id"}}`:
    /// a computed boolean, true when a row of `table` has `column` equal to
    /// the record's `key` column (a `boolean` attribute only; never null).
    /// `has_nodes` of detach_nodes is this over the memberships table.
    Exists {
        /// The related table (an identifier).
        table: String,
        /// Its column referring to the record.
        column: String,
        /// The record's column it refers to.
        key: String,
    },
}

/// One key of a [`SqlTarget::Json`] path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum JsonKey {
    /// A fixed key.
    Key(String),
    /// The value of the attribute's capture of this name.
    Capture(String),
}
