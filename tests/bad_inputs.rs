//! The corpus of bad inputs in `docs/bad_inputs.md`: every row of its table is run here, so the
//! table cannot drift from what the program says. Each row gives a command, the exit code and the
//! text the message must contain; nothing may panic and no output may be left behind.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Row {
    line: usize,
    args: Vec<String>,
    exit: i32,
    needles: Vec<String>,
}

/// The content of a markdown code span: ``text`` or `text`.
fn code_span(cell: &str) -> Option<String> {
    let c = cell.trim();
    let inner = if let Some(rest) = c.strip_prefix("``") {
        rest.strip_suffix("``")?
    } else {
        c.strip_prefix('`')?.strip_suffix('`')?
    };
    Some(inner.replace("\\|", "|"))
}

fn rows(doc: &str) -> Vec<Row> {
    let mut out = Vec::new();
    for (i, line) in doc.lines().enumerate() {
        if !line.starts_with("| ") || line.starts_with("| what is wrong") {
            continue;
        }
        // Split on unescaped pipes.
        let cells: Vec<String> = line
            .replace("\\|", "\u{1}")
            .split('|')
            .map(|c| c.replace('\u{1}', "\\|"))
            .collect();
        assert_eq!(cells.len(), 6, "docs/bad_inputs.md:{}: {line}", i + 1);
        let command = code_span(&cells[2]).unwrap_or_else(|| panic!("line {}: command", i + 1));
        let mut args: Vec<String> = command.split_whitespace().map(String::from).collect();
        assert_eq!(args.remove(0), "nuportal", "line {}", i + 1);
        let exit = cells[3].trim().parse().expect("exit code");
        let needles = cells[4]
            .split(" ... ")
            .map(|p| code_span(p).unwrap_or_else(|| panic!("line {}: message {p:?}", i + 1)))
            .collect();
        out.push(Row {
            line: i + 1,
            args,
            exit,
            needles,
        });
    }
    out
}

fn corpus_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[test]
fn every_bad_input_gets_its_documented_message_and_exit_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/bad_inputs.md")).unwrap();
    let rows = rows(&doc);
    assert!(rows.len() >= 40, "{} rows", rows.len());
    let corpus = root.join("tests/bad_inputs");
    let before: Vec<(PathBuf, Vec<u8>)> = corpus_files(&corpus)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    // Every card of the corpus is in the table (detector and flux files through their cards).
    for (path, _) in &before {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let referenced =
            doc.contains(&name) || doc.contains(&format!("card_{name}")) || name.ends_with(".dat");
        assert!(
            referenced,
            "tests/bad_inputs/{name} is not in docs/bad_inputs.md"
        );
    }
    let mut failures = Vec::new();
    for row in &rows {
        let out_dir = tempfile::tempdir().unwrap();
        let mut args = row.args.clone();
        if args[0] == "generate" && !args.iter().any(|a| a == "--output") {
            args.push("--output".into());
            args.push(out_dir.path().join("out.parquet").display().to_string());
        }
        if args[0] == "generate" {
            args.push("--quiet".into());
        }
        let out = Command::new(env!("CARGO_BIN_EXE_nuportal"))
            .args(&args)
            .current_dir(root)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code().unwrap_or(-1);
        let mut problems = Vec::new();
        if code != row.exit {
            problems.push(format!("exit {code}, documented {}", row.exit));
        }
        for needle in &row.needles {
            if !err.contains(needle.as_str()) {
                problems.push(format!("message lacks {needle:?}"));
            }
        }
        if err.contains("panicked") {
            problems.push("panicked".into());
        }
        if std::fs::read_dir(out_dir.path()).unwrap().count() != 0 {
            problems.push("left a file in the output directory".into());
        }
        if !problems.is_empty() {
            failures.push(format!(
                "docs/bad_inputs.md:{} `nuportal {}`: {}\n  stderr: {}",
                row.line,
                row.args.join(" "),
                problems.join("; "),
                err.trim()
            ));
        }
    }
    // The corpus itself is untouched (the `--force` row must not overwrite its target).
    for (path, bytes) in &before {
        assert_eq!(
            &std::fs::read(path).unwrap(),
            bytes,
            "{} changed",
            path.display()
        );
    }
    let left: Vec<_> = corpus_files(&corpus)
        .into_iter()
        .filter(|p| !before.iter().any(|(b, _)| b == p))
        .collect();
    assert!(left.is_empty(), "files left in the corpus: {left:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
