use pretty_assertions::assert_eq;

use super::map_parallel;

#[test]
fn results_keep_the_order_of_the_items() {
    let items: Vec<u64> = (0..50).collect();
    let doubled = map_parallel(&items, |item| {
        std::thread::sleep(std::time::Duration::from_micros(50 - item));
        item * 2
    });
    assert_eq!(
        doubled,
        items.iter().map(|item| item * 2).collect::<Vec<_>>()
    );
    assert_eq!(map_parallel(&[7_u8], |item| *item), vec![7]);
    assert_eq!(
        map_parallel(&Vec::<u8>::new(), |item| *item),
        Vec::<u8>::new()
    );
}
