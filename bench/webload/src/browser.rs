//! One virtual user's HTTP side, as a browser would be: a kept-alive HTTP/1 connection, its own
//! source address on the loopback network (the server limits logins per client address, and
//! fifty people are fifty addresses), and the session cookie its login gave it.

use crate::pages::encode;
use anyhow::{Context, Result, anyhow, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{HeaderMap, Method, Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// The server as the generator reaches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// `http://host:port`, without a trailing slash: what `Origin` says.
    pub origin: String,
    /// Whether the host is an IPv4 loopback address, so each user can have its own.
    pub loopback_v4: bool,
}

impl Server {
    /// Reads `http://HOST[:PORT][/]`. Plain HTTP only: the generator carries no TLS.
    pub fn parse(url: &str) -> Result<Server, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!("'{url}' is not an http:// address (the load generator speaks plain HTTP)")
        })?;
        let authority = rest.trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') {
            return Err(format!(
                "'{url}' must be the server's address alone, like http://127.0.0.1:8080"
            ));
        }
        let host = match authority.rsplit_once(':') {
            Some((host, port)) if port.parse::<u16>().is_ok() => host,
            Some(_) => return Err(format!("'{url}' has a port that is not a number")),
            None => authority,
        };
        let loopback_v4 =
            host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback()) || host == "localhost";
        Ok(Server {
            origin: format!("http://{authority}"),
            loopback_v4,
        })
    }
}

/// The loopback address virtual user `index` connects from: 127.0.0.2, 127.0.0.3, … (Linux
/// answers the whole of 127.0.0.0/8 on the loopback interface).
pub fn source_address(index: usize) -> Ipv4Addr {
    let first = u32::from(Ipv4Addr::new(127, 0, 0, 2));
    let last = u32::from(Ipv4Addr::new(127, 255, 255, 254));
    let offset = u32::try_from(index).unwrap_or(u32::MAX);
    Ipv4Addr::from(first.saturating_add(offset).min(last))
}

/// The `name=value` of the session cookie among a response's `Set-Cookie` values (plain
/// `airbridge_session`, or `__Host-airbridge_session` over TLS); `None` when it is not set or
/// set empty (a logout).
pub fn session_cookie<'a>(set_cookies: impl IntoIterator<Item = &'a str>) -> Option<String> {
    set_cookies.into_iter().find_map(|value| {
        let pair = value.split(';').next()?.trim();
        let (name, id) = pair.split_once('=')?;
        (name.ends_with("airbridge_session") && !id.is_empty()).then(|| pair.to_owned())
    })
}

/// Why a request got no answer.
#[derive(Debug)]
pub enum SendError {
    /// No whole answer within the timeout.
    Timeout(Duration),
    /// The request could not be sent, or the connection broke.
    Connection(String),
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Timeout(limit) => write!(f, "no answer within {limit:?}"),
            SendError::Connection(why) => write!(f, "the request failed: {why}"),
        }
    }
}

impl std::error::Error for SendError {}

/// An answer read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

pub struct Browser {
    client: Client<HttpConnector, Full<Bytes>>,
    origin: String,
    cookie: Option<String>,
    timeout: Duration,
}

/// How long to wait when the server says too many logins came from one address.
const LOGIN_RETRY: Duration = Duration::from_secs(6);
const LOGIN_TRIES: usize = 20;

impl Browser {
    pub fn new(server: &Server, source: Option<IpAddr>, timeout: Duration) -> Browser {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_local_address(source);
        Browser {
            client: Client::builder(TokioExecutor::new()).build(connector),
            origin: server.origin.clone(),
            cookie: None,
            timeout,
        }
    }

    fn request(&self, method: Method, path: &str) -> hyper::http::request::Builder {
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.origin))
            .header(header::ACCEPT_LANGUAGE, "en")
            .header(header::USER_AGENT, "airbridge-webload");
        if let Some(cookie) = &self.cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder
    }

    async fn send(&self, request: Request<Full<Bytes>>) -> Result<Answer, SendError> {
        let broken = |e: &dyn std::fmt::Display| SendError::Connection(e.to_string());
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| broken(&e))?;
            let (parts, body) = response.into_parts();
            let body = body.collect().await.map_err(|e| broken(&e))?.to_bytes();
            Ok(Answer {
                status: parts.status,
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(self.timeout, exchange)
            .await
            .map_err(|_| SendError::Timeout(self.timeout))?
    }

    /// `GET path` (with its query), the whole body read.
    pub async fn get(&self, path: &str) -> Result<Answer, SendError> {
        let request = self
            .request(Method::GET, path)
            .body(Full::new(Bytes::new()))
            .map_err(|e| SendError::Connection(e.to_string()))?;
        self.send(request).await
    }

    /// Logs in through the login form as a browser does (the form page, then its POST from
    /// the same origin) and keeps the session cookie. The form carries no CSRF token: the
    /// server refuses a login posted from another site by its `Origin`.
    pub async fn log_in(&mut self, username: &str, password: &str) -> Result<()> {
        let form = self.get("/login").await.context("opening the login page")?;
        if form.status != StatusCode::OK {
            bail!("the login page answered {}", form.status);
        }
        let body = format!(
            "username={}&password={}&next=%2Fdashboard",
            encode(username),
            encode(password)
        );
        for _ in 0..LOGIN_TRIES {
            let request = self
                .request(Method::POST, "/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, &self.origin)
                .body(Full::new(Bytes::from(body.clone())))?;
            let answer = self.send(request).await.context("posting the login form")?;
            if answer.status == StatusCode::TOO_MANY_REQUESTS {
                tokio::time::sleep(LOGIN_RETRY).await;
                continue;
            }
            if answer.status != StatusCode::SEE_OTHER {
                bail!(
                    "logging in as {username} answered {} (wrong password, or a disabled account?)",
                    answer.status
                );
            }
            let location = answer
                .headers
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            if location.starts_with("/login/totp") {
                bail!(
                    "{username} has a second factor: give the generator accounts without one (caseworkers)"
                );
            }
            let cookies = answer
                .headers
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok());
            self.cookie = Some(
                session_cookie(cookies)
                    .ok_or_else(|| anyhow!("logging in as {username} set no session cookie"))?,
            );
            return Ok(());
        }
        bail!("the server kept refusing logins as too many from this address")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_address_is_read() {
        assert_eq!(
            Server::parse("http://127.0.0.1:8080/"),
            Ok(Server {
                origin: "http://127.0.0.1:8080".into(),
                loopback_v4: true
            })
        );
        assert_eq!(
            Server::parse("http://10.1.2.3"),
            Ok(Server {
                origin: "http://10.1.2.3".into(),
                loopback_v4: false
            })
        );
        assert!(Server::parse("http://localhost:80").unwrap().loopback_v4);
        assert!(Server::parse("http://127.9.9.9:1").unwrap().loopback_v4);
        for bad in [
            "https://127.0.0.1:8080",
            "127.0.0.1:8080",
            "http://127.0.0.1:8080/search",
            "http://127.0.0.1:http",
            "http://",
        ] {
            assert!(Server::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn each_user_has_its_own_loopback_address() {
        assert_eq!(source_address(0), Ipv4Addr::new(127, 0, 0, 2));
        assert_eq!(source_address(49), Ipv4Addr::new(127, 0, 0, 51));
        assert_eq!(source_address(254), Ipv4Addr::new(127, 0, 1, 0));
        assert_eq!(
            source_address(usize::MAX),
            Ipv4Addr::new(127, 255, 255, 254)
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let set = [
            "airbridge_lang=en; Path=/",
            "airbridge_session=ab12; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200",
        ];
        assert_eq!(
            session_cookie(set),
            Some("airbridge_session=ab12".to_owned())
        );
        assert_eq!(
            session_cookie(["__Host-airbridge_session=cd34; Secure"]),
            Some("__Host-airbridge_session=cd34".to_owned())
        );
        assert_eq!(
            session_cookie(["airbridge_session=; Max-Age=0"]),
            None,
            "a cleared cookie is no session"
        );
        assert_eq!(session_cookie(["other=1"]), None);
    }
}
