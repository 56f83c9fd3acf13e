//! The demo storefront: a merchant's site on its own origin. Like a real
//! merchant's back end, it signs the shopper in server-side and puts only
//! the signature on the page, never the secret.

use super::{DEMO_CUSTOMER, DEMO_SHOP};
use crate::clock;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::store::shops;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use lojal_core::identity::{self, CustomerId};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use tower::ServiceExt;
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
const QUERY_SLOT: &str = "{{query}}";

pub fn storefront(config: StorefrontConfig) -> Router {
    let files = ServeDir::new(&config.www);
    Router::new()
        .route("/", get(home))
        .route("/{page}", get(page))
        // Files in folders (an app's node_modules, say), as they are.
        .fallback_service(files)
        .with_state(Arc::new(config.clone()))
        // The merchant's back end at checkout: codes and orders, with Lojal.
        .merge(super::checkout::routes(config.db))
}

#[derive(Debug, Deserialize)]
struct PageQuery {
    /// A customer id to sign in as, or `guest`.
    #[serde(rename = "as")]
    who: Option<String>,
    locale: Option<String>,
}

async fn home(state: State<Arc<StorefrontConfig>>, query: Query<PageQuery>, request: Request) -> Response {
    page(state, Path("index.html".to_owned()), query, request).await
}

/// The storefront's pages (`index.html`, `cart.html`, `account.html`, ...),
/// each with the widget's script tag filled in for the shopper.
async fn page(
    State(config): State<Arc<StorefrontConfig>>,
    Path(name): Path<String>,
    Query(query): Query<PageQuery>,
    request: Request,
) -> Response {
    let is_page =
        name.ends_with(".html") && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if !is_page || name.contains("..") {
        // Styles and other files, as they are.
        return match ServeDir::new(&config.www).oneshot(request).await {
            Ok(response) => response.into_response(),
            Err(never) => match never {},
        };
    }
    match render(&config, &name, &query).await {
        Ok(html) => Html(html).into_response(),
        Err(Error::Invalid(e)) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn render(config: &StorefrontConfig, name: &str, query: &PageQuery) -> Result<String> {
    let template = match tokio::fs::read_to_string(config.www.join(name)).await {
        Ok(template) => template,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Error::NotFound),
        Err(e) => return Err(Error::io("reading a storefront page")(e)),
    };
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
        // Links between the pages keep who is browsing and in which language.
        .replace(QUERY_SLOT, &escape(&format!("?as={who}&locale={locale}")))
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
