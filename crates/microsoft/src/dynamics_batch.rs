//! The `$batch` wire format (ms-api.md §6.5, P-LIM): a multipart/mixed body of `application/http`
//! parts; writes go in a changeset (a nested multipart/mixed) so they succeed or fail together.
use serde_json::Value;

/// One request of a batch.
#[derive(Debug, Clone)]
pub struct BatchOp {
    pub method: &'static str,
    /// Relative to the service root, e.g. `mailboxes(<id>)`.
    pub path: String,
    pub body: Option<Value>,
    /// `If-Match: *` so that a PATCH never creates a record (an update of an existing row only).
    pub if_match_any: bool,
}

/// One answer of a batch; `content_id` is the 1-based position of the operation in its changeset.
#[derive(Debug, Clone)]
pub struct BatchAnswer {
    pub status: u16,
    pub content_id: Option<usize>,
    pub body: String,
}

/// The request body: one changeset holding `ops` when `changeset`, else one part per op.
pub fn render(ops: &[BatchOp], root: &str, boundary: &str, changeset: bool) -> String {
    let mut out = String::new();
    let cs = format!("changeset_{}", boundary.trim_start_matches("batch_"));
    if changeset {
        out.push_str(&format!(
            "--{boundary}\r\nContent-Type: multipart/mixed; boundary={cs}\r\n\r\n"
        ));
    }
    for (i, op) in ops.iter().enumerate() {
        out.push_str(&format!("--{}\r\n", if changeset { &cs } else { boundary }));
        out.push_str("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
        out.push_str(&format!("Content-ID: {}\r\n\r\n", i + 1));
        out.push_str(&format!("{} {root}{} HTTP/1.1\r\n", op.method, op.path));
        if op.if_match_any {
            out.push_str("If-Match: *\r\n");
        }
        match &op.body {
            Some(b) => out.push_str(&format!("Content-Type: application/json\r\n\r\n{b}\r\n")),
            None => out.push_str("\r\n"),
        }
    }
    if changeset {
        out.push_str(&format!("--{cs}--\r\n"));
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

fn boundary_of(content_type: &str) -> Option<String> {
    content_type.split(';').map(str::trim).find_map(|p| {
        p.strip_prefix("boundary=")
            .map(|b| b.trim_matches('"').to_string())
    })
}

fn split(body: &str, boundary: &str) -> Vec<String> {
    let delim = format!("--{boundary}");
    body.split(delim.as_str())
        .skip(1)
        .take_while(|c| !c.starts_with("--"))
        .map(|c| {
            c.trim_start_matches("\r\n")
                .trim_start_matches('\n')
                .to_string()
        })
        .collect()
}

fn head_and_rest(text: &str) -> (Vec<(String, String)>, String) {
    let norm = text.replace("\r\n", "\n");
    let (head, rest) = norm.split_once("\n\n").unwrap_or((norm.as_str(), ""));
    let headers = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (headers, rest.to_string())
}

fn parse_answer(part: &str) -> Result<BatchAnswer, String> {
    let (outer, inner) = head_and_rest(part);
    let content_id = outer
        .iter()
        .find(|(k, _)| k == "content-id")
        .and_then(|(_, v)| v.parse().ok());
    let (status_line, rest) = inner.split_once('\n').unwrap_or((inner.as_str(), ""));
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| {
            format!(
                "a batch answer has no status line (\"{}\")",
                status_line.trim()
            )
        })?;
    let (_, body) = head_and_rest(rest);
    Ok(BatchAnswer {
        status,
        content_id,
        body: body.trim().to_string(),
    })
}

/// The answers of a batch response, changesets flattened in order.
pub fn parse(body: &str, content_type: &str) -> Result<Vec<BatchAnswer>, String> {
    let b = boundary_of(content_type).ok_or("the batch answer's Content-Type has no boundary")?;
    let mut out = Vec::new();
    for part in split(body, &b) {
        let (headers, rest) = head_and_rest(&part);
        let ct = headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        if ct.starts_with("multipart/mixed") {
            let cb = boundary_of(ct).ok_or("a changeset answer has no boundary")?;
            for p in split(&rest, &cb) {
                out.push(parse_answer(&p)?);
            }
        } else {
            out.push(parse_answer(&part)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendered_changeset_names_every_operation_and_an_answer_parses() {
        let ops = vec![
            BatchOp {
                method: "PATCH",
                path: "mailboxes(1)".into(),
                body: Some(serde_json::json!({"a": 1})),
                if_match_any: true,
            },
            BatchOp {
                method: "PATCH",
                path: "mailboxes(2)".into(),
                body: Some(serde_json::json!({"a": 2})),
                if_match_any: true,
            },
        ];
        let text = render(&ops, "https://h/o/api/data/v9.0/", "batch_x", true);
        assert!(
            text.contains("boundary=changeset_x")
                && text.contains("Content-ID: 2")
                && text.contains("If-Match: *")
        );
        assert!(text.contains("PATCH https://h/o/api/data/v9.0/mailboxes(2) HTTP/1.1"));
        let answer = "--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 2\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{\"error\":{}}\r\n--b--\r\n";
        let a = parse(answer, "multipart/mixed; boundary=b").unwrap();
        assert_eq!((a[0].status, a[0].content_id), (404, Some(2)));
        assert_eq!(a[0].body, "{\"error\":{}}");
    }
}
