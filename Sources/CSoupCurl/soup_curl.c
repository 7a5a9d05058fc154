#include <curl/curl.h>
#include "soup_curl.h"
const char *soup_curl_version(void) { return curl_version(); }
