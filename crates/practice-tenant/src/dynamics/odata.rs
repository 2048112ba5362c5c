//! The OData query options the simulator honours (ms-api.md §6.5): `$filter` with
//! eq/ne/gt/ge/lt/le, and/or/not, parentheses and `contains()`; `$select`; `$top`; `$orderby`.
use serde_json::{Map, Value};

use super::entities::EntityDef;
use super::errors::DvError;

pub type Row = Map<String, Value>;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Open,
    Close,
    Comma,
    Word(String),
    Str(String),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, DvError> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                out.push(Tok::Open);
                i += 1
            }
            ')' => {
                out.push(Tok::Close);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            '\'' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(DvError::bad_request(
                                "Syntax error: unterminated string literal in $filter.",
                            ))
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            v.push('\'');
                            i += 2
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            v.push(*c);
                            i += 1
                        }
                    }
                }
                out.push(Tok::Str(v));
            }
            _ => {
                let start = i;
                while i < chars.len() && !matches!(chars[i], ' ' | '\t' | '(' | ')' | ',' | '\'') {
                    i += 1;
                }
                out.push(Tok::Word(chars[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

#[derive(Debug, Clone)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Cmp(String, String, Value),
    Contains(String, String),
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    def: &'a EntityDef,
}

impl Parser<'_> {
    fn peek_word(&self) -> Option<&str> {
        match self.toks.get(self.pos) {
            Some(Tok::Word(w)) => Some(w.as_str()),
            _ => None,
        }
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn field(&self, name: &str) -> Result<String, DvError> {
        if self.def.fields.contains(&name) {
            Ok(name.to_string())
        } else {
            Err(DvError::bad_request(format!(
                "Could not find a property named '{name}' on type 'Microsoft.Dynamics.CRM.{}'.",
                self.def.logical
            )))
        }
    }

    fn or(&mut self) -> Result<Filter, DvError> {
        let mut left = self.and()?;
        while self.peek_word() == Some("or") {
            self.pos += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, DvError> {
        let mut left = self.unary()?;
        while self.peek_word() == Some("and") {
            self.pos += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, DvError> {
        if self.peek_word() == Some("not") {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        match self.next() {
            Some(Tok::Open) => {
                let f = self.or()?;
                match self.next() {
                    Some(Tok::Close) => Ok(f),
                    _ => Err(DvError::bad_request(
                        "Syntax error: ')' expected in $filter.",
                    )),
                }
            }
            Some(Tok::Word(w)) if w == "contains" => {
                let ok_open = self.next() == Some(Tok::Open);
                let field = match self.next() {
                    Some(Tok::Word(f)) => self.field(&f)?,
                    _ => {
                        return Err(DvError::bad_request(
                            "Syntax error: contains() needs a property name.",
                        ))
                    }
                };
                let ok_comma = self.next() == Some(Tok::Comma);
                let text = match self.next() {
                    Some(Tok::Str(s)) => s,
                    _ => {
                        return Err(DvError::bad_request(
                            "Syntax error: contains() needs a string literal.",
                        ))
                    }
                };
                if !ok_open || !ok_comma || self.next() != Some(Tok::Close) {
                    return Err(DvError::bad_request(
                        "Syntax error: contains(property,'text') expected.",
                    ));
                }
                Ok(Filter::Contains(field, text))
            }
            Some(Tok::Word(w)) => {
                let field = self.field(&w)?;
                let op = match self.next() {
                    Some(Tok::Word(op)) if ["eq", "ne", "gt", "ge", "lt", "le"].contains(&op.as_str()) => op,
                    other => {
                        return Err(DvError::bad_request(format!(
                            "Syntax error: a comparison operator (eq, ne, gt, ge, lt, le) was expected after '{w}', found {other:?}."
                        )))
                    }
                };
                let value = match self.next() {
                    Some(Tok::Str(s)) => Value::String(s),
                    Some(Tok::Word(v)) => literal(&v)?,
                    _ => {
                        return Err(DvError::bad_request(format!(
                            "Syntax error: a value was expected after '{w} {op}'."
                        )))
                    }
                };
                Ok(Filter::Cmp(field, op, value))
            }
            other => Err(DvError::bad_request(format!(
                "Syntax error at {other:?} in $filter."
            ))),
        }
    }
}

fn literal(v: &str) -> Result<Value, DvError> {
    match v {
        "true" => Ok(Value::Bool(true)),
        "false" => Ok(Value::Bool(false)),
        "null" => Ok(Value::Null),
        _ => {
            if let Ok(n) = v.parse::<i64>() {
                return Ok(Value::from(n));
            }
            if let Ok(n) = v.parse::<f64>() {
                return Ok(Value::from(n));
            }
            if uuid::Uuid::parse_str(v).is_ok() {
                return Ok(Value::String(v.to_ascii_lowercase()));
            }
            Err(DvError::bad_request(format!(
                "Syntax error: '{v}' is not a valid literal in $filter."
            )))
        }
    }
}

pub fn parse_filter(text: &str, def: &EntityDef) -> Result<Filter, DvError> {
    let mut p = Parser {
        toks: tokenize(text)?,
        pos: 0,
        def,
    };
    let f = p.or()?;
    if p.pos != p.toks.len() {
        return Err(DvError::bad_request(format!(
            "Syntax error: unexpected text at position {} of $filter.",
            p.pos
        )));
    }
    Ok(f)
}

fn cmp(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => {
            Some(x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()))
        }
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Null, Value::Null) => Some(std::cmp::Ordering::Equal),
        _ => None,
    }
}

impl Filter {
    pub fn matches(&self, row: &Row) -> bool {
        match self {
            Filter::And(a, b) => a.matches(row) && b.matches(row),
            Filter::Or(a, b) => a.matches(row) || b.matches(row),
            Filter::Not(a) => !a.matches(row),
            Filter::Contains(f, text) => row
                .get(f)
                .and_then(Value::as_str)
                .is_some_and(|s| s.to_lowercase().contains(&text.to_lowercase())),
            Filter::Cmp(f, op, v) => {
                let have = row.get(f).unwrap_or(&Value::Null);
                let o = cmp(have, v);
                use std::cmp::Ordering::*;
                match op.as_str() {
                    "eq" => o == Some(Equal),
                    "ne" => o != Some(Equal),
                    "gt" => o == Some(Greater),
                    "ge" => matches!(o, Some(Greater | Equal)),
                    "lt" => o == Some(Less),
                    "le" => matches!(o, Some(Less | Equal)),
                    _ => false,
                }
            }
        }
    }
}

/// The properties of `$select`, checked against the entity.
pub fn parse_select(text: &str, def: &EntityDef) -> Result<Vec<String>, DvError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            if def.fields.contains(&s) {
                Ok(s.to_string())
            } else {
                Err(DvError::bad_request(format!(
                    "Could not find a property named '{s}' on type 'Microsoft.Dynamics.CRM.{}'.",
                    def.logical
                )))
            }
        })
        .collect()
}

/// A row as the Web API returns it: the selected properties (all when none), the key always,
/// and `@odata.etag` from `versionnumber`.
pub fn project(row: &Row, select: &[String], def: &EntityDef) -> Value {
    let mut out = Map::new();
    if let Some(v) = row.get("versionnumber") {
        out.insert("@odata.etag".into(), Value::String(format!("W/\"{v}\"")));
    }
    if select.is_empty() {
        for (k, v) in row {
            out.insert(k.clone(), v.clone());
        }
    } else {
        for k in select {
            out.insert(k.clone(), row.get(k).cloned().unwrap_or(Value::Null));
        }
        if let Some(v) = row.get(def.key) {
            out.insert(def.key.to_string(), v.clone());
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamics::entities::MAILBOX;
    use serde_json::json;

    fn row(v: Value) -> Row {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn filters_combine_and_or_contains() {
        let f = parse_filter("(emailrouteraccessapproval eq 1 or emailrouteraccessapproval eq 2) and contains(name,'Ann')", &MAILBOX).unwrap();
        assert!(f.matches(&row(
            json!({"emailrouteraccessapproval": 2, "name": "ann Lee"})
        )));
        assert!(!f.matches(&row(json!({"emailrouteraccessapproval": 3, "name": "Ann"}))));
        let f = parse_filter(
            "_emailserverprofile_value ne null and name eq 'O''Neil'",
            &MAILBOX,
        )
        .unwrap();
        assert!(f.matches(&row(
            json!({"_emailserverprofile_value": "x", "name": "O'Neil"})
        )));
        assert!(!f.matches(&row(
            json!({"_emailserverprofile_value": null, "name": "O'Neil"})
        )));
    }

    #[test]
    fn an_unknown_property_or_broken_syntax_is_a_400() {
        let e = parse_filter("nosuch eq 1", &MAILBOX).unwrap_err();
        assert!(
            e.message
                .contains("Could not find a property named 'nosuch'"),
            "{}",
            e.message
        );
        assert_eq!(e.status.as_u16(), 400);
        assert!(parse_filter("name eq 'open", &MAILBOX).is_err());
        assert!(parse_filter("name eq", &MAILBOX).is_err());
        assert!(parse_filter("(name eq 'a'", &MAILBOX).is_err());
    }
}
