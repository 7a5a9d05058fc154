#ifndef SOUP_CURL_H
#define SOUP_CURL_H
/* Placeholder until the HTTP transport lands: libcurl version string. */
const char *soup_curl_version(void);
#endif
