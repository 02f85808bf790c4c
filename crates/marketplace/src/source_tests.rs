use std::path::Path;

use pretty_assertions::assert_eq;
use serde_json::json;

use super::*;

#[test]
fn git_urls_are_normalised_like_codex() {
    let cases = [
        ("owner/repo", Some("https://github.com/owner/repo.git")),
        ("owner/repo.git", Some("https://github.com/owner/repo.git")),
        ("https://github.com/o/r", Some("https://github.com/o/r.git")),
        (
            "https://github.com/o/r/",
            Some("https://github.com/o/r.git"),
        ),
        (
            "https://github.com/o/r.git",
            Some("https://github.com/o/r.git"),
        ),
        ("https://gitlab.com/o/r", Some("https://gitlab.com/o/r")),
        (
            "http://127.0.0.1:8080/r.git",
            Some("http://127.0.0.1:8080/r.git"),
        ),
        ("file:///srv/repo", Some("file:///srv/repo")),
        ("ssh://git@host/r.git", Some("ssh://git@host/r.git")),
        ("git@github.com:o/r.git", Some("git@github.com:o/r.git")),
        ("./repo", Some("./repo")),
        ("../repo", Some("../repo")),
        ("/srv/repo", Some("/srv/repo")),
        (" owner/repo ", Some("https://github.com/owner/repo.git")),
        ("", None),
        ("repo", None),
        ("a/b/c", None),
        ("ftp://host/r", None),
        ("https://", None),
        ("owner/re po", None),
        ("../", Some("../")),
    ];
    let actual: Vec<(&str, Option<String>)> = cases
        .iter()
        .map(|(url, _)| (*url, normalize_git_url(url)))
        .collect();
    let expected: Vec<(&str, Option<String>)> = cases
        .iter()
        .map(|(url, normalised)| (*url, normalised.map(str::to_owned)))
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn local_sources_resolve_from_the_marketplace_root() {
    let root = Path::new("/m");
    assert_eq!(
        parse_source(&json!("./plugins/sample"), root),
        Ok(PluginSource::Local {
            path: root.join("plugins/sample")
        })
    );
    assert_eq!(
        parse_source(&json!({"source": "local", "path": "./a/./b"}), root),
        Ok(PluginSource::Local {
            path: root.join("a/b")
        })
    );
}

#[test]
fn invalid_local_sources_are_rejected_with_reasons() {
    let root = Path::new("/m");
    let reasons: Vec<String> = [
        json!("plugins/x"),
        json!("./"),
        json!("./a/../b"),
        json!("/abs"),
        json!(""),
        json!({"source": "local"}),
        json!({"source": "npm", "package": "x"}),
        json!({"url": "o/r"}),
        json!(3),
        json!(null),
    ]
    .iter()
    .map(|value| parse_source(value, root).unwrap_err())
    .collect();
    assert_eq!(
        reasons,
        vec![
            "local plugin source path `plugins/x` must start with `./`",
            "local plugin source path must not be empty",
            "local plugin source path `./a/../b` must contain only normal components",
            "local plugin source path `/abs` must start with `./`",
            "local plugin source path `` must start with `./`",
            "local plugin source is missing `path`",
            "unsupported plugin source type `npm`",
            "plugin source object must have a `source` string",
            "unsupported plugin source: expected a string or object",
            "missing plugin source",
        ]
    );
}

#[test]
fn git_sources_keep_path_ref_and_sha_and_drop_blank_ones() {
    let root = Path::new("/m");
    assert_eq!(
        parse_source(
            &json!({"source": "url", "url": "owner/repo", "ref": "main", "sha": "abc", "path": "./sub//dir/"}),
            root
        ),
        Ok(PluginSource::Git {
            url: "https://github.com/owner/repo.git".to_owned(),
            path: Some("sub/dir".to_owned()),
            ref_name: Some("main".to_owned()),
            sha: Some("abc".to_owned()),
        })
    );
    assert_eq!(
        parse_source(
            &json!({"source": "git-subdir", "url": "https://github.com/o/r", "path": "plugins/x", "ref": "", "sha": " "}),
            root
        ),
        Ok(PluginSource::Git {
            url: "https://github.com/o/r.git".to_owned(),
            path: Some("plugins/x".to_owned()),
            ref_name: None,
            sha: None,
        })
    );
}

#[test]
fn relative_git_urls_are_resolved_inside_the_marketplace_root() {
    let root = Path::new("/m");
    assert_eq!(
        parse_source(&json!({"source": "url", "url": "./repos/tool"}), root),
        Ok(PluginSource::Git {
            url: "/m/repos/tool".to_owned(),
            path: None,
            ref_name: None,
            sha: None,
        })
    );
    assert_eq!(
        parse_source(&json!({"source": "url", "url": "../outside"}), root),
        Err(
            "relative git plugin source url `../outside` must stay within the marketplace root"
                .to_owned()
        )
    );
}

#[test]
fn invalid_git_sources_are_rejected_with_reasons() {
    let root = Path::new("/m");
    let reasons: Vec<String> = [
        json!({"source": "url"}),
        json!({"source": "url", "url": "nope"}),
        json!({"source": "git-subdir", "url": "o/r"}),
        json!({"source": "git-subdir", "url": "o/r", "path": "../x"}),
        json!({"source": "url", "url": "o/r", "path": "/etc"}),
    ]
    .iter()
    .map(|value| parse_source(value, root).unwrap_err())
    .collect();
    assert_eq!(
        reasons,
        vec![
            "git plugin source is missing `url`",
            "invalid git plugin source url `nope`",
            "git-subdir plugin source is missing `path`",
            "git plugin source path `../x` must stay inside the repository",
            "git plugin source path `/etc` must stay inside the repository",
        ]
    );
}
