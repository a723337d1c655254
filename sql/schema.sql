-- catalog-filter: reference PostgreSQL schema (PostgreSQL 12 or later).
--
-- One table per kind of snapshot object (hierarchies, nodes, products), plus
-- product_nodes for memberships. `catalog_filter::sql::render` writes WHERE
-- clauses over `products` and `product_nodes`; `sql::pg::load` fills all four
-- tables from a `Catalog`; `sql::pg::detach` deletes from `product_nodes`.
-- Every statement is idempotent (IF NOT EXISTS), so running this file twice
-- is harmless.
--
-- Absent snapshot fields are NULL; empty lists are '{}' (NULL is read the
-- same way: a missing attribute never matches a filter).

-- Hierarchies: the roots of node trees. A requested detach id naming a
-- hierarchy stands for all its nodes.
CREATE TABLE IF NOT EXISTS hierarchies (
    id   text PRIMARY KEY,
    name text
);

-- Nodes: a forest per hierarchy; parent_id NULL for a root. Node ids and
-- hierarchy ids never collide (the snapshot's integrity checks refuse it).
CREATE TABLE IF NOT EXISTS nodes (
    id           text PRIMARY KEY,
    hierarchy_id text NOT NULL REFERENCES hierarchies (id),
    -- Deferred, so nodes may be loaded in any order within a transaction.
    parent_id    text REFERENCES nodes (id) DEFERRABLE INITIALLY DEFERRED,
    name         text
);
-- Walking down a subtree (detach's recursive CTE) and expanding a hierarchy.
CREATE INDEX IF NOT EXISTS nodes_parent_id ON nodes (parent_id);
CREATE INDEX IF NOT EXISTS nodes_hierarchy_id ON nodes (hierarchy_id);

-- Products: the snapshot's fields, one column each.
CREATE TABLE IF NOT EXISTS products (
    id                    uuid PRIMARY KEY,
    sku                   text,
    slug                  text,
    name                  text,
    upc_ean               text,
    manufacturer_part_num text,
    description           text,
    external_ref          text,
    -- Enumerations, stored by their lower-case names:
    status                text,  -- draft | live
    commodity_type        text,  -- physical | digital
    owner                 text,  -- store | organization
    product_types         text[] NOT NULL DEFAULT '{}',  -- standard | parent | child | bundle
    -- Need not name a product in the table (as in snapshots).
    parent_id             uuid,
    tags                  text[] NOT NULL DEFAULT '{}',
    templates             text[] NOT NULL DEFAULT '{}',
    -- Microsecond precision (PostgreSQL's); offsets are not kept.
    created_at            timestamptz,
    updated_at            timestamptz,
    -- {"<template>": {"<field>": value}}; filters compare a value's text
    -- form. JSON floats are stored with a decimal point (see sql::write_json):
    -- a number of numeric scale 0 is an integer, any other a float.
    extensions            jsonb NOT NULL DEFAULT '{}',
    shopper_attributes    jsonb NOT NULL DEFAULT '{}',
    admin_attributes      jsonb NOT NULL DEFAULT '{}'
);
-- Selecting products by sku, the usual way to name them (the vendor's own
-- example is `eq(sku,book)`): `eq`/`in` on sku render as `=`/`= ANY`,
-- which this index serves. Without it a detach of one sku scans every
-- product (measured on 1M products: 200 ms a detach, and SERIALIZABLE
-- detaches conflicting on the whole table's predicate lock).
CREATE INDEX IF NOT EXISTS products_sku ON products (sku);

-- Memberships: product_id belongs to node_id. `ordinal` keeps the order of
-- the product's node_ids (0-based; gaps appear after a detach).
CREATE TABLE IF NOT EXISTS product_nodes (
    product_id uuid    NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    node_id    text    NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
    ordinal    integer NOT NULL,
    PRIMARY KEY (product_id, node_id)
);
-- Finding a subtree's memberships (detach).
CREATE INDEX IF NOT EXISTS product_nodes_node_id ON product_nodes (node_id);
