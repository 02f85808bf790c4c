//! `POST /berth/v1/plugins`: publishing over HTTP. The upload streams into a staged file (never
//! larger than clients download) while it is hashed, is validated exactly as a client will
//! install it, and only then is stored by digest and registered as a release, published by the
//! token's account. A refused or interrupted upload leaves nothing behind.

use std::path::PathBuf;

use axum::Json;
use axum::body::Body;
use axum::extract::{Query, State};
use berth_bundle::MAX_BUNDLE_BYTES;
use berth_service_protocol::{
    AuthenticationPolicy, Discoverability, InstallationPolicy, PublishQuery, PublishResponse,
    Scope, Status, TokenScope,
};
use futures_util::StreamExt as _;
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;

use crate::auth::Authenticated;
use crate::catalog::PluginRecord;
use crate::error::ApiError;
use crate::publish::{
    PublishError, PublishOptions, ValidatedBundle, plugin_id_for, register_release,
};
use crate::routes::{AppState, clip};
use crate::tokens::Grant;
use crate::validate::{ValidatedPlugin, validate_bundle_file};

/// The message and status of a publish refusal.
fn refusal(error: PublishError) -> ApiError {
    match error {
        PublishError::Store(store) => store.into(),
        PublishError::TooLarge { .. } => ApiError::PayloadTooLarge(error.to_string()),
        other => {
            let mut message = other.to_string();
            let mut cause = std::error::Error::source(&other);
            while let Some(inner) = cause {
                message.push_str(": ");
                message.push_str(&inner.to_string());
                cause = inner.source();
            }
            ApiError::BadRequest(message)
        }
    }
}

fn parse_field<T>(
    name: &str,
    value: Option<&str>,
    parse: fn(&str) -> Option<T>,
    allowed: &str,
) -> Result<Option<T>, ApiError> {
    value
        .map(|value| {
            parse(value).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "invalid {name} `{}`; use one of {allowed}",
                    clip(value)
                ))
            })
        })
        .transpose()
}

/// The publish settings: the query's, else the existing plugin's, else the defaults.
fn options_for(
    query: &PublishQuery,
    existing: Option<&PluginRecord>,
    publisher: &str,
) -> Result<PublishOptions, ApiError> {
    let defaults = PublishOptions::default();
    let item = existing.map(|record| &record.item);
    let scope = parse_field(
        "scope",
        query.scope.as_deref(),
        Scope::parse,
        "GLOBAL, WORKSPACE, USER",
    )?;
    Ok(PublishOptions {
        id: query.id.clone(),
        scope: scope
            .or(item.map(|item| item.scope))
            .unwrap_or(defaults.scope),
        discoverability: parse_field(
            "discoverability",
            query.discoverability.as_deref(),
            Discoverability::parse,
            "LISTED, UNLISTED, PRIVATE",
        )?
        .or(item.and_then(|item| item.discoverability)),
        installation_policy: parse_field(
            "installation_policy",
            query.installation_policy.as_deref(),
            InstallationPolicy::parse,
            "AVAILABLE, NOT_AVAILABLE, INSTALLED_BY_DEFAULT",
        )?
        .or(item.map(|item| item.installation_policy))
        .unwrap_or(defaults.installation_policy),
        authentication_policy: parse_field(
            "authentication_policy",
            query.authentication_policy.as_deref(),
            AuthenticationPolicy::parse,
            "ON_USE, ON_INSTALL",
        )?
        .or(item.map(|item| item.authentication_policy))
        .unwrap_or(defaults.authentication_policy),
        // Publishing never changes an admin's decision; new plugins are available.
        status: item.map_or(Status::Available, |item| item.status),
        owner_account_id: query
            .owner
            .clone()
            .or_else(|| existing.and_then(|record| record.owner_account_id.clone())),
        share_with: match &query.share_with {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|account| !account.is_empty())
                .map(str::to_owned)
                .collect(),
            None => item.map_or_else(Vec::new, |item| {
                item.share_principals
                    .iter()
                    .filter(|principal| principal.principal_type == "user")
                    .map(|principal| principal.principal_id.clone())
                    .collect()
            }),
        },
        published_by: Some(publisher.to_owned()),
    })
}

/// Streams the request body into a staged file under `dir`, hashing it; refuses more than
/// clients download.
async fn stage_upload(
    body: Body,
    dir: PathBuf,
) -> Result<(tempfile::NamedTempFile, String, u64), ApiError> {
    let staging_error = |err: std::io::Error| {
        ApiError::Internal(crate::error::StoreError::Bundle {
            path: dir.clone(),
            source: err,
        })
    };
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(staging_error)?;
    let staged = tempfile::Builder::new()
        .prefix(".upload-")
        .tempfile_in(&dir)
        .map_err(staging_error)?;
    let mut file = tokio::fs::File::from_std(staged.as_file().try_clone().map_err(staging_error)?);
    let mut hasher = Sha256::new();
    let mut total = 0_u64;
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk
            .map_err(|err| ApiError::BadRequest(format!("the upload was interrupted: {err}")))?;
        total += u64::try_from(chunk.len()).unwrap_or(u64::MAX);
        if total > MAX_BUNDLE_BYTES {
            return Err(ApiError::PayloadTooLarge(format!(
                "the bundle is over {MAX_BUNDLE_BYTES} bytes, the most clients download; make the plugin smaller"
            )));
        }
        hasher.update(&chunk);
        file.write_all(&chunk).await.map_err(staging_error)?;
    }
    file.sync_all().await.map_err(staging_error)?;
    if total == 0 {
        return Err(ApiError::BadRequest(
            "the upload is empty; send the bundle (a gzip tar) as the request body".to_owned(),
        ));
    }
    let sha256_hex = hasher
        .finalize()
        .iter()
        .fold(String::new(), |mut hex, byte| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{byte:02x}");
            hex
        });
    Ok((staged, sha256_hex, total))
}

/// Refuses unless `grant` may publish plugin `id` (new, or one its account published or owns).
async fn authorize(
    state: &AppState,
    grant: &Grant,
    id: &str,
    existing: Option<&PluginRecord>,
    options: &PublishOptions,
) -> Result<(), ApiError> {
    if !grant.allows_plugin(id) {
        return Err(ApiError::Forbidden {
            code: "forbidden",
            message: format!(
                "this token may publish only {}, not `{}`; ask an admin for a token that allows it",
                grant
                    .plugin_ids
                    .as_ref()
                    .map(|ids| ids.join(", "))
                    .unwrap_or_default(),
                clip(id)
            ),
        });
    }
    if grant.allows(TokenScope::Admin) {
        return Ok(());
    }
    let foreign_owner = options
        .owner_account_id
        .as_deref()
        .is_some_and(|owner| owner != grant.account_id);
    let is_publisher = match existing {
        None => !foreign_owner,
        Some(record) => {
            record.owner_account_id.as_deref() == Some(grant.account_id.as_str())
                || state.db.publishers(id).await?.contains(&grant.account_id)
        }
    };
    if is_publisher && !foreign_owner {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            code: "forbidden",
            message: format!(
                "account `{}` may not publish `{}`: it is owned or published by other accounts; \
                 an admin can publish it or give you a token for it",
                grant.account_id,
                clip(id)
            ),
        })
    }
}

pub(crate) async fn publish(
    State(state): State<AppState>,
    caller: Authenticated,
    query: Result<Query<PublishQuery>, axum::extract::rejection::QueryRejection>,
    body: Body,
) -> Result<Json<PublishResponse>, ApiError> {
    let grant = caller.require(TokenScope::Publish)?.clone();
    let Query(query) = query.map_err(|err| ApiError::BadRequest(err.body_text()))?;
    let staging = state.staging_dir.to_path_buf();
    let (staged, sha256_hex, bytes) = stage_upload(body, staging.clone()).await?;
    let staged_path = staged.path().to_path_buf();
    let plugin: ValidatedPlugin =
        tokio::task::spawn_blocking(move || validate_bundle_file(&staged_path, &staging))
            .await
            .map_err(|join| {
                ApiError::Internal(crate::error::StoreError::Bundle {
                    path: PathBuf::from("upload"),
                    source: std::io::Error::other(join),
                })
            })?
            .map_err(refusal)?;
    if let Some(expected) = &query.name
        && expected != &plugin.name
    {
        return Err(ApiError::BadRequest(format!(
            "the bundle holds plugin `{}`, not `{}` named in the request",
            plugin.name,
            clip(expected)
        )));
    }
    let catalog = state.catalog.current().await?;
    let probe = options_for(&query, None, &grant.account_id)?;
    let id = plugin_id_for(&probe, &plugin.name).map_err(refusal)?;
    let existing = catalog.record(&id);
    if let Some(record) = &existing
        && record.item.name != plugin.name
    {
        return Err(ApiError::Conflict(format!(
            "plugin `{id}` is `{}`; the bundle holds `{}`",
            record.item.name, plugin.name
        )));
    }
    let options = options_for(&query, existing.as_deref(), &grant.account_id)?;
    authorize(&state, &grant, &id, existing.as_deref(), &options).await?;
    let store = std::sync::Arc::clone(&state.bundles);
    let digest = sha256_hex.clone();
    tokio::task::spawn_blocking(move || -> Result<(), crate::error::StoreError> {
        let contents =
            std::fs::read(staged.path()).map_err(|source| crate::error::StoreError::Bundle {
                path: staged.path().to_path_buf(),
                source,
            })?;
        store.put(&digest, &contents)
    })
    .await
    .map_err(|join| {
        ApiError::Internal(crate::error::StoreError::Bundle {
            path: PathBuf::from("upload"),
            source: std::io::Error::other(join),
        })
    })??;
    let bundle = ValidatedBundle {
        plugin,
        sha256_hex,
        bytes,
    };
    let published = register_release(&state.db, &bundle, &options)
        .await
        .map_err(refusal)?;
    tracing::info!(
        plugin = %published.item.id,
        version = %bundle.plugin.version,
        account = %grant.account_id,
        created = published.created,
        "published a release"
    );
    Ok(Json(PublishResponse {
        id: published.item.id,
        name: published.item.name,
        version: bundle.plugin.version,
        bundle_sha256: bundle.sha256_hex,
        bundle_bytes: bytes,
        created: published.created,
    }))
}
