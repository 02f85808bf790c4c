use super::*;
use pretty_assertions::assert_eq;

#[test]
fn a_typo_suggests_the_closest_name_and_a_stranger_suggests_nothing() {
    let names = ["hello", "notes", "retired"];
    assert_eq!(closest("helo", names), Some("hello"));
    assert_eq!(closest("note", names), Some("notes"));
    assert_eq!(closest("zzz", names), None);
    assert_eq!(closest("hello", names), None);
    assert_eq!(
        did_you_mean("berth-exmaples", ["berth-examples", "debug"]),
        Some("did you mean `berth-examples`?".to_owned())
    );
}
