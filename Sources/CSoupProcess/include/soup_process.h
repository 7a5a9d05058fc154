#ifndef SOUP_PROCESS_H
#define SOUP_PROCESS_H
/* Placeholder until the process layer lands. */
int soup_process_placeholder(void);
#endif
