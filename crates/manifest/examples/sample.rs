//! Writes a sample manifest with Dari and Pashto names, as PDF and CSV, to look at:
//! `cargo run -p airbridge-manifest --example sample -- OUT.pdf`

use airbridge_manifest::{Family, Manifest, Passenger, to_csv, to_pdf};

fn person(latin: &str, original: &str, nationality: &str, document: &str, lap: bool) -> Passenger {
    Passenger {
        name_latin: latin.into(),
        name_original: original.into(),
        nationality: nationality.into(),
        document: document.into(),
        lap_infant: lap,
    }
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "manifest.pdf".into());
    let manifest = Manifest {
        flight_id: "RCH841".into(),
        operator: "US".into(),
        destination: "DOH".into(),
        departs_at: "2021-08-16T12:00:00Z".into(),
        capacity: 450,
        families: vec![
            Family {
                case_id: "C000017".into(),
                nation: "US".into(),
                seats: 3,
                people: 4,
                members: vec![
                    // Dari
                    person(
                        "Ahmad Shah Ahmadzai",
                        "احمد شاه احمدزی",
                        "AF",
                        "P01234567",
                        false,
                    ),
                    person("Farida Rahimi", "فریده رحیمی", "AF", "P01234568", false),
                    person(
                        "Mohammad Karim Wardak",
                        "محمد کریم وردک",
                        "AF",
                        "T-4411-0921",
                        false,
                    ),
                    person("Maryam Ahmadzai", "مریم احمدزی", "AF", "", true),
                ],
            },
            Family {
                case_id: "C000042".into(),
                nation: "GB".into(),
                seats: 3,
                people: 3,
                members: vec![
                    // Pashto (ښ ږ ګ ځ ۍ ې ړ)
                    person("Gul Makai Zadran", "ګل مکۍ ځدران", "AF", "P07654321", false),
                    person("Wazhma Khpalwak", "وږمه خپلواک", "AF", "P07654322", false),
                    person(
                        "Shkula Pashtunyar",
                        "ښکلا پښتونیار",
                        "AF",
                        "T-9021-3310",
                        false,
                    ),
                ],
            },
            Family {
                case_id: "C000108".into(),
                nation: "GB".into(),
                seats: 1,
                people: 1,
                members: vec![person("Sarah Thompson", "", "GB", "533380006", false)],
            },
        ],
        stamp: None,
    };
    let pdf = to_pdf(&manifest).expect("a layout");
    std::fs::write(&out, pdf).expect("writable");
    std::fs::write(format!("{out}.csv"), to_csv(&manifest)).expect("writable");
    println!("wrote {out} and {out}.csv");
}
