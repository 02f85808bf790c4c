//! Conversion between `toml_edit` items and `serde_json` values, as used by the generic
//! `get`/`set_value` API behind the app server's `config/value/write`.

use serde_json::Value as Json;
use toml_edit::{Array, InlineTable, Item, Table, Value};

use crate::error::ValueProblem;

/// Converts a TOML item to JSON. `None` for an empty slot ([`Item::None`]).
///
/// Datetimes become strings; non-finite floats (`nan`, `inf`) become their TOML spelling as a
/// string because JSON has no such numbers.
pub(crate) fn item_to_json(item: &Item) -> Option<Json> {
    match item {
        Item::None => None,
        Item::Value(value) => Some(value_to_json(value)),
        Item::Table(table) => Some(Json::Object(
            table
                .iter()
                .filter_map(|(key, item)| Some((key.to_owned(), item_to_json(item)?)))
                .collect(),
        )),
        Item::ArrayOfTables(array) => Some(Json::Array(
            array
                .iter()
                .filter_map(|table| item_to_json(&Item::Table(table.clone())))
                .collect(),
        )),
    }
}

fn value_to_json(value: &Value) -> Json {
    match value {
        Value::String(s) => Json::String(s.value().clone()),
        Value::Integer(i) => Json::from(*i.value()),
        Value::Float(f) => serde_json::Number::from_f64(*f.value())
            .map_or_else(|| Json::String(f.value().to_string()), Json::Number),
        Value::Boolean(b) => Json::Bool(*b.value()),
        Value::Datetime(d) => Json::String(d.value().to_string()),
        Value::Array(array) => Json::Array(array.iter().map(value_to_json).collect()),
        Value::InlineTable(table) => Json::Object(
            table
                .iter()
                .map(|(key, value)| (key.to_owned(), value_to_json(value)))
                .collect(),
        ),
    }
}

/// Converts JSON to a TOML item for a slot inside a standard (`[header]`) table, where
/// objects become standard tables so that `{"enabled": true}` under `plugins.x` is written as
/// `[plugins."x"]` rather than an inline table.
///
/// `null` members of objects are skipped (TOML has no null); `null` inside arrays is an error.
/// The caller handles a top-level `null` (it means "remove").
pub(crate) fn json_to_table_item(json: &Json) -> Result<Item, ValueProblem> {
    match json {
        Json::Object(map) => {
            let mut table = Table::new();
            // Implicit: a table holding only sub-tables gets no header of its own. An empty
            // object still needs one, or it would vanish.
            table.set_implicit(!map.is_empty());
            for (key, value) in map {
                if value.is_null() {
                    continue;
                }
                table.insert(key, json_to_table_item(value)?);
            }
            Ok(Item::Table(table))
        }
        other => Ok(Item::Value(json_to_value(other)?)),
    }
}

/// Converts JSON to an inline TOML value (objects become inline tables).
pub(crate) fn json_to_value(json: &Json) -> Result<Value, ValueProblem> {
    Ok(match json {
        Json::Null => return Err(ValueProblem::NullInArray),
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(f) = n.as_f64().filter(|_| !n.is_u64()) {
                Value::from(f)
            } else {
                return Err(ValueProblem::IntegerOutOfRange(n.to_string()));
            }
        }
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => {
            let mut array = Array::new();
            for item in items {
                array.push(json_to_value(item)?);
            }
            Value::Array(array)
        }
        Json::Object(map) => {
            let mut table = InlineTable::new();
            for (key, value) in map {
                if value.is_null() {
                    continue;
                }
                table.insert(key, json_to_value(value)?);
            }
            table.fmt();
            Value::InlineTable(table)
        }
    })
}

/// Converts JSON to an item for a slot inside an inline table or a standard table.
pub(crate) fn json_to_item(json: &Json, inline: bool) -> Result<Item, ValueProblem> {
    if inline {
        Ok(Item::Value(json_to_value(json)?))
    } else {
        json_to_table_item(json)
    }
}

/// A short description of what an item holds, for "is a string, not a table" messages.
pub(crate) fn describe(item: &Item) -> &'static str {
    match item {
        Item::None => "empty",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(value) => match value {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Boolean(_) => "a boolean",
            Value::Datetime(_) => "a datetime",
            Value::Array(_) => "an array",
            Value::InlineTable(_) => "an inline table",
        },
    }
}
