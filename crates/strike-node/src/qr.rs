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
}
