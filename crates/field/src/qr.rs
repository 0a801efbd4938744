//! The QR code on a pass, as SVG: it holds [`PassCode::qr_payload`] (`AIRBRIDGE:` and the
//! eleven symbols) and nothing else, so a photographed or forwarded pass shows no name.
//!
//! Error correction level Q (a quarter of the code may be lost): passes are shown on cracked
//! phone screens and creased paper in the sun. The payload is upper-case letters, digits and a
//! colon, which QR's alphanumeric mode packs into a small (25×25) code.

use crate::PassCode;
use qrcode::{EcLevel, QrCode};

/// Pixels per module in the SVG's own units; the SVG scales to any size.
const MODULE_SIZE: u32 = 8;

/// Why no QR code could be made. A pass's payload is short and fixed in form, so this would
/// be a bug in the encoder, not a property of the code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the QR code could not be made: {0}")]
pub struct QrError(String);

/// The pass's QR code as a standalone SVG document (black on white, with the quiet zone QR
/// readers need). The same code always gives the same bytes.
pub fn pass_svg(code: &PassCode) -> Result<String, QrError> {
    let qr = QrCode::with_error_correction_level(code.qr_payload(), EcLevel::Q)
        .map_err(|e| QrError(e.to_string()))?;
    Ok(qr
        .render::<qrcode::render::svg::Color<'_>>()
        .module_dimensions(MODULE_SIZE, MODULE_SIZE)
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;

    fn record(
        e: &quick_xml::events::BytesStart<'_>,
        elements: &mut Vec<String>,
        attributes: &mut Vec<String>,
    ) {
        elements.push(e.name().as_ref().to_owned());
        for attribute in e.attributes() {
            let attribute = attribute.expect("well-formed attribute");
            attributes.push(attribute.key.as_ref().to_owned());
        }
    }

    /// The names of the elements and attributes an SVG holds, failing on malformed XML.
    fn elements_and_attributes(svg: &str) -> (Vec<String>, Vec<String>, usize) {
        let mut reader = quick_xml::Reader::from_str(svg);
        let (mut elements, mut attributes, mut depth, mut text) = (vec![], vec![], 0i32, 0);
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) => {
                    depth += 1;
                    record(&e, &mut elements, &mut attributes);
                }
                Event::Empty(e) => record(&e, &mut elements, &mut attributes),
                Event::End(_) => depth -= 1,
                Event::Text(t) => text += t.len(),
                Event::Eof => break,
                _ => {}
            }
            assert!(depth >= 0);
        }
        assert_eq!(depth, 0, "every element is closed");
        (elements, attributes, text)
    }

    #[test]
    fn the_svg_is_well_formed_and_holds_modules_only() {
        let code = PassCode::from_entropy([7, 1, 2, 3, 4, 5, 6, 9]);
        let svg = pass_svg(&code).unwrap();
        let (elements, attributes, text) = elements_and_attributes(&svg);
        assert_eq!(elements, ["svg", "rect", "path"]);
        for attribute in &attributes {
            assert!(
                [
                    "xmlns",
                    "version",
                    "width",
                    "height",
                    "viewBox",
                    "shape-rendering",
                    "x",
                    "y",
                    "fill",
                    "d"
                ]
                .contains(&attribute.as_str()),
                "{attribute}"
            );
        }
        assert_eq!(text, 0, "no text: nothing readable but the modules");
        // The code is not written out in the SVG either, and nothing but path commands,
        // numbers, colours and the SVG's own words appear.
        assert!(!svg.contains(code.as_str()));
        // 25 modules (version 2) and a quiet zone of 4 on each side, 8 units a module.
        assert!(svg.contains(r#"viewBox="0 0 264 264""#), "{}", &svg[..300]);
    }

    #[test]
    fn the_svg_is_deterministic_and_differs_between_codes() {
        let a = PassCode::from_entropy([1; 8]);
        let b = PassCode::from_entropy([2; 8]);
        assert_eq!(pass_svg(&a).unwrap(), pass_svg(&a.clone()).unwrap());
        assert_ne!(pass_svg(&a).unwrap(), pass_svg(&b).unwrap());
    }
}
