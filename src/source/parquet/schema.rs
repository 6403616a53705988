//! The schema's leaves, named as JSON key paths, and what their values are.

use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as Physical};
use parquet::schema::types::{ColumnDescriptor, Type};

use super::Values;

/// What the values of a leaf column are.
pub(super) fn values_of(column: &ColumnDescriptor) -> Values {
    let logical = column.logical_type_ref();
    let converted = column.converted_type();
    match column.physical_type() {
        Physical::BYTE_ARRAY => match (logical, converted) {
            (Some(LogicalType::String | LogicalType::Enum | LogicalType::Json), _) => Values::Text,
            (None, ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON) => Values::Text,
            (None, ConvertedType::NONE) => Values::Binary,
            _ => Values::Other,
        },
        Physical::FIXED_LEN_BYTE_ARRAY => match logical {
            Some(LogicalType::Uuid) if column.type_length() == 16 => Values::Uuid,
            _ => Values::Other,
        },
        Physical::INT32 | Physical::INT64 => match (logical, converted) {
            (Some(LogicalType::Integer { .. }), _) => Values::Number,
            (None, ConvertedType::NONE) => Values::Number,
            (
                None,
                ConvertedType::INT_8
                | ConvertedType::INT_16
                | ConvertedType::INT_32
                | ConvertedType::INT_64
                | ConvertedType::UINT_8
                | ConvertedType::UINT_16
                | ConvertedType::UINT_32
                | ConvertedType::UINT_64,
            ) => Values::Number,
            _ => Values::Other,
        },
        Physical::FLOAT | Physical::DOUBLE => Values::Number,
        Physical::BOOLEAN | Physical::INT96 => Values::Other,
    }
}

/// The path of a schema field below `parent`: a repeated field not inside a list is a list of
/// its own (`tags[]`).
pub(super) fn field_path(parent: &str, field: &Type) -> String {
    let mut path = join(parent, field.name());
    if field.get_basic_info().has_repetition()
        && field.get_basic_info().repetition() == Repetition::REPEATED
    {
        path.push_str("[]");
    }
    path
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// Appends the paths of the leaves of `field`, whose own path is `path`, in the schema's
/// order. Lists and maps are read by the rules of the Parquet format's LogicalTypes.md,
/// backward-compatibility rules included: the repeated group of a list is not part of the
/// path (`items.list.element` is `items[]`), nor is a map's (`attrs.key_value.key` is
/// `attrs.key`).
pub(super) fn leaves(field: &Type, path: String, out: &mut Vec<String>) {
    if field.is_primitive() {
        out.push(path);
        return;
    }
    let info = field.get_basic_info();
    let children = field.get_fields();
    let repeated_one = children.len() == 1
        && children[0].get_basic_info().has_repetition()
        && children[0].get_basic_info().repetition() == Repetition::REPEATED;
    let list = matches!(info.logical_type_ref(), Some(LogicalType::List))
        || info.converted_type() == ConvertedType::LIST;
    let map = matches!(info.logical_type_ref(), Some(LogicalType::Map))
        || matches!(
            info.converted_type(),
            ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE
        );
    if list && repeated_one {
        let repeated = &children[0];
        let path = if path.ends_with("[]") {
            path
        } else {
            format!("{path}[]")
        };
        // Three levels (`list` → `element`) unless the repeated field is the element itself:
        // a primitive, a group of several fields, or the legacy `array` / `*_tuple` names.
        let element_is_repeated = repeated.is_primitive()
            || repeated.get_fields().len() != 1
            || repeated.name() == "array"
            || repeated.name().ends_with("_tuple");
        if element_is_repeated {
            descend(repeated, path, out);
        } else {
            let element = &repeated.get_fields()[0];
            if element.is_primitive() {
                out.push(path);
            } else {
                leaves(element, path, out);
            }
        }
        return;
    }
    if map && repeated_one && children[0].is_group() {
        for f in children[0].get_fields() {
            leaves(f, join(&path, f.name()), out);
        }
        return;
    }
    for f in children {
        leaves(f, field_path(&path, f), out);
    }
}

/// The leaves of a list's repeated field that is its element.
fn descend(element: &Type, path: String, out: &mut Vec<String>) {
    if element.is_primitive() {
        out.push(path);
    } else {
        for f in element.get_fields() {
            leaves(f, field_path(&path, f), out);
        }
    }
}
