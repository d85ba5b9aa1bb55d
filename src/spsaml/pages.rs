//! The standalone SP's HTML pages: plain, escaped, readable in a terminal
//! (`curl`) as well as a browser.

use super::core::{AcsOutcome, SpSettings};
use crate::saml::reason::explain;

/// HTML-escapes text for element content and quoted attributes.
pub fn esc(s: &str) -> String {
    crate::saml::escape::html(s)
}

fn wrap(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n<body>\n{body}</body>\n</html>\n",
        esc(title)
    )
}

/// A page with a heading and one paragraph.
pub fn simple(title: &str, text: &str) -> String {
    wrap(
        title,
        &format!("<h1>{}</h1>\n<p>{}</p>\n", esc(title), esc(text)),
    )
}

/// The ACS answer: "accepted: NAME" with the attributes, or the reason
/// and what to do about it.
pub fn acs(o: &AcsOutcome) -> String {
    let mut body = String::new();
    let title = match &o.result {
        Ok(login) => {
            body.push_str(&format!("<h1>accepted: {}</h1>\n", esc(&login.name_id)));
            body.push_str(&format!("<p>issuer: {}</p>\n<ul>\n", esc(&login.issuer)));
            for (name, values) in &login.attributes {
                body.push_str(&format!(
                    "<li>{}: {}</li>\n",
                    esc(name),
                    esc(&values.join(", "))
                ));
            }
            body.push_str("</ul>\n");
            if let Some(p) = &o.relay_state {
                body.push_str(&format!(
                    "<p>continue to <a href=\"{}\">{}</a></p>\n",
                    esc(p),
                    esc(p)
                ));
            }
            format!("accepted: {}", login.name_id)
        }
        Err(r) => {
            body.push_str(&format!("<h1>rejected: {}</h1>\n", esc(r.name())));
            body.push_str(&format!("<p>{}</p>\n", esc(&r.detail)));
            body.push_str(&format!("<p>{}</p>\n", esc(&explain(r))));
            format!("rejected: {}", r.name())
        }
    };
    for n in &o.notes {
        body.push_str(&format!("<p class=\"note\">note: {}</p>\n", esc(n)));
    }
    wrap(&title, &body)
}

/// The index: who is signed in, and where things are.
pub fn home(s: &SpSettings, signed_in: Option<&str>) -> String {
    let who = match signed_in {
        Some(n) => format!("<p>signed in as {}</p>\n", esc(n)),
        None => "<p>not signed in</p>\n".to_string(),
    };
    wrap(
        "ssosim SP",
        &format!(
            "<h1>ssosim SP</h1>\n{who}<p><a href=\"/login\">sign in with {}</a></p>\n<p>entity id: {}<br>ACS: {}<br>metadata: <a href=\"/saml/metadata\">{}</a></p>\n",
            esc(&s.idp.entity_id),
            esc(&s.entity_id),
            esc(&s.acs_url()),
            esc(&s.metadata_url()),
        ),
    )
}
