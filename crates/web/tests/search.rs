//! Name search weighs names by the registry's own counts once the registry is large enough.

mod common;

use airbridge_store::{Actor, PersonQuery, Store};
use airbridge_web::search::{
    OWN_FREQUENCIES_FROM, SearchEngine, engine, find_people, registry_engine,
};
use common::{FRANCE_AND_GERMANY, fresh_store, nation, person};
use serde_json::json;

#[tokio::test]
async fn search_scores_with_the_registrys_own_name_counts() {
    let (store, _dir) = fresh_store(FRANCE_AND_GERMANY).await;
    let setup = Actor::new("test:setup");
    let builtin = engine();
    let wardak = builtin.frequencies().count("wardak");

    // A registry short of the threshold is too few to count: the built-in weights stay.
    store
        .add_person(
            &setup,
            nation("FR"),
            person(json!({ "name": { "given": "Gul", "family": "Wardak Ahmadi" } })),
        )
        .await
        .unwrap();
    let short = registry_engine(&store).await.unwrap();
    assert_eq!(short.frequencies().count("wardak"), wardak);

    // Wardak is rare among the world's names and, on this registry, every tenth person's.
    for i in 1..OWN_FREQUENCIES_FROM {
        let family = if i % 10 == 0 { "Wardak" } else { "Safi" };
        store
            .add_person(
                &setup,
                nation("FR"),
                person(json!({ "name": { "given": format!("Karim{i}"), "family": family } })),
            )
            .await
            .unwrap();
    }
    let counted = registry_engine(&store).await.unwrap();
    assert_eq!(
        counted.frequencies().count("wardak"),
        wardak + (OWN_FREQUENCIES_FROM / 10) as u64
    );
    // A common name agreeing says less: the score falls, the match stays.
    let (query, listed) = ("Gul Wardak", "Gul Wardak Ahmadi");
    assert!(counted.score(query, listed) < builtin.score(query, listed));

    // The web app's kept engine: the built-in one until the registry is counted.
    let kept = SearchEngine::default();
    assert_eq!(kept.get().frequencies().count("wardak"), wardak);
    kept.recount(&store).await.unwrap();
    let engine = kept.get();
    assert_eq!(
        engine.frequencies().count("wardak"),
        counted.frequencies().count("wardak")
    );
    // Search scores the names-engine matches with the engine it is given.
    let found = find_people(&store, &engine, &PersonQuery::default(), "Gul Wardack", 10)
        .await
        .unwrap();
    let gul = found
        .iter()
        .find(|f| f.record.person.name.searchable().contains("Ahmadi"))
        .expect("Gul Wardak Ahmadi found by the names engine");
    let expected = engine.score("Gul Wardack", &gul.record.person.name.searchable());
    assert!(
        (gul.score - expected).abs() < 1e-9,
        "{} vs {expected}",
        gul.score
    );
}
