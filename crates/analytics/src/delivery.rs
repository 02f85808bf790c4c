//! HTTP delivery through the outbox. A new batch is written to the outbox before it is sent and
//! removed once the endpoint accepted (or for good refused) it; if the endpoint is down or the
//! shutdown deadline comes first, it stays there. A drain sends, oldest first, what earlier
//! processes left for the same endpoint and account, under the outbox's delivery lock so two
//! processes do not send the same batch at once.

use std::path::PathBuf;
use std::sync::Arc;

use berth_auth::{CodexAuth, load_auth};

use crate::http::{HttpOutcome, HttpSender, RequestAuth};
use crate::outbox::{Outbox, StoredBatch};
use crate::stats::StatsCounters;

/// A `ChatGPT` login: access token and account id.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub(crate) access_token: String,
    pub(crate) account_id: Option<String>,
}

impl Credentials {
    fn auth(&self) -> RequestAuth<'_> {
        RequestAuth {
            access_token: &self.access_token,
            account_id: self.account_id.as_deref(),
        }
    }
}

/// Reads `auth.json` off the async threads; `None` unless it holds a `ChatGPT` login.
pub(crate) async fn chatgpt_credentials(codex_home: PathBuf) -> Option<Credentials> {
    let loaded = tokio::task::spawn_blocking(move || load_auth(&codex_home)).await;
    match loaded {
        Ok(Ok(Some(CodexAuth::ChatGpt {
            access_token,
            account_id,
            ..
        }))) => Some(Credentials {
            access_token,
            account_id,
        }),
        Ok(Ok(Some(CodexAuth::ApiKey { .. }) | None)) => {
            tracing::debug!("not sending analytics events: no ChatGPT login");
            None
        }
        Ok(Err(err)) => {
            tracing::warn!("not sending analytics events: {err}");
            None
        }
        Err(err) => {
            tracing::warn!("not sending analytics events: reading the login failed: {err}");
            None
        }
    }
}

/// A batch written to the outbox and about to be sent.
pub(crate) struct PendingBatch {
    pub(crate) stored: Option<StoredBatch>,
    /// The id it is sent under (the stored one, or a fresh one when storing failed).
    pub(crate) id: String,
}

/// Sends batches to one endpoint, keeping them in the outbox until they are answered.
#[derive(Debug, Clone)]
pub(crate) struct HttpDelivery {
    pub(crate) sender: HttpSender,
    pub(crate) outbox: Option<Outbox>,
}

impl HttpDelivery {
    /// Writes the batch to the outbox first (a failure to write is logged and the batch is
    /// still sent).
    pub(crate) async fn store(
        &self,
        body: &[u8],
        count: u64,
        credentials: &Credentials,
    ) -> PendingBatch {
        let Some(outbox) = self.outbox.clone() else {
            return PendingBatch {
                stored: None,
                id: uuid::Uuid::new_v4().to_string(),
            };
        };
        let url = self.sender.url().to_owned();
        let account = credentials.account_id.clone();
        let body = body.to_vec();
        let stored = tokio::task::spawn_blocking(move || {
            outbox.store(&url, account.as_deref(), body, count)
        })
        .await;
        match stored.unwrap_or_else(|join| Err(std::io::Error::other(join))) {
            Ok(stored) => PendingBatch {
                id: stored.id.clone(),
                stored: Some(stored),
            },
            Err(err) => {
                tracing::debug!("could not write an analytics batch to the outbox: {err}");
                PendingBatch {
                    stored: None,
                    id: uuid::Uuid::new_v4().to_string(),
                }
            }
        }
    }

    /// Sends a stored batch and removes it from the outbox once it is answered for good.
    pub(crate) async fn send(
        &self,
        body: &[u8],
        pending: &PendingBatch,
        credentials: &Credentials,
    ) -> HttpOutcome {
        let outcome = self
            .sender
            .send(body, credentials.auth(), &pending.id)
            .await;
        if outcome != HttpOutcome::Unreachable
            && let Some(stored) = &pending.stored
        {
            stored.remove();
        }
        outcome
    }

    /// Starts delivering what earlier processes left in the outbox for this endpoint, in the
    /// background; `None` when there is nothing to do.
    pub(crate) fn spawn_drain(
        &self,
        codex_home: PathBuf,
        stats: Arc<StatsCounters>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let outbox = self.outbox.clone()?;
        let sender = self.sender.clone();
        Some(tokio::spawn(async move {
            drain(&sender, &outbox, codex_home, &stats).await;
        }))
    }
}

async fn drain(sender: &HttpSender, outbox: &Outbox, codex_home: PathBuf, stats: &StatsCounters) {
    let listing = outbox.clone();
    let url = sender.url().to_owned();
    let claimed = tokio::task::spawn_blocking(move || {
        if !listing.has_pending() {
            return None;
        }
        let lock = listing.try_lock_delivery()?;
        listing.enforce_limits();
        Some((lock, listing.pending(&url)))
    })
    .await;
    let Ok(Some((_lock, batches))) = claimed else {
        return;
    };
    if batches.is_empty() {
        return;
    }
    let Some(credentials) = chatgpt_credentials(codex_home).await else {
        return;
    };
    for batch in batches {
        // Another account's events wait for that account (or for the age bound).
        if batch.account_id != credentials.account_id {
            continue;
        }
        match sender
            .send(&batch.body, credentials.auth(), &batch.id)
            .await
        {
            HttpOutcome::Delivered => {
                batch.remove();
                StatsCounters::add(&stats.outbox_delivered, batch.events);
            }
            HttpOutcome::Rejected => {
                batch.remove();
                StatsCounters::add(&stats.failed, batch.events);
            }
            // The endpoint is down again: the rest waits for the next process.
            HttpOutcome::Unreachable => return,
        }
    }
}
