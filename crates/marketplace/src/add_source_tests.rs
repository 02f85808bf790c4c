use std::path::Path;

use pretty_assertions::assert_eq;

use super::*;

fn git(url: &str, ref_name: Option<&str>) -> MarketplaceAddSource {
    MarketplaceAddSource::Git {
        url: url.to_owned(),
        ref_name: ref_name.map(str::to_owned),
    }
}

fn parse(text: &str) -> Result<MarketplaceAddSource, AddSourceError> {
    MarketplaceAddSource::parse(text, Path::new("/work"), Some(Path::new("/home/u")))
}

#[test]
fn git_sources_are_normalised_as_codex_records_them() {
    let cases = [
        ("owner/repo", git("https://github.com/owner/repo.git", None)),
        (
            "owner/repo@v1",
            git("https://github.com/owner/repo.git", Some("v1")),
        ),
        (
            "owner/repo@",
            git("https://github.com/owner/repo.git", None),
        ),
        (
            "owner/repo.git",
            git("https://github.com/owner/repo.git", None),
        ),
        (
            "https://github.com/o/r",
            git("https://github.com/o/r.git", None),
        ),
        (
            "https://github.com/o/r/",
            git("https://github.com/o/r.git", None),
        ),
        (
            "https://github.com/o/r.git/",
            git("https://github.com/o/r.git", None),
        ),
        (
            "https://github.com/o/r#main",
            git("https://github.com/o/r.git", Some("main")),
        ),
        (
            "https://gitlab.example/o/r/",
            git("https://gitlab.example/o/r", None),
        ),
        (
            "http://127.0.0.1:8080/gm.git/",
            git("http://127.0.0.1:8080/gm.git", None),
        ),
        (
            "http://127.0.0.1:8080/gm.git#v1",
            git("http://127.0.0.1:8080/gm.git", Some("v1")),
        ),
        (
            "ssh://git@host/o/r.git/",
            git("ssh://git@host/o/r.git", None),
        ),
        (
            "git@github.com:o/r.git",
            git("git@github.com:o/r.git", None),
        ),
        (
            " owner/repo ",
            git("https://github.com/owner/repo.git", None),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(parse(text), Ok(expected), "{text}");
    }
}

#[test]
fn paths_are_local_and_resolved_against_the_working_directory() {
    let cases = [
        ("./market", "/work/./market"),
        ("../market", "/work/../market"),
        ("/srv/market", "/srv/market"),
        (".", "/work/."),
        ("~/market", "/home/u/market"),
    ];
    for (text, expected) in cases {
        assert_eq!(
            parse(text),
            Ok(MarketplaceAddSource::Local(expected.into())),
            "{text}"
        );
    }
}

#[test]
fn other_forms_are_refused_with_codex_s_message_and_examples() {
    for text in [
        "file:///srv/repo",
        "HTTPS://github.com/o/r",
        "ftp://host/r",
        "a/b/c",
        "o/r@v1@v2",
        "repo",
        "https://",
    ] {
        assert_eq!(
            parse(text),
            Err(AddSourceError::InvalidFormat {
                given: text.to_owned()
            }),
            "{text}"
        );
    }
    assert_eq!(
        parse("file:///srv/repo").unwrap_err().to_string(),
        "invalid marketplace source format; expected owner/repo, a git URL, or a local marketplace path (got `file:///srv/repo`; e.g. `owner/repo@v1`, `https://host/repo.git`, `git@host:repo.git`, `./folder`)"
    );
    assert_eq!(parse("  "), Err(AddSourceError::Empty));
}
