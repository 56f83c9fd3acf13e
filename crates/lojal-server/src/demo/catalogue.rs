//! Turning the groceries data set's product groups into a catalogue: a
//! stable SKU, a category and an invented but stable price for each.

use crate::store::products::Product;

/// The baskets: one line per basket, items separated by commas.
pub const BASKETS_CSV: &str = include_str!("../../../../data/groceries.csv");

pub fn sku(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// A grocery aisle for a product group, by the words in its name.
pub fn category(name: &str) -> &'static str {
    // First match wins: "frozen vegetables" is frozen, "ice cream" is not dairy.
    const AISLES: &[(&str, &[&str])] = &[
        ("Frozen", &["frozen", "ice cream"]),
        ("Dairy", &["milk", "yogurt", "cheese", "cream", "butter", "curd", "quark", "dessert", "whipped"]),
        ("Fruit & vegetables", &["fruit", "vegetable", "onion", "berries", "grapes", "herbs", "potato", "root"]),
        ("Bakery", &["bread", "rolls", "pastry", "cake", "bakery", "zwieback", "waffles"]),
        (
            "Drinks",
            &[
                "beer",
                "wine",
                "liquor",
                "soda",
                "water",
                "juice",
                "coffee",
                "tea",
                "beverages",
                "spirits",
                "cocoa",
                "rum",
                "brandy",
                "whisky",
                "champagne",
            ],
        ),
        (
            "Meat & fish",
            &[
                "meat",
                "sausage",
                "beef",
                "pork",
                "chicken",
                "ham",
                "fish",
                "frankfurter",
                "poultry",
                "turkey",
                "liver",
                "hamburger",
            ],
        ),
        ("Snacks & sweets", &["chocolate", "candy", "snack", "chewing", "popcorn", "nuts", "salty"]),
        (
            "Household",
            &[
                "detergent",
                "cleaner",
                "napkins",
                "paper",
                "bags",
                "candles",
                "dish",
                "softener",
                "bathroom",
                "kitchen",
                "toilet",
                "cosmetics",
                "hygiene",
                "shopping",
                "flower",
                "pot",
                "light bulbs",
                "soap",
                "dental",
                "cat food",
                "dog food",
                "pet",
            ],
        ),
    ];
    let name = name.to_ascii_lowercase();
    AISLES.iter().find(|(_, words)| words.iter().any(|w| name.contains(w))).map_or("Pantry", |(aisle, _)| aisle)
}

/// 9.90 to 79.90 kr, fixed by the name so every run invents the same price.
pub fn price(name: &str) -> i64 {
    // FNV-1a: tiny, stable across platforms and releases, unlike std's hasher.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    990 + (hash % 71) as i64 * 100
}

pub fn product(name: &str) -> Product {
    let name = name.trim();
    let sku = sku(name);
    Product {
        url: format!("/products/{sku}"),
        image: String::new(),
        name: capitalise(name),
        category: category(name).to_owned(),
        price: price(name),
        recommendable: true,
        sku,
    }
}

fn capitalise(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skus_are_url_safe_and_stable() {
        assert_eq!(sku("cream cheese "), "cream-cheese");
        assert_eq!(sku("UHT-milk"), "uht-milk");
        assert_eq!(sku("packaged fruit/vegetables"), "packaged-fruit-vegetables");
    }

    #[test]
    fn products_land_in_a_sensible_aisle_at_a_stable_price() {
        assert_eq!(category("whole milk"), "Dairy");
        assert_eq!(category("tropical fruit"), "Fruit & vegetables");
        assert_eq!(category("brown bread"), "Bakery");
        assert_eq!(category("bottled beer"), "Drinks");
        assert_eq!(category("rice"), "Pantry");
        assert_eq!(category("frozen vegetables"), "Frozen");
        assert_eq!(category("ice cream"), "Frozen");
        assert_eq!(price("whole milk"), price("whole milk"));
        assert!((990..=7990).contains(&price("whole milk")));
    }

    #[test]
    fn the_data_set_has_its_documented_size() {
        let baskets = BASKETS_CSV.lines().filter(|l| !l.trim().is_empty()).count();
        assert_eq!(baskets, 9835);
    }
}
