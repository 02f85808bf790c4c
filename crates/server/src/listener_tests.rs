use std::sync::Arc;
use std::time::Duration;

use super::{EVICTABLE_AFTER, Registry};

#[test]
fn a_connection_chosen_for_eviction_is_not_chosen_again_before_it_ends() {
    let registry = Arc::new(Registry::default());
    let (_first, _first_registered) = registry.register();
    let (_second, second_registered) = registry.register();
    std::thread::sleep(EVICTABLE_AFTER + Duration::from_millis(50));
    // Two new clients at the cap: each gets the place of a different quiet connection.
    assert!(registry.evict_idlest());
    assert!(registry.evict_idlest());
    // Both are on their way out; there is no third place to give.
    assert!(!registry.evict_idlest());
    // A connection that ended leaves the registry.
    drop(second_registered);
    assert_eq!(registry.lock().len(), 1);
}

#[test]
fn a_connection_quiet_for_less_than_the_eviction_age_is_kept() {
    let registry = Arc::new(Registry::default());
    let (_tracker, _registered) = registry.register();
    assert!(!registry.evict_idlest());
}
