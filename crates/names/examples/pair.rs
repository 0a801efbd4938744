//! Prints how two names compare: parsed tokens, alignment and score.
//!
//! ```sh
//! cargo run --release -p airbridge-names --example pair -- "NAME A" "NAME B"
//! ```

use airbridge_names::NameEngine;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let engine = NameEngine::new();
    for pair in args.chunks(2) {
        let [a, b] = pair else {
            eprintln!("give names in pairs");
            std::process::exit(2);
        };
        let comparison = engine.compare(a, b);
        println!("{a}  |  {b}  → {:.3}", comparison.score);
        for (side, parsed) in [("a", &comparison.a), ("b", &comparison.b)] {
            let tokens: Vec<String> = parsed
                .tokens
                .iter()
                .map(|t| {
                    format!(
                        "{}[{}→{} /{}/ {:?} w{:.1}{}]",
                        t.text,
                        t.form,
                        t.canonical,
                        t.skeleton,
                        t.role,
                        t.weight,
                        if t.vowelless { " vowelless" } else { "" }
                    )
                })
                .collect();
            println!("  {side}: {}", tokens.join(" "));
        }
        for alignment in &comparison.aligned {
            println!(
                "  = {} ~ {} {:?} sim {:.2} weight {:.1}",
                alignment.a, alignment.b, alignment.kind, alignment.similarity, alignment.weight
            );
        }
        for token in comparison.unmatched_a.iter().chain(&comparison.unmatched_b) {
            println!(
                "  ! {} {:?} weight {:.1}",
                token.text, token.role, token.weight
            );
        }
    }
}
