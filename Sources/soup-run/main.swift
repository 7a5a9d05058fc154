import SoupRun
