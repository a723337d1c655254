//! `Catalog::select` evaluates text conditions over columns; it must select
//! exactly the products `ValidFilter::matches` accepts, one by one.

#[allow(dead_code)]
#[path = "support/generate.rs"]
mod generate;

use catalog_filter::CompilerBuilder;
use catalog_filter::schema::Schema;
use catalog_filter::synthetic::SplitMix64;
use proptest::prelude::*;

/// Text conditions of every columnar form, ANDed with generated ones
/// (which take the per-product path).
fn text_conditions(rng: &mut SplitMix64) -> String {
    let fields = [
        "name",
        "sku",
        "slug",
        "description",
        "external_ref",
        "upc_ean",
        "manufacturer_part_num",
        "status",
        "commodity_type",
        "owner",
    ];
    let needles = [
        "Shoe",
        "shoe",
        "e",
        "-",
        "a b",
        "",
        "BN-",
        "ERP-0",
        "é",
        "*",
        "live",
        "draft",
        "physical",
        "digital",
        "store",
        "organization",
    ];
    let field = rng.pick(&fields).copied().unwrap_or("name");
    let needle = rng.pick(&needles).copied().unwrap_or("e");
    let quoted = generate::quote(needle);
    // Forms the schema refuses for a field (`like` on `status`) fail to
    // compile and are skipped.
    match rng.below(10) {
        0 => format!("like({field},{})", generate::quote(&format!("*{needle}*"))),
        1 => format!("like({field},{})", generate::quote(&format!("{needle}*"))),
        2 => format!("like({field},{})", generate::quote(&format!("*{needle}"))),
        3 => format!("eq({field},{quoted})"),
        4 => format!("in({field},{quoted},x)"),
        5 => format!("gt({field},{quoted})"),
        6 => format!("ge({field},{quoted})"),
        7 => format!("lt({field},{quoted})"),
        8 => format!("le({field},{quoted})"),
        _ => format!("like({field},*)"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn columnar_select_equals_per_product_matches(seed in any::<u64>(), products in 1usize..120) {
        let catalog = generate::catalog(seed, products, 12);
        let mut rng = SplitMix64::new(seed ^ 0x5eed);
        // detach_nodes' attributes with every operator and OR groups, so
        // that the orderings on text and the groups are exercised too.
        let schema = Schema::every_operator();
        let mut compiled = 0;
        // Filters the schema refuses are skipped; 12 must compile (about
        // half do, so 400 tries never run out in practice).
        for _ in 0..400 {
            if compiled == 12 {
                break;
            }
            // A narrow first condition (`eq`) leaves few products in play,
            // so the next `like` searches their values one by one.
            let text = match rng.below(5) {
                0 => generate::filter(&mut rng, &catalog),
                1 => text_conditions(&mut rng),
                2 => format!("{}:{}", text_conditions(&mut rng), generate::filter(&mut rng, &catalog)),
                3 => format!("({}|{}):{}", text_conditions(&mut rng), text_conditions(&mut rng), text_conditions(&mut rng)),
                _ => format!("{}:{}", text_conditions(&mut rng), text_conditions(&mut rng)),
            };
            let Ok(filter) = CompilerBuilder::new().schema(schema.clone()).limits(generate::LIMITS).build().compile(&text) else { continue };
            compiled += 1;
            let selected: Vec<usize> = catalog.select(&filter).map(|(i, _)| i).collect();
            let expected: Vec<usize> = catalog
                .products()
                .iter()
                .enumerate()
                .filter(|(_, p)| filter.matches(p))
                .map(|(i, _)| i)
                .collect();
            prop_assert_eq!(selected, expected, "{}", text);
        }
        prop_assert_eq!(compiled, 12);
    }
}
