//! Plugin identity: the `name@marketplace` key, segment rules for names and versions, and
//! backend (remote) plugin ids. Messages match Codex's word for word.

use std::fmt;

/// Version directory used when a manifest has no `version`.
pub const DEFAULT_PLUGIN_VERSION: &str = "local";

/// A rejected plugin id, name, version or remote id. `Display` is the message itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PluginIdError {
    /// The id or one of its parts is not valid.
    #[error("{0}")]
    Invalid(String),
}

/// A plugin's local identity: a plugin name inside a marketplace.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PluginId {
    plugin_name: String,
    marketplace_name: String,
}

impl PluginId {
    /// Builds an id, validating the plugin name first, then the marketplace name.
    pub fn new(
        plugin_name: impl Into<String>,
        marketplace_name: impl Into<String>,
    ) -> Result<Self, PluginIdError> {
        let plugin_name = plugin_name.into();
        let marketplace_name = marketplace_name.into();
        validate_plugin_segment(&plugin_name, "plugin name")?;
        validate_plugin_segment(&marketplace_name, "marketplace name")?;
        Ok(Self {
            plugin_name,
            marketplace_name,
        })
    }

    /// Parses `name@marketplace`, splitting on the last `@`.
    pub fn parse(key: &str) -> Result<Self, PluginIdError> {
        let Some((plugin_name, marketplace_name)) = key.rsplit_once('@') else {
            return Err(invalid_key(key));
        };
        if plugin_name.is_empty() || marketplace_name.is_empty() {
            return Err(invalid_key(key));
        }
        Self::new(plugin_name, marketplace_name).map_err(|PluginIdError::Invalid(message)| {
            PluginIdError::Invalid(format!("{message} in `{key}`"))
        })
    }

    /// The plugin name.
    pub fn plugin_name(&self) -> &str {
        &self.plugin_name
    }

    /// The marketplace name.
    pub fn marketplace_name(&self) -> &str {
        &self.marketplace_name
    }

    /// The canonical `name@marketplace` key, also the config key.
    pub fn as_key(&self) -> String {
        format!("{}@{}", self.plugin_name, self.marketplace_name)
    }
}

impl fmt::Display for PluginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.plugin_name, self.marketplace_name)
    }
}

impl std::str::FromStr for PluginId {
    type Err = PluginIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn invalid_key(key: &str) -> PluginIdError {
    PluginIdError::Invalid(format!(
        "invalid plugin key `{key}`; expected <plugin>@<marketplace>"
    ))
}

/// Validates a plugin or marketplace name; `kind` is `"plugin name"` or `"marketplace name"`.
pub fn validate_plugin_segment(segment: &str, kind: &str) -> Result<(), PluginIdError> {
    if segment.is_empty() {
        return Err(PluginIdError::Invalid(format!(
            "invalid {kind}: must not be empty"
        )));
    }
    if !segment
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(PluginIdError::Invalid(format!(
            "invalid {kind}: only ASCII letters, digits, `_`, and `-` are allowed"
        )));
    }
    Ok(())
}

/// Validates a version used as a cache directory name.
pub fn validate_plugin_version_segment(version: &str) -> Result<(), PluginIdError> {
    if version.is_empty() {
        return Err(PluginIdError::Invalid(
            "invalid plugin version: must not be empty".to_owned(),
        ));
    }
    if version == "." || version == ".." {
        return Err(PluginIdError::Invalid(
            "invalid plugin version: path traversal is not allowed".to_owned(),
        ));
    }
    if !version
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+'))
    {
        return Err(PluginIdError::Invalid(
            "invalid plugin version: only ASCII letters, digits, `.`, `+`, `_`, and `-` are allowed"
                .to_owned(),
        ));
    }
    Ok(())
}

/// True for a backend plugin id such as `plugins~Plugin_linear`.
pub fn is_valid_remote_plugin_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '~'))
}

/// Validates a backend plugin id with Codex's message.
pub fn validate_remote_plugin_id(id: &str) -> Result<(), PluginIdError> {
    if is_valid_remote_plugin_id(id) {
        Ok(())
    } else {
        Err(PluginIdError::Invalid(
            "invalid remote plugin id: only ASCII letters, digits, `_`, `-`, and `~` are allowed"
                .to_owned(),
        ))
    }
}

#[cfg(test)]
#[path = "id_tests.rs"]
mod tests;
