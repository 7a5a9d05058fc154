#include "soup_process.h"
int soup_process_placeholder(void) { return 0; }
