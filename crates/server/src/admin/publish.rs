//! `POST /berth/v1/plugins`: publishing over HTTP. The upload streams into a staged file in the
//! bundle store's staging folder (never larger than clients download, never held in memory)
//! while it is hashed, is validated exactly as a client will install it, and only then is moved
//! into the store by digest and registered as a release, published by the token's account. A
//! refused or interrupted upload leaves nothing behind.

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

use crate::auth::Authenticated;
use crate::bundles::{BundleStore, StagedBundle};
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

/// Streams the request body into a staged upload in the bundle store's staging folder (hashed
/// as it is written); refuses more than clients download. Dropped on any refusal, the staged
/// file is removed; if the server is killed, the next sweep removes it.
async fn stage_upload(body: Body, bundles: &dyn BundleStore) -> Result<StagedBundle, ApiError> {
    let mut staged = bundles.stage().await?;
    let mut chunks = body.into_data_stream();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk
            .map_err(|err| ApiError::BadRequest(format!("the upload was interrupted: {err}")))?;
        let total = staged.len() + u64::try_from(chunk.len()).unwrap_or(u64::MAX);
        if total > MAX_BUNDLE_BYTES {
            return Err(ApiError::PayloadTooLarge(format!(
                "the bundle is over {MAX_BUNDLE_BYTES} bytes, the most clients download; make the plugin smaller"
            )));
        }
        staged.write(&chunk).await?;
    }
    if staged.is_empty() {
        return Err(ApiError::BadRequest(
            "the upload is empty; send the bundle (a gzip tar) as the request body".to_owned(),
        ));
    }
    staged.flush().await?;
    Ok(staged)
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
    let staged = stage_upload(body, state.bundles.as_ref()).await?;
    let staged_path = staged.path().to_path_buf();
    let scratch = state.staging_dir.to_path_buf();
    let plugin: ValidatedPlugin = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&scratch).map_err(|source| PublishError::Scratch {
            path: scratch.clone(),
            source,
        })?;
        validate_bundle_file(&staged_path, &scratch)
    })
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
    // A version published already with other bytes is refused before the upload enters the
    // bundle store (registering the release checks again, atomically).
    let sha256_hex = staged.sha256_hex();
    if let Some(release) =
        state.db.releases(&id).await?.into_iter().find(|release| {
            release.version == plugin.version && release.bundle_sha256 != sha256_hex
        })
    {
        return Err(crate::error::StoreError::VersionConflict {
            id,
            version: release.version,
            stored_sha256: release.bundle_sha256,
        }
        .into());
    }
    let stored = state.bundles.put_staged(staged).await?;
    let bundle = ValidatedBundle {
        plugin,
        sha256_hex: stored.sha256_hex,
        bytes: stored.bytes,
    };
    let published = register_release(&state.db, &bundle, &options)
        .await
        .map_err(refusal)?;
    if published.created {
        state.metrics.record_publish();
    }
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
        bundle_bytes: bundle.bytes,
        created: published.created,
    }))
}
