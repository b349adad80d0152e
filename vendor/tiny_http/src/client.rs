use ascii::AsciiString;

use std::io::Error as IoError;
use std::io::Result as IoResult;
use std::io::{BufReader, BufWriter, ErrorKind, Read};

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::{HTTPVersion, Header, HeaderField, Method};
use crate::util::limits::Slot;
use crate::util::RefinedTcpStream;
use crate::util::{SequentialReader, SequentialReaderBuilder, SequentialWriterBuilder};
use crate::Request;

/// A ClientConnection is an object that will store a socket to a client
/// and return Request objects.
pub struct ClientConnection {
    // address of the client
    remote_addr: IoResult<Option<SocketAddr>>,

    // sequence of Readers to the stream, so that the data is not read in
    //  the wrong order
    source: SequentialReaderBuilder<BufReader<RefinedTcpStream>>,

    // sequence of Writers to the stream, to avoid writing response #2 before
    //  response #1
    sink: SequentialWriterBuilder<BufWriter<RefinedTcpStream>>,

    // Reader to read the next header from
    next_header_source: SequentialReader<BufReader<RefinedTcpStream>>,

    // set to true if we know that the previous request is the last one
    no_more_requests: bool,

    // true if the connection goes through SSL
    secure: bool,

    // dossier patch: the time allowed for a request's head, when its first byte arrived,
    // and this connection's place among the open ones (see util/limits.rs).
    head_timeout: Option<Duration>,
    head_started: Option<Instant>,
    slot: Option<Arc<Slot>>,
}

// dossier patch: bounds on a request's head. nginx answers 414/431 past 8 KiB a line.
const MAX_LINE: usize = 8 * 1024;
const MAX_HEADERS: usize = 100;
const MAX_HEAD: usize = 64 * 1024;

/// Error that can happen when reading a request.
#[derive(Debug)]
enum ReadError {
    WrongRequestLine,
    WrongHeader,
    /// the client sent an unrecognized `Expect` header
    ExpectationFailed(HTTPVersion),
    ReadIoError(IoError),
    // dossier patch:
    /// Nothing of a request arrived before the read timed out: close without an answer.
    Idle,
    /// A request that cannot be read safely: answered with this status, then closed.
    Refused(u16, &'static str),
}

impl ClientConnection {
    /// Creates a new `ClientConnection` that takes ownership of the `TcpStream`.
    pub fn new(
        write_socket: RefinedTcpStream,
        mut read_socket: RefinedTcpStream,
        head_timeout: Option<Duration>,
    ) -> ClientConnection {
        let remote_addr = read_socket.peer_addr();
        let secure = read_socket.secure();
        let slot = read_socket.slot();

        let mut source = SequentialReaderBuilder::new(BufReader::with_capacity(1024, read_socket));
        let first_header = source.next().unwrap();

        ClientConnection {
            source,
            sink: SequentialWriterBuilder::new(BufWriter::with_capacity(1024, write_socket)),
            remote_addr,
            next_header_source: first_header,
            no_more_requests: false,
            secure,
            head_timeout,
            head_started: None,
            slot,
        }
    }

    /// true if the connection is HTTPS
    pub fn secure(&self) -> bool {
        self.secure
    }

    /// Reads the next line from self.next_header_source.
    ///
    /// Reads until `CRLF` is reached. The next read will start
    ///  at the first byte of the new line.
    ///
    /// dossier patch: strict. A byte that is not printable ASCII (or a tab), a CR without LF
    /// or an LF without CR is refused with a 400 (a raw non-ASCII byte used to close the
    /// connection without an answer); a line longer than `MAX_LINE` with `too_long`.
    fn read_next_line(&mut self, too_long: u16) -> Result<AsciiString, ReadError> {
        let mut buf = Vec::new();
        let mut prev_byte_was_cr = false;

        loop {
            let byte = self.next_header_source.by_ref().bytes().next();

            let byte = match byte {
                Some(Ok(b)) => b,
                Some(Err(e)) if is_timeout(&e) && self.head_started.is_none() => {
                    return Err(ReadError::Idle)
                }
                Some(Err(e)) => return Err(ReadError::ReadIoError(e)),
                None => {
                    return Err(ReadError::ReadIoError(IoError::new(
                        ErrorKind::ConnectionAborted,
                        "Unexpected EOF",
                    )))
                }
            };
            let started = *self.head_started.get_or_insert_with(Instant::now);
            if self.head_timeout.is_some_and(|t| started.elapsed() > t) {
                return Err(ReadError::ReadIoError(ErrorKind::TimedOut.into()));
            }

            if byte == b'\n' && prev_byte_was_cr {
                buf.pop(); // removing the '\r'
                return Ok(AsciiString::from_ascii(buf).expect("checked to be ASCII"));
            }
            if prev_byte_was_cr || byte == b'\n' {
                return Err(ReadError::Refused(
                    400,
                    "a CR or LF alone in the request's head",
                ));
            }
            if byte >= 0x7f || (byte < 0x20 && byte != b'\t' && byte != b'\r') {
                return Err(ReadError::Refused(
                    400,
                    "a byte that is not printable ASCII in the request's head",
                ));
            }
            if buf.len() >= MAX_LINE {
                return Err(ReadError::Refused(
                    too_long,
                    "a line of the request's head is too long",
                ));
            }

            prev_byte_was_cr = byte == b'\r';

            buf.push(byte);
        }
    }

    /// Reads a request from the stream.
    /// Blocks until the header has been read.
    fn read(&mut self) -> Result<Request, ReadError> {
        self.head_started = None;
        if let Some(slot) = &self.slot {
            slot.set_waiting(true);
        }
        let (method, path, version, headers) = {
            // reading the request line (RFC 9112 2.2: empty lines before it are ignored)
            let (method, path, version) = {
                let mut line = self.read_next_line(414)?;
                for _ in 0..4 {
                    if !line.is_empty() {
                        break;
                    }
                    line = self.read_next_line(414)?;
                }

                parse_request_line(line.as_str())?
            };
            if version > (1, 1) || version < (1, 0) {
                return Err(ReadError::Refused(
                    505,
                    "this server only supports HTTP versions 1.0 and 1.1",
                ));
            }
            let (path, authority) = origin_form(path)?;

            // getting all headers
            let headers = {
                let mut headers: Vec<Header> = Vec::new();
                let mut size = 0;
                loop {
                    let line = self.read_next_line(431)?;

                    if line.is_empty() {
                        break;
                    };
                    size += line.len() + 2;
                    if headers.len() >= MAX_HEADERS || size > MAX_HEAD {
                        return Err(ReadError::Refused(
                            431,
                            "the request's headers are too large",
                        ));
                    }
                    headers.push(match parse_header(line.as_str()) {
                        Some(h) => h,
                        None => return Err(ReadError::WrongHeader),
                    });
                }

                headers
            };
            let headers = check_host(headers, authority, &version)?;

            (method, path, version, headers)
        };
        if let Some(slot) = &self.slot {
            slot.set_waiting(false);
        }

        // building the writer for the request
        let writer = self.sink.next().unwrap();

        // follow-up for next potential request
        let mut data_source = self.source.next().unwrap();
        std::mem::swap(&mut self.next_header_source, &mut data_source);

        // building the next reader
        let request = crate::request::new_request(
            self.secure,
            method,
            path,
            version.clone(),
            headers,
            // dossier patch: no unwrap (peer_addr fails once the client has hung up)
            self.remote_addr.as_ref().ok().copied().flatten(),
            data_source,
            writer,
        )
        .map_err(|e| {
            use crate::request;
            match e {
                request::RequestCreationError::CreationIoError(e) => ReadError::ReadIoError(e),
                request::RequestCreationError::ExpectationFailed => {
                    ReadError::ExpectationFailed(version)
                }
                request::RequestCreationError::BadFraming(status, why) => {
                    ReadError::Refused(status, why)
                }
            }
        })?;

        // return the request
        Ok(request)
    }
}

impl ClientConnection {
    /// dossier patch: answers `status` with `why` as its body, and ends the connection (we
    /// do not know where a next request would start).
    fn refuse(&mut self, status: u16, why: &str) -> Option<Request> {
        use std::io::Write;
        let body = format!(
            "{} {}: {}\n",
            status,
            crate::StatusCode(status).default_reason_phrase(),
            why
        );
        let mut writer = self.sink.next().unwrap();
        let _ = write!(
            writer,
            "HTTP/1.1 {} {}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            status,
            crate::StatusCode(status).default_reason_phrase(),
            body.len(),
            body
        )
        .and_then(|_| writer.flush());
        self.no_more_requests = true;
        None
    }
}

impl Drop for ClientConnection {
    fn drop(&mut self) {
        // dossier patch: a connection that reads no more is no longer one to evict.
        if let Some(slot) = &self.slot {
            slot.set_waiting(false);
        }
    }
}

fn is_timeout(e: &IoError) -> bool {
    // SO_RCVTIMEO gives EAGAIN (WouldBlock) on Unix, WSAETIMEDOUT (TimedOut) on Windows.
    matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock)
}

impl Iterator for ClientConnection {
    type Item = Request;

    /// Blocks until the next Request is available.
    /// Returns None when no new Requests will come from the client.
    fn next(&mut self) -> Option<Request> {
        use crate::{Response, StatusCode};

        // the client sent a "connection: close" header in this previous request
        //  or is using HTTP 1.0, meaning that no new request will come
        if self.no_more_requests {
            return None;
        }

        loop {
            // dossier patch: the next request is read once the previous one is answered. A
            // client that pipelined requests and stopped reading held a thread (and a
            // request) for each of them, without bound; now a connection has one request
            // at a time, and one that waits for a request is idle, and only then.
            self.sink.wait_idle();

            // dossier patch: every refusal says why and `Connection: close`; a connection
            // that sent nothing before its read timed out is closed without an answer.
            let rq = match self.read() {
                Err(ReadError::WrongRequestLine) => {
                    return self.refuse(400, "malformed request line");
                }

                Err(ReadError::WrongHeader) => {
                    return self.refuse(400, "malformed header line");
                }

                Err(ReadError::Refused(status, why)) => return self.refuse(status, why),

                Err(ReadError::Idle) => return None,

                Err(ReadError::ReadIoError(ref err)) if is_timeout(err) => {
                    return self.refuse(408, "the request's head took too long");
                }

                Err(ReadError::ExpectationFailed(ver)) => {
                    let writer = self.sink.next().unwrap();
                    let response = Response::new_empty(StatusCode(417));
                    response.raw_print(writer, ver, &[], true, None).ok();
                    return None; // TODO: should be recoverable, but needs handling in case of body
                }

                Err(ReadError::ReadIoError(_)) => return None,

                Ok(rq) => rq,
            };

            // checking HTTP version
            // dossier patch: done in `read`, before the request is made (dropping a request
            // answers it with a 500), and closed after the answer like every refusal

            // updating the status of the connection
            let connection_header = rq
                .headers()
                .iter()
                .find(|h| h.field.equiv("Connection"))
                .map(|h| h.value.as_str());

            let lowercase = connection_header.map(|h| h.to_ascii_lowercase());

            match lowercase {
                Some(ref val) if val.contains("close") => self.no_more_requests = true,
                Some(ref val) if val.contains("upgrade") => self.no_more_requests = true,
                Some(ref val)
                    if !val.contains("keep-alive") && *rq.http_version() == HTTPVersion(1, 0) =>
                {
                    self.no_more_requests = true
                }
                None if *rq.http_version() == HTTPVersion(1, 0) => self.no_more_requests = true,
                _ => (),
            };

            // returning the request
            return Some(rq);
        }
    }
}

/// Parses a "HTTP/1.1" string.
fn parse_http_version(version: &str) -> Result<HTTPVersion, ReadError> {
    // dossier patch: any `HTTP/d.d` (versions past 1.1 get a 505), nothing else.
    let digits = version.strip_prefix("HTTP/").map(str::as_bytes);
    match digits {
        Some([major, b'.', minor]) if major.is_ascii_digit() && minor.is_ascii_digit() => {
            Ok(HTTPVersion(major - b'0', minor - b'0'))
        }
        _ => Err(ReadError::WrongRequestLine),
    }
}

/// A `tchar` of RFC 9110 5.6.2 (methods and header names are tokens).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Parses the request line of the request.
/// eg. GET / HTTP/1.1
///
/// dossier patch: exactly `method SP target SP version` (RFC 9112 3), the method a token.
fn parse_request_line(line: &str) -> Result<(Method, String, HTTPVersion), ReadError> {
    let mut parts = line.split(' ');
    let (method, path, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(p), Some(v), None) => (m, p, v),
        _ => return Err(ReadError::WrongRequestLine),
    };
    if method.is_empty() || !method.bytes().all(is_tchar) || path.is_empty() || path.contains('\t')
    {
        return Err(ReadError::WrongRequestLine);
    }
    let version = parse_http_version(version)?;
    let method = method.parse().map_err(|_| ReadError::WrongRequestLine)?;
    Ok((method, path.to_owned(), version))
}

/// dossier patch: an absolute-form target (`http://host/path?q`), which a server must accept
/// (RFC 9112 3.2.2), as the origin-form path and the authority that replaces `Host`.
fn origin_form(target: String) -> Result<(String, Option<String>), ReadError> {
    let lower = target.get(..8).unwrap_or(&target).to_ascii_lowercase();
    let scheme = if lower.starts_with("http://") {
        7
    } else if lower.starts_with("https://") {
        8
    } else {
        return Ok((target, None));
    };
    let rest = &target[scheme..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    if authority.is_empty() || authority.contains('@') {
        return Err(ReadError::Refused(
            400,
            "invalid authority in an absolute-form target",
        ));
    }
    let path = if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{}", path)
    };
    Ok((path, Some(authority.to_owned())))
}

/// dossier patch: a header line, strictly: a token, a colon right after it (RFC 9112 5.1: no
/// space before it), the value without surrounding spaces; no obsolete line folding.
fn parse_header(line: &str) -> Option<Header> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let (name, value) = line.split_once(':')?;
    if name.is_empty() || !name.bytes().all(is_tchar) {
        return None;
    }
    Some(Header {
        field: HeaderField::from_bytes(name).ok()?,
        value: AsciiString::from_ascii(value.trim_matches([' ', '\t'])).ok()?,
    })
}

/// dossier patch: RFC 9112 3.2: one `Host` (required in HTTP/1.1); an absolute-form target's
/// authority replaces it.
fn check_host(
    mut headers: Vec<Header>,
    authority: Option<String>,
    version: &HTTPVersion,
) -> Result<Vec<Header>, ReadError> {
    let hosts = headers.iter().filter(|h| h.field.equiv("Host")).count();
    if hosts > 1 {
        return Err(ReadError::Refused(400, "more than one Host header"));
    }
    if let Some(authority) = authority {
        headers.retain(|h| !h.field.equiv("Host"));
        let value = AsciiString::from_ascii(authority)
            .map_err(|_| ReadError::Refused(400, "invalid authority"))?;
        headers.push(Header {
            field: HeaderField::from_bytes("Host").expect("ASCII"),
            value,
        });
    } else if hosts == 0 && *version >= (1, 1) {
        return Err(ReadError::Refused(400, "no Host header"));
    }
    Ok(headers)
}

#[cfg(test)]
mod test {
    #[test]
    fn test_parse_request_line() {
        let (method, path, ver) = super::parse_request_line("GET /hello HTTP/1.1").unwrap();

        assert!(method == crate::Method::Get);
        assert!(path == "/hello");
        assert!(ver == crate::common::HTTPVersion(1, 1));

        assert!(super::parse_request_line("GET /hello").is_err());
        assert!(super::parse_request_line("qsd qsd qsd").is_err());
    }

    // dossier patch
    #[test]
    fn strict_request_lines() {
        for bad in [
            "GET  / HTTP/1.1",
            "GET / HTTP/1.1 ",
            " GET / HTTP/1.1",
            "GET / HTTP/1.1 x",
            "G(T / HTTP/1.1",
            "GET / HTTP/11",
            "GET / http/1.1",
            "GET /\tx HTTP/1.1",
        ] {
            assert!(super::parse_request_line(bad).is_err(), "{}", bad);
        }
        let (_, _, v) = super::parse_request_line("GET / HTTP/2.0").unwrap();
        assert!(v == crate::common::HTTPVersion(2, 0));
    }

    #[test]
    fn absolute_form() {
        let of = |t: &str| super::origin_form(t.to_owned()).ok();
        assert_eq!(of("/a?b"), Some(("/a?b".into(), None)));
        assert_eq!(
            of("http://x:1/a/b?c"),
            Some(("/a/b?c".into(), Some("x:1".into())))
        );
        assert_eq!(of("HTTP://x"), Some(("/".into(), Some("x".into()))));
        assert_eq!(of("https://x?q"), Some(("/?q".into(), Some("x".into()))));
        assert_eq!(of("http:///a"), None);
        assert_eq!(of("http://u@x/"), None);
    }

    #[test]
    fn strict_headers() {
        assert!(super::parse_header("Host: x").is_some());
        assert_eq!(
            super::parse_header("A:\t v \t").unwrap().value.as_str(),
            "v"
        );
        for bad in [" Host: x", "Host : x", ": x", "Ho st: x", "no colon"] {
            assert!(super::parse_header(bad).is_none(), "{}", bad);
        }
        let h = |v: &[&str]| v.iter().map(|l| super::parse_header(l).unwrap()).collect();
        let v11 = crate::common::HTTPVersion(1, 1);
        let v10 = crate::common::HTTPVersion(1, 0);
        assert!(super::check_host(h(&["Host: a", "host: b"]), None, &v11).is_err());
        assert!(super::check_host(h(&[]), None, &v11).is_err());
        assert!(super::check_host(h(&[]), None, &v10).is_ok());
        let out = super::check_host(h(&["Host: a"]), Some("b".into()), &v11).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].value.as_str(), "b");
    }
}
