//! The demo storefront: a merchant's site on its own origin. Like a real
//! merchant's back end, it signs the shopper in server-side and puts only
//! the signature on the page, never the secret.

use super::{DEMO_CUSTOMER, DEMO_SHOP};
use crate::clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::shops;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use lojal_core::identity::{self, CustomerId};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::ServeDir;

#[derive(Debug, Clone)]
pub struct StorefrontConfig {
    pub db: Db,
    /// The page and its styles (`www/`).
    pub www: PathBuf,
    /// Where shoppers' browsers reach the Lojal server, e.g. `http://127.0.0.1:8080`.
    pub api_origin: String,
}

/// Where the page template wants the widget's script tag.
const SCRIPT_SLOT: &str = "<!-- lojal:script -->";
const WHO_SLOT: &str = "<!-- lojal:who -->";

pub fn storefront(config: StorefrontConfig) -> Router {
    let assets = ServeDir::new(&config.www);
    Router::new().route("/", get(page)).fallback_service(assets).with_state(Arc::new(config))
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    /// A customer id to sign in as, or `guest`.
    #[serde(rename = "as")]
    who: Option<String>,
    locale: Option<String>,
}

async fn page(State(config): State<Arc<StorefrontConfig>>, Query(query): Query<PageQuery>) -> Response {
    match render(&config, &query).await {
        Ok(html) => Html(html).into_response(),
        Err(Error::Invalid(e)) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn render(config: &StorefrontConfig, query: &PageQuery) -> Result<String> {
    let template = tokio::fs::read_to_string(config.www.join("index.html"))
        .await
        .map_err(Error::io("reading the storefront page"))?;
    let shop = shops::get(&config.db, DEMO_SHOP).await?;
    let who = query.who.as_deref().unwrap_or(DEMO_CUSTOMER);
    let shipped = |l: &&str| matches!(*l, "en" | "sv" | "da");
    let locale = query.locale.as_deref().filter(shipped).unwrap_or("sv");
    let mut attrs = vec![
        ("data-shop", shop.id.clone()),
        ("data-locale", locale.to_owned()),
        // The demo's "join" signs in a brand-new member; "sign in" the demo member.
        ("data-join-url", format!("/?as=newcomer&locale={locale}")),
        ("data-sign-in-url", format!("/?locale={locale}")),
    ];
    let who_text = if who == "guest" {
        "Browsing as a guest".to_owned()
    } else {
        let customer = CustomerId::parse(who)?;
        let ts = clock::now();
        let sig = identity::sign(&shop.secret, &shop.id, customer.as_str(), ts);
        attrs.push(("data-customer", customer.to_string()));
        attrs.push(("data-customer-ts", ts.to_string()));
        attrs.push(("data-customer-sig", sig));
        format!("Signed in as {customer}")
    };
    let mut tag = format!(r#"<script src="{}/widget.js" async"#, escape(&config.api_origin));
    for (name, value) in attrs {
        tag.push_str(&format!(r#" {name}="{}""#, escape(&value)));
    }
    tag.push_str("></script>");
    Ok(template
        .replace(SCRIPT_SLOT, &tag)
        .replace(WHO_SLOT, &escape(&who_text))
        .replace("<html lang=\"sv\">", &format!("<html lang=\"{locale}\">")))
}

/// Escapes text for HTML content and double-quoted attributes. Every value
/// here is validated already; this keeps it safe should that ever change.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escaping_neutralises_markup_and_quotes() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
