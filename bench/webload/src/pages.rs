//! The paths a virtual user asks for and what a real answer to each holds, so that a fast
//! error page or an empty search is never counted as a fast page.

use crate::kinds::Kind;
use crate::stats::{Failure, Outcome};

/// Where name searches go: the HTML page people use, or its JSON twin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SearchVia {
    /// `GET /search?q=…`, the page (rendered HTML).
    Page,
    /// `GET /api/search?q=…`, the same search as JSON.
    Api,
}

/// Percent-encodes every byte but the unreserved ones (RFC 3986), for a query string or a
/// form body: Arabic letters go as their UTF-8 bytes.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

pub fn search_path(via: SearchVia, query: &str) -> String {
    match via {
        SearchVia::Page => format!("/search?q={}", encode(query)),
        SearchVia::Api => format!("/api/search?q={}", encode(query)),
    }
}

pub fn case_path(case: u64) -> String {
    format!("/cases/C{case}")
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|window| *window == needle)
        .count()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// How a request of `kind` ended, from its status and body. A page must show what it exists
/// for: the dashboard its table of people by status (the role the runner gives can read
/// totals), a case page at least one member, the search page its form and one link per person
/// found; the JSON search an array.
pub fn judge(kind: Kind, via: SearchVia, status: u16, body: &[u8]) -> Outcome {
    if !(200..300).contains(&status) {
        return Outcome::Failed(Failure::Status(status));
    }
    let shows = |marker: &str| contains(body, marker.as_bytes());
    match kind {
        Kind::Dashboard if shows("<table") => Outcome::Answered { results: None },
        Kind::Case if shows("<section id=\"") => Outcome::Answered { results: None },
        Kind::SearchLatin | Kind::SearchArabic => match via {
            SearchVia::Page if shows("action=\"/search\"") => Outcome::Answered {
                results: Some(count(body, b"href=\"/persons/")),
            },
            SearchVia::Page => Outcome::Invalid,
            SearchVia::Api => match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(serde_json::Value::Array(found)) => Outcome::Answered {
                    results: Some(found.len()),
                },
                _ => Outcome::Invalid,
            },
        },
        Kind::Dashboard | Kind::Case => Outcome::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(encode("Farid Karimi"), "Farid%20Karimi");
        assert_eq!(encode("a&b=c+d/é"), "a%26b%3Dc%2Bd%2F%C3%A9");
        assert_eq!(encode("فرید"), "%D9%81%D8%B1%DB%8C%D8%AF");
        assert_eq!(encode("A-z_0.9~"), "A-z_0.9~");
        assert_eq!(
            search_path(SearchVia::Page, "Zahra Rahimi"),
            "/search?q=Zahra%20Rahimi"
        );
        assert_eq!(search_path(SearchVia::Api, "x"), "/api/search?q=x");
        assert_eq!(case_path(175), "/cases/C175");
    }

    const SEARCH_FORM: &str = r#"<form method="get" action="/search" role="search">"#;

    #[test]
    fn a_search_page_counts_the_people_it_lists() {
        let two = format!(
            "{SEARCH_FORM}<table><tr><td><a href=\"/persons/P575\">P575</a> · <a href=\"/cases/C175\">C175</a></td></tr>\
             <tr><td><a href=\"/persons/P576\">P576</a></td></tr></table>"
        );
        let none = format!("{SEARCH_FORM}<p class=\"notice\">Nobody found.</p>");
        for (body, expected) in [
            (two.as_str(), Outcome::Answered { results: Some(2) }),
            (none.as_str(), Outcome::Answered { results: Some(0) }),
            ("<h1>Log in</h1>", Outcome::Invalid),
        ] {
            assert_eq!(
                judge(Kind::SearchArabic, SearchVia::Page, 200, body.as_bytes()),
                expected,
                "{body}"
            );
        }
        assert_eq!(
            judge(Kind::SearchLatin, SearchVia::Page, 422, two.as_bytes()),
            Outcome::Failed(Failure::Status(422))
        );
    }

    #[test]
    fn the_json_search_counts_its_array() {
        let judge_api = |body: &str| judge(Kind::SearchLatin, SearchVia::Api, 200, body.as_bytes());
        assert_eq!(
            judge_api(r#"[{"id":1},{"id":2},{"id":3}]"#),
            Outcome::Answered { results: Some(3) }
        );
        assert_eq!(judge_api("[]"), Outcome::Answered { results: Some(0) });
        assert_eq!(judge_api(r#"{"error":"x"}"#), Outcome::Invalid);
        assert_eq!(judge_api("<html>"), Outcome::Invalid);
    }

    #[test]
    fn pages_must_show_what_they_are_for() {
        let case = r#"<h1>Case C175</h1><section id="P575"><h3>Jamsheed</h3></section>"#;
        assert_eq!(
            judge(Kind::Case, SearchVia::Page, 200, case.as_bytes()),
            Outcome::Answered { results: None }
        );
        assert_eq!(
            judge(Kind::Case, SearchVia::Page, 200, b"<h1>Case C175</h1>"),
            Outcome::Invalid
        );
        assert_eq!(
            judge(Kind::Case, SearchVia::Page, 404, case.as_bytes()),
            Outcome::Failed(Failure::Status(404))
        );
        let dashboard =
            r#"<h1>Dashboard</h1><div class="scroll"><table><tr><th>FR</th></tr></table>"#;
        assert_eq!(
            judge(Kind::Dashboard, SearchVia::Api, 200, dashboard.as_bytes()),
            Outcome::Answered { results: None }
        );
        assert_eq!(
            judge(Kind::Dashboard, SearchVia::Page, 200, b"<p>No totals.</p>"),
            Outcome::Invalid
        );
        assert_eq!(
            judge(Kind::Dashboard, SearchVia::Page, 303, b""),
            Outcome::Failed(Failure::Status(303))
        );
    }
}
