//! `discover_marketplaces`: search order, git roots, de-duplication and error entries.

use std::path::PathBuf;

use berth_marketplace::{
    DiscoveryRequest, MarketplaceLoadError, discover_marketplaces, find_git_root,
};
use pretty_assertions::assert_eq;

use crate::{write_file, write_marketplace};

fn canonical(path: &std::path::Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap()
}

#[test]
fn home_comes_first_then_configured_roots_then_working_directories() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let configured = dir.path().join("configured");
    let repo = dir.path().join("repo");
    write_marketplace(&home, r#"{"name":"home"}"#);
    write_marketplace(&configured, r#"{"name":"configured"}"#);
    write_marketplace(&repo, r#"{"name":"repo"}"#);
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("src/deep")).unwrap();

    let listing = discover_marketplaces(&DiscoveryRequest {
        home_dir: Some(home),
        configured_roots: vec![configured],
        cwd_roots: vec![repo.join("src/deep")],
    });
    let names: Vec<&str> = listing
        .marketplaces
        .iter()
        .map(|marketplace| marketplace.name.as_str())
        .collect();
    assert_eq!(names, vec!["home", "configured", "repo"]);
    assert_eq!(listing.errors, Vec::new());
}

#[test]
fn the_same_marketplace_reached_several_ways_is_listed_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("market");
    let file = write_marketplace(&root, r#"{"name":"m"}"#);
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("sub")).unwrap();

    let listing = discover_marketplaces(&DiscoveryRequest {
        home_dir: None,
        configured_roots: vec![root.clone(), file.clone()],
        cwd_roots: vec![root.join("sub"), root.join("sub/.."), file],
    });
    assert_eq!(listing.marketplaces.len(), 1);
    assert_eq!(
        listing.marketplaces[0].file,
        canonical(&root).join(".agents/plugins/marketplace.json")
    );
}

#[test]
fn missing_files_are_skipped_and_invalid_files_become_error_entries() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken");
    let file = write_file(&broken, ".claude-plugin/marketplace.json", "{ nope");
    let good = dir.path().join("good");
    write_marketplace(&good, r#"{"name":"good"}"#);

    let listing = discover_marketplaces(&DiscoveryRequest {
        home_dir: Some(dir.path().join("no-home")),
        configured_roots: vec![broken, dir.path().join("does-not-exist")],
        cwd_roots: vec![good, dir.path().to_path_buf()],
    });
    let file = canonical(&file);
    assert_eq!(
        listing.errors,
        vec![MarketplaceLoadError {
            message: format!(
                "invalid marketplace file `{}`: key must be a string at line 1 column 3",
                file.display()
            ),
            path: file,
        }]
    );
    let names: Vec<&str> = listing
        .marketplaces
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, vec!["good"]);
}

#[test]
fn working_directory_without_a_git_repository_contributes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let listing = discover_marketplaces(&DiscoveryRequest {
        home_dir: None,
        configured_roots: Vec::new(),
        cwd_roots: vec![dir.path().to_path_buf()],
    });
    assert_eq!(listing.marketplaces, Vec::new());
    assert_eq!(listing.errors, Vec::new());
}

#[test]
fn git_root_is_the_closest_directory_with_a_git_entry() {
    let dir = tempfile::tempdir().unwrap();
    let outer = dir.path().join("outer");
    let inner = outer.join("inner");
    std::fs::create_dir_all(outer.join(".git")).unwrap();
    write_file(&inner, ".git", "gitdir: ../.git/modules/inner");
    std::fs::create_dir_all(inner.join("a/b")).unwrap();
    assert_eq!(find_git_root(&inner.join("a/b")), Some(inner));
    assert_eq!(find_git_root(&outer), Some(outer));
}
