//! The IdP's own HTML pages: the sign-in page and the refusal page. Plain,
//! accessible HTML (labels, one heading, no scripts); every value that
//! came from a request or the directory is HTML-escaped (SECURITY.md IDP4).
//! The auto-submitting SAML form itself comes from the SAML layer.

use super::profile::Vendor;

/// HTML escaping for element content and quoted attributes: the SAML
/// layer's, so the auto-submit form and these pages escape alike.
pub use crate::saml::escape::html as esc;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}\
         label{{display:block;margin-top:1rem}}input{{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}}\
         button{{margin-top:1.5rem;font-size:1rem;padding:.5rem 1.5rem}}.error{{color:#a00;border-left:4px solid #a00;padding-left:.75rem}}\
         .code{{color:#555;font-size:.9rem}}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
        esc(title)
    )
}

/// The sign-in page for a pending request. Any password is accepted; the
/// field is there so the page behaves like a real one in a browser.
pub fn login_page(
    vendor: Vendor,
    sp_name: &str,
    pending: &str,
    email: &str,
    error: Option<&str>,
) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>\n", esc(e)))
        .unwrap_or_default();
    let body = format!(
        "<h1>Sign in to {product}</h1>\n<p>to continue to <strong>{sp}</strong></p>\n{error}\
         <form method=\"post\" action=\"/login\">\n\
         <input type=\"hidden\" name=\"pending\" value=\"{pending}\">\n\
         <label for=\"email\">Email</label>\n\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required autofocus value=\"{email}\">\n\
         <label for=\"password\">Password</label>\n\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\">\n\
         <button type=\"submit\">Sign in</button>\n</form>\n\
         <p class=\"code\">ssosim mock IdP: any password works.</p>\n",
        product = esc(vendor.product()),
        sp = esc(sp_name),
        pending = esc(pending),
        email = esc(email),
    );
    page(&format!("Sign in – {}", vendor.product()), &body)
}

/// A refusal shown by the IdP itself (nothing is sent to the SP).
pub fn error_page(vendor: Vendor, title: &str, message: &str, code: &str) -> String {
    let body = format!(
        "<h1>{}</h1>\n<p class=\"error\" role=\"alert\">{}</p>\n<p class=\"code\">{} · error code <code>{}</code></p>\n",
        esc(title),
        esc(message),
        esc(vendor.product()),
        esc(code),
    );
    page(title, &body)
}

/// A plain page with a heading and a paragraph (e.g. the index).
pub fn info_page(title: &str, paragraphs: &[String]) -> String {
    let mut body = format!("<h1>{}</h1>\n", esc(title));
    for p in paragraphs {
        body.push_str(&format!("<p>{}</p>\n", esc(p)));
    }
    page(title, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_from_outside_is_escaped() {
        let evil = "\"><script>alert(1)</script>";
        let p = login_page(Vendor::Okta, evil, evil, evil, Some(evil));
        assert!(!p.contains("<script>"));
        let p = error_page(Vendor::Entra, evil, evil, evil);
        assert!(!p.contains("<script>"));
        assert_eq!(esc("a&'\""), "a&amp;&#39;&quot;");
    }
}
