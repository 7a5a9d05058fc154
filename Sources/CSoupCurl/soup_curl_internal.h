#ifndef SOUP_CURL_INTERNAL_H
#define SOUP_CURL_INTERNAL_H
/* What soup_curl.c shares with soup_curl_session.c; not part of the Swift-facing header. */
#include <curl/curl.h>
#include "soup_curl.h"

/* The write and header callbacks' state for one response. */
typedef struct transfer {
    soup_curl_response *response;
    size_t capacity;
    size_t max_body;
    size_t header_bytes;
    size_t max_headers;
} transfer;

/* One GET while libcurl runs it: the callbacks' state, the request's header list, and (on a
 * session) whether it ended and how. */
typedef struct job {
    transfer t;
    struct curl_slist *headers;
    soup_curl_response *response;
    CURL *curl;
    CURLcode code;
    int done;
    struct job *next;
} job;

/* Zeroes the response and initialises libcurl once; 0 when a transfer may start (else the
 * response already holds the failure). */
int soup_curl_begin(soup_curl_response *response);

/* Sets `curl` (fresh, or reset and keeping its caches) up to GET `request` into `response`;
 * -1 when out of memory. `j` must stay where it is until soup_curl_complete. */
int soup_curl_prepare(job *j, CURL *curl, const soup_curl_request *request, soup_curl_response *response);

/* After the transfer ended with `code`: what the response needs from the handle, and the handle
 * no longer pointing at this call's buffers and headers (a kept handle outlives the call). */
void soup_curl_complete(job *j, CURLcode code);

#endif
