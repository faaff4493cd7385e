//! `openstrike bench qr`: how long the node takes to read an invite from a picture of its QR
//! code (the first-run page and "Join a network" wait on it): the PNG `invite create --qr`
//! writes, and photo-like JPEGs of it at a small and a phone camera's size. The link is the
//! longest with three addresses.

use std::time::Instant;

use serde_json::json;

use crate::output::Output;

pub fn qr(out: Output, runs: usize) -> anyhow::Result<()> {
    let id = "ef".repeat(32);
    let link = format!(
        "openstrike://join/v1/{}/{}?a={id}@255.255.255.255:65535&a={id}@http://255.255.255.255:65535&a={id}@https://hub.riverside-solidarity.org:7475",
        "ab".repeat(32),
        "cd".repeat(32)
    );
    let tmp = tempfile::tempdir()?;
    let path = tmp.path().join("invite.png");
    strike_node::qr::write_png(&link, &path)?;
    let png = std::fs::read(&path)?;
    let (version, modules) = strike_node::qr::size(&link)?;
    // The PNG is 8 pixels per module with a 4-module quiet zone; a photo's side is 1.5 times
    // the scaled code's.
    let png_side = (modules as f64 + 8.0) * 8.0;
    let photo = |scale: f64, degrees: f64, seed: u64| -> anyhow::Result<(Vec<u8>, u32)> {
        Ok((strike_node::qr::simulated_photo(&png, scale, degrees, seed)?, (png_side * scale * 1.5) as u32))
    };
    let pictures = [
        ("png", (png.clone(), png_side as u32)),
        ("photo-small", photo(1.0, 4.0, 1)?),
        ("photo-phone", photo(2.8, -5.0, 2)?),
    ];
    let mut rows = Vec::new();
    for (name, (bytes, side)) in &pictures {
        let side = *side;
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs.max(1) {
            let started = Instant::now();
            let decoded = strike_node::qr::decode_link(bytes)?;
            times.push(started.elapsed().as_secs_f64());
            anyhow::ensure!(decoded == link, "{name} decoded to something else");
        }
        rows.push((*name, side, bytes.len(), super::median(times)));
    }
    out.emit(
        json!({ "runs": runs, "link_chars": link.len(), "qr_version": version, "qr_modules": modules,
                "pictures": rows.iter().map(|(n, side, bytes, s)| json!({ "picture": n, "side_px": side, "bytes": bytes, "decode_s": s })).collect::<Vec<_>>() }),
        || {
            let mut text = format!(
                "bench qr (median of {runs}): a link of {} characters, QR version {version} ({modules} modules)\n",
                link.len()
            );
            for (n, side, bytes, s) in &rows {
                text += &format!("  {n:<12} {side:>5} px  {:>8}  decode {:.3} s\n", indicatif::HumanBytes(*bytes as u64), s);
            }
            text
        },
    );
    Ok(())
}
