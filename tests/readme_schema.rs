//! The README's output-schema table is exactly what `nuportal info --schema` prints, which is built
//! from the column plans the sinks write: the documentation cannot drift from the files.

use std::process::Command;

#[test]
fn readme_schema_table_equals_info_schema() {
    let out = Command::new(env!("CARGO_BIN_EXE_nuportal"))
        .args(["info", "--schema"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(printed, nuportal::output::schema::reference_table());
    let readme = include_str!("../README.md");
    let begin = readme
        .find("<!-- schema:begin")
        .and_then(|i| readme[i..].find('\n').map(|j| i + j + 1))
        .expect("README has no <!-- schema:begin ... --> marker");
    let end = readme
        .find("<!-- schema:end -->")
        .expect("README has no <!-- schema:end --> marker");
    assert_eq!(
        &readme[begin..end],
        printed,
        "README schema table differs from `nuportal info --schema`: paste its output between the markers"
    );
    // one run's columns, in the same format
    let out = Command::new(env!("CARGO_BIN_EXE_nuportal"))
        .args([
            "info",
            "--schema",
            "--config",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/config/examples/nu_e_sm_minerva.toml"
            ),
        ])
        .output()
        .unwrap();
    let run = String::from_utf8(out.stdout).unwrap();
    assert!(run.contains("| `e_out_E` | double | GeV |"), "{run}");
    assert!(!run.contains("x_decay"), "{run}");
}
