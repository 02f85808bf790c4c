use pretty_assertions::assert_eq;

use super::*;

fn passed() -> Attempt {
    Attempt {
        validation: Ok(Vec::new()),
        uninstall_error: None,
    }
}

fn failed(message: &str, uninstall_error: Option<&str>) -> Attempt {
    Attempt {
        validation: Err(anyhow::anyhow!("{message}")),
        uninstall_error: uninstall_error.map(str::to_owned),
    }
}

fn uninstalled(cache: Option<&str>) -> FinalState {
    FinalState::Uninstalled {
        uninstall_error: None,
        leftover_cache: cache.map(PathBuf::from),
    }
}

#[test]
fn a_validated_smoke_with_the_original_state_back_passes() {
    assert_eq!(
        classify(passed(), uninstalled(None)),
        Outcome::Pass("analytics validated; original uninstalled state restored".to_owned())
    );
}

#[test]
fn a_failed_validation_with_the_original_state_back_is_clean() {
    assert_eq!(
        classify(
            failed("plugin/install failed: refused", None),
            uninstalled(None)
        ),
        Outcome::FailClean(
            "plugin/install failed: refused; original uninstalled state restored".to_owned()
        )
    );
}

#[test]
fn an_uninstall_error_or_a_leftover_cache_with_the_service_uninstalled_is_local_cache() {
    assert_eq!(
        classify(
            failed("plugin/uninstall reported an error", Some("plugin/uninstall failed: boom")),
            uninstalled(Some("/home/.codex/plugins/cache/m/beta"))
        ),
        Outcome::FailLocalCache(
            "the service is uninstalled but plugin/uninstall failed: boom; the local cache `/home/.codex/plugins/cache/m/beta` is still there (smoke failed first: plugin/uninstall reported an error)"
                .to_owned()
        )
    );
    // The uninstall error alone is enough, even when the cache is gone.
    assert!(matches!(
        classify(failed("x", Some("boom")), uninstalled(None)),
        Outcome::FailLocalCache(_)
    ));
    // A cache alone too, even when everything validated.
    assert!(matches!(
        classify(passed(), uninstalled(Some("/c"))),
        Outcome::FailLocalCache(_)
    ));
}

#[test]
fn still_installed_after_cleanup_is_dirty_and_an_unreadable_state_is_unknown() {
    assert_eq!(
        classify(
            failed("did not become uninstalled", Some("500")),
            FinalState::StillInstalled("`p` is still installed".to_owned())
        ),
        Outcome::FailDirty(
            "`p` is still installed (smoke failed first: did not become uninstalled)".to_owned()
        )
    );
    assert_eq!(
        classify(passed(), FinalState::Unknown("read failed".to_owned())),
        Outcome::FailUnknown("could not read the final state: read failed".to_owned())
    );
}

#[test]
fn shell_quote_leaves_safe_words_and_quotes_the_rest() {
    assert_eq!(shell_quote("plugins~Plugin_beta"), "plugins~Plugin_beta");
    assert_eq!(shell_quote("~/x"), "'~/x'");
    assert_eq!(
        shell_quote("chatgpt_base_url=\"http://x\""),
        "'chatgpt_base_url=\"http://x\"'"
    );
    assert_eq!(shell_quote("it's"), "'it'\\''s'");
    assert_eq!(shell_quote(""), "''");
}
