/*
 * soup_curl_session.c: GETs on a kept libcurl multi handle. The multi handle owns the connection
 * cache (and DNS cache), so a connection the server keeps open serves the next GET, and GETs
 * made at the same time run together: multiplexed on one connection when the server speaks
 * HTTP/2 (CURLPIPE_MULTIPLEX with CURLOPT_PIPEWAIT), side by side on their own connections over
 * HTTP/1.1.
 *
 * Threads: each caller blocks in soup_curl_session_get until its own GET ended. One of the
 * callers at a time drives the multi handle (perform, poll, collect finished transfers); the
 * others wait on a condition variable and take over when the driver's own GET is done. Only
 * the driver touches the multi handle; a new GET is queued under the lock and the driver woken
 * with curl_multi_wakeup (thread-safe). Every wait ends: each transfer has its total timeout,
 * and the driver's poll returns at least once a second.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "soup_curl.h"
#include "soup_curl_internal.h"

/* Easy handles kept for reuse (with their TLS session caches); more are made when needed. */
#define IDLE_HANDLES 8

struct soup_curl_session {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    CURLM *multi;
    /* Set while a caller drives the multi handle. */
    int driving;
    /* Whether curl_multi_wakeup works (not in a libcurl built --disable-socketpair, such as the
     * static release's): without it the driver polls in short slices, so a queued GET starts soon. */
    int wakeup;
    /* GETs queued for the driver to add. */
    job *queued;
    CURL *idle[IDLE_HANDLES];
    int idle_count;
};

int soup_curl_http2_available(void) {
    const curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    return info && (info->features & CURL_VERSION_HTTP2) ? 1 : 0;
}

soup_curl_session *soup_curl_session_new(void) {
    soup_curl_session *session = calloc(1, sizeof(soup_curl_session));
    if (!session) return NULL;
    pthread_mutex_init(&session->lock, NULL);
    pthread_cond_init(&session->changed, NULL);
    return session;
}

/* The multi handle, made on first use (after curl_global_init); NULL when out of memory. */
static CURLM *multi_handle(soup_curl_session *session) {
    if (session->multi) return session->multi;
    CURLM *multi = curl_multi_init();
    if (!multi) return NULL;
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    /* Room for the kept connections of a few layers over HTTP/1.1 (one each). */
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 16L);
    /* A wakeup left pending only makes the first poll return at once. */
    session->wakeup = curl_multi_wakeup(multi) == CURLM_OK;
    session->multi = multi;
    return multi;
}

/* A kept easy handle (reset: every option back to its default, its caches kept) or a new one. */
static CURL *take_handle(soup_curl_session *session) {
    if (session->idle_count > 0) {
        CURL *curl = session->idle[--session->idle_count];
        curl_easy_reset(curl);
        return curl;
    }
    return curl_easy_init();
}

static void return_handle(soup_curl_session *session, CURL *curl) {
    if (session->idle_count < IDLE_HANDLES) session->idle[session->idle_count++] = curl;
    else curl_easy_cleanup(curl);
}

/* Adds the queued GETs (called by the driver, lock held); one that cannot be added ends at once. */
static void add_queued(soup_curl_session *session) {
    while (session->queued) {
        job *j = session->queued;
        session->queued = j->next;
        j->next = NULL;
        CURLMcode added = curl_multi_add_handle(session->multi, j->curl);
        if (added != CURLM_OK) {
            j->code = added == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
            j->done = 1;
        }
    }
}

/* Marks the transfers that ended (called by the driver, lock held); 1 when any did. */
static int collect_finished(soup_curl_session *session) {
    int any = 0;
    int left = 0;
    CURLMsg *message;
    while ((message = curl_multi_info_read(session->multi, &left))) {
        if (message->msg != CURLMSG_DONE) continue;
        job *j = NULL;
        curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&j);
        CURLcode code = message->data.result;
        curl_multi_remove_handle(session->multi, message->easy_handle);
        if (j) {
            j->code = code;
            j->done = 1;
            any = 1;
        }
    }
    return any;
}

/* Drives the multi handle until `mine` ended (lock held on entry and on return). The lock is
 * released around perform and poll, so other callers can queue GETs meanwhile. */
static void drive(soup_curl_session *session, job *mine) {
    session->driving = 1;
    while (!mine->done) {
        add_queued(session);
        if (mine->done) break;
        pthread_mutex_unlock(&session->lock);
        int running = 0;
        CURLMcode performed = curl_multi_perform(session->multi, &running);
        pthread_mutex_lock(&session->lock);
        if (collect_finished(session)) pthread_cond_broadcast(&session->changed);
        if (performed != CURLM_OK) {
            /* The multi handle itself failed (out of memory): end this GET with the reason;
             * the others are collected by whoever drives next. */
            curl_multi_remove_handle(session->multi, mine->curl);
            mine->code = performed == CURLM_OUT_OF_MEMORY ? CURLE_OUT_OF_MEMORY : CURLE_FAILED_INIT;
            mine->done = 1;
            break;
        }
        if (mine->done || session->queued) continue;
        pthread_mutex_unlock(&session->lock);
        /* Woken by socket activity, curl_multi_wakeup (a GET queued), or after 1 s at most
         * (10 ms without wakeups); libcurl's own timers (timeouts) shorten the wait as they need. */
        curl_multi_poll(session->multi, NULL, 0, session->wakeup ? 1000 : 10, NULL);
        pthread_mutex_lock(&session->lock);
    }
    session->driving = 0;
    /* Another caller still waiting takes over driving. */
    pthread_cond_broadcast(&session->changed);
}

int soup_curl_session_get(soup_curl_session *session, const soup_curl_request *request,
                          soup_curl_response *response) {
    if (soup_curl_begin(response)) return 0;
    pthread_mutex_lock(&session->lock);
    CURL *curl = multi_handle(session) ? take_handle(session) : NULL;
    pthread_mutex_unlock(&session->lock);
    if (!curl) return -1;
    job j;
    if (soup_curl_prepare(&j, curl, request, response) != 0) {
        pthread_mutex_lock(&session->lock);
        return_handle(session, curl);
        pthread_mutex_unlock(&session->lock);
        return -1;
    }

    pthread_mutex_lock(&session->lock);
    j.next = session->queued;
    session->queued = &j;
    if (session->driving) curl_multi_wakeup(session->multi);
    while (!j.done) {
        if (!session->driving) drive(session, &j);
        else pthread_cond_wait(&session->changed, &session->lock);
    }
    pthread_mutex_unlock(&session->lock);

    soup_curl_complete(&j, j.code);
    pthread_mutex_lock(&session->lock);
    return_handle(session, curl);
    pthread_mutex_unlock(&session->lock);
    return 0;
}

void soup_curl_session_free(soup_curl_session *session) {
    if (!session) return;
    /* No GET is running: every caller has returned before the session is released. */
    for (int i = 0; i < session->idle_count; i++) curl_easy_cleanup(session->idle[i]);
    if (session->multi) curl_multi_cleanup(session->multi);
    pthread_cond_destroy(&session->changed);
    pthread_mutex_destroy(&session->lock);
    free(session);
}
