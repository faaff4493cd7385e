//! Where a node keeps its files, and how `wipe` destroys them.

use std::fs;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::{NodeError, Result, WipeReport, io_err};

/// Files in a data directory. Everything but `config.toml` is encrypted.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: &Path) -> Self {
        DataDir { root: root.to_path_buf() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The passphrase-wrapped root keys and database key.
    pub fn key_file(&self) -> PathBuf {
        self.root.join("identity.key")
    }

    /// The SQLCipher database (plus `-wal` and `-shm` beside it).
    pub fn database(&self) -> PathBuf {
        self.root.join("store.db")
    }

    fn database_files(&self) -> [PathBuf; 3] {
        let db = self.database();
        [db.clone(), db.with_extension("db-wal"), db.with_extension("db-shm")]
    }

    pub(crate) fn create(&self) -> std::io::Result<()> {
        fs::create_dir_all(&self.root)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&self.root, fs::Permissions::from_mode(0o700))?;
        }
        Ok(())
    }

    pub(crate) fn remove_database_files(&self) -> std::io::Result<Vec<PathBuf>> {
        let mut removed = Vec::new();
        for file in self.database_files() {
            match fs::remove_file(&file) {
                Ok(()) => removed.push(file),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(removed)
    }
}

/// Key-derivation context of the device binding.
const DEVICE_CONTEXT: &str = "openstrike 2026-12 device binding v1";

/// A fingerprint of where the database file `db` is: the machine (its machine id where the
/// system has one) and the file's identity on its disk (device, inode, creation time). A
/// backup restored into place, or a copy on another device, is a new file: its fingerprint
/// differs, though its contents are the same. A whole disk image rolled back in place is
/// not told apart (`docs/protocol.md`, "Restored and cloned devices").
pub fn device_fingerprint(db: &Path) -> std::io::Result<[u8; 32]> {
    let mut material = Vec::new();
    for id in ["/etc/machine-id", "/var/lib/dbus/machine-id"] {
        if let Ok(text) = fs::read_to_string(id) {
            material.extend_from_slice(text.trim().as_bytes());
            break;
        }
    }
    material.push(0);
    let meta = fs::metadata(db)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        material.extend_from_slice(&meta.dev().to_be_bytes());
        material.extend_from_slice(&meta.ino().to_be_bytes());
    }
    if let Ok(created) = meta.created().map(|t| t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default()) {
        material.extend_from_slice(&created.as_nanos().to_be_bytes());
    }
    Ok(strike_crypto::derive(DEVICE_CONTEXT, &material))
}

/// The platform's data directory for Open Strike: `$XDG_DATA_HOME/openstrike`, else
/// `~/.local/share/openstrike` (Linux), `~/Library/Application Support/openstrike` (macOS),
/// `%APPDATA%\openstrike` (Windows).
pub fn default_data_dir() -> PathBuf {
    platform_base().join("openstrike")
}

/// Where `openstrike demo` keeps its demo node unless told otherwise: beside the real one,
/// never inside it, so a demo can never touch a real identity.
pub fn default_demo_dir() -> PathBuf {
    platform_base().join("openstrike-demo")
}

fn platform_base() -> PathBuf {
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(xdg);
    }
    if cfg!(windows)
        && let Some(appdata) = std::env::var_os("APPDATA")
    {
        return PathBuf::from(appdata);
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    if cfg!(target_os = "macos") { home.join("Library/Application Support") } else { home.join(".local/share") }
}

pub(crate) fn wipe(dir: &DataDir) -> Result<WipeReport> {
    let started = Instant::now();
    let key_file = dir.key_file();
    let mut key_file_destroyed = false;
    match fs::OpenOptions::new().write(true).open(&key_file) {
        Ok(mut f) => {
            let len = f.metadata().map_err(io_err("reading the key file"))?.len() as usize;
            // Overwrite in place before unlinking, so the wrapped keys are not left in the
            // freed blocks. The database needs no overwrite: without these keys it is noise.
            let mut noise = vec![0u8; len.max(crate::keyfile::KEYFILE_LEN)];
            rand::Rng::fill_bytes(&mut rand::rng(), &mut noise);
            f.seek(std::io::SeekFrom::Start(0)).map_err(io_err("overwriting the key file"))?;
            f.write_all(&noise).map_err(io_err("overwriting the key file"))?;
            f.sync_all().map_err(io_err("overwriting the key file"))?;
            drop(f);
            fs::remove_file(&key_file).map_err(io_err("deleting the key file"))?;
            key_file_destroyed = true;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(NodeError::Io { context: "opening the key file".into(), source: e });
        }
    }
    let _ = fs::remove_file(key_file.with_extension("tmp"));
    let files_removed = dir.remove_database_files().map_err(io_err("deleting the database"))?;
    if let Ok(d) = fs::File::open(dir.root()) {
        let _ = d.sync_all();
    }
    Ok(WipeReport { key_file_destroyed, files_removed, elapsed: started.elapsed() })
}
