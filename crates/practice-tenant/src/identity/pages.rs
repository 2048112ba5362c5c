//! The HTML pages a browser (or a test driving them over HTTP) sees: the sign-in form of
//! `/authorize` and the device verification page `/devicelogin`.
use std::collections::BTreeMap;

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head><body><main><h1>{t}</h1>{body}<p><small>Practice tenant: a simulator for tests and demos. Practice users: admin@, domains@ and user@ the tenant's .onmicrosoft.com domain.</small></p></main></body></html>",
        t = escape(title)
    )
}

fn error_line(error: Option<&str>) -> String {
    error
        .map(|e| format!("<p role=\"alert\" id=\"error\">{}</p>", escape(e)))
        .unwrap_or_default()
}

/// The sign-in form: the authorize parameters ride along as hidden fields.
pub fn sign_in(action: &str, params: &BTreeMap<String, String>, error: Option<&str>) -> String {
    let hidden: String = params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "username" | "password" | "action"))
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    let scope = params.get("scope").map(String::as_str).unwrap_or("");
    page(
        "Sign in to the practice tenant",
        &format!(
            "{err}<p>The app <code>{client}</code> asks for: <code>{scope}</code></p>\
             <form method=\"post\" action=\"{action}\">{hidden}\
             <label>User name <input name=\"username\" autocomplete=\"username\"></label>\
             <label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\"></label>\
             <button name=\"action\" value=\"approve\">Sign in</button>\
             <button name=\"action\" value=\"decline\">Cancel</button></form>",
            err = error_line(error),
            client = escape(params.get("client_id").map(String::as_str).unwrap_or("")),
            scope = escape(scope),
            action = escape(action),
        ),
    )
}

pub fn device_login(error: Option<&str>) -> String {
    page(
        "Enter code",
        &format!(
            "{}<form method=\"post\" action=\"/devicelogin\">\
             <label>Code <input name=\"user_code\"></label>\
             <label>User name <input name=\"username\"></label>\
             <label>Password <input name=\"password\" type=\"password\"></label>\
             <button name=\"action\" value=\"approve\">Continue</button>\
             <button name=\"action\" value=\"decline\">Cancel</button></form>",
            error_line(error)
        ),
    )
}

pub fn done(title: &str, text: &str) -> String {
    page(title, &format!("<p id=\"result\">{}</p>", escape(text)))
}
