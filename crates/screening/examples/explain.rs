//! Screens one person and prints the hits with their explanations as JSON: the transcript a
//! reviewer would read.
//!
//! ```sh
//! cargo run --release -p airbridge-screening --example explain -- UN.xml "NAME" [DOB] [NATIONALITY]
//! ```

use std::fs::File;
use std::io::BufReader;

use airbridge_screening::{
    Query, ScreenConfig, ScreeningIndex, nation_of_country, parse_birth_date,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [list, name, rest @ ..] = args.as_slice() else {
        return Err("usage: explain UN.xml NAME [DOB] [NATIONALITY]".into());
    };
    let (list, _) = airbridge_sanctions::read_un(BufReader::new(File::open(list)?))?;
    let index = ScreeningIndex::build(&[&list], &Default::default());
    let query = Query::by_name(name)
        .with_birth_date(rest.first().and_then(|d| parse_birth_date(d)))
        .with_nationality(rest.get(1).and_then(|n| nation_of_country(n)));
    let config = ScreenConfig {
        threshold: 0.3,
        max_hits: 5,
    };
    let hits = index.screen(&query, &config);
    println!("{}", serde_json::to_string_pretty(&hits)?);
    Ok(())
}
