//! The scenario YAML front end turns every input into a tree or a clear,
//! rendered diagnostic — never a panic or a hang.
//!
//! Fixtures: `tests/data/yaml/ok/*.yaml` must parse and match the tree dump
//! in `*.tree`; `tests/data/yaml/err/*.yaml` must fail and match the
//! rendered diagnostic in `*.err`. `UPDATE_EXPECT=1 cargo test` rewrites
//! the expectations (the test still fails when a file changed kind).
//! Hostile inputs too big to commit are generated below.

use std::fs;
use std::path::{Path, PathBuf};

use crate::fuzz_support::Xorshift;
use ssosim::scenario::diag::Diagnostic;
use ssosim::scenario::yaml::{parse, Limits, Node, NodeKind, Span};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/yaml")
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn yaml_fixtures_parse_or_fail_as_recorded() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    let mut seen = 0;
    for (folder, want_ok, ext) in [("ok", true, "tree"), ("err", false, "err")] {
        for path in yaml_files(&data_dir().join(folder)) {
            seen += 1;
            let source = fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let rel = format!("tests/data/yaml/{folder}/{name}");
            let result = parse(&source, &Limits::default());
            let (actual, right_kind) = match result {
                Ok(node) => (node.dump(), want_ok),
                Err(diag) => (diag.render(&rel, &source, false), !want_ok),
            };
            let actual = if right_kind {
                actual
            } else {
                let verdict = if want_ok { "FAILED" } else { "PARSED" };
                failures.push(format!("{rel}: expected the other outcome, {verdict}"));
                format!("UNEXPECTED: {verdict}\n{actual}")
            };
            let expect_path = path.with_extension(ext);
            let expected = fs::read_to_string(&expect_path).unwrap_or_default();
            if expected != actual {
                if update {
                    fs::write(&expect_path, &actual).unwrap();
                } else {
                    failures.push(format!(
                        "{rel}: output differs from {}\n--- expected\n{expected}\n+++ actual\n{actual}",
                        expect_path.display()
                    ));
                }
            }
        }
    }
    assert!(
        seen > 40,
        "fixtures not found under {}",
        data_dir().display()
    );
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed (UPDATE_EXPECT=1 rewrites expectations):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every error renders without panicking and names the place.
fn parse_err(source: &[u8]) -> Diagnostic {
    let diag = parse(source, &Limits::default()).expect_err("input should be refused");
    let text = diag.render("gen.yaml", source, false);
    assert!(text.starts_with("error: "), "{text}");
    assert!(text.contains(&format!(
        "--> gen.yaml:{}:{}",
        diag.span.line, diag.span.col
    )));
    assert!(
        text.lines().all(|l| l.chars().count() < 200),
        "long line rendered:\n{text}"
    );
    let colored = diag.render("gen.yaml", source, true);
    assert!(colored.contains('\u{1b}'));
    diag
}

#[test]
fn file_of_50_mb_is_refused_by_size_before_scanning() {
    let source = b"k: v\n".repeat(10 * 1024 * 1024);
    let diag = parse_err(&source);
    assert_eq!((diag.span.line, diag.span.col), (1, 1));
    assert_eq!(
        diag.message,
        "file is too large: 52428800 bytes, over the limit of 4194304 bytes"
    );
    // A file one byte under the limit is scanned normally.
    let limits = Limits {
        max_bytes: 10,
        ..Limits::default()
    };
    assert!(parse(b"a: 1", &limits).is_ok());
}

#[test]
fn one_line_of_50_mb_renders_a_short_excerpt() {
    let mut source = vec![b'x'; 50 * 1024 * 1024];
    source[25 * 1024 * 1024] = b':';
    let diag = Diagnostic::new(
        Span {
            line: 1,
            col: 25 * 1024 * 1024 + 1,
            offset: 25 * 1024 * 1024,
            len: 1,
        },
        "here",
    );
    let text = diag.render("big.yaml", &source, false);
    assert!(text.len() < 1000, "{text}");
    assert!(
        text.contains("| …xxxx") && text.contains("xxxx:xxxx"),
        "{text}"
    );
}

#[test]
fn nesting_10k_deep_is_refused_without_overflowing_the_stack() {
    for source in [
        "- ".repeat(10_000) + "x",
        "[".repeat(10_000) + &"]".repeat(10_000),
        "{a: ".repeat(10_000) + &"}".repeat(10_000),
        "[".repeat(10_000),
    ] {
        let diag = parse_err(source.as_bytes());
        assert_eq!(diag.message, "nesting is too deep: more than 64 levels");
    }
    // Exactly at the limit is fine.
    let ok = "[".repeat(64) + &"]".repeat(64);
    assert!(parse(ok.as_bytes(), &Limits::default()).is_ok());
}

#[test]
fn too_many_nodes_is_refused() {
    let source = format!("[{}]", "1,".repeat(300_000));
    let diag = parse_err(source.as_bytes());
    assert_eq!(
        diag.message,
        "too many YAML nodes: more than 200000 in one file"
    );
}

#[test]
fn billion_laughs_is_refused_at_the_first_anchor() {
    let mut source = String::from("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..30 {
        let p = i - 1;
        source.push_str(&format!(
            "l{i}: &l{i} [{}]\n",
            vec![format!("*l{p}"); 9].join(", ")
        ));
    }
    let diag = parse_err(source.as_bytes());
    assert_eq!((diag.span.line, diag.span.col), (1, 5));
    assert!(diag
        .message
        .starts_with("anchors (`&name`) are not supported"));
}

#[test]
fn one_mb_of_random_bytes_gets_a_diagnostic() {
    let mut g = Xorshift(0x5eed);
    let source: Vec<u8> = (0..1024 * 1024).map(|_| g.next() as u8).collect();
    let diag = parse_err(&source);
    assert!(
        diag.message.starts_with("file is not valid UTF-8"),
        "{}",
        diag.message
    );
    // Random bytes that happen to be ASCII go through the YAML parser.
    let ascii: Vec<u8> = source.iter().map(|b| b & 0x7f).collect();
    let _ = parse(&ascii, &Limits::default());
}

/// Short inputs built from YAML's significant characters: every one must
/// parse or fail with a renderable diagnostic, never panic (the parser's
/// internal-error fallback counts as a failure here).
#[test]
fn yaml_shaped_noise_never_panics() {
    const PIECES: &[&str] = &[
        " ",
        "  ",
        "\n",
        "\t",
        "-",
        "- ",
        ":",
        ": ",
        "?",
        "? ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "#",
        "&a",
        "*a",
        "!",
        "!!",
        "|",
        ">",
        "'",
        "\"",
        "\\",
        "%YAML 1.2",
        "---",
        "...",
        "a",
        "key",
        "7",
        "é",
        "\r\n",
        "~",
        "<<",
        "@",
        "`",
        "\u{feff}",
        "\0",
    ];
    let mut g = Xorshift(42);
    for case in 0..20_000 {
        let mut s = String::new();
        for _ in 0..g.below(40) {
            s.push_str(PIECES[g.below(PIECES.len())]);
        }
        match parse(s.as_bytes(), &Limits::default()) {
            Ok(node) => {
                let _ = node.dump();
            }
            Err(diag) => {
                assert!(
                    !diag.message.starts_with("internal error"),
                    "case {case}: parser panicked on {s:?}"
                );
                let _ = diag.render("noise.yaml", s.as_bytes(), true);
            }
        }
    }
}

#[test]
fn render_survives_spans_past_the_end_and_odd_lines() {
    let far = Span {
        line: 99,
        col: 7,
        offset: 10_000,
        len: 50,
    };
    for source in [
        &b""[..],
        b"a: 1",
        b"a\tb\tc\n",
        b"\xff\xfe\xfd\n",
        b"\xef\xbb\xbf",
    ] {
        let text = Diagnostic::new(far, "far away")
            .expected("something")
            .help("h")
            .note(Some(far), "n")
            .note(None, "m")
            .render("f.yaml", source, false);
        assert!(text.contains("--> f.yaml:99:7"), "{text}");
        assert!(text.contains('^'), "{text}");
    }
    // Tabs are expanded and the caret still lands under the right character.
    let source = b"a:\tb\tBAD\n";
    let text = Diagnostic::new(
        Span {
            line: 1,
            col: 6,
            offset: 5,
            len: 3,
        },
        "x",
    )
    .render("t.yaml", source, false);
    let lines: Vec<&str> = text.lines().collect();
    let code = lines[3];
    let carets = lines[4];
    let col = carets.find('^').unwrap();
    assert_eq!(&code[col..col + 3], "BAD", "{text}");
}

#[test]
fn tree_keeps_source_order_and_byte_offsets() {
    let source = "zé: 1\naa: 2\n".as_bytes();
    let node = parse(source, &Limits::default()).unwrap();
    let NodeKind::Map(entries) = &node.kind else {
        panic!("not a map");
    };
    let keys: Vec<(&str, usize, u32)> = entries
        .iter()
        .map(|(k, _)| match &k.kind {
            NodeKind::Scalar(s) => (s.value.as_str(), k.span.offset, k.span.col),
            _ => ("?", 0, 0),
        })
        .collect();
    assert_eq!(keys, [("zé", 0, 1), ("aa", 7, 1)]);
    let value: &Node = &entries[0].1;
    assert_eq!(
        (value.span.offset, value.span.len, value.span.col),
        (5, 1, 5)
    );
}

#[test]
fn unknown_key_renders_like_the_design_example() {
    use ssosim::scenario::decode::MapReader;
    let source = b"steps:\n  - { as: ada@acme.test, domain.refrsh: acme.test }\n";
    let root = parse(source, &Limits::default()).unwrap();
    let mut top = MapReader::new(&root, "the scenario").unwrap();
    let steps = top.req("steps").unwrap().as_seq("`steps`").unwrap();
    let mut step = MapReader::new(&steps[0], "a step").unwrap();
    step.req("as").unwrap();
    for action in ["domain.add", "domain.refresh", "domain.remove"] {
        assert!(step.opt(action).is_none());
    }
    let diag = step.finish().unwrap_err();
    let expected = "\
error: unknown key `domain.refrsh` in a step
 --> scenarios/dom/pending.yaml:2:26
  |
2 |   - { as: ada@acme.test, domain.refrsh: acme.test }
  |                          ^^^^^^^^^^^^^ expected one of `as`, `domain.add`, `domain.refresh`, `domain.remove`
  |
  = help: did you mean `domain.refresh`?
";
    assert_eq!(
        diag.render("scenarios/dom/pending.yaml", source, false),
        expected
    );
}
