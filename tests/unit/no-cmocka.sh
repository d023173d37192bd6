#!/bin/sh
echo "unit tests need cmocka (Debian: apt-get install libcmocka-dev); reconfigure after installing it"
exit 77
