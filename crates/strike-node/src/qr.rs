//! QR codes for invite links: a PNG file, an SVG for the web UI, and text for the terminal.

use std::path::Path;

use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

use crate::{NodeError, Result, io_err};

fn code(text: &str) -> Result<QrCode> {
    // Medium error correction: survives a creased printout or a scratched phone screen.
    QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| NodeError::InvalidInput(format!("cannot make a QR code of that: {e}")))
}

/// Largest picture [`decode_link`] reads.
pub const MAX_PICTURE_BYTES: usize = 16 * 1024 * 1024;
/// Pictures wider or taller than this are refused before they are decoded (a 48-megapixel
/// phone photo is 8,000 pixels wide).
pub const MAX_PICTURE_SIDE: u32 = 10_000;
/// Sides (in pixels) a picture is searched at: phone photos are scaled down first (finder
/// patterns are found faster and more reliably at these sizes), small scans as they are.
const SEARCH_SIDES: [u32; 3] = [1200, 800, 1800];

/// Finds the invite link in a photo or scan of its QR code (PNG or JPEG). It runs on the
/// node: the picture goes nowhere else.
pub fn decode_link(bytes: &[u8]) -> Result<String> {
    decode_where(bytes, |text| text.starts_with(crate::networks::LINK_PREFIX)).map_err(|e| match e {
        NodeError::NotFound(_) => NodeError::InvalidInput(
            "no invite QR code found in that picture: take it closer, sharper and with the whole code in view, or paste the link"
                .into(),
        ),
        other => other,
    })
}

/// The text of the first QR code in a picture, whatever it holds (a leaflet's guide text).
pub fn decode_text(bytes: &[u8]) -> Result<String> {
    decode_where(bytes, |_| true)
}

fn decode_where(bytes: &[u8], wanted: impl Fn(&str) -> bool + Copy) -> Result<String> {
    if bytes.len() > MAX_PICTURE_BYTES {
        return Err(NodeError::InvalidInput(format!(
            "that picture is larger than {} MiB; take a smaller photo",
            MAX_PICTURE_BYTES / (1024 * 1024)
        )));
    }
    let not_a_picture = || NodeError::InvalidInput("that is not a PNG or JPEG picture".into());
    let mut reader =
        image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().map_err(|_| not_a_picture())?;
    // A small file that claims a huge picture is refused before it is decoded.
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_PICTURE_SIDE);
    limits.max_image_height = Some(MAX_PICTURE_SIDE);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let picture = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => NodeError::InvalidInput(format!(
            "that picture is larger than {MAX_PICTURE_SIDE} pixels on a side; take a smaller photo"
        )),
        _ => not_a_picture(),
    })?;
    let picture = picture.to_luma8();
    let longest = picture.width().max(picture.height());
    if longest <= SEARCH_SIDES[0]
        && let Some(link) = search(picture.clone(), wanted)
    {
        return Ok(link);
    }
    for side in SEARCH_SIDES.into_iter().filter(|s| *s < longest) {
        let scale = f64::from(side) / f64::from(longest);
        let (w, h) = (f64::from(picture.width()) * scale, f64::from(picture.height()) * scale);
        let smaller = image::imageops::resize(&picture, w as u32, h as u32, image::imageops::FilterType::Triangle);
        if let Some(link) = search(smaller, wanted) {
            return Ok(link);
        }
    }
    // A tall screenshot with a small code in it: scaling down blurred its few pixels per
    // module away, so it is read as it is last.
    if longest > SEARCH_SIDES[0]
        && let Some(link) = search(picture, wanted)
    {
        return Ok(link);
    }
    Err(NodeError::NotFound("no QR code found in that picture".into()))
}

/// The first QR code in `picture` whose text is `wanted`.
fn search(picture: image::GrayImage, wanted: impl Fn(&str) -> bool) -> Option<String> {
    let mut prepared = rqrr::PreparedImage::prepare(picture);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .find(|text| wanted(text.trim()))
        .map(|text| text.trim().to_owned())
}

/// The size of `text`'s QR code: its version (1-40) and modules per side.
pub fn size(text: &str) -> Result<(i16, usize)> {
    let c = code(text)?;
    let version = match c.version() {
        qrcode::Version::Normal(v) | qrcode::Version::Micro(v) => v,
    };
    Ok((version, c.width()))
}

/// Writes `text` as a QR code PNG (8 pixels per module, with the standard quiet zone).
pub fn write_png(text: &str, path: &Path) -> Result<()> {
    let image = code(text)?.render::<image::Luma<u8>>().module_dimensions(8, 8).build();
    let tmp = path.with_extension("png.partial");
    image
        .save_with_format(&tmp, image::ImageFormat::Png)
        .map_err(|e| NodeError::InvalidInput(format!("writing {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(io_err(format!("renaming to {}", path.display())))
}

/// The QR code as an SVG document.
pub fn svg(text: &str) -> Result<String> {
    Ok(code(text)?.render::<svg::Color<'_>>().min_dimensions(240, 240).build())
}

/// The QR code drawn with Unicode half blocks, for a terminal (dark on light).
pub fn terminal(text: &str) -> Result<String> {
    Ok(code(text)?
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .build())
}

/// A photo of a printed code as a phone takes it, made from the code's PNG: scaled, turned a
/// few degrees, on a grey table, with less contrast and sensor noise, saved as JPEG. For the
/// tests and `openstrike bench qr`.
pub fn simulated_photo(png: &[u8], scale: f64, degrees: f64, seed: u64) -> Result<Vec<u8>> {
    use rand::{Rng, SeedableRng};
    let bad = |e: image::ImageError| NodeError::InvalidInput(format!("making the photo: {e}"));
    let code = image::load_from_memory(png).map_err(bad)?.to_luma8();
    let (w, h) = ((f64::from(code.width()) * scale) as u32, (f64::from(code.height()) * scale) as u32);
    let code = image::imageops::resize(&code, w, h, image::imageops::FilterType::Triangle);
    let side = (f64::from(w.max(h)) * 1.5) as u32;
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy, hw, hh) = (f64::from(side) / 2.0, f64::from(side) / 2.0, f64::from(w) / 2.0, f64::from(h) / 2.0);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let photo = image::GrayImage::from_fn(side, side, |x, y| {
        // Where this pixel of the photo falls on the turned code.
        let (dx, dy) = (f64::from(x) - cx, f64::from(y) - cy);
        let (u, v) = (cos * dx + sin * dy + hw, -sin * dx + cos * dy + hh);
        let paper = if u >= 0.0 && v >= 0.0 && u < f64::from(w) - 1.0 && v < f64::from(h) - 1.0 {
            let (x0, y0) = (u.floor(), v.floor());
            let (fx, fy) = (u - x0, v - y0);
            let p = |a: f64, b: f64| f64::from(code.get_pixel(a as u32, b as u32).0[0]);
            p(x0, y0) * (1.0 - fx) * (1.0 - fy)
                + p(x0 + 1.0, y0) * fx * (1.0 - fy)
                + p(x0, y0 + 1.0) * (1.0 - fx) * fy
                + p(x0 + 1.0, y0 + 1.0) * fx * fy
        } else {
            150.0
        };
        let noise = f64::from(rng.next_u32() % 51) - 25.0;
        let dim = 45.0 + paper * 0.7 + noise;
        image::Luma([dim.clamp(0.0, 255.0) as u8])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75).encode_image(&photo).map_err(bad)?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    #[test]
    fn png_decodes_back_to_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("invite.png");
        let link = format!("openstrike://join/v1/{}/{}?a=127.0.0.1:7000", "ab".repeat(32), "cd".repeat(32));
        super::write_png(&link, &path).unwrap();
        let image = image::open(&path).unwrap().to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, link);
    }

    /// The longest invite link with three addresses (a public node, a hub's HTTP port and a
    /// hub on a long domain name) stays a QR code a phone reads from a printed A6 leaflet:
    /// version 18 or less (89 modules), so 60 mm across gives modules of at least 0.6 mm.
    #[test]
    fn the_longest_link_with_three_addresses_fits_an_a6_leaflet() {
        let id = "ef".repeat(32);
        let addresses = [
            format!("{id}@255.255.255.255:65535"),
            format!("{id}@http://255.255.255.255:65535"),
            format!("{id}@https://hub.riverside-solidarity.org:7475"),
        ];
        let link = format!("openstrike://join/v1/{}/{}?a={}", "ab".repeat(32), "cd".repeat(32), addresses.join("&a="));
        let (version, modules) = super::size(&link).unwrap();
        println!("longest link: {} characters, QR version {version}, {modules} modules", link.len());
        assert!(version <= 18, "version {version} ({modules} modules) for {} characters", link.len());
        let plain = format!("openstrike://join/v1/{}/{}", "ab".repeat(32), "cd".repeat(32));
        println!("no address: {} characters, QR {:?}", plain.len(), super::size(&plain).unwrap());
    }

    /// Headless Chromium's screenshot of a leaflet in its print layout (900 by 1,257 pixels,
    /// the code at under three pixels a module, unevenly rounded). Scaled down to the search
    /// sizes its modules blur together, so the picture is also read as it is.
    #[test]
    fn a_small_code_in_a_tall_screenshot_decodes() {
        let shot = include_bytes!("qr/leaflet-screenshot.png");
        let link = super::decode_link(shot).unwrap();
        assert!(link.starts_with("openstrike://join/v1/"), "{link}");
    }

    #[test]
    fn the_png_and_photos_of_it_decode_to_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("invite.png");
        let id = "ef".repeat(32);
        let link = format!(
            "openstrike://join/v1/{}/{}?a={id}@203.0.113.7:7474&a={id}@http://198.51.100.2:7475",
            "ab".repeat(32),
            "cd".repeat(32)
        );
        super::write_png(&link, &path).unwrap();
        let png = std::fs::read(&path).unwrap();
        assert_eq!(super::decode_link(&png).unwrap(), link);
        for (scale, degrees, seed) in [(0.6, 3.0, 1), (1.4, -4.0, 2), (2.5, 6.0, 3)] {
            let photo = super::simulated_photo(&png, scale, degrees, seed).unwrap();
            assert_eq!(super::decode_link(&photo).unwrap(), link, "scale {scale}, {degrees} degrees");
        }
        // A tiny PNG that claims to be 20,000 pixels wide is refused unread.
        let mut huge = png.clone();
        huge[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        // The IHDR chunk's CRC-32 (over its type and data), so the header itself is valid.
        let crc = huge[12..29].iter().fold(!0u32, |mut c, b| {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
            }
            c
        });
        huge[29..33].copy_from_slice(&(!crc).to_be_bytes());
        assert!(super::decode_link(&huge).unwrap_err().to_string().contains("larger than 10000 pixels"));
        // Not a picture, and a picture without a code, are told apart.
        assert!(super::decode_link(b"hello").unwrap_err().to_string().contains("not a PNG or JPEG"));
        let blank = super::simulated_photo(&png, 1.0, 0.0, 4).unwrap();
        let mut grey = image::load_from_memory(&blank).unwrap().to_luma8();
        grey.pixels_mut().for_each(|p| p.0[0] = 128);
        let mut out = std::io::Cursor::new(Vec::new());
        grey.write_to(&mut out, image::ImageFormat::Png).unwrap();
        assert!(super::decode_link(&out.into_inner()).unwrap_err().to_string().contains("no invite QR code"));
    }
}
