//! A plugin's skills: folders holding a `SKILL.md` under the declared skill roots (or
//! `./skills`), named by the `name`/`description` lines of the file's frontmatter.

use std::path::{Path, PathBuf};

use super::model::{LoadedManifest, WithWarnings};

/// Default skill root, relative to the plugin root.
pub const DEFAULT_SKILLS_DIR: &str = "skills";
/// The file that makes a folder a skill.
pub const SKILL_FILE: &str = "SKILL.md";

/// A skill bundled with a plugin. Callers build the qualified `<plugin>:<skill>` name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginSkill {
    /// Frontmatter `name`, else the skill folder's name.
    pub name: String,
    /// Frontmatter `description`, when present and not blank.
    pub description: Option<String>,
    /// Absolute path of the skill's `SKILL.md`.
    pub path: PathBuf,
}

/// The `name` and `description` read from a `SKILL.md` frontmatter block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SkillFrontmatter {
    /// `name:`, unquoted and trimmed.
    pub name: Option<String>,
    /// `description:`, unquoted and trimmed; folded (`>`) and literal (`|`) blocks are joined.
    pub description: Option<String>,
}

impl LoadedManifest {
    /// The declared skill roots, else `./skills` when it is a directory.
    pub fn skill_roots(&self) -> Vec<PathBuf> {
        if let Some(roots) = &self.manifest.skills {
            return roots.clone();
        }
        let default = self.root.join(DEFAULT_SKILLS_DIR);
        if default.is_dir() {
            vec![default]
        } else {
            Vec::new()
        }
    }

    /// True when at least one skill root exists; cheap, it does not read any skill.
    pub fn has_skill_roots(&self) -> bool {
        self.skill_roots().iter().any(|root| root.exists())
    }

    /// Skills found in each root: the root itself when it holds a `SKILL.md`, then each
    /// sub-folder holding one, in name order. A duplicate skill name keeps the first.
    pub fn skills(&self) -> WithWarnings<Vec<PluginSkill>> {
        let mut warnings = Vec::new();
        let mut skills: Vec<PluginSkill> = Vec::new();
        for root in self.skill_roots() {
            for folder in skill_folders(&root, &mut warnings) {
                let path = folder.join(SKILL_FILE);
                let text = match berth_fs::read_bounded_to_string(&path, berth_fs::FileKind::Skill)
                {
                    Ok(text) => text,
                    Err(error) => {
                        warnings.push(format!("failed to read `{}`: {error}", path.display()));
                        continue;
                    }
                };
                let frontmatter = parse_skill_frontmatter(&text);
                let name = frontmatter.name.unwrap_or_else(|| {
                    folder
                        .file_name()
                        .map(|name| name.to_string_lossy().into_owned())
                        .unwrap_or_default()
                });
                if skills.iter().any(|skill| skill.name == name) {
                    warnings.push(format!(
                        "ignoring skill `{name}` at `{}`: a skill with that name already exists",
                        path.display()
                    ));
                    continue;
                }
                skills.push(PluginSkill {
                    name,
                    description: frontmatter.description,
                    path,
                });
            }
        }
        WithWarnings {
            value: skills,
            warnings,
        }
    }
}

fn skill_folders(root: &Path, warnings: &mut Vec<String>) -> Vec<PathBuf> {
    let mut folders = Vec::new();
    if root.join(SKILL_FILE).is_file() {
        folders.push(root.to_path_buf());
    }
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return folders,
        Err(error) => {
            warnings.push(format!(
                "failed to read skill root `{}`: {error}",
                root.display()
            ));
            return folders;
        }
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join(SKILL_FILE).is_file())
        .collect();
    children.sort();
    folders.extend(children);
    folders
}

/// Reads `name:` and `description:` from a leading `---` … `---` block. Only these two keys
/// are understood; quotes are stripped and `>`/`|` block scalars are joined.
pub fn parse_skill_frontmatter(text: &str) -> SkillFrontmatter {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return SkillFrontmatter::default();
    }
    let block: Vec<&str> = lines.take_while(|line| line.trim_end() != "---").collect();
    let mut frontmatter = SkillFrontmatter::default();
    let mut index = 0;
    while index < block.len() {
        let line = block[index];
        index += 1;
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let value = if let Some(style) = value.chars().next().filter(|c| matches!(c, '>' | '|')) {
            let continuation: Vec<&str> = block[index..]
                .iter()
                .take_while(|line| line.trim().is_empty() || line.starts_with([' ', '\t']))
                .map(|line| line.trim())
                .collect();
            index += continuation.len();
            let separator = if style == '>' { " " } else { "\n" };
            continuation
                .into_iter()
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(separator)
        } else {
            unquote(value).to_owned()
        };
        let value = Some(value.trim().to_owned()).filter(|value| !value.is_empty());
        match key.trim() {
            "name" => frontmatter.name = value,
            "description" => frontmatter.description = value,
            _ => {}
        }
    }
    frontmatter
}

fn unquote(value: &str) -> &str {
    ['"', '\'']
        .iter()
        .find_map(|quote| {
            value
                .strip_prefix(*quote)
                .and_then(|inner| inner.strip_suffix(*quote))
        })
        .unwrap_or(value)
}

#[cfg(test)]
#[path = "skills_tests.rs"]
mod tests;
