//! Normalising the manifest's `interface` object: strings, URL aliases, asset paths and the
//! `defaultPrompt` rules (at most 3 whitespace-collapsed prompts of at most 128 characters).

use std::path::PathBuf;

use serde_json::{Map, Value};

use super::load::{Normaliser, json_type_name};
use super::model::PluginInterface;

/// Most default prompts kept.
pub const MAX_DEFAULT_PROMPTS: usize = 3;
/// Longest default prompt kept, in characters.
pub const MAX_DEFAULT_PROMPT_LEN: usize = 128;

/// Builds the interface from its JSON fields; `None` when no field survives.
pub(crate) fn normalise_interface(
    normaliser: &mut Normaliser<'_>,
    fields: &Map<String, Value>,
) -> Option<PluginInterface> {
    let mut string = |name: &str| normaliser.string(&format!("interface.{name}"), fields.get(name));
    let display_name = string("displayName");
    let short_description = string("shortDescription");
    let long_description = string("longDescription");
    let developer_name = string("developerName");
    let category = string("category");
    let brand_color = string("brandColor");
    let website_url = aliased_string(normaliser, fields, "websiteUrl", "websiteURL");
    let privacy_policy_url =
        aliased_string(normaliser, fields, "privacyPolicyUrl", "privacyPolicyURL");
    let terms_of_service_url =
        aliased_string(normaliser, fields, "termsOfServiceUrl", "termsOfServiceURL");
    let capabilities = normaliser.string_list("interface.capabilities", fields.get("capabilities"));
    let default_prompt = default_prompts(normaliser, fields.get("defaultPrompt"));
    let composer_icon = asset_path(normaliser, fields, "composerIcon");
    let logo = asset_path(normaliser, fields, "logo");
    let logo_dark = asset_path(normaliser, fields, "logoDark");
    let screenshots = screenshots(normaliser, fields.get("screenshots"));
    let interface = PluginInterface {
        display_name,
        short_description,
        long_description,
        developer_name,
        category,
        capabilities,
        website_url,
        privacy_policy_url,
        terms_of_service_url,
        default_prompt,
        brand_color,
        composer_icon,
        logo,
        logo_dark,
        screenshots,
    };
    (!interface.is_empty()).then_some(interface)
}

fn aliased_string(
    normaliser: &mut Normaliser<'_>,
    fields: &Map<String, Value>,
    name: &str,
    alias: &str,
) -> Option<String> {
    let (field, value) = match fields.get(name) {
        Some(value) if !value.is_null() => (name, value),
        _ => (alias, fields.get(alias)?),
    };
    normaliser.string(&format!("interface.{field}"), Some(value))
}

fn asset_path(
    normaliser: &mut Normaliser<'_>,
    fields: &Map<String, Value>,
    name: &str,
) -> Option<PathBuf> {
    let field = format!("interface.{name}");
    match fields.get(name)? {
        Value::Null => None,
        Value::String(path) => normaliser.path(&field, path),
        other => {
            normaliser.warn(
                &field,
                &format!("expected a string; found {}", json_type_name(other)),
            );
            None
        }
    }
}

fn screenshots(normaliser: &mut Normaliser<'_>, value: Option<&Value>) -> Vec<PathBuf> {
    const FIELD: &str = "interface.screenshots";
    match value {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(path) => normaliser.path(FIELD, path),
                other => {
                    normaliser.warn(
                        FIELD,
                        &format!(
                            "expected a string array; found array containing {}",
                            json_type_name(other)
                        ),
                    );
                    None
                }
            })
            .collect(),
        Some(other) => {
            normaliser.warn(
                FIELD,
                &format!("expected a string array; found {}", json_type_name(other)),
            );
            Vec::new()
        }
    }
}

fn default_prompts(normaliser: &mut Normaliser<'_>, value: Option<&Value>) -> Option<Vec<String>> {
    const FIELD: &str = "interface.defaultPrompt";
    match value? {
        Value::Null => None,
        Value::String(prompt) => {
            default_prompt(normaliser, FIELD, prompt).map(|prompt| vec![prompt])
        }
        Value::Array(items) => {
            let mut prompts = Vec::new();
            for (index, item) in items.iter().enumerate() {
                let field = format!("{FIELD}[{index}]");
                if prompts.len() >= MAX_DEFAULT_PROMPTS {
                    normaliser.warn(
                        &field,
                        &format!("maximum of {MAX_DEFAULT_PROMPTS} prompts is supported"),
                    );
                    break;
                }
                match item {
                    Value::String(prompt) => {
                        prompts.extend(default_prompt(normaliser, &field, prompt));
                    }
                    other => normaliser.warn(
                        &field,
                        &format!("expected a string; found {}", json_type_name(other)),
                    ),
                }
            }
            (!prompts.is_empty()).then_some(prompts)
        }
        other => {
            normaliser.warn(
                FIELD,
                &format!(
                    "expected a string or string array; found {}",
                    json_type_name(other)
                ),
            );
            None
        }
    }
}

fn default_prompt(normaliser: &mut Normaliser<'_>, field: &str, prompt: &str) -> Option<String> {
    let collapsed = prompt.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        normaliser.warn(field, "prompt must not be empty");
        return None;
    }
    if collapsed.chars().count() > MAX_DEFAULT_PROMPT_LEN {
        normaliser.warn(
            field,
            &format!("prompt must be at most {MAX_DEFAULT_PROMPT_LEN} characters"),
        );
        return None;
    }
    Some(collapsed)
}

#[cfg(test)]
#[path = "interface_tests.rs"]
mod tests;
