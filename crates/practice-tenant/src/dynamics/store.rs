//! The Dynamics tables and how a request changes them: PATCH (with `If-Match`), POST, GET of a
//! row or a page, WhoAmI and RetrieveVersion. Writes inside a changeset are recorded in a [`Tx`]
//! so the changeset can be rolled back.
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::entities::{self, EntityDef};
use super::errors::{DvError, CODE_OUT_OF_RANGE, CODE_PRECONDITION};
use super::odata::{self, Row};
use super::testjob::{self, Deployment};

/// RetrieveVersion's answer in the practice deployment (a 9.1 server; ms-api.md §6).
pub const PRACTICE_VERSION: &str = "9.1.0.0";
/// The organization's unique name, the first path segment of the Web API URL.
pub const PRACTICE_ORG: &str = "contoso";
/// Rows per page when the client asks for none, and the most it may ask for (ms-api.md §6.5, P-LIM).
pub const MAX_PAGE_SIZE: usize = 5000;
const ORG_ID: &str = "0f1e2d3c-4b5a-4697-8877-665544332211";
const BUSINESS_UNITS: [&str; 2] = [
    "b0000000-0000-4000-8000-000000000001",
    "b0000000-0000-4000-8000-000000000002",
];

/// One write the simulator accepted that changed a record.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub entity: String,
    pub id: String,
    /// The properties whose value changed.
    pub fields: Vec<String>,
    #[serde(skip)]
    pub(crate) tx: u64,
}

#[derive(Debug)]
pub(crate) struct Job {
    pub mailbox: String,
    pub due: Instant,
    pub tx: u64,
}

/// A write context: `id` tags audit entries and jobs; `undo` holds previous rows.
#[derive(Debug, Default)]
pub(crate) struct Tx {
    pub id: u64,
    pub undo: Vec<(&'static str, String, Option<Row>)>,
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    pub tables: HashMap<&'static str, BTreeMap<String, Row>>,
    pub audit: Vec<AuditEntry>,
    pub jobs: VecDeque<Job>,
    pub deployment: Deployment,
    /// The deployment with the CRM deployment and the service principal joined in, refreshed by
    /// every Web API request (`None` until the first one: `deployment` alone).
    pub effective: Option<Deployment>,
    pub version: u64,
    pub seeded: bool,
}

/// A request as the store sees it (after the `/{org}/api/data/v9.x/` prefix).
pub(crate) struct Req<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a [(String, String)],
    pub body: &'a str,
    /// `https://host/{org}/api/data/v9.x/`, for OData-EntityId and nextLink.
    pub service_root: &'a str,
    pub caller_oid: &'a str,
    pub test_delay: Duration,
}

impl Req<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A successful answer.
pub(crate) struct Ok200 {
    pub status: StatusCode,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

fn now_text() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A seeded mailbox's id: stable, ordered by number.
pub fn mailbox_id(n: usize) -> String {
    format!("a0000000-0000-4000-8000-{n:012x}")
}

/// A seeded mailbox's email address.
pub fn mailbox_address(n: usize) -> String {
    format!("user{n:05}@contoso.com")
}

impl Store {
    pub fn ensure_seeded(&mut self) {
        if self.seeded {
            return;
        }
        self.seeded = true;
        for e in entities::ALL {
            self.tables.entry(e.set).or_default();
        }
        let mut org = Map::new();
        org.insert("organizationid".into(), json!(ORG_ID));
        org.insert("name".into(), json!("Contoso"));
        org.insert("_defaultemailserverprofileid_value".into(), Value::Null);
        org.insert(
            "defaultemailsettings".into(),
            json!("<EmailSettings><IncomingEmailDeliveryMethod>0</IncomingEmailDeliveryMethod><OutgoingEmailDeliveryMethod>0</OutgoingEmailDeliveryMethod><ACTDeliveryMethod>2</ACTDeliveryMethod></EmailSettings>"),
        );
        org.insert("versionnumber".into(), json!(1));
        self.table("organizations").insert(ORG_ID.into(), org);
        self.seed_mailboxes(50);
    }

    pub fn table(&mut self, set: &'static str) -> &mut BTreeMap<String, Row> {
        self.tables.entry(set).or_default()
    }

    /// Replaces every mailbox (and its user or queue) with `n` fresh ones: not configured,
    /// pending approval, never tested. Every tenth belongs to a queue.
    pub fn seed_mailboxes(&mut self, n: usize) {
        self.seeded = true;
        let mut mailboxes = BTreeMap::new();
        let mut users = BTreeMap::new();
        let mut queues = BTreeMap::new();
        for i in 1..=n {
            let id = mailbox_id(i);
            let owner = format!("c0000000-0000-4000-8000-{i:012x}");
            let queue = i % 10 == 0;
            let name = if queue {
                format!("Support Queue {i:05}")
            } else {
                format!("Practice User {i:05}")
            };
            let address = if queue {
                format!("queue{i:05}@contoso.com")
            } else {
                mailbox_address(i)
            };
            let bu = BUSINESS_UNITS[i % 2];
            let row = json!({
                "mailboxid": id, "name": name, "emailaddress": address,
                "_emailserverprofile_value": null, "_regardingobjectid_value": owner,
                "_owningbusinessunit_value": bu,
                "incomingemaildeliverymethod": 0, "outgoingemaildeliverymethod": 0, "actdeliverymethod": 2,
                "emailrouteraccessapproval": 2, "testemailconfigurationscheduled": false,
                "incomingemailstatus": 0, "outgoingemailstatus": 0, "actstatus": 0,
                "testmailboxaccesscompletedon": null, "statecode": 0, "versionnumber": 1, "modifiedon": null,
            });
            mailboxes.insert(id, row.as_object().cloned().unwrap_or_default());
            if queue {
                queues.insert(owner.clone(), json!({"queueid": owner, "name": name, "emailaddress": address, "versionnumber": 1}).as_object().cloned().unwrap_or_default());
            } else {
                users.insert(owner.clone(), json!({"systemuserid": owner, "fullname": name, "internalemailaddress": address, "_businessunitid_value": bu, "versionnumber": 1}).as_object().cloned().unwrap_or_default());
            }
        }
        self.tables.insert("mailboxes", mailboxes);
        self.tables.insert("systemusers", users);
        self.tables.insert("queues", queues);
        self.jobs.clear();
        self.audit.retain(|a| a.entity != "mailbox");
    }

    fn next_version(&mut self) -> u64 {
        self.version += 1;
        1000 + self.version
    }

    /// Runs the Test & Enable jobs that are due.
    pub fn run_due_jobs(&mut self) {
        let now = Instant::now();
        while self.jobs.front().is_some_and(|j| j.due <= now) {
            let Some(job) = self.jobs.pop_front() else {
                break;
            };
            self.run_test(&job.mailbox);
        }
    }

    fn run_test(&mut self, mailbox_id: &str) {
        let Some(mb) = self.table("mailboxes").get(mailbox_id).cloned() else {
            return;
        };
        let profile = mb
            .get("_emailserverprofile_value")
            .and_then(Value::as_str)
            .and_then(|p| {
                self.tables
                    .get("emailserverprofiles")
                    .and_then(|t| t.get(p))
                    .cloned()
            });
        let failure = testjob::mailbox_failure(
            self.effective.as_ref().unwrap_or(&self.deployment),
            profile.as_ref(),
            &mb,
        );
        let status = if failure.is_some() { 2 } else { 1 };
        let act = if mb.get("actdeliverymethod").and_then(Value::as_i64) == Some(1) {
            status
        } else {
            0
        };
        let version = self.next_version();
        let stamp = now_text();
        if let Some(row) = self.table("mailboxes").get_mut(mailbox_id) {
            row.insert("incomingemailstatus".into(), json!(status));
            row.insert("outgoingemailstatus".into(), json!(status));
            row.insert("actstatus".into(), json!(act));
            row.insert("testemailconfigurationscheduled".into(), json!(false));
            row.insert("testmailboxaccesscompletedon".into(), json!(stamp));
            row.insert("versionnumber".into(), json!(version));
        }
        if let Some(alert) = failure {
            let id = uuid::Uuid::new_v4().to_string();
            let row = json!({
                "tracelogid": id, "text": alert.text, "level": 3, "tracecode": 401, "tracestatus": 0,
                "errordetails": alert.cause, "_regardingobjectid_value": mailbox_id, "createdon": stamp,
                "versionnumber": version,
            });
            self.table("tracelogs")
                .insert(id, row.as_object().cloned().unwrap_or_default());
        }
    }

    /// The profile's Test Connection result (ms-api.md §6.1 lasttestexecutionstatus/lasttestresponse).
    fn test_profile(&mut self, id: &str) {
        let Some(p) = self.table("emailserverprofiles").get(id).cloned() else {
            return;
        };
        let failure =
            testjob::profile_failure(self.effective.as_ref().unwrap_or(&self.deployment), &p);
        if let Some(row) = self.table("emailserverprofiles").get_mut(id) {
            row.insert(
                "lasttestexecutionstatus".into(),
                json!(if failure.is_some() { 0 } else { 1 }),
            );
            row.insert(
                "lasttestresponse".into(),
                json!(match &failure {
                    Some(a) => format!("{} ({})", a.text, a.cause),
                    None => "Test Connection succeeded: Exchange Online accepted the server-to-server token.".to_string(),
                }),
            );
            row.insert("lastteststarttime".into(), json!(now_text()));
        }
    }

    /// Reverts a failed changeset.
    pub fn rollback(&mut self, tx: Tx) {
        for (set, id, prev) in tx.undo.into_iter().rev() {
            match prev {
                Some(row) => {
                    self.table(set).insert(id, row);
                }
                None => {
                    self.table(set).remove(&id);
                }
            }
        }
        self.audit.retain(|a| a.tx != tx.id);
        self.jobs.retain(|j| j.tx != tx.id);
    }

    pub fn execute(&mut self, req: &Req, tx: &mut Tx) -> Result<Ok200, DvError> {
        let path = req.path.trim_start_matches('/');
        match path {
            "WhoAmI" | "WhoAmI()" => {
                return Ok(ok_json(json!({
                    "@odata.context": format!("{}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse", req.service_root),
                    "BusinessUnitId": BUSINESS_UNITS[0],
                    "UserId": req.caller_oid,
                    "OrganizationId": ORG_ID,
                })))
            }
            "RetrieveVersion" | "RetrieveVersion()" => {
                return Ok(ok_json(json!({
                    "@odata.context": format!("{}$metadata#Microsoft.Dynamics.CRM.RetrieveVersionResponse", req.service_root),
                    "Version": PRACTICE_VERSION,
                })))
            }
            _ => {}
        }
        let (set, key) = match path.split_once('(') {
            Some((set, rest)) => (
                set,
                Some(
                    rest.trim_end_matches(')')
                        .trim_matches('\'')
                        .to_ascii_lowercase(),
                ),
            ),
            None => (path, None),
        };
        let def = entities::by_set(set).ok_or_else(|| {
            DvError::new(
                StatusCode::NOT_FOUND,
                super::errors::CODE_BAD_REQUEST,
                format!("Resource not found for the segment '{set}'."),
            )
        })?;
        if let Some(k) = &key {
            if uuid::Uuid::parse_str(k).is_err() {
                return Err(DvError::bad_request(format!(
                    "Bad Request - Error in query syntax: '{k}' is not a valid key for {}.",
                    def.logical
                )));
            }
        }
        match (req.method, key) {
            ("GET", None) => self.get_page(def, req),
            ("GET", Some(k)) => {
                let select = select_of(req.query, def)?;
                let row = self
                    .table(def.set)
                    .get(&k)
                    .ok_or_else(|| DvError::not_found(def.logical, &k))?;
                Ok(ok_json(odata::project(row, &select, def)))
            }
            ("PATCH", Some(k)) => self.patch(def, &k, req, tx),
            ("POST", None) => self.create(def, req, tx),
            (m, _) => Err(DvError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                super::errors::CODE_BAD_REQUEST,
                format!("The HTTP method '{m}' is not allowed on '{path}'."),
            )),
        }
    }

    fn get_page(&mut self, def: &'static EntityDef, req: &Req) -> Result<Ok200, DvError> {
        let q = query_map(req.query);
        let select = select_of(req.query, def)?;
        let filter = match q.get("$filter") {
            Some(f) => Some(odata::parse_filter(f, def)?),
            None => None,
        };
        let top = match q.get("$top") {
            Some(t) => Some(t.parse::<usize>().map_err(|_| {
                DvError::bad_request(format!(
                    "Invalid value '{t}' for $top: a non-negative integer is expected."
                ))
            })?),
            None => None,
        };
        let asked = req
            .header("prefer")
            .and_then(|p| {
                p.split(',')
                    .map(str::trim)
                    .find_map(|x| x.strip_prefix("odata.maxpagesize="))
            })
            .and_then(|n| n.trim().parse::<usize>().ok())
            .filter(|n| *n > 0);
        let page_size = asked.unwrap_or(MAX_PAGE_SIZE).min(MAX_PAGE_SIZE);
        let table = self.table(def.set);
        let mut rows: Vec<&Row> = table
            .values()
            .filter(|r| filter.as_ref().is_none_or(|f| f.matches(r)))
            .collect();
        let ordered = match q.get("$orderby") {
            Some(o) => {
                let mut words = o.split_whitespace();
                let field = words.next().unwrap_or("").to_string();
                if !def.fields.contains(&field.as_str()) {
                    return Err(DvError::bad_request(format!("Could not find a property named '{field}' on type 'Microsoft.Dynamics.CRM.{}'.", def.logical)));
                }
                let desc = words.next() == Some("desc");
                rows.sort_by(|a, b| {
                    let x = a.get(&field).map(Value::to_string).unwrap_or_default();
                    let y = b.get(&field).map(Value::to_string).unwrap_or_default();
                    if desc {
                        y.cmp(&x)
                    } else {
                        x.cmp(&y)
                    }
                });
                true
            }
            None => false,
        };
        // The skip token: the last key of the previous page (key order), or an offset (other orders).
        let start = match q.get("$skiptoken") {
            Some(t) if t.starts_with("o:") => t[2..]
                .parse::<usize>()
                .map_err(|_| DvError::bad_request("Invalid $skiptoken."))?,
            Some(t) if t.starts_with("k:") => rows
                .iter()
                .position(|r| {
                    r.get(def.key)
                        .and_then(Value::as_str)
                        .is_some_and(|k| k > &t[2..])
                })
                .unwrap_or(rows.len()),
            Some(_) => return Err(DvError::bad_request("Invalid $skiptoken.")),
            None => 0,
        };
        let limit = match top {
            Some(t) => t.min(MAX_PAGE_SIZE),
            None => page_size,
        };
        let end = (start + limit).min(rows.len());
        let value: Vec<Value> = rows[start.min(end)..end]
            .iter()
            .map(|r| odata::project(r, &select, def))
            .collect();
        let mut body = json!({
            "@odata.context": format!("{}$metadata#{}", req.service_root, def.set),
            "value": value,
        });
        if top.is_none() && end < rows.len() {
            let token = if ordered {
                format!("o:{end}")
            } else {
                format!(
                    "k:{}",
                    rows[end - 1]
                        .get(def.key)
                        .and_then(Value::as_str)
                        .unwrap_or("")
                )
            };
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in url::form_urlencoded::parse(req.query.as_bytes()) {
                if k != "$skiptoken" {
                    ser.append_pair(&k, &v);
                }
            }
            ser.append_pair("$skiptoken", &token);
            body["@odata.nextLink"] =
                json!(format!("{}{}?{}", req.service_root, def.set, ser.finish()));
        }
        let mut headers = Vec::new();
        if let Some(n) = asked {
            headers.push((
                "Preference-Applied".to_string(),
                format!("odata.maxpagesize={}", n.min(MAX_PAGE_SIZE)),
            ));
        }
        Ok(Ok200 {
            status: StatusCode::OK,
            headers,
            body: Some(body),
        })
    }

    /// Checks and converts a body's properties into `(attribute, value)` pairs.
    fn writes(
        &self,
        def: &EntityDef,
        body: &Map<String, Value>,
    ) -> Result<Vec<(String, Value)>, DvError> {
        let mut out = Vec::new();
        for (k, v) in body {
            if let Some(nav) = k.strip_suffix("@odata.bind") {
                let bind = def.binds.iter().find(|b| b.nav == nav).ok_or_else(|| {
                    DvError::bad_request(format!("An undeclared property '{nav}' which only has property annotations in the payload but no property value was found in the payload. In OData, only declared navigation properties and declared named streams can be represented as properties without values."))
                })?;
                let target = v.as_str().unwrap_or("");
                let id = target
                    .trim_start_matches('/')
                    .strip_prefix(bind.target_set)
                    .and_then(|r| r.strip_prefix('('))
                    .and_then(|r| r.strip_suffix(')'))
                    .map(str::to_ascii_lowercase)
                    .ok_or_else(|| {
                        DvError::bad_request(format!(
                            "The value '{target}' of {k} is not a reference of the form /{}(<id>).",
                            bind.target_set
                        ))
                    })?;
                if !self
                    .tables
                    .get(bind.target_set)
                    .is_some_and(|t| t.contains_key(&id))
                {
                    let logical = entities::by_set(bind.target_set)
                        .map(|e| e.logical)
                        .unwrap_or(bind.target_set);
                    return Err(DvError::not_found(logical, &id));
                }
                out.push((bind.attr.to_string(), json!(id)));
                continue;
            }
            if !def.writable.contains(&k.as_str()) {
                return Err(DvError::bad_request(format!(
                    "Invalid property '{k}' was found in entity 'Microsoft.Dynamics.CRM.{}'.",
                    def.logical
                )));
            }
            if let Some((_, allowed)) = def.options.iter().find(|(f, _)| f == k) {
                let n = v.as_i64();
                if !n.is_some_and(|n| allowed.contains(&n)) {
                    return Err(DvError::new(
                        StatusCode::BAD_REQUEST,
                        CODE_OUT_OF_RANGE,
                        format!("A validation error occurred. The value {v} of '{k}' on record of type '{}' is outside the valid range.", def.logical),
                    ));
                }
            }
            out.push((k.clone(), v.clone()));
        }
        Ok(out)
    }

    fn parse_body(req: &Req) -> Result<Map<String, Value>, DvError> {
        serde_json::from_str::<Value>(req.body)
            .ok()
            .and_then(|v| v.as_object().cloned())
            .ok_or_else(|| DvError::bad_request("The request body is not a JSON object."))
    }

    fn patch(
        &mut self,
        def: &'static EntityDef,
        id: &str,
        req: &Req,
        tx: &mut Tx,
    ) -> Result<Ok200, DvError> {
        let body = Self::parse_body(req)?;
        let changed: Vec<String> = {
            let current = self
                .tables
                .get(def.set)
                .and_then(|t| t.get(id))
                .ok_or_else(|| DvError::not_found(def.logical, id))?;
            if let Some(m) = req.header("if-match") {
                let etag = format!(
                    "W/\"{}\"",
                    current.get("versionnumber").cloned().unwrap_or(Value::Null)
                );
                if m.trim() != "*" && m.trim() != etag {
                    return Err(DvError::new(
                        StatusCode::PRECONDITION_FAILED,
                        CODE_PRECONDITION,
                        "The version of the existing record doesn't match the RowVersion property provided.",
                    ));
                }
            }
            let writes = self.writes(def, &body)?;
            writes
                .into_iter()
                .filter(|(k, v)| current.get(k) != Some(v))
                .map(|(k, _)| k)
                .collect()
        };
        if changed.is_empty() {
            return Ok(no_content(req, def, id));
        }
        let writes = self.writes(def, &body)?;
        let version = self.next_version();
        let stamp = def.fields.contains(&"modifiedon").then(now_text);
        let Some(row) = self.table(def.set).get_mut(id) else {
            return Err(DvError::not_found(def.logical, id));
        };
        let previous = row.clone();
        for (k, v) in writes {
            row.insert(k, v);
        }
        row.insert("versionnumber".into(), json!(version));
        if let Some(t) = stamp {
            row.insert("modifiedon".into(), json!(t));
        }
        let schedule = def.set == "mailboxes"
            && changed
                .iter()
                .any(|c| c == "testemailconfigurationscheduled")
            && row.get("testemailconfigurationscheduled") == Some(&json!(true));
        if schedule {
            for s in ["incomingemailstatus", "outgoingemailstatus", "actstatus"] {
                row.insert(s.into(), json!(0));
            }
        }
        tx.undo.push((def.set, id.to_string(), Some(previous)));
        self.audit.push(AuditEntry {
            entity: def.logical.into(),
            id: id.into(),
            fields: changed,
            tx: tx.id,
        });
        if schedule {
            self.jobs.push_back(Job {
                mailbox: id.into(),
                due: Instant::now() + req.test_delay,
                tx: tx.id,
            });
        }
        if def.set == "emailserverprofiles" {
            self.test_profile(id);
        }
        Ok(no_content(req, def, id))
    }

    fn create(
        &mut self,
        def: &'static EntityDef,
        req: &Req,
        tx: &mut Tx,
    ) -> Result<Ok200, DvError> {
        if def.writable.is_empty() {
            return Err(DvError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                super::errors::CODE_BAD_REQUEST,
                format!(
                    "Records of {} cannot be created through this simulator.",
                    def.logical
                ),
            ));
        }
        let body = Self::parse_body(req)?;
        for r in def.required {
            if !body.contains_key(*r) {
                return Err(DvError::bad_request(format!(
                    "Required field '{r}' is missing for {}.",
                    def.logical
                )));
            }
        }
        let writes = self.writes(def, &body)?;
        let id = uuid::Uuid::new_v4().to_string();
        let mut row = Map::new();
        row.insert(def.key.into(), json!(id));
        if def.set == "emailserverprofiles" {
            for (k, v) in [
                ("usedefaulttenantid", json!(true)),
                ("useautodiscover", json!(false)),
                ("moveundeliveredemails", json!(false)),
                ("statecode", json!(0)),
                ("statuscode", json!(1)),
                ("lasttestexecutionstatus", Value::Null),
                ("createdon", json!(now_text())),
            ] {
                row.insert(k.into(), v);
            }
        }
        let fields: Vec<String> = writes.iter().map(|(k, _)| k.clone()).collect();
        for (k, v) in writes {
            row.insert(k, v);
        }
        let version = self.next_version();
        row.insert("versionnumber".into(), json!(version));
        tx.undo.push((def.set, id.clone(), None));
        self.table(def.set).insert(id.clone(), row);
        self.audit.push(AuditEntry {
            entity: def.logical.into(),
            id: id.clone(),
            fields,
            tx: tx.id,
        });
        if def.set == "emailserverprofiles" {
            self.test_profile(&id);
        }
        Ok(no_content(req, def, &id))
    }
}

fn ok_json(v: Value) -> Ok200 {
    Ok200 {
        status: StatusCode::OK,
        headers: Vec::new(),
        body: Some(v),
    }
}

fn no_content(req: &Req, def: &EntityDef, id: &str) -> Ok200 {
    Ok200 {
        status: StatusCode::NO_CONTENT,
        headers: vec![(
            "OData-EntityId".into(),
            format!("{}{}({id})", req.service_root, def.set),
        )],
        body: None,
    }
}

fn query_map(q: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(q.as_bytes())
        .into_owned()
        .collect()
}

fn select_of(q: &str, def: &EntityDef) -> Result<Vec<String>, DvError> {
    match query_map(q).get("$select") {
        Some(s) => odata::parse_select(s, def),
        None => Ok(Vec::new()),
    }
}
