//! Tidy: the shape of the code, checked in `cargo test` (in the manner of rust-analyzer's
//! `tidy.rs`). Fails on a crate edge ARCHITECTURE.md does not list (or lists and no longer
//! has), a non-test source file over 800 lines, a source file that does not open with a
//! `//!` line, a `mod.rs`, and SQL in the source of any crate but `strike-store`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Longest a non-test source file may grow before it is split by what it does.
const MAX_LINES: usize = 800;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace root")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn crates(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<_> = std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    out.sort();
    out
}

/// A test file: under a `tests/` directory, or a `tests.rs` module.
fn is_test(path: &Path) -> bool {
    path.components().any(|c| c.as_os_str() == "tests") || path.file_name().is_some_and(|n| n == "tests.rs")
}

/// `(crate, dependency, "" or "tests")` for every workspace crate a crate depends on.
fn actual_edges(root: &Path) -> BTreeSet<(String, String, String)> {
    let mut edges = BTreeSet::new();
    for (name, dir) in crates(root) {
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
        let mut section = String::new();
        for line in manifest.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line.trim_matches(['[', ']']).to_owned();
                continue;
            }
            let kind = match section.as_str() {
                "dependencies" => "",
                "dev-dependencies" => "tests",
                _ => continue,
            };
            let dep = line.split(['=', '.', ' ']).next().unwrap_or("");
            if dep.starts_with("strike-") {
                edges.insert((name.clone(), dep.to_owned(), kind.to_owned()));
            }
        }
    }
    edges
}

/// The edges ARCHITECTURE.md lists in its "Crate edges" block: `crate -> dep dep ...` and
/// `crate (tests) -> dep ...`.
fn documented_edges(root: &Path) -> BTreeSet<(String, String, String)> {
    let doc = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let section = doc.split("## Crate edges").nth(1).expect("ARCHITECTURE.md has a \"Crate edges\" section");
    let block = section.split("```").nth(1).expect("the crate edges in a fenced block");
    let mut edges = BTreeSet::new();
    for line in block.lines().filter(|l| l.contains("->")) {
        let (from, to) = line.split_once("->").expect("an edge line");
        let mut from = from.split_whitespace();
        let name = from.next().expect("a crate name").to_owned();
        let kind = if from.next() == Some("(tests)") { "tests" } else { "" };
        for dep in to.split_whitespace() {
            edges.insert((name.clone(), dep.to_owned(), kind.to_owned()));
        }
    }
    edges
}

#[test]
fn crate_edges_are_the_ones_architecture_md_lists() {
    let root = workspace();
    let (actual, documented) = (actual_edges(&root), documented_edges(&root));
    assert!(!actual.is_empty(), "found no crate edges: is the workspace where this test looks?");
    let show = |set: Vec<&(String, String, String)>| {
        set.iter()
            .map(|(a, b, k)| format!("{a}{} -> {b}", if k.is_empty() { "" } else { " (tests)" }))
            .collect::<Vec<_>>()
    };
    let undocumented = show(actual.difference(&documented).collect());
    let gone = show(documented.difference(&actual).collect());
    assert!(
        undocumented.is_empty() && gone.is_empty(),
        "crate edges differ from ARCHITECTURE.md (\"Crate edges\"): not listed there: {undocumented:?}; \
         listed but not in any Cargo.toml: {gone:?}"
    );
}

#[test]
fn source_files_are_short_documented_and_not_mod_rs() {
    let root = workspace();
    let mut problems = Vec::new();
    let mut n = 0;
    for (_, dir) in crates(&root) {
        for file in rust_files(&dir) {
            n += 1;
            let rel = file.strip_prefix(&root).unwrap_or(&file).display().to_string();
            let text = std::fs::read_to_string(&file).expect("a source file");
            if file.file_name().is_some_and(|f| f == "mod.rs") {
                problems.push(format!("{rel}: a mod.rs (name the file after its module)"));
            }
            if !text.starts_with("//!") {
                problems.push(format!("{rel}: does not open with a `//!` line saying what it is"));
            }
            let lines = text.lines().count();
            if !is_test(&file) && lines > MAX_LINES {
                problems.push(format!("{rel}: {lines} lines, more than {MAX_LINES}: split it by what it does"));
            }
        }
    }
    assert!(n > 50, "found only {n} source files: is the workspace where this test looks?");
    assert!(problems.is_empty(), "tidy:\n{}", problems.join("\n"));
}

/// SQL lives only in `strike-store`: a statement anywhere else reaches past the store's
/// rules (facts that count, the write rules, the views). Tests may look at a database file as
/// an attacker would, so only non-test source is checked.
#[test]
fn sql_lives_only_in_the_store() {
    let root = workspace();
    // Split so that this file does not match itself.
    let statements = [["SEL", "ECT "], ["INSERT ", "INTO"], ["DELETE ", "FROM"], ["CREATE ", "TABLE"], ["PRA", "GMA "]]
        .map(|[a, b]| format!("{a}{b}"));
    let mut problems = Vec::new();
    for (name, dir) in crates(&root) {
        if name == "strike-store" {
            continue;
        }
        for file in rust_files(&dir.join("src")).into_iter().filter(|f| !is_test(f)) {
            let text = std::fs::read_to_string(&file).expect("a source file");
            for (i, line) in text.lines().enumerate() {
                let in_string = line.split('"').skip(1).step_by(2).collect::<String>();
                if let Some(s) = statements.iter().find(|s| in_string.contains(s.as_str())) {
                    let rel = file.strip_prefix(&root).unwrap_or(&file).display();
                    problems.push(format!("{rel}:{}: {s:?} outside strike-store", i + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "SQL outside the store:\n{}", problems.join("\n"));
}

/// The checks above can fail: each one on a file made to break it.
#[test]
fn the_checks_catch_what_they_are_for() {
    assert!(is_test(Path::new("crates/x/tests/it/a.rs")) && is_test(Path::new("crates/x/src/calls/tests.rs")));
    assert!(!is_test(Path::new("crates/x/src/calls.rs")));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("crates/strike-a/src")).unwrap();
    std::fs::write(dir.path().join("crates/strike-a/Cargo.toml"), "[dependencies]\nstrike-b.workspace = true\n")
        .unwrap();
    std::fs::write(dir.path().join("ARCHITECTURE.md"), "## Crate edges\n\n```\nstrike-a -> strike-c\n```\n").unwrap();
    let actual = actual_edges(dir.path());
    let documented = documented_edges(dir.path());
    assert!(actual.contains(&("strike-a".into(), "strike-b".into(), String::new())));
    assert_ne!(actual, documented, "an undocumented edge differs from the list");
}
