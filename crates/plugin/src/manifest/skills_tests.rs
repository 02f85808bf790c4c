use pretty_assertions::assert_eq;

use super::*;
use crate::manifest::fixture::{write_file, write_manifest};
use crate::manifest::load_manifest;

#[test]
fn frontmatter_name_and_description_are_read() {
    assert_eq!(
        parse_skill_frontmatter("---\nname: greet\ndescription: Say hello\n---\n# Body\n"),
        SkillFrontmatter {
            name: Some("greet".to_owned()),
            description: Some("Say hello".to_owned()),
        }
    );
}

#[test]
fn frontmatter_handles_quotes_crlf_bom_and_other_keys() {
    assert_eq!(
        parse_skill_frontmatter(
            "\u{feff}---\r\nlicense: MIT\r\nname: \"quoted: name\"\r\ndescription: 'single'\r\n---\r\n"
        ),
        SkillFrontmatter {
            name: Some("quoted: name".to_owned()),
            description: Some("single".to_owned()),
        }
    );
}

#[test]
fn frontmatter_joins_folded_and_literal_blocks() {
    assert_eq!(
        parse_skill_frontmatter("---\ndescription: >\n  first line\n  second line\nname: x\n---\n"),
        SkillFrontmatter {
            name: Some("x".to_owned()),
            description: Some("first line second line".to_owned()),
        }
    );
    assert_eq!(
        parse_skill_frontmatter("---\ndescription: |-\n  a\n  b\n---\n").description,
        Some("a\nb".to_owned())
    );
}

#[test]
fn text_without_frontmatter_has_no_fields() {
    assert_eq!(
        parse_skill_frontmatter("# name: not frontmatter\n"),
        SkillFrontmatter::default()
    );
    assert_eq!(
        parse_skill_frontmatter("---\nname:   \n---\n"),
        SkillFrontmatter::default()
    );
}

#[test]
fn skills_are_found_under_the_default_root_sorted_with_folder_name_fallback() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_manifest(root, r#"{"name":"p"}"#);
    write_file(
        root,
        "skills/greet/SKILL.md",
        "---\nname: greet\ndescription: Say hello\n---\n",
    );
    write_file(root, "skills/alpha/SKILL.md", "No frontmatter\n");
    write_file(root, "skills/not-a-skill/README.md", "nothing");
    let loaded = load_manifest(root).unwrap();
    assert_eq!(loaded.skill_roots(), vec![root.join("skills")]);
    assert!(loaded.has_skill_roots());
    assert_eq!(
        loaded.skills(),
        WithWarnings {
            value: vec![
                PluginSkill {
                    name: "alpha".to_owned(),
                    description: None,
                    path: root.join("skills/alpha/SKILL.md"),
                },
                PluginSkill {
                    name: "greet".to_owned(),
                    description: Some("Say hello".to_owned()),
                    path: root.join("skills/greet/SKILL.md"),
                },
            ],
            warnings: Vec::new(),
        }
    );
}

#[test]
fn declared_skill_roots_replace_the_default_and_duplicates_are_warned() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_manifest(
        root,
        r#"{"name":"p","skills":["./one","./two","./missing"]}"#,
    );
    write_file(root, "skills/ignored/SKILL.md", "---\nname: ignored\n---\n");
    write_file(root, "one/SKILL.md", "---\nname: solo\n---\n");
    write_file(root, "two/solo/SKILL.md", "---\nname: solo\n---\n");
    let loaded = load_manifest(root).unwrap();
    assert_eq!(
        loaded.skill_roots(),
        vec![root.join("one"), root.join("two"), root.join("missing")]
    );
    let skills = loaded.skills();
    let names: Vec<&str> = skills
        .value
        .iter()
        .map(|skill| skill.name.as_str())
        .collect();
    assert_eq!(names, vec!["solo"]);
    assert_eq!(
        skills.warnings,
        vec![format!(
            "ignoring skill `solo` at `{}`: a skill with that name already exists",
            root.join("two/solo/SKILL.md").display()
        )]
    );
}

#[test]
fn no_skill_roots_when_nothing_is_declared_or_present() {
    let dir = tempfile::tempdir().unwrap();
    write_manifest(dir.path(), r#"{"name":"p"}"#);
    let loaded = load_manifest(dir.path()).unwrap();
    assert_eq!(loaded.skill_roots(), Vec::<std::path::PathBuf>::new());
    assert!(!loaded.has_skill_roots());

    write_manifest(dir.path(), r#"{"name":"p","skills":"./missing"}"#);
    assert!(!load_manifest(dir.path()).unwrap().has_skill_roots());
}
