//! `$batch` bodies (ms-api.md §6.5, P-LIM: at most 1000 requests, no nesting): multipart/mixed
//! parts of `application/http`, and changesets (nested multipart/mixed) whose operations succeed
//! or fail together.

/// One HTTP request inside a batch.
#[derive(Debug, Clone)]
pub struct Op {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub content_id: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Part {
    Single(Op),
    Changeset(Vec<Op>),
}

impl Part {
    pub fn op_count(&self) -> usize {
        match self {
            Part::Single(_) => 1,
            Part::Changeset(ops) => ops.len(),
        }
    }
}

/// The `boundary=` of a multipart content type.
pub fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').map(str::trim).find_map(|p| {
        p.strip_prefix("boundary=")
            .map(|b| b.trim_matches('"').to_string())
    })
}

/// The parts between `--boundary` lines, without the closing `--boundary--`.
fn split(body: &str, boundary: &str) -> Vec<String> {
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    for chunk in body.split(delim.as_str()).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        parts.push(
            chunk
                .trim_start_matches("\r\n")
                .trim_start_matches('\n')
                .to_string(),
        );
    }
    parts
}

/// Headers up to the first empty line, and the rest.
fn headers_and_rest(text: &str) -> (Vec<(String, String)>, String) {
    let norm = text.replace("\r\n", "\n");
    let (head, rest) = norm.split_once("\n\n").unwrap_or((norm.as_str(), ""));
    let headers = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (headers, rest.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn parse_op(part: &str) -> Result<Op, String> {
    let (outer, inner) = headers_and_rest(part);
    let content_id = header(&outer, "content-id").map(str::to_string);
    let mut lines = inner.splitn(2, '\n');
    let request_line = lines.next().unwrap_or("").trim().to_string();
    let (headers, body) = headers_and_rest(lines.next().unwrap_or(""));
    let mut words = request_line.split_whitespace();
    let (Some(method), Some(url)) = (words.next(), words.next()) else {
        return Err(format!(
            "a batch part has no request line (\"{request_line}\")"
        ));
    };
    Ok(Op {
        method: method.to_ascii_uppercase(),
        url: url.to_string(),
        headers,
        body: body.trim().to_string(),
        content_id,
    })
}

/// Parses a `$batch` body.
pub fn parse(body: &str, content_type: &str) -> Result<Vec<Part>, String> {
    let b = boundary(content_type).ok_or("the Content-Type has no multipart boundary")?;
    let mut out = Vec::new();
    for raw in split(body, &b) {
        let (headers, rest) = headers_and_rest(&raw);
        let ct = header(&headers, "content-type").unwrap_or("");
        if ct.starts_with("multipart/mixed") {
            let cb = boundary(ct).ok_or("a changeset has no boundary")?;
            let mut ops = Vec::new();
            for p in split(&rest, &cb) {
                let op = parse_op(&p)?;
                if op.method == "GET" {
                    return Err(
                        "a changeset may hold only writes (POST, PATCH, PUT, DELETE)".into(),
                    );
                }
                ops.push(op);
            }
            out.push(Part::Changeset(ops));
        } else {
            out.push(Part::Single(parse_op(&raw)?));
        }
    }
    Ok(out)
}

/// One answer inside the batch response.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub reason: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub content_id: Option<String>,
}

fn write_answer(out: &mut String, a: &Answer) {
    out.push_str("Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n");
    if let Some(id) = &a.content_id {
        out.push_str(&format!("Content-ID: {id}\r\n"));
    }
    out.push_str(&format!("\r\nHTTP/1.1 {} {}\r\n", a.status, a.reason));
    for (k, v) in &a.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !a.body.is_empty() {
        out.push_str("Content-Type: application/json; odata.metadata=minimal\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&a.body);
    out.push_str("\r\n");
}

/// An answer group: a changeset's answers (all successes) or a single answer.
pub enum Group {
    Single(Answer),
    Changeset(Vec<Answer>),
}

/// The response body for `groups`, with `boundary`.
pub fn render(groups: &[Group], boundary: &str) -> String {
    let mut out = String::new();
    for g in groups {
        out.push_str(&format!("--{boundary}\r\n"));
        match g {
            Group::Single(a) => write_answer(&mut out, a),
            Group::Changeset(answers) => {
                let cb = format!("changesetresponse_{}", uuid::Uuid::new_v4());
                out.push_str(&format!(
                    "Content-Type: multipart/mixed; boundary={cb}\r\n\r\n"
                ));
                for a in answers {
                    out.push_str(&format!("--{cb}\r\n"));
                    write_answer(&mut out, a);
                }
                out.push_str(&format!("--{cb}--\r\n"));
            }
        }
    }
    out.push_str(&format!("--{boundary}--\r\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_with_a_changeset_and_a_get_parses() {
        let body = "--batch_1\r\nContent-Type: multipart/mixed; boundary=changeset_2\r\n\r\n--changeset_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\nContent-ID: 1\r\n\r\nPATCH /org/api/data/v9.0/mailboxes(x) HTTP/1.1\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--changeset_2--\r\n\r\n--batch_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET /org/api/data/v9.0/WhoAmI HTTP/1.1\r\n\r\n\r\n--batch_1--\r\n";
        let parts = parse(body, "multipart/mixed; boundary=batch_1").unwrap();
        assert_eq!(parts.len(), 2);
        match &parts[0] {
            Part::Changeset(ops) => {
                assert_eq!(ops[0].method, "PATCH");
                assert_eq!(ops[0].body, "{\"a\":1}");
                assert_eq!(ops[0].content_id.as_deref(), Some("1"));
            }
            _ => panic!("changeset expected"),
        }
        match &parts[1] {
            Part::Single(op) => assert_eq!(op.url, "/org/api/data/v9.0/WhoAmI"),
            _ => panic!("single expected"),
        }
    }
}
