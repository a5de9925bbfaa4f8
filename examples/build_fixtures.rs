//! Builds every readable fixture of `testdata/` into the claim-file bytes it describes, so
//! the binary can be run on them (`.ci/snapshot` does, to prove a refactor changed nothing).
//! Usage: build_fixtures OUT_DIR — writes OUT_DIR/<path under testdata>.UKE for each `.txt`.

use std::path::Path;

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("testdata is readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "txt") {
            out.push(p);
        }
    }
}

fn main() {
    let out = std::env::args()
        .nth(1)
        .expect("usage: build_fixtures OUT_DIR");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut files = Vec::new();
    walk(&root, &mut files);
    for f in files {
        let rel = f.strip_prefix(&root).unwrap();
        let text = std::fs::read_to_string(&f).expect("fixture is UTF-8");
        let bytes = recelint::fixture::build(&text).bytes;
        let dest = Path::new(&out).join(rel).with_extension("UKE");
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(&dest, bytes).unwrap();
    }
}
