#ifndef SOUP_CURL_H
#define SOUP_CURL_H
/*
 * The one place soup-run talks to libcurl: a blocking GET, alone or on a kept session (where
 * GETs made at the same time share connections).
 * Redirects are never followed here (the Swift side decides, so a token never leaves its origin).
 * Everything else (URLs, retries, error mapping) lives in Swift.
 */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What to fetch. Every string is borrowed for the duration of the call. */
typedef struct soup_curl_request {
    const char *url;
    /* "Name: value" lines. */
    const char *const *headers;
    size_t header_count;
    long connect_timeout_ms;
    long total_timeout_ms;
    /* The transfer is aborted once the body would exceed this many bytes. */
    size_t max_body_bytes;
    /* CURLOPT_CAINFO / CURLOPT_CAPATH; when either is set, both replace libcurl's defaults (NULL
     * clears); both NULL leaves libcurl's defaults. */
    const char *ca_info;
    const char *ca_path;
    /* CURLOPT_PROXY: the proxy URL, "" for none, or NULL for libcurl's own choice (environment). */
    const char *proxy;
    /* The transfer is aborted (headers_too_large) once the response's headers exceed this. */
    size_t max_header_bytes;
} soup_curl_request;

/* What came back. Strings and the body are malloc'd (or NULL); free with soup_curl_response_free. */
typedef struct soup_curl_response {
    /* CURLE_OK (0) when a response arrived, else the CURLcode; see error_message. */
    int curl_code;
    /* Set when the body exceeded max_body_bytes (curl_code is then nonzero). */
    int body_too_large;
    /* Set when the headers exceeded max_header_bytes (curl_code is then nonzero). */
    int headers_too_large;
    long status;
    /* The proxy's answer to CONNECT (CURLINFO_HTTP_CONNECTCODE), 0 when there was none. */
    long connect_status;
    char *etag;
    char *retry_after;
    char *location;
    char *content_type;
    unsigned char *body;
    size_t body_length;
    /* libcurl's detailed message; never holds a request header. */
    char error_message[256];
    /* curl_easy_strerror(curl_code): generic, names no host or URL. */
    const char *error_summary;
} soup_curl_response;

/* Performs the GET. Returns 0 on a response, -1 when out of memory before any transfer. */
int soup_curl_get(const soup_curl_request *request, soup_curl_response *response);

void soup_curl_response_free(soup_curl_response *response);

/* OpenSSL without its config file and error strings (soup_tls.c); soup_curl_get calls it once,
 * before curl_global_init. */
void soup_tls_init(void);

/*
 * A session: a kept libcurl multi handle (soup_curl_session.c). Its connection cache, DNS cache
 * and easy handles (with their TLS session caches) serve the next GET while the server keeps the
 * connection open; libcurl reconnects when it did not. Thread-safe: GETs made at the same time
 * from several threads run together, multiplexed on one connection over HTTP/2 (when libcurl
 * has it and the server agrees), on a connection each over HTTP/1.1. Each call still blocks
 * until its own GET ended, bounded by its timeouts.
 */
typedef struct soup_curl_session soup_curl_session;

/* NULL when out of memory. The multi handle itself is made on the first GET. */
soup_curl_session *soup_curl_session_new(void);

/* soup_curl_get on the session: the same options, bounds and response. */
int soup_curl_session_get(soup_curl_session *session, const soup_curl_request *request,
                          soup_curl_response *response);

/* Only once no GET on the session is running. */
void soup_curl_session_free(soup_curl_session *session);

/* 1 when this libcurl speaks HTTP/2 (built with nghttp2), else 0. */
int soup_curl_http2_available(void);

/* CURLcode values the Swift side classifies. */
enum {
    SOUP_CURLE_UNSUPPORTED_PROTOCOL = 1,
    SOUP_CURLE_URL_MALFORMAT = 3,
    SOUP_CURLE_COULDNT_RESOLVE_PROXY = 5,
    SOUP_CURLE_COULDNT_RESOLVE_HOST = 6,
    SOUP_CURLE_COULDNT_CONNECT = 7,
    SOUP_CURLE_WEIRD_SERVER_REPLY = 8,
    SOUP_CURLE_OUT_OF_MEMORY = 27,
    SOUP_CURLE_OPERATION_TIMEDOUT = 28,
    SOUP_CURLE_SSL_CONNECT_ERROR = 35,
    SOUP_CURLE_PEER_FAILED_VERIFICATION = 60,
    SOUP_CURLE_FILESIZE_EXCEEDED = 63,
    SOUP_CURLE_SSL_CACERT_BADFILE = 77,
};

#ifdef __cplusplus
}
#endif
#endif
