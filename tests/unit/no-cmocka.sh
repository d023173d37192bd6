#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause OR GPL-2.0-or-later
echo "unit tests need cmocka (Debian: apt-get install libcmocka-dev); reconfigure after installing it"
exit 77
