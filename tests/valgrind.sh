#!/bin/sh
# Runs one test program under valgrind memcheck; any error or leak fails it (exit 99).
exec valgrind --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	--track-fds=no "$@"
