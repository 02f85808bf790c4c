//! "Did you mean": the closest known name to one the user typed, for unknown plugins and
//! marketplaces. A name close to nothing gets no suggestion.

/// How similar (Jaro-Winkler, 0 to 1) a candidate must be to be suggested.
const MIN_SIMILARITY: f64 = 0.8;

/// The candidate most similar to `wanted`, if any is similar enough (and not `wanted` itself).
pub(crate) fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .filter(|candidate| *candidate != wanted)
        .map(|candidate| (strsim::jaro_winkler(wanted, candidate), candidate))
        .filter(|(similarity, _)| *similarity >= MIN_SIMILARITY)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// `did you mean `NAME`?` for the closest candidate.
pub(crate) fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(wanted, candidates).map(|name| format!("did you mean `{name}`?"))
}

#[cfg(test)]
#[path = "suggest_tests.rs"]
mod tests;
