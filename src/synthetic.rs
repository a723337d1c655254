//! A deterministic, seeded generator of realistic catalogs for tests,
//! benchmarks and examples. No external data, no `rand`: a [`SplitMix64`]
//! stream drives every choice, so the same [`Config`] always gives the same
//! catalog, on every platform.
//!
//! What it makes:
//! - hierarchies (default 3: "Shop by Category", "Brands", "Collections")
//!   whose nodes form nested trees (up to 5 levels), ids are UUID strings;
//! - products of several kinds (books, e-books, shoes, shirts, electronics,
//!   gift cards, bundles) with names (a few non-ASCII), unique skus and
//!   slugs, UPC/EAN codes, part numbers, descriptions, external refs, tags,
//!   templates and `extensions` holding text, numbers and booleans
//!   (`book.isbn`, `book.pages`, `shoe.size`, `shoe.waterproof`, ...),
//!   shopper and admin attributes, status / commodity type / owner / product
//!   types, creation and update times spread over 2018-2025 in several UTC
//!   offsets;
//! - parent products followed by their child variants (`parent_id`);
//! - memberships: most products are in one node of the first hierarchy and
//!   often in nodes of the others; about 5% are in no node.
//!
//! ```
//! use catalog_filter::synthetic;
//!
//! let catalog = synthetic::catalog(7, 500, 40);
//! assert_eq!(catalog.products().len(), 500);
//! assert_eq!(catalog.nodes().len(), 40);
//! assert_eq!(catalog.hierarchies().len(), 3);
//! // Deterministic: the same seed gives the same catalog.
//! assert_eq!(catalog, synthetic::catalog(7, 500, 40));
//! // Every hierarchy id resolves to its nodes' positions.
//! let first = &catalog.hierarchies()[0].id;
//! assert!(catalog.resolve(first).is_some_and(|r| !r.is_empty()));
//! ```
//!
//! Generating 1,000,000 products takes about a second in a release build.

use crate::catalog::{Catalog, Hierarchy, Node, Product, Snapshot};
use crate::json::{Attributes, Text};
use crate::schema::{CommodityType, Owner, ProductType, Status};
use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};
use uuid::Uuid;

/// A tiny, fast, deterministic pseudo-random generator (splitmix64). Not for
/// cryptography; good enough for test data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0), without modulo bias worth
    /// noticing (Lemire's multiply-shift).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    /// One element of a non-empty slice (`None` for an empty one).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }

    /// A random version-4 UUID.
    pub fn uuid(&mut self) -> Uuid {
        let bytes = (u128::from(self.next_u64()) << 64 | u128::from(self.next_u64())).to_be_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }
}

/// What to generate. [`Config::default`] is a small catalog (1,000 products,
/// 100 nodes, 3 hierarchies, seed 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    /// Seed of the random stream: equal configs give equal catalogs.
    pub seed: u64,
    /// Number of products.
    pub products: usize,
    /// Number of nodes, spread over the hierarchies in turn.
    pub nodes: usize,
    /// Number of hierarchies (at least 1 when there are nodes).
    pub hierarchies: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config::new(0, 1000, 100)
    }
}

impl Config {
    /// `products` products and `nodes` nodes in 3 hierarchies.
    pub fn new(seed: u64, products: usize, nodes: usize) -> Config {
        Config {
            seed,
            products,
            nodes,
            hierarchies: 3,
        }
    }

    /// The generated snapshot data.
    pub fn snapshot(&self) -> Snapshot {
        let mut rng = SplitMix64::new(self.seed);
        let (hierarchies, nodes, by_hierarchy) = self.tree(&mut rng);
        let products = self.products(&mut rng, &nodes, &by_hierarchy);
        Snapshot {
            hierarchies,
            nodes,
            products,
        }
    }

    /// The generated catalog, checked and indexed.
    ///
    /// # Panics
    ///
    /// Never for any `Config`: the generator only makes valid snapshots (ids
    /// are unique, every node and membership is known, no cycles), which the
    /// tests check. A panic here would be a bug in the generator.
    pub fn catalog(&self) -> Catalog {
        match Catalog::new(self.snapshot()) {
            Ok(catalog) => catalog,
            Err(e) => panic!("synthetic catalog failed its integrity checks: {e}"),
        }
    }

    /// The snapshot at the size DESIGN.md's benchmarks assume (about 100
    /// bytes of JSON per product, so 1,000,000 products are ~100-130 MB):
    /// the products of [`Config::snapshot`] with only `id`, `sku`, `name`,
    /// `status` and `node_ids` kept (the full products are ~600 bytes
    /// each), and the tree of [`Config::snapshot`] with short ids: node `i`
    /// is `n{i}`, hierarchy `h` is `h{h}`.
    pub fn benchmark_snapshot(&self) -> Snapshot {
        let mut snapshot = self.snapshot();
        let mut short: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        for (h, hierarchy) in snapshot.hierarchies.iter_mut().enumerate() {
            let id = format!("h{h}");
            short.insert(std::mem::replace(&mut hierarchy.id, id.clone()), id);
        }
        for (i, node) in snapshot.nodes.iter_mut().enumerate() {
            let id = format!("n{i}");
            short.insert(std::mem::replace(&mut node.id, id.clone()), id);
        }
        let rename = |id: &str| short.get(id).cloned().unwrap_or_else(|| id.to_owned());
        for node in &mut snapshot.nodes {
            node.hierarchy_id = rename(&node.hierarchy_id);
            node.parent_id = node.parent_id.as_deref().map(rename);
        }
        for p in &mut snapshot.products {
            *p = Product {
                id: p.id,
                sku: p.sku.take(),
                name: p.name.take(),
                status: p.status,
                node_ids: p.node_ids.iter().map(|n| rename(n).into()).collect(),
                ..Product::default()
            };
        }
        snapshot
    }

    /// [`Config::benchmark_snapshot`], checked and indexed.
    ///
    /// # Panics
    ///
    /// Never for any `Config` (see [`Config::catalog`]).
    pub fn benchmark_catalog(&self) -> Catalog {
        match Catalog::new(self.benchmark_snapshot()) {
            Ok(catalog) => catalog,
            Err(e) => panic!("synthetic catalog failed its integrity checks: {e}"),
        }
    }

    /// Hierarchies, nodes, and the node indexes of each hierarchy.
    fn tree(&self, rng: &mut SplitMix64) -> (Vec<Hierarchy>, Vec<Node>, Vec<Vec<usize>>) {
        let count = if self.nodes > 0 {
            self.hierarchies.max(1)
        } else {
            self.hierarchies
        };
        let hierarchies: Vec<Hierarchy> = (0..count)
            .map(|h| Hierarchy {
                id: rng.uuid().to_string(),
                name: Some(match HIERARCHY_NAMES.get(h) {
                    Some(name) => (*name).to_string(),
                    None => format!("Hierarchy {}", h + 1),
                }),
            })
            .collect();
        let mut by_hierarchy: Vec<Vec<usize>> = vec![Vec::new(); count];
        let mut depth: Vec<u8> = Vec::with_capacity(self.nodes);
        let mut parent: Vec<Option<usize>> = Vec::with_capacity(self.nodes);
        let mut nodes: Vec<Node> = Vec::with_capacity(self.nodes);
        for i in 0..self.nodes {
            let h = i % count.max(1);
            let members = &mut by_hierarchy[h];
            // A root now and then (always the first); otherwise below a
            // random earlier node of the hierarchy, at most 5 levels deep.
            let mut p = if members.is_empty() || rng.chance(15) {
                None
            } else {
                rng.pick(members).copied()
            };
            if let Some(q) = p {
                if depth[q] >= 4 {
                    p = parent[q];
                }
            }
            let d = p.map_or(0, |q| depth[q] + 1);
            let words = if d == 0 { top_words(h) } else { SUB_WORDS };
            let word = rng.pick(words).copied().unwrap_or("Misc");
            nodes.push(Node {
                id: rng.uuid().to_string(),
                hierarchy_id: hierarchies[h].id.clone(),
                parent_id: p.map(|q| nodes[q].id.clone()),
                name: Some(word.to_string()),
            });
            depth.push(d);
            parent.push(p);
            members.push(i);
        }
        (hierarchies, nodes, by_hierarchy)
    }

    fn products(
        &self,
        rng: &mut SplitMix64,
        nodes: &[Node],
        by_hierarchy: &[Vec<usize>],
    ) -> Vec<Product> {
        let mut products = Vec::with_capacity(self.products);
        while products.len() < self.products {
            let index = products.len();
            let roll = rng.below(100);
            let room = self.products - index;
            if roll < 3 {
                products.push(bundle(rng, index));
            } else if roll < 7 && room >= 3 {
                // A parent and 2-4 child variants.
                let kind = if rng.chance(50) { &SHOE } else { &SHIRT };
                let children = (2 + rng.below(3)).min(room - 1);
                let parent = item(rng, kind, index, Family::Parent);
                let parent_id = parent.id;
                let name = parent.name.clone().unwrap_or_default();
                let sku = parent.sku.clone().unwrap_or_default();
                products.push(parent);
                for c in 0..children {
                    let family = Family::Child {
                        parent_id,
                        name: &name,
                        sku: &sku,
                        variant: c,
                    };
                    products.push(item(rng, kind, index + 1 + c, family));
                }
            } else {
                let kind = rng.pick(KINDS).copied().unwrap_or(&BOOK);
                products.push(item(rng, kind, index, Family::None));
            }
        }
        for p in &mut products {
            p.node_ids = memberships(rng, nodes, by_hierarchy);
        }
        products
    }
}

/// Shorthand for `Config::new(seed, products, nodes).catalog()`.
pub fn catalog(seed: u64, products: usize, nodes: usize) -> Catalog {
    Config::new(seed, products, nodes).catalog()
}

/// Shorthand for `Config::new(seed, products, nodes).snapshot()`.
pub fn snapshot(seed: u64, products: usize, nodes: usize) -> Snapshot {
    Config::new(seed, products, nodes).snapshot()
}

const HIERARCHY_NAMES: &[&str] = &["Shop by Category", "Brands", "Collections", "Seasonal"];

fn top_words(h: usize) -> &'static [&'static str] {
    match h {
        0 => &[
            "Books",
            "Footwear",
            "Apparel",
            "Electronics",
            "Home & Garden",
            "Toys",
            "Sports",
            "Beauty",
            "Music",
            "Gifts",
        ],
        1 => BRANDS,
        _ => &[
            "New Arrivals",
            "Best Sellers",
            "Summer Sale",
            "Back to School",
            "Holiday Gifts",
            "Clearance",
            "Staff Picks",
        ],
    }
}

const SUB_WORDS: &[&str] = &[
    "Fiction",
    "Non-fiction",
    "Running",
    "Trail",
    "Outdoor",
    "Kids",
    "Women",
    "Men",
    "Accessories",
    "Premium",
    "Vintage",
    "Travel",
    "Classic",
    "Audio",
    "Laptops",
    "Cookware",
    "Crème de la crème",
];

const BRANDS: &[&str] = &[
    "Acme",
    "Northwind",
    "Contoso",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Über",
];

const ADJECTIVES: &[&str] = &[
    "Silent", "Crimson", "Swift", "Golden", "Hidden", "Lucky", "Quiet", "Bold", "Urban", "Wild",
    "Electric", "Midnight", "Coastal", "Élan", "Café", "Northern",
];

const TAGS: &[&str] = &[
    "new",
    "sale",
    "bestseller",
    "eco",
    "limited",
    "clearance",
    "gift",
    "summer",
    "winter",
    "featured",
    "staff-pick",
];

const SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];
const COLORS: &[&str] = &["black", "white", "red", "navy", "green", "grey", "sand"];

/// A kind of product: its template, sku prefix and name words.
struct Kind {
    template: Option<&'static str>,
    sku: &'static str,
    commodity: CommodityType,
    nouns: &'static [&'static str],
}

const BOOK: Kind = Kind {
    template: Some("book"),
    sku: "BK",
    commodity: CommodityType::Physical,
    nouns: &[
        "Harbor", "Garden", "Voyage", "Letters", "Winter", "Kingdom", "Secret",
    ],
};
const EBOOK: Kind = Kind {
    template: Some("ebook"),
    sku: "EB",
    commodity: CommodityType::Digital,
    nouns: &["Guide", "Handbook", "Cookbook", "Primer", "Atlas"],
};
const SHOE: Kind = Kind {
    template: Some("shoe"),
    sku: "SH",
    commodity: CommodityType::Physical,
    nouns: &[
        "Runner",
        "Sneaker",
        "Boot",
        "Loafer",
        "Trail Shoe",
        "Sandal",
    ],
};
const SHIRT: Kind = Kind {
    template: Some("shirt"),
    sku: "TS",
    commodity: CommodityType::Physical,
    nouns: &["T-Shirt", "Polo", "Hoodie", "Oxford Shirt", "Tank Top"],
};
const ELECTRONICS: Kind = Kind {
    template: Some("electronics"),
    sku: "EL",
    commodity: CommodityType::Physical,
    nouns: &["Headphones", "Speaker", "Laptop", "Charger", "Smartwatch"],
};
const GIFT_CARD: Kind = Kind {
    template: None,
    sku: "GC",
    commodity: CommodityType::Digital,
    nouns: &["Gift Card", "E-Voucher"],
};
const KINDS: &[&Kind] = &[
    &BOOK,
    &BOOK,
    &EBOOK,
    &SHOE,
    &SHOE,
    &SHIRT,
    &ELECTRONICS,
    &GIFT_CARD,
];

/// Where a product stands in a parent/child family.
enum Family<'a> {
    None,
    Parent,
    Child {
        parent_id: Uuid,
        name: &'a str,
        sku: &'a str,
        variant: usize,
    },
}

fn item(rng: &mut SplitMix64, kind: &Kind, index: usize, family: Family<'_>) -> Product {
    let mut p = base(rng, index);
    let adjective = rng.pick(ADJECTIVES).copied().unwrap_or("Plain");
    let noun = rng.pick(kind.nouns).copied().unwrap_or("Thing");
    let brand = rng.pick(BRANDS).copied().unwrap_or("Acme");
    let size_text = rng.pick(SIZES).copied().unwrap_or("M");
    // Shoe sizes: US 5..13 in halves, some whole numbers.
    let shoe_size = 5.0 + rng.below(17) as f64 / 2.0;
    let (name, sku) = match &family {
        Family::Child {
            name, sku, variant, ..
        } => {
            let label = if kind.template == Some("shoe") {
                format!("{shoe_size}")
            } else {
                size_text.to_string()
            };
            (
                format!("{name} - Size {label}"),
                format!("{sku}-{}", variant + 1),
            )
        }
        _ => {
            let name = match kind.template {
                Some("book") | Some("ebook") => format!("The {adjective} {noun}"),
                _ => format!("{brand} {adjective} {noun}"),
            };
            (name, format!("{}-{index:07}", kind.sku))
        }
    };
    p.slug = Some(slug(&name, index).into());
    p.description = rng.chance(70).then(|| description(rng, &name).into());
    p.sku = Some(sku.into());
    p.name = Some(name.into());
    p.commodity_type = Some(kind.commodity);
    p.product_types = vec![match family {
        Family::None => ProductType::Standard,
        Family::Parent => ProductType::Parent,
        Family::Child { .. } => ProductType::Child,
    }];
    if let Family::Child { parent_id, .. } = family {
        p.parent_id = Some(parent_id);
    }

    if let Some(template) = kind.template {
        let mut fields = Map::new();
        match template {
            "book" | "ebook" => {
                fields.insert("isbn".into(), Value::String(isbn(rng)));
                fields.insert(
                    "author".into(),
                    Value::String(format!(
                        "{} {}",
                        rng.pick(&["Ada", "Jules", "Mar\u{ed}a", "Kenji", "Olu", "Sofia"])
                            .copied()
                            .unwrap_or("Ada"),
                        rng.pick(&[
                            "Lovelace",
                            "Verne",
                            "Garc\u{ed}a",
                            "Sato",
                            "Adeyemi",
                            "Berg"
                        ])
                        .copied()
                        .unwrap_or("Berg")
                    )),
                );
                if template == "book" {
                    fields.insert("pages".into(), Value::from(80 + rng.below(900) as u64));
                    fields.insert("hardcover".into(), Value::Bool(rng.chance(40)));
                } else {
                    let format = rng
                        .pick(&["epub", "pdf", "mobi"])
                        .copied()
                        .unwrap_or("epub");
                    fields.insert("format".into(), Value::String(format.into()));
                    let mb = (1 + rng.below(200)) as f64 / 10.0;
                    fields.insert("file_size_mb".into(), Value::from(mb));
                }
            }
            "shoe" => {
                fields.insert("size".into(), Value::from(shoe_size));
                fields.insert("color".into(), color(rng));
                fields.insert("waterproof".into(), Value::Bool(rng.chance(30)));
            }
            "shirt" => {
                fields.insert("size".into(), Value::String(size_text.into()));
                fields.insert("color".into(), color(rng));
                let material = rng.pick(&["cotton", "linen", "wool", "polyester"]);
                fields.insert(
                    "material".into(),
                    Value::String(material.copied().unwrap_or("cotton").into()),
                );
            }
            _ => {
                fields.insert("brand".into(), Value::String(brand.into()));
                fields.insert(
                    "warranty_years".into(),
                    Value::from(1 + rng.below(3) as u64),
                );
                fields.insert("wireless".into(), Value::Bool(rng.chance(50)));
            }
        }
        p.templates.push(template.into());
        p.extensions
            .insert(template.into(), Attributes::from(fields));
    } else {
        let amount = rng.pick(&[10u64, 25, 50, 100]).copied().unwrap_or(25);
        p.shopper_attributes
            .insert("denomination".into(), Value::from(amount));
    }
    if rng.chance(20) {
        let mut seo = Map::new();
        let title = format!("Buy {} online", p.name.as_deref().unwrap_or(""));
        seo.insert("meta_title".into(), Value::String(title));
        p.templates.push("seo".into());
        p.extensions.insert("seo".into(), Attributes::from(seo));
    }
    p
}

fn bundle(rng: &mut SplitMix64, index: usize) -> Product {
    let mut p = base(rng, index);
    let adjective = rng.pick(ADJECTIVES).copied().unwrap_or("Plain");
    let theme = rng
        .pick(&["Reader", "Runner", "Traveller", "Gamer", "Chef"])
        .copied()
        .unwrap_or("Reader");
    let name = format!("{adjective} {theme} Bundle");
    p.slug = Some(slug(&name, index).into());
    p.description = Some(description(rng, &name).into());
    p.sku = Some(format!("BN-{index:07}").into());
    p.name = Some(name.into());
    p.commodity_type = Some(CommodityType::Physical);
    p.product_types = vec![ProductType::Bundle];
    p.shopper_attributes
        .insert("items".into(), Value::from(2 + rng.below(4) as u64));
    p
}

/// The fields every product has, whatever its kind.
fn base(rng: &mut SplitMix64, index: usize) -> Product {
    let mut p = Product {
        id: rng.uuid(),
        status: Some(if rng.chance(85) {
            Status::Live
        } else {
            Status::Draft
        }),
        owner: Some(if rng.chance(90) {
            Owner::Store
        } else {
            Owner::Organization
        }),
        ..Product::default()
    };
    if rng.chance(80) {
        let len = if rng.chance(50) { 12 } else { 13 };
        p.upc_ean = Some(digits(rng, len).into());
    }
    if rng.chance(60) {
        p.manufacturer_part_num = Some(format!("MPN-{:06X}", rng.next_u64() & 0xFF_FFFF).into());
    }
    if rng.chance(40) {
        p.external_ref = Some(format!("ERP-{:08}", index * 7 + rng.below(7)).into());
    }
    let tag_count = rng.below(4);
    for _ in 0..tag_count {
        if let Some(&tag) = rng.pick(TAGS) {
            if !p.tags.iter().any(|t| t == tag) {
                p.tags.push(tag.into());
            }
        }
    }
    let (created, updated) = times(rng);
    p.created_at = created;
    p.updated_at = updated;
    if rng.chance(15) {
        let center = format!("CC-{:03}", rng.below(50));
        p.admin_attributes
            .insert("cost_center".into(), Value::String(center));
    }
    p
}

/// 1-3 node memberships (distinct), in several hierarchies; about 5% none.
fn memberships(rng: &mut SplitMix64, nodes: &[Node], by_hierarchy: &[Vec<usize>]) -> Vec<Text> {
    let mut picked: Vec<usize> = Vec::new();
    if nodes.is_empty() || rng.chance(5) {
        return Vec::new();
    }
    let mut add = |rng: &mut SplitMix64, h: usize| {
        if let Some(&n) = by_hierarchy.get(h).and_then(|m| rng.pick(m)) {
            if !picked.contains(&n) {
                picked.push(n);
            }
        }
    };
    add(rng, 0);
    if rng.chance(10) {
        add(rng, 0);
    }
    if rng.chance(50) {
        add(rng, 1);
    }
    if rng.chance(20) {
        add(rng, 2);
    }
    picked
        .iter()
        .map(|&n| Text::from(nodes[n].id.as_str()))
        .collect()
}

/// Creation between 2018-01-01 and 2025-07-01, update at or after it, both
/// in one of several UTC offsets.
fn times(rng: &mut SplitMix64) -> (Option<DateTime<FixedOffset>>, Option<DateTime<FixedOffset>>) {
    const START: i64 = 1_514_764_800; // 2018-01-01T00:00:00Z
    const END: i64 = 1_751_328_000; // 2025-07-01T00:00:00Z
    let span = (END - START) as usize;
    let created = START + rng.below(span) as i64;
    let updated = created + rng.below((END - created) as usize) as i64;
    let offset_secs = rng
        .pick(&[
            0,
            0,
            0,
            0,
            3600,
            2 * 3600,
            -5 * 3600,
            5 * 3600 + 1800,
            9 * 3600,
        ])
        .copied()
        .unwrap_or(0);
    let offset = FixedOffset::east_opt(offset_secs);
    let mut at = |secs: i64| {
        let millis = if rng.chance(30) { rng.below(1000) } else { 0 };
        DateTime::from_timestamp(secs, millis as u32 * 1_000_000)
            .zip(offset)
            .map(|(t, o)| t.with_timezone(&o))
    };
    let c = at(created);
    let u = at(updated);
    (c, u)
}

fn slug(name: &str, index: usize) -> String {
    let mut slug = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    if !slug.is_empty() && !slug.ends_with('-') {
        slug.push('-');
    }
    slug.push_str(&index.to_string());
    slug
}

fn description(rng: &mut SplitMix64, name: &str) -> String {
    let phrase = rng
        .pick(&[
            "Made to last, loved by customers.",
            "Our best seller this season.",
            "A classic, reimagined.",
            "Lightweight, durable and easy to care for.",
            "Perfect as a gift.",
        ])
        .copied()
        .unwrap_or("");
    format!("{name}. {phrase}")
}

fn digits(rng: &mut SplitMix64, count: usize) -> String {
    (0..count)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

fn isbn(rng: &mut SplitMix64) -> String {
    format!("978{}", digits(rng, 10))
}

fn color(rng: &mut SplitMix64) -> Value {
    Value::String(rng.pick(COLORS).copied().unwrap_or("black").into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_reference_values() {
        // First outputs for seed 1234567 from the reference implementation.
        let mut rng = SplitMix64::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
        assert_eq!(rng.next_u64(), 9_817_491_932_198_370_423);
    }

    #[test]
    fn below_stays_in_range() {
        let mut rng = SplitMix64::new(3);
        assert_eq!(rng.below(0), 0);
        assert!((0..1000).all(|_| rng.below(7) < 7));
        assert_eq!(rng.pick::<u8>(&[]), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Acme Élan T-Shirt", 12), "acme-lan-t-shirt-12");
        assert_eq!(slug("", 3), "3");
        assert_eq!(slug("Café ", 4), "caf-4");
    }
}
