/*
 * soup_curl.c: one GET through libcurl, with redirects off and a capped body: the options and
 * callbacks every transfer uses, and the blocking GET on a fresh handle. Sessions (kept
 * connections, transfers run together) are in soup_curl_session.c.
 * Kept deliberately small: the Swift side builds URLs, decides about redirects and retries,
 * and turns CURLcodes into messages.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "soup_curl.h"
#include "soup_curl_internal.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

/* curl_global_init is not thread-safe on older libcurl and must run once per process. */
static void global_init(void) {
    soup_tls_init();
    global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_body(char *data, size_t size, size_t count, void *userdata) {
    transfer *t = userdata;
    soup_curl_response *r = t->response;
    size_t n = size * count;
    if (n > t->max_body - r->body_length) {
        /* Returning less than n makes libcurl abort with CURLE_WRITE_ERROR. */
        r->body_too_large = 1;
        return 0;
    }
    if (r->body_length + n > t->capacity) {
        size_t capacity = t->capacity ? t->capacity : 16384;
        while (capacity < r->body_length + n) capacity *= 2;
        if (capacity > t->max_body) capacity = t->max_body;
        unsigned char *grown = realloc(r->body, capacity ? capacity : 1);
        if (!grown) return 0;
        r->body = grown;
        t->capacity = capacity;
    }
    if (n) memcpy(r->body + r->body_length, data, n);
    r->body_length += n;
    return n;
}

/* Copies a header's value (trimmed of spaces and CRLF) if the line names it. */
static void keep_header(const char *line, size_t n, const char *name, char **slot) {
    size_t name_length = strlen(name);
    if (n <= name_length || line[name_length] != ':' || strncasecmp(line, name, name_length) != 0) return;
    const char *value = line + name_length + 1;
    const char *end = line + n;
    while (value < end && (*value == ' ' || *value == '\t')) value++;
    while (end > value && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t')) end--;
    char *copy = malloc((size_t)(end - value) + 1);
    if (!copy) return;
    memcpy(copy, value, (size_t)(end - value));
    copy[end - value] = 0;
    free(*slot);
    *slot = copy;
}

static void clear_headers(soup_curl_response *r) {
    free(r->etag); free(r->retry_after); free(r->location); free(r->content_type);
    r->etag = r->retry_after = r->location = r->content_type = NULL;
}

static size_t on_header(char *line, size_t size, size_t count, void *userdata) {
    transfer *t = userdata;
    soup_curl_response *r = t->response;
    size_t n = size * count;
    /* A bound of our own on all header lines (libcurl's only bounds one line, as "out of memory"). */
    t->header_bytes += n;
    if (t->max_headers > 0 && t->header_bytes > t->max_headers) {
        r->headers_too_large = 1;
        return 0;
    }
    /* A new status line starts a new header block (1xx, proxy CONNECT): keep only the last. */
    if (n >= 5 && strncmp(line, "HTTP/", 5) == 0) clear_headers(r);
    keep_header(line, n, "ETag", &r->etag);
    keep_header(line, n, "Retry-After", &r->retry_after);
    keep_header(line, n, "Location", &r->location);
    keep_header(line, n, "Content-Type", &r->content_type);
    return n;
}

int soup_curl_prepare(job *j, CURL *curl, const soup_curl_request *request, soup_curl_response *response) {
    struct curl_slist *headers = NULL;
    for (size_t i = 0; i < request->header_count; i++) {
        struct curl_slist *next = curl_slist_append(headers, request->headers[i]);
        if (!next) { curl_slist_free_all(headers); return -1; }
        headers = next;
    }
    memset(j, 0, sizeof *j);
    j->t = (transfer){ response, 0, request->max_body_bytes, 0, request->max_header_bytes };
    j->headers = headers;
    j->response = response;
    j->curl = curl;

    curl_easy_setopt(curl, CURLOPT_URL, request->url);
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    /* Redirects are decided in Swift: libcurl would carry the Authorization header along. */
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    /* No SIGALRM for DNS timeouts: soup-run owns its signals (and may be PID 1). */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, request->connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, request->total_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)request->max_body_bytes);
    curl_easy_setopt(curl, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    /* Over https, a second GET to an origin whose first connection is still in its TLS
     * handshake waits for ALPN to tell whether it speaks HTTP/2, and then shares it (or opens its
     * own). Not over plain http: libcurl would learn "HTTP/1.1" only from the first response, so
     * the second GET would wait for the whole first one. */
    if (strncasecmp(request->url, "https://", 8) == 0) curl_easy_setopt(curl, CURLOPT_PIPEWAIT, 1L);
    /* A trust store chosen (TrustStore.swift) is the whole store: NULL clears libcurl's built-in
     * default, so a hashed directory alone does not also parse the ~140-CA bundle. */
    if (request->ca_info || request->ca_path) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, request->ca_info);
        curl_easy_setopt(curl, CURLOPT_CAPATH, request->ca_path);
    }
    /* The Swift side chooses the proxy (and never one for a loopback host); "" means none. */
    if (request->proxy) curl_easy_setopt(curl, CURLOPT_PROXY, request->proxy);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &j->t);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &j->t);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, response->error_message);
    curl_easy_setopt(curl, CURLOPT_PRIVATE, (void *)j);
    return 0;
}

void soup_curl_complete(job *j, CURLcode code) {
    soup_curl_response *response = j->response;
    response->curl_code = code;
    response->error_summary = curl_easy_strerror(code);
    if (code == CURLE_FILESIZE_EXCEEDED) response->body_too_large = 1;
    curl_easy_getinfo(j->curl, CURLINFO_RESPONSE_CODE, &response->status);
    curl_easy_getinfo(j->curl, CURLINFO_HTTP_CONNECTCODE, &response->connect_status);
    curl_easy_setopt(j->curl, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(j->curl, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(j->curl, CURLOPT_PRIVATE, NULL);
    curl_slist_free_all(j->headers);
    j->headers = NULL;
}

int soup_curl_begin(soup_curl_response *response) {
    memset(response, 0, sizeof *response);
    pthread_once(&global_once, global_init);
    if (global_result != CURLE_OK) {
        response->curl_code = global_result;
        response->error_summary = curl_easy_strerror(global_result);
        return 1;
    }
    return 0;
}

int soup_curl_get(const soup_curl_request *request, soup_curl_response *response) {
    if (soup_curl_begin(response)) return 0;
    CURL *curl = curl_easy_init();
    if (!curl) return -1;
    job j;
    int rc = soup_curl_prepare(&j, curl, request, response);
    if (rc == 0) soup_curl_complete(&j, curl_easy_perform(curl));
    curl_easy_cleanup(curl);
    return rc;
}

void soup_curl_response_free(soup_curl_response *response) {
    clear_headers(response);
    free(response->body);
    response->body = NULL;
    response->body_length = 0;
}
